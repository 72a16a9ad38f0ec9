"""The first-run safety note."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Markdown

from trainer.safety import NOTE, full_text


class SafetyScreen(ModalScreen[bool]):
    """Shown until acknowledged once (or, `full`, with the signs that need a doctor); True."""

    BINDINGS = [Binding("enter", "ok", "I understand", id="safety.ok", show=False)]

    def __init__(self, *, full: bool = False) -> None:
        super().__init__()
        self.full = full

    def compose(self) -> ComposeResult:
        """The note and one button."""
        with Vertical(id="safety", classes="full" if self.full else ""):
            if self.full:  # longer than a small terminal: it scrolls
                with VerticalScroll():
                    yield Markdown(full_text())
            else:
                yield Markdown(NOTE)
            yield Button("I understand", variant="primary", id="ok")

    def on_mount(self) -> None:
        """Focus the button so Enter acknowledges."""
        self.query_one(Button).focus()

    def on_button_pressed(self) -> None:
        """Acknowledge."""
        self.dismiss(True)

    def action_ok(self) -> None:
        """Acknowledge by key."""
        self.dismiss(True)
