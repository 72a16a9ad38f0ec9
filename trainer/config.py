"""The user's settings in config.yaml, read with the library's bounded YAML reader."""

from __future__ import annotations

import io
import os
import re
import stat
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainer import paths

if TYPE_CHECKING:
    from trainer.library.yamlnodes import Document

AUDIO_MODES: tuple[str, ...] = ("auto", "local", "bell", "none")
# Desktop notifications by escape sequence: auto picks one from the terminal's environment.
NOTIFY_MODES: tuple[str, ...] = ("auto", "osc777", "osc99", "osc9", "off")
MAX_CONFIG_BYTES = 256 * 1024  # settings are a few lines; a bigger file is a mistake
_BOOLS = ("acknowledged_safety", "muted", "voice", "watch", "notify_focused")
_MAPS = ("sounds", "keys")
_KNOWN = ("acknowledged_safety", "theme", "audio", "volume", "muted", "voice", "watch",
          "notify", "notify_focused", "remind", *_MAPS)
REMIND_KEYS = ("every", "routine", "between", "days")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MIN_REMIND_EVERY = 5 * 60.0  # reminders closer together than this are nagging, not help
MAX_REMIND_EVERY = 24 * 3600.0


@dataclass(frozen=True)
class Reminders:
    """When `trainer remind` reminds: every so long, within hours, on some days, which routine."""

    every: float = 3600.0  # seconds
    routine: str = "posture-check"
    between: tuple[time, time] | None = (time(9, 0), time(18, 0))  # None: at any hour
    days: frozenset[int] = frozenset(range(5))  # 0 = Monday, as date.weekday()


def parse_every(value: object) -> float:
    """Seconds between reminders (`1h`, `45m`, `90m`); raises ValueError with a plain message."""
    from trainer.library.durations import parse_duration

    seconds = parse_duration(value) if not isinstance(value, str) or not value.endswith(
        "h") else 3600.0 * _whole(value[:-1], "hours")
    if not MIN_REMIND_EVERY <= seconds <= MAX_REMIND_EVERY:
        raise ValueError("expected between 5m and 24h")
    return seconds


def _whole(text: str, what: str) -> int:
    """A small whole number of `what`."""
    if not text.isdigit() or len(text) > 3:
        raise ValueError(f"expected a whole number of {what}, e.g. 1h")
    return int(text)


def parse_between(value: object) -> tuple[time, time] | None:
    """`09:00-18:00` as two times (past midnight if the first is later); `any` for None."""
    if not isinstance(value, str):
        raise ValueError("expected hours such as 09:00-18:00, or any")
    text = value.strip().lower()
    if text in ("any", "always", "all day"):
        return None
    match = re.fullmatch(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})", text)
    if not match:
        raise ValueError("expected hours such as 09:00-18:00, or any")
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
        raise ValueError(f"'{_shorten(value)}' is not a time of day")
    start, end = time(h1, m1), time(0, 0) if h2 == 24 else time(h2, m2)
    if start == end:
        raise ValueError("the hours are empty: start and end are the same time")
    return start, end


def parse_days(value: object) -> frozenset[int]:
    """`mon-fri`, `mon,wed,fri`, `daily` or a list of day names, as weekday numbers."""
    words = value if isinstance(value, list) else str(value).split(",")
    if isinstance(value, bool) or not words:
        raise ValueError("expected days such as mon-fri, mon,wed,fri or daily")
    days: set[int] = set()
    for word in words:
        text = str(word).strip().lower()
        if text in ("daily", "every day", "all"):
            return frozenset(range(7))
        first, _, last = text.partition("-")
        if first[:3] not in WEEKDAYS or (last and last[:3] not in WEEKDAYS):
            raise ValueError(f"'{_shorten(str(word))}' is not a day; use mon, tue, ... sun")
        a = WEEKDAYS.index(first[:3])
        b = WEEKDAYS.index(last[:3]) if last else a
        days.update((a + step) % 7 for step in range((b - a) % 7 + 1))
    return frozenset(days)


def parse_reminders(entries: dict[str, Any]) -> tuple[Reminders, dict[str, str]]:
    """Reminders from `remind:` entries (or --options); a problem per entry that cannot be used."""
    settings: dict[str, Any] = {}
    problems: dict[str, str] = {}
    parsers = {"every": parse_every, "between": parse_between, "days": parse_days,
               "routine": _routine_id}
    for key, value in entries.items():
        if key not in parsers:
            from trainer.library.problems import did_you_mean

            hint = did_you_mean(key, REMIND_KEYS)
            problems[key] = f"unknown reminder setting '{_shorten(key)}'" + (
                f" ({hint})" if hint else f"; use {', '.join(REMIND_KEYS)}")
            continue
        try:
            settings[key] = parsers[key](value)
        except ValueError as exc:
            problems[key] = f"{key}: {exc}"
    return Reminders(**settings), problems


