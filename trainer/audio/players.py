"""Players behind one small interface: bell, local (a player program), none, and recording (tests).

Playback never blocks and never writes to the terminal: a local player runs as a child process
in its own session with stdin, stdout and stderr on /dev/null (ALSA prints errors on fd 2, which
would land on the TUI). Finished children are reaped on every play() and poll(); a player that
exits non-zero, cannot start or hangs is reported once through `on_failure`, so the caller can
fall back to the bell.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
import time
import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trainer.audio.pcm import silent, wav_bytes
from trainer.config import AUDIO_MODES

__all__ = ["AUDIO_MODES", "LOCAL_PLAYERS", "BellPlayer", "LocalPlayer", "NonePlayer", "Player",
           "RecordingPlayer", "Sound", "bell_over_ssh", "choose_player", "find_local_player",
           "make_sound"]

# Argument lists after the program name; the sound file's path is appended.
LOCAL_PLAYERS: dict[str, tuple[str, ...]] = {
    "pw-play": (),
    "paplay": (),
    "aplay": ("-q",),
    "afplay": (),
    "ffplay": ("-nodisp", "-autoexit", "-loglevel", "quiet"),
}
PROBE_TIMEOUT = 5.0
HANG_GRACE = 10.0  # a child still running this long after its sound ended is stuck
# ffplay exits 0 even when it found no audio device; only its log says so.
_FFPLAY_NO_AUDIO = ("audio open failed", "could not open audio", "couldn't open audio")


@dataclass(frozen=True, eq=False)
class Sound:
    """A pre-rendered sound: the cue it stands for, the audio, and a content key."""

    name: str
    segment: Any
    key: str
    label: str = ""

    @property
    def seconds(self) -> float:
        """Length in seconds."""
        return len(self.segment) / 1000.0


def make_sound(name: str, segment: Any, label: str = "") -> Sound:
    """A Sound keyed by its content, so equal audio is written to disk once."""
    key = hashlib.blake2b(segment.raw_data, digest_size=10).hexdigest()
    return Sound(name, segment, key, label or name)


class Player(ABC):
    """Plays sounds without blocking; every player implements play()."""

    name = "player"

    # prepare, poll and close are optional hooks: most players have nothing to do there.
    def prepare(self, sounds: Iterable[Sound]) -> None:  # noqa: B027
        """Get ready to play these sounds quickly (e.g. write them to files)."""

    @abstractmethod
    def play(self, sound: Sound) -> None:
        """Start playing a sound and return at once."""

    def poll(self) -> None:  # noqa: B027
        """Notice finished or failed playback (cheap; call it now and then)."""

    def close(self) -> None:  # noqa: B027
        """Release what the player holds."""


class NonePlayer(Player):
    """Audio off."""

    name = "none"

    def play(self, sound: Sound) -> None:
        """Do nothing."""


class BellPlayer(Player):
    """Hands each cue to the UI, which rings the terminal bell (works over SSH) and flashes."""

    name = "bell"

    def __init__(self, ring: Callable[[str], None]) -> None:
        self.ring = ring

    def play(self, sound: Sound) -> None:
        """Ring for this cue."""
        self.ring(sound.name)


class RecordingPlayer(Player):
    """For tests: remembers (clock time, cue name) of every play, in order."""

    name = "recording"

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.played: list[tuple[float, str]] = []
        self.sounds: list[Sound] = []

    def play(self, sound: Sound) -> None:
        """Record the play."""
        self.played.append((self.clock(), sound.name))
        self.sounds.append(sound)

    @property
    def names(self) -> list[str]:
        """Cue names in the order played."""
        return [name for _, name in self.played]


@dataclass
class _Child:
    """A running player process and what it plays."""

    process: subprocess.Popen[bytes]
    sound: Sound
    started: float


class LocalPlayer(Player):
    """A player program (pw-play, paplay, aplay, afplay, ffplay) run once per sound."""

    def __init__(self, program: str, path: str, *,
                 on_failure: Callable[[str], None] | None = None,
                 args: Sequence[str] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.program = program
        self.path = path
        self.name = f"local: {program}"
        self.on_failure = on_failure
        self.args = tuple(args) if args is not None else LOCAL_PLAYERS.get(program, ())
        self.clock = clock
        self.failed: str | None = None
        self._children: list[_Child] = []
        self._files: dict[str, Path] = {}
        self._folder: Path | None = None
        self._lock = threading.Lock()

    def command(self, path: Path) -> list[str]:
        """The command line that plays one file."""
        return [self.path, *self.args, str(path)]

    def _file(self, sound: Sound) -> Path:
        """The sound's WAV file, written on first use into a private temp folder."""
        known = self._files.get(sound.key)
        if known is not None:
            return known
        # prepare() runs on a worker thread while play() may already run on the UI thread.
        with self._lock:
            known = self._files.get(sound.key)
            if known is not None:
                return known
            if self._folder is None:
                self._folder = Path(tempfile.mkdtemp(prefix="trainer-cues-"))
                # A player dropped without close() still leaves no files behind.
                weakref.finalize(self, shutil.rmtree, self._folder, True)
            path = self._folder / f"{sound.key}.wav"
            tmp = path.with_suffix(".part")
            tmp.write_bytes(wav_bytes(sound.segment))
            os.replace(tmp, path)  # a player never sees a half-written file
            self._files[sound.key] = path
            return path

    def prepare(self, sounds: Iterable[Sound]) -> None:
        """Write every sound's file now, so play() only starts a process."""
        for sound in sounds:
            self._file(sound)

    def play(self, sound: Sound) -> None:
        """Start the player on the sound's file; never blocks, never raises."""
        self.poll()
        try:
            path = self._file(sound)
            process = subprocess.Popen(
                self.command(path), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)
        except OSError as exc:
            self._fail(f"{self.program} could not start ({exc.strerror or exc})")
            return
        self._children.append(_Child(process, sound, self.clock()))

    def poll(self) -> None:
        """Reap finished children; report a failure (non-zero exit, hang) once."""
        now = self.clock()
        running: list[_Child] = []
        for child in self._children:
            code = child.process.poll()
            if code is None:
                if now - child.started > child.sound.seconds + HANG_GRACE:
                    child.process.kill()
                    child.process.wait()
                    self._fail(f"{self.program} hung playing '{child.sound.name}'")
                else:
                    running.append(child)
            elif code != 0:
                self._fail(f"{self.program} failed playing '{child.sound.name}' "
                           f"(exit status {code})")
        self._children = running

    @property
    def busy(self) -> int:
        """How many children are still playing."""
        self.poll()
        return len(self._children)

    def wait(self, timeout: float) -> bool:
        """Block until every child has finished (sound-test and tests only); False on timeout."""
        deadline = time.monotonic() + timeout
        for child in self._children:
            try:
                child.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                return False
        self.poll()
        return True

    def _fail(self, message: str) -> None:
        """Remember the first failure and tell the caller about it, once."""
        if self.failed is not None:
            return
        self.failed = message
        if self.on_failure is not None:
            self.on_failure(message)

    def close(self) -> None:
        """Reap what has finished and remove the temp files.

        Children still playing are left to finish (cutting off "Workout complete" would be
        rude): on POSIX a file that is open keeps playing after it is removed.
        """
        self.poll()
        with self._lock:
            if self._folder is not None:
                shutil.rmtree(self._folder, ignore_errors=True)
                self._folder = None
                self._files.clear()


