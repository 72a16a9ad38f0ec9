"""The home screen: routines and exercises, with details, a filter and the library's problems.

Routines are grouped by level, gentlest and shortest first; exercises by category, then level.
The name column takes the width the other columns leave and long names wrap onto a second line,
so the level stays on screen at every width the detail pane is shown at.

The lists are drawn from the library's index (trainer.session.library_index) by a `RowList`,
which renders only the rows on screen, and the filter searches the index's text: a keystroke
costs the same with 100 rows as with 20,000. `trainer` hands the screen the index saved by
the last full load and no library: the first frame is drawn from it, and the library is
loaded and validated in a worker, then shown (with its problem count) when it is ready.
"""

from __future__ import annotations

import gc
from bisect import bisect_left
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

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
from textual.timer import Timer
from textual.widgets import Button, Footer, Input, Static, TabbedContent, TabPane

from trainer.gc_pause import resume_collector
from trainer.library.durations import format_clock
from trainer.remind.state import describe_next, read_state
from trainer.safe_text import printable
from trainer.session.library_index import LibraryIndex, Row, build, matching
from trainer.ui.widgets.row_list import Column, Item, RowList
from trainer.ui.widgets.too_small import TooSmall

if TYPE_CHECKING:  # the validator (pydantic): not imported for a first frame drawn from the index
    from trainer.library.model import Exercise
    from trainer.session.catalog import Catalog


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
        Binding("S", "safety", "Safety", id="library.safety"),
    ]

    class Start(Message):
        """The person chose a routine to run."""

        def __init__(self, routine_id: str) -> None:
            super().__init__()
            self.routine_id = routine_id

    def __init__(self, library: Catalog | None, *, index: LibraryIndex | None = None,
                 load: Callable[[], Awaitable[Catalog]] | None = None) -> None:
        """A loaded library; or none yet, its index and how to load it (`trainer`'s start)."""
        super().__init__()
        self.library = library
        if index is None:
            assert library is not None, "a library or its index"
            index = build(library)
        self._load = load
        self._lists = _Lists(index)
        self._filtered = False  # whether the filter box holds text
        # What each detail pane shows (kind, id, library): a keystroke that keeps the row
        # under the cursor does not lay the pane out again.
        self._detail: dict[str, tuple[str | None, Catalog | None]] = {}
        # The width the tables get; 0 until the first layout (then names are not wrapped).
        self._table_width = 0
        self._kept: dict[str, str | None] = {}
        self._users: dict[str, list[str]] | None = None  # routines using each exercise
        self._reminder_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        """Filter, problem count, tabs with a table and a detail pane each."""
        with Vertical(classes="body"):
            with Horizontal(id="library-top"):
                # No select-all on focus: letters typed with "/" are in the box by then, and
                # the next letter would replace them.
                box = Input(placeholder="Filter: name, level, category…  ( / )", id="filter",
                            select_on_focus=False)
                box.cursor_blink = False  # a blink redraws twice a second: idle stays idle
                yield box
                if self._lists.index.problems:
                    # Only with problems to show: Button's styles are the most to parse (~4 ms).
                    yield _problems_button(self._lists.index.problems)
            yield Static(id="next-reminder", classes="hidden", markup=False)  # names from files
            yield Static(id="today", classes="hidden", markup=False)
            with TabbedContent(id="tabs"):
                with TabPane(_count("Routines", len(self._lists.routines)), id="routines-tab"), \
                        Horizontal(classes="browser"):
                    yield RowList(id="routine-table")
                    with VerticalScroll(classes="detail"):
                        yield Static(id="routine-detail")
                with TabPane(_count("Exercises", len(self._lists.exercises)),
                             id="exercises-tab"), Horizontal(classes="browser"):
                    yield RowList(id="exercise-table")
                    with VerticalScroll(classes="detail"):
                        yield Static(id="exercise-detail")
        yield TooSmall()
        yield Footer()

    def on_mount(self) -> None:
        """Fill the tables and focus the routines."""
        self._fill("")
        # A watcher, not Input.Changed: the message reaches the screen after the box's own
        # frame, and the rows would follow a frame later (a frame is 1/60 s at the soonest).
        self.watch(self.query_one("#filter", Input), "value", self._filter_changed, init=False)
        self.query_one("#routine-table", RowList).focus()
        self.call_after_refresh(self._fit)
        self.call_after_refresh(resume_collector)
        self.show_reminder()
        self.watch(self.app, "app_focus", self._app_focus, init=False)
        if self.library is None:
            self.call_after_refresh(self._load_library)
        else:
            # After the first frame: it opens the history, which the first frame does not need.
            self.call_after_refresh(self.show_today)

    @work(group="library-load", exclusive=True)
    async def _load_library(self) -> None:
        """Load and validate the library off the event loop, then show it in place."""
        import asyncio

        assert self._load is not None
        library = await self._load()
        index = await asyncio.to_thread(build, library)  # every routine's timeline: a while
        self.show_library(library, index)
        # Loaded after the first frame froze start-up's objects (trainer.gc_pause): the
        # library lives as long, and a collector walking it would stall keystrokes.
        gc.freeze()

    def on_screen_resume(self) -> None:
        """Back from a session or an editor: today's line may have moved on."""
        if self.is_mounted and self.library is not None:
            self.show_today()

    def show_today(self) -> None:
        """The program's line for today; its routine selected, so Enter starts it."""
        following = getattr(self.app, "following", None)
        found = following() if callable(following) else None
        line = self.query_one("#today", Static)
        line.set_class(found is None, "hidden")
        if found is None:
            return
        due = found.next_due
        line.update(printable(f"Today: {found.headline()}"
                              + ("  (Enter starts it)" if due else "")))
        table = self.query_one("#routine-table", RowList)
        if due is not None and due.routine_id in table.rows:
            table.move_cursor(row=table.get_row_index(due.routine_id), animate=False)

    def _app_focus(self, focused: bool) -> None:
        """Back in the terminal: the reminder loop may have started or stopped meanwhile."""
        if focused:
            self.show_reminder()

    def show_reminder(self) -> None:
        """The running `trainer remind`'s next due time, read again only when that time comes."""
        # One timer and no polling: an idle library screen writes nothing. The file is read
        # at mount, just after each due time (the loop has written the next one by then) and
        # when the terminal regains focus.
        if self._reminder_timer is not None:
            self._reminder_timer.stop()
            self._reminder_timer = None
        state = read_state()
        now = datetime.now().astimezone()
        text = describe_next(state, now)
        line = self.query_one("#next-reminder", Static)
        line.update(printable(text or ""))
        line.set_class(text is None, "hidden")
        if state is not None and state.due is not None:
            wait = max(0.0, (state.due - now).total_seconds()) + REMINDER_REREAD
            self._reminder_timer = self.set_timer(wait, self.show_reminder)

    def on_resize(self, event: Resize) -> None:
        """Fit the name columns once the tables have their new width."""
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        """Refill the tables if the width they get has changed."""
        width = self._active_table().size.width
        if width and width != self._table_width:
            self._table_width = width
            self._fill(self.query_one("#filter", Input).value)

    def _name_width(self, longest: int, others: list[int]) -> int | None:
        """The name column's width: the room left beside the other columns, None before layout."""
        if not self._table_width:
            return None
        # Room for the scrollbar is always kept, so a wrapped row cannot push the level off.
        padding = 2 * (len(others) + 1)
        room = self._table_width - 2 - padding - sum(others)
        return max(10, min(longest, room))

    def _fill(self, query: str) -> None:
        """Show the rows matching every word of the filter."""
        lists = self._lists
        words = query.split()
        # Time first: the one figure a cut-off or wrapped cell would hurt most.
        name_width = self._name_width(lists.longest[0], [lists.widest[0][0], lists.widest[0][2]])
        shown = self._show("#routine-table", lists.routines, lists.index.routines, query,
                           [Column("Time"), Column("Routine", name_width), Column("Level")])
        self._count_tab("routines-tab", "Routines", shown, len(lists.routines), words)
        name_width = self._name_width(lists.longest[1], [lists.widest[1][1], lists.widest[1][2]])
        shown = self._show("#exercise-table", lists.exercises, lists.index.exercises, query,
                           [Column("Exercise", name_width), Column("Category"), Column("Level")])
        self._count_tab("exercises-tab", "Exercises", shown, len(lists.exercises), words)
        self._show_routine(self._current("#routine-table"))
        self._show_exercise(self._current("#exercise-table"))

    def _show(self, selector: str, items: list[Item], rows: Sequence[Row], query: str,
              columns: list[Column]) -> int:
        """Put the matching rows in a list, its cursor kept on its row if that is still shown."""
        table = self.query_one(selector, RowList)
        kept = table.current_key
        picked = self._lists.matching(selector, rows, query)
        table.show(columns, [items[i] for i in picked])
        # The rows keep the index's order: the kept row's place among them, by bisection.
        where = self._lists.position(selector, items, kept)
        at = bisect_left(picked, where) if where is not None else len(picked)
        if at < len(picked) and picked[at] == where:
            table.move_cursor(row=at, animate=False)
        return table.row_count

    def _count_tab(self, pane: str, title: str, shown: int, total: int,
                   words: list[str]) -> None:
        """Say in the tab's title how many items the filter lets through."""
        tab = self.query_one(TabbedContent).get_tab(pane)
        label = _count(title, total, shown if words else None)
        if tab.label_text != label:  # a new label lays the tabs out again
            tab.label = label

    def _current(self, selector: str) -> str | None:
        """The id of the row under the cursor."""
        return self.query_one(selector, RowList).current_key

    def _mix(self, routine_id: str) -> list[str]:
        """Categories of a routine, most time first."""
        from trainer.session.describe import category_mix  # timelines: once a library is loaded

        assert self.library is not None
        return list(category_mix(self.library.timeline(routine_id), self.library.exercises))

    def _unchanged(self, kind: str, item_id: str | None) -> bool:
        """True if the pane already shows this item of this library (else it is noted)."""
        before = self._detail.get(kind)
        if before is not None and before[0] == item_id and before[1] is self.library:
            return True
        self._detail[kind] = (item_id, self.library)
        return False

    def _show_routine(self, routine_id: str | None) -> None:
        """The detail pane for a routine."""
        if self._unchanged("routine", routine_id):
            return
        detail = self.query_one("#routine-detail", Static)
        if routine_id is None:
            detail.update("No routine matches the filter.")
            return
        if self.library is None:  # drawn from the index: the rest once the library is loaded
            row = self._lists.routine(routine_id)
            text = Text()
            text.append(f"{printable(row.name)}\n", style="bold")
            text.append(printable(f"{row.level} · {format_clock(row.seconds)} · {row.mix}\n"),
                        style="dim")
            text.append(printable(f"{row.id} · {_said(row.origin)}\n\n"), style="dim")
            text.append("Loading the library…", style="italic")
            detail.update(text)
            return
        from trainer.ui.presenter import preview  # not needed to draw from the index

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
        if self._unchanged("exercise", exercise_id):
            return
        detail = self.query_one("#exercise-detail", Static)
        if self.library is None and exercise_id is not None:
            row = self._lists.exercise(exercise_id)
            text = Text()
            text.append(f"{printable(row.name)}\n", style="bold")
            text.append(printable(f"{row.category} · {row.level}\n"), style="dim")
            text.append(printable(f"{row.id} · {_said(row.origin)}\n\n"), style="dim")
            text.append("Loading the library…", style="italic")
            detail.update(text)
            return
        ex: Exercise | None = (self.library.exercises.get(exercise_id or "")
                               if self.library is not None else None)
        if ex is None or self.library is None:
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

    def _filter_changed(self, value: str) -> None:
        """The rows for the filter as typed: in the keystroke's own frame."""
        self._fill(value)
        if bool(value) != self._filtered:  # Esc offered or not: the footer redrawn
            self._filtered = bool(value)
            self.refresh_bindings()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.set_focus(self._active_table())

    @on(RowList.Highlighted)
    def _highlighted(self, event: RowList.Highlighted) -> None:
        if isinstance(event, RowList.Selected):
            return
        if event.row_list.id == "routine-table":
            self._show_routine(event.key)
        else:
            self._show_exercise(event.key)

    @on(RowList.Selected, "#routine-table")
    def _selected(self, event: RowList.Selected) -> None:
        self.post_message(self.Start(event.key))

    @on(Button.Pressed, "#problems-button")
    def _problems_pressed(self) -> None:
        self.action_problems()

    def _active_table(self) -> RowList:
        """The list on the visible tab."""
        tabs = self.query_one(TabbedContent)
        selector = "#routine-table" if tabs.active == "routines-tab" else "#exercise-table"
        return self.query_one(selector, RowList)

    def action_filter(self) -> None:
        """Focus the filter box."""
        # At once, not after the keys already queued (Widget.focus waits): over a slow link
        # "/" and the next letters arrive together, and those letters belong in the box.
        self.set_focus(self.query_one("#filter", Input))

    def on_key(self, event: Key) -> None:
        """"/" focuses the filter box; letters that reach the screen after it belong in the box."""
        # They were sent on to the list before "/" moved the focus (keys that arrive together
        # over a slow link): without this, the "q" of "/quick" would quit the app.
        box = self.query_one("#filter", Input)
        focused = self.focused is box  # at once (has_focus waits for the Focus event)
        if event.key == "slash" and not focused:
            # Here, not only by the binding: bindings run once the key reaches the app, after
            # the letters queued behind it have passed this screen.
            event.stop()
            event.prevent_default()
            self.action_filter()
        elif focused and event.is_printable and event.character:
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
        if self.library is None:
            self.notify("The library is still loading.", timeout=2)
        elif self.library.problems or self.library.notes:
            from trainer.ui.screens.problems import ProblemsScreen

            self.app.push_screen(ProblemsScreen(self.library.problems, self.library.notes))
        else:
            self.notify("The library has no problems.", timeout=2)


    def action_safety(self) -> None:
        """When to stop, and the signs that need a doctor soon."""
        from trainer.ui.screens.safety import SafetyScreen

        self.app.push_screen(SafetyScreen(full=True))

    def show_library(self, library: Catalog, index: LibraryIndex | None = None) -> None:
        """The library loaded, or read again (a file was saved): the same filter and selection."""
        self.library = library
        self._users = None
        self._lists = _Lists(index if index is not None else build(library))
        self._fill(self.query_one("#filter", Input).value)
        self._show_problem_count(len(library.problems))
        self.show_today()

    def _show_problem_count(self, count: int) -> None:
        """The problems button's count, hidden at none; put up when there first are some."""
        try:
            button = self.query_one("#problems-button", Button)
        except NoMatches:
            if count:
                self.query_one("#library-top", Horizontal).mount(_problems_button(count))
            return
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
            self._lists = _Lists(build(self.library))
        selector = f"#{kind}-table"
        self._fill(self.query_one("#filter", Input).value)
        table = self.query_one(selector, RowList)
        if saved in table.rows:
            table.move_cursor(row=table.get_row_index(saved), animate=False)
        self.set_focus(table)


