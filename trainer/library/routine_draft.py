"""A routine being edited, as plain data: steps added, moved, scaled and undone, then checked.

The draft holds the routine the way its file does (a bare id stays a bare id, `30s` stays `30s`),
so saving it through trainer.library.yamledit changes only what was edited. It is checked by the
validator that reads files (loader.read_text), on the YAML text it would be saved as.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from trainer.library.durations import format_duration, parse_duration
from trainer.library.ids import free_id, slug
from trainer.library.model import Exercise, Routine

StepPath = tuple[int, ...]  # indexes into `steps`, through each block's own `steps`
ROUTINE: StepPath = ()  # the path of the routine itself (its own fields)
UNDO_LIMIT = 200
SCALE_STEP = 5.0  # scaled times are rounded to what a person writes: 5 s steps


def step_kind(step: Any) -> str:
    """exercise, block, interval, rest, or unknown."""
    if isinstance(step, str):
        return "exercise"
    if isinstance(step, dict):
        for kind in ("exercise", "block", "interval", "rest"):
            if kind in step:
                return kind
    return "unknown"


@dataclass(frozen=True)
class Node:
    """One line of the steps tree."""

    path: StepPath
    depth: int
    kind: str
    step: Any


@dataclass
class RoutineDraft:
    """A routine as plain data, with undo and redo; every change goes through `_change`."""

    data: dict[str, Any]
    saved: dict[str, Any] = field(default_factory=dict)
    _undo: list[dict[str, Any]] = field(default_factory=list)
    _redo: list[dict[str, Any]] = field(default_factory=list)
    _typing: tuple[StepPath, str] | None = None  # the field the last change typed into

    def __post_init__(self) -> None:
        self.data.setdefault("steps", [])
        self.saved = copy.deepcopy(self.data)

    @classmethod
    def new(cls, name: str, taken: set[str]) -> RoutineDraft:
        """An empty routine with a free id."""
        return cls({"id": free_id(slug(name), taken), "name": name, "steps": []})

    @property
    def dirty(self) -> bool:
        """True if it differs from what was last saved (or loaded)."""
        return self.data != self.saved

    def mark_saved(self) -> None:
        """What is here now is what the file holds."""
        self.saved = copy.deepcopy(self.data)

    # -- reading ------------------------------------------------------------------------------

    def nodes(self) -> Iterator[Node]:
        """Every step, depth first, blocks before their steps."""
        def walk(steps: list[Any], base: StepPath) -> Iterator[Node]:
            for i, step in enumerate(steps):
                path = (*base, i)
                yield Node(path, len(base), step_kind(step), step)
                if step_kind(step) == "block" and isinstance(step.get("steps"), list):
                    yield from walk(step["steps"], path)
        yield from walk(self._steps(), ())

    def step(self, path: StepPath) -> Any:
        """The step at `path`."""
        container, index = self._locate(path)
        return container[index]

    def _steps(self, data: dict[str, Any] | None = None) -> list[Any]:
        steps = (self.data if data is None else data).setdefault("steps", [])
        if not isinstance(steps, list):
            raise TypeError("steps is not a list")
        return steps

    def _locate(self, path: StepPath) -> tuple[list[Any], int]:
        """The list holding the step at `path`, and its index there."""
        container = self._steps()
        for index in path[:-1]:
            block = container[index]
            container = block.setdefault("steps", [])
        return container, path[-1]

    # -- changing -----------------------------------------------------------------------------

    def _change(self, typing: tuple[StepPath, str] | None = None) -> None:
        """Remember the state before a change, for undo; typing into one field is one change."""
        if typing is not None and typing == self._typing:
            return
        self._typing = typing
        self._undo.append(copy.deepcopy(self.data))
        del self._undo[:-UNDO_LIMIT]
        self._redo.clear()

    def undo(self) -> bool:
        """Back one change; False if there is none."""
        self._typing = None
        if not self._undo:
            return False
        self._redo.append(self.data)
        self.data = self._undo.pop()
        return True

    def redo(self) -> bool:
        """Forward one undone change; False if there is none."""
        self._typing = None
        if not self._redo:
            return False
        self._undo.append(self.data)
        self.data = self._redo.pop()
        return True

    def set_field(self, path: StepPath, key: str, value: Any) -> None:
        """Set (or with None, remove) a field of the routine (path ()) or of a step.

        A dotted key reaches into a mapping: `defaults.rest`, `interval.work`. A bare-id step
        given another field becomes a mapping; one left with only its exercise, a bare id again.
        """
        target = self.data if path == ROUTINE else self.step(path)
        current = _get(target, key) if isinstance(target, dict) else (
            target if key == "exercise" else None)
        if current == value:
            return
        # A new routine's id follows its name: typing the name is one change, id and all.
        self._change(typing=(path, "name" if path == ROUTINE and key == "id" else key))
        if path != ROUTINE and isinstance(target, str):
            target = {"exercise": target}
        _put(target, key, value)
        if path != ROUTINE:
            if set(target) == {"exercise"}:
                target = target["exercise"]  # the short form the format allows
            container, index = self._locate(path)
            container[index] = target

    def insert(self, after: StepPath | None, step: Any) -> StepPath:
        """Put a step after `after` (inside it, first, if it is a block); at the end if None."""
        self._change()
        if after is None or after == ROUTINE:
            steps = self._steps()
            steps.append(step)
            return (len(steps) - 1,)
        if step_kind(self.step(after)) == "block":
            self.step(after).setdefault("steps", []).insert(0, step)
            return (*after, 0)
        container, index = self._locate(after)
        container.insert(index + 1, step)
        return (*after[:-1], index + 1)

    def duplicate(self, path: StepPath) -> StepPath:
        """A copy of the step right after it."""
        self._change()
        container, index = self._locate(path)
        container.insert(index + 1, copy.deepcopy(container[index]))
        return (*path[:-1], index + 1)

    def delete(self, path: StepPath) -> StepPath | None:
        """Remove a step; the path of the step now in its place (or before it), if any."""
        self._change()
        container, index = self._locate(path)
        del container[index]
        if container:
            return (*path[:-1], min(index, len(container) - 1))
        return path[:-1] or None

    def move(self, path: StepPath, delta: int) -> StepPath:
        """Move a step up (-1) or down (+1) among its neighbours; its new path."""
        container, index = self._locate(path)
        to = index + delta
        if not 0 <= to < len(container):
            return path
        self._change()
        container[index], container[to] = container[to], container[index]
        return (*path[:-1], to)

    def scale(self, factor: float, exercises: Mapping[str, Exercise],
              path: StepPath = ROUTINE) -> int:
        """Scale every hold, duration, interval work and rep count (of a block, or all).

        Times are rounded to 5 s steps, reps to whole reps, never below one step or rep. A step
        that takes its exercise's own timing gets it written out, scaled. Returns how many
        values changed.
        """
        before = copy.deepcopy(self.data)
        changed = 0
        if path == ROUTINE:
            targets = [n for n in self.nodes()]
        else:
            targets = [n for n in self.nodes() if n.path[:len(path)] == path]
        for node in targets:
            if node.kind == "exercise":
                changed += self._scale_step(node.path, factor, exercises)
            elif node.kind == "interval" and isinstance(node.step.get("interval"), dict):
                spec = node.step["interval"]
                if "work" in spec:
                    new = _scaled_time(spec["work"], factor)
                    if new is not None and new != spec["work"]:
                        spec["work"] = new
                        changed += 1
        if changed:
            self._typing = None
            self._undo.append(before)
            del self._undo[:-UNDO_LIMIT]
            self._redo.clear()
        return changed

    def _scale_step(self, path: StepPath, factor: float,
                    exercises: Mapping[str, Exercise]) -> int:
        """Scale one exercise step's timing in place (no undo entry of its own)."""
        step = self.step(path)
        mapping = {"exercise": step} if isinstance(step, str) else step
        if not isinstance(mapping, dict):
            return 0
        timing = {k: mapping[k] for k in ("hold", "duration", "reps") if k in mapping}
        if not timing:
            exercise = exercises.get(str(mapping.get("exercise")))
            if exercise is None:
                return 0
            for key in ("hold", "duration", "reps"):
                value = getattr(exercise, key)
                if value is not None:
                    timing[key] = format_duration(value) if key != "reps" else value
        changed = 0
        for key, value in timing.items():
            new = _scaled_reps(value, factor) if key == "reps" else _scaled_time(value, factor)
            if new is not None and new != mapping.get(key):
                mapping[key] = new
                changed += 1
        if changed and isinstance(step, str):
            container, index = self._locate(path)
            container[index] = mapping
        return changed

    # -- checking -----------------------------------------------------------------------------

    def model(self) -> Routine | None:
        """The routine as the format reads it, or None while it does not validate."""
        try:
            return Routine.model_validate(self.data)
        except ValueError:
            return None


