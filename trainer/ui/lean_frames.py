"""Partial screen updates written with fewer bytes: only the dirty cells, colour sent once per run.

Textual 8.2 writes a partial update (`ChopsUpdate.render_segments` in textual/_compositor.py)
chop by chop, a chop being the part of a line one widget covers. Each chop is written from its
left edge even when only cells further right changed, a chop that starts where the dirty span
ends still costs a cursor move, every line ends in a newline although each chop begins with an
absolute move, and every segment is written as `ESC[<style>m text ESC[0m`: a row of a big digit
or a progress bar sends its colours again for every piece. On a 200x60 terminal the session's
countdown wrote about seven times what a bare `Digits` countdown does (issue 18).

Here the same chops are written cropped to the dirty span on both sides (on the left only
between single-width characters, so a wide character is never split), a chop already at the
cursor needs no move and one near it a few steps rather than an absolute move, and a style is
sent only when it differs from the one in force (reset first, so no attribute leaks), with one
reset at the end of the update. What reaches the screen is the same cells in the same colours
(tests/test_lean_frames.py). Hyperlinked segments are written as Textual writes them.

Upstream, cropping chops on the left and carrying the style across segments would make this
module unnecessary: `install` would go.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.color import ColorSystem
from rich.console import Console
from textual._compositor import ChopsUpdate
from textual.strip import Strip

_ORIGINAL = ChopsUpdate.render_segments  # Textual's own, kept for comparison (tests)


def move(cursor: tuple[int, int], x: int, y: int) -> str:
    """The shortest way from the cursor to (x, y): absolute, or a few steps from where it is.

    Down is a vertical tab (a line feed that keeps the column: the tty maps only newlines, and
    moving down to a row on the screen never scrolls), left a backspace: a vertical stroke of a
    big digit is a column of short runs, each a step down and a few back from the last.
    """
    absolute = f"\x1b[{y + 1};{x + 1}H"
    cx, cy = cursor
    if cx < 0 or not 0 <= y - cy <= 2:  # unknown, or too far for steps to be shorter
        return absolute
    steps = "\v" * (y - cy)
    if x > cx:
        steps += f"\x1b[{x - cx}C" if x - cx > 1 else "\x1b[C"
    elif x < cx:
        steps += "\b" * (cx - x) if cx - x <= 4 else f"\x1b[{cx - x}D"
    return steps if len(steps) < len(absolute) else absolute


def render_segments(update: ChopsUpdate, console: Console) -> str:
    """The update as terminal sequences, cropped to its dirty spans, each style sent once."""
    color_system = console._color_system or ColorSystem.TRUECOLOR
    render_ansi, render_style = Strip.render_ansi, Strip.render_style
    out: list[str] = []
    append = out.append
    active = ""  # the SGR parameters in force: "" is the terminal's reset state
    cursor = (-1, -1)
    for y, x1, x2 in update.spans:
        line = update.chops[y]
        for end, (x, strip) in zip(update.chop_ends[y], line.items(), strict=False):
            if strip is None or x >= x2 or end <= x1:
                continue
            if end > x2:
                strip = strip.crop(0, x2 - x)
            pos = x
            for text, style, _ in strip._segments:
                width = cell_len(text)
                if pos + width <= x1:  # wholly left of the dirty span: unchanged on screen
                    pos += width
                    continue
                if pos < x1 and width == len(text):  # single-width cells: crop to the span
                    text, width, pos = text[x1 - pos:], width - (x1 - pos), x1
                if not text:
                    continue
                if cursor != (pos, y):
                    append(move(cursor, pos, y))
                if style is not None and style._link:
                    append(render_style(style, text, color_system))
                    active = ""  # Textual's own rendering ends in a reset
                else:
                    ansi = "" if style is None else (style._ansi
                                                     or render_ansi(style, color_system))
                    if ansi != active:
                        append(f"\x1b[0;{ansi}m" if ansi else "\x1b[0m")
                        active = ansi
                    append(text)
                pos += width
                # At the right edge the cursor waits to wrap: only an absolute move is sure.
                cursor = (pos, y) if pos < update.chop_ends[y][-1] else (-1, -1)
    if active:
        append("\x1b[0m")
    return "".join(out)


def install() -> None:
    """Write partial updates this way from now on (idempotent), on the Textual it was made for."""
    import textual

    # A private API: on another Textual than the one tested (8.x), Textual's own way stays.
    if textual.__version__.split(".")[0] != "8":
        return
    ChopsUpdate.render_segments = render_segments  # type: ignore[assignment,method-assign]
    from trainer.ui import dirty_rows

    dirty_rows.install()  # rendered on the changed rows only, then written lean
