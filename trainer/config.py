"""The user's settings in config.yaml, read with the library's bounded YAML reader."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainer import paths

if TYPE_CHECKING:
    from trainer.library.yamlnodes import Document

AUDIO_MODES: tuple[str, ...] = ("auto", "local", "bell", "none")
MAX_CONFIG_BYTES = 256 * 1024  # settings are a few lines; a bigger file is a mistake
_BOOLS = ("acknowledged_safety", "muted", "voice")
_MAPS = ("sounds", "keys")
_KNOWN = ("acknowledged_safety", "theme", "audio", "volume", "muted", "voice", *_MAPS)


@dataclass
class Config:
    """Settings remembered between runs; `problems` says what in the file was not used, and why."""

    acknowledged_safety: bool = False
    theme: str | None = None
    audio: str = "auto"  # auto | local | bell | none
    volume: int = 80  # percent
    muted: bool = False
    voice: bool = True
    sounds: dict[str, str] = field(default_factory=dict)  # cue name -> file in the config folder
    keys: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # "file:line:col: message", at most a few

    @property
    def path(self) -> Path:
        """Where the settings live."""
        return paths.config_dir() / "config.yaml"


def load_config() -> Config:
    """The saved settings; each value that cannot be used keeps its default, with a problem."""
    config = Config()
    try:
        text = _read_text(config.path)
    except FileNotFoundError:
        return config
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        config.problems.append(f"{config.path}: cannot read it ({reason}); using the defaults")
        return config
    cache = paths.cache_dir() / "config.json"
    saved = paths.read_cached(cache)
    if isinstance(saved, list) and len(saved) == 2 and saved[0] == text \
            and isinstance(saved[1], dict):
        _apply(config, saved[1], None)  # the same text gave no problems last time
        return config
    from trainer.library.yamlnodes import YamlError, load  # the library's bounded reader

    try:
        doc = load(text)
    except YamlError as exc:
        config.problems.append(f"{config.path}:{exc.line}:{exc.col}: {exc.message}; "
                               "using the defaults")
        return config
    _apply(config, doc.data, doc)
    if not config.problems:
        paths.write_cached(cache, [text, doc.data])  # not kept: parsed again next time
    return config


def _read_text(path: Path) -> str:
    """The file's text: a regular file of at most MAX_CONFIG_BYTES, never a pipe or device."""
    # O_NONBLOCK: opening a named pipe put where the file should be must not hang the start.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError("it is not a regular file")
        data = handle.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise ValueError(f"it is bigger than {MAX_CONFIG_BYTES // 1024} KiB")
    return data.decode("utf-8")


def _apply(config: Config, data: Any, doc: Document | None) -> None:
    """Take each usable setting from the parsed file; a problem (with its line) for the rest."""
    found: list[tuple[int, int, str]] = []
    refused: set[str] = set()
    if doc is not None:  # a fresh parse (a kept one had no problems): PyYAML is loaded already
        from trainer.library.yamlnodes import Refused

        found += [(line, col, message + (f" ({hint})" if hint else ""))
                  for line, col, message, hint in doc.refused]
        if isinstance(data, dict):
            refused = {key for key, value in data.items() if isinstance(value, Refused)}
    if isinstance(data, dict):
        for key, value in data.items():
            if key in refused:
                continue  # already said, with its hint
            message = _setting(config, str(key), value)
            if message is not None:
                line, col = doc.mark((key,), key=key not in _KNOWN) if doc else (1, 1)
                found.append((line, col, message))
    elif data is not None:
        found.append((1, 1, "config.yaml should be a mapping of settings; using the defaults"))
    config.problems += [f"{config.path}:{line}:{col}: {message}"
                        for line, col, message in sorted(found)]


def _setting(config: Config, key: str, value: Any) -> str | None:
    """Take one setting; or say why it cannot be used (the default stays)."""
    from trainer.library.problems import did_you_mean, shorten

    got = shorten(repr(value))
    if key not in _KNOWN:
        hint = did_you_mean(key, _KNOWN)
        return f"unknown setting '{shorten(key)}'" + (f" ({hint})" if hint else "")
    if key in _BOOLS:
        if not isinstance(value, bool):
            return f"{key}: expected true or false, got {got}"
    elif key == "theme":
        if not isinstance(value, str):
            return f"theme: expected a theme name, got {got}"
    elif key == "audio":
        if value not in AUDIO_MODES:
            return f"audio: {got} is not one of {', '.join(AUDIO_MODES)}"
    elif key == "volume":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            return f"volume: expected a whole number 0-100, got {got}"
    elif not (isinstance(value, dict)
              and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())):
        example = "{tick: my-tick.wav}" if key == "sounds" else "{session.pause: p}"
        return f"{key}: expected a mapping of names to text, e.g. {example}"
    setattr(config, key, dict(value) if isinstance(value, dict) else value)
    return None


def save_config(config: Config) -> str | None:
    """Write the settings atomically; returns a message instead of raising."""
    import yaml

    data: dict[str, Any] = {
        f.name: getattr(config, f.name) for f in fields(config) if f.name != "problems"
    }
    try:
        paths.write_atomic(config.path, yaml.safe_dump(data, sort_keys=False).encode("utf-8"))
    except OSError as exc:
        return f"could not save settings: {exc.strerror or exc}"
    return None
