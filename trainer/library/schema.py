"""The JSON Schema of a library file (draft-07, for yaml-language-server), and its installed copy.

It is pydantic's schema of the model, adapted: draft-07's `definitions`, durations and bare-id
steps written as the text the BeforeValidators accept, a description and examples on every field
(kept here, keyed by model and field, so the model stays readable), and the timing rules (one of
hold, duration or reps) as far as JSON Schema can say them. trainer's own validator stays the
judge: the schema is for completion and for flagging mistakes while typing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from trainer.library.durations import MAX_SECONDS, parse_duration
from trainer.library.model import FORMAT_VERSION, SLUG_PATTERN, Exercise, Program, Routine
from trainer.paths import config_dir, write_atomic

SCHEMA_FILE = "library.schema.json"
MODELINE_PREFIX = "# yaml-language-server: $schema="
DRAFT_07 = "http://json-schema.org/draft-07/schema#"

# The text forms parse_duration reads: 45, 45s, 2m, 1m30s, 1h, 1h30m, 2.5s, 1:30, 1:02:03; units
# in either case, spaces between the parts.
_NUM = r"\d+(?:\.\d+)?"
_SECS = rf"{_NUM} *[sS]?"
_UNIT_FORMS = (rf"\d+ *[hH](?: *\d+ *[mM])?(?: *{_SECS})?", rf"\d+ *[mM](?: *{_SECS})?", _SECS)
_CLOCK_FORM = r"(?:\d+ *: *)?\d+ *: *[0-5]\d(?:\.\d+)?"
DURATION_PATTERN = rf"^\s*(?:{'|'.join(_UNIT_FORMS)}|{_CLOCK_FORM})\s*$"

_DURATION_TEXT = ("a number of seconds, or text such as 45s, 2m, 1m30s, 1:30 or 1h "
                  f"(at most {MAX_SECONDS // 3600}h)")
_TIMING_RULE = "Exactly one of hold, duration or reps for an exercise; tempo only with reps."
_SLUG_TEXT = "lowercase letters, digits and single dashes, at most 64 characters"


def installed_path() -> Path:
    """Where `trainer schema --install` keeps the schema: in the user config folder."""
    return config_dir() / SCHEMA_FILE


def modeline() -> str:
    """`# yaml-language-server: $schema=<installed path>` and a line break, or "" if not
    installed."""
    path = installed_path()
    if not path.is_file():
        return ""
    # The server reads the schema's address up to the first space: such a path goes as a URI.
    where = path.as_uri() if any(c.isspace() for c in str(path)) else str(path)
    return f"{MODELINE_PREFIX}{where}\n"


def install() -> Path:
    """Write the schema into the config folder (atomically); returns its path."""
    path = installed_path()
    write_atomic(path, (json.dumps(library_schema(), indent=2) + "\n").encode("utf-8"))
    return path


class _LibraryFile(BaseModel):
    """One library file."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1  # FORMAT_VERSION
    exercises: tuple[Exercise, ...] = ()
    routines: tuple[Routine, ...] = ()
    programs: tuple[Program, ...] = ()


def _duration(*, positive: bool) -> JsonSchemaValue:
    """A duration: seconds as a number, or one of the text forms."""
    number: dict[str, Any] = {"type": "number", "maximum": MAX_SECONDS}
    number["exclusiveMinimum" if positive else "minimum"] = 0
    return {"anyOf": [number, {"type": "string", "pattern": DURATION_PATTERN}]}


_STEP_REF = "#/definitions/Step"
_STEP_MARK = "x-trainer-step"  # pydantic checks every $ref it sees: the step's is put in after


