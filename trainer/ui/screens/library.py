"""The home screen: routines and exercises, with details, a filter and the library's problems."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Input, Static, TabbedContent, TabPane

from trainer.gc_pause import resume_collector
from trainer.library.durations import format_clock
from trainer.library.model import Exercise
from trainer.library.vocabulary import LEVELS
from trainer.safe_text import printable
from trainer.session.catalog import Catalog
from trainer.session.describe import category_mix
from trainer.ui.presenter import preview
from trainer.ui.screens.problems import ProblemsScreen


class LibraryScreen(Screen[None]):
    """Browse routines and exercises; Enter starts the selected routine."""

    BINDINGS = [
        Binding("slash", "filter", "Filter", id="library.filter"),
        Binding("t", "toggle_tab", "Routines/Exercises", id="library.tab"),
        Binding("exclamation_mark", "problems", "Problems", id="library.problems"),
        Binding("h", "app.history", "History", id="library.history"),
        Binding("q", "app.quit", "Quit", id="library.quit"),
    ]

    class Start(Message):
        """The person chose a routine to run."""

        def __init__(self, routine_id: str) -> None:
            super().__init__()
            self.routine_id = routine_id

    def __init__(self, library: Catalog) -> None:
        super().__init__()
        self.library = library

    def compose(self) -> ComposeResult:
        """Filter, problem count, tabs with a table and a detail pane each."""
        lib = self.library
        with Vertical(classes="body"):
            with Horizontal(id="library-top"):
                yield Input(placeholder="Filter: name, level, category…  ( / )", id="filter")
                count = len(lib.problems)
                yield Button(f"⚠ {count} problem{'s' * (count != 1)}", id="problems-button",
                             variant="warning", classes="" if count else "hidden")
            with TabbedContent(id="tabs"):
                with TabPane(f"Routines ({len(lib.routines)})", id="routines-tab"), \
                        Horizontal(classes="browser"):
                    yield DataTable(id="routine-table", cursor_type="row", zebra_stripes=True)
                    with VerticalScroll(classes="detail"):
                        yield Static(id="routine-detail")
                with TabPane(f"Exercises ({len(lib.exercises)})", id="exercises-tab"), \
                        Horizontal(classes="browser"):
                    yield DataTable(id="exercise-table", cursor_type="row", zebra_stripes=True)
                    with VerticalScroll(classes="detail"):
                        yield Static(id="exercise-detail")
        yield Static("Enlarge the terminal to at least 40 x 12", id="too-small")
        yield Footer()

    def on_mount(self) -> None:
        """Fill the tables and focus the routines."""
        routines = self.query_one("#routine-table", DataTable)
        # Time first: names can be long, and a cut-off time would be the worst loss.
        routines.add_columns("Time", "Routine", "Level")
        exercises = self.query_one("#exercise-table", DataTable)
        exercises.add_columns("Exercise", "Category", "Level")
        self._fill("")
        routines.focus()
        self.call_after_refresh(resume_collector)

    def _fill(self, query: str) -> None:
        """Show the rows matching every word of the filter."""
        words = query.lower().split()

        def matches(*fields: str) -> bool:
            haystack = " ".join(fields).lower()
            return all(word in haystack for word in words)

        lib = self.library
        table = self.query_one("#routine-table", DataTable)
        table.clear()
        # Gentlest and shortest first: "start slowly, increase gradually".
        ordered = sorted(lib.routines.values(),
                         key=lambda r: (LEVELS.index(r.level), lib.timeline(r.id).total))
        for routine in ordered:
            if matches(routine.id, routine.name, routine.level, routine.summary,
                       " ".join(self._mix(routine.id))):
                total = format_clock(lib.timeline(routine.id).total)
                table.add_row(total, Text(printable(routine.name)), routine.level, key=routine.id)
        table = self.query_one("#exercise-table", DataTable)
        table.clear()
        for ex in lib.exercises.values():
            if matches(ex.id, ex.name, ex.category, ex.level, ex.summary, " ".join(ex.muscles)):
                table.add_row(Text(printable(ex.name)), ex.category, ex.level, key=ex.id)
        self._show_routine(self._current("#routine-table"))
        self._show_exercise(self._current("#exercise-table"))

    def _current(self, selector: str) -> str | None:
        """The id of the row under the cursor."""
        table = self.query_one(selector, DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def _mix(self, routine_id: str) -> list[str]:
        """Categories of a routine, most time first."""
        return list(category_mix(self.library.timeline(routine_id), self.library.exercises))

    def _show_routine(self, routine_id: str | None) -> None:
        """The detail pane for a routine."""
        detail = self.query_one("#routine-detail", Static)
        if routine_id is None:
            detail.update("No routine matches the filter.")
            return
        routine = self.library.routines[routine_id]
        timeline = self.library.timeline(routine_id)
        text = Text()
        # Everything here but the figures comes from a library file: shown safely.
        text.append(f"{printable(routine.name)}\n", style="bold")
        text.append(f"{routine.level} · {format_clock(timeline.total)} · "
                    f"{', '.join(self._mix(routine_id))}\n\n", style="dim")
        if routine.summary:
            text.append(f"{printable(routine.summary)}\n\n")
        for heading, lines in preview(timeline):
            if heading:
                text.append(f"{heading}\n", style="bold")
            for line in lines:
                text.append(f"  {line}\n")
        text.append("\nEnter starts this routine.", style="italic")
        detail.update(text)

    def _show_exercise(self, exercise_id: str | None) -> None:
        """The detail pane for an exercise."""
        detail = self.query_one("#exercise-detail", Static)
        ex: Exercise | None = self.library.exercises.get(exercise_id or "")
        if ex is None:
            detail.update("No exercise matches the filter.")
            return
        text = Text()
        text.append(f"{printable(ex.name)}\n", style="bold")
        facts = [ex.category, ex.level, *(["each side"] if ex.sides == "each" else [])]
        text.append(" · ".join(facts) + "\n\n", style="dim")
        if ex.summary:
            text.append(f"{printable(ex.summary)}\n\n")
        for i, step in enumerate(ex.instructions, 1):
            text.append(f"{i}. {printable(step)}\n")
        if ex.cues:
            text.append("\nCues: ", style="bold")
            text.append(printable(" · ".join(ex.cues)) + "\n")
        if ex.safety:
            text.append("\nSafety: ", style="bold")
            text.append(f"{printable(ex.safety)}\n")
        if ex.muscles:
            text.append(f"\nMuscles: {printable(', '.join(ex.muscles))}\n", style="dim")
        if ex.equipment:
            text.append(f"Equipment: {printable(', '.join(ex.equipment))}\n", style="dim")
        detail.update(text)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self._active_table().focus()

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = str(event.row_key.value)
        if event.data_table.id == "routine-table":
            self._show_routine(key)
        else:
            self._show_exercise(key)

    @on(DataTable.RowSelected, "#routine-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.post_message(self.Start(str(event.row_key.value)))

    @on(Button.Pressed, "#problems-button")
    def _problems_pressed(self) -> None:
        self.action_problems()

    def _active_table(self) -> DataTable[str]:
        """The table on the visible tab."""
        tabs = self.query_one(TabbedContent)
        selector = "#routine-table" if tabs.active == "routines-tab" else "#exercise-table"
        return self.query_one(selector, DataTable)

    def action_filter(self) -> None:
        """Focus the filter box."""
        self.query_one("#filter", Input).focus()

    def action_toggle_tab(self) -> None:
        """Switch between routines and exercises."""
        tabs = self.query_one(TabbedContent)
        tabs.active = "exercises-tab" if tabs.active == "routines-tab" else "routines-tab"
        self._active_table().focus()

    def action_problems(self) -> None:
        """Open the list of problems."""
        if self.library.problems or self.library.notes:
            self.app.push_screen(ProblemsScreen(self.library.problems, self.library.notes))
        else:
            self.notify("The library has no problems.", timeout=2)
