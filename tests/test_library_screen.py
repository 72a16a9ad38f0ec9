"""Pilot tests of the library screen's filter, tab titles and columns, and the check-in boxes."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import FakeClock
from pilot_helpers import load_fixture_library, make_app
from textual import events
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import Button, Input, Static, TabbedContent

import trainer.ui
from trainer.library.sources import Source
from trainer.paths import builtin_library_dir
from trainer.session.catalog import Catalog, CatalogLoader
from trainer.session.library_index import LibraryIndex, Row, build
from trainer.ui.screens.library import LibraryScreen
from trainer.ui.screens.session import SessionResult
from trainer.ui.screens.summary import SummaryScreen
from trainer.ui.widgets.row_list import RowList

BUILTIN: Catalog = CatalogLoader().load([Source("built-in", builtin_library_dir())])


def tab_titles(screen: LibraryScreen) -> list[str]:
    tabs = screen.query_one(TabbedContent)
    return [tabs.get_tab(pane).label_text for pane in ("routines-tab", "exercises-tab")]


def library_screen(app: App[object]) -> LibraryScreen:
    screen = app.screen
    assert isinstance(screen, LibraryScreen), screen
    return screen


async def test_escape_clears_and_leaves_the_filter_so_keys_work_again(clock: FakeClock) -> None:
    async with make_app(load_fixture_library(), clock).run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = library_screen(pilot.app)
        box = screen.query_one("#filter", Input)
        await pilot.press("slash", *"tiny")
        await pilot.pause()
        assert box.has_focus and box.value == "tiny"
        assert not box.cursor_blink  # a blink would redraw twice a second while the box waits
        assert screen.query_one("#routine-table", RowList).row_count == 1
        await pilot.press("escape")
        await pilot.pause()
        assert box.value == "" and not box.has_focus
        routines = screen.query_one("#routine-table", RowList)
        assert routines.has_focus and routines.row_count == 2
        await pilot.press("t")  # a key again, not a letter in the filter
        await pilot.pause()
        assert screen.query_one(TabbedContent).active == "exercises-tab"
        assert screen.query_one("#exercise-table", RowList).has_focus
        assert box.value == ""


async def test_escape_from_the_list_clears_a_filter_left_by_enter(clock: FakeClock) -> None:
    async with make_app(load_fixture_library(), clock).run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = library_screen(pilot.app)
        await pilot.press("slash", *"other", "enter")
        await pilot.pause()
        routines = screen.query_one("#routine-table", RowList)
        assert routines.has_focus and routines.row_count == 1
        await pilot.press("escape")
        await pilot.pause()
        assert screen.query_one("#filter", Input).value == ""
        assert routines.has_focus and routines.row_count == 2


@pytest.mark.parametrize("typed", ["/other", "/quit"])
async def test_letters_sent_with_the_slash_land_in_the_filter(clock: FakeClock,
                                                               typed: str) -> None:
    # Over a slow link "/" and the letters after it arrive in one read: all queued before "/"
    # is handled. They belong in the box ("q" must not quit the app).
    async with make_app(load_fixture_library(), clock).run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = library_screen(pilot.app)
        for char in typed[:2]:
            pilot.app.post_message(events.Key("slash" if char == "/" else char, char))
        await pilot.pause()
        await pilot.press(*typed[2:])  # the rest once the box has its focus: added, not instead
        await pilot.pause()
        box = screen.query_one("#filter", Input)
        assert box.has_focus and box.value == typed[1:]
        assert pilot.app.screen is screen and pilot.app.is_running


async def test_tab_titles_count_what_the_filter_lets_through(clock: FakeClock) -> None:
    async with make_app(load_fixture_library(), clock).run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = library_screen(pilot.app)
        assert tab_titles(screen) == ["Routines (2)", "Exercises (3)"]
        await pilot.press("slash", *"intermediate")
        await pilot.pause()
        assert tab_titles(screen) == ["Routines (1/2)", "Exercises (0/3)"]
        await pilot.press("escape")
        await pilot.pause()
        assert tab_titles(screen) == ["Routines (2)", "Exercises (3)"]


def shown_rows(table: RowList, first: int | None = None) -> list[list[str]]:
    """Each row's cells as drawn on the screen, wrapped lines joined: every row, or the first."""
    lines = [strip.text for strip in table.render_lines(Region(0, 0, *table.size))]
    spans, x = [], 0
    for width in table.column_widths():
        spans.append((x, x + width))
        x += width
    assert x <= table.size.width, "a column is off the right edge"
    rows, y = [], table.header_height
    for index in range(table.row_count if first is None else first):
        height = table.row_height(index)
        assert y + height <= len(lines), "a row is out of view: make the terminal taller"
        cells = [" ".join(line[a:b] for line in lines[y:y + height]) for a, b in spans]
        rows.append([" ".join(cell.split()) for cell in cells])
        y += height
    return rows


