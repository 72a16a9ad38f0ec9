"""Find, read and validate library YAML files; merge built-in, user and extra libraries."""

from __future__ import annotations

import hashlib
import os
import re
import stat
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from trainer.library.model import (
    FORMAT_VERSION,
    SLUG_PATTERN,
    BlockStep,
    Exercise,
    ExerciseStep,
    IntervalStep,
    MoveOn,
    Program,
    Routine,
    Stage,
    StageRoutine,
    Step,
)
from trainer.library.problems import Problem, describe, did_you_mean, shorten, show_value
from trainer.library.sources import SETTLE_NS, Source, file_key, not_regular, reason, scan
from trainer.library.yamlnodes import Document, Path_, YamlError, load

M = TypeVar("M", bound=BaseModel)
_SLUG = re.compile(SLUG_PATTERN)
MAX_FILE_BYTES = 1024 * 1024
# A pipe is refused before it is opened; O_NONBLOCK makes sure that one swapped in after the
# check cannot block the open, and O_NOFOLLOW that a symlink swapped in is not followed.
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
TOP_KEYS = ("version", "exercises", "routines", "programs")
TIMING_KEYS = ("hold", "duration", "reps")
KNOWN_KEYS = sorted(
    {name for model in (Exercise, Routine, ExerciseStep, BlockStep, IntervalStep, Program,
                        Stage, StageRoutine, MoveOn)
     for name in model.model_fields}
    | {"work", "rounds", "exercises", "rest", "get_ready", "set_rest", "switch", "countdown",
       "announce", *TOP_KEYS}
)


@dataclass(frozen=True)
class Origin:
    """Where an exercise or routine was defined."""

    path: str
    line: int
    col: int
    source: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass
class _RoutineEntry:
    """A routine that passed its own file's checks, with what is needed to report on it later."""

    routine: Routine
    origin: Origin
    doc: Document
    base: Path_


