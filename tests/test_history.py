"""The history store, the recorder over a real session, resume points and the history CLI."""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import random
import re
import signal
import sqlite3
import sys
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO_ROOT, FakeClock

from trainer.cli.history import CSV_COLUMNS, history, history_json, stats
from trainer.history import schema as history_schema
from trainer.history.queries import CannotResume, ResumeTarget, resume_target
from trainer.history.recorder import Recorder
from trainer.history.records import PhaseRecord
from trainer.history.resume import ResumePoint
from trainer.history.schema import MIGRATIONS
from trainer.history.store import FILENAME, History
from trainer.library.model import Exercise, Routine
from trainer.session.catalog import Catalog
from trainer.session.engine import Session
from trainer.session.timeline import Timeline, build_timeline

T0 = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)  # a Monday

EXERCISES: dict[str, Exercise] = {
    str(e["id"]): Exercise.model_validate(e)
    for e in [
        {"id": "jog", "name": "Jog", "category": "aerobic", "duration": 30},
        {"id": "squat", "name": "Squat", "category": "strength", "reps": 10},
        {"id": "lunge", "name": "Lunge", "category": "stretch", "sides": "each", "hold": 20},
    ]
}


def make_timeline(steps: list[Any] | None = None, routine_id: str = "r", **defaults: Any
                  ) -> Timeline:
    """A timeline of these steps; by default the phases in KINDS (jog, squat, lunge)."""
    routine = Routine.model_validate({
        "id": routine_id, "name": "Test routine",
        "defaults": {"get_ready": 5, "rest": 10, "switch": 5, "countdown": 3, **defaults},
        "steps": steps if steps is not None else ["jog", "squat", "lunge"]})
    return build_timeline(routine, EXERCISES)


# get_ready 5 | jog 30 | rest 10 | squat (self-paced) | rest 10 | lunge L 20 | switch 5 |
# lunge R 20 | done
KINDS = ["get_ready", "work", "rest", "reps", "rest", "hold", "switch", "hold", "done"]


class Wall:
    """A wall clock that moves with a fake monotonic clock."""

    def __init__(self, clock: FakeClock, start: datetime = T0) -> None:
        self.clock, self.start, self.base = clock, start, clock.now

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=self.clock.now - self.base)


def drive(session: Session, recorder: Recorder, clock: FakeClock, seconds: float,
          step: float = 0.25) -> None:
    """Tick (and record) every `step` seconds for `seconds`, as the app's timer would."""
    until = clock.now + seconds
    session.tick()
    recorder.update()
    while clock.now < until - 1e-9 and not session.finished:
        clock.advance(min(step, until - clock.now))
        session.tick()
        recorder.update()


@pytest.fixture
def timeline() -> Timeline:
    """The test routine's timeline."""
    tl = make_timeline()
    assert [p.kind for p in tl.phases] == KINDS
    return tl


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test's history lives."""
    return tmp_path / "data" / FILENAME


@pytest.fixture
def store(db_path: Path) -> Any:
    """An open history store."""
    opened = History.open(db_path)
    assert opened.problem is None and opened.path == db_path
    yield opened
    opened.close()


def library_of(*timelines: Timeline) -> Catalog:
    """A library holding just these timelines."""
    return Catalog(exercises=dict(EXERCISES), timelines={t.routine_id: t for t in timelines})


# -- recording a session ------------------------------------------------------------------


def test_a_completed_session_is_recorded_with_its_phases(
        store: History, timeline: Timeline, clock: FakeClock) -> None:
    session = Session(timeline, clock)
    recorder = Recorder.start(store, session, Wall(clock))
    drive(session, recorder, clock, 45)  # into the self-paced squats
    assert session.phase.kind == "reps"
    clock.advance(12)
    session.done()
    drive(session, recorder, clock, 60)
    assert session.finished and recorder.closed and recorder.problem is None

    record = store.get(recorder.session_id)
    assert record is not None
    assert (record.status, record.routine_id, record.routine_name) == ("completed", "r",
                                                                        "Test routine")
    assert record.resume_index is None
    assert record.fingerprint == timeline.fingerprint
    assert record.planned_seconds == timeline.total
    assert record.active_seconds == pytest.approx(45 + 12 + 55)
    assert record.started_at == T0
    assert record.ended_at == T0 + timedelta(seconds=112)
    phases = store.phases(recorder.session_id)
    assert [p.kind for p in phases] == KINDS[:-1]
    assert [p.actual_seconds for p in phases] == pytest.approx([5, 30, 10, 12, 10, 20, 5, 20])
    assert [p.planned_seconds for p in phases] == pytest.approx([5, 30, 10, 30, 10, 20, 5, 20])
    assert [p.exercise for p in phases] == [None, "jog", None, "squat", None, "lunge", "lunge",
                                            "lunge"]
    assert not any(p.skipped for p in phases)
    assert store.resumable() is None


