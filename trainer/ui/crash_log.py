"""A crash: its traceback kept in the data folder, and one line said once the screen is back.

On an unhandled exception Textual ends the app, restores the terminal and prints a rich
traceback (with locals) to stderr. `CrashGuard` holds that report back: the traceback goes to
`crash.log` in the data folder (the last few crashes, each bounded), and the person reads
`trainer: crashed (ZeroDivisionError: division by zero); details in .../crash.log`.
"""

from __future__ import annotations

import contextlib
import io
import os
import platform
import re
import stat
import sys
import traceback
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from types import TracebackType
from typing import TextIO

import textual

from trainer import __version__, paths
from trainer.safe_text import printable

LOG_NAME = "crash.log"
KEEP = 5  # crashes kept in the log, the newest last
MAX_ENTRY = 32_000  # characters of one traceback: its end (where it broke) is kept
MAX_SUMMARY = 120  # characters of the exception's message on the one line
MARK = "=== trainer crashed at "  # every entry's first line starts with it


def log_path() -> Path:
    """The crash log in the data folder."""
    return paths.data_dir() / LOG_NAME


def entry(error: BaseException, when: datetime) -> str:
    """One crash as the log keeps it: a header line, then the traceback."""
    text = "".join(traceback.format_exception(error))
    if len(text) > MAX_ENTRY:
        text = f"[{len(text) - MAX_ENTRY} characters cut]\n{text[-MAX_ENTRY:]}"
    return (f"{MARK}{when.isoformat(timespec='seconds')} (trainer {__version__}, Python "
            f"{platform.python_version()}, Textual {textual.__version__}) ===\n{text}")


def write_crash(error: BaseException, path: Path | None = None,
                when: datetime | None = None) -> Path:
    """Add `error` to the crash log, keeping the last KEEP crashes; the log's path."""
    path = path if path is not None else log_path()
    when = when if when is not None else datetime.now().astimezone()
    kept = _entries(_read_tail(path))[-(KEEP - 1):]
    text = "".join([*kept, entry(error, when)])
    paths.write_atomic(path, text.encode("utf-8", "backslashreplace"))
    return path


def _read_tail(path: Path) -> str:
    """The end of the log, enough for KEEP entries; "" if it is missing or not a plain file."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)  # never blocks on a FIFO, never follows a symlink
    except OSError:
        return ""
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return ""
        limit = KEEP * (MAX_ENTRY + 1000) * 4  # bytes: up to four per character
        file.seek(max(0, info.st_size - limit))
        return file.read(limit).decode("utf-8", "replace")


def _entries(text: str) -> list[str]:
    """The whole entries in `text` (a cut first one dropped), oldest first."""
    starts = [m.start() for m in re.finditer(f"^{re.escape(MARK)}", text, re.MULTILINE)]
    return [text[start:end].rstrip("\n") + "\n" for start, end in pairwise([*starts, len(text)])]


def summary(error: BaseException) -> str:
    """`Type: first line of the message`, short and safe to print."""
    lines = traceback.format_exception_only(error)
    # A SyntaxError's report starts with indented source lines; its last line names it.
    text = next((line for line in lines if not line.startswith(" ")), lines[-1])
    text = printable(text.strip().split("\n", 1)[0].rstrip(":").strip())
    return text if len(text) <= MAX_SUMMARY else text[:MAX_SUMMARY - 1] + "…"


def report(error: BaseException, path: Path | None = None) -> str:
    """Log `error`; what to print: one line (and the traceback, if the log cannot be written)."""
    path = path if path is not None else log_path()
    try:
        write_crash(error, path)
    except OSError as problem:
        details = "".join(traceback.format_exception(error))
        return printable(f"{details}trainer: crashed ({summary(error)}); could not write "
                         f"{path} ({problem.strerror or problem})") + "\n"
    return printable(f"trainer: crashed ({summary(error)}); details in {path}") + "\n"


class CrashGuard:
    """Around `App.run`: holds back stderr, catches what escapes; `finish` says how it ended.

    The terminal is Textual's until `run` returns (it draws on the original stderr, not
    `sys.stderr`), so nothing is said until then: never over the app.
    """

    def __init__(self, stream: TextIO | None = None, log: Path | None = None) -> None:
        self.stream = stream
        self.log = log
        self.error: Exception | None = None
        self._held = io.StringIO()
        self._redirect = contextlib.redirect_stderr(self._held)

    def __enter__(self) -> CrashGuard:
        if self.stream is None:
            self.stream = sys.stderr
        self._redirect.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> bool:
        self._redirect.__exit__(kind, error, trace)
        if isinstance(error, Exception):
            self.error = error
            return True
        return False

    def finish(self, error: BaseException | None, status: int) -> int:
        """The exit status; a crash (`error`, or one that escaped) logged and said in a line."""
        assert self.stream is not None, "finish follows the with block"
        errors = [e for e in (error, self.error) if e is not None]
        if not errors:
            self.stream.write(self._held.getvalue())  # nothing went wrong: nothing held back
            return status
        # Textual's own report is dropped: the log has the traceback, the screen one line.
        self.stream.write(report(errors[0], self.log))
        if len(errors) > 1:  # cleaning up after the crash failed as well
            with contextlib.suppress(OSError):
                write_crash(errors[1], self.log)
        self.stream.flush()
        return status or 1
