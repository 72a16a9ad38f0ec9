"""Pilot tests: the app driven by keys, time from a fake clock (nothing sleeps)."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest
from textual.strip import Strip
from textual.widgets import Markdown, Static

from trainer import gc_pause
from trainer.audio.players import RecordingPlayer
from trainer.config import Config
from trainer.library.sources import Source
from trainer.session.catalog import Catalog, CatalogLoader
from trainer.session.prepared import prepare
from trainer.ui.app import TrainerApp
from trainer.ui.screens.confirm import ConfirmScreen
from trainer.ui.screens.library import LibraryScreen
from trainer.ui.screens.safety import SafetyScreen
from trainer.ui.screens.session import SessionScreen
from trainer.ui.screens.summary import SummaryScreen
from trainer.ui.widgets.big_clock import BigClock, Glyph
from trainer.ui.widgets.progress_line import ProgressLine
from trainer.ui.widgets.row_list import RowList

FIXTURES = Path(__file__).parent / "fixtures" / "applib"


class Clock:
    """A clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def library() -> Catalog:
    lib = CatalogLoader().load([Source("test", FIXTURES)])
    assert not lib.problems
    return lib


def make_app(library: Catalog, clock: Clock, **kwargs: Any) -> TrainerApp:
    """The app on the fixture library, with a recording player and the fake clock."""
    config = kwargs.pop("config", Config(acknowledged_safety=True))
    kwargs.setdefault("player", RecordingPlayer(clock))
    return TrainerApp(library, clock=clock, config=config, save_settings=False, **kwargs)


def text(screen: SessionScreen, widget_id: str) -> str:
    return str(screen.query_one(f"#{widget_id}", Static).render())


async def advance(pilot, clock: Clock, seconds: float) -> SessionScreen:  # type: ignore[no-untyped-def]
    """Move time on, let the screen catch up, return it."""
    clock.now += seconds
    screen = pilot.app.screen
    assert isinstance(screen, SessionScreen)
    screen.tick()
    await pilot.pause()
    return screen


async def start(pilot, routine: str = "tiny") -> SessionScreen:  # type: ignore[no-untyped-def]
    """Pick a routine on the library screen with the filter and Enter."""
    await pilot.pause()
    assert isinstance(pilot.app.screen, LibraryScreen)
    await pilot.press("slash", *routine, "enter", "enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, SessionScreen), screen
    return screen


async def test_library_lists_routines_and_starts_one(library: Catalog) -> None:
    clock = Clock()
    async with make_app(library, clock).run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        table = pilot.app.screen.query_one("#routine-table", RowList)
        assert table.row_count == 2
        screen = await start(pilot, "tiny")
        assert text(screen, "word") == "GET READY"
        assert text(screen, "title") == "Next: Overhead reach"
        assert screen.query_one(BigClock).value == "0:03"


async def test_countdown_reaching_zero_moves_on(library: Catalog) -> None:
    clock = Clock()
    async with make_app(library, clock, routine_id="tiny").run_test() as pilot:
        await pilot.pause()
        screen = await advance(pilot, clock, 1.0)
        assert screen.query_one(BigClock).value == "0:02"
        screen = await advance(pilot, clock, 2.0)
        assert text(screen, "word") == "HOLD"
        assert text(screen, "title") == "Overhead reach"
        assert "left side" in text(screen, "detail")
        assert screen.query_one(BigClock).has_class("-hold")
        screen = await advance(pilot, clock, 5.0)
        assert text(screen, "word") == "SWITCH SIDES"


async def test_pause_freezes_the_countdown(library: Catalog) -> None:
    clock = Clock()
    async with make_app(library, clock, routine_id="tiny").run_test() as pilot:
        await pilot.pause()
        await advance(pilot, clock, 4.0)  # 1 s into the 5 s hold
        await pilot.press("space")
        screen = await advance(pilot, clock, 60.0)
        assert "PAUSED" in text(screen, "word")
        assert screen.query_one(BigClock).value == "0:04"
        await pilot.press("space")
        screen = await advance(pilot, clock, 1.0)
        assert text(screen, "word") == "HOLD"
        assert screen.query_one(BigClock).value == "0:03"


async def test_skip_back_and_extend(library: Catalog) -> None:
    clock = Clock()
    async with make_app(library, clock, routine_id="tiny").run_test() as pilot:
        await pilot.pause()
        await pilot.press("n")
        screen = await advance(pilot, clock, 0.0)
        assert text(screen, "word") == "HOLD"
        await pilot.press("plus")
        screen = await advance(pilot, clock, 0.0)
        assert screen.query_one(BigClock).value == "0:15"
        await pilot.press("minus")
        screen = await advance(pilot, clock, 0.0)
        assert screen.query_one(BigClock).value == "0:05"
        await pilot.press("p")  # just started: back to get ready
        screen = await advance(pilot, clock, 0.0)
        assert text(screen, "word") == "GET READY"
        await advance(pilot, clock, 7.0)  # 4 s into the hold: past the grace for "back"
        await pilot.press("left")  # restarts the hold itself
        screen = await advance(pilot, clock, 0.0)
        assert text(screen, "word") == "HOLD"
        assert screen.query_one(BigClock).value == "0:05"


async def test_enter_ends_a_reps_phase(library: Catalog) -> None:
    clock = Clock()
    async with make_app(library, clock, routine_id="tiny").run_test() as pilot:
        await pilot.pause()
        screen = await advance(pilot, clock, 3 + 5 + 2 + 5 + 2)
        assert text(screen, "word") == "REPS"
        assert "4 reps" in text(screen, "target")
        screen = await advance(pilot, clock, 100.0)  # self-paced: it waits, counting up
        assert text(screen, "word") == "REPS"
        assert screen.query_one(BigClock).value == "1:40"
        await pilot.press("enter")
        screen = await advance(pilot, clock, 0.0)
        assert text(screen, "word") == "REST"


async def test_quit_asks_first(library: Catalog) -> None:
    clock = Clock()
    async with make_app(library, clock, routine_id="tiny").run_test() as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("escape")  # keep going
        await pilot.pause()
        assert isinstance(pilot.app.screen, SessionScreen)
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(pilot.app.screen, SummaryScreen)
        assert "Stopped early" in str(pilot.app.screen.query_one("#summary-text", Static).render())


async def test_finishing_shows_the_summary_and_run_again(library: Catalog) -> None:
    clock = Clock()
    async with make_app(library, clock, routine_id="tiny").run_test() as pilot:
        await pilot.pause()
        await advance(pilot, clock, 17.0)
        await pilot.press("enter")  # the reps phase
        await advance(pilot, clock, 0.0)
        await pilot.press("n")  # skip the rest
        clock.now += 6.0
        screen = pilot.app.screen
        assert isinstance(screen, SessionScreen)
        screen.tick()
        await pilot.pause()
        summary = pilot.app.screen
        assert isinstance(summary, SummaryScreen)
        body = str(summary.query_one("#summary-text", Static).render())
        assert "Completed: Tiny routine" in body
        assert "Exercise phases done: 4 of 4" in body
        assert "skipped" not in body  # only a rest was skipped
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(pilot.app.screen, SessionScreen)


async def test_first_run_note_is_shown_once(library: Catalog, tmp_path: Path) -> None:
    clock = Clock()
    config = Config()
    async with make_app(library, clock, config=config).run_test() as pilot:
        await pilot.pause()
        assert isinstance(pilot.app.screen, SafetyScreen)
        assert "not medical advice" in pilot.app.screen.query_one(Markdown).source
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, LibraryScreen)
    assert config.acknowledged_safety