class _Generator(GenerateJsonSchema):
    """pydantic's generator, writing what the BeforeValidators take rather than what they give."""

    def function_before_schema(
            self, schema: core_schema.BeforeValidatorFunctionSchema) -> JsonSchemaValue:
        function = schema["function"].get("function")
        if function is parse_duration:
            return _duration(positive=False)
        if getattr(function, "__name__", "") == "_bare_id":  # the step: a bare id, or a mapping
            kinds = self.generate_inner(schema["schema"])
            branches: list[JsonSchemaValue] = kinds.get("oneOf") or kinds.get("anyOf") or [kinds]
            return {_STEP_MARK: [_slug(), *branches]}
        return super().function_before_schema(schema)

    def function_after_schema(
            self, schema: core_schema.AfterValidatorFunctionSchema) -> JsonSchemaValue:
        inner = schema["schema"]
        if inner["type"] == "function-before" and \
                inner["function"].get("function") is parse_duration:
            return _duration(positive=True)  # the only check after a duration: longer than zero
        return super().function_after_schema(schema)


def _slug() -> JsonSchemaValue:
    """An id."""
    return {"type": "string", "pattern": SLUG_PATTERN, "minLength": 1, "maxLength": 64}


def library_schema() -> dict[str, Any]:
    """The JSON Schema (draft-07) of a whole library file."""
    generator = _Generator(ref_template="#/definitions/{model}")
    core = _LibraryFile.__pydantic_core_schema__
    raw = generator.generate(core, mode="validation")
    definitions: dict[str, Any] = raw.pop("$defs", {})
    steps: list[Any] = []
    for node in (raw, *definitions.values()):
        _strip(node, steps)
    definitions["Step"] = {
        "description": "A step: a bare exercise id (short for `{exercise: id}`), an exercise "
                       "step, a block, an interval or a rest.",
        "anyOf": steps[0],
    }
    _describe("LibraryFile", raw)
    for name, value in definitions.items():
        _describe(name, value)
    _timing_rules(definitions)
    return {
        "$schema": DRAFT_07,
        "title": "trainer library file",
        "description": "Exercises, routines and programs for trainer (format version 1); see "
                       "docs/format.md. `trainer validate` is the final word.",
        **{k: v for k, v in raw.items() if k not in ("title", "description")},
        "definitions": dict(sorted(definitions.items())),
    }


def _strip(node: Any, steps: list[Any]) -> None:
    """Drop what only pydantic needs (titles, `discriminator`) and defaults that are no value;
    the step's schema goes into `steps`, a $ref to it in its place."""
    if isinstance(node, list):
        for item in node:
            _strip(item, steps)
        return
    if not isinstance(node, dict):
        return
    node.pop("discriminator", None)
    node.pop("title", None)
    if _STEP_MARK in node:
        steps.append(node.pop(_STEP_MARK))
        node["$ref"] = _STEP_REF
    # Leaving such a field out is what these defaults mean, not writing "", null or a mapping.
    default = node.get("default", 0)
    if default in ("", None, []) or isinstance(default, dict):
        del node["default"]
    for key, value in node.items():
        for child in value.values() if key == "properties" else [value]:
            _strip(child, steps)


def _describe(model: str, definition: dict[str, Any]) -> None:
    """Put each field's description and examples on it; a field without them is a bug here."""
    if model in _MODEL_TEXT:
        definition["description"] = _MODEL_TEXT[model]
    for field, prop in definition.get("properties", {}).items():
        text, examples = _FIELDS[f"{model}.{field}"]
        if "$ref" in prop:  # draft-07 ignores whatever sits beside a $ref
            prop["allOf"] = [{"$ref": prop.pop("$ref")}]
        prop["description"] = text
        prop["examples"] = examples


def _given(key: str) -> dict[str, Any]:
    """The key is there, and not null (null is the same as leaving it out)."""
    return {"required": [key], "properties": {key: {"not": {"type": "null"}}}}


