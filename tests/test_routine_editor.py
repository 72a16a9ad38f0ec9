"""The routine editor in the app: a prescription built with keys only, saved, listed and run.

Everything goes through the library screen's keys (N, e, D) and the editor's (a, b, r, d, x, u,
K/J, s, t, ctrl+s, esc); files land in the isolated user library (conftest.isolated_dirs).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import FakeClock, run_trainer
from pilot_helpers import make_app
from textual import events
from textual.widgets import Input, Static

from trainer.library.loader import read_text
from trainer.library.routine_draft import RoutineDraft
from trainer.library.sources import default_sources
from trainer.paths import builtin_library_dir, user_library_dir
from trainer.session.catalog import load_catalog
from trainer.ui.app import TrainerApp
from trainer.ui.screens.library import LibraryScreen
from trainer.ui.screens.routine_editor import RoutineEditorScreen
from trainer.ui.screens.session import SessionScreen

SIZE = (120, 40)


def app_on_library(clock: FakeClock) -> TrainerApp:
    """The app on the built-in library plus the (empty) user library, reloadable."""
    return make_app(load_catalog(), clock, sources=default_sources())


def editor(app: TrainerApp) -> RoutineEditorScreen:
    screen = app.screen
    assert isinstance(screen, RoutineEditorScreen), type(screen)
    return screen


async def add_exercise(pilot: Any, search: str) -> None:
    """`a`, type part of the name, Enter."""
    await pilot.press("a")
    await pilot.pause()
    await pilot.press(*search, "enter")
    await pilot.pause()


async def fill(pilot: Any, tabs: list[tuple[int, str]]) -> None:
    """Enter into the selected step's fields, then (tabs to move, text to type) pairs, Enter."""
    await pilot.press("enter")
    await pilot.pause()
    for count, text in tabs:
        await pilot.press(*["tab"] * count)
        await pilot.press(*text)
    await pilot.press("enter")
    await pilot.pause()


