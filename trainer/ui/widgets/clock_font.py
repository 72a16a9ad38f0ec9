"""The big clock's font: seven-segment strokes drawn in half blocks, at any whole scale.

A glyph is 6 units wide and 10 tall (a colon 2, a space 4; a unit is `scale` columns by `scale`
half rows, so square on a terminal whose cells are twice as tall as wide), with one blank
2-unit column before each glyph but the first. That is the size the 3x5 block font before it
had, so the clock is as large as it was; its strokes are one unit thick where that font's were
two. Half the stroke, a quarter of the area in ink: a tick rewrites far fewer cells (issue 18),
and half blocks give the horizontal strokes half a row of resolution.
"""

from __future__ import annotations

from functools import lru_cache

ROWS = 5  # character rows a glyph takes per unit of scale
GAP = 2  # units between glyphs

# Rectangles (x0, x1, y0, y1) in units; the middle bar straddles the glyph's centre line.
_A, _D, _G = (0, 6, 0, 1), (0, 6, 9, 10), (0, 6, 4.5, 5.5)
_F, _B = (0, 1, 0, 5.5), (5, 6, 0, 5.5)
_E, _C = (0, 1, 4.5, 10), (5, 6, 4.5, 10)
_SEGMENTS: dict[str, tuple[tuple[float, float, float, float], ...]] = {
    "0": (_A, _B, _C, _D, _E, _F),
    "1": (_B, _C),  # on the right, as on a clock: it shares its strokes with 0, 3, 4, 7, 8, 9
    "2": (_A, _B, _G, _E, _D),
    "3": (_A, _B, _G, _C, _D),
    "4": (_F, _B, _G, _C),
    "5": (_A, _F, _G, _C, _D),
    "6": (_A, _F, _G, _E, _C, _D),
    "7": (_A, _B, _C),
    "8": (_A, _B, _C, _D, _E, _F, _G),
    "9": (_A, _B, _C, _D, _F, _G),
    ":": ((0.5, 1.5, 2.5, 3.5), (0.5, 1.5, 6.5, 7.5)),
    "+": (_G, (2.5, 3.5, 2, 8)),
    "-": (_G,),
    " ": (),
}
_WIDTHS = {":": 2, " ": 4}
_HALVES = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def units_wide(text: str) -> int:
    """The text's width in units, gaps included."""
    if not text:
        return 0
    return sum(_WIDTHS.get(ch, 6) for ch in text) + GAP * (len(text) - 1)


def fit_scale(text: str, width: int, height: int, max_scale: int = 4) -> int:
    """The largest scale that fits the text in width x height (0: use plain text)."""
    units = units_wide(text)
    return max(0, min(max_scale, height // ROWS, width // units)) if units else 0


def _span(start: float, end: float, scale: int) -> range:
    """Units to whole columns (or half rows), rounding half up, never thinner than one."""
    first = int(start * scale + 0.5)
    return range(first, max(first + 1, int(end * scale + 0.5)))


@lru_cache(maxsize=64)
def glyph_rows(char: str, scale: int, gap: bool = False) -> tuple[str, ...]:
    """One character at `scale`, row by row (with the blank gap before it if `gap`)."""
    if scale < 1:
        return (char,)
    if char not in _SEGMENTS:
        char = " "
    width, lead = _WIDTHS.get(char, 6) * scale, (GAP * scale if gap else 0)
    ink = [[False] * width for _ in range(2 * ROWS * scale)]  # half rows
    for x0, x1, y0, y1 in _SEGMENTS[char]:
        for y in _span(y0, y1, scale):
            for x in _span(x0, x1, scale):
                ink[y][x] = True
    return tuple(" " * lead + "".join(_HALVES[top, bottom] for top, bottom in zip(
        ink[2 * row], ink[2 * row + 1], strict=True)) for row in range(ROWS * scale))
