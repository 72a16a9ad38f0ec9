"""The exercise editor: every field of an exercise, checked as you type, saved to your library.

The form is checked on every change by the very validator that reads library files: the exercise
is written out as a one-exercise file in memory and read back, and each problem is shown under the
field whose key holds its line. Save is refused while there is a problem.

A new exercise is saved into the user library folder as `<id>.yaml`, starting with a one-line
comment; one that came from a file in the user library is changed in place, keeping the rest of
that file as it was (`library.yamledit`). Nothing is ever written anywhere else, so the built-in
library and folders given with --library stay untouched. After a save the screen stays open; on
leaving it dismisses with the id last saved, or None if nothing was.

Choices made here: muscles and equipment are comma separated; instructions and cues are one per
line (a cue may hold a comma); durations are kept as written ("30s" stays "30s"); a plain number
of seconds, reps or sets is written as a number. Empty optional fields are left out of the file,
and so are level, sides and sets at their defaults unless the exercise already had them. Text
from a file is shown made printable; a field left as shown keeps the file's own text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Select, Static, TextArea

from trainer.library import yamledit
from trainer.library.ids import free_id, slug
from trainer.library.vocabulary import CATEGORIES, LEVELS
from trainer.safe_text import printable
from trainer.ui.screens.confirm import ConfirmScreen

SIDES = ("none", "each", "alternate")
TIMINGS = ("hold", "duration", "reps")
GENERAL = "general"  # a problem that belongs to no one field: shown at the top

# Field ids, in form order, with the words a refusal uses for them.
FIELD_LABELS = {
    "name": "Name", "id": "Id", "category": "Category", "level": "Level", "sides": "Sides",
    "timing": "Timing", "tempo": "Tempo", "sets": "Sets", "muscles": "Muscles",
    "equipment": "Equipment", "summary": "Summary", "instructions": "Instructions",
    "cues": "Cues", "safety": "Safety", GENERAL: "Exercise",
}
# The field that shows a problem with each key of the exercise.
_KEY_FIELDS = {"hold": "timing", "duration": "timing", "reps": "timing"}
_MISSING = re.compile(r"missing required key '([a-z_]+)'")
_WHOLE = re.compile(r"[0-9]{1,9}")


def _number_or_text(text: str) -> int | str:
    """A whole number as a number; anything else as the person wrote it (the validator judges)."""
    return int(text) if _WHOLE.fullmatch(text) else text


@dataclass(frozen=True)
class FieldProblem:
    """One problem, with the form field it concerns."""

    field: str
    message: str

    def __str__(self) -> str:
        label = FIELD_LABELS.get(self.field, self.field)
        if self.message.lower().startswith((f"{label.lower()} ", f"{label.lower()}:")):
            return self.message  # "name must not be empty" names its field already
        return f"{label}: {self.message}"


def check(item: dict[str, Any], taken: Iterable[str] = ()) -> list[FieldProblem]:
    """Every problem with one exercise, each with its field: the file validator's and id clashes."""
    found: list[FieldProblem] = []
    item_id = item.get("id")
    if isinstance(item_id, str) and item_id and item_id in set(taken):
        found.append(FieldProblem("id", f"'{printable(item_id)}' is already used by another "
                                        "exercise"))
    checked = yamledit.check_item("exercises", item)
    if not checked.problems:
        return found
    doc = checked.doc
    keys: list[tuple[tuple[int, int], str]] = []
    base: tuple[int, int] | None = None
    if doc is not None and isinstance(doc.data, dict):
        base = doc.mark(("exercises", 0))
        keys = sorted((doc.mark(("exercises", 0, key), key=True), key) for key in item)
    for problem in checked.problems:
        message = printable(problem.message + (f" ({problem.hint})" if problem.hint else ""))
        missing = _MISSING.match(problem.message)
        if missing:  # the form has the key: it is its value that is missing
            message = f"{missing.group(1)} is required"
        found.append(FieldProblem(_field_of(problem.line, problem.col, problem.message, base,
                                            keys), message))
    return found


