"""History and progress: streak, minutes per day, routines, pain trend, suggestions, sessions."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Sparkline, Static

from trainer.history.charts import week_chart
from trainer.history.queries import progress
from trainer.history.store import History
from trainer.library.durations import format_clock
from trainer.safe_text import printable
from trainer.session.catalog import Catalog


class HistoryScreen(Screen[None]):
    """What has been done so far; Escape goes back."""

    BINDINGS = [Binding("escape,h,q", "app.pop_screen", "Back", id="history.back")]

    def __init__(self, history: History, library: Catalog, today: date) -> None:
        super().__init__()
        self.history = history
        self.library = library
        self.today = today

    def compose(self) -> ComposeResult:
        """Figures on the left, recent sessions on the right."""
        records, summary, names = progress(self.history, self.library, self.today)
        with Vertical(classes="body"):
            if not records:
                yield Static("No sessions yet. Pick a routine in the library to start one.",
                             id="history-empty")
            with Horizontal(id="history"):
                with VerticalScroll(id="history-figures"):
                    days = "day" if summary.streak == 1 else "days"
                    yield Static(f"Streak: {summary.streak} {days} (best {summary.best_streak})"
                                 f"\nThis week: {round(summary.week_minutes)} min in "
                                 f"{summary.week_sessions} sessions", classes="figure")
                    yield Static(f"Minutes per day, last {len(summary.days)} days",
                                 classes="heading")
                    yield Sparkline([minutes for _, minutes in summary.days], id="per-day")
                    yield Static("\n".join(week_chart(summary.weeks)), classes="figure")
                    yield Static(f"Pain: {summary.pain.reason}", classes="figure", markup=False)
                    # Names and ids come from the history and library files: shown safely.
                    lines = [f"{names.get(s.routine_id, s.routine_id)}: {s.reason}"
                             for s in summary.suggestions] + list(summary.notes)
                    if lines:
                        yield Static(printable("Suggestions\n" + "\n".join(lines)),
                                     classes="figure", markup=False)
                    counts: DataTable[str | int | Text] = DataTable(id="routine-counts",
                                                             cursor_type="none")
                    counts.add_columns("Routine", "Done", "Runs")
                    for count in summary.routines:
                        name = names.get(count.routine_id, count.routine_id)
                        counts.add_row(Text(printable(name)), count.completed, count.total)
                    yield counts
                sessions: DataTable[str | int | Text] = DataTable(id="sessions", cursor_type="row",
                                                     zebra_stripes=True)
                sessions.add_columns("Date", "Routine", "Status", "Time", "Pain", "Effort")
                for record in records[:200]:
                    checkin = record.checkin
                    sessions.add_row(
                        record.started_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                        Text(printable(record.routine_name)), record.status,
                        format_clock(record.active_seconds),
                        "" if checkin is None or checkin.pain is None else checkin.pain,
                        "" if checkin is None or checkin.effort is None else checkin.effort)
                yield sessions
        yield Static("Enlarge the terminal to at least 40 x 12", id="too-small")
        yield Footer()
