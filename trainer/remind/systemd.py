"""A systemd user unit that keeps `trainer remind` running: its text, where it goes, install."""

# The unit starts the same Python that installed it (`python -m trainer remind`), with the
# options given to --install (none: config.yaml's `remind:` is read at every start) and the
# TRAINER_* folders of the installing shell, which a service would not otherwise see. A user
# service stops at logout unless lingering is on: the command line says how.

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

from trainer.remind.popup import PASSED_ON

UNIT_NAME = "trainer-remind.service"
DIR_VARIABLE = "TRAINER_SYSTEMD_DIR"  # tests and unusual setups: where the unit is written
_PLAIN = re.compile(r"[A-Za-z0-9_./:=+,@-]+")
Done = Literal["written", "replaced", "unchanged"]


def unit_dir(env: Mapping[str, str] | None = None) -> Path:
    """$TRAINER_SYSTEMD_DIR, else $XDG_CONFIG_HOME/systemd/user, else ~/.config/systemd/user."""
    env = os.environ if env is None else env
    if env.get(DIR_VARIABLE):
        return Path(env[DIR_VARIABLE])
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user"


def unit_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the unit file goes."""
    return unit_dir(env) / UNIT_NAME


def quote(word: str) -> str:
    """One ExecStart or Environment word as systemd reads it back (specifiers and $ escaped)."""
    escaped = word.replace("%", "%%").replace("$", "$$")
    if _PLAIN.fullmatch(escaped):
        return escaped
    inner = escaped.replace("\\", "\\\\").replace('"', '\\"')
    inner = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", inner)
    return f'"{inner}"'


def unit_text(options: Sequence[str], what: str, *, python: str | None = None,
              env: Mapping[str, str] | None = None) -> str:
    """The unit: ExecStart runs `python -m trainer remind OPTIONS`, restarted if it fails."""
    env = os.environ if env is None else env
    command = [python or sys.executable, "-m", "trainer", "remind", *options]
    lines = ["[Unit]",
             f"Description=trainer reminders ({_one_line(what)})",
             "",
             "[Service]",
             "Type=simple",
             "ExecStart=" + " ".join(quote(word) for word in command),
             "Environment=PYTHONUNBUFFERED=1"]
    lines += [f"Environment={quote(f'{key}={env[key]}')}" for key in PASSED_ON if env.get(key)]
    lines += ["Restart=on-failure",
              "RestartSec=30",
              "",
              "[Install]",
              "WantedBy=default.target",
              ""]
    return "\n".join(lines)


def _one_line(text: str) -> str:
    """Text for a unit's Description: one line, no specifiers."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", text).split()).replace("%", "%%")


def install(text: str, path: Path | None = None) -> Done:
    """Write the unit (atomically); says whether it was new, replaced or already so."""
    from trainer import paths

    target = path or unit_path()
    try:
        old = paths.read_regular(target, 64 * 1024).decode("utf-8", "replace")
    except FileNotFoundError:
        old = None
    except OSError:
        old = ""  # something else is there (a symlink, say): it is replaced
    if old == text:
        return "unchanged"
    paths.write_atomic(target, text.encode("utf-8"))
    return "written" if old is None else "replaced"


def uninstall(path: Path | None = None) -> bool:
    """Remove the unit and the link `systemctl enable` made for it; False if there was none."""
    target = path or unit_path()
    wanted = target.parent / "default.target.wants" / target.name
    if wanted.is_symlink():  # left behind, it would point at nothing
        wanted.unlink()
    try:
        target.unlink()
    except FileNotFoundError:
        return False
    return True


def advice(installed: bool) -> list[str]:
    """The commands to run after installing or uninstalling."""
    if installed:
        return ["systemctl --user daemon-reload",
                f"systemctl --user enable --now {UNIT_NAME}",
                "loginctl enable-linger $USER    # keep it running after you log out"]
    return [f"systemctl --user stop {UNIT_NAME}    # if it is running",
            "systemctl --user daemon-reload"]