@dataclass
class _FileResult:
    """Everything one file contributes."""

    exercises: list[tuple[Exercise, Origin]] = field(default_factory=list)
    routines: list[_RoutineEntry] = field(default_factory=list)
    broken_exercises: set[str] = field(default_factory=set)
    broken_routines: dict[str, Origin] = field(default_factory=dict)
    # Exercise ids named by routines that failed their own checks, still worth checking.
    loose_refs: list[tuple[str, Origin]] = field(default_factory=list)
    programs: list[_ProgramEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class _ProgramEntry:
    """A program that passed its own file's checks; its routines are checked once all are read."""

    program: Program
    origin: Origin
    doc: Document
    base: Path_
    ok: bool = True  # False: its own checks failed (said); its routines are still checked


@dataclass
class Library:
    """The merged library: what loaded, and every problem found on the way."""

    exercises: dict[str, Exercise] = field(default_factory=dict)
    routines: dict[str, Routine] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    origins: dict[tuple[str, str], Origin] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    # Routines that are written but cannot run (their problems are in `problems`): where each is.
    broken_routines: dict[str, Origin] = field(default_factory=dict)
    programs: dict[str, Program] = field(default_factory=dict)


class LibraryLoader:
    """Loads libraries, re-reading only files whose size, times or inode changed."""

    # The format alone: whether a routine is too long to run is the timeline's to say, so the
    # session layer's CatalogLoader (what the app and the commands use) adds that check and the
    # timelines through the hooks _new, _too_big and _finish.

    def __init__(self) -> None:
        self._cache: dict[str, tuple[tuple[int, ...], str | None, _FileResult]] = {}

    def _new(self) -> Library:
        """An empty library to load into."""
        return Library()

    def _too_big(self, routine: Routine, exercises: Mapping[str, Exercise]
                 ) -> tuple[str, str] | None:
        """Why a routine is too big to run (message, hint), or None."""
        return None

    def _finish(self, lib: Library) -> None:
        """Anything to add once every routine is checked."""

    def load(self, sources: Sequence[Source]) -> Library:
        """Read every source in order; later sources override earlier ones by id."""
        lib = self._new()
        broken: set[str] = set()
        entries: dict[str, _RoutineEntry] = {}
        programs: dict[str, _ProgramEntry] = {}
        loose_refs: list[tuple[str, Origin]] = []
        for source in sources:
            found = scan(source)
            lib.problems += found.problems
            seen: dict[tuple[str, str], Origin] = {}
            for path in found.files:
                result = self._read(path, found.real(path), source.label)
                lib.files.append(str(path))
                lib.problems += result.problems
                broken |= result.broken_exercises
                lib.broken_routines.update(result.broken_routines)
                loose_refs += result.loose_refs
                for exercise, origin in result.exercises:
                    if self._claim(lib, seen, "exercise", exercise.id, origin):
                        lib.exercises[exercise.id] = exercise
                        broken.discard(exercise.id)
                for entry in result.routines:
                    if self._claim(lib, seen, "routine", entry.routine.id, entry.origin):
                        entries[entry.routine.id] = entry
                for plan in result.programs:
                    if self._claim(lib, seen, "program", plan.program.id, plan.origin):
                        programs[plan.program.id] = plan
        for routine_id, entry in entries.items():
            problems = list(_check_references(entry, lib.exercises, broken))
            if not problems:
                too_big = self._too_big(entry.routine, lib.exercises)
                if too_big is not None:
                    o = entry.origin
                    problems.append(Problem(o.path, o.line, o.col, *too_big))
            if problems:
                lib.problems += problems
                lib.broken_routines[routine_id] = entry.origin
                continue
            lib.routines[routine_id] = entry.routine
            lib.broken_routines.pop(routine_id, None)
        for program_id, plan in programs.items():
            problems = list(_check_stage_routines(plan, lib.routines, lib.broken_routines))
            lib.problems += problems
            if plan.ok and not problems:
                lib.programs[program_id] = plan.program
        for ref, o in loose_refs:
            # A ref that is no id at all already has its own problem, at the same place.
            if ref not in lib.exercises and ref not in broken and _SLUG.match(ref):
                lib.problems.append(Problem(o.path, o.line, o.col,
                                            f"unknown exercise '{shorten(ref)}'",
                                            did_you_mean(ref, lib.exercises)))
        self._finish(lib)
        lib.problems.sort()
        return lib

    @staticmethod
    def _claim(lib: Library, seen: dict[tuple[str, str], Origin], kind: str, item_id: str,
               origin: Origin) -> bool:
        """Record an id for this source; False (and a problem) if the source defined it twice."""
        key = (kind, item_id)
        if key in seen:
            lib.problems.append(Problem(origin.path, origin.line, origin.col,
                                        f"duplicate {kind} id '{item_id}'",
                                        f"first defined at {seen[key]}"))
            return False
        previous = lib.origins.get(key)
        if previous is not None:
            lib.notes.append(f"{origin}: {origin.source} {kind} '{item_id}' overrides the "
                             f"{previous.source} one at {previous}")
        seen[key] = origin
        lib.origins[key] = origin
        return True

    def _read(self, path: Path, real: Path, label: str) -> _FileResult:
        """One file's result (read at `real`), from the cache when the file is unchanged."""
        name = str(path)
        try:
            st = os.lstat(real)
        except OSError as exc:
            return _FileResult(problems=[Problem(name, 1, 1, f"cannot read: {reason(exc)}")])
        if not stat.S_ISREG(st.st_mode):  # changed since the folder was listed
            return _FileResult(problems=[Problem(name, 1, 1, not_regular(st.st_mode))])
        key = file_key(st)
        cached = self._cache.get(name)
        if cached and cached[0] == key:
            digest = cached[1]
            if digest is None:
                return cached[2]
            # A file written in the same instant as it was cached could change without its
            # size or times changing; for those, compare the content itself.
            data = _read_bytes(real)
            if isinstance(data, bytes) and hashlib.blake2b(data).hexdigest() == digest:
                return cached[2]
        data = _read_bytes(real)
        if isinstance(data, str):
            return _FileResult(problems=[Problem(name, 1, 1, data)])
        result = read_text(name, data, label)
        racy = time.time_ns() - st.st_mtime_ns < SETTLE_NS
        self._cache[name] = (key, hashlib.blake2b(data).hexdigest() if racy else None, result)
        return result


def _read_bytes(path: Path) -> bytes | str:
    """The file's bytes (at most one byte over the limit), or why they cannot be read."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        return f"cannot read: {reason(exc)}"
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            return not_regular(mode)
        with open(fd, "rb", closefd=False) as handle:
            return handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return f"cannot read: {reason(exc)}"
    finally:
        os.close(fd)


def read_text(name: str, data: bytes, label: str = "library") -> _FileResult:
    """Validate one file's content; every problem is collected, good items are kept."""
    result = _FileResult()
    # Where a value was refused while reading: anything else said about the same spot (the
    # field's own "expected ..." for the stand-in) would only repeat it.
    refused: set[tuple[int, int]] = set()

    def problem(line: int, col: int, message: str, hint: str = "") -> None:
        if (line, col) not in refused:
            result.problems.append(Problem(name, line, col, message, hint))

    if len(data) > MAX_FILE_BYTES:
        problem(1, 1, f"file is larger than {MAX_FILE_BYTES // 1024} KiB")
        return result
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problem(line, 1, "not UTF-8 text")
        return result
    try:
        doc = load(text)
    except YamlError as exc:
        problem(exc.line, exc.col, exc.message, exc.hint)
        return result
    for line, col, message, hint in doc.refused:
        result.problems.append(Problem(name, line, col, message, hint))
        refused.add((line, col))
    if doc.data is None:
        return result
    if not isinstance(doc.data, dict):
        problem(1, 1, "expected a mapping with 'exercises', 'routines' and/or 'programs'")
        return result
    for key in doc.data:
        if key not in TOP_KEYS:
            problem(*doc.mark((key,), key=True), f"unknown key '{shorten(key)}'",
                    did_you_mean(key, TOP_KEYS))
    version = doc.data.get("version", FORMAT_VERSION)
    if version != FORMAT_VERSION or isinstance(version, bool):
        problem(*doc.mark(("version",)), f"unsupported format version {show_value(version)}",
                f"this trainer reads version {FORMAT_VERSION}")
        return result
    for index, item in enumerate(_items(doc, "exercises", problem)):
        base = ("exercises", index)
        exercise = _validate(Exercise, item, doc, base, problem)
        if exercise is not None and _timing_ok(exercise, doc, base, problem, exercise=True):
            result.exercises.append((exercise, Origin(name, *doc.mark(base), label)))
        elif isinstance(item, dict) and isinstance(item.get("id"), str):
            result.broken_exercises.add(item["id"])
    for index, item in enumerate(_items(doc, "routines", problem)):
        base = ("routines", index)
        routine = _validate(Routine, item, doc, base, problem)
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            # Until it passes every check below; taken back out once it does.
            result.broken_routines[item["id"]] = Origin(name, *doc.mark(base), label)
        if routine is None:
            result.loose_refs += [(ref, Origin(name, *doc.mark(loc), label))
                                  for ref, loc in _raw_refs(item, (*base, "steps"))]
        if routine is not None and all(
            _timing_ok(step, doc, loc, problem, exercise=False)
            for step, loc in _walk(routine.steps, (*base, "steps"))
            if isinstance(step, ExerciseStep)
        ):
            result.routines.append(
                _RoutineEntry(routine, Origin(name, *doc.mark(base), label), doc, base)
            )
            result.broken_routines.pop(routine.id, None)
    for index, item in enumerate(_items(doc, "programs", problem)):
        base = ("programs", index)
        program = _validate(Program, item, doc, base, problem)
        if program is not None:
            ok = _stages_ok(program, doc, base, problem)
            result.programs.append(
                _ProgramEntry(program, Origin(name, *doc.mark(base), label), doc, base, ok))
    return result


def _stages_ok(program: Program, doc: Document, base: Path_, problem: Any) -> bool:
    """Each stage routine says how often (per_week or days, not both); no routine twice."""
    ok = True
    for s, stage in enumerate(program.stages):
        seen: set[str] = set()
        for r, wanted in enumerate(stage.routines):
            loc = (*base, "stages", s, "routines", r)
            if (wanted.per_week is None) == (wanted.days is None):
                both = wanted.per_week is not None
                problem(*doc.mark((*loc, "days") if both else loc, key=both),
                        "give per_week or days, not both" if both else
                        f"how often? give per_week (1-7) or days for '{wanted.routine}'",
                        "" if both else "e.g. {routine: " + wanted.routine + ", per_week: 3}")
                ok = False
            elif wanted.days is not None and len(set(wanted.days)) != len(wanted.days):
                problem(*doc.mark((*loc, "days")), "a day is named twice")
                ok = False
            if wanted.routine in seen:
                problem(*doc.mark((*loc, "routine")),
                        f"routine '{wanted.routine}' is named twice in this stage",
                        "give it once, with how often")
                ok = False
            seen.add(wanted.routine)
    return ok


def _check_stage_routines(plan: _ProgramEntry, routines: Mapping[str, Routine],
                          broken: Mapping[str, Origin]) -> Iterator[Problem]:
    """Problems with the routines a program's stages name."""
    doc, path = plan.doc, plan.origin.path
    for s, stage in enumerate(plan.program.stages):
        for r, wanted in enumerate(stage.routines):
            if wanted.routine in routines:
                continue
            line, col = doc.mark((*plan.base, "stages", s, "routines", r, "routine"))
            if wanted.routine in broken:
                yield Problem(path, line, col, f"routine '{wanted.routine}' has problems",
                              f"see its own problems (at {broken[wanted.routine]})")
            else:
                yield Problem(path, line, col, f"unknown routine '{shorten(wanted.routine)}'",
                              did_you_mean(wanted.routine, routines))


def _raw_refs(item: Any, loc: Path_) -> Iterator[tuple[str, Path_]]:
    """Exercise ids in an unvalidated routine's steps, as far as their shape allows."""
    steps = item.get("steps") if isinstance(item, dict) and loc[-1] == "steps" else item
    if not isinstance(steps, list):
        return
    for index, step in enumerate(steps):
        here = (*loc, index)
        if isinstance(step, str):
            yield step, here
        elif not isinstance(step, dict):
            continue
        elif isinstance(step.get("exercise"), str):
            yield step["exercise"], (*here, "exercise")
        elif isinstance(step.get("steps"), list):
            yield from _raw_refs(step["steps"], (*here, "steps"))
        elif isinstance(step.get("interval"), dict):
            ids = step["interval"].get("exercises")
            for n, ref in enumerate(ids if isinstance(ids, list) else []):
                if isinstance(ref, str):
                    yield ref, (*here, "interval", "exercises", n)


def _items(doc: Document, key: str, problem: Any) -> list[Any]:
    """The list under a top-level key, or nothing (with a problem if it is not a list)."""
    items = doc.data.get(key, [])
    if isinstance(items, list):
        return items
    problem(*doc.mark((key,)), f"'{key}' must be a list")
    return []


def _validate(model: type[M], item: Any, doc: Document, base: Path_,
                            problem: Any) -> M | None:
    """The model, or None after reporting every error in it."""
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        inner = {error["loc"][:n] for error in errors for n in range(len(error["loc"]))}
        for error in errors:
            if error["type"] == "too_short" and error["loc"] in inner:
                continue  # a list whose items failed counts as empty: said by the items
            loc = base + tuple(p for p in error["loc"] if not str(p).startswith("<"))
            message, hint = describe(error, KNOWN_KEYS)
            problem(*doc.mark(loc, key=error["type"] == "extra_forbidden"), message, hint)
        return None


def _timing_ok(item: Exercise | ExerciseStep, doc: Document, base: Path_, problem: Any, *,
               exercise: bool) -> bool:
    """One timing at most (exactly one for an exercise); tempo only with reps."""
    given = [key for key in TIMING_KEYS if getattr(item, key) is not None]
    if len(given) > 1:
        problem(*doc.mark((*base, given[1]), key=True),
                f"contradictory timing: both {given[0]} and {given[1]}",
                "give one of hold, duration or reps")
        return False
    if exercise and not given:
        problem(*doc.mark(base), f"exercise '{item.id}' has no timing",  # type: ignore[union-attr]
                "give one of hold, duration or reps (with an optional tempo)")
        return False
    if item.tempo is not None and given and given[0] != "reps":
        problem(*doc.mark((*base, "tempo"), key=True), f"tempo goes with reps, not {given[0]}")
        return False
    return True


def _walk(steps: Sequence[Step], loc: Path_) -> Iterator[tuple[Step, Path_]]:
    """Every step with its location, depth first."""
    for index, step in enumerate(steps):
        here = (*loc, index)
        yield step, here
        if isinstance(step, BlockStep):
            yield from _walk(step.steps, (*here, "steps"))


def _check_references(entry: _RoutineEntry, exercises: dict[str, Exercise],
                      broken: set[str]) -> Iterator[Problem]:
    """Problems with the exercises a routine names."""
    doc, path = entry.doc, entry.origin.path

    def check(exercise_id: str, loc: Path_) -> Iterator[Problem]:
        if exercise_id in exercises:
            return
        line, col = doc.mark(loc)
        if exercise_id in broken:
            yield Problem(path, line, col, f"exercise '{exercise_id}' has problems",
                          "see its own problems")
        else:
            yield Problem(path, line, col, f"unknown exercise '{exercise_id}'",
                          did_you_mean(exercise_id, exercises))

    for step, loc in _walk(entry.routine.steps, (*entry.base, "steps")):
        if isinstance(step, ExerciseStep):
            found = exercises.get(step.exercise)
            yield from check(step.exercise, (*loc, "exercise"))
            if found and step.tempo is not None and step.reps is None and found.reps is None:
                line, col = doc.mark((*loc, "tempo"), key=True)
                yield Problem(path, line, col, "tempo goes with reps",
                              f"'{step.exercise}' is timed by {_timing_of(found)}")
        elif isinstance(step, IntervalStep):
            for index, exercise_id in enumerate(step.interval.exercises):
                yield from check(exercise_id, (*loc, "interval", "exercises", index))


def _timing_of(exercise: Exercise) -> str:
    """Which timing key an exercise uses."""
    return next(key for key in TIMING_KEYS if getattr(exercise, key) is not None)
def exercises_used(routine: Routine, exercises: dict[str, Exercise]) -> tuple[Exercise, ...]:
    """Every exercise a routine names, in order (all known: its references were checked)."""
    used: list[Exercise] = []
    for step, _ in _walk(routine.steps, ()):
        if isinstance(step, ExerciseStep):
            used.append(exercises[step.exercise])
        elif isinstance(step, IntervalStep):
            used += [exercises[exercise_id] for exercise_id in step.interval.exercises]
    return tuple(used)
