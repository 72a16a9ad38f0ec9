"""Desktop notifications as escape sequences: which one a terminal takes, and tmux and screen.

The sequence goes to the app's own terminal, so it travels over SSH like everything else drawn.
`auto` chooses from the environment, the first row that matches winning:

| the environment says                                | terminal                   | sends   |
|-----------------------------------------------------|----------------------------|---------|
| `WT_SESSION`, `ConEmuPID` or `TERM_PROGRAM=mintty`  | Windows Terminal, ConEmu, mintty | nothing |
| `KITTY_WINDOW_ID` or `TERM=xterm-kitty`             | kitty                      | OSC 99  |
| `TERM_PROGRAM=WezTerm` or `WEZTERM_PANE`            | WezTerm                    | OSC 777 |
| `TERM_PROGRAM=ghostty` or `TERM=xterm-ghostty`      | Ghostty                    | OSC 777 |
| `TERM_PROGRAM=iTerm.app` or `LC_TERMINAL=iTerm2`    | iTerm2                     | OSC 9   |
| `TERM=foot` or `foot-*`                             | foot                       | OSC 777 |
| `VTE_VERSION`                                       | GNOME Terminal, Tilix (VTE) | OSC 777 |
| `TERM=rxvt-unicode*`                                | urxvt (notify extension)   | OSC 777 |
| anything else                                       | unknown                    | nothing |

OSC 9 goes only to iTerm2: Windows Terminal, ConEmu and mintty read `OSC 9 ; N` as ConEmu's
commands (progress, working folder), and an unknown terminal might be one of them. An unknown
terminal gets nothing: name the protocol (`notify: osc777`) to send one anyway. Inside tmux
`TERM_PROGRAM` says `tmux`, so the outer terminal's own variables (KITTY_WINDOW_ID, WEZTERM_PANE,
VTE_VERSION, LC_TERMINAL, all inherited) decide there. Over SSH only TERM (and LC_* where the
client sends them) arrive: kitty, foot, Ghostty and iTerm2 are still recognised.

Inside tmux (TMUX set) the sequence is wrapped in DCS passthrough, `ESC P tmux ; ... ESC \\`
with every inner ESC doubled, which tmux forwards only with `allow-passthrough on`; inside GNU
screen (STY set) in `ESC P ... ESC \\`, in pieces of at most 768 bytes (screen's limit on one
string). A wrapped OSC ends in BEL: an inner `ESC \\` would end the wrapper instead. screen
keeps only the low byte of each character of such a string (U+2014 arrives as 0x14, U+011B as
ESC), so what goes through screen is made plain ASCII first.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from trainer.safe_text import printable

__all__ = ["PROTOCOLS", "SCREEN_LIMIT", "build", "choose", "clean", "notification",
           "passthrough_allowed", "wrap"]

PROTOCOLS = ("osc777", "osc99", "osc9")
ST = "\x1b\\"
BEL = "\x07"
SCREEN_LIMIT = 768  # bytes screen keeps of one DCS string; the rest would be cut off
KITTY_ID = "trainer"  # one id: each notification replaces the last rather than piling up
TMUX_TIMEOUT = 2.0

# C0, DEL and C1: removed outright (a notification has no use for a visible ^[).
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]+")
_SPACES = re.compile(r"\s+")


def clean(text: str, limit: int = 200) -> str:
    """The text safe inside an OSC: no control characters or `;`, one line, at most `limit`."""
    text = _CONTROLS.sub(" ", text)
    # printable shows what is left of the unsafe (bidi overrides, invisible characters).
    text = printable(text).replace(";", " ")
    text = _SPACES.sub(" ", text).strip()
    if len(text) > limit:
        text = text[:max(0, limit - 1)].rstrip() + "…"
    return text


# Dashes, the middle dot and curly quotes, which NFKD leaves as they are.
_ASCII = str.maketrans({"\u2014": "-", "\u2013": "-", "\u00b7": "-", "\u2019": "'",
                        "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def _ascii(text: str) -> str:
    """The text in plain ASCII: accents dropped, dashes and dots plain, anything else "?"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII))
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return letters.encode("ascii", "replace").decode("ascii")


def _is(env: Mapping[str, str], key: str, *values: str) -> bool:
    """Whether env[key] is one of the values (case-insensitive)."""
    return env.get(key, "").lower() in {v.lower() for v in values}


