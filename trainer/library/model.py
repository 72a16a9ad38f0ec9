"""The library's data model: exercises, routines and their steps (format version 1, no Textual)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Strict,
    StrictBool,
    StringConstraints,
    Tag,
)
from pydantic_core import PydanticCustomError

from trainer.library.durations import parse_duration
from trainer.library.problems import unsafe_what
from trainer.safe_text import unsafe_char

FORMAT_VERSION = 1

Category = Literal["stretch", "aerobic", "strength", "mobility", "posture"]
Level = Literal["beginner", "intermediate", "advanced"]
Sides = Literal["none", "each", "alternate"]

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[
    str, Strict(), StringConstraints(pattern=SLUG_PATTERN, min_length=1, max_length=64)
]


def _plain_name(name: str) -> str:
    """Refuse a name with control, bidi or invisible characters, or a line break."""
    # Names are what a list, a title bar and a session screen show on one line, and what people
    # pick a routine by: unlike free text, there is no reason for them to hold such characters.
    char = unsafe_char(name)
    if char is not None:
        what = unsafe_what(char)
    elif "\n" in name or "\t" in name:
        char, what = ("\\n" if "\n" in name else "\\t"), "a line break or tab"
    else:
        return name
    raise PydanticCustomError("unsafe_text", "contains {what} ({char})",
                              {"what": what, "char": char})


Name = Annotated[
    str, Strict(), StringConstraints(strip_whitespace=True, min_length=1, max_length=80),
    AfterValidator(_plain_name),
]
Text = Annotated[
    str, Strict(), StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)
]
ShortText = Annotated[
    str, Strict(), StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
]


def _positive(seconds: float) -> float:
    """Reject zero where a phase needs a real length."""
    if seconds <= 0:
        raise ValueError("must be longer than zero")
    return seconds


# Durations accept numbers of seconds or text like 1m30s; a Gap may be zero (meaning "none").
Gap = Annotated[float, BeforeValidator(parse_duration)]
Duration = Annotated[float, BeforeValidator(parse_duration), AfterValidator(_positive)]
Count = Annotated[int, Strict()]
Reps = Annotated[Count, Field(ge=1, le=200)]
Sets = Annotated[Count, Field(ge=1, le=20)]


class _Strict(BaseModel):
    """Frozen, strict, and refusing unknown keys."""

    # Lax mode so YAML lists fill tuples; numbers, text and flags are strict types below.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Timing(_Strict):
    """How long one exercise lasts: one of hold, duration or reps (tempo only with reps)."""

    hold: Duration | None = None
    duration: Duration | None = None
    reps: Reps | None = None
    tempo: Duration | None = None


class Exercise(Timing):
    """One exercise with its default timing and how to do it."""

    id: Slug
    name: Name
    category: Category
    level: Level = "beginner"
    sides: Sides = "none"
    sets: Sets = 1
    muscles: tuple[ShortText, ...] = ()
    equipment: tuple[ShortText, ...] = ()
    summary: Text = ""
    instructions: tuple[Text, ...] = ()
    cues: tuple[ShortText, ...] = ()
    safety: Text = ""


class Defaults(_Strict):
    """Routine-wide timing defaults."""

    get_ready: Gap = 10.0
    rest: Gap = 15.0
    set_rest: Gap = 30.0
    switch: Gap = 5.0
    countdown: Annotated[Count, Field(ge=0, le=10)] = 3
    announce: StrictBool = True


class ExerciseStep(Timing):
    """An exercise in a routine, optionally overriding its timing."""

    exercise: Slug
    sets: Sets | None = None
    set_rest: Gap | None = None
    rest: Gap | None = None
    say: ShortText | None = None


class RestStep(_Strict):
    """A plain rest, optionally with a line to say."""

    rest: Duration
    say: ShortText | None = None


class IntervalSpec(_Strict):
    """Work/rest rounds; the exercises take turns, one per round."""

    work: Duration
    rest: Gap = 0.0
    rounds: Annotated[Count, Field(ge=1, le=100)]
    exercises: Annotated[tuple[Slug, ...], Field(min_length=1, max_length=50)]


class IntervalStep(_Strict):
    """The interval shorthand."""

    interval: IntervalSpec


class BlockStep(_Strict):
    """A named group of steps, optionally repeated."""

    block: Name
    repeat: Annotated[Count, Field(ge=1, le=50)] = 1
    rest_between: Gap | None = None
    steps: tuple[Step, ...]


def _step_kind(value: object) -> str | None:
    """Which kind of step a mapping is, by its first telling key."""
    if isinstance(value, dict):
        for key in STEP_KINDS:
            if key in value:
                return f"<{key}>"
        return None
    return _STEP_TAGS.get(type(value))


def _bare_id(value: object) -> object:
    """A bare exercise id is short for `{exercise: id}`."""
    return {"exercise": value} if isinstance(value, str) else value


STEP_KINDS = ("exercise", "block", "interval", "rest")
# Tags are bracketed so they can be told apart from real keys in error locations.
Step = Annotated[
    Annotated[ExerciseStep, Tag("<exercise>")]
    | Annotated[BlockStep, Tag("<block>")]
    | Annotated[IntervalStep, Tag("<interval>")]
    | Annotated[RestStep, Tag("<rest>")],
    Discriminator(
        _step_kind,
        custom_error_type="step_kind",
        custom_error_message="a step needs one of the keys: exercise, block, interval or rest",
    ),
    BeforeValidator(_bare_id),
]


class Routine(_Strict):
    """A routine: defaults and steps."""

    id: Slug
    name: Name
    level: Level = "beginner"
    summary: Text = ""
    defaults: Defaults = Defaults()
    steps: tuple[Step, ...]


_STEP_TAGS: dict[type, str] = {
    ExerciseStep: "<exercise>",
    BlockStep: "<block>",
    IntervalStep: "<interval>",
    RestStep: "<rest>",
}
BlockStep.model_rebuild()


# -- programs: stages of weeks, each asking for routines, moving on only when it felt fine -------

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Score = Annotated[Count, Field(ge=0, le=10)]


class StageRoutine(_Strict):
    """A routine a stage asks for: on so many days a week, or on given days."""

    routine: Slug
    per_week: Annotated[Count, Field(ge=1, le=7)] | None = None
    days: Annotated[tuple[Weekday, ...], Field(min_length=1, max_length=7)] | None = None


class MoveOn(_Strict):
    """When a stage is done: this many sessions in it, none above these pain and effort scores."""

    after: Annotated[Count, Field(ge=1, le=50)] = 3
    pain_at_most: Score = 3
    effort_at_most: Annotated[Count, Field(ge=1, le=10)] = 6  # RPE, 1-10


class Stage(_Strict):
    """A part of a program: at least `weeks` weeks (none: until ready), then the rule."""

    name: Name
    summary: Text = ""
    weeks: Annotated[Count, Field(ge=1, le=26)] | None = None
    routines: Annotated[tuple[StageRoutine, ...], Field(min_length=1, max_length=12)]
    move_on: MoveOn = MoveOn()


class EaseOff(_Strict):
    """When a program goes back a stage (pain rising) or stops getting harder (pain this high)."""

    pain_rise: Annotated[Count, Field(ge=1, le=10)] = 2
    over: Annotated[Count, Field(ge=2, le=10)] = 3  # the last N check-ins with a pain score
    stop_at: Annotated[Count, Field(ge=1, le=10)] = 7


class Program(_Strict):
    """A plan for the coming weeks: stages in order, and when to ease off."""

    id: Slug
    name: Name
    level: Level = "beginner"
    summary: Text = ""
    stages: Annotated[tuple[Stage, ...], Field(min_length=1, max_length=26)]
    ease_off: EaseOff = EaseOff()
