"""Pilot tests of the exercise editor: typing, checking as you type, saving new and in place."""

from __future__ import annotations

import difflib
import textwrap
from pathlib import Path
from typing import Any

import yaml
from textual.app import App
from textual.notifications import Notify
from textual.widgets import Input, Select, Static, TextArea

from trainer.library.ids import free_id, slug
from trainer.library.loader import read_text
from trainer.ui.screens.confirm import ConfirmScreen
from trainer.ui.screens.exercise_editor import ExerciseEditorScreen, check


class EditorApp(App[None]):
    """Just the editor, remembering what it dismissed with and every notice."""

    def __init__(self, screen: ExerciseEditorScreen) -> None:
        super().__init__()
        self.editor = screen
        self.results: list[str | None] = []
        self.notices: list[tuple[str, str]] = []

    def on_mount(self) -> None:
        self.push_screen(self.editor, self.results.append)

    def _on_notify(self, event: Notify) -> None:  # keeps the toast too
        self.notices.append((event.notification.message, event.notification.severity))
        super()._on_notify(event)  # type: ignore[misc]


def editor(folder: Path, item: dict[str, Any] | None = None, source: Path | None = None,
           taken: set[str] | None = None, note: str = "") -> ExerciseEditorScreen:
    return ExerciseEditorScreen(item, source, folder, taken or set(), note)


def problem_line(screen: ExerciseEditorScreen, field: str) -> str | None:
    """The problem shown under a field, or None when its line is hidden."""
    line = screen.query_one(f"#{field}-problem", Static)
    return None if line.has_class("hidden") else str(line.render())


def count_line(screen: ExerciseEditorScreen) -> str:
    return str(screen.query_one("#editor-count", Static).render())


async def type_new_wall_stretch(pilot: Any) -> None:
    """Name, category and a 30 s hold, with keys only."""
    await pilot.press(*"Wall calf stretch")
    await pilot.press("tab", "tab")  # id, then category
    await pilot.press("enter", "down", "enter")  # the first category: stretch
    await pilot.press("tab", "tab", "tab", "tab")  # level, sides, timing kind, amount
    await pilot.press(*"30s")
    await pilot.pause()


async def test_a_new_exercise_typed_with_keys_is_saved_to_its_own_file(tmp_path: Path) -> None:
    folder = tmp_path / "library"  # not there yet: saving makes it
    app = EditorApp(editor(folder, taken={"knee-to-chest"}))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        screen = app.editor
        await type_new_wall_stretch(pilot)
        assert screen.query_one("#id", Input).value == "wall-calf-stretch"
        assert screen.query_one("#category", Select).value == "stretch"
        assert count_line(screen) == "No problems"
        await pilot.press("ctrl+s")
        await pilot.pause()
        path = folder / "wall-calf-stretch.yaml"
        assert path.is_file()
        assert (f"Saved {path}", "information") in app.notices
        assert app.screen is screen  # still open: the person may keep editing
        await pilot.press("escape")  # saved: leaves without asking
        await pilot.pause()
    assert app.results == ["wall-calf-stretch"]
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# Wall calf stretch: made with trainer's exercise editor"
    result = read_text(str(path), text.encode())
    assert result.problems == []
    [(exercise, _)] = result.exercises
    assert (exercise.id, exercise.name, exercise.category, exercise.hold) == (
        "wall-calf-stretch", "Wall calf stretch", "stretch", 30.0)
    data = yaml.safe_load(text)["exercises"][0]
    assert data["hold"] == "30s"  # as typed
    assert "muscles" not in data and "level" not in data  # nothing empty or default written


async def test_a_bad_value_is_shown_under_its_field_and_save_is_refused(tmp_path: Path) -> None:
    app = EditorApp(editor(tmp_path))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        screen = app.editor
        await type_new_wall_stretch(pilot)
        await pilot.press("backspace", "backspace", "backspace", *"abc")
        await pilot.pause()
        shown = problem_line(screen, "timing")
        assert shown is not None and "'abc' is not a duration" in shown
        assert problem_line(screen, "name") is None
        assert count_line(screen) == "1 problem"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert list(tmp_path.iterdir()) == []
        message, severity = app.notices[-1]
        assert severity == "error" and message.startswith("Not saved: Timing: hold: 'abc'")
        # An empty name is a second problem, under the name.
        screen.query_one("#name", Input).focus()
        await pilot.press("ctrl+a", "ctrl+k")  # start of line, delete to the end
        await pilot.pause()
        assert problem_line(screen, "name") == "name must not be empty"
        assert count_line(screen) == "3 problems"  # the name, the id it no longer gives, hold
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert list(tmp_path.iterdir()) == []


