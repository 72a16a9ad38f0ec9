"""Snapshot tests of the library, session and editor screens at 80x24 and 120x40 (fake clock)."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainer.audio.players import NonePlayer
from trainer.config import Config
from trainer.library.sources import Source
from trainer.session.catalog import CatalogLoader
from trainer.ui.app import TrainerApp
from trainer.ui.screens.session import SessionScreen

FIXTURES = Path(__file__).parent / "fixtures" / "applib"
SIZES = [(80, 24), (120, 40)]


def _app(routine_id: str | None = None) -> TrainerApp:
    library = CatalogLoader().load([Source("test", FIXTURES)])
    now = [1000.0]
    app = TrainerApp(library, routine_id=routine_id, clock=lambda: now[0], player=NonePlayer(),
                     config=Config(acknowledged_safety=True, theme="textual-dark"),
                     save_settings=False)
    app.fake_now = now  # type: ignore[attr-defined]
    return app


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_library_screen(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(), terminal_size=size)


def test_library_screen_filtered(snap_compare) -> None:  # type: ignore[no-untyped-def]
    # Filtered, then back on the list: the tab titles count the matches, Esc is offered.
    assert snap_compare(_app(), terminal_size=(80, 24), press=["slash", *"stretch", "enter"])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_session_screen(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def into_the_hold(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        pilot.app.fake_now[0] += 4.5  # 1.5 s into the first hold
        screen = pilot.app.screen
        assert isinstance(screen, SessionScreen)
        screen.tick()
        await pilot.pause()

    assert snap_compare(_app("tiny"), terminal_size=size, run_before=into_the_hold)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_routine_editor(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    # The first routine, edited as a copy under a new id; its second step selected.
    assert snap_compare(_app(), terminal_size=size, press=["e", "n", "down", "down"])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_exercise_editor(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(), terminal_size=size, press=["t", "e", "n"])