def _probe(player: LocalPlayer) -> str | None:
    """Play a moment of silence; None if the player works, else why not."""
    folder = Path(tempfile.mkdtemp(prefix="trainer-probe-"))
    try:
        path = folder / "probe.wav"
        path.write_bytes(wav_bytes(silent(60)))
        argv = player.command(path)
        if player.program == "ffplay":
            argv = [player.path, "-nodisp", "-autoexit", "-loglevel", "error", str(path)]
        try:
            result = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, timeout=PROBE_TIMEOUT, check=False,
                                    start_new_session=True)
        except subprocess.TimeoutExpired:
            return f"{player.program} did not finish within {PROBE_TIMEOUT:.0f} s"
        except OSError as exc:
            return f"{player.program} could not start ({exc.strerror or exc})"
        if result.returncode != 0:
            return f"{player.program} exited with status {result.returncode}"
        log = result.stderr.decode("utf-8", "replace").lower()
        if player.program == "ffplay" and any(text in log for text in _FFPLAY_NO_AUDIO):
            return "ffplay found no audio device"
        return None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def find_local_player(candidates: Sequence[str] = tuple(LOCAL_PLAYERS), *,
                      search_path: str | None = None, probe: bool = True,
                      on_failure: Callable[[str], None] | None = None
                      ) -> tuple[LocalPlayer | None, str]:
    """The first candidate that exists and works (probed with silence), and why or why not.

    Probing runs the players, so it can take a moment: call it off the UI thread.
    """
    problems: list[str] = []
    for program in candidates:
        found = shutil.which(program, path=search_path)
        if not found:
            continue
        player = LocalPlayer(program, found, on_failure=on_failure)
        problem = _probe(player) if probe else None
        if problem is None:
            return player, f"local: {program}"
        problems.append(problem)
    if problems:
        return None, f"no local player works ({'; '.join(problems)})"
    return None, f"no local player found (tried {', '.join(candidates)})"


def bell_over_ssh(env: Mapping[str, str] | None = None) -> bool:
    """True over SSH (SSH_CONNECTION or SSH_TTY) unless PULSE_SERVER forwards audio."""
    env = os.environ if env is None else env
    over_ssh = bool(env.get("SSH_CONNECTION") or env.get("SSH_TTY"))
    return over_ssh and not env.get("PULSE_SERVER")


def choose_player(mode: str = "auto", *, ring: Callable[[str], None],
                  env: Mapping[str, str] | None = None,
                  on_failure: Callable[[str], None] | None = None,
                  candidates: Sequence[str] = tuple(LOCAL_PLAYERS),
                  probe: bool = True,
                  send: Callable[[str], None] | None = None) -> tuple[Player, str]:
    """The player for `--audio MODE` and a human reason, e.g. "bell: over SSH without PULSE_SERVER".

    auto: the browser page's sounds when `trainer serve` serves the app (and `send` writes to
    its terminal), else the bell over SSH unless PULSE_SERVER forwards audio, else the first
    local player that works, else the bell. local: a local player, or the bell (saying why) if
    none works.
    """
    env = os.environ if env is None else env
    if mode not in AUDIO_MODES:
        raise ValueError(f"unknown audio mode '{mode}'; use one of {', '.join(AUDIO_MODES)}")
    if mode == "none":
        return NonePlayer(), "none: audio off"
    bell = BellPlayer(ring)
    if mode == "bell":
        return bell, "bell: chosen with --audio bell"
    if mode == "auto" and send is not None:
        from trainer.audio.browser import SERVED_ENV, BrowserPlayer, served_folder

        # Before the SSH test: a server started from an SSH login still has a browser's speakers.
        if env.get(SERVED_ENV):
            return BrowserPlayer(send, served_folder(env)), "browser: served by `trainer serve`"
    if mode == "auto" and bell_over_ssh(env):
        return bell, "bell: over SSH without PULSE_SERVER"
    player, reason = find_local_player(candidates, search_path=env.get("PATH"), probe=probe,
                                       on_failure=on_failure)
    if player is not None:
        return player, reason
    return bell, f"bell: {reason}"

