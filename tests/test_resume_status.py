"""Which sessions can be resumed: `trainer resume` and the `trainer history` table agree."""

from __future__ import annotations

import io
import os
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import FakeClock, run_trainer
from test_history import T0, Wall, drive, library_of, make_timeline

from trainer.cli import history as history_cli
from trainer.cli.history import history
from trainer.history.queries import (
    NOT_LATEST,
    RUNNING_ELSEWHERE,
    SET_ASIDE,
    CannotResume,
    resume_states,
    resume_target,
)
from trainer.history.recorder import Recorder
from trainer.history.resume import UNSTARTED, ResumePoint
from trainer.history.schema import MIGRATIONS
from trainer.history.store import FILENAME, History
from trainer.library.sources import default_sources
from trainer.session.catalog import Catalog, CatalogLoader
from trainer.session.engine import Session
from trainer.session.timeline import Timeline


@pytest.fixture
def timeline() -> Timeline:
    """get_ready 5 | jog 30 | rest 10 | squat | rest 10 | lunge L | switch | lunge R | done."""
    return make_timeline()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test's history lives."""
    return tmp_path / "data" / FILENAME


@pytest.fixture
def store(db_path: Path) -> Any:
    """An open history store."""
    opened = History.open(db_path)
    yield opened
    opened.close()


def table(store: History, library: Catalog, now: datetime | None = None) -> list[str]:
    """The `trainer history` table's lines."""
    out = io.StringIO()
    assert history("table", None, store=store, library=library, now=now, out=out) == 0
    return out.getvalue().splitlines()


def status_of(lines: list[str], session_id: int) -> str:
    """The status cell of a session's row."""
    row = next(line for line in lines if line.split()[:1] == [str(session_id)])
    return row.split()[5]


def interrupted_at(store: History, timeline: Timeline, clock: FakeClock, seconds: float,
                   start: datetime = T0) -> Recorder:
    """A session run for `seconds`, then interrupted (quit, SIGHUP)."""
    recorder = Recorder.start(store, Session(timeline, clock), Wall(clock, start))
    drive(recorder.session, recorder, clock, seconds)
    assert recorder.interrupt()
    return recorder


def agree(store: History, library: Catalog, now: datetime | None = None) -> dict[int, str]:
    """resume_states, checked against resume_target: "" for exactly the session it resumes."""
    states = resume_states(store, library, store.recent(None), now)
    ready = [sid for sid, why in states.items() if why == ""]
    try:
        target = resume_target(library, store, now)
    except CannotResume:
        assert ready == []
    else:
        assert ready == [target.session_id]
    return states


# -- the first get-ready ----------------------------------------------------------------------


def test_quitting_in_the_first_get_ready_leaves_no_resume_point(
        store: History, timeline: Timeline, clock: FakeClock) -> None:
    recorder = interrupted_at(store, timeline, clock, 2)  # 2 s into the 5 s get-ready
    record = store.get(recorder.session_id)
    assert record is not None
    assert (record.status, record.resume_index, record.resume_elapsed) == ("interrupted", None,
                                                                           None)
    assert record.resume_note == UNSTARTED
    assert store.resumable() is None
    library = library_of(timeline)
    with pytest.raises(CannotResume, match="nothing to resume"):
        resume_target(library, store, T0)
    assert agree(store, library, T0) == {recorder.session_id: UNSTARTED}

    lines = table(store, library, T0)
    assert status_of(lines, recorder.session_id) == "interrupted"
    assert "* can be resumed" not in "\n".join(lines)
    assert lines[-1] == (f"not resumable (it ended in its first get-ready, before any "
                         f"exercise): {recorder.session_id}")


def test_quitting_after_the_first_get_ready_keeps_the_resume_point(
        store: History, timeline: Timeline, clock: FakeClock) -> None:
    recorder = interrupted_at(store, timeline, clock, 7)  # 2 s into the jog
    point = store.resumable()
    assert point is not None and (point.index, point.elapsed) == (1, 2)
    assert agree(store, library_of(timeline), T0) == {recorder.session_id: ""}
    lines = table(store, library_of(timeline), T0)
    assert status_of(lines, recorder.session_id) == "interrupted*"
    assert lines[-1] == "* can be resumed: `trainer resume`"


