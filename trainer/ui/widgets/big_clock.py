"""A countdown drawn in block digits that grow with the space they are given."""

from __future__ import annotations

from functools import lru_cache

from rich.segment import Segment
from textual.app import ComposeResult
from textual.geometry import Region, Size
from textual.strip import Strip
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


def fit_scale(text: str, width: int, height: int, max_scale: int = 4) -> int:
    """The largest block size that fits the text in width x height (0: use plain text)."""
    columns = len(_pixels(text)[0])
    return max(0, min(max_scale, height // ROWS, width // (2 * columns))) if columns else 0


@lru_cache(maxsize=64)
def glyph_rows(char: str, scale: int, gap: bool = False) -> tuple[str, ...]:
    """One character in block digits, row by row (with a blank column before it if `gap`)."""
    if scale < 1:
        return (char,)
    rows = []
    for row in _FONT.get(char, _FONT[" "]):
        line = ((" " if gap else "") + row).replace("#", "█" * 2 * scale)
        rows += [line.replace(" ", " " * 2 * scale)] * scale
    return tuple(rows)


class Glyph(Widget):
    """One character of the clock: only the characters that change are redrawn.

    Drawn with the line API from cached rows: no markup or layout work on a tick. The block
    size is worked out while the clock's children are laid out, from the space the clock has,
    so the very first frame already shows the digits at their size.
    """

    DEFAULT_CSS = "Glyph { width: auto; height: auto; }"

    def __init__(self, char: str, gap: bool) -> None:
        super().__init__()
        self.char = char
        self.gap = gap
        self.scale = 0

    def _rows(self, char: str | None = None) -> tuple[str, ...]:
        return glyph_rows(self.char if char is None else char, self.scale, self.gap)

    def _fit(self, container: Size) -> None:
        """Take the block size that fits the whole clock text in the clock's space."""
        parent = self.parent
        text = parent.value if isinstance(parent, BigClock) else self.char
        self.scale = fit_scale(text, container.width, container.height)

    def render_line(self, y: int) -> Strip:
        """One row of the glyph in the widget's colours."""
        rows = self._rows()
        if y < len(rows):
            return Strip([Segment(rows[y], self.rich_style)], len(rows[y]))
        return Strip.blank(self.size.width, self.rich_style)

    def show(self, char: str) -> None:
        """Show another character, repainting only the rows that change (7 to 6: two of five).

        A plain method rather than a reactive: it runs every second, and the reactive
        machinery cost more than the repaint.
        """
        old, self.char = self.char, char
        if old == char:
            return
        before, after = self._rows(old), self._rows(char)
        if len(before) != len(after) or any(len(a) != len(b) for a, b in zip(before, after,
                                                                             strict=True)):
            self.refresh(layout=True)
            return
        width = self.size.width
        rows = [Region(0, y, width, 1) for y, (a, b) in enumerate(zip(before, after, strict=True))
                if a != b]
        if rows:
            self.refresh(*rows)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        """As wide as the glyph (layout asks this first, with the clock's size)."""
        self._fit(container)
        return max(len(line) for line in self._rows())

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """As tall as the glyph."""
        self._fit(container)
        return len(self._rows())


class BigClock(Widget):
    """A short time (like 1:30) in block digits as large as fits, one widget per character.

    A ticking clock changes one digit a second; redrawing just that glyph keeps the bytes sent
    to the terminal (over SSH) close to what a bare countdown writes.
    """

    DEFAULT_CSS = """
    BigClock { height: 5; width: 1fr; layout: horizontal; align: center middle; }
    """

    def __init__(self, value: str = "", *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.value = value
        # Kept rather than queried: a DOM query every second costs more than the tick itself.
        self._glyphs = self._make_glyphs(value)

    @staticmethod
    def _make_glyphs(text: str) -> list[Glyph]:
        return [Glyph(ch, gap=i > 0) for i, ch in enumerate(text)]

    def compose(self) -> ComposeResult:
        """A glyph per character of the starting value."""
        yield from self._glyphs

    def show(self, new: str) -> None:
        """Show another time: update the glyphs that changed (rebuilt if the length changes)."""
        if new == self.value:
            return
        self.value = new
        if len(self._glyphs) != len(new):
            self.remove_children()
            self._glyphs = self._make_glyphs(new)
            self.mount_all(self._glyphs)
            return
        for glyph, ch in zip(self._glyphs, new, strict=True):
            glyph.show(ch)
