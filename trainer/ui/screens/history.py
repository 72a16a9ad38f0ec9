"""History and progress as pictures: minutes per week, active days, pain and effort, sessions."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from datetime import date

from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from trainer.history.aggregates import latest_check_ins
from trainer.history.charts import check_in_lines, day_calendar, week_bars
from trainer.history.queries import Overview, overview
from trainer.history.records import PhaseRecord, SessionRecord
from trainer.history.store import History
from trainer.library.durations import format_clock
from trainer.safe_text import printable
from trainer.session.catalog import Catalog
from trainer.ui.widgets.row_list import Column, Item, RowList
from trainer.ui.widgets.too_small import TooSmall

WEEKS = 12  # of active days in the calendar
BAR_WEEKS = 8  # of minutes in the bar chart
CHECK_INS, MIN_CHECK_INS = 12, 5  # latest check-ins drawn: at most, and at least if any
CHECK_IN_HEADING = "Pain ● effort ○"
CHART_PADDING, CHART_GAP = 2, 3  # as in trainer.tcss: the row's padding, a chart's margin
NAME_WIDTH, NOTE_WIDTH = 28, 40  # characters of a routine name and a note in the table
# The sessions table is read a page (store.READ_BATCH, 200 sessions) at a time: the next page
# when the cursor comes within MORE_AHEAD rows of the end, or the table is scrolled to it.
MORE_AHEAD = 20

Page = Sequence[tuple[SessionRecord, Sequence[PhaseRecord]]]
Pages = Iterator[Page]


class HistoryScreen(Screen[None]):
    """What has been done so far; Escape goes back."""

    BINDINGS = [Binding("escape,h,q", "app.pop_screen", "Back", id="history.back")]

    def __init__(self, history: History, library: Catalog, today: date) -> None:
        super().__init__()
        self.history = history
        self.library = library
        self.today = today
        self._points: list[tuple[int | None, int | None]] | None = None  # None: not read yet
        self._pages: Pages | None = None
        # Read with SQL on a thread while the screen is built (about as long, at 50,000
        # sessions): the figures and only the sessions the table shows, any size of history.
        self._reading = asyncio.get_running_loop().run_in_executor(None, self._read)

    def _read(self) -> tuple[Overview, list[tuple[int | None, int | None]], Pages, Page | None]:
        """The figures, the latest check-ins and the first page of sessions (on a thread)."""
        pages = self.history.recent_batches()
        return (overview(self.history, self.library, self.today, WEEKS),
                latest_check_ins(self.history, CHECK_INS), pages, next(pages, None))

    def compose(self) -> ComposeResult:
        """Pictures of progress on top (weeks, days, check-ins), the sessions below."""
        with Vertical(classes="body"):
            yield Static("No sessions yet. Pick a routine in the library to start one.",
                         id="history-empty", classes="hidden")
            yield Static("", id="streak")
            program = self._program_line()
            if program:
                yield Static(printable(program), id="program-progress", markup=False)
            with Horizontal(id="history-charts"):
                with Vertical(classes="chart", id="week-chart"):
                    yield Static("Minutes per week", classes="heading")
                    yield Static("", classes="figure", id="week-bars")
                with Vertical(classes="chart", id="calendar-chart"):
                    yield Static(f"Active days, last {WEEKS} weeks", classes="heading")
                    yield Static("", classes="figure", id="calendar")
                with Vertical(classes="chart", id="check-in-chart"):
                    yield Static(CHECK_IN_HEADING, classes="heading")
                    # Drawn once the width is known (on_resize): as many as fit.
                    yield Static("", classes="figure", id="check-ins")
            yield Static("", id="suggestions", markup=False)
            yield RowList(id="sessions")
        yield TooSmall()
        yield Footer()

    async def on_mount(self) -> None:
        """Fill in what was read; read the next page when the table is scrolled to its end."""
        figures, self._points, self._pages, first = await self._reading
        summary, names = figures.summary, figures.names
        self.query_one("#history-empty").set_class(not figures.empty, "hidden")
        days = "day" if summary.streak == 1 else "days"
        self.query_one("#streak", Static).update(
            f"Streak {summary.streak} {days} (best {summary.best_streak}) · this week "
            f"{round(summary.week_minutes)} min in {summary.week_sessions} "
            f"session{'s' * (summary.week_sessions != 1)}")
        self.query_one("#week-bars", Static).update(
            "\n".join(week_bars(summary.weeks[-BAR_WEEKS:])))
        self.query_one("#calendar", Static).update(
            "\n".join(day_calendar(summary.days, self.today, WEEKS)))
        # Names and ids come from the history and library files: shown safely.
        lines = [f"Pain: {summary.pain.reason}"]
        lines += [f"{names.get(s.routine_id, s.routine_id)}: {s.reason}"
                  for s in summary.suggestions] + list(summary.notes)
        self.query_one("#suggestions", Static).update(printable("\n".join(lines)))
        sessions = self.query_one("#sessions", RowList)
        sessions.show(COLUMNS, _rows(first or ()))
        if first is None:
            self._pages = None
        self.watch(sessions, "scroll_y", lambda: self._near_end(sessions), init=False)
        self.on_resize()

    @on(RowList.Highlighted, "#sessions")
    def _cursor_moved(self, event: RowList.Highlighted) -> None:
        """Read the next page when the cursor comes near the end of the table."""
        table = event.row_list
        if table.cursor_row >= table.row_count - MORE_AHEAD:
            self._add_page(table)

    def _near_end(self, sessions: RowList) -> None:
        """Read the next page if the table shows its last rows."""
        if sessions.scroll_y >= sessions.max_scroll_y - MORE_AHEAD:
            self._add_page(sessions)

    def _add_page(self, sessions: RowList) -> None:
        """The next page of sessions (newest first) as rows, if there is one."""
        if self._pages is None:
            return
        page = next(self._pages, None)
        if page is None:
            self._pages = None  # all read
            return
        sessions.extend(_rows(page))

    def _program_line(self) -> str | None:
        """The program being followed: its stage, and what moving on waits for."""
        following = getattr(self.app, "following", None)
        found = following() if callable(following) else None
        if found is None:
            return None
        progress = found.progress
        return (f"{found.program.name}: week {progress.week(found.today)}, stage "
                f"{progress.stage + 1} of {len(found.program.stages)} ({progress.current.name});"
                f" next stage waits for {progress.waits_for(found.today)}")

    def on_resize(self) -> None:
        """As many pictures as fit side by side, none cut or wrapped: the weeks, the days, then
        as many of the latest check-ins as the room left holds (at least MIN_CHECK_INS)."""
        points = self._points
        if points is None:
            return  # nothing read yet: on_mount fits them once it has filled them in
        room = self.size.width - CHART_PADDING
        fits = True
        for name in ("#week-chart", "#calendar-chart"):
            chart = self.query_one(name, Vertical)
            width = max(len(line) for text in chart.query(Static)
                        for line in str(text.render()).splitlines())
            fits = fits and width <= room  # once one is left out, so are those after it
            chart.display = fits
            room -= width + CHART_GAP
        lines: list[str] = []
        if fits and room >= len(CHECK_IN_HEADING):
            for count in range(len(points), -1, -1):
                lines = check_in_lines(points[len(points) - count:])
                if max(map(len, lines)) <= room:
                    break
            if count < min(MIN_CHECK_INS, len(points)):
                lines = []
        self.query_one("#check-in-chart").display = bool(lines)
        if lines:
            self.query_one("#check-ins", Static).update("\n".join(lines))


COLUMNS = [Column(label) for label in
           ("Date", "Routine", "Status", "Time", "Pain", "Effort", "Note")]


def _rows(page: Page) -> list[Item]:
    """A page of sessions as the table's rows (names and notes come from files: shown safely)."""
    rows = []
    for record, _ in page:
        checkin = record.checkin
        cells = (record.started_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                 printable(record.routine_name[:NAME_WIDTH]), record.status,
                 format_clock(record.active_seconds),
                 "" if checkin is None or checkin.pain is None else str(checkin.pain),
                 "" if checkin is None or checkin.effort is None else str(checkin.effort),
                 printable(checkin.note[:NOTE_WIDTH]) if checkin else "")
        rows.append(Item(str(record.id), cells, tuple(map(cell_len, cells))))
    return rows
