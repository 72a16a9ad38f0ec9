"""Where trainer finds its built-in data and keeps the user's files (nothing created on import)."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

import platformdirs

APP_NAME = "trainer"
_PACKAGE_DIR = Path(__file__).resolve().parent


def _builtin(name: str) -> Path:
    """A built-in data folder: inside the wheel, or at the top of a checkout."""
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    return _PACKAGE_DIR.parent / name


def builtin_library_dir() -> Path:
    """The shipped exercises and routines."""
    return _builtin("exercises")


def builtin_sounds_dir() -> Path:
    """The shipped cue sounds."""
    return _builtin("sounds")


def _user_dir(variable: str, default: Callable[[str], str]) -> Path:
    """The folder named in an environment variable, else platformdirs' choice for the app."""
    override = os.environ.get(variable)
    return Path(override) if override else Path(default(APP_NAME))


def config_dir() -> Path:
    """The user's config folder (TRAINER_CONFIG_DIR overrides)."""
    return _user_dir("TRAINER_CONFIG_DIR", platformdirs.user_config_dir)


def data_dir() -> Path:
    """The user's data folder for history (TRAINER_DATA_DIR overrides)."""
    return _user_dir("TRAINER_DATA_DIR", platformdirs.user_data_dir)


def cache_dir() -> Path:
    """The user's cache folder: voice, routines, config parse (TRAINER_CACHE_DIR overrides)."""
    return _user_dir("TRAINER_CACHE_DIR", platformdirs.user_cache_dir)


def user_library_dir() -> Path:
    """The user's own exercises and routines."""
    return config_dir() / "library"


def extra_library_dirs() -> list[Path]:
    """Folders named in TRAINER_LIBRARY (os.pathsep separated)."""
    value = os.environ.get("TRAINER_LIBRARY", "")
    return [Path(part) for part in value.split(os.pathsep) if part]


@functools.cache
def _umask() -> int:
    """The process's umask (read once: reading it means setting it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` through a temporary file beside it: never half written.

    The file keeps its permissions; a new one gets what the umask gives (mkstemp's own 0600
    would make a routine kept in git, or a hand-edited config.yaml, private to its owner).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        if hasattr(os, "fchmod"):  # not on Windows, where there is nothing to keep
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


# Cache files are JSON: data that cannot run code, whoever wrote it. A file is
# {"trainer-cache": CACHE_FORMAT, "value": ...}; only values JSON gives back exactly are kept.
CACHE_FORMAT = 1
MAX_CACHE_BYTES = 32 * 1024 * 1024  # 20 prepared routines of the largest size allowed fit
_LEGACY_SUFFIX = ".pickle"  # what trainer kept before: never read, removed when replaced


def read_cached(path: Path) -> object | None:
    """A value `write_cached` kept; None if missing, not a regular file, too big or not ours."""
    try:
        document = _DECODER.decode(read_regular(path, MAX_CACHE_BYTES).decode("utf-8"))
    except (OSError, ValueError, RecursionError):  # missing, truncated, not JSON: as good as none
        return None
    if type(document) is not dict or document.keys() != {"trainer-cache", "value"} \
            or document["trainer-cache"] != CACHE_FORMAT:
        return None
    value: object = document["value"]
    return value


def write_cached(path: Path, value: object) -> bool:
    """Keep a value for `read_cached`; False (and nothing written) if it cannot be kept.

    Values are None, bools, ints, finite floats, strings, and lists and dicts with
    string keys of them; anything else (a date, a set, a subclass) is refused, as is a folder
    that cannot be written: the next run just does the work again.
    """
    try:
        text = json.dumps({"trainer-cache": CACHE_FORMAT, "value": _plain(value)},
                          allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        return False
    data = text.encode("ascii")  # json.dumps escapes everything else
    if len(data) > MAX_CACHE_BYTES:
        return False
    try:
        write_atomic(path, data)
    except OSError:  # read-only or full
        return False
    if path.suffix != _LEGACY_SUFFIX:
        with contextlib.suppress(OSError):
            path.with_suffix(_LEGACY_SUFFIX).unlink(missing_ok=True)
    return True


def read_regular(path: Path, limit: int, *, follow_symlinks: bool = False) -> bytes:
    """At most `limit` bytes of a regular file; OSError for a FIFO, device, folder, a bigger
    file, or (unless `follow_symlinks`) a symlink."""
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError("it is not a regular file")
        data = f.read(limit + 1)
    if len(data) > limit:
        raise OSError(f"it is bigger than {limit // 1024} KiB")
    return data


def _plain(value: object) -> object:
    """The value itself; TypeError for what JSON cannot give back as it was (a tuple, a date)."""
    kind = type(value)
    if kind in (str, int, float, bool) or value is None:
        return value
    if kind is list:
        return [_plain(v) for v in value]  # type: ignore[attr-defined]
    if kind is dict:
        items: dict[object, object] = value  # type: ignore[assignment]
        if all(type(k) is str for k in items):
            return {k: _plain(v) for k, v in items.items()}
    raise TypeError(f"a cache cannot keep {kind.__name__} values like this one")


def _refuse_constant(name: str) -> object:
    """NaN and Infinity: json.loads takes them, write_cached never writes them."""
    raise ValueError(f"{name} is not in a cache file")


def _finite(text: str) -> float:
    """A float as written, refusing what overflows to infinity (1e999)."""
    value = float(text)
    if value - value != 0.0:
        raise ValueError(f"{text[:20]} is not in a cache file")
    return value


_DECODER = json.JSONDecoder(parse_float=_finite, parse_constant=_refuse_constant)