def test_late_ticks_record_every_phase_crossed(store: History, timeline: Timeline,
                                               clock: FakeClock) -> None:
    session = Session(timeline, clock)
    recorder = Recorder.start(store, session, Wall(clock))
    clock.advance(40)  # a stalled loop: get ready and jog pass within one tick
    session.tick()
    assert recorder.update()
    phases = store.phases(recorder.session_id)
    assert [(p.index, p.actual_seconds) for p in phases] == [(0, 5), (1, 30)]
    record = store.get(recorder.session_id)
    assert record is not None and (record.resume_index, record.resume_elapsed) == (2, 5)


def test_pause_is_checkpointed_and_left_out_of_the_times(
        db_path: Path, store: History, timeline: Timeline, clock: FakeClock) -> None:
    session = Session(timeline, clock)
    recorder = Recorder.start(store, session, Wall(clock))
    drive(session, recorder, clock, 40)  # 5 s into the first rest
    session.pause()
    assert recorder.checkpoint()
    clock.advance(100)
    recorder.update()

    with History.open(db_path) as reopened:  # checkpoints survive a reopen
        record = reopened.get(recorder.session_id)
        assert record is not None
        assert (record.status, record.resume_index, record.resume_elapsed) == ("running", 2, 5)
        assert record.active_seconds == pytest.approx(40)
        assert record.updated_at == T0 + timedelta(seconds=40)
        assert [p.index for p in reopened.phases(recorder.session_id)] == [0, 1]

    session.resume()
    drive(session, recorder, clock, 6)
    assert session.index == 3
    rest = store.phases(recorder.session_id)[2]
    assert rest.kind == "rest" and rest.actual_seconds == pytest.approx(10)


def test_skip_and_back_are_recorded(store: History, timeline: Timeline,
                                    clock: FakeClock) -> None:
    session = Session(timeline, clock)
    recorder = Recorder.start(store, session, Wall(clock))
    drive(session, recorder, clock, 15)  # 10 s into the jog
    session.skip()
    recorder.update()
    drive(session, recorder, clock, 4)  # 4 s into the rest
    session.back()  # restarts the rest
    recorder.update()
    drive(session, recorder, clock, 10)
    phases = {p.index: p for p in store.phases(recorder.session_id)}
    assert phases[1].skipped and phases[1].actual_seconds == pytest.approx(10)
    assert not phases[2].skipped
    assert phases[2].actual_seconds == pytest.approx(4 + 10)  # both runs of the rest

    recorder.finish(completed=False)
    record = store.get(recorder.session_id)
    assert record is not None and record.status == "stopped" and record.resume_index is None
    assert store.resumable() is None


def test_stopping_records_the_partial_phase(store: History, timeline: Timeline,
                                            clock: FakeClock) -> None:
    session = Session(timeline, clock)
    recorder = Recorder.start(store, session, Wall(clock))
    drive(session, recorder, clock, 20)
    assert recorder.finish(completed=False)
    assert not recorder.finish(completed=False)  # once only
    phases = store.phases(recorder.session_id)
    assert [p.index for p in phases] == [0, 1]
    assert [p.actual_seconds for p in phases] == pytest.approx([5, 15])


# -- interrupted, killed and resumed ------------------------------------------------------


