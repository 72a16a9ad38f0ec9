"""The history screen as pictures: at 100x30 and 160x45 every chart fits, nothing wraps, and the
sessions table shows status, time, pain, effort and note."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from conftest import FakeClock
from pilot_helpers import load_fixture_library, make_app
from textual.widgets import Static

from trainer.history.store import History
from trainer.ui.screens.history import HistoryScreen
from trainer.ui.widgets.row_list import RowList

NOW = datetime.now(UTC)


@pytest.fixture
def history(isolated_dirs: object) -> None:
    """Six weeks of sessions, most with a check-in, one of a few seconds."""
    library = load_fixture_library()
    timeline = library.timeline("tiny")
    with History.open() as store:
        for n in range(0, 42, 3):
            start = NOW - timedelta(days=n, hours=1)
            session = store.start_session(timeline, start)
            if n % 2 == 0:
                store.add_checkin(session, n % 6, 4 + n % 5, f"note {n}")
            store.finish(session, "completed", 12.0 if n == 9 else 900.0 + 60 * n, (), start)


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (160, 45)])
async def test_charts_fit_and_the_table_shows_every_column(history: None,
                                                           size: tuple[int, int]) -> None:
    app = make_app(load_fixture_library(), FakeClock())
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        shown = []
        for chart in ("#week-bars", "#calendar", "#check-ins"):
            widget = screen.query_one(chart, Static)
            if not (widget.parent and widget.parent.display):
                continue  # left out whole: there is no room for it beside the others
            shown.append(chart)
            longest = max(len(line) for line in str(widget.render()).splitlines())
            assert widget.region.width >= longest, chart  # no line wraps
            assert widget.region.right <= size[0] and widget.region.bottom <= size[1], chart
        # At 80 columns the check-ins give way; from 100 every picture is there.
        assert shown == ["#week-bars", "#calendar", "#check-ins"][:2 if size[0] < 100 else 3]
        table = screen.query_one("#sessions", RowList)
        assert [c.label for c in table.columns] == [
            "Date", "Routine", "Status", "Time", "Pain", "Effort", "Note"]
        assert sum(table.column_widths()) <= size[0]
        assert table.region.height >= 6 and table.row_count == 14
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[2:] == ["completed", "15:00", "0", "4", "note 0"]


async def test_the_sessions_table_reads_a_page_at_a_time(isolated_dirs: object) -> None:
    library = load_fixture_library()
    with History.open() as store, store.bulk():
        for n in range(450):
            start = NOW - timedelta(hours=n)
            store.finish(store.start_session(library.timeline("tiny"), start), "completed",
                         60.0, (), start)
    app = make_app(library, FakeClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        table = app.screen.query_one("#sessions", RowList)
        assert table.row_count == 200  # the latest page
        table.scroll_end(animate=False)  # the wheel or the bar, to the end: the next page
        await pilot.pause()
        assert table.row_count == 400
        for expected in (450, 450):  # the cursor at the end: the last page, then nothing
            table.move_cursor(row=table.row_count - 1)
            await pilot.pause()
            assert table.row_count == expected
        newest_last = [str(table.get_row_at(i)[0]) for i in (0, 199, 200, 449)]
        assert newest_last == sorted(newest_last, reverse=True)
