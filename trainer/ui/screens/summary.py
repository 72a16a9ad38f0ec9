"""The summary after a session, with an optional quick check-in."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.validation import Integer
from textual.widgets import Button, Footer, Input, Label, Static

from trainer.ui.screens.session import SessionResult, describe_result

# Stores a check-in (pain 0-10, effort 1-10, note); returns a problem to show, or None.
SaveCheckin = Callable[[int | None, int | None, str], str | None]


class SummaryScreen(Screen[str]):
    """How it went; dismisses with 'again' or 'library'."""

    BINDINGS = [
        Binding("ctrl+r", "choose('again')", "Run again", id="summary.again"),
        Binding("escape", "choose('library')", "Library", id="summary.library"),
    ]

    def __init__(self, result: SessionResult, save_checkin: SaveCheckin | None = None) -> None:
        super().__init__()
        self.result = result
        self.save_checkin = save_checkin
        self.saved = False

    def compose(self) -> ComposeResult:
        """The summary, the check-in and two buttons."""
        with Vertical(id="summary"):
            yield Static("Well done." if self.result.completed else "Session ended.",
                         id="summary-title")
            yield Static(describe_result(self.result), id="summary-text", markup=False)
            if self.save_checkin is not None:
                with Vertical(id="checkin"):
                    yield Label("How did it go? (optional; Enter saves)")
                    with Horizontal(classes="checkin-row"):
                        yield Input(placeholder="pain 0-10", type="integer", id="pain",
                                    validators=[Integer(0, 10)], max_length=2)
                        yield Input(placeholder="effort 1-10", type="integer", id="effort",
                                    validators=[Integer(1, 10)], max_length=2)
                    yield Input(placeholder="a short note", id="note", max_length=200)
            with Horizontal(id="summary-buttons"):
                yield Button("Run again", id="again", variant="primary")
                yield Button("Back to library", id="library")
        yield Footer()

    def on_mount(self) -> None:
        """Start on the first check-in box, or the library button."""
        target = "#pain" if self.save_checkin is not None else "#library"
        self.query_one(target).focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self._save()

    def _value(self, widget_id: str) -> tuple[int | None, bool]:
        """An optional number from a box, and whether it is acceptable."""
        box = self.query_one(f"#{widget_id}", Input)
        if not box.value.strip():
            return None, True
        result = box.validate(box.value)
        return (int(box.value), True) if result is None or result.is_valid else (None, False)

    def _save(self) -> bool:
        """Store the check-in once; False (with a message) if a number is out of range."""
        if self.save_checkin is None or self.saved:
            return True
        pain, pain_ok = self._value("pain")
        effort, effort_ok = self._value("effort")
        if not (pain_ok and effort_ok):
            self.notify("Pain is 0-10 and effort 1-10 (or leave them empty)",
                        severity="warning")
            return False
        note = self.query_one("#note", Input).value.strip()
        if pain is None and effort is None and not note:
            return True
        problem = self.save_checkin(pain, effort, note)
        self.saved = problem is None
        self.notify(problem or "Check-in saved", severity="warning" if problem else "information",
                    timeout=3, markup=False)
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Either button (a typed check-in is saved first)."""
        if self._save():
            self.dismiss(event.button.id or "library")

    def action_choose(self, choice: str) -> None:
        """Either key."""
        if self._save():
            self.dismiss(choice)
