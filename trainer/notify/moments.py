"""Which moments of a session notify, and what they say (worded like the voice lines).

A person away from the screen needs to know when to move: an exercise phase starts (after a
rest, "Rest over"), it is time to switch sides, the session is over. Rest and get-ready starts,
countdowns, halfway and rep ticks do not notify: the person has just been told, or is there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from trainer.session.engine import Event
from trainer.session.prepared import ExerciseInfo
from trainer.session.timeline import Phase, Timeline

__all__ = ["Moment", "moment", "say"]

Moment = tuple[str, str]  # (title, body), not yet cleaned
_WORDS = {"work": "Work", "hold": "Hold", "reps": "Work"}


def _name(phase: Phase, exercises: Mapping[str, ExerciseInfo] | None) -> str:
    """The exercise's name as written in the library."""
    if exercises and phase.exercise and phase.exercise in exercises:
        return exercises[phase.exercise].name
    return phase.title


def _length(seconds: float) -> str:
    """A length in words: "45 seconds", "2 minutes", "1 minute 30 seconds"."""
    minutes, secs = divmod(max(1, round(seconds)), 60)
    parts = [f"{n} {unit}{'s' * (n != 1)}"
             for n, unit in ((minutes, "minute"), (secs, "second")) if n]
    return " ".join(parts)


def _details(phase: Phase) -> str:
    """What the phase asks: "Set 2 of 3 · 12 reps", "30 seconds · right side"."""
    parts = []
    if phase.set and phase.sets:
        parts.append(f"Set {phase.set} of {phase.sets}")
    elif phase.round and phase.rounds:
        parts.append(f"Round {phase.round} of {phase.rounds}")
    if phase.reps:
        parts.append(f"{phase.reps} rep{'s' * (phase.reps != 1)}")
    elif phase.duration is not None:
        parts.append(_length(phase.duration))
    if phase.side in ("left", "right"):
        parts.append(f"{phase.side} side")
    elif phase.side == "alternate":
        parts.append("alternating sides")
    if phase.duration is None:
        parts.append("Enter when done")
    return " · ".join(parts)


def say(event: Event, timeline: Timeline,
        exercises: Mapping[str, ExerciseInfo] | None = None) -> Moment | None:
    """The notification for one event, or None when this moment does not notify."""
    phase = event.phase
    if event.kind == "finished":
        return f"Session complete: {timeline.routine_name}", "Well done."
    if event.kind == "switch_sides":
        upcoming = timeline.up_next(phase.index)
        body = f"Next: {_name(upcoming, exercises)}, {_details(upcoming)}" if upcoming else ""
        return "Switch sides", body
    if event.kind != "phase_started" or not phase.active:
        return None
    name = _name(phase, exercises)
    before = timeline.phases[phase.index - 1] if phase.index > 0 else None
    if phase.side == "right" and (before is None or before.kind != "switch"):
        title = f"Switch sides: {name}"  # no switch phase (switch: 0): the start is the switch
    elif before is not None and before.kind == "rest":
        title = f"Rest over — next: {name}"
    else:
        title = f"{_WORDS.get(phase.kind, 'Work')}: {name}"
    return title, _details(phase)


def moment(events: Sequence[Event], timeline: Timeline,
           exercises: Mapping[str, ExerciseInfo] | None = None) -> Moment | None:
    """The one notification for a tick's events: the latest moment that notifies, or None."""
    # A late tick that caught up over several phases says where the session is now, once.
    for event in reversed(events):
        found = say(event, timeline, exercises)
        if found is not None:
            return found
    return None
