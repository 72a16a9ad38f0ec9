"""A routine ready to run: its timeline and what the session shows and says about its exercises.

`trainer run` keeps the last few of these in the cache folder, so the next run of an unchanged
routine draws its first frame without importing the validator (pydantic) or reading the
library. A saved one is used only while the trainer's code and every library file are exactly
as they were: same list of files, same size, modification and change times and inode.
Anything else (a corrupt or unreadable cache, a file edited a moment ago) means a full load.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, get_args, get_type_hints

from trainer import paths
from trainer.session import fingerprint as _fingerprint
from trainer.session.fingerprint import Key
from trainer.session.fingerprint import plain as _plain
from trainer.session.timeline import MAX_PHASES, Cue, Phase, PhaseKind, Timeline

if TYPE_CHECKING:
    from trainer.library.model import Exercise
    from trainer.library.sources import Source
    from trainer.session.catalog import Catalog

__all__ = ["Key", "Prepared", "fingerprint", "load", "prepare", "save"]

FORMAT = 2  # of the saved routines; 2: JSON, no longer a pickle
KEEP = 20  # routines kept in the cache


class ExerciseInfo(Protocol):
    """What a session needs of an exercise (a library `Exercise` or saved `ExerciseFacts`)."""

    @property
    def name(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def instructions(self) -> Sequence[str]: ...
    @property
    def cues(self) -> Sequence[str]: ...
    @property
    def safety(self) -> str: ...


@dataclass(frozen=True)
class ExerciseFacts:
    """An exercise as a session shows and says it, in plain data."""

    name: str
    category: str
    instructions: tuple[str, ...]
    cues: tuple[str, ...]
    safety: str


@dataclass(frozen=True)
class Prepared:
    """A routine's timeline and its exercises, everything a session screen needs."""

    timeline: Timeline
    exercises: Mapping[str, ExerciseInfo]


def prepare(library: Catalog, routine_id: str) -> Prepared:
    """The routine from a loaded library, its exercises reduced to plain facts."""
    return prepare_timeline(library.timeline(routine_id), library.exercises)


def prepare_timeline(timeline: Timeline, exercises: Mapping[str, Exercise]) -> Prepared:
    """A timeline (say, of a routine still being edited) with its exercises' plain facts."""
    used = {p.exercise for p in timeline.phases if p.exercise}
    facts = {}
    for exercise_id in sorted(used):
        ex = exercises[exercise_id]
        facts[exercise_id] = ExerciseFacts(ex.name, ex.category, tuple(ex.instructions),
                                           tuple(ex.cues), ex.safety)
    return Prepared(timeline, facts)


def cache_file() -> Path:
    """Where prepared routines are kept."""
    return paths.cache_dir() / "routines.json"


def fingerprint(sources: Sequence[Source], now: int | None = None) -> Key | None:
    """Everything a prepared routine depends on; None while a file is still settling."""
    return _fingerprint.fingerprint(FORMAT, sources, now)


def load(key: Key | None, routine_id: str) -> Prepared | None:
    """The saved routine if it was saved under this fingerprint (nothing has changed since)."""
    if key is None:
        return None
    entry = _read(cache_file()).get(routine_id)
    if not isinstance(entry, dict) or entry.get("key") != _plain(key):
        return None
    try:
        return _from_json(entry, routine_id)
    except Invalid:  # not as this code writes it: as good as none, and replaced on the next save
        return None


def save(key: Key | None, prepared: Prepared) -> bool:
    """Keep a routine under its fingerprint; False (and nothing written) if it cannot be."""
    if key is None:
        return False
    path = cache_file()
    entries = _read(path)
    routine_id = prepared.timeline.routine_id
    entries.pop(routine_id, None)
    entries[routine_id] = {"key": _plain(key), **to_json(prepared)}
    while len(entries) > KEEP:
        entries.pop(next(iter(entries)))
    # If it cannot be written, the next run loads the library again.
    return paths.write_cached(path, {"format": FORMAT, "routines": entries})