def _routine_id(value: object) -> str:
    """A routine id (checked against the library when a reminder starts it)."""
    if not isinstance(value, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", value):
        raise ValueError("expected a routine id such as posture-check")
    return value


def _shorten(text: str) -> str:
    """Long text cut for a message (the library's own rule)."""
    from trainer.library.problems import shorten as cut

    return cut(text)


@dataclass
class Config:
    """Settings remembered between runs; `problems` says what in the file was not used, and why."""

    acknowledged_safety: bool = False
    theme: str | None = None
    audio: str = "auto"  # auto | local | bell | none
    volume: int = 80  # percent
    muted: bool = False
    voice: bool = True
    watch: bool = True  # reload the library and these settings when their files are saved
    notify: str = "auto"  # auto | osc777 | osc99 | osc9 | off: desktop notifications
    notify_focused: bool = False  # notify even while the terminal has focus
    remind: dict[str, Any] = field(default_factory=dict)  # usable entries: parse_reminders
    sounds: dict[str, str] = field(default_factory=dict)  # cue name -> file in the config folder
    keys: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # "file:line:col: message", at most a few
    # Bookkeeping, not settings. Where each `keys:` entry is ("file:line:col"): only the app
    # knows its binding ids, so it is the app that says which are unknown (`unknown_key_ids`).
    key_lines: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    # Why config.yaml must not be written (it exists but could not be read); None if it may be.
    locked: str | None = field(default=None, compare=False, repr=False)
    # The settings as read (empty: the defaults): saving writes only what differs from them.
    loaded: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def path(self) -> Path:
        """Where the settings live."""
        return paths.config_dir() / "config.yaml"


# Said of a config.yaml that cannot be read: it is never written over (the person's edits stay).
_LEFT_ALONE = "using the defaults, and leaving the file as it is until it is fixed"


def load_config() -> Config:
    """The saved settings; each value that cannot be used keeps its default, with a problem.

    A file that exists but cannot be read (broken YAML, unreadable, not a regular file, too big,
    not a mapping) gives the defaults and `locked`: `save_config` then never writes over it.
    """
    config = Config()
    try:
        text = _read_text(config.path)
    except FileNotFoundError:
        return config
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        config.locked = f"{config.path}: cannot read it ({_reason(exc)})"
        config.problems.append(f"{config.locked}; {_LEFT_ALONE}")
        return config
    cache = paths.cache_dir() / "config.json"
    saved = paths.read_cached(cache)
    if isinstance(saved, list) and len(saved) == 3 and saved[0] == text \
            and isinstance(saved[1], dict) and _marks_ok(saved[2]):
        _apply(config, saved[1], None)  # the same text gave no problems last time
        _note_key_lines(config, saved[2])
        config.loaded = _settings(config)
        return config
    from trainer.library.yamlnodes import YamlError, load  # the library's bounded reader

    try:
        doc = load(text)
    except YamlError as exc:
        config.locked = f"{config.path}:{exc.line}:{exc.col}: {exc.message}"
        config.problems.append(f"{config.locked}; {_LEFT_ALONE}")
        return config
    _apply(config, doc.data, doc)
    if doc.data is not None and not isinstance(doc.data, dict):
        config.locked = f"{config.path}: not a mapping of settings"
    marks = {key: list(doc.keys[("keys", key)]) for key in config.keys
             if ("keys", key) in doc.keys}
    _note_key_lines(config, marks)
    config.loaded = _settings(config)
    if not config.problems:
        paths.write_cached(cache, [text, doc.data, marks])  # not kept: parsed again next time
    return config


def _reason(exc: Exception) -> str:
    """An OSError's words, or the exception's message."""
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


def _marks_ok(marks: object) -> bool:
    """True for a kept {binding id: [line, col]}."""
    return isinstance(marks, dict) and all(
        isinstance(mark, list) and len(mark) == 2
        and all(type(n) is int for n in mark) for mark in marks.values())


def _note_key_lines(config: Config, marks: dict[str, list[int]]) -> None:
    """Remember where each `keys:` entry is written, as file:line:col."""
    config.key_lines = {key: f"{config.path}:{line}:{col}" for key, (line, col) in marks.items()}


def unknown_key_ids(config: Config, known: Collection[str]) -> list[str]:
    """A problem (with its line) for each `keys:` entry naming a binding id not in `known`."""
    from trainer.library.problems import did_you_mean, shorten

    found: list[str] = []
    for key in config.keys:
        if key not in known:
            hint = did_you_mean(key, sorted(known))
            where = config.key_lines.get(key, str(config.path))
            found.append(f"{where}: keys: no key binding '{shorten(key)}'"
                         + (f" ({hint})" if hint else "; the README lists them"))
    return found


def _read_text(path: Path) -> str:
    """The file's text: a regular file (a symlink to one too) of at most MAX_CONFIG_BYTES."""
    return paths.read_regular(path, MAX_CONFIG_BYTES, follow_symlinks=True).decode("utf-8")


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
            if key == "remind" and isinstance(value, dict):
                found += _remind(config, value, doc)
                continue
            message = _setting(config, str(key), value)
            if message is not None:
                line, col = doc.mark((key,), key=key not in _KNOWN) if doc else (1, 1)
                found.append((line, col, message))
    elif data is not None:
        found.append((1, 1, f"config.yaml should be a mapping of settings; {_LEFT_ALONE}"))
    config.problems += [f"{config.path}:{line}:{col}: {message}"
                        for line, col, message in sorted(found)]


def _remind(config: Config, entries: dict[Any, Any],
            doc: Document | None) -> list[tuple[int, int, str]]:
    """Take the usable `remind:` entries; a problem (with its line) for each of the others."""
    entries = {str(key): value for key, value in entries.items()}
    _, problems = parse_reminders(entries)
    config.remind = {key: value for key, value in entries.items() if key not in problems}
    found = []
    for key, message in problems.items():
        line, col = doc.mark(("remind", key), key=key not in REMIND_KEYS) if doc else (1, 1)
        found.append((line, col, f"remind: {message}"))
    return found


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
    elif key == "notify":
        if value not in NOTIFY_MODES:
            return f"notify: {got} is not one of {', '.join(NOTIFY_MODES)}"
    elif key == "remind":
        return "remind: expected a mapping such as {every: 1h, between: 09:00-18:00}"
    elif key == "volume":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            return f"volume: expected a whole number 0-100, got {got}"
    elif not (isinstance(value, dict)
              and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())):
        example = "{tick: my-tick.wav}" if key == "sounds" else "{session.pause: p}"
        return f"{key}: expected a mapping of names to text, e.g. {example}"
    setattr(config, key, dict(value) if isinstance(value, dict) else value)
    return None