async def test_small_terminal_says_enlarge(library: Catalog) -> None:
    clock = Clock()
    async with make_app(library, clock, routine_id="tiny").run_test(size=(30, 10)) as pilot:
        await pilot.pause()
        screen = pilot.app.screen
        assert screen.query_one("#too-small").display
        assert not screen.query_one("#clock").display
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        assert not screen.query_one("#too-small").display
        assert screen.query_one(BigClock).region.height >= 5
        session = screen.session  # type: ignore[attr-defined]
        assert session is not None and not session.finished


async def test_after_trainer_run_the_summary_leads_to_the_library(library: Catalog) -> None:
    clock = Clock()
    async with make_app(library, clock, routine_id="other").run_test() as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(pilot.app.screen, SummaryScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, LibraryScreen)
        assert pilot.app.screen.query_one("#routine-table", RowList).row_count == 2


async def test_collector_paused_for_startup_resumes_after_the_first_frame(library: Catalog) -> None:
    # `trainer` starts with the cyclic collector paused (trainer.gc_pause); a long session
    # must not run without it.
    gc_pause.pause_collector()
    try:
        async with make_app(library, Clock(), routine_id="tiny").run_test() as pilot:
            await pilot.pause()
            assert isinstance(pilot.app.screen, SessionScreen)
            assert gc.isenabled()
    finally:
        gc.enable()


async def test_a_prepared_routine_runs_before_the_library_is_loaded(library: Catalog) -> None:
    loads: list[int] = []

    def load() -> Catalog:
        loads.append(1)
        return library

    ready = prepare(library, "other")
    async with make_app(load, Clock(), routine_id="other", prepared=ready).run_test() as pilot:
        await pilot.pause()
        assert isinstance(pilot.app.screen, SessionScreen)
        assert text(pilot.app.screen, "title") != ""
        assert loads == []  # the session needed only the prepared routine
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert loads == []  # the summary too (no program is followed: nothing to ask it)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, LibraryScreen)
        assert loads == [1]


def filled(bar: ProgressLine) -> int:
    """How many cells of the bar are drawn in its bar colour."""
    colour = bar.get_component_rich_style("progress-line--bar").color
    return sum(len(s.text) for s in bar.render_line(0) if s.style and s.style.color == colour)


async def test_the_bars_fill_as_the_session_goes_on(library: Catalog) -> None:
    clock = Clock()
    async with make_app(library, clock, routine_id="tiny").run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = await advance(pilot, clock, 0.0)
        phase_bar = screen.query_one("#phase-bar", ProgressLine)
        session_bar = screen.query_one("#session-bar", ProgressLine)
        assert filled(session_bar) == 0
        screen = await advance(pilot, clock, 2.0)  # most of the get-ready phase
        assert filled(phase_bar) > phase_bar.size.width // 2
        screen = await advance(pilot, clock, 1.0)  # the hold starts: its bar starts empty
        assert filled(phase_bar) == 0
        screen = await advance(pilot, clock, 12.0)  # well into the routine
        assert screen.view is not None
        assert session_bar.fraction == pytest.approx(screen.view.session_progress)
        width = session_bar.size.width
        assert filled(session_bar) == pytest.approx(width * session_bar.fraction, abs=1)
        assert filled(session_bar) > width // 4


async def test_the_clock_is_drawn_at_full_size_from_the_first_frame(
        library: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    # It once showed a small "0:03" for a frame, then grew when the clock saw its size.
    drawn: list[int] = []
    render_line = Glyph.render_line

    def spy(self: Glyph, y: int) -> Strip:
        drawn.append(self.scale)
        return render_line(self, y)

    monkeypatch.setattr(Glyph, "render_line", spy)
    async with make_app(library, Clock(), routine_id="tiny").run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert drawn and min(drawn) >= 1
        big = max(drawn)
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert max(drawn) > big  # and it grows with the terminal
