"""The summary after a session, with an optional quick check-in.

Pain and effort are checked the same way as they are typed: anything may be typed, and a value
that is not a whole number in range turns the box red with a line saying what it takes. Saving
waits until both are empty or valid.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Footer, Input, Label, Static

from trainer.safe_text import printable
from trainer.ui.screens.session import SessionResult, describe_result

# Stores a check-in (pain 0-10, effort 1-10, note); returns a problem to show, or None.
SaveCheckin = Callable[[int | None, int | None, str], str | None]


class Score(Validator):
    """A whole number from low to high, in digits only ("1e1" and "5.0" are refused)."""

    def __init__(self, what: str, low: int, high: int) -> None:
        super().__init__(failure_description=f"{what} is {low}-{high}, a whole number")
        self.low, self.high = low, high

    def validate(self, value: str) -> ValidationResult:
        """Valid when empty (the check-in is optional) or a number in range."""
        text = value.strip()
        if not text:
            return self.success()
        if text.isascii() and text.isdigit() and self.low <= int(text) <= self.high:
            return self.success()
        return self.failure()


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
                        # Three characters: "100" is shown as wrong, not silently cut to "10".
                        yield Input(placeholder="pain 0-10", id="pain", max_length=3,
                                    validators=[Score("Pain", 0, 10)], valid_empty=True)
                        yield Input(placeholder="effort 1-10", id="effort", max_length=3,
                                    validators=[Score("Effort", 1, 10)], valid_empty=True)
                    yield Static("", id="checkin-message", markup=False)
                    yield Input(placeholder="a short note", id="note", max_length=200)
            # A program's stage changed with this check-in: said here, in plain words.
            yield Static("", id="program-news", markup=False, classes="hidden")
            with Horizontal(id="summary-buttons"):
                yield Button("Run again", id="again", variant="primary")
                yield Button("Back to library", id="library")
        yield Footer()

    def on_mount(self) -> None:
        """Start on the first check-in box, or the library button."""
        for box in self.query(Input):
            box.cursor_blink = False  # the summary may stay up a while: no redraw twice a second
        target = "#pain" if self.save_checkin is not None else "#library"
        self.query_one(target).focus()

    @on(Input.Changed, "#pain, #effort")
    def _score_changed(self) -> None:
        self._show_problems()

    def _show_problems(self) -> list[str]:
        """Say under the boxes what is wrong with them (nothing when both are fine)."""
        problems: list[str] = []
        for widget_id in ("pain", "effort"):
            box = self.query_one(f"#{widget_id}", Input)
            result = box.validate(box.value)
            if result is not None and not result.is_valid:
                problems += result.failure_descriptions
        message = self.query_one("#checkin-message", Static)
        message.update("; ".join(problems))
        return problems

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self._save()

    def _value(self, widget_id: str) -> int | None:
        """An optional number from a box already checked by its validator."""
        text = self.query_one(f"#{widget_id}", Input).value.strip()
        return int(text) if text else None

    def _save(self) -> bool:
        """Store the check-in once; False (with a message) if a number is out of range."""
        if self.save_checkin is None or self.saved:
            return True
        problems = self._show_problems()
        if problems:
            self.notify(f"{'; '.join(problems)} (or leave it empty)", severity="warning",
                        markup=False)
            return False
        pain, effort = self._value("pain"), self._value("effort")
        note = self.query_one("#note", Input).value.strip()
        if pain is None and effort is None and not note:
            return True
        problem = self.save_checkin(pain, effort, note)
        self.saved = problem is None
        self.notify(problem or "Check-in saved", severity="warning" if problem else "information",
                    timeout=3, markup=False)
        return True

    def show_news(self, text: str) -> None:
        """Say what the check-in changed in the program being followed."""
        news = self.query_one("#program-news", Static)
        news.update(printable(text))
        news.remove_class("hidden")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Either button (a typed check-in is saved first)."""
        if self._save():
            self.dismiss(event.button.id or "library")

    def action_choose(self, choice: str) -> None:
        """Either key."""
        if self._save():
            self.dismiss(choice)
