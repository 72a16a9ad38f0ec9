"""A real `trainer` in a pseudo-terminal: raw bytes kept, the screen emulated with pyte."""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import pexpect
import pyte

E2E_LIBRARY = Path(__file__).parent / "fixtures" / "e2elib"
# Text that must never reach the terminal: a player's or ALSA's complaints, a crash.
STRAY = (b"ALSA lib", b"Traceback", b"aplay", b"paplay", b"pw-play", b"ffplay", b"espeak",
         b"Exception", b"Unknown PCM")
# Operating system commands (title, pointer shape, ...) end in BEL too; those are not bells.
_OSC = re.compile(rb"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


def bare_bells(raw: bytes) -> list[int]:
    """Offsets of BEL bytes that ring (not those ending an escape sequence)."""
    masked = _OSC.sub(lambda m: b"\x00" * len(m.group()), raw)
    return [i for i, byte in enumerate(masked) if byte == 7]


def trainer_env(root: Path, **extra: str) -> dict[str, str]:
    """Environment for a trainer child: its own config (note acknowledged) and data folders."""
    config = root / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.yaml").write_text("acknowledged_safety: true\n")
    env = {k: v for k, v in os.environ.items()
           if k not in ("SSH_CONNECTION", "SSH_TTY", "SSH_CLIENT", "PULSE_SERVER", "PYTHONPATH")}
    env.update({"TERM": "xterm-256color", "TRAINER_CONFIG_DIR": str(config),
                "TRAINER_DATA_DIR": str(root / "data"), "TRAINER_CACHE_DIR": str(root / "cache"),
                "TRAINER_LIBRARY": ""})
    env.update(extra)
    return env


class Terminal:
    """A child process in a pty: every byte it wrote, and its screen as a terminal shows it."""

    def __init__(self, args: list[str], env: dict[str, str], size: tuple[int, int] = (80, 24),
                 watch: Iterable[str] = ()) -> None:
        self.screen = pyte.Screen(*size)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()
        self.screens: list[str] = []
        self.watching = list(watch)
        # needle -> how many bytes had been read when it first appeared on the screen
        self.first_seen: dict[str, int] = {}
        self.child = pexpect.spawn(args[0], args[1:], env=env, dimensions=(size[1], size[0]))

    @classmethod
    def trainer(cls, *args: str, env: dict[str, str], **kwargs: object) -> Terminal:
        """`python -m trainer ARGS --library <the e2e fixture>`."""
        return cls([sys.executable, "-m", "trainer", *args, "--library", str(E2E_LIBRARY)],
                   env, **kwargs)  # type: ignore[arg-type]

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def _read(self) -> None:
        """Read what is there (up to 0.2 s); raises pexpect.EOF when the child is gone."""
        try:
            chunk = self.child.read_nonblocking(65536, timeout=0.2)
        except pexpect.TIMEOUT:
            return
        self.raw += chunk
        self.stream.feed(chunk)
        text = self.text()
        self.screens.append(text)
        for needle in self.watching:
            if needle not in self.first_seen and needle in text:
                self.first_seen[needle] = len(self.raw)

    def wait_for(self, needle: str, timeout: float = 15.0) -> None:
        """Read until the screen shows `needle` (the app's own timing, not a sleep)."""
        if needle not in self.watching:
            self.watching.append(needle)
            if needle in self.text():
                self.first_seen[needle] = len(self.raw)
        deadline = time.monotonic() + timeout
        while needle not in self.first_seen:
            if time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} never appeared; screen:\n{self.text()}")
            try:
                self._read()
            except pexpect.EOF:
                raise AssertionError(f"exited before {needle!r}; screen:\n{self.text()}") from None

    def wait_gone(self, needle: str, timeout: float = 15.0) -> None:
        """Read until the screen no longer shows `needle`."""
        deadline = time.monotonic() + timeout
        while needle in self.text():
            if time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} never went away; screen:\n{self.text()}")
            try:
                self._read()
            except pexpect.EOF:
                raise AssertionError(f"exited while showing {needle!r}") from None

    def wait_exit(self, timeout: float = 10.0) -> int | None:
        """Read to the end and reap the child; its exit status (None if killed by a signal)."""
        deadline = time.monotonic() + timeout
        while True:
            if time.monotonic() > deadline:
                raise AssertionError(f"still running; screen:\n{self.text()}")
            try:
                self._read()
            except (pexpect.EOF, OSError):  # OSError: the pty was closed on our side
                break
        self.child.close()
        return self.child.exitstatus

    def hang_up(self, timeout: float = 10.0) -> None:
        """Close our end of the pty, as a dropped SSH connection does; wait for the child."""
        self.child.ptyproc.fileobj.close()
        deadline = time.monotonic() + timeout
        while self.child.isalive():
            if time.monotonic() > deadline:
                raise AssertionError("the child outlived its terminal")
            time.sleep(0.02)  # polling for the exit, not passing time

    def stray(self) -> list[str]:
        """Anything on the wire or on the screen that the app did not mean to draw."""
        found = [s.decode() for s in STRAY if s in self.raw]
        for needle in STRAY:
            if any(needle.decode() in screen for screen in self.screens):
                found.append(f"on screen: {needle.decode()}")
        return found

    def close(self) -> None:
        """Make sure the child is gone."""
        self.child.close(force=True)