def test_an_interrupted_session_resumes_at_the_phase_in_progress(
        store: History, timeline: Timeline, clock: FakeClock) -> None:
    wall = Wall(clock)
    session = Session(timeline, clock)
    recorder = Recorder.start(store, session, wall)
    drive(session, recorder, clock, 50)  # 5 s into the squats
    assert recorder.interrupt()
    assert not recorder.interrupt()  # a second signal changes nothing
    record = store.get(recorder.session_id)
    assert record is not None and record.status == "interrupted"

    point = store.resumable()
    assert point is not None
    assert (point.session_id, point.routine_id, point.index, point.elapsed) == (
        recorder.session_id, "r", 3, 5)
    assert point.status == "interrupted"
    check = point.check(timeline, wall() + timedelta(minutes=10))
    assert (check.verdict, check.offer) == ("ok", True)
    assert "10 minutes ago" in check.reason and "Squat" in check.reason

    # The phase restarts from its beginning after the last seconds of the rest before it.
    plan = point.plan(timeline)
    assert (plan.phase_index, plan.start_index, plan.elapsed, plan.wait_for_key) == (3, 2, 5,
                                                                                      False)
    assert "Resuming Test routine at phase 4/8 (Squat)" in plan.message
    clock.advance(600)
    resumed = plan.session(timeline, clock)
    state = resumed.state()
    assert (state.phase.kind, state.remaining) == ("rest", 5)
    recorder2 = Recorder.resume(store, resumed, plan, Wall(clock, T0 + timedelta(hours=1)))
    assert store.resumable() is None  # running again, in this process
    events = resumed.tick()
    for _ in range(20):
        clock.advance(0.25)
        events += resumed.tick()
    assert [(e.kind, e.value) for e in events] == [("phase_started", 0), ("countdown", 3),
                                                   ("countdown", 2), ("countdown", 1),
                                                   ("phase_started", 0)]
    recorder2.update()
    record = store.get(recorder.session_id)
    assert record is not None and (record.status, record.resume_index) == ("running", 3)

    clock.advance(20)
    resumed.done()
    drive(resumed, recorder2, clock, 60)
    record = store.get(recorder.session_id)
    assert record is not None and record.status == "completed"
    phases = store.phases(recorder.session_id)
    assert [p.index for p in phases] == list(range(8))
    assert phases[2].actual_seconds == pytest.approx(10)  # the lead-in is not a second rest
    assert phases[3].actual_seconds == pytest.approx(20)  # the restarted run only
    assert record.active_seconds == pytest.approx(50 + 5 + 20 + 55)


def test_a_running_session_of_a_dead_process_is_resumable(
        db_path: Path, store: History, timeline: Timeline, clock: FakeClock) -> None:
    session = Session(timeline, clock)
    recorder = Recorder.start(store, session, Wall(clock))
    drive(session, recorder, clock, 45)
    clock.advance(10)
    session.done()
    drive(session, recorder, clock, 2)  # 2 s into the second rest: checkpointed as it began
    assert store.resumable() is None  # still running here
    with History.open(db_path) as after_restart:  # as a new process would see it
        point = after_restart.resumable()
    assert point is not None
    assert (point.status, point.index, point.elapsed) == ("running", 4, 0)


def test_a_session_running_in_another_live_process_is_left_alone(
        db_path: Path, store: History, timeline: Timeline) -> None:
    session_id = store.start_session(timeline, T0)
    store.close()
    db = sqlite3.connect(db_path)
    with db:  # as if our parent process (alive) were running it
        db.execute("UPDATE sessions SET pid = ? WHERE id = ?", (os.getppid(), session_id))
    db.close()
    with History.open(db_path) as other:
        assert other.resumable() is None


def mp_context() -> Any:
    """Fork where it is safe (POSIX, one thread: children start in milliseconds), else spawn."""
    if "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin" \
            and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _killed_child(path: str) -> None:
    """Run a session to the middle of phase 5, then die by SIGKILL."""
    clock = FakeClock()
    session = Session(make_timeline(), clock)
    recorder = Recorder.start(History.open(Path(path)), session, Wall(clock))
    drive(session, recorder, clock, 45)
    clock.advance(10)
    session.done()
    drive(session, recorder, clock, 15)  # 5 s into the left lunge
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_kill_9_loses_at_most_the_phase_in_progress(db_path: Path, timeline: Timeline) -> None:
    db_path.parent.mkdir(parents=True)
    child = mp_context().Process(target=_killed_child, args=(str(db_path),))
    child.start()
    child.join(30)
    assert child.exitcode == -signal.SIGKILL
    with History.open(db_path) as store:
        assert store.integrity() == "ok"
        point = store.resumable()
        assert point is not None
        assert (point.status, point.index, point.elapsed) == ("running", 5, 0)
        assert point.check(timeline, point.updated_at).verdict == "ok"
        phases = store.phases(point.session_id)
        assert [p.index for p in phases] == [0, 1, 2, 3, 4]