def _field_of(line: int, col: int, message: str, base: tuple[int, int] | None,
              keys: list[tuple[tuple[int, int], str]]) -> str:
    """The form field a problem at (line, col) is about: the key whose text holds that spot."""
    missing = _MISSING.match(message)
    if missing:
        return _KEY_FIELDS.get(missing.group(1), missing.group(1))
    if "has no timing" in message:
        return "timing"
    if (line, col) == base and not message.startswith("unknown key"):
        return GENERAL
    key = None
    for mark, name in keys:
        if mark <= (line, col):
            key = name
    if key is None:
        return GENERAL
    field = _KEY_FIELDS.get(key, key)
    return field if field in FIELD_LABELS else GENERAL


def _inside(path: Path, folder: Path) -> bool:
    """Whether a file is in a folder (or below it), symlinks followed."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return False


def _shown(text: str) -> str:
    """File text as a one-line box shows it: printable, line breaks and tabs as spaces."""
    return printable(text).replace("\n", " ").replace("\t", " ")


class ExerciseEditorScreen(Screen[str | None]):
    """Edit or create one exercise; dismisses with the id saved last, or None."""

    DEFAULT_CSS = """
    ExerciseEditorScreen #editor-top { height: auto; padding: 0 1; }
    ExerciseEditorScreen #editor-title { text-style: bold; width: 1fr; }
    ExerciseEditorScreen #editor-count { width: auto; color: $success; }
    ExerciseEditorScreen #editor-count.-problems { color: $error; text-style: bold; }
    ExerciseEditorScreen #editor-note { color: $warning; padding: 0 1; }
    ExerciseEditorScreen #editor-general { color: $error; padding: 0 1; }
    ExerciseEditorScreen #editor-form { height: 1fr; padding: 0 1; }
    ExerciseEditorScreen .field { height: auto; }
    ExerciseEditorScreen .field Label { color: $text-muted; }
    ExerciseEditorScreen .field-row { height: auto; }
    ExerciseEditorScreen .field-row > Vertical { height: auto; width: 1fr; }
    ExerciseEditorScreen .field-row > Vertical.narrow { width: 22; }
    ExerciseEditorScreen .problem { color: $error; height: auto; }
    ExerciseEditorScreen .hidden { display: none; }
    ExerciseEditorScreen Input.-bad, ExerciseEditorScreen TextArea.-bad,
    ExerciseEditorScreen Select.-bad > SelectCurrent { border: tall $error; }
    ExerciseEditorScreen TextArea { height: 6; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="editor.save"),
        Binding("escape", "leave", "Leave", id="editor.leave"),
    ]

    def __init__(self, item: dict[str, Any] | None, source_path: Path | None, user_folder: Path,
                 taken_ids: set[str], copy_note: str = "") -> None:
        super().__init__()
        self.original: dict[str, Any] = dict(item or {})
        # Only ever written in place inside the user's own folder; any other file (built-in, a
        # --library folder) is left alone and the exercise saved as the person's own copy.
        self.source_path = source_path if source_path and _inside(source_path, user_folder) \
            else None
        self.user_folder = user_folder
        self.copy_note = copy_note
        original_id = self.original.get("id")
        self.original_id = original_id if isinstance(original_id, str) else ""
        # Ids the exercise may not take: the library's, but never its own.
        self.taken_ids = set(taken_ids) - {self.original_id}
        # The id in the file that saving writes to (changes when a save changes the id).
        self.file_id = self.original_id
        self.saved_id: str | None = None
        self.saved_path: Path | None = self.source_path
        # The id follows the name until the person edits it themselves.
        self._follow_name = not self.original_id
        self._saved_item: dict[str, Any] = {}
        self.problems: list[FieldProblem] = []

    # -- the form ---------------------------------------------------------------------------

    def _text(self, key: str) -> str:
        value = self.original.get(key)
        return _shown(value) if isinstance(value, str) else ""

    def _number(self, key: str) -> str:
        value = self.original.get(key)
        if isinstance(value, bool) or value is None:
            return ""
        return _shown(str(value))

    def _list(self, key: str) -> list[str]:
        value = self.original.get(key)
        if not isinstance(value, list | tuple):
            return []
        return [_shown(str(part)) for part in value]

    def _choice(self, key: str, choices: tuple[str, ...], default: Any) -> Any:
        value = self.original.get(key)
        return value if value in choices else default

    def compose(self) -> ComposeResult:
        """A count of problems at the top, then every field with its problem line."""
        original_name = self._text("name")
        title = f"Edit exercise: {original_name}" if self.original_id else "New exercise"
        with Horizontal(id="editor-top"):
            yield Static(title, id="editor-title", markup=False)
            yield Static("", id="editor-count", markup=False)
        yield Static(printable(self.copy_note), id="editor-note", markup=False,
                     classes="" if self.copy_note else "hidden")
        yield Static("", id="editor-general", markup=False, classes="hidden")
        timing = next((key for key in TIMINGS if key in self.original), "hold")
        with VerticalScroll(id="editor-form"):
            yield from self._field("name", "Name", Input(
                original_name, placeholder="Standing hamstring stretch", id="name",
                max_length=200))
            yield from self._field("id", "Id (follows the name until you change it)", Input(
                self._text("id"), placeholder="standing-hamstring-stretch", id="id",
                max_length=200))
            with Horizontal(classes="field-row"):
                with Vertical(classes="field"):
                    yield Label("Category")
                    yield Select([(c, c) for c in CATEGORIES], prompt="choose one",
                                 value=self._choice("category", CATEGORIES, Select.NULL),
                                 id="category")
                    yield Static("", id="category-problem", classes="problem hidden",
                                 markup=False)
                with Vertical(classes="field"):
                    yield Label("Level")
                    yield Select([(v, v) for v in LEVELS], allow_blank=False,
                                 value=self._choice("level", LEVELS, "beginner"), id="level")
                    yield Static("", id="level-problem", classes="problem hidden", markup=False)
                with Vertical(classes="field"):
                    yield Label("Sides")
                    yield Select([(v, v) for v in SIDES], allow_blank=False,
                                 value=self._choice("sides", SIDES, "none"), id="sides")
                    yield Static("", id="sides-problem", classes="problem hidden", markup=False)
            with Horizontal(classes="field-row"):
                with Vertical(classes="field narrow"):
                    yield Label("Timing")
                    yield Select([(v, v) for v in TIMINGS], allow_blank=False, value=timing,
                                 id="timing-kind")
                with Vertical(classes="field"):
                    yield Label("Amount", id="amount-label")
                    yield Input(self._number(timing), id="timing")
                    yield Static("", id="timing-problem", classes="problem hidden", markup=False)
                with Vertical(classes="field"):
                    yield Label("Tempo (reps only)")
                    yield Input(self._number("tempo"), placeholder="3s; empty: self-paced",
                                id="tempo")
                    yield Static("", id="tempo-problem", classes="problem hidden", markup=False)
            yield from self._field("sets", "Sets (1-20)", Input(
                self._number("sets"), placeholder="1 (the default)", id="sets", max_length=20))
            yield from self._field("muscles", "Muscles", Input(
                ", ".join(self._list("muscles")), placeholder="comma separated: hamstrings, "
                "calves", id="muscles"))
            yield from self._field("equipment", "Equipment", Input(
                ", ".join(self._list("equipment")), placeholder="comma separated: low step",
                id="equipment"))
            yield from self._field("summary", "Summary", Input(
                self._text("summary"), placeholder="one line: what it does", id="summary"))
            instructions = TextArea("\n".join(self._list("instructions")), id="instructions",
                                    soft_wrap=True, tab_behavior="focus")
            instructions.placeholder = "one instruction per line"
            yield from self._field("instructions", "Instructions (one per line)", instructions)
            cues = TextArea("\n".join(self._list("cues")), id="cues", soft_wrap=True,
                            tab_behavior="focus")
            cues.placeholder = "one cue per line: Keep your back long"
            yield from self._field("cues", "Cues (one per line)", cues)
            yield from self._field("safety", "Safety", Input(
                self._text("safety"), placeholder="when to stop or go easier", id="safety"))
        yield Footer()

    def _field(self, field_id: str, label: str, widget: Input | TextArea) -> ComposeResult:
        """A label, the widget and its problem line."""
        with Vertical(classes="field"):
            yield Label(label)
            yield widget
            yield Static("", id=f"{field_id}-problem", classes="problem hidden", markup=False)

    def on_mount(self) -> None:
        """Start on the name; check what is there; remember it as the saved state."""
        for box in self.query(Input):
            box.cursor_blink = False  # the form may stay up a while: no redraw twice a second
        for area in self.query(TextArea):
            area.cursor_blink = False
        self._timing_kind_changed()
        self._derive_id()
        self._saved_item = self.build_item()
        self.validate()
        self.query_one("#name", Input).focus()

    # -- reading the form -------------------------------------------------------------------

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def _back(self, key: str, text: str) -> Any:
        """The file's own text where the box still shows it as it was, else what was typed."""
        value = self.original.get(key)
        if isinstance(value, str | int | float) and text == _shown(str(value)).strip():
            return value  # also 30.5 stays a number, not the text '30.5'
        return text

    def _number_back(self, key: str, text: str) -> Any:
        """The file's value where the box shows it unchanged, else a whole number or the text."""
        value = self._back(key, text)
        return _number_or_text(text) if value is text else value

    def _back_list(self, key: str, parts: list[str]) -> list[Any]:
        """Each part as in the file where it is shown unchanged."""
        value = self.original.get(key)
        known = {_shown(str(o)).strip(): o for o in value} if isinstance(value, list) else {}
        return [known.get(part, part) for part in parts]

    def _select(self, widget_id: str) -> str | None:
        value = self.query_one(f"#{widget_id}", Select).value
        return value if isinstance(value, str) else None

    def build_item(self) -> dict[str, Any]:
        """The exercise as plain data, from the form, keys in the format's order."""
        item: dict[str, Any] = {}
        item["id"] = self._back("id", self._value("id"))
        item["name"] = self._back("name", self._value("name"))
        category = self._select("category")
        if category is not None:
            item["category"] = category
        for key, default in (("level", "beginner"), ("sides", "none")):
            value = self._select(key)
            if value is not None and (value != default or key in self.original):
                item[key] = value
        kind = self._select("timing-kind") or "hold"
        amount = self._value("timing")
        if amount:
            item[kind] = self._number_back(kind, amount)
        tempo = self._value("tempo")
        if kind == "reps" and tempo:
            item["tempo"] = self._number_back("tempo", tempo)
        sets = self._value("sets")
        if sets:
            number = self._number_back("sets", sets)
            if number != 1 or "sets" in self.original:
                item["sets"] = number
        for key in ("muscles", "equipment"):
            parts = [p.strip() for p in self._value(key).split(",") if p.strip()]
            if parts:
                item[key] = self._back_list(key, parts)
        summary = self._value("summary")
        if summary:
            item["summary"] = self._back("summary", summary)
        for key in ("instructions", "cues"):
            lines = [line.strip() for line in self.query_one(f"#{key}", TextArea).text.split("\n")
                     if line.strip()]
            if lines:
                item[key] = self._back_list(key, lines)
        safety = self._value("safety")
        if safety:
            item["safety"] = self._back("safety", safety)
        return item

    # -- checking ---------------------------------------------------------------------------

    @property
    def changed(self) -> bool:
        """Whether the form differs from what was last saved (or loaded)."""
        return self.build_item() != self._saved_item

    def validate(self) -> list[FieldProblem]:
        """Check the form, show each problem under its field and the count at the top."""
        self.problems = check(self.build_item(), self.taken_ids)
        by_field: dict[str, list[str]] = {}
        for problem in self.problems:
            by_field.setdefault(problem.field, []).append(problem.message)
        for field_id in FIELD_LABELS:
            messages = by_field.get(field_id, [])
            target = "#editor-general" if field_id == GENERAL else f"#{field_id}-problem"
            line = self.query_one(target, Static)
            line.update("; ".join(messages))
            line.set_class(not messages, "hidden")
            if field_id != GENERAL:
                widget = self.query(f"#{field_id}")
                if widget:
                    widget.first().set_class(bool(messages), "-bad")
        count = len(self.problems)
        label = self.query_one("#editor-count", Static)
        label.update(f"{count} problem{'s' * (count != 1)}" if count else "No problems")
        label.set_class(bool(count), "-problems")
        return self.problems

    def _derive_id(self) -> None:
        """Set the id from the name, while the person has not typed one."""
        if not self._follow_name:
            return
        derived = free_id(slug(self._value("name")), self.taken_ids)
        id_box = self.query_one("#id", Input)
        if id_box.value != derived:
            with id_box.prevent(Input.Changed):  # so every Changed left on #id is typed
                id_box.value = derived

    @on(Input.Changed, "#name")
    def _name_changed(self) -> None:
        self._derive_id()
        self.validate()

    @on(Input.Changed, "#id")
    def _id_changed(self, event: Input.Changed) -> None:
        # Typed by the person; emptied, it follows the name again from the name's next change.
        self._follow_name = not event.value.strip()
        self.validate()

    @on(Select.Changed, "#timing-kind")
    def _timing_kind_changed(self) -> None:
        kind = self._select("timing-kind") or "hold"
        amount = self.query_one("#timing", Input)
        amount.placeholder = "12 (reps)" if kind == "reps" else "30s, 1m, 1m30s"
        self.query_one("#amount-label", Label).update(
            {"hold": "Hold for", "duration": "Work for", "reps": "Reps"}[kind])
        self.query_one("#tempo", Input).disabled = kind != "reps"
        if self.is_mounted and self._saved_item:
            self.validate()

    @on(Input.Changed)
    @on(Select.Changed)
    @on(TextArea.Changed)
    def _changed(self, event: Input.Changed | Select.Changed | TextArea.Changed) -> None:
        widget_id = event.control.id if event.control is not None else None
        if widget_id in ("name", "id", "timing-kind") or not self._saved_item:
            return  # handled above, or still mounting
        self.validate()

    # -- saving and leaving -----------------------------------------------------------------

    def action_save(self) -> None:
        """Save the exercise, unless it has a problem (then say which)."""
        problems = self.validate()
        if problems:
            count = len(problems)
            more = f" (and {count - 1} more)" if count > 1 else ""
            self.notify(f"Not saved: {problems[0]}{more}", severity="error", markup=False)
            return
        item = self.build_item()
        try:
            path = self._write(item)
        except (yamledit.EditError, OSError) as exc:
            self.notify(f"Not saved: {printable(str(exc))}", severity="error", markup=False)
            return
        self.saved_path = path
        self.saved_id = self.file_id = item["id"]
        self.taken_ids.discard(item["id"])
        self._saved_item = item
        self.notify(f"Saved {printable(str(path))}", markup=False)

    def _write(self, item: dict[str, Any]) -> Path:
        """Write the exercise: in place into its file, or into a new file of its own."""
        if self.saved_path is not None:
            doc = yamledit.load_document(self.saved_path)
            index = yamledit.find_item(doc, "exercises", self.file_id) if self.file_id else None
            yamledit.set_item(doc, "exercises", index, item)
            yamledit.save(self.saved_path, yamledit.dump(doc))
            return self.saved_path
        path = yamledit.new_file_path(self.user_folder, item["id"])
        doc = yamledit.new_document(
            "exercises", item, comment=f"{item['name']}: made with trainer's exercise editor")
        yamledit.save(path, yamledit.dump(doc))
        return path

    def action_leave(self) -> None:
        """Leave; ask first when there are unsaved changes."""
        if not self.changed:
            self.dismiss(self.saved_id)
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.dismiss(self.saved_id)

        self.app.push_screen(ConfirmScreen("Leave without saving?", "Leave", "Keep editing"),
                             answered)
