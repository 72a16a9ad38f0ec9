"""A terminal that goes away never leaves trainer running: stray SIGCONT, writes after EIO.

A dropped SSH connection closes the pty; the kernel sends SIGHUP and SIGCONT together. Textual's
SIGCONT handler restarted application mode in the running app, its new writer thread died on
EIO and the exit then blocked for ever (seen in CI: "the child outlived its terminal").
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest
from ptyterm import Terminal, trainer_env
from textual.drivers._writer_thread import MAX_QUEUED_WRITES, WriterThread

from trainer.ui.terminal_guard import DroppingOutput

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")

ALT_SCREEN = b"\x1b[?1049h"


class HungUpTerminal:
    """A terminal whose connection dropped: every write fails as a closed pty's does."""

    def __init__(self) -> None:
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        raise OSError(5, "Input/output error")

    def flush(self) -> None:
        raise OSError(5, "Input/output error")

    def fileno(self) -> int:
        return 1

    def isatty(self) -> bool:
        return True


def test_the_writer_outlives_a_terminal_that_is_gone_so_the_exit_never_blocks() -> None:
    terminal = HungUpTerminal()
    output = DroppingOutput(terminal)
    writer = WriterThread(output)  # type: ignore[arg-type]
    writer.start()
    stopping = threading.Thread(target=lambda: ([writer.write("frame") for _ in range(
        MAX_QUEUED_WRITES * 4)], writer.stop()), daemon=True)
    stopping.start()
    stopping.join(timeout=10)
    assert not stopping.is_alive(), "the exit blocked on a full queue"
    assert output.gone
    assert terminal.writes == 1  # tried once; after EIO nothing more is sent


def _read_for(term: Terminal, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        term._read()


def test_a_stray_sigcont_leaves_the_running_session_alone(tmp_path: Path) -> None:
    term = Terminal.trainer("run", "e2e", "--audio", "none", env=trainer_env(tmp_path))
    try:
        term.wait_for("Wall lean")
        before = len(term.raw)
        os.kill(term.child.pid, signal.SIGCONT)
        _read_for(term, 1.0)
        # Textual would have entered the alternate screen again, on a second writer thread.
        assert ALT_SCREEN not in term.raw[before:]
        term.hang_up()
    finally:
        term.close()
    assert term.stray() == []


def test_ctrl_z_and_fg_still_stop_and_bring_the_session_back(tmp_path: Path) -> None:
    term = Terminal.trainer("run", "e2e", "--audio", "none", env=trainer_env(tmp_path))
    try:
        term.wait_for("Wall lean")
        os.kill(term.child.pid, signal.SIGTSTP)
        deadline = time.monotonic() + 10
        while _state(term.child.pid) != "T":
            assert time.monotonic() < deadline, "SIGTSTP did not stop the app"
            _read_for(term, 0.05)
        before = len(term.raw)
        os.kill(term.child.pid, signal.SIGCONT)
        deadline = time.monotonic() + 10
        while ALT_SCREEN not in term.raw[before:]:
            assert time.monotonic() < deadline, "SIGCONT did not bring the screen back"
            term._read()
        term.wait_for("Easy march")  # the session carries on
        term.hang_up()
    finally:
        term.close()
    assert term.stray() == []


def _state(pid: int) -> str:
    """The process state letter from /proc (T: stopped)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0]
