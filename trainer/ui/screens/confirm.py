"""Questions: yes/no, and the resume offer's three answers, with their keys under the buttons."""

from __future__ import annotations

from typing import Any, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Label

from trainer.safe_text import printable

YES, NO, DISCARD = "confirm.yes", "confirm.no", "confirm.discard"


def bound_keys(screen: Screen[Any], ids: dict[str, str]) -> dict[str, str]:
    """For each binding id, the keys bound to it now ('n / esc'), else `ids`' default."""
    keys: dict[str, list[str]] = {binding_id: [] for binding_id in ids}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if binding.id in keys and key not in keys[binding.id]:
            keys[binding.id].append(screen.app.get_key_display(binding.with_key(key)))
    return {binding_id: " / ".join(found) or ids[binding_id] for binding_id, found in keys.items()}


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
        keys = bound_keys(self, {YES: "y", NO: "n"})
        return printable(f"{keys[YES]}  {self.yes}   ·   {keys[NO]}  {self.no}")

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


Answer = Literal["resume", "later", "discard"]


class ResumeOfferScreen(ModalScreen[Answer]):
    """"Resume Desk break?": Resume (the default), Not now (asked again), Discard (forgotten)."""

    # Rows, not a grid: a grid measures a spanning label's height at one column's width.
    DEFAULT_CSS = """
    ResumeOfferScreen { align: center middle; }
    ResumeOfferScreen #dialog {
        width: 64; max-width: 100%; height: auto; padding: 1 2;
        border: thick $primary; background: $surface;
    }
    ResumeOfferScreen #question, ResumeOfferScreen #keys {
        width: 1fr; height: auto; content-align: center middle;
    }
    ResumeOfferScreen #answers { height: 3; margin: 1 0; }
    ResumeOfferScreen #keys { color: $text-muted; }
    ResumeOfferScreen Button { width: 1fr; min-width: 0; margin: 0 1; }
    """

    BINDINGS = [
        Binding("y,r", "answer('resume')", "Resume", id=YES),
        Binding("n,escape", "answer('later')", "Not now", id=NO),
        Binding("d", "answer('discard')", "Discard", id=DISCARD),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        """Question, three buttons and their keys."""
        with Vertical(id="dialog"):
            yield Label(printable(self.question), id="question", markup=False)  # names a routine
            with Horizontal(id="answers"):
                yield Button("Resume", variant="primary", id="resume")
                yield Button("Not now", id="later")
                yield Button("Discard", variant="error", id="discard")
            yield Label("", id="keys", markup=False)

    def on_mount(self) -> None:
        """Resume is the default (Enter); the keys as bound."""
        self.query_one("#resume", Button).focus()
        keys = bound_keys(self, {YES: "y", NO: "n", DISCARD: "d"})
        self.query_one("#keys", Label).update(printable(
            f"{keys[YES]}  Resume   ·   {keys[NO]}  Not now   ·   {keys[DISCARD]}  Discard"))

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)  # type: ignore[arg-type]  # the three ids are answers

    def action_answer(self, answer: Answer) -> None:
        """Answer by key."""
        self.dismiss(answer)
