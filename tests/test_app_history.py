"""Pilot tests of history in the app: records, check-ins, quitting mid-session, resume, progress.

Each app opens the history in the test's data folder (conftest points TRAINER_DATA_DIR at a
temp folder); the test reads it back with trainer.history.store.History afterwards, as the next
start of the app would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import FakeClock
from pilot_helpers import (
    Notices,
    load_fixture_library,
    make_app,
    run_tiny,
    run_to_summary,
    session_screen,
    tick,
)
from textual.widgets import Button, Static

from trainer.audio.players import RecordingPlayer
from trainer.history.records import SessionRecord
from trainer.history.store import FILENAME, History
from trainer.session.catalog import Catalog
from trainer.ui.screens.confirm import ResumeOfferScreen
from trainer.ui.screens.history import HistoryScreen
from trainer.ui.screens.library import LibraryScreen
from trainer.ui.screens.summary import SummaryScreen
from trainer.ui.widgets.row_list import RowList

# The tiny routine's phases before its done phase: (kind, exercise, seconds run by run_tiny).
TINY_RUN = [("get_ready", None, 3.0), ("hold", "reach", 5.0), ("switch", "reach", 2.0),
            ("hold", "reach", 5.0), ("rest", None, 2.0), ("reps", "dog", 3.0),
            ("rest", None, 2.0), ("work", "bridge", 6.0)]


@pytest.fixture
def library() -> Catalog:
    return load_fixture_library()


def stored(data_dir: Path) -> tuple[list[SessionRecord], History]:
    """The sessions in the history file, newest first, and the store (close it)."""
    history = History.open(data_dir / FILENAME, create=False)
    assert history.path is not None, history.problem
    return history.recent(None), history


async def recorded_tiny(library: Catalog, clock: FakeClock, data_dir: Path
                        ) -> tuple[list[SessionRecord], History]:
    """Run the tiny routine to the end; then what `stored` finds."""
    app = make_app(library, clock, routine_id="tiny", player=RecordingPlayer(clock))
    async with app.run_test() as pilot:
        await pilot.pause()
        await run_tiny(pilot, clock)
    return stored(data_dir)


def text(widget: Static) -> str:
    return str(widget.render())


async def test_a_completed_session_is_recorded_with_its_phases(
        library: Catalog, clock: FakeClock, isolated_dirs: dict[str, Path]) -> None:
    records, history = await recorded_tiny(library, clock, isolated_dirs["data"])
    with history:
        assert len(records) == 1
        record = records[0]
        assert (record.routine_id, record.routine_name, record.status) == (
            "tiny", "Tiny routine", "completed")
        assert record.ended_at is not None and record.resume_index is None
        assert record.active_seconds == pytest.approx(28.0)
        phases = history.phases(record.id)
    assert [(p.kind, p.exercise, p.actual_seconds) for p in phases] == [
        (kind, exercise, pytest.approx(seconds)) for kind, exercise, seconds in TINY_RUN]
    assert [p.index for p in phases] == list(range(len(TINY_RUN)))
    assert not any(p.skipped for p in phases)


async def test_the_summary_check_in_is_stored(
        library: Catalog, clock: FakeClock, isolated_dirs: dict[str, Path]) -> None:
    notices = Notices()
    app = make_app(library, clock, routine_id="tiny", player=RecordingPlayer(clock))
    async with app.run_test(message_hook=notices) as pilot:
        await pilot.pause()
        await run_tiny(pilot, clock)
        await pilot.press("3", "tab", "6", "tab", *"felt", "space", *"good", "enter")
        await pilot.pause()
        assert "Check-in saved" in notices.messages
        assert isinstance(app.screen, SummaryScreen)
    records, history = stored(isolated_dirs["data"])
    with history:
        checkin = records[0].checkin
    assert checkin is not None
    assert (checkin.pain, checkin.effort, checkin.note) == (3, 6, "felt good")


async def test_an_out_of_range_check_in_is_refused_with_a_message(
        library: Catalog, clock: FakeClock, isolated_dirs: dict[str, Path]) -> None:
    notices = Notices()
    app = make_app(library, clock, routine_id="tiny", player=RecordingPlayer(clock))
    async with app.run_test(message_hook=notices) as pilot:
        await pilot.pause()
        await run_tiny(pilot, clock)
        await pilot.press("1", "1", "enter")  # pain 11
        await pilot.pause()
        assert any("Pain is 0-10" in m for m in notices.messages)
    records, history = stored(isolated_dirs["data"])
    with history:
        assert records[0].checkin is None


async def quit_in_right_hold(pilot: Any, clock: FakeClock) -> None:
    """Run the tiny routine to 1 s into its right-side hold (phase 4 of 8)."""
    for _ in range(11):
        await tick(pilot, clock)
    screen = session_screen(pilot.app)
    assert screen.session is not None and screen.session.index == 3


@pytest.mark.parametrize("how", ["ctrl+q", "app.exit", "hang-up"])
async def test_leaving_mid_session_leaves_it_interrupted(
        library: Catalog, clock: FakeClock, isolated_dirs: dict[str, Path], how: str) -> None:
    app = make_app(library, clock, routine_id="tiny", player=RecordingPlayer(clock))
    async with app.run_test() as pilot:
        await pilot.pause()
        await quit_in_right_hold(pilot, clock)
        if how == "ctrl+q":
            await pilot.press("ctrl+q")
        elif how == "app.exit":
            app.exit()
        else:
            app._hang_up()  # what SIGHUP and SIGTERM call
        await pilot.pause()
    if how == "hang-up":
        assert app.return_code == 129
    records, history = stored(isolated_dirs["data"])
    with history:
        assert len(records) == 1
        record = records[0]
        assert record.status == "interrupted"
        assert (record.resume_index, record.resume_elapsed) == (3, pytest.approx(1.0))
        phases = history.phases(record.id)
        point = history.resumable()
    # Everything before the phase in progress is kept.
    assert [(p.kind, p.actual_seconds) for p in phases] == [
        ("get_ready", pytest.approx(3.0)), ("hold", pytest.approx(5.0)),
        ("switch", pytest.approx(2.0))]
    assert point is not None and point.index == 3


async def test_next_start_offers_to_resume_and_yes_resumes_there(
        library: Catalog, clock: FakeClock, isolated_dirs: dict[str, Path]) -> None:
    app = make_app(library, clock, routine_id="tiny", player=RecordingPlayer(clock))
    async with app.run_test() as pilot:
        await pilot.pause()
        await quit_in_right_hold(pilot, clock)
        await pilot.press("ctrl+q")
        await pilot.pause()

    player = RecordingPlayer(clock)
    app2 = make_app(library, clock, player=player)
    async with app2.run_test() as pilot:
        await pilot.pause()
        offer = app2.screen
        assert isinstance(offer, ResumeOfferScreen)
        question = str(offer.query_one("#question", Static).render())
        assert "Resume Tiny routine?" in question
        assert "phase 4/8 (Overhead reach)" in question
        assert offer.focused is offer.query_one("#resume", Button)  # Enter resumes
        assert offer.query_one("#resume", Button).variant == "primary"  # not red
        assert str(offer.query_one("#keys", Static).render()) == (
            "y / r  Resume   ·   n / esc  Not now   ·   d  Discard")
        await pilot.press("y")
        await pilot.pause()
        screen = session_screen(app2)
        assert screen.session is not None
        # A short lead-in: the switch before the interrupted hold, shown as the get-ready it
        # is, then the hold itself.
        assert screen.session.index == 2
        assert text(screen.query_one("#word", Static)) == "GET READY"
        assert text(screen.query_one("#title", Static)) == "Next: Overhead reach"
        await tick(pilot, clock, 2.0)
        screen = session_screen(app2)
        assert screen.session is not None and screen.session.index == 3
        assert text(screen.query_one("#word", Static)) == "HOLD"
        assert text(screen.query_one("#title", Static)) == "Overhead reach"
        assert "right side" in text(screen.query_one("#detail", Static))
        assert player.names[0] == "switch"  # no "get ready" from the very start
        await run_to_summary(pilot, clock)
    records, history = stored(isolated_dirs["data"])
    with history:
        assert len(records) == 1  # the same session, carried on
        assert records[0].status == "completed"
        phases = history.phases(records[0].id)
    assert [p.index for p in phases] == list(range(8))


async def test_not_now_keeps_the_resume_point_and_discard_forgets_it(
        library: Catalog, clock: FakeClock, isolated_dirs: dict[str, Path]) -> None:
    app = make_app(library, clock, routine_id="tiny", player=RecordingPlayer(clock))
    async with app.run_test() as pilot:
        await pilot.pause()
        await quit_in_right_hold(pilot, clock)
        app.exit()

    app2 = make_app(library, clock, player=RecordingPlayer(clock))
    async with app2.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app2.screen, ResumeOfferScreen)
        await pilot.press("n")  # Not now
        await pilot.pause()
        assert isinstance(app2.screen, LibraryScreen)
    records, history = stored(isolated_dirs["data"])
    with history:
        assert records[0].status == "interrupted"
        assert records[0].resume_index == 3  # kept: `trainer resume` can still continue it
        assert history.resumable() is not None

    app3 = make_app(library, clock, player=RecordingPlayer(clock))
    async with app3.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app3.screen, ResumeOfferScreen)  # asked again
        await pilot.press("d")  # Discard
        await pilot.pause()
        assert isinstance(app3.screen, LibraryScreen)
    records, history = stored(isolated_dirs["data"])
    with history:
        assert records[0].status == "interrupted"  # still in the history
        assert records[0].resume_index is None
        assert records[0].resume_note == "discarded"
        assert history.resumable() is None

    app4 = make_app(library, clock, player=RecordingPlayer(clock))
    async with app4.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app4.screen, LibraryScreen)  # discarded: never asked again


async def test_no_offer_for_a_session_left_in_its_first_get_ready(
        library: Catalog, clock: FakeClock, isolated_dirs: dict[str, Path]) -> None:
    app = make_app(library, clock, routine_id="tiny", player=RecordingPlayer(clock))
    async with app.run_test() as pilot:
        await pilot.pause()
        await tick(pilot, clock, 1.0)
        assert session_screen(app).view.kind == "get_ready"  # type: ignore[union-attr]
        app.exit()

    app2 = make_app(library, clock, player=RecordingPlayer(clock))
    async with app2.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app2.screen, LibraryScreen)
        assert not app2._notifications  # nothing to say about it either
    records, history = stored(isolated_dirs["data"])
    with history:
        assert records[0].status == "interrupted"
        assert records[0].resume_index is None


async def test_history_screen_shows_streak_and_sessions(
        library: Catalog, clock: FakeClock, isolated_dirs: dict[str, Path]) -> None:
    records, history = await recorded_tiny(library, clock, isolated_dirs["data"])
    history.close()
    day = records[0].local_day

    app2 = make_app(library, clock, player=RecordingPlayer(clock), today=lambda: day)
    async with app2.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app2.screen, LibraryScreen)
        await pilot.press("h")
        await pilot.pause()
        screen = app2.screen
        assert isinstance(screen, HistoryScreen)
        streak = text(screen.query_one("#streak", Static))
        assert "Streak 1 day (best 1)" in streak
        assert "this week 0 min in 1 session" in streak  # 28 s rounds to 0 minutes
        table = screen.query_one("#sessions", RowList)
        assert table.row_count == 1
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[1:4] == ["Tiny routine", "completed", "0:28"]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app2.screen, LibraryScreen)