def _hung_up_child(path: str, ready: Any) -> None:
    """Run a session into phase 3 and wait; on SIGHUP/SIGTERM record the interruption."""
    clock = FakeClock()
    session = Session(make_timeline(), clock)
    recorder = Recorder.start(History.open(Path(path)), session, Wall(clock))

    def hang_up(signum: int, frame: Any) -> None:
        recorder.interrupt()
        raise SystemExit(0)

    signal.signal(signal.SIGHUP, hang_up)
    signal.signal(signal.SIGTERM, hang_up)
    drive(session, recorder, clock, 48)  # 3 s into the squats
    ready.set()
    while True:
        signal.pause()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGHUP")
@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM], ids=["SIGHUP", "SIGTERM"])
def test_a_hang_up_leaves_an_interrupted_session(db_path: Path, signum: int) -> None:
    db_path.parent.mkdir(parents=True)
    ctx = mp_context()
    ready = ctx.Event()
    child = ctx.Process(target=_hung_up_child, args=(str(db_path), ready))
    child.start()
    assert ready.wait(30)
    os.kill(child.pid or 0, signum)
    child.join(30)
    assert child.exitcode == 0
    with History.open(db_path) as store:
        point = store.resumable()
        assert point is not None
        assert (point.status, point.index, point.elapsed) == ("interrupted", 3, 3)


def _writer(path: str, name: str, count: int, barrier: Any) -> None:
    """Open the store at the same moment as another process, then write many checkpoints."""
    barrier.wait()
    timeline = make_timeline(routine_id=name)
    with History.open(Path(path)) as store:
        assert store.problem is None, store.problem
        session_id = store.start_session(timeline, T0)
        for i in range(count):
            record = PhaseRecord(i, "work", f"{name} {i}", 1.0, 1.0)
            assert store.checkpoint(session_id, i, 0.5, float(i), [record], T0)
        store.add_checkin(session_id, 2, 5, name)
        store.finish(session_id, "completed", float(count), (), T0)


def test_two_processes_writing_at_once_corrupt_nothing(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    ctx = mp_context()
    barrier = ctx.Barrier(2)
    count = 300
    writers = [ctx.Process(target=_writer, args=(str(db_path), f"w{n}", count, barrier))
               for n in range(2)]
    for w in writers:
        w.start()
    for w in writers:
        w.join(60)
    assert [w.exitcode for w in writers] == [0, 0]
    with History.open(db_path) as store:
        assert store.integrity() == "ok"
        assert store.counts() == {"sessions": 2, "phases": 2 * count, "checkins": 2,
                                  "reminders": 0, "program_runs": 0}
        records = store.recent(None)
        assert sorted(r.routine_id for r in records) == ["w0", "w1"]
        for r in records:
            assert r.status == "completed" and r.active_seconds == count
            assert len(store.phases(r.id)) == count


def test_a_newer_finished_session_means_nothing_to_resume(
        store: History, timeline: Timeline, clock: FakeClock) -> None:
    first = Recorder.start(store, Session(timeline, clock), Wall(clock))
    drive(first.session, first, clock, 20)
    first.interrupt()
    assert store.resumable() is not None
    second = Recorder.start(store, Session(timeline, clock), Wall(clock))
    second.finish(completed=False)
    assert store.resumable() is None


def test_declining_forgets_the_resume_point(store: History, timeline: Timeline,
                                            clock: FakeClock) -> None:
    recorder = Recorder.start(store, Session(timeline, clock), Wall(clock))
    drive(recorder.session, recorder, clock, 20)
    recorder.interrupt()
    point = store.resumable()
    assert point is not None
    store.decline_resume(point.session_id)
    assert store.resumable() is None
    record = store.get(point.session_id)
    assert record is not None and (record.status, record.resume_index) == ("interrupted", None)


def test_resume_points_are_classified_with_reasons(store: History, timeline: Timeline) -> None:
    point = ResumePoint(1, "r", "Test routine", timeline.fingerprint, 3, 4.0, "interrupted",
                        T0, T0)
    ok = point.check(timeline, T0 + timedelta(hours=3))
    assert (ok.verdict, ok.offer) == ("ok", True) and "3 hours ago" in ok.reason

    stale = point.check(timeline, T0 + timedelta(days=2))
    assert (stale.verdict, stale.offer) == ("stale", True)
    assert "2 days ago" in stale.reason and "more than a day" in stale.reason

    changed = point.check(make_timeline(["jog", "lunge"]), T0)
    assert (changed.verdict, changed.offer) == ("changed", False)
    assert "has changed" in changed.reason

    gone = point.check(None, T0)
    assert gone.verdict == "changed" and "no longer in the library" in gone.reason

    beyond = ResumePoint(1, "r", "Test routine", timeline.fingerprint, 40, 0.0, "running",
                         T0, T0).check(timeline, T0)
    assert beyond.verdict == "changed" and "phase 41" in beyond.reason
    at_end = ResumePoint(1, "r", "Test routine", timeline.fingerprint, 8, 0.0, "running",
                         T0, T0).check(timeline, T0)
    assert at_end.verdict == "changed" and "end" in at_end.reason


def test_resume_plans_restart_the_phase(timeline: Timeline, clock: FakeClock) -> None:
    def plan_at(tl: Timeline, index: int) -> Any:
        return ResumePoint(1, tl.routine_id, "x", tl.fingerprint, index, 3.0, "interrupted",
                           T0, T0).plan(tl)

    rest = plan_at(timeline, 2)  # a rest restarts as itself
    assert (rest.start_index, rest.elapsed, rest.wait_for_key) == (2, 0, False)
    switch_led = plan_at(timeline, 7)  # the switch before the right side is only 5 s long
    assert (switch_led.start_index, switch_led.elapsed) == (6, 0)
    # Back-to-back intervals: no rest before the second one, so it waits for a key.
    intervals = make_timeline([{"interval": {"work": 20, "rounds": 2, "exercises": ["jog"]}}],
                              get_ready=0)
    assert [p.kind for p in intervals.phases] == ["work", "work", "done"]
    waiting = plan_at(intervals, 1)
    assert (waiting.start_index, waiting.wait_for_key) == (1, True)
    assert "press space" in waiting.message
    session = waiting.session(intervals, clock)
    assert session.paused and session.index == 1 and session.state().remaining == 20


# -- the file: schema, corruption, odd places ---------------------------------------------


def test_schema_version_is_set_on_a_new_store(store: History, db_path: Path) -> None:
    assert store.schema_version == len(MIGRATIONS) == 6
    db = sqlite3.connect(db_path)
    try:
        assert db.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS),)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        db.close()


