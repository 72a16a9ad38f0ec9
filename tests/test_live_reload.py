"""Live reload: a routine file saved into a watched folder shows in the app without a restart.

Real files, real inotify and real time: each test waits on the app's own reload event (never a
fixed sleep), with a bound of 2 s of real time from the save.
"""

from __future__ import annotations

import asyncio
import time

from conftest import FakeClock
from pilot_helpers import make_app, tick

from trainer.config import Config
from trainer.library.sources import Source
from trainer.paths import builtin_library_dir, user_library_dir
from trainer.session.catalog import CatalogLoader
from trainer.ui.app import TrainerApp
from trainer.ui.screens.library import LibraryScreen
from trainer.ui.screens.session import SessionScreen

ROUTINE = """\
version: 1
routines:
  - id: saved-from-outside
    name: Saved from outside
    steps: [standing-hamstring-stretch]
"""


def watching_app(clock: FakeClock, **kwargs: object) -> TrainerApp:
    """The app on the built-in and user libraries, watching its files."""
    sources = [Source("built-in", builtin_library_dir()),
               Source("user", user_library_dir(), required=False)]
    library = CatalogLoader().load(sources)
    return make_app(library, clock, sources=sources,
                    config=Config(acknowledged_safety=True, watch=True), **kwargs)


async def reloaded(app: TrainerApp, since: float, limit: float = 2.0) -> float:
    """Wait for the app's next reload; the real seconds it took since `since`."""
    await asyncio.wait_for(app.reloaded.wait(), timeout=limit + 3)
    app.reloaded.clear()
    return time.monotonic() - since


async def started(app: TrainerApp, pilot: object) -> None:
    """Until the watcher is up (its worker running, the first frame drawn)."""
    for _ in range(100):
        if any(w.group == "watch" and w.is_running for w in app.workers):
            await asyncio.sleep(0.2)  # inotify watches are in place once the thread waits
            return
        await pilot.pause(0.02)  # type: ignore[attr-defined]
    raise AssertionError("the watcher never started")


async def test_a_routine_saved_from_outside_is_listed_within_two_seconds(
        clock: FakeClock) -> None:
    user_library_dir().mkdir(parents=True)
    app = watching_app(clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await started(app, pilot)
        library = app.screen
        assert isinstance(library, LibraryScreen)
        before = library._current("#routine-table")
        folder = user_library_dir()
        saved_at = time.monotonic()
        (folder / "outside.yaml").write_text(ROUTINE)
        took = await reloaded(app, saved_at)
        await pilot.pause()
        assert took < 2.0
        assert "saved-from-outside" in library.library.routines
        table = library.query_one("#routine-table")
        assert "saved-from-outside" in table.rows  # type: ignore[attr-defined]
        assert library._current("#routine-table") == before  # the selection stays

        # A mistake saved: the problem is said with its file:line:col, the count goes up.
        saved_at = time.monotonic()
        (folder / "outside.yaml").write_text(ROUTINE.replace("steps: [", "steps: [nope, "))
        await reloaded(app, saved_at)
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("outside.yaml:5:" in m and "unknown exercise 'nope'" in m for m in messages)
        assert "1 problem" in str(library.query_one("#problems-button").label)  # type: ignore[attr-defined]


async def test_a_burst_of_saves_is_one_reload(clock: FakeClock) -> None:
    app = watching_app(clock)
    async with app.run_test() as pilot:
        await pilot.pause()
        await started(app, pilot)
        folder = user_library_dir()
        folder.mkdir(parents=True, exist_ok=True)
        count = 0
        original = app.library_reloaded

        def counting(library: object) -> None:
            nonlocal count
            count += 1
            original(library)  # type: ignore[arg-type]

        app.library_reloaded = counting  # type: ignore[method-assign]
        saved_at = time.monotonic()
        for n in range(5):  # as an editor does: a temporary file, renamed over the old one
            tmp = folder / f".outside.yaml.tmp{n}"
            tmp.write_text(ROUTINE)
            tmp.replace(folder / "outside.yaml")
        await reloaded(app, saved_at)
        await asyncio.sleep(0.5)  # room for a second reload, had the burst been split
        assert count == 1


async def test_what_is_saved_during_a_session_is_read_once_it_ends(clock: FakeClock) -> None:
    # The session keeps its timeline whatever is saved, so nothing is watched while it runs
    # (the watcher's thread would wake four times a second); its end reads what changed.
    folder = user_library_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mine.yaml").write_text(ROUTINE)
    app = watching_app(clock, routine_id="saved-from-outside")
    async with app.run_test() as pilot:
        await pilot.pause(0.3)
        session = app.screen
        assert isinstance(session, SessionScreen)
        assert not any(w.group == "watch" and w.is_running for w in app.workers)
        timeline = session.timeline
        (folder / "mine.yaml").write_text(ROUTINE.replace("standing-hamstring-stretch",
                                                          "knee-to-chest"))
        app.config.path.parent.mkdir(parents=True, exist_ok=True)
        app.config.path.write_text("acknowledged_safety: true\ntheme: nord\n")
        await tick(pilot, clock, 1.0)
        assert app.screen is session and session.timeline is timeline
        assert session.view is not None and "hamstring" in session.view.title.lower()
        assert "knee-to-chest" not in str(app.library.routines["saved-from-outside"].steps)
        ended_at = time.monotonic()
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("y")  # stop: the summary
        await reloaded(app, ended_at)
        assert "knee-to-chest" in str(app.library.routines["saved-from-outside"].steps)
        for _ in range(100):  # config.yaml is read just after the library
            if app.theme == "nord":
                break
            await pilot.pause(0.02)
        assert app.theme == "nord"
        assert any(w.group == "watch" and w.is_running for w in app.workers)


async def test_config_yaml_saved_changes_the_theme_and_watch_false_stops(
        clock: FakeClock) -> None:
    app = watching_app(clock)
    async with app.run_test() as pilot:
        await pilot.pause()
        await started(app, pilot)
        path = app.config.path
        path.parent.mkdir(parents=True, exist_ok=True)
        saved_at = time.monotonic()
        path.write_text("acknowledged_safety: true\ntheme: nord\n")
        await reloaded(app, saved_at)
        assert app.theme == "nord"
        path.write_text("acknowledged_safety: true\ntheme: nord\nwatch: false\n")
        await reloaded(app, time.monotonic())
        for _ in range(150):  # the watching thread notices within a step (250 ms)
            if not any(w.group == "watch" and w.is_running for w in app.workers):
                break
            await pilot.pause(0.02)
        assert not any(w.group == "watch" and w.is_running for w in app.workers)



async def test_a_new_folder_with_a_routine_in_it_is_read(clock: FakeClock) -> None:
    app = watching_app(clock)
    async with app.run_test() as pilot:
        await pilot.pause()
        await started(app, pilot)
        saved_at = time.monotonic()
        folder = user_library_dir()  # made with its file at once, as `trainer new` does
        folder.mkdir(parents=True)
        (folder / "outside.yaml").write_text(ROUTINE)
        while "saved-from-outside" not in app.library.routines:
            await reloaded(app, saved_at)
        assert time.monotonic() - saved_at < 2.0