REMINDER_REREAD = 30.0  # seconds after a due time (or while one waits for its answer)
FROM = {"built-in": "built-in", "user": "yours", "library": "a --library folder"}


def _from(library: Catalog, kind: str, item_id: str) -> str:
    """Where an item comes from, in words: built-in, yours, a --library folder."""
    origin = library.origins.get((kind, item_id))
    return _said(origin.source) if origin is not None else "built-in"


def _said(source: str) -> str:
    """A source's label in words."""
    return FROM.get(source, source)


class _Lists:
    """The index's rows as the lists show them, with the widths the columns are fitted to."""

    def __init__(self, index: LibraryIndex) -> None:
        self.index = index
        self.routines = [_item(r.id, (format_clock(r.seconds), _marked(r), printable(r.level)))
                         for r in index.routines]
        self.exercises = [_item(e.id, (_marked(e), printable(e.category), printable(e.level)))
                          for e in index.exercises]
        # Over every row, shown or not: the name column keeps its width while the filter changes.
        self.widest = [[max((item.widths[c] for item in items), default=default)
                        for c, default in enumerate(defaults)]
                       for items, defaults in ((self.routines, (4, 0, 5)),
                                               (self.exercises, (0, 8, 5)))]
        self.longest = [self.widest[0][1], self.widest[1][0]]
        self._by_id: dict[str, dict[str, Row]] = {}
        self._positions: dict[str, dict[str, int]] = {}
        self._last: dict[str, tuple[list[str], list[int]]] = {}  # each list's words, matches
        self._texts: dict[str, list[str]] = {}  # each list's search texts

    def matching(self, name: str, rows: Sequence[Row], query: str) -> list[int]:
        """Where the matching rows are; a query that narrows the last is run on its matches."""
        words = query.lower().split()
        last = self._last.get(name)
        texts = self._texts.get(name)
        if texts is None:
            texts = self._texts[name] = [row.search for row in rows]
        if words and last is not None and all(any(old in new for new in words)
                                              for old in last[0]):
            # Every earlier word is inside a new one: only earlier matches can match now.
            picked = [last[1][j] for j in matching([texts[i] for i in last[1]], query)]
        else:
            picked = matching(texts, query)
        self._last[name] = (words, picked)
        return picked

    def position(self, name: str, items: list[Item], key: str | None) -> int | None:
        """Where the row with this key is in the index."""
        if key is None:
            return None
        if name not in self._positions:
            self._positions[name] = {item.key: i for i, item in enumerate(items)}
        return self._positions[name].get(key)

    def routine(self, routine_id: str) -> Row:
        """A routine's row by id."""
        return self._find("routines", self.index.routines, routine_id)

    def exercise(self, exercise_id: str) -> Row:
        """An exercise's row by id."""
        return self._find("exercises", self.index.exercises, exercise_id)

    def _find(self, kind: str, rows: Sequence[Row], item_id: str) -> Row:
        if kind not in self._by_id:
            self._by_id[kind] = {row.id: row for row in rows}
        return self._by_id[kind][item_id]