def test_an_empty_file_or_version_0_database_is_migrated(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    version0 = tmp_path / "v0.sqlite3"
    db = sqlite3.connect(version0)
    db.execute("CREATE TABLE unrelated (x)")  # a database, but at version 0
    db.commit()
    db.close()
    for path in (empty, version0):
        with History.open(path) as store:
            assert store.problem is None and store.path == path
            assert store.schema_version == len(MIGRATIONS)
            assert store.counts() == {"sessions": 0, "phases": 0, "checkins": 0,
                                      "reminders": 0, "program_runs": 0}


def test_a_current_database_is_opened_as_it_is_and_a_new_migration_applies(
        db_path: Path, timeline: Timeline, monkeypatch: pytest.MonkeyPatch) -> None:
    with History.open(db_path) as store:
        session_id = store.start_session(timeline, T0)
        store.add_checkin(session_id, 3, 6, "fine")
    with History.open(db_path) as store:  # at the current version: nothing to do
        assert store.schema_version == len(MIGRATIONS) and store.counts()["sessions"] == 1

    def v_next(db: sqlite3.Connection) -> None:
        db.execute("ALTER TABLE sessions ADD COLUMN mood TEXT")

    monkeypatch.setattr(history_schema, "MIGRATIONS", (*MIGRATIONS, v_next))
    with History.open(db_path) as store:
        assert store.problem is None and store.schema_version == len(MIGRATIONS) + 1
        record = store.get(session_id)
        assert record is not None and record.checkins[0].pain == 3
    db = sqlite3.connect(db_path)
    try:
        columns = [row[1] for row in db.execute("PRAGMA table_info(sessions)")]
    finally:
        db.close()
    assert "mood" in columns


def test_a_newer_schema_is_left_alone(db_path: Path, store: History) -> None:
    store.close()
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with History.open(db_path) as newer:
        assert newer.path is None and newer.problem is not None
        assert "newer trainer" in newer.problem
    assert db_path.exists() and not list(db_path.parent.glob("*.corrupt-*"))


def test_a_corrupt_file_is_moved_aside_and_a_new_one_started(
        db_path: Path, timeline: Timeline) -> None:
    db_path.parent.mkdir(parents=True)
    garbage = random.Random(6).randbytes(8192)
    db_path.write_bytes(garbage)
    stale_wal = db_path.with_name(db_path.name + "-wal")
    stale_wal.write_bytes(b"left over")
    now = datetime(2024, 5, 6, 10, 30, 0, tzinfo=UTC)
    with History.open(db_path, now=now) as store:
        aside = db_path.with_name(f"{FILENAME}.corrupt-20240506T103000Z")
        assert store.problem is not None and store.path == db_path
        assert "could not be read" in store.problem and str(aside) in store.problem
        assert aside.read_bytes() == garbage
        # A stale WAL never reaches the new database (SQLite may have dropped it already).
        moved_wal = aside.with_name(aside.name + "-wal")
        assert not moved_wal.exists() or moved_wal.read_bytes() == b"left over"
        assert not stale_wal.exists() or b"left over" not in stale_wal.read_bytes()
        session_id = store.start_session(timeline, now)  # the store works
        assert store.get(session_id) is not None
    with History.open(db_path, now=now) as again:  # and the next start is quiet
        assert again.problem is None and again.counts()["sessions"] == 1
    # A second bad file in the same second gets its own name.
    db_path.write_bytes(garbage)
    with History.open(db_path, now=now) as third:
        assert third.problem is not None
        assert db_path.with_name(f"{FILENAME}.corrupt-20240506T103000Z-2").exists()


def test_a_damaged_database_is_moved_aside(db_path: Path, timeline: Timeline) -> None:
    with History.open(db_path) as store:
        for _ in range(50):
            store.start_session(timeline, T0)
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray(db_path.read_bytes())
    data[4096:8192] = random.Random(1).randbytes(4096)  # the second page: the first table
    db_path.write_bytes(bytes(data))
    with History.open(db_path) as store:
        assert store.problem is not None and "moved to" in store.problem
        assert store.counts()["sessions"] == 0


def test_an_unreadable_path_is_moved_aside(db_path: Path, timeline: Timeline) -> None:
    db_path.mkdir(parents=True)  # a folder where the file should be
    (db_path / "something").write_text("kept")
    with History.open(db_path) as store:
        assert store.problem is not None and "moved to" in store.problem
        assert store.path == db_path and db_path.is_file()
        store.start_session(timeline, T0)
    aside = next(db_path.parent.glob(f"{FILENAME}.corrupt-*"))
    assert (aside / "something").read_text() == "kept"


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0,
                    reason="permissions do not stop root")