def test_a_session_left_in_its_first_get_ready_does_not_hide_an_earlier_one(
        store: History, timeline: Timeline, clock: FakeClock) -> None:
    library = library_of(timeline)
    earlier = interrupted_at(store, timeline, clock, 20)
    # Opened another routine, then left before it began: nothing was done in it.
    opened = interrupted_at(store, timeline, clock, 2, start=T0 + timedelta(minutes=30))
    now = T0 + timedelta(hours=1)
    assert agree(store, library, now) == {earlier.session_id: "", opened.session_id: UNSTARTED}
    lines = table(store, library, now)
    assert status_of(lines, earlier.session_id) == "interrupted*"


def test_a_resumed_session_quit_in_its_lead_in_stays_resumable(
        store: History, timeline: Timeline, clock: FakeClock) -> None:
    first = interrupted_at(store, timeline, clock, 7)
    point = store.resumable()
    assert point is not None
    plan = point.plan(timeline)
    assert (plan.phase_index, plan.start_index) == (1, 0)  # led in by the get-ready
    resumed = plan.session(timeline, clock)
    recorder = Recorder.resume(store, resumed, plan, Wall(clock, T0 + timedelta(hours=1)))
    drive(resumed, recorder, clock, 2)  # still in the lead-in, phase 0
    assert resumed.index == 0
    assert recorder.interrupt()
    again = store.resumable()
    assert again is not None and (again.session_id, again.index) == (first.session_id, 1)
    record = store.get(first.session_id)
    assert record is not None and record.resume_note is None


def test_a_session_killed_in_its_first_get_ready_is_not_offered(
        db_path: Path, store: History, timeline: Timeline) -> None:
    # kill -9 before the first checkpoint: the row stays `running` at phase 0.
    session_id = store.start_session(timeline, T0)
    store.close()
    with History.open(db_path) as after:  # a new process: the old one is gone
        point = after.resumable()
        assert point is not None and (point.status, point.index) == ("running", 0)
        check = point.check(timeline, T0)
        assert (check.verdict, check.offer, check.reason) == ("unstarted", False, UNSTARTED)
        library = library_of(timeline)
        with pytest.raises(CannotResume) as excinfo:
            resume_target(library, after, T0)
        assert str(excinfo.value) == ("cannot resume Test routine: it ended in its first "
                                      "get-ready, before any exercise")
        assert agree(after, library, T0) == {session_id: UNSTARTED}
        lines = table(after, library, T0)
        assert status_of(lines, session_id) == "running"
        assert lines[-1] == f"not resumable ({UNSTARTED}): {session_id}"


def test_unstarted_comes_after_the_routine_checks(timeline: Timeline) -> None:
    point = ResumePoint(1, "r", "Test routine", timeline.fingerprint, 0, 1.0, "running", T0, T0)
    assert point.check(None, T0).verdict == "changed"
    assert point.check(make_timeline(["jog"]), T0).verdict == "changed"
    assert point.check(timeline, T0).verdict == "unstarted"
    # Without a get-ready, phase 0 is an exercise: resumable as any other.
    no_get_ready = make_timeline(get_ready=0)
    assert no_get_ready.phases[0].kind == "work"
    bare = ResumePoint(1, "r", "Test routine", no_get_ready.fingerprint, 0, 1.0, "running",
                       T0, T0)
    assert bare.check(no_get_ready, T0).verdict == "ok"


# -- one answer for both commands ---------------------------------------------------------------


def test_history_and_resume_agree_when_the_routine_changed(
        store: History, timeline: Timeline, clock: FakeClock) -> None:
    recorder = interrupted_at(store, timeline, clock, 50)  # in the squats
    changed = library_of(make_timeline(["jog", "lunge"]))
    with pytest.raises(CannotResume) as excinfo:
        resume_target(changed, store, T0)
    states = agree(store, changed, T0)
    reason = states[recorder.session_id]
    assert "has changed" in reason and str(excinfo.value).endswith(": " + reason)
    lines = table(store, changed, T0)
    assert status_of(lines, recorder.session_id) == "interrupted"
    assert "* can be resumed" not in "\n".join(lines)
    assert lines[-1] == f"not resumable ({reason}): {recorder.session_id}"

    gone = Catalog()
    with pytest.raises(CannotResume, match="no longer in the library"):
        resume_target(gone, store, T0)
    assert table(store, gone, T0)[-1] == (f"not resumable (the routine 'r' is no longer in the "
                                          f"library): {recorder.session_id}")


