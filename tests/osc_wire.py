"""Notifications read back out of the raw bytes a terminal received (tmux and screen unwrapped)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ptyterm import Terminal

# The e2e routine's moments that notify: the hold's start, the work after the rest, the end.
E2E_MOMENTS = [("Hold: Wall lean", "2 seconds"), ("Rest over — next: Easy march", "2 seconds"),
               ("Session complete: End to end", "Well done.")]
PHASE_WORDS = ("GET READY", "HOLD", "REST", "WORK", "Well done.")
FOCUS_OUT = "\x1b[O"  # what a terminal with focus reporting sends when its window loses focus

_TMUX = re.compile(r"\x1bPtmux;((?:\x1b\x1b|[^\x1b])*)\x1b\\", re.DOTALL)
_SCREEN = re.compile(r"\x1bP(?!tmux;)((?:\x1b[^\\]|[^\x1b])*)\x1b\\", re.DOTALL)
_OSC = re.compile(r"\x1b\](777|99|9);([^\x07\x1b]*)(\x07|\x1b\\)")


@dataclass(frozen=True)
class Seen:
    """One notification sequence found on the wire."""

    code: str  # "777", "99" or "9"
    payload: str  # what follows "CODE;"
    terminator: str  # BEL or ST
    wrapper: str  # "tmux", "screen" or ""


def _seen(osc: re.Match[str], wrapper: str) -> Seen:
    """One match as a Seen."""
    return Seen(osc.group(1), osc.group(2), osc.group(3), wrapper)


def notifications(raw: bytes) -> list[Seen]:
    """Every OSC 777, 99 and 9 in the bytes, in order, out of their tmux or screen wrapping."""
    text = raw.decode("utf-8", "replace")
    found: list[tuple[int, Seen]] = []
    for wrapper, pattern in (("tmux", _TMUX), ("screen", _SCREEN)):
        for match in pattern.finditer(text):
            inner = match.group(1)
            if wrapper == "tmux":
                inner = inner.replace("\x1b\x1b", "\x1b")
            for osc in _OSC.finditer(inner):
                found.append((match.start(), _seen(osc, wrapper)))
        text = pattern.sub(lambda m: "\x00" * len(m.group()), text)  # offsets kept
    for osc in _OSC.finditer(text):
        found.append((osc.start(), _seen(osc, "")))
    return [seen for _, seen in sorted(found, key=lambda pair: pair[0])]


def run_unfocused(term: Terminal, *, focus_out: bool = True) -> int | None:
    """Follow the e2e routine to its end, the terminal losing focus as it starts; quit."""
    term.wait_for(PHASE_WORDS[0], timeout=30)
    if focus_out:
        term.child.send(FOCUS_OUT)
    for word in PHASE_WORDS[1:]:
        term.wait_for(word, timeout=30)
    term.child.send("\x11")  # ctrl+q (sent after the end: a key would mean focus is back)
    return term.wait_exit(timeout=20)
