"""Pick an exercise: type to filter, arrows to choose, Enter to take it."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from trainer.library.model import Exercise
from trainer.safe_text import printable
from trainer.session.describe import exercise_timing


class ExercisePicker(ModalScreen[str | None]):
    """Every exercise with its id, category, level and timing; dismisses with the id or None."""

    DEFAULT_CSS = """
    ExercisePicker { align: center middle; }
    ExercisePicker #picker {
        width: 90; max-width: 100%; height: 80%; border: thick $primary; background: $surface;
        padding: 0 1;
    }
    ExercisePicker #picker-filter { margin-bottom: 1; }
    ExercisePicker OptionList { height: 1fr; }
    ExercisePicker #picker-keys { color: $text-muted; height: 1; }
    """

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="picker.cancel")]
    AUTO_FOCUS = "#picker-filter"  # focused as the screen comes up, before any key is read

    def __init__(self, exercises: Mapping[str, Exercise], title: str = "Add an exercise") -> None:
        super().__init__()
        self.exercises = dict(exercises)
        self.title_text = title

    def compose(self) -> ComposeResult:
        """Title, filter, the list, the keys."""
        with Vertical(id="picker"):
            yield Label(self.title_text, markup=False)
            box = Input(placeholder="Type to filter: name, id, category, level",
                        id="picker-filter")
            box.cursor_blink = False  # a blink redraws twice a second: idle stays idle
            yield box
            yield OptionList(*self._options(""), id="picker-list")
            yield Label("↑↓ choose · Enter take it · Esc cancel", id="picker-keys")

    def _options(self, query: str) -> list[Option]:
        words = query.lower().split()
        found = []
        for ex in sorted(self.exercises.values(), key=lambda e: (e.category, e.name.lower())):
            haystack = " ".join((ex.id, ex.name, ex.category, ex.level)).lower()
            if all(word in haystack for word in words):
                # Names come from library files: shown as plain text.
                label = Text(printable(ex.name), style="bold")
                timing = exercise_timing(ex, sides=False)
                label.append(f"  {ex.id} · {ex.category} · {ex.level} · {timing}", style="dim")
                found.append(Option(label, id=ex.id))
        return found

    @on(Input.Changed, "#picker-filter")
    def _filter(self, event: Input.Changed) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(self._options(event.value))
        if options.option_count:
            options.highlighted = 0

    @on(Input.Submitted, "#picker-filter")
    def _take_highlighted(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    def on_key(self, event: object) -> None:
        """Up and down move in the list while typing in the filter; letters go to the filter."""
        from textual.events import Key

        box = self.query_one("#picker-filter", Input)
        if isinstance(event, Key) and event.is_printable and event.character \
                and not box.has_focus:
            # Typed before the box had the focus (keys that arrive together over SSH).
            event.stop()
            event.prevent_default()
            box.focus()
            box.insert_text_at_cursor(event.character)
            return
        if isinstance(event, Key) and event.key in ("up", "down"):
            options = self.query_one(OptionList)
            if options.option_count:
                event.stop()
                if event.key == "up":
                    options.action_cursor_up()
                else:
                    options.action_cursor_down()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_mount(self) -> None:
        """The first match is the one Enter takes."""
        options = self.query_one(OptionList)
        if options.option_count:
            options.highlighted = 0