def _timing_rules(definitions: dict[str, Any]) -> None:
    """Exactly one timing for an exercise, at most one for a step; tempo goes with reps."""
    timings = ("hold", "duration", "reps")
    pairs = [{"allOf": [_given(a), _given(b)]}
             for i, a in enumerate(timings) for b in timings[i + 1:]]
    definitions["Exercise"]["oneOf"] = [_given(key) for key in timings]
    definitions["Exercise"]["if"] = _given("tempo")
    definitions["Exercise"]["then"] = _given("reps")
    step = definitions["ExerciseStep"]
    step["not"] = {"anyOf": pairs}
    # A step's tempo may go with the exercise's own reps, so only hold and duration refuse it.
    step["if"] = _given("tempo")
    step["then"] = {"not": {"anyOf": [_given("hold"), _given("duration")]}}


_MODEL_TEXT = {
    "Exercise": "One exercise with its default timing and how to do it. " + _TIMING_RULE,
    "ExerciseStep": "An exercise in a routine, optionally overriding its timing. At most one of "
                    "hold, duration or reps; tempo not with hold or duration.",
    "RestStep": "A plain rest, optionally with a line to say.",
    "IntervalStep": "Work/rest rounds; the exercises take turns, one per round.",
    "IntervalSpec": "The rounds of an interval step.",
    "BlockStep": "A named group of steps, optionally repeated (blocks may hold blocks).",
    "Routine": "A routine: its defaults and its steps.",
    "Defaults": "Routine-wide timing defaults; every key is optional.",
    "Program": "A program: stages in order, each asking for routines on so many days a week; "
               "a stage moves on when the last sessions felt fine.",
    "Stage": "A stage of a program: at least `weeks` weeks (none: until ready), then its "
             "move_on rule.",
    "StageRoutine": "A routine a stage asks for: give per_week or days.",
    "MoveOn": "When a stage is done: this many sessions in a row with pain and effort at most "
              "these.",
    "EaseOff": "When the program goes back a stage, or stops getting harder.",
}

_HOLD = "A held position, in seconds: " + _DURATION_TEXT + "."
_DURATION = "Timed work: " + _DURATION_TEXT + "."
_REPS = "Repetitions (1-200): with a tempo the phase is timed, without one it waits for Enter."
_TEMPO = "Seconds a rep, with a tick at each: " + _DURATION_TEXT + "."
_SETS = "Sets (1-20)."
_LEVEL = "beginner (the default), intermediate or advanced."
_SAY = "A line to announce (spoken where a speech engine exists), up to 200 characters."