@pytest.mark.parametrize("width", [80, 100, 120])
async def test_every_name_and_level_is_shown_whole(clock: FakeClock, width: int) -> None:
    # Tall enough to show every routine at once; the widths are what is tested.
    async with make_app(BUILTIN, clock).run_test(size=(width, 60)) as pilot:
        await pilot.pause()
        await pilot.pause()
        screen = library_screen(pilot.app)
        table = screen.query_one("#routine-table", RowList)
        assert [column.label for column in table.columns] == [
            "Time", "Routine", "Level"]
        by_name = {r.name: r for r in BUILTIN.routines.values()}
        rows = shown_rows(table)
        assert len(rows) == len(BUILTIN.routines)
        for _time, name, level in rows:
            assert name in by_name, f"{name!r} is not a whole routine name"
            assert level == by_name[name].level
        levels = [level for _time, _name, level in rows]
        assert levels == sorted(levels, key=["beginner", "intermediate", "advanced"].index)
        await pilot.press("t")
        await pilot.pause()
        exercises = screen.query_one("#exercise-table", RowList)
        names = {e.name: e for e in BUILTIN.exercises.values()}
        # More exercises than fit: the rows in view are checked.
        heights = [exercises.row_height(i) for i in range(exercises.row_count)]
        room, first = exercises.size.height - exercises.header_height, 0
        while first < len(heights) and sum(heights[:first + 1]) <= room:
            first += 1
        assert first >= 10
        for name, category, level in shown_rows(exercises, first):
            assert name in names, f"{name!r} is not a whole exercise name"
            assert (category, level) == (names[name].category, names[name].level)


class SummaryHost(App[str]):
    """Just the summary screen, with the app's styles."""

    CSS_PATH = str(Path(trainer.ui.__file__).parent / "trainer.tcss")

    def __init__(self) -> None:
        super().__init__()
        self.saved: list[tuple[int | None, int | None, str]] = []

    def compose(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        result = SessionResult(None, "tiny", "Tiny", True, 30.0, 0.0, 8, 0, 8)
        self.push_screen(SummaryScreen(result, self.save))

    def save(self, pain: int | None, effort: int | None, note: str) -> str | None:
        self.saved.append((pain, effort, note))
        return None


def message(app: App[str]) -> str:
    return str(app.screen.query_one("#checkin-message", Static).render())


async def test_pain_and_effort_are_checked_the_same_way_as_they_are_typed() -> None:
    app = SummaryHost()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        pain = app.screen.query_one("#pain", Input)
        effort = app.screen.query_one("#effort", Input)
        assert pain.has_focus and message(app) == ""
        await pilot.press("1", "1")
        await pilot.pause()
        assert pain.value == "11" and pain.has_class("-invalid")
        assert message(app) == "Pain is 0-10, a whole number"
        await pilot.press("backspace")
        await pilot.pause()
        assert not pain.has_class("-invalid") and message(app) == ""
        await pilot.press("tab", "x")  # a letter is shown and flagged, not silently dropped
        await pilot.pause()
        assert effort.value == "x" and effort.has_class("-invalid")
        assert message(app) == "Effort is 1-10, a whole number"
        await pilot.press("enter")
        await pilot.pause()
        assert app.saved == [] and isinstance(app.screen, SummaryScreen)
        await pilot.press("backspace", "0")
        await pilot.pause()
        assert effort.has_class("-invalid") and message(app) == "Effort is 1-10, a whole number"
        await pilot.press("backspace", "7", "enter")
        await pilot.pause()
        assert message(app) == ""
        assert app.saved == [(1, 7, "")]


@pytest.mark.parametrize("typed", ["5.0", "1e1", "-1", "٣", "100"])
async def test_pain_refuses_what_is_not_a_plain_number_in_range(typed: str) -> None:
    app = SummaryHost()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*typed, "enter")
        await pilot.pause()
        assert message(app) == "Pain is 0-10, a whole number"
        assert app.saved == []


async def test_names_are_refitted_when_the_terminal_narrows(clock: FakeClock) -> None:
    async with make_app(BUILTIN, clock).run_test(size=(120, 60)) as pilot:
        await pilot.pause()
        screen = library_screen(pilot.app)
        table = screen.query_one("#routine-table", RowList)
        await pilot.press("down", "down")
        chosen = table.current_key
        await pilot.resize_terminal(80, 60)
        await pilot.pause()
        await pilot.pause()
        names = {r.name for r in BUILTIN.routines.values()}
        assert {name for _time, name, _level in shown_rows(table)} == names
        # The person's place in the list survives the refill.
        assert table.current_key == chosen



