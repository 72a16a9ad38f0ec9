"""The history's integrity check: once per version of the file, and in the app off the main
thread, a damaged file still found and moved aside with the sessions running carried over."""

from __future__ import annotations

import random
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import FakeClock
from pilot_helpers import Notices, load_fixture_library, make_app

from trainer import paths
from trainer.history import schema
from trainer.history import store as store_module
from trainer.history.records import PhaseRecord
from trainer.history.store import FILENAME, History
from trainer.session.timeline import Phase, Timeline

T0 = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)


def make_timeline() -> Timeline:
    """One hold."""
    phases = (Phase(0, "hold", 0.0, 30.0, 30.0, "Hold", "plank"),
              Phase(1, "done", 30.0, None, 0.0, "Done"))
    return Timeline("plank", "Plank", phases)


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The name of the thread of every integrity check run; versions are never too recent."""
    seen: list[str] = []
    real = schema.quick_check

    def counted(db: sqlite3.Connection) -> str | None:
        seen.append(threading.current_thread().name)
        return real(db)

    monkeypatch.setattr(schema, "quick_check", counted)
    monkeypatch.setattr(store_module, "quick_check", counted)
    # A test's writes are milliseconds apart: within the file clock's tick, so racy.
    monkeypatch.setattr(store_module, "RACY_NS", 0)
    yield seen


def db_path() -> Path:
    """Where the app and History.open() keep the history in a test."""
    return paths.data_dir() / FILENAME


def filled(count: int = 50) -> Path:
    """A history of `count` sessions with many phase runs each, closed."""
    runs = [PhaseRecord(i, "hold", f"Hold {i}", 30.0, 31.5, False, "plank") for i in range(40)]
    with History.open() as store, store.bulk():
        for _ in range(count):
            sid = store.start_session(make_timeline(), T0)
            store.finish(sid, "completed", 30.0, runs, T0)
    return db_path()


def damage(path: Path) -> None:
    """Overwrite a page of the phases table: the file opens and sessions can be written."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    [(page,)] = db.execute("SELECT max(pageno) FROM dbstat WHERE name = 'phases'").fetchall()
    db.close()
    data = bytearray(path.read_bytes())
    data[(page - 1) * 4096:page * 4096] = random.Random(1).randbytes(4096)
    path.write_bytes(bytes(data))


def test_a_version_checked_once_is_not_checked_again(checks: list[str]) -> None:
    filled()
    checks.clear()
    for _ in range(3):
        with History.open() as store:
            assert store.problem is None and not store.unchecked
    assert len(checks) == 1  # the first open after the writes
    with History.open() as store:
        store.start_session(make_timeline(), T0)  # a new version of the file
    with History.open() as store:
        assert store.counts()["sessions"] == 51
    assert len(checks) == 2


def test_a_version_changed_just_before_its_check_is_checked_again(
        checks: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    filled()
    monkeypatch.setattr(store_module, "RACY_NS", 10**18)  # every change is "just now"
    checks.clear()
    for _ in range(2):
        History.open().close()
    assert len(checks) == 2


def test_a_damaged_file_is_found_even_with_its_old_identity_remembered(
        checks: list[str]) -> None:
    path = filled()
    History.open().close()
    damage(path)
    with History.open() as store:
        assert store.problem is not None and "moved to" in store.problem
        assert store.counts()["sessions"] == 0


def test_check_later_leaves_it_to_verify(checks: list[str]) -> None:
    filled()
    checks.clear()
    with History.open(check="later") as store:
        assert store.unchecked and checks == []
        assert store.verify() is None and not store.unchecked
    assert len(checks) == 1
    with History.open(check="later") as store:
        assert not store.unchecked  # that version passed: nothing due
    assert len(checks) == 1


def test_verify_finds_damage_and_set_aside_carries_the_running_session_over(
        checks: list[str]) -> None:
    path = filled()
    damage(path)
    with History.open(check="later") as store:
        assert store.problem is None and store.unchecked
        running = store.start_session(make_timeline(), T0)
        reason = store.verify()
        assert reason is not None
        message = store.set_aside(reason, T0)
        assert "moved to" in message and store.problem == message and store.path == path
        assert store.counts()["sessions"] == 1
        assert store.checkpoint(running, 0, 5.0, 5.0) is True  # its recording goes on
        assert store.finish(running, "completed", 30.0) is True
    assert list(path.parent.glob(f"{FILENAME}.corrupt-*"))
    with History.open() as again:
        assert again.problem is None and [r.status for r in again.recent()] == ["completed"]


async def test_the_app_checks_off_the_main_thread_and_sets_a_damaged_file_aside(
        checks: list[str], clock: FakeClock) -> None:
    damage(filled())
    checks.clear()
    notices = Notices()
    app = make_app(load_fixture_library(), clock)
    async with app.run_test(message_hook=notices) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert checks and threading.main_thread().name not in checks
        assert any("moved to" in m for m in notices.messages)
        assert app.history.problem is not None and app.history.counts()["sessions"] == 0
