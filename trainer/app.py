"""The Textual app: wires the screens to the library, the clock and the settings."""

from __future__ import annotations

import time
from collections.abc import Iterable

from textual import work
from textual.app import App, SystemCommand
from textual.screen import Screen

from trainer.config import Config, load_config, save_config
from trainer.library import Library
from trainer.screens.library import LibraryScreen
from trainer.screens.safety import SafetyScreen
from trainer.screens.session import SessionScreen
from trainer.screens.summary import SummaryScreen
from trainer.session import Clock


class TrainerApp(App[None]):
    """Library, sessions and summaries; `routine_id` goes straight into a session."""

    CSS_PATH = "trainer.tcss"
    TITLE = "trainer"
    HORIZONTAL_BREAKPOINTS = [(0, "-tiny"), (40, "-narrow"), (80, "-normal"), (120, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-tiny-h"), (12, "-short"), (24, "-tall")]

    def __init__(self, library: Library, *, routine_id: str | None = None,
                 clock: Clock = time.monotonic, config: Config | None = None,
                 save_settings: bool = True) -> None:
        super().__init__()
        self.library = library
        self.routine_id = routine_id
        self.clock = clock
        self.config = config if config is not None else load_config()
        self.save_settings = save_settings

    def on_mount(self) -> None:
        """Apply the saved theme, show the safety note once, then the first screen."""
        if self.config.theme and self.config.theme in self.available_themes:
            self.theme = self.config.theme
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        if self.config.problem:
            self.notify(self.config.problem, severity="warning", timeout=8)
        self._start()

    @work
    async def _start(self) -> None:
        """Safety note first (once), then the library or the requested routine."""
        if not self.config.acknowledged_safety and await self.push_screen_wait(SafetyScreen()):
            self.config.acknowledged_safety = True
            self._save()
        await self.push_screen(LibraryScreen(self.library))
        if self.routine_id is not None:
            self.run_routine(self.routine_id)

    def on_library_screen_start(self, message: LibraryScreen.Start) -> None:
        """A routine was chosen on the library screen."""
        self.run_routine(message.routine_id)

    @work
    async def run_routine(self, routine_id: str) -> None:
        """Run sessions of a routine until the person goes back to the library."""
        while True:
            result = await self.push_screen_wait(SessionScreen(self.library, routine_id))
            choice = await self.push_screen_wait(SummaryScreen(result))
            if choice != "again":
                return

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:  # type: ignore[type-arg]
        """The usual commands plus one per routine."""
        yield from super().get_system_commands(screen)
        for routine in self.library.routines.values():
            yield SystemCommand(f"Start: {routine.name}", routine.summary or routine.id,
                                lambda rid=routine.id: self.run_routine(rid))

    def _theme_changed(self, theme: object) -> None:
        """Remember the theme."""
        if self.config.theme != self.theme:
            self.config.theme = self.theme
            self._save()

    def _save(self) -> None:
        """Save settings, saying so if that fails."""
        if not self.save_settings:
            return
        problem = save_config(self.config)
        if problem:
            self.notify(problem, severity="warning")