def test_a_file_without_read_permission_is_moved_aside(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"")
    db_path.chmod(0)
    with History.open(db_path) as store:
        assert store.problem is not None and "moved to" in store.problem
        assert store.counts()["sessions"] == 0


def test_a_data_folder_that_cannot_exist_keeps_history_in_memory(
        tmp_path: Path, timeline: Timeline) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with History.open(blocker / "data" / FILENAME) as store:
        assert store.path is None and store.problem is not None
        assert "not being saved" in store.problem
        session_id = store.start_session(timeline, T0)  # still works, for this run
        assert store.get(session_id) is not None


def test_reading_does_not_create_the_file(db_path: Path) -> None:
    with History.open(db_path, create=False) as store:
        assert store.recent() == [] and store.resumable() is None
    assert not db_path.parent.exists()


def test_importing_creates_nothing_and_needs_no_textual(tmp_path: Path) -> None:
    import subprocess

    data = tmp_path / "untouched"
    code = ("import sys, trainer.history.store, trainer.history.stats, trainer.cli.history\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))")
    env = {**os.environ, "TRAINER_DATA_DIR": str(data)}
    result = subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=REPO_ROOT,
                            capture_output=True, text=True)
    assert result.stdout.strip() == "[]"
    assert not data.exists()


def test_checkins_are_validated_and_kept(store: History, timeline: Timeline) -> None:
    session_id = store.start_session(timeline, T0)
    assert store.add_checkin(session_id, None, None, "   ") is None
    assert store.add_checkin(session_id, 0, None, "  knee\n a bit   stiff ") is not None
    assert store.add_checkin(session_id, None, 10, "") is not None
    for pain, effort in ((11, None), (-1, None), (None, 0), (None, 11)):
        with pytest.raises(ValueError):
            store.add_checkin(session_id, pain, effort)
    record = store.get(session_id)
    assert record is not None
    assert [(c.pain, c.effort, c.note) for c in record.checkins] == [(0, None, "knee a bit stiff"),
                                                                      (None, 10, "")]