def _read(path: Path) -> dict[str, Any]:
    """The saved entries by routine id; none if the file is missing, unreadable or not ours."""
    saved = paths.read_cached(path)
    if not isinstance(saved, dict) or set(saved) != {"format", "routines"} \
            or saved["format"] != FORMAT or not isinstance(saved["routines"], dict):
        return {}
    return saved["routines"]


# -- the JSON form ---------------------------------------------------------------------------
#
# {"timeline": {"routine_id", "routine_name", "countdown", "announce",
#               "fields": the Phase fields in order, ending with "cues",
#               "phases": [[a value per field; cues as [[at, kind, value], ...]], ...]},
#  "exercises": {id: {"name", "category", "instructions": [...], "cues": [...], "safety"}}}
#
# Phases are rows under one list of field names: half the size of an object per phase, and
# quicker to read back. Reading back checks every key and type, and that the fields are this
# code's: the file sits in a folder others could write to, and it is data, never code.


class Invalid(ValueError):
    """A saved routine that is not in the form `to_json` writes."""


def _strings(hint: Any) -> frozenset[str]:
    """The strings a Literal, or an optional one, allows."""
    return frozenset(a for arg in get_args(hint) for a in get_args(arg) or (arg,)
                     if isinstance(a, str))


_PHASE_KINDS = _strings(PhaseKind)
_SIDES = _strings(get_type_hints(Phase)["side"])
_CUE_KINDS = _strings(get_type_hints(Cue)["kind"])
# The types each Phase field may hold: a float field may hold an int too, never a bool.
_NUMBER = frozenset({int, float})
_INT, _TEXT = frozenset({int}), frozenset({str})
_NUMBER_OR_NONE, _INT_OR_NONE, _TEXT_OR_NONE = (t | {type(None)} for t in (_NUMBER, _INT, _TEXT))
_PHASE_TYPES: dict[str, frozenset[type]] = {
    "index": _INT, "kind": _TEXT, "start": _NUMBER, "duration": _NUMBER_OR_NONE,
    "estimate": _NUMBER, "title": _TEXT, "exercise": _TEXT_OR_NONE, "block": _TEXT_OR_NONE,
    "set": _INT_OR_NONE, "sets": _INT_OR_NONE, "round": _INT_OR_NONE, "rounds": _INT_OR_NONE,
    "side": _TEXT_OR_NONE, "reps": _INT_OR_NONE, "tempo": _NUMBER_OR_NONE, "say": _TEXT_OR_NONE,
}
# In the dataclass's order, so that a row is Phase's positional arguments (a field added to
# Phase without a type above fails here, at import).
_PHASE_FIELDS = tuple(f.name for f in fields(Phase) if f.name != "cues")
_PHASE_CHECKS = tuple(_PHASE_TYPES[name] for name in _PHASE_FIELDS)
_FIELDS_JSON = [*_PHASE_FIELDS, "cues"]
_KIND, _SIDE, _INDEX = (_PHASE_FIELDS.index(name) for name in ("kind", "side", "index"))
_CueKey = tuple[tuple[object, ...], ...]


def to_json(prepared: Prepared) -> dict[str, Any]:
    """The routine's timeline and exercise facts as plain JSON data."""
    t = prepared.timeline
    phases = [[*(getattr(phase, name) for name in _PHASE_FIELDS),
               [[c.at, c.kind, c.value] for c in phase.cues]] for phase in t.phases]
    exercises = {
        exercise_id: {"name": ex.name, "category": ex.category,
                      "instructions": list(ex.instructions), "cues": list(ex.cues),
                      "safety": ex.safety}
        for exercise_id, ex in prepared.exercises.items()
    }
    return {"timeline": {"routine_id": t.routine_id, "routine_name": t.routine_name,
                         "countdown": t.countdown, "announce": t.announce,
                         "fields": _FIELDS_JSON, "phases": phases},
            "exercises": exercises}


def from_json(data: object, routine_id: str) -> Prepared:
    """A routine back from `to_json`'s form; raises Invalid unless it is exactly that form."""
    if not isinstance(data, dict):
        raise Invalid("not an object")
    return _from_json(data, routine_id)


