"""Where the library comes from: its folders in order and the YAML files in each.

Kept apart from the validator so that finding the files (to see whether anything changed)
needs neither pydantic nor PyYAML.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from trainer import paths

if TYPE_CHECKING:
    from trainer.library.problems import Problem

MAX_FILES = 10_000
# Entries (files and folders) looked at in one source before giving up: a library folder set to
# a home directory or a disk's root is reported in a moment, not walked for minutes.
MAX_ENTRIES = 200_000
SUFFIXES = (".yaml", ".yml")
_PATH_LIMIT = 200  # characters of a symlink's target quoted in a problem
# A file changed this recently could change again within the same timestamp tick, leaving its
# size and times as they were: caches keyed on `file_key` must not trust it by its key alone.
SETTLE_NS = 3_000_000_000
_KINDS = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISDIR, "a folder"), (stat.S_ISLNK, "a symlink"))


@dataclass(frozen=True)
class Source:
    """A library folder (or single file) and what to call it."""

    label: str
    path: Path
    required: bool = True


class Scan:
    """What one source holds: the files to read, in order, and what was refused on the way."""

    # A plain class, not a dataclass: this module is on the start-up path of `trainer run`.
    def __init__(self) -> None:
        self.files: list[Path] = []
        # The real file behind each followed symlink (by the path it is listed under).
        self.targets: dict[Path, Path] = {}
        self.problems: list[Problem] = []

    def real(self, path: Path) -> Path:
        """Where a listed file is read from."""
        return self.targets.get(path, path)

    def refuse(self, path: Path | str, message: str, hint: str = "") -> None:
        """Report a file or folder that is not read, at its line 1, column 1."""
        from trainer.library.problems import Problem  # only when something is refused

        self.problems.append(Problem(str(path), 1, 1, message, hint))


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
    """The YAML files of a source that will be read, in a stable order."""
    yield from scan(source).files


def not_regular(mode: int) -> str:
    """The problem with a library file that is not a regular file."""
    kind = next((name for test, name in _KINDS if test(mode)), "not a file")
    return f"not a regular file ({kind}), not read"


def reason(exc: OSError) -> str:
    """Why a file or folder could not be opened, in the OS's words."""
    if exc.errno == errno.ELOOP:
        return "symlink loop, or a symlink where none may be"
    return exc.strerror or str(exc)


def scan(source: Source) -> Scan:
    """The files of a source (regular, not hidden `*.yaml`/`*.yml`) and what was refused."""
    # Only regular files are read; a named pipe, device or socket is reported, never opened (a
    # pipe would block the reader forever). A symlink is followed only when its target lies
    # inside the library folder, and a file reached twice that way is read once; a symlink out
    # of the folder, a loop and a dangling one are reported. A source named as a file (or a
    # link to one) was named by the person, so it is followed wherever it leads.
    found = Scan()
    top = source.path
    try:
        mode = os.stat(top).st_mode
    except OSError as exc:
        _missing(source, exc, found)
        return found
    if stat.S_ISDIR(mode):
        _walk(top, os.path.realpath(top), found)
    elif stat.S_ISREG(mode):
        found.files.append(top)
        if os.path.islink(top):
            found.targets[top] = Path(os.path.realpath(top))
    else:
        found.refuse(top, not_regular(mode))
    return found


def _shown(path: str) -> str:
    """A path from the file system for a message: bounded, controls shown visibly."""
    from trainer.library.problems import shorten  # only when something is refused

    return shorten(path, _PATH_LIMIT)


def _missing(source: Source, exc: OSError, found: Scan) -> None:
    """The problem, if any, with a source that cannot be looked at."""
    top = source.path
    if exc.errno == errno.ELOOP:
        found.refuse(top, "symlink loop", "the link leads back to itself")
    elif exc.errno not in (errno.ENOENT, errno.ENOTDIR):
        found.refuse(top, f"cannot read: {reason(exc)}")
    elif os.path.islink(top):  # a link someone made, to nothing: worth saying
        found.refuse(top, f"symlink to {_shown(os.readlink(top))}, which does not exist")
    elif source.required:
        found.refuse(top, "no such file or folder")


