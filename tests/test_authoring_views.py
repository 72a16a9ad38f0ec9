"""For people writing routines: a broken routine says where and why, indentation mistakes say
so, and the library screen shows each item's id, where it comes from and what uses it."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FakeClock, run_trainer
from pilot_helpers import make_app
from textual.widgets import Static

from trainer.library.loader import read_text
from trainer.paths import user_library_dir
from trainer.session.catalog import load_catalog
from trainer.ui.screens.library import LibraryScreen

BROKEN = """\
version: 1
routines:
  - id: fine
    name: Fine
    steps: [standing-hamstring-stretch]
  - id: broken
    name: Broken
    steps: [standing-hamstring-stretch, nope]
"""


def test_running_a_routine_with_problems_says_where_and_what(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(BROKEN)
    ran = run_trainer("run", "broken", "--library", str(tmp_path), cwd=tmp_path)
    assert ran.returncode == 1
    lines = ran.stderr.splitlines()
    assert lines[0] == (f"trainer: routine 'broken' at {tmp_path / 'mine.yaml'}:6:5 has "
                        "problems, so it cannot run:")
    assert lines[1].startswith(f"  {tmp_path / 'mine.yaml'}:8:") and "'nope'" in lines[1]
    assert len(lines) == 3  # only its own problems, then where to see them all
    missing = run_trainer("run", "brokn", "--library", str(tmp_path), cwd=tmp_path)
    assert "no routine 'brokn'" in missing.stderr


@pytest.mark.parametrize("text", [
    "routines:\n  - id: x\n    name: X\n   steps: [a]\n",  # a key one space short
    "routines:\n  - id: x\n    name: X\n    steps:\n    - a\n   - b\n",  # items not lined up
])
def test_an_indentation_mistake_says_so(text: str) -> None:
    problems = read_text("x.yaml", text.encode()).problems
    assert len(problems) == 1 and "indentation" in problems[0].hint


def test_a_tab_says_to_indent_with_spaces() -> None:
    problems = read_text("x.yaml", b"routines:\n\t- id: x\n").problems
    assert "spaces" in problems[0].hint


async def test_the_exercises_tab_shows_id_origin_and_the_routines_using_it() -> None:
    folder = user_library_dir()
    folder.mkdir(parents=True)
    (folder / "mine.yaml").write_text(BROKEN.split("  - id: broken")[0])
    app = make_app(load_catalog(), FakeClock())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        table = screen.query_one("#routine-table")
        row = [str(c) for c in table.get_row("fine")]  # type: ignore[attr-defined]
        assert row[1] == "• Fine"  # yours, marked
        await pilot.press("t")
        await pilot.pause()
        exercises = screen.query_one("#exercise-table")
        exercises.move_cursor(  # type: ignore[attr-defined]
            row=exercises.get_row_index("standing-hamstring-stretch"))  # type: ignore[attr-defined]
        await pilot.pause()
        detail = str(screen.query_one("#exercise-detail", Static).render())
        assert "standing-hamstring-stretch · built-in" in detail
        used_by = detail.split("Used by: ", 1)[1]
        assert "Fine" in used_by and "Hamstring flexibility" in used_by
