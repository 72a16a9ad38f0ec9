"""End to end, in a pty: a routine made in the app is a valid file the library lists, and one
saved from outside (another pane's editor) shows without a restart."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from ptyterm import E2E_LIBRARY, Terminal, trainer_env

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")


def test_a_routine_made_in_the_app_is_listed_saved_and_valid(tmp_path: Path) -> None:
    env = trainer_env(tmp_path)
    term = Terminal.trainer("--audio", "none", env=env, size=(100, 30))
    try:
        term.wait_for("Routines (")
        term.child.send("N")
        term.wait_for("Routine: (no name)")
        term.child.send("Morning knees\r")
        term.wait_for("Routine: Morning knees")
        for exercise_id, name in (("e2e-hold", "Wall lean"), ("e2e-work", "Easy march")):
            term.child.send("a")
            shown(term, "Add an exercise")  # each time: wait_for remembers the first
            term.child.send(exercise_id)
            shown(term, f"{name}  {exercise_id}")
            term.wait_gone("Brisk walk")  # filtered down to the one typed
            term.child.send("\r")
            term.wait_gone("Add an exercise")
        term.wait_for("Easy march · 2s")
        term.child.send("\x13")  # ctrl+s
        term.wait_for("Saved")
        term.child.send("\x1b")  # esc: back to the library, the new routine in its list
        term.wait_for("Filter: name")
        term.wait_for("Morning knees")
        term.child.send("q")
        assert term.wait_exit() == 0
    finally:
        term.close()
    assert term.stray() == []
    saved = tmp_path / "config" / "library" / "morning-knees.yaml"
    assert saved.is_file()
    checked = subprocess.run(
        [sys.executable, "-m", "trainer", "validate", "--library", str(E2E_LIBRARY)], env=env,
        capture_output=True, text=True, timeout=60, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def shown(term: Terminal, needle: str, timeout: float = 15.0) -> None:
    """Read until the screen shows `needle` now (Terminal.wait_for is done once it was seen)."""
    deadline = time.monotonic() + timeout
    while needle not in term.text():
        assert time.monotonic() < deadline, f"{needle!r} not shown; screen:\n{term.text()}"
        term._read()


def test_a_routine_saved_from_outside_appears_without_a_restart(tmp_path: Path) -> None:
    env = trainer_env(tmp_path)
    term = Terminal.trainer("--audio", "none", env=env, size=(100, 30))
    try:
        term.wait_for("Routines (")
        folder = tmp_path / "config" / "library"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "outside.yaml").write_text(
            "version: 1\nroutines:\n  - id: outside\n    name: Written in another pane\n"
            "    steps: [e2e-hold]\n")
        term.wait_for("Written in another pane", timeout=10)
        term.child.send("q")
        assert term.wait_exit() == 0
    finally:
        term.close()
    assert term.stray() == []
