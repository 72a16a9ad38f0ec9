"""Regenerate the README screenshots (SVG): `python docs/make_screenshots.py`."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from trainer.audio.players import NonePlayer
from trainer.config import Config
from trainer.library.sources import Source
from trainer.paths import builtin_library_dir
from trainer.session.catalog import CatalogLoader
from trainer.ui.app import TrainerApp
from trainer.ui.screens.session import SessionScreen

OUT = Path(__file__).parent / "screenshots"


async def shoot(name: str, routine: str | None, seconds: float, size: tuple[int, int],
                keys: tuple[str, ...] = ()) -> None:
    """Run the app at a size, press keys, move the fake clock on, save the screen."""
    # A history of its own: a shot left mid-session would have the next one offer a resume.
    os.environ["TRAINER_DATA_DIR"] = tempfile.mkdtemp()
    library = CatalogLoader().load([Source("built-in", builtin_library_dir())])
    now = [0.0]
    app = TrainerApp(library, routine_id=routine, clock=lambda: now[0], player=NonePlayer(),
                     config=Config(acknowledged_safety=True, theme="textual-dark"),
                     save_settings=False)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for _ in range(100):
            if not keys or type(app.screen).__name__ == "LibraryScreen":
                break
            await pilot.pause(0.05)  # the library is put up after the first frame
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.2)  # a dialog or an editor may be coming up
        if isinstance(app.screen, SessionScreen):
            now[0] += seconds
            app.screen.tick()
            await pilot.pause()
        app.save_screenshot(filename=f"{name}.svg", path=str(OUT))


async def main() -> None:
    """Every screenshot the README shows."""
    for name in ("TRAINER_CONFIG_DIR", "TRAINER_CACHE_DIR"):
        os.environ.setdefault(name, tempfile.mkdtemp())  # no one's own routines or settings
    await shoot("library", None, 0, (100, 30))
    await shoot("session", "back-knee-relief", 27.4, (100, 30))
    await shoot("session-80x24", "back-knee-relief", 150.2, (80, 24))
    # The routine editor on a copy of a built-in routine (the sixth listed), a step selected.
    await shoot("editor", None, 0, (100, 30), ("down",) * 5 + ("e", "n") + ("down",) * 4)


if __name__ == "__main__":
    asyncio.run(main())