def _from_json(data: dict[str, Any], routine_id: str) -> Prepared:
    """from_json, for an entry that may hold its key as well."""
    _keys(data, {"timeline", "exercises"}, {"key"})
    t = data["timeline"]
    _keys(t, {"routine_id", "routine_name", "countdown", "announce", "fields", "phases"})
    if t["routine_id"] != routine_id or t["fields"] != _FIELDS_JSON:
        raise Invalid("another routine, or phases of another form")
    _check(t["routine_name"], str)
    _check(t["countdown"], int)
    _check(t["announce"], bool)
    rows = t["phases"]
    if type(rows) is not list or not 0 < len(rows) <= MAX_PHASES:
        raise Invalid("phases")
    seen: dict[_CueKey, tuple[Cue, ...]] = {}
    phases = tuple(_phase(row, index, seen) for index, row in enumerate(rows))
    exercises = data["exercises"]
    if type(exercises) is not dict:
        raise Invalid("exercises")
    facts = {_check(exercise_id, str): _facts(ex) for exercise_id, ex in exercises.items()}
    if any(p.exercise is not None and p.exercise not in facts for p in phases):
        raise Invalid("a phase's exercise is missing")
    return Prepared(Timeline(routine_id, t["routine_name"], phases, t["countdown"],
                             t["announce"]), facts)


def _phase(row: object, index: int, seen: dict[_CueKey, tuple[Cue, ...]]) -> Phase:
    """One phase back from its row; `seen` shares equal cue tuples, as timelines do."""
    if type(row) is not list or len(row) != len(_FIELDS_JSON):
        raise Invalid("a phase row of the wrong length")
    # Each value's type among its field's (map stops at the shorter: cues are checked below).
    if not all(map(frozenset.__contains__, _PHASE_CHECKS, map(type, row))):
        raise Invalid("a phase value of the wrong type")
    side = row[_SIDE]
    if row[_INDEX] != index or row[_KIND] not in _PHASE_KINDS \
            or (side is not None and side not in _SIDES):
        raise Invalid("phase index, kind or side")
    raw = row[-1]
    if type(raw) is not list:
        raise Invalid("cues")
    try:
        key = tuple(map(tuple, raw))
    except TypeError:
        raise Invalid("cues") from None
    cues = seen.get(key)
    if cues is None:
        cues = seen[key] = tuple(_cue(c) for c in key)
    return Phase(*[*row[:-1], cues])


def _cue(data: tuple[object, ...]) -> Cue:
    """One cue back from its [at, kind, value] form."""
    if len(data) != 3:
        raise Invalid("cue")
    at, kind, value = data
    if type(at) not in _NUMBER or type(kind) is not str or kind not in _CUE_KINDS \
            or type(value) is not int:
        raise Invalid("cue")
    return Cue(at, kind, value)  # type: ignore[arg-type]  # kind: checked against the Literal


def _facts(data: object) -> ExerciseFacts:
    """An exercise's facts back from their JSON form."""
    _keys(data, {"name", "category", "instructions", "cues", "safety"})
    assert isinstance(data, dict)
    lists = []
    for name in ("instructions", "cues"):
        items = data[name]
        if type(items) is not list or not all(type(item) is str for item in items):
            raise Invalid(name)
        lists.append(tuple(items))
    return ExerciseFacts(_check(data["name"], str), _check(data["category"], str), lists[0],
                         lists[1], _check(data["safety"], str))


def _keys(data: object, required: Set[str], optional: Set[str] = frozenset()) -> None:
    """Raise Invalid unless `data` is an object with the required keys and no others."""
    if type(data) is not dict or not required <= data.keys() <= required | optional:
        raise Invalid(f"expected the keys {sorted(required)}")


def _check(value: Any, kind: type) -> Any:
    """The value if it is exactly of this type (a bool is not an int here)."""
    if type(value) is not kind:
        raise Invalid(f"expected {kind.__name__}, got {value!r}")
    return value