def _item(key: str, cells: tuple[str, ...]) -> Item:
    return Item(key, cells, tuple(cell_len(cell) for cell in cells))


def _marked(row: Row) -> str:
    """A name as listed: one not from the built-in library marked (• yours, ◦ a folder)."""
    name = printable(row.name)
    where = _said(row.origin)
    if where == "built-in":
        return name
    return ("• " if where == "yours" else "◦ ") + name


def _used_by(library: Catalog) -> dict[str, list[str]]:
    """For each exercise id, the names of the routines that use it."""
    from trainer.library.loader import exercises_used

    users: dict[str, list[str]] = {}
    for routine in library.routines.values():
        for exercise in dict.fromkeys(exercises_used(routine, library.exercises)):
            users.setdefault(exercise.id, []).append(routine.name)
    return users


def _problems_button(count: int) -> Button:
    """The button that opens the list of problems, with their count."""
    return Button(_problems_label(count), id="problems-button", variant="warning")


def _problems_label(count: int) -> str:
    """The problems button: '⚠ 2 problems'."""
    return f"⚠ {count} problem{'s' * (count != 1)}"


def _count(title: str, total: int, shown: int | None = None) -> str:
    """A tab title: "Routines (12)", or "Routines (3/12)" while a filter hides some."""
    return f"{title} ({total})" if shown is None else f"{title} ({shown}/{total})"