def synthetic_index(exercises: int, routines: int = 20, problems: int = 0) -> LibraryIndex:
    """An index of made-up rows (no library behind it): every name holds "stretch"."""
    levels = ("beginner", "intermediate", "advanced")
    return LibraryIndex(
        tuple(Row(f"r{i}", f"Stretch routine {i}", levels[i % 3], "built-in",
                  f"r{i} stretch routine {i} {levels[i % 3]}", seconds=60.0 + i, mix="stretch")
              for i in range(routines)),
        tuple(Row(f"e{i}", f"Stretch number {i}", levels[i % 3], "built-in",
                  f"e{i} stretch number {i} stretch {levels[i % 3]}", category="stretch")
              for i in range(exercises)),
        problems)


class IndexHost(App[None]):
    """The library screen on an index alone; its library is loaded when the test says so."""

    CSS_PATH = str(Path(trainer.ui.__file__).parent / "trainer.tcss")

    def __init__(self, index: LibraryIndex, library: Catalog | None = None) -> None:
        super().__init__()
        self.index = index
        self.loaded = asyncio.Event()
        self.catalog = library

    def on_mount(self) -> None:
        self.push_screen(LibraryScreen(None, index=self.index, load=self.load))

    async def load(self) -> Catalog:
        await self.loaded.wait()  # never set: the screen stays on its index
        assert self.catalog is not None
        return self.catalog


def lines_drawn(screen: LibraryScreen) -> int:
    return sum(table.lines_rendered for table in screen.query(RowList))


async def keystrokes_drawn(exercises: int) -> list[int]:
    """The lines the lists render for each key of a filter typed and cleared."""
    app = IndexHost(synthetic_index(exercises))
    drawn = []
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = library_screen(app)
        await pilot.press("t", "slash")  # the exercises: the longer list
        await pilot.pause()
        for key in [*"stretch", "space", *"beg", "backspace", "escape"]:
            before = lines_drawn(screen)
            await pilot.press(key)
            await pilot.pause()
            drawn.append(lines_drawn(screen) - before)
        assert screen.query_one("#exercise-table", RowList).row_count == exercises
    return drawn


async def test_the_lists_render_work_does_not_grow_with_the_rows() -> None:
    # The same keys over 100 and over 10,000 rows, every row matching: at most a screenful
    # of lines for each, and the same number whatever the rows behind them.
    small, big = await keystrokes_drawn(100), await keystrokes_drawn(10_000)
    assert small == big
    assert all(big) and max(big) <= 30  # each key redraws the list's lines in view, no more


async def test_the_first_frame_comes_from_the_index_and_the_library_follows() -> None:
    library = load_fixture_library()
    index = replace(build(library), problems=3)  # as the last full load found it, say
    app = IndexHost(index, library)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = library_screen(app)
        assert screen.library is None  # nothing loaded or validated yet
        table = screen.query_one("#routine-table", RowList)
        assert [item.cells[1] for item in table.items] == ["◦ Tiny routine", "◦ Other routine"]
        button = screen.query_one("#problems-button", Button)
        assert "3 problems" in str(button.label) and not button.has_class("hidden")
        detail = str(screen.query_one("#routine-detail", Static).render())
        assert "Tiny routine" in detail and "Loading the library" in detail
        await pilot.press("slash", *"other")
        await pilot.pause()
        assert table.row_count == 1 and table.current_key == "other"
        app.loaded.set()  # the load finishes: the library replaces the index in place
        await screen.workers.wait_for_complete()
        await pilot.pause()
        assert screen.library is library
        assert button.has_class("hidden")  # the real count: none
        assert table.row_count == 1 and table.current_key == "other"  # filter and place kept
        detail = str(screen.query_one("#routine-detail", Static).render())
        assert "Enter starts this routine" in detail


async def test_the_row_list_moves_its_cursor_by_keys_and_says_so() -> None:
    app = IndexHost(synthetic_index(200))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = library_screen(app)
        await pilot.press("t")
        await pilot.pause()
        table = screen.query_one("#exercise-table", RowList)
        assert table.has_focus and table.cursor_row == 0
        await pilot.press("down", "down", "pagedown")
        await pilot.pause()
        assert table.cursor_row > 20 and table.scroll_y > 0  # scrolled to keep it in view
        detail = str(screen.query_one("#exercise-detail", Static).render())
        assert table.current_key is not None
        assert screen._lists.exercise(table.current_key).name in detail
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == 199
        await pilot.press("home", "up")
        await pilot.pause()
        assert table.cursor_row == 0 and table.scroll_y == 0