def test_an_older_interrupted_session_says_a_later_one_was_started(
        store: History, timeline: Timeline, clock: FakeClock) -> None:
    library = library_of(timeline)
    older = interrupted_at(store, timeline, clock, 20)
    oldest = store.start_session(timeline, T0 - timedelta(days=1))
    store.mark_interrupted(oldest, 3, 1.0, 40.0, [], T0 - timedelta(hours=23))
    newer = interrupted_at(store, timeline, clock, 20, start=T0 + timedelta(hours=1))
    now = T0 + timedelta(hours=2)
    assert agree(store, library, now) == {newer.session_id: "", older.session_id: NOT_LATEST,
                                          oldest: NOT_LATEST}
    lines = table(store, library, now)
    assert status_of(lines, newer.session_id) == "interrupted*"
    assert status_of(lines, older.session_id) == "interrupted"
    assert lines[-2:] == ["* can be resumed: `trainer resume`",
                          f"not resumable ({NOT_LATEST}): {older.session_id}, {oldest}"]

    # Once a later session has ended, nothing is resumable; every one says why.
    last = store.start_session(timeline, T0 + timedelta(hours=3))
    store.finish(last, "completed", 100.0, [], T0 + timedelta(hours=3, minutes=5))
    assert agree(store, library, now) == {newer.session_id: NOT_LATEST,
                                          older.session_id: NOT_LATEST, oldest: NOT_LATEST}
    assert "* can be resumed" not in "\n".join(table(store, library, now))


def test_a_declined_session_shows_its_note(store: History, timeline: Timeline,
                                           clock: FakeClock) -> None:
    library = library_of(timeline)
    first = interrupted_at(store, timeline, clock, 20)
    store.decline_resume(first.session_id)  # "Discard"
    record = store.get(first.session_id)
    assert record is not None and (record.resume_index, record.resume_note) == (None,
                                                                                "discarded")
    second = interrupted_at(store, timeline, clock, 20, start=T0 + timedelta(hours=1))
    store.decline_resume(second.session_id, note="the routine 'r'\x1b]0;owned\x07 has changed",
                         now=T0 + timedelta(hours=2))
    assert agree(store, library, T0) == {first.session_id: "discarded",
                                         second.session_id: "the routine 'r'\x1b]0;owned\x07 "
                                                            "has changed"}
    lines = table(store, library, T0)
    assert lines[-2:] == ["not resumable (the routine 'r'^[]0;owned^G has changed): "
                          f"{second.session_id}",
                          f"not resumable (discarded): {first.session_id}"]
    assert not any("\x1b" in line for line in lines)


def test_a_session_without_a_note_was_set_aside(db_path: Path, store: History,
                                                timeline: Timeline, clock: FakeClock) -> None:
    recorder = interrupted_at(store, timeline, clock, 20)
    store.decline_resume(recorder.session_id)
    db = sqlite3.connect(db_path)
    with db:  # as a file from before schema version 3 has it
        db.execute("UPDATE sessions SET resume_note = NULL")
    db.close()
    assert agree(store, library_of(timeline), T0) == {recorder.session_id: SET_ASIDE}
    assert table(store, library_of(timeline), T0)[-1] == (
        f"not resumable ({SET_ASIDE}): {recorder.session_id}")


def test_a_session_running_in_another_process_says_so(
        db_path: Path, store: History, timeline: Timeline, clock: FakeClock) -> None:
    library = library_of(timeline)
    older = interrupted_at(store, timeline, clock, 20)
    running = store.start_session(timeline, T0 + timedelta(hours=1))
    store.close()
    db = sqlite3.connect(db_path)
    with db:  # as if our parent process (alive) were running it
        db.execute("UPDATE sessions SET pid = ? WHERE id = ?", (os.getppid(), running))
    db.close()
    with History.open(db_path) as other:
        assert agree(other, library, T0) == {running: RUNNING_ELSEWHERE, older.session_id: ""}
        lines = table(other, library, T0)
        assert status_of(lines, older.session_id) == "interrupted*"
        assert lines[-1] == f"not resumable ({RUNNING_ELSEWHERE}): {running}"


