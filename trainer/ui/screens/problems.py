"""The list of library problems."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList

from trainer.library.problems import Problem
from trainer.safe_text import printable


class ProblemsScreen(ModalScreen[None]):
    """Every problem as file:line:col and message."""

    BINDINGS = [Binding("escape,q", "dismiss", "Close", id="problems.close")]

    def __init__(self, problems: list[Problem], notes: list[str]) -> None:
        super().__init__()
        self.problems = problems
        self.notes = notes

    def compose(self) -> ComposeResult:
        """A heading and the list."""
        count = len(self.problems)
        with Vertical(id="problems"):
            yield Label(f"{count} problem{'s' * (count != 1)} in the library "
                        "(fix the files, then restart; Escape closes)", id="problems-title")
            # File names and the values quoted in messages come from the files: shown safely.
            yield OptionList(*[printable(str(p)) for p in self.problems],
                             *[printable(f"note: {n}") for n in self.notes], markup=False)

    async def action_dismiss(self, result: None = None) -> None:
        """Close."""
        self.dismiss(None)
