"""A yes/no question, with its keys shown under the buttons."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from trainer.safe_text import printable

YES, NO = "confirm.yes", "confirm.no"


class ConfirmScreen(ModalScreen[bool]):
    """Ask before doing something that cannot be undone; dismisses with the answer."""

    # The keys line under the buttons is read from the bindings once the dialog is up, so a
    # key remapped in config.yaml (`keys:`) is shown as it is.
    DEFAULT_CSS = """
    ConfirmScreen #keys { column-span: 2; width: 1fr; content-align: center middle;
                          color: $text-muted; }
    """

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id=YES),
        Binding("n,escape", "answer(False)", "No", id=NO),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        """Question, two buttons and their keys."""
        with Grid(id="dialog"):
            yield Label(printable(self.question), id="question", markup=False)  # names a routine
            yield Button(self.yes, variant="error", id="yes")
            yield Button(self.no, variant="primary", id="no")
            yield Label(f"y  {self.yes}   ·   n / esc  {self.no}", id="keys", markup=False)

    def on_mount(self) -> None:
        """Default to the safe answer; show the keys as bound."""
        self.query_one("#no", Button).focus()
        self.query_one("#keys", Label).update(self.keys_line())

    def keys_line(self) -> str:
        """'y  End   ·   n / esc  Keep going', from the keys bound now."""
        keys: dict[str, list[str]] = {YES: [], NO: []}
        for key, active in self.active_bindings.items():
            binding = active.binding
            if binding.id in keys and key not in keys[binding.id]:
                keys[binding.id].append(self.app.get_key_display(binding.with_key(key)))
        yes = " / ".join(keys[YES]) or "y"
        no = " / ".join(keys[NO]) or "n"
        return printable(f"{yes}  {self.yes}   ·   {no}  {self.no}")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        """Answer by key."""
        self.dismiss(value)


class EndSessionScreen(ConfirmScreen):
    """"End this session?": the key that asked (q) answers yes a second time, so q q ends it."""

    BINDINGS = [Binding("y,q", "answer(True)", "End", id=YES)]

    def __init__(self) -> None:
        super().__init__("End this session?", "End", "Keep going")
