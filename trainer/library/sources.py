"""Where the library comes from: its folders in order and the YAML files in each.

Kept apart from the validator so that finding the files (to see whether anything changed)
needs neither pydantic nor PyYAML.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from trainer import paths

MAX_FILES = 10_000
SUFFIXES = (".yaml", ".yml")
# A file changed this recently could change again within the same timestamp tick, leaving its
# size and times as they were: caches keyed on `file_key` must not trust it by its key alone.
SETTLE_NS = 3_000_000_000


@dataclass(frozen=True)
class Source:
    """A library folder (or single file) and what to call it."""

    label: str
    path: Path
    required: bool = True


def default_sources(extra: Sequence[Path] = ()) -> list[Source]:
    """Built-in, then the user library, then TRAINER_LIBRARY, then the given folders."""
    sources = [
        Source("built-in", paths.builtin_library_dir()),
        Source("user", paths.user_library_dir(), required=False),
    ]
    sources += [Source("library", p) for p in paths.extra_library_dirs()]
    sources += [Source("library", Path(p)) for p in extra]
    return sources


def library_files(source: Source) -> Iterator[Path]:
    """The YAML files of a source, in a stable order, skipping hidden ones."""
    if source.path.is_file():
        yield source.path
        return
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(source.path):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found += [Path(dirpath, f) for f in filenames
                  if f.endswith(SUFFIXES) and not f.startswith(".")]
        if len(found) > MAX_FILES:
            break
    yield from sorted(found)[:MAX_FILES]


def file_key(st: os.stat_result) -> tuple[int, int, int, int]:
    """What identifies a file's content without reading it: size, times and inode."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
