"""A crash: exit status 1, the traceback in the data folder's crash.log, one line on stderr.

The app is run for real through `run_guarded`, headless, with a Pilot as its autopilot and a
handler monkeypatched to raise; the crash log's keeping and bounds are tested on their own.
"""

from __future__ import annotations

import functools
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import FakeClock
from pilot_helpers import load_fixture_library, make_app, session_screen, tick
from textual.app import App

from trainer.audio.players import RecordingPlayer
from trainer.history.store import FILENAME, History
from trainer.ui import crash_log
from trainer.ui.app import TrainerApp
from trainer.ui.screens.session import SessionScreen

WHEN = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def headless(app: TrainerApp, drive: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `run_guarded`'s `run` a headless run that `drive(pilot)` steers."""
    monkeypatch.setattr(app, "run", functools.partial(App.run, app, headless=True,
                                                      size=(80, 24), auto_pilot=drive))


def raised(message: str) -> Exception:
    """An exception with a real traceback."""
    try:
        raise ZeroDivisionError(message)
    except ZeroDivisionError as error:
        return error


def test_a_crash_mid_session_is_logged_said_in_one_line_and_left_resumable(
        clock: FakeClock, isolated_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    def broken_mute(self: SessionScreen) -> None:
        raise ZeroDivisionError("injected by the test")

    monkeypatch.setattr(SessionScreen, "action_mute", broken_mute)
    app = make_app(load_fixture_library(), clock, routine_id="tiny",
                   player=RecordingPlayer(clock))

    async def drive(pilot: Any) -> None:
        await pilot.pause()
        for _ in range(11):  # 1 s into the tiny routine's fourth phase, the right-side hold
            await tick(pilot, clock)
        assert session_screen(pilot.app).session is not None
        await pilot.press("m")

    headless(app, drive, monkeypatch)
    status = app.run_guarded()

    log = isolated_dirs["data"] / crash_log.LOG_NAME
    assert status == 1
    # Textual's own report (a rich traceback with locals) is held back: one line instead.
    assert capsys.readouterr().err == (
        f"trainer: crashed (ZeroDivisionError: injected by the test); details in {log}\n")
    text = log.read_text(encoding="utf-8")
    assert text.startswith(crash_log.MARK)
    assert "Traceback (most recent call last)" in text and "broken_mute" in text
    assert text.endswith("ZeroDivisionError: injected by the test\n")
    history = History.open(isolated_dirs["data"] / FILENAME, create=False)
    with history:
        [record] = history.recent(None)
        point = history.resumable()
    assert record.status == "interrupted"
    assert point is not None and point.index == 3


def test_an_exception_escaping_run_is_a_crash_too(
        clock: FakeClock, isolated_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    app = make_app(load_fixture_library(), clock)

    def run() -> None:
        raise RuntimeError("no event loop today")

    monkeypatch.setattr(app, "run", run)
    assert app.run_guarded() == 1
    log = isolated_dirs["data"] / crash_log.LOG_NAME
    assert capsys.readouterr().err == (
        f"trainer: crashed (RuntimeError: no event loop today); details in {log}\n")
    assert "RuntimeError: no event loop today" in log.read_text(encoding="utf-8")


def test_a_clean_quit_says_nothing_and_logs_nothing(
        clock: FakeClock, isolated_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    app = make_app(load_fixture_library(), clock, routine_id="tiny",
                   player=RecordingPlayer(clock))

    async def drive(pilot: Any) -> None:
        await pilot.pause()
        await tick(pilot, clock)
        await pilot.press("ctrl+q")

    headless(app, drive, monkeypatch)
    assert app.run_guarded() == 0
    assert capsys.readouterr().err == ""
    assert not (isolated_dirs["data"] / crash_log.LOG_NAME).exists()


def test_the_log_keeps_the_last_few_crashes_newest_last(tmp_path: Path) -> None:
    log = tmp_path / "crash.log"
    for number in range(crash_log.KEEP + 3):
        crash_log.write_crash(raised(f"crash {number}"), log, when=WHEN)
    text = log.read_text(encoding="utf-8")
    assert text.count(crash_log.MARK) == crash_log.KEEP
    numbers = [line.rsplit(" ", 1)[1] for line in text.splitlines()
               if line.startswith("ZeroDivisionError: crash")]
    assert numbers == [str(n) for n in range(3, crash_log.KEEP + 3)]
    assert text.startswith(f"{crash_log.MARK}2025-01-02T03:04:05+00:00 (trainer ")


def test_a_huge_traceback_is_cut_to_its_end(tmp_path: Path) -> None:
    log = tmp_path / "crash.log"
    crash_log.write_crash(raised("x" * (crash_log.MAX_ENTRY * 3)), log, when=WHEN)
    crash_log.write_crash(raised("small"), log, when=WHEN)
    text = log.read_text(encoding="utf-8")
    assert len(text) < 2 * crash_log.MAX_ENTRY
    assert "characters cut]" in text and text.count(crash_log.MARK) == 2
    assert text.endswith("ZeroDivisionError: small\n")


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and symlinks")
def test_a_fifo_or_symlink_in_the_logs_place_is_replaced_not_read_or_followed(
        tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.log"
    os.mkfifo(fifo)
    crash_log.write_crash(raised("after a fifo"), fifo, when=WHEN)  # would block if opened
    assert fifo.is_file() and fifo.read_text(encoding="utf-8").count(crash_log.MARK) == 1
    target = tmp_path / "precious.txt"
    target.write_text(f"{crash_log.MARK}not a crash\n")
    link = tmp_path / "link.log"
    link.symlink_to(target)
    crash_log.write_crash(raised("after a link"), link, when=WHEN)
    assert not link.is_symlink() and link.read_text(encoding="utf-8").count(crash_log.MARK) == 1
    assert target.read_text() == f"{crash_log.MARK}not a crash\n"


def test_an_unwritable_log_puts_the_traceback_on_stderr_instead(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("a file where the data folder should be")
    said = crash_log.report(raised("nowhere to log"), not_a_folder / "crash.log")
    lines = said.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[-1].startswith("trainer: crashed (ZeroDivisionError: nowhere to log); "
                                f"could not write {not_a_folder / 'crash.log'} (")


def test_the_line_is_short_and_safe_to_print(tmp_path: Path) -> None:
    said = crash_log.report(raised("\x1b]0;owned\x07" + "y" * 500 + "\nsecond line"),
                            tmp_path / "crash.log")
    assert "\x1b" not in said and "\x07" not in said and "second line" not in said
    assert said.startswith("trainer: crashed (ZeroDivisionError: ^[]0;owned^G")
    shown = said[len("trainer: crashed ("):said.index("); details in")]
    assert said.count("\n") == 1 and len(shown) == crash_log.MAX_SUMMARY and shown[-1] == "…"