def _walk(top: Path, root: str, found: Scan) -> None:
    """Every library file under a folder whose real path is `root`, into `found`."""
    files: list[Path] = []
    links: list[Path] = []
    folders = [top]
    entries = 0
    while folders and entries <= MAX_ENTRIES:
        folder = folders.pop()
        try:
            items = _listing(folder, MAX_ENTRIES + 1 - entries)
        except OSError as exc:
            found.refuse(folder, f"cannot read the folder: {reason(exc)}")
            continue
        entries += len(items)
        for entry in items:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                if entry.is_symlink():
                    links.append(path)
                elif entry.is_dir(follow_symlinks=False):
                    folders.append(path)
                elif not entry.name.endswith(SUFFIXES):
                    continue
                elif entry.is_file(follow_symlinks=False):
                    files.append(path)
                else:
                    found.refuse(path, not_regular(entry.stat(follow_symlinks=False).st_mode))
            except OSError as exc:  # gone since it was listed, or cannot be looked at
                found.refuse(path, f"cannot read: {reason(exc)}")
    if entries > MAX_ENTRIES:
        found.refuse(top, f"more than {MAX_ENTRIES:,} files and folders: stopped looking",
                     "a library folder holds YAML files; is this the right folder?")
    # Files in the folder, by their real path, so that a link to one of them is not read twice.
    seen = {os.path.join(root, os.path.relpath(f, top)) for f in files}
    for link in sorted(links):
        real = _follow(link, root, found)
        if real is not None and real not in seen:
            seen.add(real)
            files.append(link)
            found.targets[link] = Path(real)
    files.sort()
    if len(files) > MAX_FILES:
        skipped = len(files) - MAX_FILES
        found.refuse(top, f"{skipped:,} file{'s' * (skipped != 1)} past the limit of "
                     f"{MAX_FILES:,} not read", "split the library into several folders")
        for path in files[MAX_FILES:]:
            found.targets.pop(path, None)
        del files[MAX_FILES:]
    found.files += files


def _listing(folder: Path, limit: int) -> list[os.DirEntry[str]]:
    """At most `limit` entries of a folder."""
    items: list[os.DirEntry[str]] = []
    with os.scandir(folder) as listing:
        for entry in listing:
            items.append(entry)
            if len(items) >= limit:
                break
    return items


def _follow(link: Path, root: str, found: Scan) -> str | None:
    """The real path of a symlinked library file inside the folder, or None (and a problem)."""
    wanted = link.name.endswith(SUFFIXES)
    try:
        real = os.path.realpath(link, strict=True)
        mode = os.stat(real).st_mode
    except OSError as exc:
        if not wanted:
            return None  # not a library file, whatever it was meant to point at
        if exc.errno == errno.ELOOP:
            found.refuse(link, "symlink loop", "the link leads back to itself")
        elif exc.errno in (errno.ENOENT, errno.ENOTDIR):
            found.refuse(link, f"symlink to {_shown(os.readlink(link))}, which does not exist")
        else:
            found.refuse(link, f"cannot read: {reason(exc)}")
        return None
    inside = real.startswith(root.rstrip(os.sep) + os.sep)
    if stat.S_ISDIR(mode):
        # A folder inside is read where it is; one outside is another library, not this one.
        if not inside and real != root:
            found.refuse(link, f"symlink to a folder outside the library folder ({_shown(real)}), "
                         "not read", "add that folder as a library of its own with --library")
        return None
    if not wanted:
        return None
    if not inside:
        found.refuse(link, f"symlink to a file outside the library folder ({_shown(real)}), "
                     "not read", "copy the file in, or add its folder with --library")
        return None
    if not stat.S_ISREG(mode):
        found.refuse(link, not_regular(mode))
        return None
    return real


def file_key(st: os.stat_result) -> tuple[int, int, int, int]:
    """What identifies a file's content without reading it: size, times and inode."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def is_library_change(path: str) -> bool:
    """Whether a change at `path` may change a library: a YAML file, or a folder, not hidden.

    For file watchers. Editors' and write_atomic's temporary files are hidden (and renamed over
    the real name, which is an event of its own). A folder made with a file in it at once can
    have its file written before the new folder is watched: the folder's event covers it.
    """
    name = os.path.basename(path)
    if name.startswith("."):
        return False
    return name.endswith((".yaml", ".yml")) or os.path.isdir(path)
