"""The summary after a session."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

from trainer.screens.session import SessionResult, describe_result


class SummaryScreen(Screen[str]):
    """How it went; dismisses with 'again' or 'library'."""

    BINDINGS = [
        Binding("r", "choose('again')", "Run again", id="summary.again"),
        Binding("l,escape", "choose('library')", "Library", id="summary.library"),
        Binding("q", "app.quit", "Quit app", id="summary.quit"),
    ]

    def __init__(self, result: SessionResult) -> None:
        super().__init__()
        self.result = result

    def compose(self) -> ComposeResult:
        """The summary text and two buttons."""
        with Vertical(id="summary"):
            yield Static("Well done." if self.result.completed else "Session ended.",
                         id="summary-title")
            yield Static(describe_result(self.result), id="summary-text")
            with Horizontal(id="summary-buttons"):
                yield Button("Run again", id="again", variant="primary")
                yield Button("Back to library", id="library")
        yield Footer()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Either button."""
        self.dismiss(event.button.id or "library")

    def action_choose(self, choice: str) -> None:
        """Either key."""
        self.dismiss(choice)