def _get(target: dict[str, Any], key: str) -> Any:
    for part in key.split(".")[:-1]:
        inner = target.get(part)
        if not isinstance(inner, dict):
            return None
        target = inner
    return target.get(key.split(".")[-1])


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    """Set a (dotted) key; None removes it, and an emptied inner mapping goes too."""
    parts = key.split(".")
    chain = [target]
    for part in parts[:-1]:
        inner = chain[-1].get(part)
        if not isinstance(inner, dict):
            if value is None:
                return
            inner = chain[-1][part] = {}
        chain.append(inner)
    if value is None:
        chain[-1].pop(parts[-1], None)
        for holder, part in zip(reversed(chain[:-1]), reversed(parts[:-1]), strict=True):
            if not holder[part]:
                del holder[part]
    else:
        chain[-1][parts[-1]] = value


def _scaled_time(value: Any, factor: float) -> Any:
    """A duration scaled and rounded to 5 s (at least 5 s), in the form `45s` / `1m30s`."""
    try:
        seconds = parse_duration(value)
    except ValueError:
        return None  # the validator will say what is wrong with it
    # Halves round up (22.5 s is 25 s): rounding to even would make 0.75 x 30 s a 20 s hold.
    scaled = max(SCALE_STEP, math.floor(seconds * factor / SCALE_STEP + 0.5) * SCALE_STEP)
    return format_duration(scaled)