async def test_a_prescription_built_with_keys_only_is_saved_listed_and_shown(
        clock: FakeClock, isolated_dirs: dict[str, Path]) -> None:
    app = app_on_library(clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("N")
        await pilot.pause()
        screen = editor(app)
        assert isinstance(screen.focused, Input) and screen.focused.id == "f-name"
        await pilot.press(*"PT daily", "enter")
        await pilot.pause()
        # 3 x 30 s hamstring stretch each side: hold (first field) 30s, sets (4 tabs on) 3.
        await add_exercise(pilot, "standing hamstring")
        await fill(pilot, [(0, "30s"), (4, "3")])
        # 2 x 10 bridges: reps (2 tabs on from hold) 10, sets (2 more) 2.
        await add_exercise(pilot, "glute bridge")
        await fill(pilot, [(2, "10"), (2, "2")])
        assert screen.draft.data["steps"] == [
            {"exercise": "standing-hamstring-stretch", "hold": "30s", "sets": 3},
            {"exercise": "glute-bridge", "reps": 10, "sets": 2}]
        head = str(screen.query_one("#editor-head", Static).render())
        assert "PT daily" in head and "no problems" in head and "unsaved" in head
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "saved" in str(screen.query_one("#editor-head", Static).render())
        await pilot.press("escape")
        await pilot.pause()
        library = app.screen
        assert isinstance(library, LibraryScreen)
        assert "pt-daily" in library.library.routines  # shown at once, no restart
        assert library._current("#routine-table") == "pt-daily"  # and selected

    saved = user_library_dir() / "pt-daily.yaml"
    text = saved.read_text()
    assert text.startswith("# PT daily: made with trainer's routine editor\n")
    assert not read_text(str(saved), text.encode()).problems
    listed = run_trainer("list", "routines", "--json", cwd=isolated_dirs["config"])
    assert listed.returncode == 0, listed.stderr
    ids = [r["id"] for r in json.loads(listed.stdout)]
    assert "pt-daily" in ids
    shown = run_trainer("show", "pt-daily", cwd=isolated_dirs["config"])
    assert shown.returncode == 0, shown.stderr
    assert "Standing hamstring stretch" in shown.stdout and "Glute bridge" in shown.stdout


@pytest.mark.parametrize("turns", [0, 1, 3, 6])
async def test_a_name_typed_straight_after_n_is_the_name_and_its_id(
        clock: FakeClock, turns: int) -> None:
    app = app_on_library(clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        library = app.screen
        assert isinstance(library, LibraryScreen)
        await app.push_screen(RoutineEditorScreen(
            RoutineDraft({"id": "", "name": "", "steps": []}), library.library,
            source_path=None, user_folder=user_library_dir(), original_id=None))
        screen = editor(app)
        # At once, before any key is read: "r" and "i" in a name are the Rest and Intervals
        # keys on the tree (the form used to be built, and focused, a while after mount).
        assert isinstance(screen.focused, Input) and screen.focused.id == "f-name"
        assert app._driver is not None
        for char in "Morning rise":  # a paste, or fast typing: `turns` loop turns apart
            app._driver.send_message(events.Key(char if char != " " else "space", char))
            for _ in range(turns):
                await asyncio.sleep(0)
        await pilot.pause()
        assert screen.draft.data["name"] == "Morning rise"
        # The id follows the whole name (it used to stop at "mo", and save as mo.yaml).
        assert screen.draft.data["id"] == "morning-rise"
        assert screen.query_one("#f-id", Input).value == "morning-rise"
        assert screen.draft.data["steps"] == []


async def test_a_built_in_routine_is_edited_as_a_copy_and_the_original_is_untouched(
        clock: FakeClock) -> None:
    builtin = {p: p.read_bytes() for p in builtin_library_dir().rglob("*.yaml")}
    app = app_on_library(clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        library = app.screen
        assert isinstance(library, LibraryScreen)
        routine_id = library._current("#routine-table")
        assert routine_id is not None
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("n")  # a new id for the copy
        await pilot.pause()
        screen = editor(app)
        note = str(screen.query_one("#editor-note", Static).render())
        assert "copy of the built-in routine" in note
        copy_id = screen.draft.data["id"]
        assert copy_id == f"{routine_id}-mine"
        await pilot.press("r")  # a change: a rest after the first step
        await pilot.pause()
        await pilot.press("ctrl+s", "escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert {routine_id, copy_id} <= set(app.screen.library.routines)
    assert (user_library_dir() / f"{copy_id}.yaml").exists()
    assert {p: p.read_bytes() for p in builtin_library_dir().rglob("*.yaml")} == builtin


async def test_steps_are_added_moved_deleted_and_undone(clock: FakeClock) -> None:
    app = app_on_library(clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("N")
        await pilot.pause()
        await pilot.press(*"Order", "enter")
        await add_exercise(pilot, "glute bridge")
        await pilot.press("r")  # a rest after it
        await add_exercise(pilot, "bird dog")
        screen = editor(app)
        kinds = lambda: [n.kind for n in screen.draft.nodes()]  # noqa: E731
        assert kinds() == ["exercise", "rest", "exercise"]
        await pilot.press("K")  # bird dog up, before the rest
        await pilot.pause()
        assert screen.draft.data["steps"][1] == "bird-dog" and screen.selected == (1,)
        await pilot.press("shift+down")  # and back down
        await pilot.pause()
        assert screen.draft.data["steps"][2] == "bird-dog"
        await pilot.press("x")  # delete it
        await pilot.pause()
        assert kinds() == ["exercise", "rest"]
        await pilot.press("u")
        await pilot.pause()
        assert kinds() == ["exercise", "rest", "exercise"]
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert kinds() == ["exercise", "rest"]
        await pilot.press("d")  # duplicate the selected step
        await pilot.pause()
        assert len(screen.draft.data["steps"]) == 3


async def test_scaling_a_block_changes_only_that_block(clock: FakeClock) -> None:
    app = app_on_library(clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("N")
        await pilot.pause()
        await pilot.press(*"Scaled", "enter")
        await add_exercise(pilot, "standing hamstring")  # 30 s, outside the block
        await pilot.press("b")
        await pilot.pause()
        await add_exercise(pilot, "glute bridge")  # 12 reps, inside the block
        screen = editor(app)
        assert screen.selected == (1, 0)
        await pilot.press("up")  # onto the block
        await pilot.pause()
        assert screen.selected == (1,)
        await pilot.press("s", "2")  # x 1.25
        await pilot.pause()
        steps = screen.draft.data["steps"]
        assert steps[0] == "standing-hamstring-stretch"
        assert steps[1]["steps"] == [{"exercise": "glute-bridge", "reps": 15}]


async def test_an_invalid_routine_is_refused_and_the_problem_shown_at_its_field(
        clock: FakeClock) -> None:
    app = app_on_library(clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("N")
        await pilot.pause()
        await pilot.press(*"Broken", "enter")
        await add_exercise(pilot, "glute bridge")
        await fill(pilot, [(0, "abc")])  # hold: abc
        screen = editor(app)
        assert screen.draft.data["steps"] == [{"exercise": "glute-bridge", "hold": "abc"}]
        problem = screen.query_one("#p-f-hold", Static)
        assert "not a duration" in str(problem.render()) and problem.display
        assert "1 problem" in str(screen.query_one("#editor-head", Static).render())
        assert "⚠" in str(screen.query_one("#steps").root.children[0].label)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not (user_library_dir() / "broken.yaml").exists()
        assert any("Cannot save" in n.message and "hold" in n.message
                   for n in app._notifications)


async def test_try_it_runs_the_unsaved_routine_and_comes_back_to_the_edits(
        clock: FakeClock, isolated_dirs: dict[str, Path]) -> None:
    app = app_on_library(clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("N")
        await pilot.pause()
        await pilot.press(*"Tried", "enter")
        await add_exercise(pilot, "standing hamstring")
        await pilot.press("t")
        await pilot.pause()
        session = app.screen
        assert isinstance(session, SessionScreen) and not session.record
        assert session.timeline.routine_name == "Tried"
        await pilot.press("q", "q")  # end it
        await pilot.pause()
        screen = editor(app)
        assert screen.draft.data["steps"] == ["standing-hamstring-stretch"]
        assert screen.draft.dirty  # still unsaved
    assert not (isolated_dirs["data"] / "history.sqlite3").exists() or _sessions(
        isolated_dirs["data"] / "history.sqlite3") == 0


def _sessions(path: Path) -> int:
    import sqlite3

    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT count(*) FROM sessions").fetchone()[0])


@pytest.mark.parametrize("answer", ["n", "y"])
async def test_leaving_with_unsaved_changes_asks(clock: FakeClock, answer: str) -> None:
    app = app_on_library(clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("N")
        await pilot.pause()
        await pilot.press(*"Left", "enter", "escape")
        await pilot.pause()
        await pilot.press(answer)
        await pilot.pause()
        expected = LibraryScreen if answer == "y" else RoutineEditorScreen
        assert isinstance(app.screen, expected)


HAND_WRITTEN = """\
# My PT routine, from the clinic (keep in git)
version: 1
routines:
  - id: clinic
    name: "Clinic routine"
    defaults: {get_ready: 5s,  rest: 20s}   # odd spacing kept
    steps:
      # warm up first
      - {exercise: march-in-place, duration: 2m}
      - {exercise: glute-bridge,   sets: 2, reps: 10}   # therapist: slow
      - 'standing-hamstring-stretch'
"""


async def test_a_hand_written_routine_is_changed_in_place_in_only_the_edited_line(
        clock: FakeClock) -> None:
    import difflib

    folder = user_library_dir()
    folder.mkdir(parents=True)
    path = folder / "clinic.yaml"
    path.write_text(HAND_WRITTEN)
    app = app_on_library(clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        library = app.screen
        assert isinstance(library, LibraryScreen)
        table = library.query_one("#routine-table")
        table.move_cursor(row=table.get_row_index("clinic"))  # type: ignore[attr-defined]
        await pilot.press("e")  # the person's own: no copy question
        await pilot.pause()
        screen = editor(app)
        assert screen.source_path == path and not screen.copy_note
        await pilot.press("down", "down")  # the bridge
        await fill(pilot, [(2, "\b\b12")])  # reps 10 -> 12
        assert screen.draft.data["steps"][1] == {"exercise": "glute-bridge", "sets": 2,
                                                 "reps": 12}
        await pilot.press("ctrl+s")
        await pilot.pause()
    changed = [line for line in difflib.unified_diff(
        HAND_WRITTEN.splitlines(), path.read_text().splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    # Only the bridge's line (ruamel re-spaces the line it writes; its comment stays on it).
    assert changed[0] == ("-      - {exercise: glute-bridge,   sets: 2, reps: 10}"
                          "   # therapist: slow")
    assert len(changed) == 2 and changed[1].startswith(
        "+      - {exercise: glute-bridge, sets: 2, reps: 12}")
    assert changed[1].endswith("# therapist: slow")
