"""The running `trainer remind`'s next due time, kept in a small file for the app to show."""

# The file is remind.json in the data folder: {"pid", "host", "next_due", "routine", "name"},
# written atomically each time the due time changes and removed when the loop ends. A reader
# trusts it only while its process is alive on this host (a killed loop leaves it behind).

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from trainer import paths

FILENAME = "remind.json"
MAX_BYTES = 4096  # a few fields; anything bigger is not ours


@dataclass(frozen=True)
class NextReminder:
    """What the running loop will remind of next, and when (None: not within two weeks)."""

    pid: int
    due: datetime | None
    routine: str
    name: str


def state_path() -> Path:
    """Where the loop keeps its next due time."""
    return paths.data_dir() / FILENAME


def write_state(state: NextReminder, path: Path | None = None) -> None:
    """Replace the file with this state (never half written)."""
    data = {"pid": state.pid, "host": socket.gethostname(),
            "next_due": None if state.due is None else state.due.isoformat(timespec="seconds"),
            "routine": state.routine, "name": state.name}
    paths.write_atomic(path or state_path(), json.dumps(data).encode("ascii"))


def clear_state(pid: int, path: Path | None = None) -> None:
    """Remove the file if this process wrote it (another loop may have started since)."""
    target = path or state_path()
    current = read_state(target, check_alive=False)
    if current is not None and current.pid == pid:
        with contextlib.suppress(OSError):
            target.unlink()


def read_state(path: Path | None = None, *, check_alive: bool = True) -> NextReminder | None:
    """The running loop's state; None if there is none, it is not ours or its process is gone."""
    try:
        data = json.loads(paths.read_regular(path or state_path(), MAX_BYTES))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    pid, due, routine, name = (data.get(k) for k in ("pid", "next_due", "routine", "name"))
    if type(pid) is not int or pid <= 0 or not isinstance(routine, str) \
            or not isinstance(name, str) or not (due is None or isinstance(due, str)):
        return None
    if check_alive and (data.get("host") != socket.gethostname() or not _alive(pid)):
        return None
    try:
        when = None if due is None else datetime.fromisoformat(due)
    except ValueError:
        return None
    if when is not None and when.tzinfo is None:
        return None
    return NextReminder(pid, when, routine[:80], name[:120])


def _alive(pid: int) -> bool:
    """True if a process with this pid exists."""
    if sys.platform == "win32":
        return False  # signal 0 is not a probe there
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def describe_next(state: NextReminder | None, now: datetime) -> str | None:
    """The library screen's line: 'Next reminder at 14:00: Posture check (2 min)'; or None."""
    if state is None or state.due is None:
        return None
    due = state.due.astimezone(now.tzinfo)
    if due <= now:
        return f"Reminder due now: {state.name}"
    when = f"at {due:%H:%M}" if due.date() == now.date() else f"{due:%a %H:%M}"
    return f"Next reminder {when}: {state.name}"
