"""A countdown drawn in block digits that grow with the space they are given."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widget import Widget

# 3x5 bitmaps; each "#" becomes a block of 2*scale columns by scale rows (cells are tall).
_FONT = {
    "0": ("###", "# #", "# #", "# #", "###"),
    "1": (" # ", "## ", " # ", " # ", "###"),
    "2": ("###", "  #", "###", "#  ", "###"),
    "3": ("###", "  #", "###", "  #", "###"),
    "4": ("# #", "# #", "###", "  #", "  #"),
    "5": ("###", "#  ", "###", "  #", "###"),
    "6": ("###", "#  ", "###", "# #", "###"),
    "7": ("###", "  #", "  #", "  #", "  #"),
    "8": ("###", "# #", "###", "# #", "###"),
    "9": ("###", "# #", "###", "  #", "###"),
    ":": (" ", "#", " ", "#", " "),
    "+": ("   ", " # ", "###", " # ", "   "),
    "-": ("   ", "   ", "###", "   ", "   "),
    " ": ("  ", "  ", "  ", "  ", "  "),
}
ROWS = 5


def _pixels(text: str) -> list[str]:
    """The text as rows of '#' and ' ', one blank column between glyphs."""
    glyphs = [_FONT.get(ch, _FONT[" "]) for ch in text]
    return [" ".join(glyph[row] for glyph in glyphs) for row in range(ROWS)]


def render_big(text: str, width: int, height: int, max_scale: int = 4) -> str:
    """Block-digit text scaled to fit width x height; plain text if even scale 1 does not fit."""
    pixels = _pixels(text)
    columns = len(pixels[0])
    scale = min(max_scale, height // ROWS, width // (2 * columns)) if columns else 0
    if scale < 1:
        return text
    # Centred here, not by text-align: that trims each line's edge spaces first, which shifts
    # the rows of a glyph like "1" against each other.
    pad = " " * ((width - 2 * scale * columns) // 2)
    lines = []
    for row in pixels:
        line = pad + "".join(("█" if px == "#" else " ") * 2 * scale for px in row)
        lines += [line] * scale
    return "\n".join(lines)


class BigClock(Widget):
    """Shows a short time string (like 1:30) as large as fits; repaints only when it changes."""

    DEFAULT_CSS = """
    BigClock { height: 5; width: 1fr; content-align: left middle; text-wrap: nowrap; }
    """

    value: reactive[str] = reactive("", layout=False)

    def render(self) -> str:
        """The value in block digits sized to the widget."""
        return render_big(self.value, self.size.width, self.size.height)
