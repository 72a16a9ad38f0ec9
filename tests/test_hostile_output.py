"""Escape sequences in library files, file names and the history never reach a terminal.

tests/hostile/escapes/sneaky.yaml carries a window-title OSC, a clipboard write (OSC 52), a
hyperlink (OSC 8), a screen wipe (CSI 2 J), a C1 CSI, DEL and a bidi override in every free-text
field; the CLI commands, the app under Pilot and the app in a real pty are run over it.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

import pexpect
import pytest
from conftest import FakeClock, run_trainer
from pilot_helpers import Notices, make_app, tick
from ptyterm import Terminal, trainer_env

from trainer.history.store import History
from trainer.library.sources import Source
from trainer.session.catalog import CatalogLoader
from trainer.ui.screens.session import SessionScreen

ESCAPES = Path(__file__).parent / "hostile" / "escapes"
# Characters that must never arrive from a file: ESC, C1 CSI, DEL, bidi override and pop.
FORBIDDEN = ("\x1b", "\x9b", "\x7f", "\u202e", "\u202c")
# What the file's sequences would do if they arrived whole, as bytes on the wire.
PAYLOADS = (b"\x1b]0;PWNED", b"\x1b]52;c;", b"\x1b[2JWIPED", b"\x1b]8;;http://evil",
            b"\x1b]0;SAY-LINE", b"\x1b]0;NAMED", b"\x1b[5mBLINK", b"\xc2\x9b31m", b"\xe2\x80\xae",
            b"\x1b]0;FILE-NAME", b"\x1b]0;HISTORY")
EVIL_NAME = "History \x1b]0;HISTORY-NAME\x1b\\ \u202eeman"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def assert_clean(text: str) -> None:
    """No forbidden character in the text."""
    found = [repr(c) for c in FORBIDDEN if c in text]
    assert not found, f"{found} reached the output:\n{text}"


@pytest.fixture
def evil_library(tmp_path: Path) -> Path:
    """The escapes library plus a copy whose file name holds an escape sequence."""
    folder = tmp_path / "lib"
    shutil.copytree(ESCAPES, folder)
    (folder / "named \x1b]0;FILE-NAME\x07 x.yaml").write_text(
        "version: 1\nexercises:\n  - {id: x, name: X, category: nope, hold: 3s}\n")
    return folder


@pytest.fixture
def evil_history(isolated_dirs: dict[str, Path]) -> None:
    """A history whose routine name and check-in note hold escape sequences."""
    lib = CatalogLoader().load([Source("test", ESCAPES)])
    timeline = dataclasses.replace(lib.timeline("sneaky"), routine_name=EVIL_NAME)
    with History.open() as store:
        session_id = store.start_session(timeline, T0)
        store.add_checkin(session_id, 2, 4, "note \x1b]0;HISTORY-NOTE\x1b\\ \u202eeton")
        store.finish(session_id, "completed", 60.0, (), T0)


@pytest.mark.parametrize("args", [
    ("list",), ("list", "exercises"), ("list", "--json"), ("show", "sneaky"),
    ("show", "sneaky", "--json"), ("validate",),
])
def test_library_commands_show_escapes_visibly(args: tuple[str, ...], evil_library: Path,
                                               tmp_path: Path) -> None:
    result = run_trainer(*args, "--library", str(evil_library), cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert_clean(result.stdout + result.stderr)
    if args[0] == "show" and "--json" not in args:
        assert "says: Say ^[]0;SAY-LINE^[\\ this" in result.stdout
    if args == ("validate",):
        assert result.returncode == 1
        assert "named ^[]0;FILE-NAME^G x.yaml" in result.stdout + result.stderr


def test_validate_of_a_folder_shows_escapes_visibly(evil_library: Path, tmp_path: Path) -> None:
    result = run_trainer("validate", str(evil_library), cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert_clean(result.stdout + result.stderr)


def test_json_keeps_the_data_with_the_characters_escaped(evil_library: Path,
                                                         tmp_path: Path) -> None:
    import json

    result = run_trainer("show", "sneaky", "--json", "--library", str(evil_library), cwd=tmp_path)
    assert "\\u202e" not in result.stdout  # json.dumps leaves C0 escaped, so only \u escapes
    data = json.loads(result.stdout)
    says = [p.get("say") for p in data["phases"] if p.get("say")]
    assert says == ["Say \x1b]0;SAY-LINE\x1b\\ this"]  # faithful once decoded


@pytest.mark.parametrize("args", [("history",), ("stats",), ("history", "--json")])
def test_history_commands_show_escapes_visibly(args: tuple[str, ...], evil_history: None,
                                               tmp_path: Path) -> None:
    result = run_trainer(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert_clean(result.stdout + result.stderr)
    assert "HISTORY-NAME" in result.stdout


def test_csv_is_faithful_in_a_file_and_safe_on_a_terminal(evil_history: None,
                                                          tmp_path: Path) -> None:
    piped = run_trainer("history", "--csv", cwd=tmp_path)
    assert EVIL_NAME in piped.stdout  # a spreadsheet gets exactly what was stored
    term = Terminal([sys.executable, "-m", "trainer", "history", "--csv"], dict(os.environ))
    try:
        assert term.wait_exit() == 0
    finally:
        term.close()
    assert b"HISTORY-NAME" in term.raw
    assert not [p for p in PAYLOADS if p in term.raw]


async def test_the_app_shows_escapes_visibly(evil_library: Path, clock: FakeClock) -> None:
    library = CatalogLoader().load([Source("test", evil_library)])
    app = make_app(library, clock)
    notices = Notices()
    async with app.run_test(size=(120, 50), message_hook=notices) as pilot:
        await pilot.pause()
        screens = [app.export_screenshot()]  # the library: the sneaky routine's details
        await pilot.press("t")  # the exercises, the sneaky stretch's details
        await pilot.pause()
        screens.append(app.export_screenshot())
        await pilot.press("exclamation_mark")  # the problems, with the file name
        await pilot.pause()
        screens.append(app.export_screenshot())
        await pilot.press("escape", "t")
        await pilot.pause()
        app.run_routine("sneaky")
        await pilot.pause()
        for _ in range(6):  # through the hold and into the rest with its say line
            await tick(pilot, clock)
            assert isinstance(app.screen, SessionScreen)
            screens.append(app.export_screenshot())
        app.notify("A notice quoting a file: \x1b]0;NOTICE\x1b\\ x")
        await pilot.pause()
    seen = "\n".join(screens + notices.messages).replace("&#160;", " ")
    assert_clean(seen)
    for visible in ("PWNED-TITLE", "WIPED-SCREEN", "CSI-RED", "REVERSED", "FILE-NAME",
                    "SAY-LINE", "NOTICE"):
        assert visible in seen, visible


def test_a_session_in_a_real_terminal_sends_no_escape_from_the_file(
        evil_library: Path, tmp_path: Path) -> None:
    env = trainer_env(tmp_path)
    term = Terminal([sys.executable, "-m", "trainer", "run", "sneaky", "--library",
                     str(evil_library), "--audio", "none"], env, size=(100, 40))
    try:
        term.wait_for("Sneaky routine")
        term.wait_for("Wipe ^[[2JWIPED-SCREEN")
        term.wait_for("SAY-LINE")
        term.wait_for("Completed: Sneaky routine", timeout=30)
        term.child.send("\x11")  # ctrl+q
        assert term.wait_exit() == 0
    except pexpect.EOF:
        pytest.fail(f"exited early:\n{term.text()}")
    finally:
        term.close()
    assert not [p for p in PAYLOADS if p in term.raw]
    assert not term.stray()


def test_the_library_in_a_real_terminal_sends_no_escape_from_the_file(
        evil_library: Path, tmp_path: Path) -> None:
    env = trainer_env(tmp_path)
    term = Terminal([sys.executable, "-m", "trainer", "--audio", "none", "--library",
                     str(evil_library)], env,
                    size=(120, 40))
    try:
        term.wait_for("ROUTINE-SUMMARY")  # the routine's summary, in its details
        term.child.send("!")
        term.wait_for("FILE-NAME")
        term.child.send("q")  # closes the problems (the exercise details: the Pilot test)
        term.wait_gone("problems in the library")
        term.child.send("\x11")
        assert term.wait_exit() == 0
    finally:
        term.close()
    assert not [p for p in PAYLOADS if p in term.raw]
    assert not term.stray()