# "Model.field": (description, examples). Durations show both ways of writing them.
_FIELDS: dict[str, tuple[str, list[Any]]] = {
    "LibraryFile.version": (f"The format version; optional, and if given it must be "
                            f"{FORMAT_VERSION}.", [FORMAT_VERSION]),
    "LibraryFile.exercises": ("A list of exercises.", [[{
        "id": "wall-sit", "name": "Wall sit", "category": "strength", "hold": "30s"}]]),
    "LibraryFile.routines": ("A list of routines.", [[{
        "id": "quick-stretch", "name": "Quick stretch",
        "steps": ["standing-hamstring-stretch", {"exercise": "knee-to-chest", "hold": "20s"}]}]]),
    "Exercise.id": (f"The exercise's id: {_SLUG_TEXT}; unique in the library (your own file "
                    "may replace a built-in id).", ["standing-hamstring-stretch"]),
    "Exercise.name": ("The name shown in lists and on the session screen, up to 80 characters.",
                      ["Standing hamstring stretch"]),
    "Exercise.category": ("stretch, aerobic, strength, mobility or posture.", ["stretch"]),
    "Exercise.level": (_LEVEL, ["beginner"]),
    "Exercise.sides": ("none (the default); each: left, a SWITCH SIDES phase, then right; "
                       "alternate: one phase, alternating sides yourself.", ["each"]),
    "Exercise.hold": (_HOLD + " " + _TIMING_RULE, ["30s", 45, "1:30"]),
    "Exercise.duration": (_DURATION + " " + _TIMING_RULE, ["1m", 90, "1m30s"]),
    "Exercise.reps": (_REPS + " " + _TIMING_RULE, [12]),
    "Exercise.tempo": (_TEMPO + " Only with reps.", ["3s", 2]),
    "Exercise.sets": (_SETS + " 1 if left out.", [3]),
    "Exercise.muscles": ("The muscles it works.", [["hamstrings", "calves"]]),
    "Exercise.equipment": ("What it needs.", [["low step"]]),
    "Exercise.summary": ("One line on what it does, up to 2000 characters.",
                         ["Lengthens the back of the thigh."]),
    "Exercise.instructions": ("How to do it, one item a step.", [[
        "Rest one heel on a low step, knee straight, toes up.",
        "Hinge forward at the hips with a long back until you feel a gentle pull."]]),
    "Exercise.cues": ("Short reminders shown during the exercise.",
                      [["Keep your back long", "Breathe out as you lean"]]),
    "Exercise.safety": ("When to stop, or what to avoid.",
                        ["Stop if you feel tingling or pain shooting down the leg."]),
    "Routine.id": (f"The routine's id: {_SLUG_TEXT}; `trainer run <id>` starts it.",
                   ["back-knee-relief"]),
    "Routine.name": ("The name shown in lists and the title bar, up to 80 characters.",
                     ["Back and knee relief (15 min)"]),
    "Routine.level": (_LEVEL, ["beginner"]),
    "Routine.summary": ("One line on what it is for, up to 2000 characters.",
                        ["Gentle mobility, stretching and strength for the back of the legs."]),
    "Routine.defaults": ("Timing defaults for the whole routine; every key is optional.",
                         [{"get_ready": "10s", "rest": "15s", "set_rest": "30s",
                           "countdown": 3, "announce": True}]),
    "Routine.steps": ("The steps, in order: exercise ids, exercise steps, blocks, intervals "
                      "and rests.", [["standing-hamstring-stretch",
                                      {"exercise": "knee-to-chest", "hold": "20s"},
                                      {"rest": "1m", "say": "Well done."}]]),
    "Defaults.get_ready": ("Before the first exercise (0: none): " + _DURATION_TEXT + ".",
                           ["10s", 0]),
    "Defaults.rest": ("Between steps and between block repeats: " + _DURATION_TEXT + ".",
                      ["15s", 0]),
    "Defaults.set_rest": ("Between sets of one exercise: " + _DURATION_TEXT + ".", ["30s"]),
    "Defaults.switch": ("Between the left and the right side (0: none): " + _DURATION_TEXT
                        + ".", ["5s"]),
    "Defaults.countdown": ("Countdown cues in the last N seconds of a timed phase (0-10).", [3]),
    "Defaults.announce": ("Spoken announcements, where a speech engine exists: true or false.",
                          [True]),
    "ExerciseStep.exercise": ("The id of the exercise to do.", ["knee-to-chest"]),
    "ExerciseStep.hold": (_HOLD + " Replaces the exercise's timing.", ["20s", 30]),
    "ExerciseStep.duration": (_DURATION + " Replaces the exercise's timing.", ["2m", 45]),
    "ExerciseStep.reps": (_REPS + " Replaces the exercise's timing; the exercise's own tempo "
                          "is kept.", [8]),
    "ExerciseStep.tempo": (_TEMPO + " Only with reps, the step's or the exercise's.", ["3s"]),
    "ExerciseStep.sets": (_SETS + " Replaces the exercise's.", [3]),
    "ExerciseStep.set_rest": ("Between this step's sets: " + _DURATION_TEXT + ".", ["45s"]),
    "ExerciseStep.rest": ("After this step, instead of the routine's rest (0: none): "
                          + _DURATION_TEXT + ".", ["30s", 0]),
    "ExerciseStep.say": (_SAY + " Said as the step starts.", ["Warm up gently"]),
    "RestStep.rest": ("How long to rest: " + _DURATION_TEXT + "; longer than zero.",
                      ["1m", 30]),
    "RestStep.say": (_SAY, ["Well done. Time to cool down."]),
    "IntervalStep.interval": ("Work/rest rounds.", [{
        "work": "20s", "rest": "10s", "rounds": 8, "exercises": ["high-knees", "step-jacks"]}]),
    "IntervalSpec.work": ("Each round's work: " + _DURATION_TEXT + "; longer than zero.",
                          ["20s", 30]),
    "IntervalSpec.rest": ("After each round's work (default 0): " + _DURATION_TEXT + ".",
                          ["10s", 0]),
    "IntervalSpec.rounds": ("Rounds of work (1-100).", [8]),
    "IntervalSpec.exercises": ("Exercise ids (1-50) taking turns, one per round.",
                               [["high-knees", "step-jacks"]]),
    "BlockStep.block": ("The block's name, up to 80 characters.", ["Stretch"]),
    "BlockStep.repeat": ("How many times to run the block (1-50, default 1).", [2]),
    "BlockStep.rest_between": ("Between repeats (default: the routine's rest): "
                               + _DURATION_TEXT + ".", ["30s"]),
    "BlockStep.steps": ("The block's steps, like a routine's.", [[
        "standing-hamstring-stretch", {"exercise": "knee-to-chest", "hold": "20s"}]]),
    "LibraryFile.programs": ("A list of programs.", [[{
        "id": "gentle-start", "name": "Gentle start",
        "stages": [{"name": "Week 1", "weeks": 1,
                    "routines": [{"routine": "back-knee-relief", "per_week": 3}]}]}]]),
    "Program.id": (f"The program's id: {_SLUG_TEXT}; `trainer program start <id>` starts it.",
                   ["back-knee-program"]),
    "Program.name": ("The name shown in `trainer today` and the library, up to 80 characters.",
                     ["Back and knee program"]),
    "Program.level": (_LEVEL, ["beginner"]),
    "Program.summary": ("What it is for and who it suits, up to 2000 characters.",
                        ["Six to eight weeks of gentle stretching, strength and walking."]),
    "Program.stages": ("The stages, in order (1-26).", [[{
        "name": "Weeks 1-2: gentle start", "weeks": 2,
        "routines": [{"routine": "hamstring-flexibility", "per_week": 7}]}]]),
    "Program.ease_off": ("When to go back a stage; every key is optional.",
                         [{"pain_rise": 2, "over": 3, "stop_at": 7}]),
    "Stage.name": ("The stage's name, up to 80 characters.", ["Weeks 1-2: gentle start"]),
    "Stage.summary": ("What this stage is for.", ["Stretch daily, strength twice a week."]),
    "Stage.weeks": ("At least this many weeks (1-26); leave it out for a stage that lasts "
                    "until its move_on rule is met.", [2]),
    "Stage.routines": ("The routines this stage asks for (1-12).", [[
        {"routine": "strength-beginner", "per_week": 2},
        {"routine": "flexibility-flow", "days": ["sat"]}]]),
    "Stage.move_on": ("When to move on; every key is optional (after 3, pain at most 3, "
                      "effort at most 6).", [{"after": 3, "pain_at_most": 3,
                                               "effort_at_most": 6}]),
    "StageRoutine.routine": ("The id of the routine.", ["strength-beginner"]),
    "StageRoutine.per_week": ("On this many days a week (1-7; 7 is daily).", [3]),
    "StageRoutine.days": ("On these days: mon, tue, wed, thu, fri, sat, sun.", [["mon", "thu"]]),
    "MoveOn.after": ("Sessions in a row in this stage that felt fine (1-50, default 3).", [3]),
    "MoveOn.pain_at_most": ("The highest pain score (0-10) that counts as fine (default 3).",
                            [3]),
    "MoveOn.effort_at_most": ("The highest effort (RPE 1-10) that counts as fine (default 6).",
                              [6]),
    "EaseOff.pain_rise": ("Pain rising by this much (default 2) over the last check-ins goes "
                          "back a stage.", [2]),
    "EaseOff.over": ("How many of the latest check-ins are compared (2-10, default 3).", [3]),
    "EaseOff.stop_at": ("A pain score this high (default 7) goes back a stage and holds the "
                        "program until you say you are ready.", [7]),
}
