"""The user's settings in config.yaml: first-run note, theme, key remaps (no Textual)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from trainer import paths

AUDIO_MODES: tuple[str, ...] = ("auto", "local", "bell", "none")

@dataclass
class Config:
    """Settings remembered between runs; `problem` says why a broken file was ignored."""

    acknowledged_safety: bool = False
    theme: str | None = None
    audio: str = "auto"  # auto | local | bell | none
    volume: int = 80  # percent
    muted: bool = False
    voice: bool = True
    sounds: dict[str, str] = field(default_factory=dict)  # cue name -> file in the config folder
    keys: dict[str, str] = field(default_factory=dict)
    problem: str | None = None

    @property
    def path(self) -> Path:
        """Where the settings live."""
        return paths.config_dir() / "config.yaml"


def load_config() -> Config:
    """The saved settings; defaults (with a problem noted) if the file is unreadable."""
    config = Config()
    try:
        text = config.path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return config
    except (OSError, UnicodeDecodeError) as exc:
        config.problem = f"could not read {config.path}: {exc}"
        return config
    try:
        data = _parse(text) or {}
    except ValueError:
        config.problem = f"{config.path} is not valid YAML; using the defaults"
        return config
    if not isinstance(data, dict):
        config.problem = f"{config.path} should be a mapping; using defaults"
        return config
    if isinstance(data.get("acknowledged_safety"), bool):
        config.acknowledged_safety = data["acknowledged_safety"]
    if isinstance(data.get("theme"), str):
        config.theme = data["theme"]
    if data.get("audio") in AUDIO_MODES:
        config.audio = data["audio"]
    volume = data.get("volume")
    if isinstance(volume, int) and not isinstance(volume, bool) and 0 <= volume <= 100:
        config.volume = volume
    for key in ("voice", "muted"):
        if isinstance(data.get(key), bool):
            setattr(config, key, data[key])
    for key in ("sounds", "keys"):
        value = data.get(key)
        if isinstance(value, dict):
            setattr(config, key, {str(k): str(v) for k, v in value.items()})
    return config


def _parse(text: str) -> Any:
    """The YAML in `text` (ValueError if it is not YAML), remembered in the cache folder.

    Importing PyYAML is ~20 ms of every start, and the settings seldom change: the last text
    parsed and what it gave are kept, and used again only for exactly the same text.
    """
    cache = paths.cache_dir() / "config.pickle"
    saved = paths.read_cached(cache)
    if isinstance(saved, tuple) and len(saved) == 2 and saved[0] == text:
        return saved[1]
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(str(exc)) from None
    paths.write_cached(cache, (text, data))  # if it cannot be kept, it is parsed again next time
    return data


def save_config(config: Config) -> str | None:
    """Write the settings atomically; returns a message instead of raising."""
    import yaml

    data: dict[str, Any] = {
        f.name: getattr(config, f.name) for f in fields(config) if f.name != "problem"
    }
    try:
        paths.write_atomic(config.path, yaml.safe_dump(data, sort_keys=False).encode("utf-8"))
    except OSError as exc:
        return f"could not save settings: {exc.strerror or exc}"
    return None