def _scaled_reps(value: Any, factor: float) -> Any:
    """A rep count scaled to whole reps, at least one."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return max(1, math.floor(value * factor + 0.5))


@dataclass(frozen=True)
class DraftProblem:
    """A mistake in a draft: the step (or the routine, path ()), the field, what is wrong."""

    path: StepPath
    key: str  # "name", "defaults.rest", "hold", ...; "" for the step or routine as a whole
    message: str


def check(data: dict[str, Any], exercise_ids: AbstractSet[str],
          taken_ids: AbstractSet[str] = frozenset()) -> list[DraftProblem]:
    """Every problem the file validator finds in the draft, placed on its step and field.

    `exercise_ids` are the exercises steps may name; `taken_ids` routine ids the draft's id must
    not take (other routines in the library; not the one being edited).
    """
    from trainer.library import yamledit

    checked = yamledit.check_item("routines", data)
    doc = checked.doc
    where: dict[tuple[int, int], tuple[Any, ...]] = {}
    if doc is not None:
        for table in (doc.keys, doc.values):  # a value's own path wins over its key's
            for loc, mark in table.items():
                if loc[:2] == ("routines", 0) and len(where.get(mark, ())) <= len(loc):
                    where[mark] = loc
    problems = []
    for p in checked.problems:
        message = f"{p.message} ({p.hint})" if p.hint else p.message
        problems.append(_placed(where.get((p.line, p.col), ("routines", 0)), message))
    draft = RoutineDraft(copy.deepcopy(data))
    for node in draft.nodes():
        refs: list[tuple[str, Any]] = []
        if node.kind == "exercise":
            refs = [("exercise", node.step if isinstance(node.step, str)
                     else node.step.get("exercise"))]
        elif node.kind == "interval" and isinstance(node.step.get("interval"), dict):
            names = node.step["interval"].get("exercises")
            refs = [("interval.exercises", n) for n in names] if isinstance(names, list) else []
        for key, ref in refs:
            if isinstance(ref, str) and ref not in exercise_ids:
                problems.append(DraftProblem(node.path, key, f"unknown exercise '{ref}'"))
    if data.get("id") in taken_ids:
        problems.append(DraftProblem(ROUTINE, "id", f"the id '{data.get('id')}' is already "
                                                    "used by another routine"))
    return problems


def _placed(loc: tuple[Any, ...], message: str) -> DraftProblem:
    """A problem at a document path: ("routines", 0, "steps", 2, "steps", 0, "hold")."""
    rest = list(loc[2:])
    path: list[int] = []
    while len(rest) >= 2 and rest[0] == "steps" and isinstance(rest[1], int):
        path.append(rest[1])
        rest = rest[2:]
    if rest[:1] == ["steps"]:
        rest = rest[1:]
    key = ".".join(str(part) for part in rest if not isinstance(part, int))
    return DraftProblem(tuple(path), key, message)