def test_sessions_between_and_recent(store: History, timeline: Timeline) -> None:
    ids = [store.start_session(timeline, T0 + timedelta(days=d)) for d in range(5)]
    assert [r.id for r in store.recent(2)] == [ids[4], ids[3]]
    between = store.sessions_between(T0 + timedelta(days=1), T0 + timedelta(days=3))
    assert [r.id for r in between] == [ids[1], ids[2]]


def test_a_signal_during_a_write_interrupts_after_it(
        store: History, timeline: Timeline, clock: FakeClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    session = Session(timeline, clock)
    recorder = Recorder.start(store, session, Wall(clock))
    drive(session, recorder, clock, 20)
    real = store.checkpoint

    def checkpoint_hit_by_a_signal(*args: Any) -> bool:
        with store._write():  # as if a SIGHUP handler ran while a write was under way
            assert not recorder.interrupt()
        return real(*args)

    monkeypatch.setattr(store, "checkpoint", checkpoint_hit_by_a_signal)
    clock.advance(20)  # into the rest: a checkpoint
    session.tick()
    recorder.update()
    record = store.get(recorder.session_id)
    assert record is not None and (record.status, record.resume_index) == ("interrupted", 2)
    assert recorder.closed


# -- the command line ---------------------------------------------------------------------


def fill(store: History, timeline: Timeline) -> list[int]:
    """Three sessions: completed with a check-in, stopped, and interrupted."""
    first = store.start_session(timeline, T0)
    store.finish(first, "completed", 100.0, [], T0 + timedelta(minutes=2))
    store.add_checkin(first, 2, 6, '=1+1, "quoted", naïve ✓', T0 + timedelta(minutes=3))
    second = store.start_session(timeline, T0 + timedelta(days=1))
    store.finish(second, "stopped", 30.0, [], T0 + timedelta(days=1, minutes=1))
    third = store.start_session(timeline, T0 + timedelta(days=2))
    store.checkpoint(third, 3, 1.0, 40.0, [PhaseRecord(0, "get_ready", "Get ready", 5, 5)],
                     T0 + timedelta(days=2, seconds=40))
    store.mark_interrupted(third, 3, 2.0, 41.0, [], T0 + timedelta(days=2, seconds=41))
    return [first, second, third]


def test_history_csv_opens_as_a_table(store: History, timeline: Timeline,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    ids = fill(store, timeline)
    assert history("csv", None, store=store) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [int(r[0]) for r in rows[1:]] == ids[::-1]
    by_id = {int(r[0]): dict(zip(CSV_COLUMNS, r, strict=True)) for r in rows[1:]}
    first = by_id[ids[0]]
    assert first["status"] == "completed" and first["routine_id"] == "r"
    assert (first["active_seconds"], first["planned_seconds"]) == ("100", str(round(
        timeline.total)))
    assert (first["pain"], first["effort"]) == ("2", "6")
    assert first["note"] == "'=1+1, \"quoted\", naïve ✓"  # never a formula
    started = datetime.strptime(first["started_at"], "%Y-%m-%d %H:%M:%S")
    assert started == T0.astimezone().replace(tzinfo=None)
    assert date.fromisoformat(first["date"]) == T0.astimezone().date()
    assert by_id[ids[2]]["ended_at"] and by_id[ids[2]]["pain"] == ""


def test_history_json_is_stable_and_documented(store: History, timeline: Timeline,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    ids = fill(store, timeline)
    assert history("json", None, store=store) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["version", "sessions"] and data["version"] == 1
    sessions = data["sessions"]
    assert [s["id"] for s in sessions] == ids[::-1]
    keys = ["id", "routine_id", "routine_name", "status", "started_at", "ended_at",
            "planned_seconds", "active_seconds", "fingerprint", "resume", "checkins", "phases"]
    assert all(list(s) == keys for s in sessions)
    interrupted = sessions[0]
    assert interrupted["resume"] == {"index": 3, "elapsed": 2.0}
    assert interrupted["started_at"] == "2024-05-08T09:00:00+00:00"
    assert interrupted["phases"] == [{"index": 0, "kind": "get_ready", "title": "Get ready",
                                      "exercise": None, "planned_seconds": 5,
                                      "actual_seconds": 5, "skipped": False}]
    assert sessions[2]["checkins"] == [{"pain": 2, "effort": 6,
                                        "note": '=1+1, "quoted", naïve ✓',
                                        "created_at": "2024-05-06T09:03:00+00:00"}]
    # Every key is in docs/history.md.
    doc = (REPO_ROOT / "docs" / "history.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z_]+)`", doc))
    used = set(keys) | set(interrupted["resume"]) | set(interrupted["phases"][0]) | set(
        sessions[2]["checkins"][0]) | {"version", "sessions"}
    assert used <= documented, used - documented
    assert set(CSV_COLUMNS) <= documented
    assert history_json([]) == {"version": 1, "sessions": []}


def test_history_table_lists_recent_sessions(store: History, timeline: Timeline,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    fill(store, timeline)
    assert history("table", 2, store=store, library=library_of(timeline)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["id", "started", "routine", "status", "time", "pain", "effort"]
    assert len(out) == 4 and "interrupted*" in out[1] and "stopped" in out[2]
    assert "trainer resume" in out[3]


def test_history_on_a_fresh_install_says_so_and_creates_nothing(
        isolated_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert history() == 0
    assert "No sessions yet" in capsys.readouterr().out
    assert history("csv") == 0
    assert capsys.readouterr().out.strip() == ",".join(CSV_COLUMNS)
    assert not isolated_dirs["data"].exists()


def test_stats_prints_the_figures(store: History, timeline: Timeline,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    fill(store, timeline)
    today = T0.astimezone().date() + timedelta(days=2)
    assert stats(library_of(timeline), today=today, store=store) == 0
    out = capsys.readouterr().out
    assert "Streak: 0 days (best 1)" in out
    assert "Minutes per week (last 8 weeks)" in out
    assert "r                             Test routine" in out
    assert "1 / 3" in out
    assert "Pain: 1 pain check-in so far" in out


def test_stats_names_routines_from_the_kept_index_without_loading_the_library(
        isolated_dirs: dict[str, Path]) -> None:
    import subprocess

    from trainer.library.sources import default_sources
    from trainer.session.catalog import CatalogLoader

    library = CatalogLoader().load(default_sources())
    routine = sorted(library.routines)[0]
    with History.open() as store:
        fill(store, library.timeline(routine))
    code = ("import sys\nfrom trainer.startup import main\nmain()\n"
            "print('loaded' if 'trainer.library.loader' in sys.modules else 'index')")
    runs = [subprocess.run([sys.executable, "-c", code, "stats"], check=True, cwd=REPO_ROOT,
                           capture_output=True, text=True).stdout for _ in range(2)]
    # The first loads and validates the library and keeps its index; the second reads that.
    assert [run.splitlines()[-1] for run in runs] == ["loaded", "index"]
    assert runs[0].splitlines()[:-1] == runs[1].splitlines()[:-1]
    assert library.routines[routine].name in runs[1]


def resume_user_session(lib: Catalog, now: datetime | None = None) -> ResumeTarget:
    """What `trainer resume` would resume from the user's history."""
    with History.open(create=False) as store:
        return resume_target(lib, store, now)


def test_trainer_resume_finds_the_point_or_says_why_not(
        isolated_dirs: dict[str, Path], timeline: Timeline, clock: FakeClock) -> None:
    lib = library_of(timeline)
    with pytest.raises(CannotResume, match="nothing to resume"):
        resume_user_session(lib)
    with History.open() as store:
        recorder = Recorder.start(store, Session(timeline, clock), Wall(clock))
        drive(recorder.session, recorder, clock, 50)
        recorder.interrupt()
    target = resume_user_session(lib, now=T0 + timedelta(minutes=5))
    assert (target.routine_id, target.start_index, target.plan.phase_index) == ("r", 2, 3)
    assert target.check.verdict == "ok" and "Resuming Test routine" in target.message

    stale = resume_user_session(lib, now=T0 + timedelta(days=3))
    assert stale.check.verdict == "stale" and "more than a day" in stale.check.reason
    assert stale.message.endswith(" It was interrupted 2 days ago.")

    changed = library_of(make_timeline(["jog"]))
    with pytest.raises(CannotResume, match="has changed") as excinfo:
        resume_user_session(changed)
    assert excinfo.value.exit_code == 1
    with pytest.raises(CannotResume, match="no longer in the library"):
        resume_user_session(Catalog())