def _detect(env: Mapping[str, str]) -> str | None:
    """The protocol the terminal in this environment understands, or None (see the table)."""
    term = env.get("TERM", "").lower()
    if env.get("WT_SESSION") or env.get("ConEmuPID") or _is(env, "TERM_PROGRAM", "mintty"):
        return None
    if env.get("KITTY_WINDOW_ID") or term == "xterm-kitty":
        return "osc99"
    if _is(env, "TERM_PROGRAM", "WezTerm") or env.get("WEZTERM_PANE"):
        return "osc777"
    if _is(env, "TERM_PROGRAM", "ghostty") or term == "xterm-ghostty":
        return "osc777"
    if _is(env, "TERM_PROGRAM", "iTerm.app") or _is(env, "LC_TERMINAL", "iTerm2"):
        return "osc9"
    if term == "foot" or term.startswith("foot-"):
        return "osc777"
    if env.get("VTE_VERSION"):
        return "osc777"
    if term.startswith("rxvt-unicode"):
        return "osc777"
    return None


def choose(mode: str, env: Mapping[str, str]) -> str | None:
    """The protocol to send for a `notify` setting: a named one, auto's choice, or None."""
    if mode in PROTOCOLS:
        return mode
    if mode == "auto":
        return _detect(env)
    return None


def notification(protocol: str, title: str, body: str, *, terminator: str = ST) -> str:
    """One notification in a protocol (title and body already clean)."""
    end = terminator
    if protocol == "osc777":
        return f"\x1b]777;notify;{title};{body}{end}"
    if protocol == "osc99":
        if not body:
            return f"\x1b]99;i={KITTY_ID}:s=system:p=title;{title}{end}"
        # The title first (d=0: more to come), then the body. s=system asks kitty (0.36 and
        # later) for its notification sound; terminals that do not know the key ignore it.
        return (f"\x1b]99;i={KITTY_ID}:d=0:s=system:p=title;{title}{end}"
                f"\x1b]99;i={KITTY_ID}:d=1:s=system:p=body;{body}{end}")
    if protocol == "osc9":
        text = f"{title} · {body}" if title and body else title or body
        if text[:1].isdigit():
            text = "trainer: " + text  # `9;4...` would be ConEmu's progress command
        return f"\x1b]9;{text}{end}"
    raise ValueError(f"unknown protocol {protocol!r}")


def _screen_pieces(sequence: str) -> list[str]:
    """The sequence cut into pieces screen keeps whole, never between an ESC and what follows."""
    tokens = re.findall(r"\x1b.|.", sequence, re.DOTALL)
    room = SCREEN_LIMIT - 4  # each piece within the limit with its ESC P and ESC \ too
    pieces: list[str] = []
    current, size = "", 0
    for token in tokens:
        width = len(token.encode("utf-8", "surrogatepass"))
        if current and size + width > room:
            pieces.append(current)
            current, size = "", 0
        current += token
        size += width
    if current:
        pieces.append(current)
    return pieces


def wrap(sequence: str, env: Mapping[str, str]) -> str:
    """The sequence as tmux (TMUX set) or screen (STY set) passes it on; else unchanged."""
    if env.get("TMUX"):
        return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + ST
    if env.get("STY"):
        return "".join(f"\x1bP{piece}{ST}" for piece in _screen_pieces(sequence))
    return sequence


def build(mode: str, title: str, body: str, env: Mapping[str, str]) -> str | None:
    """The bytes to write for a notification under this setting and environment, or None."""
    protocol = choose(mode, env)
    if protocol is None:
        return None
    title, body = clean(title, 80), clean(body)
    if env.get("STY") and not env.get("TMUX"):
        title, body = _ascii(title), _ascii(body)
    wrapped = bool(env.get("TMUX") or env.get("STY"))
    sequence = notification(protocol, title, body, terminator=BEL if wrapped else ST)
    return wrap(sequence, env)


Runner = Callable[..., "subprocess.CompletedProcess[Any]"]


def passthrough_allowed(run: Runner = subprocess.run) -> bool | None:
    """Whether tmux forwards DCS passthrough (allow-passthrough on/all); None if unknown."""
    # tmux before 3.3 has no such option (and passes through anyway): that is None too.
    try:
        done = run(["tmux", "show", "-gv", "allow-passthrough"], stdin=subprocess.DEVNULL,
                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=TMUX_TIMEOUT,
                   check=False)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    if done.returncode != 0:
        return None
    out = done.stdout
    answer = (out.decode("utf-8", "replace") if isinstance(out, bytes) else str(out or ""))
    answer = answer.strip().lower()
    if answer in ("on", "all"):
        return True
    if answer == "off":
        return False
    return None
