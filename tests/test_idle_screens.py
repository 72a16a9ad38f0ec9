"""Idle is idle (issue 18): a screen nobody touches runs no timer and draws nothing.

Each screen is reached as a person would reach it, then watched: no repeating timer may be
running anywhere in the app (a blinking cursor is one, twice a second; so is any polling), and
over a short stretch of real time (the idleness itself is what is measured; no session time
passes) the app must not draw a single frame. bench/bench_idle.py measures the same in a pty.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from conftest import FakeClock
from pilot_helpers import load_fixture_library, make_app, run_tiny
from textual.timer import Timer

from trainer.config import Config
from trainer.ui.app import TrainerApp

STRETCH = 0.6  # seconds watched: longer than a cursor blink (0.5 s)


async def _keys(pilot: Any, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await pilot.pause()


async def _summary(pilot: Any, clock: FakeClock) -> None:
    await pilot.press("enter")  # the first routine of the list: the tiny one
    await pilot.pause()
    await run_tiny(pilot, clock)


async def _session(pilot: Any, *keys: str) -> None:
    await _keys(pilot, "enter", *keys)


Reach = Callable[[Any, FakeClock], Awaitable[None]]
SCREENS: dict[str, Reach] = {
    "library": lambda pilot, clock: _keys(pilot),
    "library, filter focused": lambda pilot, clock: _keys(pilot, "slash", *"str"),
    "library, exercises tab": lambda pilot, clock: _keys(pilot, "t"),
    "history": lambda pilot, clock: _keys(pilot, "h"),
    "problems": lambda pilot, clock: _keys(pilot, "exclamation_mark"),
    "safety note": lambda pilot, clock: _keys(pilot, "S"),
    "routine editor": lambda pilot, clock: _keys(pilot, "e", "n"),
    "exercise picker": lambda pilot, clock: _keys(pilot, "e", "n", "a"),
    "exercise editor": lambda pilot, clock: _keys(pilot, "t", "e", "n"),
    "session, paused": lambda pilot, clock: _session(pilot, "space"),
    "end-session dialog": lambda pilot, clock: _session(pilot, "q"),
    "summary": _summary,
}


def running_timers(app: TrainerApp) -> list[str]:
    """Repeating timers not paused, on the app and on every node of every screen."""
    pumps = [app, *(node for screen in app.screen_stack for node in screen.walk_children(
        with_self=True))]
    found = []
    for pump in pumps:
        for timer in list(pump._timers):
            assert isinstance(timer, Timer)
            if timer._repeat != 1 and timer._task is not None and timer._active.is_set():
                found.append(f"{pump!r}: {timer.name} every {timer._interval} s")
    return found


@pytest.mark.parametrize("name", list(SCREENS))
async def test_an_idle_screen_runs_no_timer_and_draws_nothing(name: str) -> None:
    clock = FakeClock()
    app = make_app(load_fixture_library(), clock,
                   config=Config(acknowledged_safety=True, watch=False))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await SCREENS[name](pilot, clock)
        await pilot.pause()
        screen = app.screen
        assert running_timers(app) == [], (name, screen)
        frames = []
        display = app._display
        app._display = lambda s, r: (frames.append(r), display(s, r))  # type: ignore[method-assign]
        await pilot.pause()
        frames.clear()  # what the last key asked for is not idle drawing
        await asyncio.sleep(STRETCH)  # real time: idleness over time is the thing measured
        assert app.screen is screen, (name, app.screen)
        assert [f for f in frames if f is not None] == [], (name, screen, len(frames))
