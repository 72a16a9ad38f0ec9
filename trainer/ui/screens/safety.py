"""The first-run safety note."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Markdown

NOTE = """\
## Before you start

trainer guides you through exercises; it is **not medical advice**.

- If you have pain, a recent injury or a health condition, check with a doctor or
  physical therapist before starting.
- Start slowly and increase gradually.
- **Stop** if you feel sharp pain, numbness or tingling, and get it checked.
"""


class SafetyScreen(ModalScreen[bool]):
    """Shown until acknowledged once; dismisses with True."""

    BINDINGS = [Binding("enter", "ok", "I understand", id="safety.ok", show=False)]

    def compose(self) -> ComposeResult:
        """The note and one button."""
        with Vertical(id="safety"):
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
