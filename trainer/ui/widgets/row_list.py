"""A table of rows with a row cursor that renders only the lines on screen (Textual's line API).

It looks as a `DataTable` with `cursor_type="row"` and zebra stripes looks (the same styles,
cell for cell), but keeps no per-row state beyond the items it is given: showing other rows
is a list and a sum of heights, and a frame renders the rows in view, whatever their number.
A column either has a width, where longer cells wrap onto more lines, or is as wide as its
widest cell among the rows shown.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import ClassVar, NamedTuple

from rich._wrap import divide_line
from rich.cells import cell_len
from rich.console import Console
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.renderables.styled import Styled
from textual.scroll_view import ScrollView
from textual.strip import Strip

PADDING = 1  # cells of padding each side of every cell, as DataTable's default
_CONSOLE = Console(width=1 << 16)  # for the rare cell with a tab or a newline to wrap


class Column(NamedTuple):
    """A column: its heading, and a width (None: as wide as its widest cell)."""

    label: str
    width: int | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """A row: its key, its cells as plain text, and each cell's width in cells."""

    key: str
    cells: tuple[str, ...]
    widths: tuple[int, ...]


def lines_needed(text: str, width: int) -> int:
    """How many lines a cell wraps onto at this width, as Rich wraps it."""
    if "\t" in text or "\n" in text:
        return len(Text(text).wrap(_CONSOLE, width))
    return len(divide_line(text, width, fold=True)) + 1


