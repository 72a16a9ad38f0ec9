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


async def shoot(name: str, routine: str | None, seconds: float, size: tuple[int, int]) -> None:
    """Run the app at a size, move the fake clock on, save the screen."""
    library = CatalogLoader().load([Source("built-in", builtin_library_dir())])
    now = [0.0]
    app = TrainerApp(library, routine_id=routine, clock=lambda: now[0], player=NonePlayer(),
                     config=Config(acknowledged_safety=True, theme="textual-dark"),
                     save_settings=False)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if isinstance(app.screen, SessionScreen):
            now[0] += seconds
            app.screen.tick()
            await pilot.pause()
        app.save_screenshot(filename=f"{name}.svg", path=str(OUT))


async def main() -> None:
    """Every screenshot the README shows."""
    os.environ.setdefault("TRAINER_CONFIG_DIR", tempfile.mkdtemp())
    await shoot("library", None, 0, (100, 30))
    await shoot("session", "back-knee-relief", 27.4, (100, 30))
    await shoot("session-80x24", "back-knee-relief", 150.2, (80, 24))


if __name__ == "__main__":
    asyncio.run(main())
