"""What the session screen shows, derived from the engine's state (pure, no Textual)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from trainer.library.durations import format_clock
from trainer.safe_text import printable
from trainer.session.describe import labels, timing_text
from trainer.session.engine import State
from trainer.session.timeline import Timeline

if TYPE_CHECKING:
    from trainer.session.prepared import ExerciseInfo

WORDS = {
    "get_ready": "GET READY",
    "work": "WORK",
    "hold": "HOLD",
    "reps": "REPS",
    "rest": "REST",
    "switch": "SWITCH SIDES",
    "done": "DONE",
}


@dataclass(frozen=True)
class View:
    """Every piece of text and every fraction on the session screen."""

    index: int
    kind: str
    word: str
    title: str
    detail: str
    clock: str
    target: str
    instructions: str
    up_next: str
    session_left: str
    phase_progress: float
    session_progress: float
    paused: bool


def _how_to(exercise: ExerciseInfo | None) -> str:
    """Numbered instructions, then cues, then the safety line."""
    if exercise is None:
        return ""
    lines = [f"{i}. {step}" for i, step in enumerate(exercise.instructions, 1)]
    if exercise.cues:
        lines.append("Cues: " + " · ".join(exercise.cues))
    if exercise.safety:
        lines.append(f"Safety: {exercise.safety}")
    return "\n".join(lines)


def _left(seconds: float) -> str:
    """Time left in the session, to the second, as the big clock counts it."""
    if seconds <= 0:
        return "finished"
    return f"{format_clock(math.ceil(seconds - 1e-9))} left"


def present(state: State, timeline: Timeline, exercises: Mapping[str, ExerciseInfo],
            lead_in: int | None = None) -> View:
    """The view for one state; phase `lead_in` is a resume's lead-in, shown as a get-ready."""
    phase = state.phase
    # A resumed session starts in the rest or switch before the phase it stopped in, its last
    # seconds only: that is a get-ready for what comes next, whatever the phase was.
    kind = "get_ready" if phase.index == lead_in else phase.kind
    upcoming = timeline.up_next(phase.index)
    # Between exercises the screen is about what comes next, so the person can get set.
    focus = phase if phase.active or kind == "switch" else upcoming
    exercise = exercises.get(focus.exercise or "") if focus else None
    if phase.active:
        title = phase.title
    elif kind == "done":
        title = "Workout complete"
    else:
        title = f"Next: {upcoming.title}" if upcoming else phase.title
    if state.remaining is None:
        clock = format_clock(state.elapsed)
        target = f"{timing_text(phase)} · press Enter when done"
    else:
        clock = format_clock(math.ceil(state.remaining - 1e-9))
        target = ""
        if phase.reps and phase.tempo:
            reps = state.reps or phase.reps  # extended: more reps at the same tempo
            rep = min(reps, int(state.elapsed // phase.tempo) + 1)
            target = f"rep {rep} of {reps}"
        elif kind == "switch":
            target = "Change to the other side"
        elif phase.say:
            target = phase.say
    if upcoming is None:
        up_next = "Up next: finish" if kind != "done" else ""
    elif phase.active:
        up_next = f"Up next: {upcoming.title} · {timing_text(upcoming)}"
        if upcoming.side in ("left", "right"):
            up_next += f" · {upcoming.side} side"
    else:
        up_next = f"Up next: {upcoming.title} · {timing_text(upcoming)}"
    total = state.session_total
    return View(
        index=phase.index,
        kind=kind,
        word=WORDS[kind] + (" · PAUSED" if state.paused else ""),
        # Titles, labels, say lines and instructions come from library files: shown safely.
        title=printable(title),
        detail=printable(labels(focus)) if focus else "",
        clock=clock,
        target=printable(target),
        instructions=printable(_how_to(exercise)),
        up_next=printable(up_next),
        session_left=_left(state.session_remaining),
        phase_progress=state.progress,
        session_progress=1 - state.session_remaining / total if total else 1.0,
        paused=state.paused,
    )


def preview(timeline: Timeline) -> list[tuple[str, list[str]]]:
    """The routine's active phases grouped by block, repeated sides and sets folded together."""
    groups: list[tuple[str, list[str]]] = []
    last: str | None = None  # the exercise of the group's last line
    for phase in timeline.phases:
        if not phase.active:
            continue
        heading = phase.block or ""
        if phase.rounds and phase.block:
            heading += f" · round {phase.round}/{phase.rounds}"
        if not groups or groups[-1][0] != heading:
            groups.append((heading, []))
            last = None
        same = last is not None and phase.exercise == last
        if same and phase.side == "right":
            continue  # the left side's line already says "each side"
        if same and phase.sets and phase.set and phase.set > 1:
            sided = " · each side" if phase.side in ("left", "right") else ""
            groups[-1][1][-1] = f"{phase.title} · {phase.sets} sets x {timing_text(phase)}{sided}"
        else:
            sided = " · each side" if phase.side == "left" else ""
            groups[-1][1].append(f"{phase.title} · {timing_text(phase)}{sided}")
        last = phase.exercise
    return [(printable(heading), [printable(line) for line in lines]) for heading, lines in groups]