class RowList(ScrollView, can_focus=True):
    """Rows under a heading, a cursor on one; Enter selects it."""

    ALLOW_SELECT = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Select", show=False),
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,ctrl+home", "first", "First", show=False),
        Binding("end,ctrl+end", "last", "Last", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "row-list--cursor", "row-list--header", "row-list--odd-row", "row-list--even-row"}
    # DataTable's own rules, under this widget's names.
    DEFAULT_CSS = """
    RowList {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        &:focus {
            background-tint: $foreground 5%;
            & > .row-list--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .row-list--header { background-tint: $foreground 5%; }
        }
        &:dark > .row-list--even-row { background: $surface-darken-1 40%; }
        & > .row-list--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .row-list--header { background: ansi_bright_blue; color: ansi_default; }
        & > .row-list--odd-row { }
        & > .row-list--even-row { background: $surface-lighten-1 50%; }
        & > .row-list--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    class Highlighted(Message):
        """The cursor moved onto a row."""

        def __init__(self, row_list: RowList, key: str) -> None:
            super().__init__()
            self.row_list = row_list
            self.key = key

        @property
        def control(self) -> RowList:
            return self.row_list

    class Selected(Highlighted):
        """Enter (or a click) on the row under the cursor."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.columns: list[Column] = []
        self.items: Sequence[Item] = ()
        self.cursor_row = 0
        self.header_height = 1
        self.lines_rendered = 0  # render work done, for tests and the bench
        self._widths: list[int] = []  # content width of each column
        self._starts: list[int] | None = None  # each row's first line; None: all one line
        self._heights: dict[tuple[str, int], int] = {}  # wrapped cells' line counts
        self._keys: dict[str, int] | None = None
        self._cells: dict[tuple[int, int, Style, Style], list[list[Segment]]] = {}
        self._styles: dict[str, Style] = {}

    # -- what is shown -------------------------------------------------------------------------

    def show(self, columns: Sequence[Column], items: Sequence[Item]) -> None:
        """Show these rows from the top, the cursor on the first (as a cleared DataTable)."""
        self.columns, self.items = list(columns), items
        self._keys = None
        self._cells.clear()
        self._widths = [len(column.label) for column in self.columns]
        self._starts = None
        self._measure(items)
        self.cursor_row = 0
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()

    def extend(self, items: Sequence[Item]) -> None:
        """More rows after those shown; the cursor and the scroll stay where they are."""
        first = len(self.items)
        self.items = [*self.items, *items]
        self._keys = None
        if self._measure(self.items[first:], first):
            self._cells.clear()  # a column widened: the cells drawn before move
        self.refresh()

    def _measure(self, items: Sequence[Item], first: int = 0) -> bool:
        """Column widths and row heights with these rows (from row `first`); True if wider."""
        widths = [column.width if column.width is not None else
                  max(self._widths[c], max((item.widths[c] for item in items), default=0))
                  for c, column in enumerate(self.columns)]
        wider, self._widths = widths != self._widths, widths
        heights: list[int] | None = None
        for c, column in enumerate(self.columns):
            if column.width is None:
                continue
            width = column.width
            for i, item in enumerate(items):
                if item.widths[c] > width:
                    if heights is None:
                        heights = [1] * len(items)
                    heights[i] = max(heights[i], self._lines(item.cells[c], width))
        if heights is not None or self._starts is not None:
            starts = self._starts if self._starts is not None else list(range(first + 1))
            base = starts[-1]
            self._starts = starts + [base + h for h in accumulate(heights or [1] * len(items))]
        total = len(self.items) if self._starts is None else self._starts[-1]
        size = Size(self._table_width(), total + self.header_height)
        if size != self.virtual_size:  # a new size lays the screen out again
            self.virtual_size = size
        return wider

    def _lines(self, text: str, width: int) -> int:
        """A wrapped cell's line count, remembered (widths change only with the terminal)."""
        key = (text, width)
        found = self._heights.get(key)
        if found is None:
            found = self._heights[key] = lines_needed(text, width)
        return found

    def _table_width(self) -> int:
        return sum(width + 2 * PADDING for width in self._widths)

    @property
    def row_count(self) -> int:
        """How many rows are shown."""
        return len(self.items)

    @property
    def rows(self) -> dict[str, int]:
        """Each shown row's position by key (for `key in rows`)."""
        if self._keys is None:
            self._keys = {item.key: i for i, item in enumerate(self.items)}
        return self._keys

    def get_row_index(self, key: str) -> int:
        """The position of the row with this key."""
        return self.rows[key]

    def get_row_at(self, index: int) -> list[str]:
        """The cells of the row at this position."""
        return list(self.items[index].cells)

    def get_row(self, key: str) -> list[str]:
        """The cells of the row with this key."""
        return list(self.items[self.rows[key]].cells)

    def row_height(self, index: int) -> int:
        """How many lines a row takes."""
        if self._starts is None:
            return 1
        return self._starts[index + 1] - self._starts[index]

    def column_widths(self) -> list[int]:
        """Each column's width on screen, padding included."""
        return [width + 2 * PADDING for width in self._widths]

    @property
    def current_key(self) -> str | None:
        """The key of the row under the cursor."""
        return self.items[self.cursor_row].key if self.items else None

    def move_cursor(self, *, row: int, animate: bool = False) -> None:
        """Put the cursor on a row (scrolled into view), saying so if it moved."""
        if not self.items:
            return
        row = max(0, min(row, len(self.items) - 1))
        moved = row != self.cursor_row
        self._refresh_row(self.cursor_row)
        self.cursor_row = row
        self._refresh_row(row)
        self._scroll_cursor_into_view(animate)
        if moved:
            self.post_message(self.Highlighted(self, self.items[row].key))

    # -- geometry ----------------------------------------------------------------------------

    def _row_top(self, index: int) -> int:
        return index if self._starts is None else self._starts[index]

    def _row_at(self, line: int) -> tuple[int, int]:
        """The row on a line of the rows (not counting the heading), and the line within it."""
        if self._starts is None:
            return line, 0
        index = bisect_right(self._starts, line) - 1
        return index, line - self._starts[index]

    def _refresh_row(self, index: int) -> None:
        if 0 <= index < len(self.items):
            top = self._row_top(index) + self.header_height - int(self.scroll_y)
            self.refresh(Region(0, top, self.size.width, self.row_height(index)))

    def _scroll_cursor_into_view(self, animate: bool = False) -> None:
        top = self._row_top(self.cursor_row) + self.header_height
        region = Region(int(self.scroll_x), top, self.size.width, self.row_height(self.cursor_row))
        self.scroll_to_region(region, animate=animate, spacing=Spacing(self.header_height, 0, 0, 0),
                              force=True)

    def notify_style_update(self) -> None:
        """A theme or pseudo-class change: cells are rendered again in the new styles."""
        self._forget_styles()
        super().notify_style_update()

    def _on_focus(self, event: events.Focus) -> None:
        self._forget_styles()

    def _on_blur(self, event: events.Blur) -> None:
        self._forget_styles()

    def _forget_styles(self) -> None:
        self._cells.clear()
        self._styles.clear()

    # -- rendering -----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """One line: the heading, a line of a row, or blank below the rows."""
        self.lines_rendered += 1
        width = self.size.width
        base = self.rich_style
        scroll_x = int(self.scroll_x)
        if y < self.header_height:
            segments = self._line(-1, 0)
        else:
            index, line = self._row_at(y - self.header_height + int(self.scroll_y))
            if not 0 <= index < len(self.items):
                return Strip.blank(width, base)
            segments = self._line(index, line)
        strip = Strip(segments)
        if scroll_x:
            strip = strip.crop(scroll_x, scroll_x + width)
        return strip.adjust_cell_length(width, base).simplify()

    def _style(self, part: str) -> Style:
        """A component's style, worked out once until the styles change."""
        found = self._styles.get(part)
        if found is None:
            if part == "row-list--cursor":
                found = self.get_component_rich_style(part)
            else:
                found = self.get_component_styles(part).rich_style
            self._styles[part] = found
        return found

    def _line(self, index: int, line: int) -> list[Segment]:
        """A line of a row (-1: the heading), each cell as DataTable renders it."""
        if index < 0:
            row_style = self._style("row-list--header")
        else:
            row_style = self._style("row-list--odd-row" if index % 2 else "row-list--even-row")
        cursor = index == self.cursor_row and index >= 0
        cursor_style = self._style("row-list--cursor") if cursor else Style()
        # The cursor's colour wins over the text's, as DataTable's default priority has it.
        post = Style.from_color(color=cursor_style.color)
        segments: list[Segment] = []
        for c, width in enumerate(self._widths):
            pre = row_style + Style.from_meta({"row": index, "column": c}) + cursor_style
            text = self.columns[c].label if index < 0 else self.items[index].cells[c]
            if index >= 0 and self.row_height(index) > 1 and (
                    self.items[index].widths[c] > width or "\t" in text):
                segments += self._wrapped(index, c, pre, post)[line]
            elif line:  # below a one-line cell in a row another cell wraps
                segments.append(Segment(" " * (width + 2 * PADDING), pre + post))
            else:
                # What Rich draws for a cell that fits, in one segment as DataTable's are
                # once simplified.
                room = width - (len(text) if text.isascii() else cell_len(text))
                segments.append(Segment(f"{' ' * PADDING}{text}{' ' * (room + PADDING)}",
                                        pre + post))
        extend = row_style + cursor_style + Style.from_meta(
            {"row": index, "column": 0, "out_of_bounds": True})
        segments.append(Segment(" " * max(0, self.size.width - self._table_width()), extend))
        return segments

    def _wrapped(self, index: int, column: int, pre: Style, post: Style) -> list[list[Segment]]:
        """A cell wrapped onto its row's lines, by Rich as DataTable does (remembered)."""
        key = (index, column, pre, post)
        found = self._cells.get(key)
        if found is None:
            width = self._widths[column] + 2 * PADDING
            options = self.app.console_options.update_dimensions(width, self.row_height(index))
            found = self.app.console.render_lines(
                Styled(Padding(Text(self.items[index].cells[column], end=""), (0, PADDING)),
                       pre_style=pre, post_style=post), options)
            if len(self._cells) > 4096:  # a long scroll: keep what is in view
                self._cells.clear()
            self._cells[key] = found
        return found

    # -- keys and the mouse ----------------------------------------------------------------------

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self.cursor_row + 1)

    def action_first(self) -> None:
        self.move_cursor(row=0)

    def action_last(self) -> None:
        self.move_cursor(row=len(self.items) - 1)

    def _page(self) -> int:
        """Rows in a page, counted from the cursor's height."""
        return max(1, self.scrollable_content_region.height - self.header_height)

    def action_page_down(self) -> None:
        target = self._row_at(self._row_top(self.cursor_row) + self._page())[0]
        self.move_cursor(row=min(target, len(self.items) - 1))

    def action_page_up(self) -> None:
        target = self._row_at(max(0, self._row_top(self.cursor_row) - self._page()))[0]
        self.move_cursor(row=target)

    def action_select_cursor(self) -> None:
        if self.items:
            self.post_message(self.Selected(self, self.items[self.cursor_row].key))

    async def _on_click(self, event: events.Click) -> None:
        row = event.style.meta.get("row")
        if not isinstance(row, int) or not 0 <= row < len(self.items):
            return
        event.stop()
        if row == self.cursor_row:
            self.action_select_cursor()
        else:
            self.move_cursor(row=row, animate=True)

