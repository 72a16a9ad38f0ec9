"""The library's rows as the library screen lists them, kept in the cache folder between runs.

`trainer` draws its first frame from the index saved by the last full load (while the
library's files and the trainer's code are as they were: the fingerprint of
trainer.session.fingerprint) and loads and validates the library after it. The index is plain
JSON data, each row checked on the way back in; a bad or foreign file is ignored. Strings in
it came from library files: the screen shows them through `printable`, as it does the library.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainer import paths
from trainer.library.vocabulary import LEVELS

if TYPE_CHECKING:
    from trainer.library.sources import Source
    from trainer.session.catalog import Catalog
    from trainer.session.fingerprint import Key

FORMAT = 1


@dataclass(frozen=True)
class Row:
    """One routine or exercise as listed: what is shown of it and the text the filter searches."""

    id: str
    name: str
    level: str
    origin: str  # the source label: built-in, user, library, ...
    search: str  # id, name, level, summary and more, lower-cased, for the filter
    category: str = ""  # exercises
    seconds: float = 0.0  # routines: the whole session
    mix: str = ""  # routines: categories, most time first ("stretch, strength")


@dataclass(frozen=True)
class LibraryIndex:
    """Routines (gentlest and shortest first) and exercises (by category, then level)."""

    routines: tuple[Row, ...]
    exercises: tuple[Row, ...]
    problems: int


@dataclass(frozen=True)
class IndexedLibrary:
    """A library not loaded yet, with its index for the first frame; calling it loads it."""

    index: LibraryIndex
    load: Callable[[], Catalog]

    def __call__(self) -> Catalog:
        """Load and validate the library."""
        return self.load()


def build(lib: Catalog) -> LibraryIndex:
    """The index of a loaded library (builds every routine's timeline)."""
    # Here, not at the top: loading a saved index (the first frame) needs no timeline code.
    from trainer.session.describe import category_mix

    def origin(kind: str, item_id: str) -> str:
        found = lib.origins.get((kind, item_id))
        return found.source if found is not None else "built-in"

    routines = []
    for r in lib.routines.values():
        timeline = lib.timeline(r.id)
        mix = ", ".join(category_mix(timeline, lib.exercises))
        search = " ".join((r.id, r.name, r.level, r.summary, mix.replace(",", ""))).lower()
        routines.append(Row(r.id, r.name, r.level, origin("routine", r.id), search,
                            seconds=timeline.total, mix=mix))
    # Gentlest and shortest first: "start slowly, increase gradually".
    routines.sort(key=lambda row: (LEVELS.index(row.level), row.seconds))
    exercises = [
        Row(e.id, e.name, e.level, origin("exercise", e.id),
            " ".join((e.id, e.name, e.category, e.level, e.summary, " ".join(e.muscles))).lower(),
            category=e.category)
        for e in lib.exercises.values()]
    exercises.sort(key=lambda row: (row.category, LEVELS.index(row.level)))
    return LibraryIndex(tuple(routines), tuple(exercises), len(lib.problems))


def matching(texts: Sequence[str], query: str) -> list[int]:
    """Where the rows are whose search text holds every word of the query (case-insensitive)."""
    words = query.lower().split()
    if not words:
        return list(range(len(texts)))
    # The first word over every row, each further word only over what is left.
    picked = [i for i, text in enumerate(texts) if words[0] in text]
    for word in words[1:]:
        picked = [i for i in picked if word in texts[i]]
    return picked


_LIBRARY_CODE = Path(__file__).resolve().parent.parent / "library"


def fingerprint(sources: Sequence[Source], now: int | None = None) -> Key | None:
    """The key prepared routines are kept under, and the validator's code (it decides loading)."""
    from trainer.library.sources import file_key
    from trainer.session import fingerprint as files

    key = files.fingerprint(FORMAT, sources, now)
    if key is None:
        return None
    try:
        code = [(path.name, *file_key(path.stat()))
                for path in sorted(_LIBRARY_CODE.glob("*.py"))]
    except OSError:
        return None
    return (*key, *code)


def cache_file(sources: Sequence[Source]) -> Path:
    """Where the index of a library read from these sources is kept (one file per set)."""
    named = repr([(s.label, str(s.path), s.required) for s in sources]).encode()
    return paths.cache_dir() / f"library-{hashlib.sha256(named).hexdigest()[:16]}.json"


def save(key: Key | None, sources: Sequence[Source], index: LibraryIndex) -> bool:
    """Keep the index under the fingerprint taken before the load; False if it cannot be."""
    if key is None:
        return False
    from trainer.session.fingerprint import plain

    return paths.write_cached(cache_file(sources), {
        "format": FORMAT, "key": plain(key), "problems": index.problems,
        "routines": [[r.id, r.name, r.level, r.origin, r.search, r.seconds, r.mix]
                     for r in index.routines],
        "exercises": [[e.id, e.name, e.level, e.origin, e.search, e.category]
                      for e in index.exercises]})


def load(key: Key | None, sources: Sequence[Source]) -> LibraryIndex | None:
    """The index saved under this fingerprint; None if there is none, or it is not ours."""
    if key is None:
        return None
    from trainer.session.fingerprint import plain

    saved = paths.read_cached(cache_file(sources))
    if type(saved) is not dict or saved.keys() != {"format", "key", "problems", "routines",
                                                   "exercises"} \
            or saved["format"] != FORMAT or saved["key"] != plain(key) \
            or type(saved["problems"]) is not int:
        return None
    try:
        routines = tuple(_routine(row) for row in _list(saved["routines"]))
        exercises = tuple(_exercise(row) for row in _list(saved["exercises"]))
    except ValueError:
        return None
    return LibraryIndex(routines, exercises, saved["problems"])


_ROUTINE = (str, str, str, str, str, (int, float), str)
_EXERCISE = (str, str, str, str, str, str)


def _list(value: object) -> list[Any]:
    """The value if it is a list."""
    if type(value) is not list:
        raise ValueError("not a list")
    return value


def _fields(row: object, types: tuple[type | tuple[type, ...], ...]) -> list[Any]:
    """A row's values, if it has exactly these types (a bool is no number here)."""
    if type(row) is not list or len(row) != len(types) or not all(
            type(v) in (t if isinstance(t, tuple) else (t,))
            for v, t in zip(row, types, strict=True)):
        raise ValueError("a row of another form")
    if row[2] not in LEVELS:
        raise ValueError("level")
    return row


def _routine(row: object) -> Row:
    """A routine's row back from its JSON form."""
    rid, name, level, origin, search, seconds, mix = _fields(row, _ROUTINE)
    return Row(rid, name, level, origin, search, seconds=float(seconds), mix=mix)


def _exercise(row: object) -> Row:
    """An exercise's row back from its JSON form."""
    eid, name, level, origin, search, category = _fields(row, _EXERCISE)
    return Row(eid, name, level, origin, search, category=category)