def test_the_library_is_loaded_only_for_interrupted_sessions(
        store: History, timeline: Timeline, clock: FakeClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    loaded: list[tuple[Path, ...]] = []

    def load(extra: tuple[Path, ...]) -> Catalog:
        loaded.append(tuple(extra))
        return library_of(timeline)

    monkeypatch.setattr(history_cli, "_load_library", load)
    done = store.start_session(timeline, T0)
    store.finish(done, "completed", 100.0, [], T0 + timedelta(minutes=5))
    assert history("table", None, store=store) == 0
    assert loaded == []
    interrupted_at(store, timeline, clock, 20, start=T0 + timedelta(hours=1))
    assert history("table", None, store=store, extra=(Path("x"),)) == 0
    assert loaded == [(Path("x"),)]


# -- the file -----------------------------------------------------------------------------------


def test_a_version_2_file_migrates_to_3_keeping_its_rows(db_path: Path,
                                                         timeline: Timeline) -> None:
    db_path.parent.mkdir(parents=True)
    db = sqlite3.connect(db_path, isolation_level=None)
    for migration in MIGRATIONS[:2]:
        migration(db)
    db.execute("PRAGMA user_version = 2")
    db.execute("INSERT INTO sessions (routine_id, routine_name, fingerprint, started_at, ended_at,"
               " status, planned_seconds, active_seconds, resume_index, resume_elapsed,"
               " phase_count, updated_at) VALUES ('r', 'Test routine', ?, ?, ?, 'interrupted',"
               " 100, 40, 3, 2.0, 9, ?)",
               (timeline.fingerprint, T0.isoformat(), T0.isoformat(), T0.isoformat()))
    db.execute("INSERT INTO sessions (routine_id, routine_name, fingerprint, started_at, ended_at,"
               " status, planned_seconds, active_seconds, phase_count, updated_at) VALUES"
               " ('r', 'Test routine', ?, ?, ?, 'skipped', 100, 10, 9, ?)",
               (timeline.fingerprint, T0.isoformat(), T0.isoformat(), T0.isoformat()))
    db.execute("INSERT INTO phases VALUES (1, 0, NULL, 'get_ready', 'Get ready', 5, 5, 0)")
    db.execute("INSERT INTO checkins (session_id, pain, effort, note, created_at) VALUES"
               " (1, 2, 5, 'ok', ?)", (T0.isoformat(),))
    db.close()
    with History.open(db_path) as store:
        assert store.problem is None and store.schema_version == len(MIGRATIONS) == 6
        assert store.counts() == {"sessions": 2, "phases": 1, "checkins": 1, "reminders": 0,
                                  "program_runs": 0}
        first, second = store.get(1), store.get(2)
        assert first is not None and second is not None
        assert (first.status, first.resume_index, first.resume_note) == ("interrupted", 3, None)
        assert first.checkins[0].note == "ok" and second.status == "skipped"
        assert store.phases(1)[0].kind == "get_ready"
        point = store.resumable()
        assert point is None  # the latest (by id) is the skipped one
        store.decline_resume(1)
        declined = store.get(1)
        assert declined is not None and declined.resume_note == "discarded"


# -- the command line ---------------------------------------------------------------------------


ROUTINE = """
version: 1
exercises:
  - {id: cat-stretch, name: Cat stretch, category: stretch, hold: 20s}
routines:
  - id: my-routine
    name: My routine
    defaults: {get_ready: 5s}
    steps: [cat-stretch, cat-stretch]
"""


def test_trainer_history_and_resume_give_the_same_reason(
        tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "mine.yaml").write_text(ROUTINE, encoding="utf-8")
    env = {"TRAINER_LIBRARY": str(folder)}
    with monkeypatch.context() as patch:  # the library as the subprocess loads it
        patch.setenv("TRAINER_LIBRARY", str(folder))
        library = CatalogLoader().load(default_sources())
    timeline = library.timelines["my-routine"]
    with History.open() as store:
        recorder = Recorder.start(store, Session(timeline, clock), Wall(clock))
        drive(recorder.session, recorder, clock, 10)  # in the first hold
        assert recorder.interrupt()
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    shown = run_trainer("history", cwd=cwd, env=env)
    assert shown.returncode == 0, shown.stderr
    assert "interrupted*" in shown.stdout and "* can be resumed" in shown.stdout

    (folder / "mine.yaml").write_text(ROUTINE.replace("20s", "30s"), encoding="utf-8")
    shown = run_trainer("history", cwd=cwd, env=env)
    resumed = run_trainer("resume", cwd=cwd, env=env)
    assert resumed.returncode == 1
    reason = resumed.stderr.strip().removeprefix("trainer: cannot resume My routine: ")
    assert "has changed" in reason
    assert "interrupted*" not in shown.stdout
    assert shown.stdout.splitlines()[-1] == f"not resumable ({reason}): {recorder.session_id}"
