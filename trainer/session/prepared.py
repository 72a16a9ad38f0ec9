"""A routine ready to run: its timeline and what the session shows and says about its exercises.

`trainer run` keeps the last few of these in the cache folder, so the next run of an unchanged
routine draws its first frame without importing the validator (pydantic) or reading the
library. A saved one is used only while the trainer's code and every library file are exactly
as they were: same list of files, same size, modification and change times and inode.
Anything else (a corrupt or unreadable cache, a file edited a moment ago) means a full load.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from trainer import __version__, paths
from trainer.library.sources import SETTLE_NS, Source, file_key, library_files
from trainer.session.timeline import Timeline

if TYPE_CHECKING:
    from trainer.session.catalog import Catalog

FORMAT = 1
KEEP = 20  # routines kept in the cache
_PACKAGE = Path(__file__).resolve().parent


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
    timeline = library.timeline(routine_id)
    used = {p.exercise for p in timeline.phases if p.exercise}
    facts = {}
    for exercise_id in sorted(used):
        ex = library.exercises[exercise_id]
        facts[exercise_id] = ExerciseFacts(ex.name, ex.category, tuple(ex.instructions),
                                           tuple(ex.cues), ex.safety)
    return Prepared(timeline, facts)


def cache_file() -> Path:
    """Where prepared routines are kept."""
    return paths.cache_dir() / "routines.pickle"


Key = tuple[Any, ...]


def fingerprint(sources: Sequence[Source], now: int | None = None) -> Key | None:
    """Everything a prepared routine depends on; None while a file is still settling.

    Taken before the library is read, so that a file changed while it is read shows as a change.
    """
    now = time.time_ns() if now is None else now
    parts: list[Any] = [FORMAT, __version__]
    code = sorted(_PACKAGE.glob("*.py"))
    library: list[Path] = []
    for source in sources:
        parts.append((source.label, str(source.path), source.required))
        if source.path.exists():
            library += library_files(source)
    for path in code + library:
        try:
            st = path.stat()
        except OSError:
            return None
        if now - st.st_mtime_ns < SETTLE_NS or now - st.st_ctime_ns < SETTLE_NS:
            return None
        parts.append((str(path), *file_key(st)))
    return tuple(parts)


def _read(path: Path) -> dict[str, tuple[Key, Prepared]]:
    """The saved entries, or none if the file is missing or unreadable."""
    entries = paths.read_cached(path)
    return entries if isinstance(entries, dict) else {}


def load(key: Key | None, routine_id: str) -> Prepared | None:
    """The saved routine if it was saved under this fingerprint (nothing has changed since)."""
    if key is None:
        return None
    entry = _read(cache_file()).get(routine_id)
    if entry is None or entry[0] != key or not isinstance(entry[1], Prepared):
        return None
    return entry[1]


def save(key: Key | None, prepared: Prepared) -> bool:
    """Keep a routine under its fingerprint; False (and nothing written) if it cannot be."""
    if key is None:
        return False
    path = cache_file()
    entries = _read(path)
    entries.pop(prepared.timeline.routine_id, None)
    entries[prepared.timeline.routine_id] = (key, prepared)
    while len(entries) > KEEP:
        entries.pop(next(iter(entries)))
    return paths.write_cached(path, entries)  # if not, the next run loads the library again
