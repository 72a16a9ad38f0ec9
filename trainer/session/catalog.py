"""The loaded library with each routine's timeline, and the check that a routine fits the limits."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from trainer.library.loader import Library, LibraryLoader, exercises_used
from trainer.library.model import Exercise, Routine
from trainer.library.sources import Source, default_sources
from trainer.session.timeline import LimitError, Timeline, build_timeline, check_limits


class _Timelines(Mapping[str, Timeline]):
    """Timelines by routine id, each built the first time it is asked for."""

    def __init__(self, routines: dict[str, Routine],
                 build: Callable[[Routine], Timeline]) -> None:
        self._routines = routines
        self._build = build
        self._built: dict[str, Timeline] = {}

    def __getitem__(self, routine_id: str) -> Timeline:
        timeline = self._built.get(routine_id)
        if timeline is None:
            timeline = self._built[routine_id] = self._build(self._routines[routine_id])
        return timeline

    def __iter__(self) -> Iterator[str]:
        return iter(self._routines)

    def __len__(self) -> int:
        return len(self._routines)


@dataclass
class Catalog(Library):
    """The merged library, every problem found on the way, and each routine's timeline."""

    # Built on first use: a load only checks that each routine fits the limits.
    timelines: Mapping[str, Timeline] = field(default_factory=dict)
    # The loader that made it, to load the library again with unchanged files from its cache.
    loader: CatalogLoader | None = field(default=None, compare=False, repr=False)

    def timeline(self, routine_id: str) -> Timeline:
        """The timeline of a loaded routine."""
        return self.timelines[routine_id]


class CatalogLoader(LibraryLoader):
    """The library loader that also checks each routine's length and serves its timeline."""

    def __init__(self) -> None:
        super().__init__()
        self._timelines: dict[str, tuple[Routine, tuple[Exercise, ...], Timeline]] = {}

    def load(self, sources: Sequence[Source]) -> Catalog:
        """Read every source in order; later sources override earlier ones by id."""
        lib = super().load(sources)
        assert isinstance(lib, Catalog)
        lib.loader = self
        return lib

    def _new(self) -> Catalog:
        return Catalog()

    def _too_big(self, routine: Routine, exercises: Mapping[str, Exercise]
                 ) -> tuple[str, str] | None:
        try:
            check_limits(routine, exercises)
        except LimitError as exc:
            return str(exc), exc.hint
        return None

    def _finish(self, lib: Library) -> None:
        assert isinstance(lib, Catalog)
        exercises = lib.exercises
        lib.timelines = _Timelines(lib.routines, lambda r: self._timeline(r, exercises))

    def _timeline(self, routine: Routine, exercises: dict[str, Exercise]) -> Timeline:
        """The routine's timeline, reused from an earlier load while the routine and every
        exercise it names are the very same objects (they are, when their files are unchanged)."""
        uses = exercises_used(routine, exercises)
        cached = self._timelines.get(routine.id)
        if (cached is not None and cached[0] is routine and len(cached[1]) == len(uses)
                and all(a is b for a, b in zip(cached[1], uses, strict=True))):
            return cached[2]
        timeline = build_timeline(routine, exercises)
        self._timelines[routine.id] = (routine, uses, timeline)
        return timeline


def load_catalog(extra: Sequence[Path] = (), loader: CatalogLoader | None = None) -> Catalog:
    """The default library: built-in, user, TRAINER_LIBRARY and the given folders."""
    return (loader or CatalogLoader()).load(default_sources(extra))
