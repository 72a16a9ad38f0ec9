"""A program followed in the app: three comfortable days move it on, and the summary says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest import FakeClock
from pilot_helpers import FIXTURES, make_app, run_tiny
from textual.widgets import Static

from trainer.audio.players import RecordingPlayer
from trainer.history import program_runs
from trainer.history.store import FILENAME, History
from trainer.library.sources import Source
from trainer.session.catalog import Catalog, CatalogLoader
from trainer.ui.screens.library import LibraryScreen
from trainer.ui.screens.safety import SafetyScreen
from trainer.ui.screens.summary import SummaryScreen

PLAN = """\
programs:
  - id: tiny-plan
    name: Tiny plan
    stages:
      - name: Getting used to it
        routines: [{routine: tiny, per_week: 7}]
      - name: A little more
        routines: [{routine: tiny, per_week: 7}]
"""
START = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)  # a Monday morning


def library_with_plan(tmp_path: Path) -> Catalog:
    (tmp_path / "plan.yaml").write_text(PLAN)
    lib = CatalogLoader().load([Source("test", FIXTURES), Source("plan", tmp_path)])
    assert not lib.problems
    return lib


def following_tiny_plan(tmp_path: Path, data_dir: Path) -> Catalog:
    """The library with the tiny plan, followed since START (as `trainer program start` does)."""
    with History.open(data_dir / FILENAME) as store:
        program_runs.start(store, "tiny-plan", "Tiny plan", START.date())
    return library_with_plan(tmp_path)


async def day_of_tiny(lib: Catalog, clock: FakeClock, day: int, pain: str) -> tuple[str, str]:
    """Open the app on day `day`, run the tiny routine, check in with `pain` (and effort 3).

    Returns the summary's program line and, after going back to the library, its Today line.
    """
    app = make_app(lib, clock, routine_id="tiny", player=RecordingPlayer(clock),
                   wall=lambda: START + timedelta(days=day, seconds=clock()))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await run_tiny(pilot, clock)
        await pilot.press(*pain, "tab", "3", "enter")
        await pilot.pause()
        held = isinstance(app.screen, SafetyScreen)  # the note shown at a pain hold
        if held:
            assert "See a doctor soon" in str(app.screen.query_one("Markdown").source)  # type: ignore[attr-defined]
            await pilot.press("enter")
            await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        news = app.screen.query_one("#program-news", Static)
        said = ("" if news.has_class("hidden") else str(news.render())) + (
            " [safety note]" if held else "")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        await pilot.pause()
        today = str(app.screen.query_one("#today", Static).render())
    return said, today


async def test_three_comfortable_days_move_the_program_on(
        tmp_path: Path, clock: FakeClock, isolated_dirs: dict[str, Path]) -> None:
    lib = following_tiny_plan(tmp_path, isolated_dirs["data"])
    first, today = await day_of_tiny(lib, clock, 0, "1")
    assert first == ""
    assert today == "Today: Week 1 of Tiny plan: nothing more due today"
    second, _ = await day_of_tiny(lib, clock, 1, "2")
    assert second == ""
    third, today = await day_of_tiny(lib, clock, 2, "1")
    assert third == ("Tiny plan: on to stage 2 of 2, A little more (3 comfortable sessions in "
                     "a row). Well done; keep it gentle.")
    assert today == "Today: Week 1 of Tiny plan: nothing more due today"


async def test_a_pain_of_seven_shows_the_safety_note_and_holds(
        tmp_path: Path, clock: FakeClock, isolated_dirs: dict[str, Path]) -> None:
    lib = following_tiny_plan(tmp_path, isolated_dirs["data"])
    app_said, _ = await day_of_tiny(lib, clock, 0, "8")
    assert app_said.startswith("Tiny plan: back to stage 1, Getting used to it. Pain 8 on Mon "
                               "02 Nov: eased off a stage")
    assert app_said.endswith("[safety note]")


async def test_following_from_the_app_shows_today_and_the_history_its_stage(
        tmp_path: Path, clock: FakeClock, isolated_dirs: dict[str, Path]) -> None:
    from trainer.ui.screens.history import HistoryScreen

    lib = library_with_plan(tmp_path)
    app = make_app(lib, clock, wall=lambda: START)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        assert screen.query_one("#today", Static).has_class("hidden")
        commands = [c.title for c in app.get_system_commands(screen)]
        assert "Follow program: Tiny plan" in commands
        app.follow_program("tiny-plan")
        await pilot.pause()
        today = screen.query_one("#today", Static)
        assert str(today.render()) == ("Today: Week 1 of Tiny plan: Tiny routine, daily  "
                                       "(Enter starts it)")
        await pilot.press("enter")  # today's routine is the one selected
        await pilot.pause()
        assert app.screen.__class__.__name__ == "SessionScreen"
        assert app.screen.timeline.routine_id == "tiny"  # type: ignore[attr-defined]
        app.pop_screen()
        await pilot.pause()
        app.action_history()
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        line = str(app.screen.query_one("#program-progress", Static).render())
        assert line.startswith("Tiny plan: week 1, stage 1 of 2 (Getting used to it); next "
                               "stage waits for 3 more comfortable sessions")
