"""End to end: a real `trainer run` in a pty is cut off mid-session and picked up again.

SIGHUP (the SSH connection dropped: a signal, or the pty closed under it) must leave the
session interrupted at the phase in progress; kill -9 may lose at most that phase; `trainer
resume` in a new terminal continues from there. A corrupt history file is moved aside and the
app starts anyway. The e2e routine: get ready 1 s, hold "Wall lean" 2 s, rest 1 s, work "Easy
march" 2 s.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest
from ptyterm import Terminal, trainer_env

from trainer.history.records import PhaseRecord, SessionRecord
from trainer.history.store import FILENAME, History

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")

HOLD, REST = 1, 2  # phase indexes in the e2e routine


def read_history(root: Path) -> tuple[list[SessionRecord], dict[int, list[PhaseRecord]]]:
    """Every stored session (newest first) and its phase runs."""
    with History.open(root / "data" / FILENAME, create=False) as history:
        assert history.path is not None, history.problem
        records = history.recent(None)
        return records, history.phases_of([r.id for r in records])


def resume_to_the_end(env: dict[str, str], where: str, words: list[str],
                      never: str | None = None) -> None:
    """`trainer resume` in a new pty: it says where, shows `words` in turn, then the summary."""
    term = Terminal.trainer("resume", "--audio", "bell", env=env)
    try:
        term.wait_for(f"Resuming End to end at {where}")
        for word in words:
            term.wait_for(word)
        term.wait_for("Well done.")
        term.wait_for("Completed: End to end")
        term.child.send("\x11")
        assert term.wait_exit() == 0
    finally:
        term.close()
    assert term.stray() == []
    if never is not None:
        assert not any(never in screen for screen in term.screens)


@pytest.mark.parametrize("how", ["SIGHUP", "pty closed", "SIGTERM"])
def test_a_hang_up_mid_session_is_resumed_at_the_phase_in_progress(tmp_path: Path,
                                                                   how: str) -> None:
    env = trainer_env(tmp_path)
    term = Terminal.trainer("run", "e2e", "--audio", "bell", env=env)
    try:
        term.wait_for("HOLD")
        term.wait_for("Wall lean")
        if how == "pty closed":
            term.hang_up()
        else:
            term.child.kill(getattr(signal, how))
            assert term.wait_exit() == 129
    finally:
        term.close()
    assert term.stray() == []

    records, phases = read_history(tmp_path)
    assert len(records) == 1
    record = records[0]
    assert record.status == "interrupted"
    assert record.resume_index == HOLD
    assert record.resume_elapsed is not None and 0 <= record.resume_elapsed < 2.0
    assert [p.kind for p in phases[record.id]] == ["get_ready"]
    if how != "SIGHUP":
        return  # resuming is the same from here on


    # A short get-ready, then the hold that was cut off, then the rest of the routine.
    resume_to_the_end(env, "phase 2/4", ["GET READY", "HOLD", "Wall lean", "REST", "Easy march"])
    records, phases = read_history(tmp_path)
    assert len(records) == 1 and records[0].id == record.id
    assert records[0].status == "completed"
    assert [p.index for p in phases[record.id]] == [0, 1, 2, 3]


def test_kill_9_loses_at_most_the_phase_in_progress(tmp_path: Path) -> None:
    env = trainer_env(tmp_path)
    term = Terminal.trainer("run", "e2e", "--audio", "bell", env=env)
    try:
        term.wait_for("REST")
        term.child.kill(signal.SIGKILL)
        assert term.wait_exit() is None
        assert term.child.signalstatus == signal.SIGKILL
    finally:
        term.close()

    records, phases = read_history(tmp_path)
    assert len(records) == 1
    record = records[0]
    # No chance to say goodbye: still "running", with the checkpoint of the last phase change.
    assert record.status in ("running", "interrupted")
    assert record.resume_index == REST
    assert [(p.kind, round(p.actual_seconds)) for p in phases[record.id]] == [
        ("get_ready", 1), ("hold", 2)]

    # Straight into the rest that was in progress: the hold is not done again.
    resume_to_the_end(env, "phase 3/4", ["REST", "WORK", "Easy march"], never="HOLD")
    records, phases = read_history(tmp_path)
    assert len(records) == 1 and records[0].status == "completed"
    assert [p.index for p in phases[record.id]] == [0, 1, 2, 3]


def test_a_corrupt_history_file_is_moved_aside_and_the_app_starts(tmp_path: Path) -> None:
    env = trainer_env(tmp_path)
    data = tmp_path / "data"
    data.mkdir()
    garbage = os.urandom(8192)
    (data / FILENAME).write_bytes(garbage)
    term = Terminal.trainer("run", "e2e", "--audio", "bell", env=env)
    try:
        term.wait_for("The history file could not be read")
        term.wait_for("moved to")
        term.wait_for("HOLD")  # the session runs
        term.child.send("\x11")  # ctrl+q mid-session
        assert term.wait_exit() == 0
    finally:
        term.close()
    assert term.stray() == []
    aside = [p for p in data.iterdir() if p.name.startswith(f"{FILENAME}.corrupt-")]
    assert len(aside) == 1
    assert aside[0].read_bytes() == garbage
    # The new history works, and quitting left this session resumable.
    records, _ = read_history(tmp_path)
    assert len(records) == 1
    assert records[0].status == "interrupted" and records[0].resume_index == HOLD