async def test_the_id_follows_the_name_until_edited_by_hand(tmp_path: Path) -> None:
    app = EditorApp(editor(tmp_path, taken={"side-plank"}))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        screen = app.editor
        id_box = screen.query_one("#id", Input)
        await pilot.press(*"Side plank")
        await pilot.pause()
        assert id_box.value == "side-plank-2"  # side-plank is taken: a free one is proposed
        await pilot.press(*" (knees)")
        await pilot.pause()
        assert id_box.value == "side-plank-knees"
        await pilot.press("tab", "end", *"-easy")  # focus selects all: go to the end
        await pilot.pause()
        assert id_box.value == "side-plank-knees-easy"
        screen.query_one("#name", Input).focus()
        await pilot.press("end", *" more")
        await pilot.pause()
        assert id_box.value == "side-plank-knees-easy"  # typed by hand: it stays
        # A taken id typed by hand is a problem under the id.
        id_box.focus()
        await pilot.press("ctrl+a", "ctrl+k", *"side-plank")
        await pilot.pause()
        shown = problem_line(screen, "id")
        assert shown is not None and "already used by another exercise" in shown
        # Emptied, the id follows the name again from its next change.
        await pilot.press("ctrl+a", "ctrl+k")
        screen.query_one("#name", Input).focus()
        await pilot.press("end", "backspace")
        await pilot.pause()
        assert id_box.value == "side-plank-knees-mor"


HAND_WRITTEN = """\
# My own stretches, kept in git.
version: 1
exercises:
  # The one the physio showed me.
  - id: doorway-chest-stretch
    name: Doorway chest stretch
    category: stretch
    hold: 30s     # longer later
    muscles: [chest, shoulders]
    summary: Opens the chest.
  - id: neck-tilt
    name: Neck tilt
    category: mobility
    sides: each
    hold: 20s
"""


