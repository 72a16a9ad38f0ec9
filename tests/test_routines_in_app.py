"""Every built-in routine, followed in the app as a new user would, reaches its summary."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from trainer.audio.players import NonePlayer
from trainer.config import Config
from trainer.library.sources import Source
from trainer.paths import builtin_library_dir
from trainer.session.catalog import Catalog, CatalogLoader
from trainer.ui.app import TrainerApp
from trainer.ui.screens.session import SessionScreen
from trainer.ui.screens.summary import SummaryScreen

LIBRARY: Catalog = CatalogLoader().load([Source("built-in", builtin_library_dir())])


@pytest.mark.parametrize("routine_id", sorted(LIBRARY.routines))
async def test_routine_runs_to_its_summary(routine_id: str) -> None:
    now = [0.0]
    app = TrainerApp(LIBRARY, routine_id=routine_id, clock=lambda: now[0], player=NonePlayer(),
                     config=Config(acknowledged_safety=True), save_settings=False)
    timeline = LIBRARY.timeline(routine_id)
    seen: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for _ in range(len(timeline.phases) + 5):
            screen = app.screen
            if not isinstance(screen, SessionScreen) or screen.session is None:
                break
            state = screen.session.state()
            seen.append(state.phase.kind)
            if state.remaining is None:
                now[0] += state.phase.estimate  # do the reps at the planned pace
                await pilot.press("enter")
            else:
                now[0] += state.remaining + 0.001  # the fast clock: straight to the phase's end
                screen.tick()
            if screen.session is None:  # finished: let the summary come up
                await pilot.pause()
        summary = app.screen
        assert isinstance(summary, SummaryScreen), f"stuck in {seen[-1:]}"
        text = str(summary.query_one("#summary-text", Static).render())
        assert f"Completed: {timeline.routine_name}" in text
        active = sum(1 for p in timeline.phases if p.active)
        assert f"Exercise phases done: {active} of {active}" in text
    assert len(seen) == len(timeline.phases) - 1  # every phase shown once, none skipped
