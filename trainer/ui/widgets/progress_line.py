"""A one-line progress bar that is cheap to redraw: the session's phase and whole-session bars."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

BAR, HALF_LEFT, HALF_RIGHT = "━", "╺", "╸"


def bar_cells(width: int, fraction: float) -> tuple[str, str]:
    """The filled and unfilled parts of a bar `width` cells wide, to the half cell (rounded down).

    Drawn as Textual's own `ProgressBar` draws its bar, so it looks the same.
    """
    halves = int(max(0.0, min(1.0, fraction)) * width * 2)
    full, half = divmod(halves, 2)
    filled = BAR * full + (HALF_RIGHT if half else "")
    rest = width - full - half
    if half or rest == 0 or full == 0:
        return filled, BAR * rest
    return filled, HALF_LEFT + BAR * (rest - 1)


def _cells(width: int, fraction: float) -> list[tuple[str, bool]]:
    """Each cell of the bar: its character, and whether it is in the filled colour."""
    filled, rest = bar_cells(width, fraction)
    return [(ch, True) for ch in filled] + [(ch, False) for ch in rest]


class ProgressLine(Widget):
    """A thin bar showing a fraction, in its component class's colours.

    Textual's `ProgressBar` renders through Rich on every move (about a millisecond, and
    everything in its container is redrawn with it) and runs a one-second ETA timer; this
    draws one line from two strings and repaints only when the drawn half cell changes.
    """

    COMPONENT_CLASSES = {"progress-line--bar", "progress-line--complete"}

    DEFAULT_CSS = """
    ProgressLine {
        height: 1;
        & > .progress-line--bar { color: $primary; background: $surface; }
        & > .progress-line--complete { color: $success; background: $surface; }
    }
    """

    fraction: reactive[float] = reactive(0.0, repaint=False)

    def __init__(self, fraction: float = 0.0, *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.set_reactive(ProgressLine.fraction, fraction)

    def watch_fraction(self, old: float, new: float) -> None:
        """Repaint only if the bar would look different."""
        width = self.size.width
        if (old >= 1) != (new >= 1):
            self.refresh()
            return
        before, after = _cells(width, old), _cells(width, new)
        changed = [x for x, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
        if changed:  # only the cells between the old end and the new: a few bytes, not a line
            self.refresh(Region(changed[0], 0, changed[-1] + 1 - changed[0], 1))

    def render_line(self, y: int) -> Strip:
        """The bar: filled in the bar colour, the rest in its background colour."""
        width = self.size.width
        if y or not width:
            return Strip.blank(width, self.rich_style)
        part = "progress-line--complete" if self.fraction >= 1 else "progress-line--bar"
        colours = self.get_component_rich_style(part)
        base = self.rich_style
        filled, rest = bar_cells(width, self.fraction)
        segments = [Segment(filled, base + Style.from_color(colours.color)),
                    Segment(rest, base + Style.from_color(colours.bgcolor))]
        return Strip([s for s in segments if s.text], width)