async def test_a_hand_written_file_is_changed_in_place_on_the_edited_line(
        tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    item = yaml.safe_load(HAND_WRITTEN)["exercises"][0]
    app = EditorApp(editor(tmp_path, item, source=path,
                           taken={"doorway-chest-stretch", "neck-tilt"}))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        screen = app.editor
        assert count_line(screen) == "No problems"  # its own id is no clash
        screen.query_one("#summary", Input).focus()
        await pilot.press("end", "backspace", *" and the front of the shoulders.")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == ["doorway-chest-stretch"]
    after = path.read_text(encoding="utf-8")
    changed = [line for line in difflib.unified_diff(
        HAND_WRITTEN.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == ["-    summary: Opens the chest.",
                       "+    summary: Opens the chest and the front of the shoulders."]
    assert list(tmp_path.iterdir()) == [path]


async def test_escape_asks_only_when_there_are_unsaved_changes(tmp_path: Path) -> None:
    app = EditorApp(editor(tmp_path))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press(*"Wall sit")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # keep editing
        await pilot.pause()
        assert app.screen is app.editor
        await pilot.press("escape", "y")
        await pilot.pause()
    assert app.results == [None]

    app = EditorApp(editor(tmp_path))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
    assert app.results == [None]
    assert list(tmp_path.iterdir()) == []


async def test_later_saves_of_a_new_exercise_go_to_the_same_file(tmp_path: Path) -> None:
    app = EditorApp(editor(tmp_path))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await type_new_wall_stretch(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        app.editor.query_one("#safety", Input).focus()
        await pilot.press("end", *"Stop if the knee hurts.")
        app.editor.query_one("#instructions", TextArea).focus()
        await pilot.press(*"Face a wall", "enter", "enter", *"Lean in", "ctrl+s")
        await pilot.pause()
    [path] = tmp_path.iterdir()
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Wall calf stretch")
    [saved] = yaml.safe_load(text)["exercises"]
    assert saved["safety"] == "Stop if the knee hurts."
    assert saved["instructions"] == ["Face a wall", "Lean in"]  # one a line, blank lines dropped
    assert read_text(str(path), text.encode()).problems == []


async def test_a_file_outside_the_user_folder_is_never_written(tmp_path: Path) -> None:
    other = tmp_path / "shared" / "theirs.yaml"
    other.parent.mkdir()
    other.write_text(HAND_WRITTEN, encoding="utf-8")
    item = yaml.safe_load(HAND_WRITTEN)["exercises"][1]
    folder = tmp_path / "mine"
    app = EditorApp(editor(folder, item, source=other, note="From --library: saved as a copy"))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert other.read_text(encoding="utf-8") == HAND_WRITTEN
    copy = folder / "neck-tilt.yaml"
    assert yaml.safe_load(copy.read_text(encoding="utf-8"))["exercises"] == [item]


async def test_file_text_is_shown_printable_and_kept_when_left_alone(tmp_path: Path) -> None:
    item = {"id": "odd", "name": "Odd", "category": "stretch", "hold": 10.5, "sets": 1,
            "summary": "Bold \x1b[1mhere", "cues": ["one\u202etwo"]}
    path = tmp_path / "odd.yaml"
    path.write_text(yaml.safe_dump({"exercises": [item]}), encoding="utf-8")
    app = EditorApp(editor(tmp_path, item, source=path, note="Your \x1b]0;copy"))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        screen = app.editor
        assert screen.query_one("#summary", Input).value == "Bold ^[[1mhere"
        assert "^[]0;copy" in str(screen.query_one("#editor-note", Static).render())
        assert screen.build_item()["summary"] == item["summary"]  # unchanged: the file's text
        assert screen.build_item() == item  # 10.5 stays a number, sets: 1 stays written
        assert not screen.changed


def test_slugs_and_free_ids() -> None:
    assert slug("  Étirement du dos -- (facile)!") == "etirement-du-dos-facile"
    assert len(slug("a" * 100)) == 64
    assert free_id("plank", {"plank", "plank-2"}) == "plank-3"
    assert free_id("plank", set()) == "plank"


def test_check_puts_each_problem_under_its_field() -> None:
    problems = check({"id": "x", "name": "X", "category": "stretch", "reps": 5,
                      "tempo": "fast", "sets": 30, "muscles": ["a" * 300]}, taken={"x"})
    fields = [problem.field for problem in problems]
    assert fields == ["id", "tempo", "sets", "muscles"]
    assert check({"id": "ok", "name": "Ok", "category": "strength", "reps": 8}) == []
    assert [p.field for p in check({"id": "ok", "name": "Ok", "category": "strength"})] == [
        "timing"]


async def test_the_footer_shows_save_at_80_by_24(tmp_path: Path) -> None:
    app = EditorApp(editor(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screenshot = app.export_screenshot()
        assert "Save" in screenshot and "Leave" in screenshot
        assert "problem" in textwrap.dedent(screenshot)


async def test_the_timing_kind_decides_which_key_is_written(tmp_path: Path) -> None:
    item = {"id": "plank", "name": "Plank", "category": "strength", "hold": "30s"}
    app = EditorApp(editor(tmp_path, item))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        screen = app.editor
        tempo = screen.query_one("#tempo", Input)
        assert tempo.disabled  # only reps have a tempo
        screen.query_one("#timing-kind", Select).focus()
        await pilot.press("enter", "down", "down", "enter")  # hold -> reps
        await pilot.pause()
        assert not tempo.disabled
        assert [p.field for p in screen.problems] == ["timing"]  # '30s' is no count of reps
        screen.query_one("#timing", Input).focus()
        await pilot.press("ctrl+a", "ctrl+k", *"12", "tab", *"3s")
        await pilot.pause()
        built = screen.build_item()
        assert (built["reps"], built["tempo"], "hold" in built) == (12, "3s", False)
        assert count_line(screen) == "No problems" and screen.changed
