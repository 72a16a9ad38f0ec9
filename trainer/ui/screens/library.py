"""The home screen: routines and exercises, with details, a filter and the library's problems.

Routines are grouped by level, gentlest and shortest first; exercises by category, then level.
The name column takes the width the other columns leave and long names wrap onto a second line,
so the level stays on screen at every width the detail pane is shown at.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.events import Key, Resize
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
from trainer.ui.widgets.too_small import TooSmall


class LibraryScreen(Screen[None]):
    """Browse routines and exercises; Enter starts the selected routine."""

    # Quit first, as on the session screen: a narrow footer is cut on the right.
    BINDINGS = [
        Binding("q", "app.quit", "Quit", id="library.quit"),
        Binding("slash", "filter", "Filter", id="library.filter"),
        Binding("escape", "clear_filter", "Clear", id="library.clear_filter"),
        Binding("t", "toggle_tab", "Tab", id="library.tab"),
        Binding("e", "edit", "Edit", id="library.edit"),
        Binding("N", "new", "New", id="library.new"),
        Binding("D", "duplicate", "Copy", id="library.duplicate"),
        Binding("h", "app.history", "History", id="library.history"),
        Binding("exclamation_mark", "problems", "Problems", id="library.problems"),
    ]

    class Start(Message):
        """The person chose a routine to run."""

        def __init__(self, routine_id: str) -> None:
            super().__init__()
            self.routine_id = routine_id

    def __init__(self, library: Catalog) -> None:
        super().__init__()
        self.library = library
        # The width the tables get; 0 until the first layout (then names are not wrapped).
        self._table_width = 0
        self._kept: dict[str, str | None] = {}
        self._users: dict[str, list[str]] | None = None  # routines using each exercise

    def compose(self) -> ComposeResult:
        """Filter, problem count, tabs with a table and a detail pane each."""
        lib = self.library
        with Vertical(classes="body"):
            with Horizontal(id="library-top"):
                box = Input(placeholder="Filter: name, level, category…  ( / )", id="filter")
                box.cursor_blink = False  # a blink redraws twice a second: idle stays idle
                yield box
                count = len(lib.problems)
                yield Button(_problems_label(count), id="problems-button",
                             variant="warning", classes="" if count else "hidden")
            with TabbedContent(id="tabs"):
                with TabPane(_count("Routines", len(lib.routines)), id="routines-tab"), \
                        Horizontal(classes="browser"):
                    yield DataTable(id="routine-table", cursor_type="row", zebra_stripes=True)
                    with VerticalScroll(classes="detail"):
                        yield Static(id="routine-detail")
                with TabPane(_count("Exercises", len(lib.exercises)), id="exercises-tab"), \
                        Horizontal(classes="browser"):
                    yield DataTable(id="exercise-table", cursor_type="row", zebra_stripes=True)
                    with VerticalScroll(classes="detail"):
                        yield Static(id="exercise-detail")
        yield TooSmall()
        yield Footer()

    def on_mount(self) -> None:
        """Fill the tables and focus the routines."""
        self._fill("")
        self.query_one("#routine-table", DataTable).focus()
        self.call_after_refresh(self._fit)
        self.call_after_refresh(resume_collector)

    def on_resize(self, event: Resize) -> None:
        """Fit the name columns once the tables have their new width."""
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        """Refill the tables if the width they get has changed."""
        width = self._active_table().size.width
        if width and width != self._table_width:
            self._table_width = width
            self._fill(self.query_one("#filter", Input).value)

    def _name_width(self, names: list[str], others: list[int]) -> int | None:
        """The name column's width: the room left beside the other columns, None before layout."""
        if not self._table_width:
            return None
        # Room for the scrollbar is always kept, so a wrapped row cannot push the level off.
        padding = 2 * (len(others) + 1)
        room = self._table_width - 2 - padding - sum(others)
        longest = max((cell_len(name) for name in names), default=0)
        return max(10, min(longest, room))

    def _fill(self, query: str) -> None:
        """Show the rows matching every word of the filter."""
        words = query.lower().split()

        def matches(*fields: str) -> bool:
            haystack = " ".join(fields).lower()
            return all(word in haystack for word in words)

        lib = self.library
        # Gentlest and shortest first: "start slowly, increase gradually".
        routines = sorted(lib.routines.values(),
                          key=lambda r: (LEVELS.index(r.level), lib.timeline(r.id).total))
        times = {r.id: format_clock(lib.timeline(r.id).total) for r in routines}
        names = {r.id: self._marked(printable(r.name), "routine", r.id) for r in routines}
        table = self._reset("#routine-table")
        # Time first: the one figure a cut-off or wrapped cell would hurt most.
        table.add_column("Time", key="time")
        name_width = self._name_width(
            list(names.values()), [max(map(len, times.values()), default=4),
                                   max((len(r.level) for r in routines), default=5)])
        table.add_column("Routine", key="name", width=name_width)
        table.add_column("Level", key="level")
        shown = 0
        for routine in routines:
            if matches(routine.id, routine.name, routine.level, routine.summary,
                       " ".join(self._mix(routine.id))):
                table.add_row(times[routine.id], Text(names[routine.id]), routine.level,
                              key=routine.id, height=_height(names[routine.id], name_width))
                shown += 1
        self._count_tab("routines-tab", "Routines", shown, len(routines), words)
        routine_key = self._restore("#routine-table")

        exercises = sorted(lib.exercises.values(),
                           key=lambda e: (e.category, LEVELS.index(e.level)))
        ex_names = {e.id: self._marked(printable(e.name), "exercise", e.id) for e in exercises}
        table = self._reset("#exercise-table")
        name_width = self._name_width(
            list(ex_names.values()), [max((len(e.category) for e in exercises), default=8),
                                      max((len(e.level) for e in exercises), default=5)])
        table.add_column("Exercise", key="name", width=name_width)
        table.add_column("Category", key="category")
        table.add_column("Level", key="level")
        shown = 0
        for ex in exercises:
            if matches(ex.id, ex.name, ex.category, ex.level, ex.summary, " ".join(ex.muscles)):
                table.add_row(Text(ex_names[ex.id]), ex.category, ex.level, key=ex.id,
                              height=_height(ex_names[ex.id], name_width))
                shown += 1
        self._count_tab("exercises-tab", "Exercises", shown, len(exercises), words)
        exercise_key = self._restore("#exercise-table")
        self._show_routine(routine_key)
        self._show_exercise(exercise_key)

    def _marked(self, name: str, kind: str, item_id: str) -> str:
        """A name as listed: one not from the built-in library marked (• yours, ◦ a folder)."""
        where = _from(self.library, kind, item_id)
        if where == "built-in":
            return name
        return ("• " if where == "yours" else "◦ ") + name

    def _reset(self, selector: str) -> DataTable[str | Text]:
        """Empty a table (columns too, as their widths change), remembering its cursor's row."""
        table: DataTable[str | Text] = self.query_one(selector, DataTable)
        self._kept[selector] = self._current(selector)
        table.clear(columns=True)
        return table

    def _restore(self, selector: str) -> str | None:
        """Put the cursor back on the row it was on, if that row is still shown."""
        table = self.query_one(selector, DataTable)
        kept = self._kept.get(selector)
        if kept is not None and kept in table.rows:
            table.move_cursor(row=table.get_row_index(kept), animate=False)
        return self._current(selector)

    def _count_tab(self, pane: str, title: str, shown: int, total: int,
                   words: list[str]) -> None:
        """Say in the tab's title how many items the filter lets through."""
        tab = self.query_one(TabbedContent).get_tab(pane)
        label = _count(title, total, shown if words else None)
        if tab.label_text != label:  # a new label lays the tabs out again
            tab.label = label

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
                    f"{', '.join(self._mix(routine_id))}\n", style="dim")
        text.append(f"{routine_id} · {_from(self.library, 'routine', routine_id)}\n\n",
                    style="dim")
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
        text.append(" · ".join(facts) + "\n", style="dim")
        text.append(f"{ex.id} · {_from(self.library, 'exercise', ex.id)}\n\n", style="dim")
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
        if self._users is None:
            self._users = _used_by(self.library)
        users = self._users.get(ex.id, [])
        text.append("\nUsed by: ", style="bold")
        text.append(printable(", ".join(users)) if users else "no routine yet", style="dim")
        detail.update(text)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)
        self.refresh_bindings()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.set_focus(self._active_table())

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
        # At once, not after the keys already queued (Widget.focus waits): over a slow link
        # "/" and the next letters arrive together, and those letters belong in the box.
        self.set_focus(self.query_one("#filter", Input))

    def on_key(self, event: Key) -> None:
        """Letters that reach the screen while the filter box has focus belong in the box."""
        # They were sent on to the list before "/" moved the focus (keys that arrive together
        # over a slow link): without this, the "q" of "/quick" would quit the app.
        box = self.query_one("#filter", Input)
        if box.has_focus and event.is_printable and event.character:
            event.stop()
            event.prevent_default()
            box.insert_text_at_cursor(event.character)

    def action_clear_filter(self) -> None:
        """Empty the filter and go back to the list."""
        self.query_one("#filter", Input).value = ""
        self.set_focus(self._active_table())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Esc is offered only while there is a filter to clear or leave."""
        if action != "clear_filter":
            return True
        try:
            box = self.query_one("#filter", Input)
        except NoMatches:
            return False
        return bool(box.value) or box.has_focus

    def action_toggle_tab(self) -> None:
        """Switch between routines and exercises."""
        tabs = self.query_one(TabbedContent)
        tabs.active = "exercises-tab" if tabs.active == "routines-tab" else "routines-tab"
        self.set_focus(self._active_table())

    def action_problems(self) -> None:
        """Open the list of problems."""
        if self.library.problems or self.library.notes:
            self.app.push_screen(ProblemsScreen(self.library.problems, self.library.notes))
        else:
            self.notify("The library has no problems.", timeout=2)


    def show_library(self, library: Catalog) -> None:
        """The library read again (a file was saved): the same filter and selection, new rows."""
        self.library = library
        self._users = None
        self._fill(self.query_one("#filter", Input).value)
        count = len(library.problems)
        button = self.query_one("#problems-button", Button)
        button.label = _problems_label(count)
        button.set_class(not count, "hidden")

    # -- making and changing routines and exercises ----------------------------------------

    def _kind(self) -> str:
        """'routine' or 'exercise', by the tab shown."""
        tabs = self.query_one(TabbedContent)
        return "routine" if tabs.active == "routines-tab" else "exercise"

    def action_edit(self) -> None:
        """Edit the selected routine or exercise (someone else's as your own copy)."""
        kind = self._kind()
        item_id = self._current(f"#{kind}-table")
        if item_id is not None:
            self.edit(kind, item_id, "edit")

    def action_new(self) -> None:
        """Start a new routine or exercise."""
        self.edit(self._kind(), None, "new")

    def action_duplicate(self) -> None:
        """A copy of the selected routine or exercise under a new id."""
        kind = self._kind()
        item_id = self._current(f"#{kind}-table")
        if item_id is not None:
            self.edit(kind, item_id, "duplicate")

    @work(group="editor", exclusive=True)
    async def edit(self, kind: str, item_id: str | None, how: str) -> None:
        """Open the editor on a routine or exercise; show what was saved when it closes."""
        from trainer.ui.screens.editing import open_editor

        saved = await open_editor(self, kind, item_id, how)
        if saved is None:
            return
        reload = getattr(self.app, "reload_library", None)
        if callable(reload):
            self.library = reload()  # unchanged files come from the loader's cache
            self._users = None
        selector = f"#{kind}-table"
        self._fill(self.query_one("#filter", Input).value)
        table = self.query_one(selector, DataTable)
        if saved in table.rows:
            table.move_cursor(row=table.get_row_index(saved), animate=False)
        self.set_focus(table)


FROM = {"built-in": "built-in", "user": "yours", "library": "a --library folder"}


def _from(library: Catalog, kind: str, item_id: str) -> str:
    """Where an item comes from, in words: built-in, yours, a --library folder."""
    origin = library.origins.get((kind, item_id))
    return FROM.get(origin.source, origin.source) if origin is not None else "built-in"


def _used_by(library: Catalog) -> dict[str, list[str]]:
    """For each exercise id, the names of the routines that use it."""
    from trainer.library.loader import exercises_used

    users: dict[str, list[str]] = {}
    for routine in library.routines.values():
        for exercise in dict.fromkeys(exercises_used(routine, library.exercises)):
            users.setdefault(exercise.id, []).append(routine.name)
    return users


def _problems_label(count: int) -> str:
    """The problems button: '⚠ 2 problems'."""
    return f"⚠ {count} problem{'s' * (count != 1)}"


def _count(title: str, total: int, shown: int | None = None) -> str:
    """A tab title: "Routines (12)", or "Routines (3/12)" while a filter hides some."""
    return f"{title} ({total})" if shown is None else f"{title} ({shown}/{total})"


def _height(name: str, width: int | None) -> int | None:
    """A row's height: one line, or measured (None) when its name must wrap."""
    # Measuring renders every cell of the row, so only the rows that need it are measured.
    return 1 if width is None or cell_len(name) <= width else None
