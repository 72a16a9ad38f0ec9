"""One-line timers: `timer 45s` and `intervals 20s/10s x8`, made into a routine in memory (pure).

A quick timer is a routine like any other, built from plain data that the library's own models
validate (`Routine`, `Exercise`) and expanded by `build_timeline`, so it runs in the normal
session screen with the same cues and keys, and is recorded in the history under its own id and
name. The same plain data, written to a file, is a routine file that loads and shows the same
phases (`trainer timer ... --save ID`).

Its exercises are its own, with ids made from the routine's id (`<id>-work`, `<id>-warm-up`,
`<id>-cool-down`), so a saved timer never clashes with another routine's exercises.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trainer.library.durations import format_duration, parse_duration
from trainer.library.ids import ID_LIMIT, slug
from trainer.session.prepared import Prepared, prepare_timeline
from trainer.session.timeline import LimitError, Timeline, build_timeline

if TYPE_CHECKING:
    from trainer.library.model import Exercise, Routine

TIMER_FORM = "DURATION, e.g. 45s, 2m or 1:30"
INTERVAL_FORM = "WORK/REST xROUNDS, e.g. 20s/10s x8"
GET_READY = 10.0  # seconds before the first phase, as a routine's default
MAX_ROUNDS = 100  # as the format's interval rounds
# WORK/REST xROUNDS; spaces around the x are allowed ("20s/10s x 8", "20s/10sx8"), and so is
# the multiplication sign (20s/10s \u00d78).
_INTERVAL = re.compile(r"^(?P<work>[^/\s]+)/(?P<rest>[^/\s]+)\s*[xX*\u00d7]\s*(?P<rounds>\S+)$")
_SPLIT = re.compile(r"^(?P<work>[^/\s]+)/(?P<rest>[^/\s]+)$")

WARM_UP_STEPS = ("Move easily to get warm: march on the spot, roll the shoulders.",
                 "Let your breathing and heart rate rise gently.")
COOL_DOWN_STEPS = ("Slow down gradually: walk or march gently.",
                   "Let your breathing settle before you stop.")


class QuickError(ValueError):
    """Arguments that make no timer; str() is one line that shows the accepted form."""


@dataclass(frozen=True)
class QuickTimer:
    """A one-line timer: its routine and exercises as plain data and as validated models."""

    routine_data: dict[str, Any]
    exercise_data: tuple[dict[str, Any], ...]
    routine: Routine
    exercises: Mapping[str, Exercise]
    timeline: Timeline

    @property
    def id(self) -> str:
        """The routine id (what the history records it under)."""
        return self.routine.id

    @property
    def name(self) -> str:
        """The routine name."""
        return self.routine.name

    def prepared(self) -> Prepared:
        """The timer ready for the session screen."""
        return prepare_timeline(self.timeline, self.exercises)


def duration(text: str, what: str, form: str = "") -> float:
    """Seconds from a duration argument; QuickError with the accepted forms if it is not one
    (`form`: the whole argument's, for a duration that is part of one)."""
    try:
        return parse_duration(text.strip())
    except ValueError as exc:
        # "'x' is not a duration; use 45, 45s, ..." or "4h is longer than the 3h limit".
        raise QuickError(f"{what}: {exc}" + (f" (in {form})" if form else "")) from None


def short(seconds: float) -> str:
    """A duration as a name shows it: 45s, 1m30s, 2.5s."""
    text = format_duration(seconds)
    return text if parse_duration(text) == seconds else f"{seconds:g}s"


def _written(seconds: float) -> str | float | int:
    """A duration as the file writes it: `2m`, `45s`, or plain seconds where text would round."""
    text = format_duration(seconds)
    if parse_duration(text) == seconds:
        return text
    return int(seconds) if seconds == int(seconds) else seconds


def parse_intervals(spec: str, rounds: int | None = None) -> tuple[float, float, int]:
    """Work, rest and rounds from `20s/10s x8` (or `20s/10s` and `rounds`)."""
    text = " ".join(spec.split())
    match = _INTERVAL.match(text)
    if match is not None and rounds is None:
        raw_rounds = match["rounds"]
    else:
        match = _SPLIT.match(text) if rounds is not None else None
        if match is None:
            raise QuickError(f"'{spec}' is not an interval; use {INTERVAL_FORM}")
        raw_rounds = str(rounds)
    work = duration(match["work"], "work", INTERVAL_FORM)
    rest = duration(match["rest"], "rest", INTERVAL_FORM)
    if work <= 0:
        raise QuickError(f"work must be longer than zero; use {INTERVAL_FORM}")
    if re.fullmatch(r"[0-9]+", raw_rounds) is None:
        raise QuickError(f"'{raw_rounds}' is not a number of rounds; use {INTERVAL_FORM}")
    count = int(raw_rounds[:4])
    if len(raw_rounds) > 4 or not 1 <= count <= MAX_ROUNDS:
        raise QuickError(f"rounds are 1 to {MAX_ROUNDS}, not {raw_rounds[:8]}; "
                         f"use {INTERVAL_FORM}")
    return work, rest, count


def _exercise_id(routine_id: str, role: str) -> str:
    """`<routine id>-<role>`, the routine id shortened to keep within the id limit."""
    head = routine_id[: ID_LIMIT - len(role) - 1].rstrip("-")
    return f"{head}-{role}"


def _exercise(exercise_id: str, name: str, seconds: float, summary: str,
              instructions: tuple[str, ...] = ()) -> dict[str, Any]:
    """An exercise of a quick timer, as plain data."""
    data: dict[str, Any] = {"id": exercise_id, "name": name, "category": "aerobic",
                            "duration": _written(seconds), "summary": summary}
    if instructions:
        data["instructions"] = list(instructions)
    return data


def _routine_id(save_id: str | None, name: str | None, default: str) -> str:
    """The id: `--save`'s, else one made from `--name`, else the timer's own."""
    if save_id is not None:
        return save_id
    return (slug(name) if name else "") or default


def _build(default_id: str, default_name: str, summary: str, main: dict[str, Any],
           steps: list[Any], *, warmup: float | None, cooldown: float | None,
           name: str | None, save_id: str | None) -> QuickTimer:
    """The routine and its exercises from plain data, validated and expanded."""
    from pydantic import ValidationError

    from trainer.library.model import Exercise, Routine

    routine_id = _routine_id(save_id, name, default_id)
    exercises = [main]
    if warmup:
        exercises.insert(0, _exercise("warm-up", "Warm-up", warmup, "Easy movement to get warm.",
                                      WARM_UP_STEPS))
        steps.insert(0, "warm-up")
    if cooldown:
        exercises.append(_exercise("cool-down", "Cool-down", cooldown,
                                   "Easy movement to finish.", COOL_DOWN_STEPS))
        steps.append("cool-down")
    # The exercises' ids made from the routine's, in the steps as in the exercises.
    ids = {ex["id"]: _exercise_id(routine_id, ex["id"]) for ex in exercises}
    for ex in exercises:
        ex["id"] = ids[ex["id"]]
    steps = [ids[step] if isinstance(step, str) else _renamed(step, ids) for step in steps]
    routine: dict[str, Any] = {
        "id": routine_id, "name": name if name is not None else default_name,
        "summary": summary, "defaults": {"get_ready": _written(GET_READY), "rest": 0},
        "steps": steps,
    }
    try:
        model = Routine.model_validate(routine)
        models = {ex["id"]: Exercise.model_validate(ex) for ex in exercises}
    except ValidationError as exc:
        raise QuickError(_validation_message(exc, save_id)) from None
    try:
        timeline = build_timeline(model, models)
    except LimitError as exc:
        raise QuickError(f"the timer is too long: {exc}; use shorter times or fewer rounds"
                         ) from None
    return QuickTimer(routine, tuple(exercises), model, models, timeline)


def _renamed(step: dict[str, Any], ids: Mapping[str, str]) -> dict[str, Any]:
    """An interval step with its exercise ids replaced."""
    spec = dict(step["interval"])
    spec["exercises"] = [ids[e] for e in spec["exercises"]]
    return {"interval": spec}


def _validation_message(exc: Any, save_id: str | None) -> str:
    """The first thing the models refused, in one line."""
    error = exc.errors()[0]
    where = error.get("loc", ())
    field = where[0] if where else ""
    if field == "id" and save_id is not None:
        return (f"'{save_id}' is not an id; use lowercase letters, digits and single dashes, "
                "e.g. my-intervals")
    if field == "name":
        return f"--name: {error['msg'].removeprefix('Value error, ')}"
    return str(error.get("msg", "not a timer"))


def timer(text: str, *, warmup: float | None = None, cooldown: float | None = None,
          name: str | None = None, save_id: str | None = None) -> QuickTimer:
    """`trainer timer 45s`: one timed phase (after get ready), with an optional warm-up and
    cool-down."""
    seconds = duration(text, "timer")
    if seconds <= 0:
        raise QuickError(f"a timer must be longer than zero; use {TIMER_FORM}")
    length = short(seconds)
    main = _exercise("work", "Timer", seconds, f"A {length} timer.")
    return _build(f"timer-{slug(length)}", f"Timer {length}", f"A {length} timer.", main,
                  ["work"], warmup=warmup, cooldown=cooldown, name=name, save_id=save_id)


def intervals(spec: str, rounds: int | None = None, *, warmup: float | None = None,
              cooldown: float | None = None, name: str | None = None,
              save_id: str | None = None) -> QuickTimer:
    """`trainer intervals 20s/10s x8`: work/rest rounds, with an optional warm-up and cool-down."""
    work, rest, count = parse_intervals(spec, rounds)
    label = f"{short(work)}/{short(rest)} x{count}"
    summary = f"{count} rounds of {short(work)} work" + (
        f" and {short(rest)} rest." if rest else ", no rest.")
    main = _exercise("work", "Work", work, "Work hard for the whole interval.")
    step = {"interval": {"work": _written(work), "rest": _written(rest), "rounds": count,
                         "exercises": ["work"]}}
    default_id = f"intervals-{slug(short(work))}-{slug(short(rest))}-x{count}"
    return _build(default_id, f"Intervals {label}", summary, main, [step], warmup=warmup,
                  cooldown=cooldown, name=name, save_id=save_id)