def _settings(config: Config) -> dict[str, Any]:
    """The settings alone (maps copied), by name."""
    return {key: dict(value) if isinstance(value, dict) else value
            for key in _KNOWN for value in (getattr(config, key),)}


def save_config(config: Config) -> str | None:
    """Write the settings the app changed into config.yaml; returns a message instead of raising.

    Only the settings that differ from what was read (`loaded`; the defaults for a Config not
    read from a file) are written, each in place: the person's comments, order, other keys and
    values the app could not use (`volume: loud`, an unknown key) stay as they are, until the
    app itself changes that setting. The file is read again first, so a hand edit made while
    the app ran is kept too. A file that cannot be read is never written over: the settings
    stay in memory, and nothing is said if loading already said why (`locked`).
    """
    changes = {key: value for key, value in _settings(config).items()
               if value != config.loaded.get(key, getattr(_DEFAULTS, key))}
    if not changes:
        return None
    path = config.path
    existed = True
    try:
        text = _read_text(path)
    except FileNotFoundError:
        text, existed = "", False
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return _unsaved(config, f"{path}: cannot read it ({_reason(exc)})")
    try:
        edited = _edit(text, changes)
    except _Unwritable as exc:
        return _unsaved(config, f"{path}{exc}")
    target = Path(os.path.realpath(path))  # a symlinked config.yaml stays a symlink
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode) if existed else None
        paths.write_atomic(target, edited.encode("utf-8"))
        if mode is not None:
            os.chmod(target, mode)  # the temporary file was made private
    except OSError as exc:
        return f"could not save settings: {exc.strerror or exc}"
    config.loaded.update(changes)
    config.locked = None
    return None


_DEFAULTS = Config()


class _Unwritable(Exception):
    """config.yaml as it is now cannot be edited safely; the message follows its path."""


def _unsaved(config: Config, why: str) -> str | None:
    """The notice for settings kept in memory only; None if loading already said so."""
    if config.locked:
        return None
    return f"settings not saved: {why}; fix it and they will be"


def _edit(text: str, changes: dict[str, Any]) -> str:
    """config.yaml's text with `changes` made, everything else kept (round-trip YAML)."""
    from trainer.library.yamlnodes import YamlError, load

    try:
        # The bounded reader first: ruamel never sees what the library would refuse to read.
        data = load(text).data
    except YamlError as exc:
        raise _Unwritable(f":{exc.line}:{exc.col}: {exc.message}") from None
    if data is not None and not isinstance(data, dict):
        raise _Unwritable(": not a mapping of settings")
    from ruamel.yaml import YAML  # only when saving: ~20 ms of start-up otherwise
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError

    yaml = YAML()  # round trip: comments, order, quoting and flow style are kept
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line the person wrote
    try:
        tree = yaml.load(text)
    except YAMLError as exc:  # read by PyYAML but not by ruamel: leave it be
        raise _Unwritable(f": cannot edit it ({str(exc).splitlines()[0]})") from None
    prefix = ""
    if tree is None:  # empty, or comments only: they stay at the top
        tree = CommentedMap()
        prefix = text if not text or text.endswith("\n") else text + "\n"
    for key, value in changes.items():
        old = tree.get(key)
        if value is None:
            tree.pop(key, None)
        elif isinstance(value, dict) and isinstance(old, dict):
            for name in [name for name in old if name not in value]:
                del old[name]
            old.update({name: v for name, v in value.items() if old.get(name) != v})
        else:
            tree[key] = value
    out = io.StringIO()
    yaml.dump(tree, out)
    return prefix + out.getvalue()
