"""Helpers for Pilot tests of the wired app: the fixture library, fake time, notices, the bell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import FakeClock
from textual.message import Message
from textual.notifications import Notify

from trainer.config import Config
from trainer.library.sources import Source
from trainer.session.catalog import Catalog, CatalogLoader
from trainer.ui.app import TrainerApp
from trainer.ui.screens.session import SessionScreen
from trainer.ui.screens.summary import SummaryScreen

FIXTURES = Path(__file__).parent / "fixtures" / "applib"

# The tiny routine, ticked once a second with Enter ending its reps phase at 0:20: the cue each
# moment sounds, at its second. Where a rep tick meets a countdown second (0:26) the countdown
# wins; a switch phase sounds through its switch cue.
TINY_CUES = [
    (0, "get_ready"), (1, "tick"), (2, "tick"),                     # get ready 3 s
    (3, "work"), (6, "tick"), (7, "tick"),                          # hold, left side, 5 s
    (8, "switch"), (9, "tick"),                                     # switch sides, 2 s
    (10, "work"), (13, "tick"), (14, "tick"),                       # hold, right side
    (15, "rest"), (16, "tick"),                                     # rest 2 s
    (17, "work"),                                                   # reps, self-paced
    (20, "rest"), (21, "tick"),                                     # rest 2 s
    (22, "work"), (24, "rep"), (26, "tick"), (27, "tick"),          # 3 reps @ 2 s
    (28, "complete"),
]


def load_fixture_library() -> Catalog:
    """The tiny test library (every phase kind in a few seconds)."""
    lib = CatalogLoader().load([Source("test", FIXTURES)])
    assert not lib.problems
    return lib


def make_app(library: Catalog, clock: FakeClock, **kwargs: Any) -> TrainerApp:
    """The app on the fixture library and the fake clock; voice off (no speech engine needed)."""
    # No file watching unless a test asks for it (tests/test_live_reload.py).
    kwargs.setdefault("config", Config(acknowledged_safety=True, watch=False))
    kwargs.setdefault("save_settings", False)
    kwargs.setdefault("voice", False)
    return TrainerApp(library, clock=clock, **kwargs)


class Notices:
    """Collects every notification the app posts (pass it as run_test's message_hook)."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def __call__(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.messages.append(message.notification.message)

    def about_audio(self) -> list[str]:
        """The notices that say something about sound."""
        words = ("bell", "player", "audio", "sound", "aplay")
        return [m for m in self.messages if any(w in m.lower() for w in words)]


def spy_bell(app: TrainerApp) -> list[int]:
    """Count App.bell calls (headless, the real one writes nothing)."""
    calls: list[int] = []
    app.bell = lambda: calls.append(1)  # type: ignore[method-assign]
    return calls


def session_screen(app: TrainerApp) -> SessionScreen:
    """The current screen, which must be a session."""
    screen = app.screen
    assert isinstance(screen, SessionScreen), screen
    return screen


async def tick(pilot: Any, clock: FakeClock, seconds: float = 1.0) -> None:
    """Move time on and let the session catch up."""
    clock.advance(seconds)
    screen = pilot.app.screen
    if isinstance(screen, SessionScreen):
        screen.tick()
    await pilot.pause()


async def run_tiny(pilot: Any, clock: FakeClock) -> None:
    """Follow the tiny routine from its start a second at a time, ending the reps at 0:20."""
    for _ in range(20):
        await tick(pilot, clock)
    await pilot.press("enter")
    await pilot.pause()
    for _ in range(8):
        await tick(pilot, clock)
    assert isinstance(pilot.app.screen, SummaryScreen)


async def run_to_summary(pilot: Any, clock: FakeClock) -> None:
    """Follow the session from wherever it is to its summary (Enter ends a reps phase)."""
    for _ in range(60):
        screen = pilot.app.screen
        if not isinstance(screen, SessionScreen):
            break
        assert screen.session is not None
        if screen.session.state().remaining is None:
            await pilot.press("enter")
            await pilot.pause()
        else:
            await tick(pilot, clock)
    assert isinstance(pilot.app.screen, SummaryScreen), pilot.app.screen
