"""End to end: the real `trainer run` in a pseudo-terminal, read off an emulated screen."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pexpect
import pyte
import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "e2elib"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")


class Terminal:
    """A child process in a pty and what its screen shows."""

    def __init__(self, args: list[str], env: dict[str, str], size: tuple[int, int] = (80, 24)):
        self.screen = pyte.Screen(*size)
        self.stream = pyte.ByteStream(self.screen)
        self.child = pexpect.spawn(args[0], args[1:], env=env, dimensions=(size[1], size[0]))
        self.seen: list[str] = []

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, needle: str, timeout: float = 15.0) -> None:
        """Read output until the screen shows `needle` (the app's own timing, not a sleep)."""
        deadline = time.monotonic() + timeout
        while needle not in self.text():
            if time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} never appeared; screen:\n{self.text()}")
            try:
                self.stream.feed(self.child.read_nonblocking(65536, timeout=0.2))
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                raise AssertionError(f"exited before {needle!r}; screen:\n{self.text()}") from None
            self.seen.append(self.text())


def test_trainer_run_shows_phases_and_summary(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.yaml").write_text("acknowledged_safety: true\n")
    env = {**os.environ, "TERM": "xterm-256color", "TRAINER_CONFIG_DIR": str(config),
           "TRAINER_DATA_DIR": str(tmp_path / "data"), "TRAINER_CACHE_DIR": str(tmp_path / "cache"),
           "TRAINER_LIBRARY": ""}
    term = Terminal([sys.executable, "-m", "trainer", "run", "e2e", "--library", str(FIXTURES),
                     "--audio", "bell"], env)
    try:
        for word in ("GET READY", "HOLD", "Wall lean", "REST", "WORK", "Easy march"):
            term.wait_for(word)
        term.wait_for("Well done.")
        term.wait_for("Completed: End to end")
        term.child.send("\x11")  # ctrl+q: the summary's check-in boxes take plain keys
        term.child.expect(pexpect.EOF, timeout=10)
    finally:
        term.child.close(force=True)
    assert term.child.exitstatus == 0
    assert not any("Traceback" in screen for screen in term.seen)
