"""Phases and timelines in words, as both the command line and the app show them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING

from trainer.library.durations import format_duration
from trainer.session.timeline import Phase, Timeline

if TYPE_CHECKING:
    from trainer.library.model import Exercise
    from trainer.session.prepared import ExerciseInfo


def timing_text(phase: Phase) -> str:
    """How long or how many: '30s', '12 reps @ 3s', '8 reps'."""
    if phase.reps:
        return f"{phase.reps} reps" + (f" @ {format_duration(phase.tempo)}" if phase.tempo else "")
    if phase.duration is not None:
        return format_duration(phase.duration)
    return ""


def exercise_timing(ex: Exercise, sides: bool = True) -> str:
    """An exercise's own timing: 'hold 30s each side', '2 x 10 reps @ 3s', '1m'."""
    side = {"each": " each side", "alternate": " alternating"}.get(ex.sides, "") if sides else ""
    sets = f"{ex.sets} x " if ex.sets > 1 else ""
    if ex.hold is not None:
        return f"{sets}hold {format_duration(ex.hold)}{side}"
    if ex.duration is not None:
        return f"{sets}{format_duration(ex.duration)}{side}"
    tempo = f" @ {format_duration(ex.tempo)}" if ex.tempo else ""
    return f"{sets}{ex.reps} reps{tempo}{side}"


def labels(phase: Phase) -> str:
    """Block, set, round and side, joined."""
    parts = []
    if phase.block:
        parts.append(phase.block)
    if phase.sets:
        parts.append(f"set {phase.set}/{phase.sets}")
    if phase.rounds:
        parts.append(f"round {phase.round}/{phase.rounds}")
    if phase.side in ("left", "right"):
        parts.append(f"{phase.side} side")
    elif phase.side == "alternate":
        parts.append("alternating sides")
    return " · ".join(parts)


def category_mix(timeline: Timeline, exercises: Mapping[str, ExerciseInfo]) -> dict[str, int]:
    """Active seconds per exercise category, most first."""
    mix: Counter[str] = Counter()
    for phase in timeline.phases:
        if phase.active and phase.exercise:
            mix[exercises[phase.exercise].category] += round(phase.estimate)
    return dict(mix.most_common())
