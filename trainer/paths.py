"""Where trainer finds its built-in data and keeps the user's files (nothing created on import)."""

from __future__ import annotations

import os
import pickle
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


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` through a temporary file beside it: never half written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def read_cached(path: Path) -> object | None:
    """A value `write_cached` kept in the cache folder; None if missing, corrupt or too old."""
    try:
        with path.open("rb") as f:
            # Our own file in the user's cache folder: nobody else writes there.
            value: object = pickle.load(f)
    except Exception:  # missing, truncated, from another version: as good as none
        return None
    return value


def write_cached(path: Path, value: object) -> bool:
    """Keep a value for `read_cached`; False (and nothing written) if the folder refuses it."""
    try:
        write_atomic(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:  # read-only or full: the next run just does the work again
        return False
    return True
