"""Live reload: the library folders and config.yaml are watched, and read again when saved.

watchfiles (inotify on Linux, no polling) runs in a Textual worker. A burst of events, such as
an editor writing a temporary file and renaming it over the old one, arrives as one batch: one
reload. The library is loaded off the event loop by the loader that loaded it first (only
changed files are read again), then handed to the app, which updates the screens in place. A
session in progress keeps the timeline it started with: it holds its own prepared routine.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from trainer import paths

if TYPE_CHECKING:
    from trainer.library.sources import Source
    from trainer.ui.app import TrainerApp

# The watching thread wakes every STEP_MS to see whether the app has ended (and takes the GIL
# to ask): 250 ms costs ~0.2 ms of CPU a second idle here, 100 ms five times that.
STEP_MS = 250  # also the quiet time that ends a burst of events
DEBOUNCE_MS = 700  # a burst longer than this is reloaded in parts
CATCH_UP_SECONDS = 0.3
RUST_TIMEOUT_MS = 5000  # a wait for changes returns to Python this often, at most


def watched_folders(sources: Sequence[Source]) -> list[Path]:
    """The folders to watch: the config folder (library and config.yaml) and the others given."""
    folders: list[Path] = []
    # Made now, so a library folder or config.yaml created later is seen too (if it cannot be
    # made, nothing will be saved there either).
    with contextlib.suppress(OSError):
        paths.config_dir().mkdir(parents=True, exist_ok=True)
    for folder in [paths.config_dir(), *(s.path for s in sources if s.label != "built-in")]:
        if folder.is_dir() and not any(_within(folder, f) for f in folders):
            folders = [f for f in folders if not _within(f, folder)] + [folder]
    return folders


def _within(path: Path, folder: Path) -> bool:
    """True if `path` is `folder` or inside it."""
    try:
        path.resolve().relative_to(folder.resolve())
    except (OSError, ValueError):
        return False
    return True


async def watch(app: TrainerApp, config_too: bool = False) -> None:
    """Reload what changed, batch by batch, until app.watch_stop is set (config_too: read
    config.yaml once as well, for saves made while nothing watched)."""
    from watchfiles import awatch

    from trainer.config import load_config
    from trainer.library.sources import is_library_change

    sources = app.sources
    folders = watched_folders(sources)
    if not folders:
        return
    config_file = app.config.path
    loader = app.loader()

    async def reload() -> None:
        library = await asyncio.to_thread(loader.load, sources)
        current = app.library
        if (library.routines, library.exercises, library.problems) != (
                current.routines, current.exercises, current.problems):
            app.library_reloaded(library)

    async def catch_up() -> None:
        # A save between the library's loading and the watcher's start has no event: look once
        # the watches are in place (unchanged files are only stat()ed, from the loader's cache).
        await asyncio.sleep(CATCH_UP_SECONDS)
        await reload()
        if config_too:
            app.config_reloaded(await asyncio.to_thread(load_config))

    catching_up = asyncio.create_task(catch_up())
    # Set when the app ends or a session starts: the watching thread then returns within
    # STEP_MS (a cancelled worker alone would wait for the thread's own timeout).
    async for changes in awatch(*folders, watch_filter=lambda _c, path: is_library_change(path),
                                step=STEP_MS, debounce=DEBOUNCE_MS, stop_event=app.watch_stop,
                                rust_timeout=RUST_TIMEOUT_MS, ignore_permission_denied=True):
        changed = {Path(path) for _change, path in changes}
        if any(path != config_file for path in changed):
            await catching_up
            await reload()
        if config_file in changed:
            app.config_reloaded(await asyncio.to_thread(load_config))
