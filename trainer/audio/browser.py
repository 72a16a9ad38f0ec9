"""Cues for an app served to a browser (`trainer serve`): a private escape sequence names each.

Under textual-serve the app's terminal is xterm.js in a web page, and the page, not this
machine, has the speakers. So the app plays nothing itself: it writes

    ESC ] 7746 ; trainer ; cue=NAME [; key=KEY] BEL

and the page's script (trainer/web/static/trainer.js) catches it with xterm.js's
`registerOscHandler(7746, ...)` and plays the cue. OSC 7746 is no known terminal's (xterm's
ctlseqs, VTE, kitty, iTerm2, WezTerm, foot, VS Code and ConEmu use 0-119, 133, 633, 777, 1337,
3008, 5113 and 5522), and terminals ignore OSC numbers they do not know, so a stray one is
harmless. NAME is one of the fixed cue names; KEY names the rendered sound (the cue at the
chosen volume, with its spoken line where there is one), a WAV this player writes into the
folder the server serves. The page plays that file when it can fetch it, else the shipped cue.

Textual's WebDriver wraps whatever `Driver.write` is given in a data packet that textual-serve
passes to the page's terminal byte for byte, so the sequence needs no other channel.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from trainer.audio.pcm import wav_bytes
from trainer.audio.players import Player, Sound
from trainer.audio.synth import CUE_NAMES

__all__ = ["OSC_NUMBER", "SERVED_ENV", "BrowserPlayer", "cue_sequence", "served_folder"]

OSC_NUMBER = 7746
# Set by `trainer serve` for the apps textual-serve starts: the folder of rendered sounds.
SERVED_ENV = "TRAINER_SERVED"
_KEY = re.compile(r"[0-9a-f]{1,64}")


def cue_sequence(cue: str, key: str | None = None) -> str:
    """The escape sequence naming a cue (and its rendered sound) for the served page."""
    if cue not in CUE_NAMES:
        raise ValueError(f"unknown cue '{cue}'")
    if key is not None and not _KEY.fullmatch(key):
        raise ValueError("a sound key is lower-case hex")
    tail = f";key={key}" if key else ""
    return f"\x1b]{OSC_NUMBER};trainer;cue={cue}{tail}\x07"


def served_folder(env: Mapping[str, str] | None = None) -> Path | None:
    """The folder the server serves rendered sounds from, when this app is served."""
    value = (os.environ if env is None else env).get(SERVED_ENV, "")
    path = Path(value)
    # Only an absolute folder that exists: anything else (a "1", a typo) means "served, but
    # the page plays the shipped cues".
    if value and path.is_absolute() and path.is_dir():
        return path
    return None


class BrowserPlayer(Player):
    """Names each cue to the browser page through `send` (the app's terminal output)."""

    name = "browser"

    def __init__(self, send: Callable[[str], None], folder: Path | None = None) -> None:
        self.send = send
        self.folder = folder
        self._written: set[str] = set()
        self._lock = threading.Lock()

    def _write(self, sound: Sound) -> bool:
        """The sound's WAV in the served folder (once per key); False if it cannot be."""
        if self.folder is None:
            return False
        if sound.key in self._written:
            return True
        # prepare() runs on a worker thread while play() may already run on the UI thread.
        with self._lock:
            if sound.key in self._written:
                return True
            path = self.folder / f"{sound.key}.wav"
            try:
                if not path.is_file():
                    tmp = path.with_name(f"{sound.key}.{os.getpid()}.part")
                    tmp.write_bytes(wav_bytes(sound.segment))
                    os.replace(tmp, path)  # the page never fetches a half-written file
            except OSError:
                return False  # the page plays the shipped cue instead
            self._written.add(sound.key)
            return True

    def prepare(self, sounds: Iterable[Sound]) -> None:
        """Write every rendered sound now, so the page can fetch it at the first cue."""
        for sound in sounds:
            self._write(sound)

    def play(self, sound: Sound) -> None:
        """Name the cue (and its rendered file) to the page."""
        if sound.name not in CUE_NAMES:
            return
        key = sound.key if self._write(sound) and _KEY.fullmatch(sound.key) else None
        self.send(cue_sequence(sound.name, key))
