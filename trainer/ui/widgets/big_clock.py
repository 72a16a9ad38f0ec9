"""A countdown in big digits (ui.widgets.clock_font) that grow with the space they are given."""

from __future__ import annotations

from functools import lru_cache

from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from trainer.ui.widgets.clock_font import fit_scale, glyph_rows

MOVE_BYTES = 9  # ESC [ row ; column H on a 200x60 terminal


def changed_runs(before: str, after: str) -> list[tuple[int, int]]:
    """The [start, end) column runs where two equal-length rows differ.

    Runs with fewer bytes than a cursor move (about 9) between them are one: rewriting those
    unchanged cells costs less than moving past them.
    """
    runs: list[tuple[int, int]] = []
    for x, (a, b) in enumerate(zip(before, after, strict=True)):
        if a == b:
            continue
        if runs and len(after[runs[-1][1]:x].encode()) < MOVE_BYTES:
            runs[-1] = (runs[-1][0], x + 1)
        else:
            runs.append((x, x + 1))
    return runs


@lru_cache(maxsize=256)
def changed_regions(before: str, after: str, scale: int,
                    gap: bool) -> tuple[Region, ...] | None:
    """The cells that differ between two characters drawn alike (None: their sizes differ).

    Kept: a ticking clock goes through the same few changes, and comparing every cell of a
    glyph at 200x60 was half of the session's own work on a tick (py-spy).
    """
    old, new = glyph_rows(before, scale, gap), glyph_rows(after, scale, gap)
    if len(old) != len(new) or any(len(a) != len(b) for a, b in zip(old, new, strict=True)):
        return None
    return tuple(Region(x1, y, x2 - x1, 1) for y, (a, b) in enumerate(zip(old, new, strict=True))
                 for x1, x2 in changed_runs(a, b))


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
        self._style: Style | None = None  # rich_style, kept until a restyle

    def _rows(self) -> tuple[str, ...]:
        return glyph_rows(self.char, self.scale, self.gap)

    def _fit(self, container: Size) -> None:
        """Take the block size that fits the whole clock text in the clock's space."""
        parent = self.parent
        text = parent.value if isinstance(parent, BigClock) else self.char
        self.scale = fit_scale(text, container.width, container.height)

    def notify_style_update(self) -> None:
        """Its styles or an ancestor's changed (a phase's colour): the kept style goes."""
        super().notify_style_update()
        self._style = None

    def render_line(self, y: int) -> Strip:
        """One row of the glyph in the widget's colours."""
        # Kept between restyles: rich_style walks every ancestor, and a tick repaints dozens of
        # rows at 200x60 (a fifth of the clock's rendering time, py-spy).
        style = self._style
        if style is None:
            style = self._style = self.rich_style
        rows = self._rows()
        if y < len(rows):
            return Strip([Segment(rows[y], style)], len(rows[y]))
        return Strip.blank(self.size.width, style)

    def show(self, char: str) -> None:
        """Show another character, repainting only the cells that change (7 to 6: a few runs).

        A plain method rather than a reactive: it runs every second, and the reactive
        machinery cost more than the repaint.
        """
        old, self.char = self.char, char
        if old == char:
            return
        regions = changed_regions(old, char, self.scale, self.gap)
        if regions is None:
            self.refresh(layout=True)
        elif regions:
            self.refresh(*regions)

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
