"""One way out to a terminal for untrusted text: control and invisible characters shown visibly.

Routines are shared as files and shown on other people's terminals, often over SSH. A name that
holds `ESC ] 52 ; c ; ...` would write to the reader's clipboard, `ESC ] 0 ;` retitle the window,
a bidi override reorder what the line seems to say. Every string that came from a file, a file
name, the history or the environment passes `printable` before it is printed or shown.
"""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls; the bidi embeddings, overrides, isolates and
# marks; zero-width spaces and invisible operators; line and paragraph separators; lone
# surrogates (undecodable bytes in a file name). Joiners (U+200C, U+200D) stay: emoji and
# several scripts need them and they move nothing.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u180e\u200b\u200e\u200f\u2028-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]"
)


def _visible(match: re.Match[str]) -> str:
    """How one unsafe character is shown: ^[ for C0 and DEL, <U+202E> for the rest."""
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return "^" + chr(code + 0x40)
    if code == 0x7F:
        return "^?"
    if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's stand-in for an undecodable byte
        return f"<0x{code - 0xDC00:02X}>"
    return f"<U+{code:04X}>"


def printable(text: str) -> str:
    """The text with every control, bidi and invisible character shown visibly (^[, <U+202E>)."""
    return _UNSAFE.sub(_visible, text) if _UNSAFE.search(text) else text


def unsafe_char(text: str) -> str | None:
    """The first control, bidi or invisible character in the text, shown visibly; None if none."""
    match = _UNSAFE.search(text)
    return None if match is None else _visible(match)


def json_safe(text: str) -> str:
    """JSON text with each unsafe character as a \\u escape: the same data, safe to show."""
    # json.dumps already escapes C0; with ensure_ascii=False it leaves C1, bidi and the like raw.
    # Every unsafe character is in the Basic Multilingual Plane: one \\u escape each.
    # A search first: most text has none, and finding that is quicker than substituting nothing.
    return _UNSAFE.sub(_escaped, text) if _UNSAFE.search(text) else text


def _escaped(match: re.Match[str]) -> str:
    """One unsafe character as a JSON \\u escape."""
    return f"\\u{ord(match.group()):04x}"

