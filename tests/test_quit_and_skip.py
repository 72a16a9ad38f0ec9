"""Quitting (the paused "End this session?" dialog, q q, Ctrl+C) and sessions mostly skipped.

Pilot tests run on the FakeClock: time passes only when a test moves it, so a countdown that
stays put while the dialog is open is the session's doing, not luck.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import FakeClock
from pilot_helpers import load_fixture_library, make_app, session_screen, tick
from ptyterm import Terminal, trainer_env
from textual.widgets import Input, Label, Static

from trainer.audio.players import NonePlayer, RecordingPlayer
from trainer.cli.history import history as history_command
from trainer.config import Config
from trainer.history import schema
from trainer.history.queries import progress
from trainer.history.recorder import Recorder
from trainer.history.records import PhaseRecord, exercise_seconds, mostly_skipped
from trainer.history.stats import Entry, progression, routine_counts, summarize
from trainer.history.store import FILENAME, History
from trainer.library.sources import Source
from trainer.paths import builtin_library_dir
from trainer.session.catalog import Catalog, CatalogLoader
from trainer.session.engine import Session
from trainer.startup import left_line
from trainer.ui.app import TrainerApp
from trainer.ui.screens.confirm import ConfirmScreen, EndSessionScreen
from trainer.ui.screens.history import HistoryScreen
from trainer.ui.screens.session import SessionScreen
from trainer.ui.screens.summary import SummaryScreen
from trainer.ui.widgets.row_list import RowList


@pytest.fixture
def library() -> Catalog:
    return load_fixture_library()


def stored(data_dir: Path) -> tuple[list[Any], History]:
    """The sessions in the history file, newest first, and the store (close it)."""
    history = History.open(data_dir / FILENAME, create=False)
    assert history.path is not None, history.problem
    return history.recent(None), history


def remaining(screen: SessionScreen) -> float | None:
    assert screen.session is not None
    return screen.session.state().remaining


def summary_text(app: TrainerApp) -> tuple[str, str]:
    """The summary's title and text."""
    screen = app.screen
    assert isinstance(screen, SummaryScreen), screen
    return (str(screen.query_one("#summary-title", Static).render()),
            str(screen.query_one("#summary-text", Static).render()))


# -- the dialog ----------------------------------------------------------------------------


async def test_the_dialog_pauses_the_countdown_and_n_resumes_it(
        library: Catalog, clock: FakeClock) -> None:
    app = make_app(library, clock, routine_id="tiny", player=RecordingPlayer(clock))
    async with app.run_test() as pilot:
        await pilot.pause()
        for _ in range(4):  # 1 s into the left hold (5 s)
            await tick(pilot, clock)
        screen = session_screen(app)
        assert remaining(screen) == pytest.approx(4.0)
        await pilot.press("q")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, EndSessionScreen)
        keys = str(dialog.query_one("#keys", Label).render())
        assert "y / q  End" in keys and "n / esc  Keep going" in keys
        assert screen.session is not None and screen.session.paused

        clock.advance(30.0)  # a long think: phases must not run on behind the dialog
        screen.tick()
        await pilot.pause()
        assert remaining(screen) == pytest.approx(4.0)
        assert screen.session is not None and screen.session.index == 1

        await pilot.press("n")  # keep going
        await pilot.pause()
        assert app.screen is screen
        assert screen.session is not None and not screen.session.paused
        assert remaining(screen) == pytest.approx(4.0)
        await tick(pilot, clock)
        assert remaining(screen) == pytest.approx(3.0)


async def test_escape_keeps_a_pause_the_person_made(library: Catalog, clock: FakeClock) -> None:
    async with make_app(library, clock, routine_id="tiny").run_test() as pilot:
        await pilot.pause()
        await tick(pilot, clock)
        await pilot.press("space")  # paused by the person
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(pilot.app.screen, EndSessionScreen)
        await pilot.press("escape")
        await pilot.pause()
        screen = session_screen(pilot.app)
        assert screen.session is not None and screen.session.paused  # still theirs to resume


async def test_q_q_ends_the_session_leaving_the_dialog_time_out(
        library: Catalog, clock: FakeClock, isolated_dirs: dict[str, Path]) -> None:
    app = make_app(library, clock, routine_id="tiny", player=RecordingPlayer(clock))
    async with app.run_test() as pilot:
        await pilot.pause()
        for _ in range(4):
            await tick(pilot, clock)
        await pilot.press("q")
        await pilot.pause()
        clock.advance(20.0)  # in the dialog
        await pilot.press("q")  # the same key again: yes, end it
        await pilot.pause()
        title, text = summary_text(app)
        assert title == "Session ended."
        assert "Stopped early: Tiny routine" in text
        assert "Time: 0:04 (plus 0:20 paused)" in text
        assert app.left_session is None  # ended, not left: nothing to say after the app
    records, history = stored(isolated_dirs["data"])
    with history:
        assert [r.status for r in records] == ["stopped"]
        assert records[0].active_seconds == pytest.approx(4.0)
        assert records[0].resume_index is None


async def test_other_confirmations_show_their_keys_and_q_is_not_yes(
        library: Catalog, clock: FakeClock) -> None:
    async with make_app(library, clock).run_test() as pilot:
        await pilot.pause()
        answers: list[bool | None] = []
        pilot.app.push_screen(ConfirmScreen("Resume it?", "Resume", "Not now"), answers.append)
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, ConfirmScreen)
        keys = str(dialog.query_one("#keys", Label).render())
        assert keys == "y  Resume   ·   n / esc  Not now"
        await pilot.press("q")
        await pilot.pause()
        assert pilot.app.screen is dialog and answers == []
        await pilot.press("y")
        await pilot.pause()
        assert answers == [True]


async def test_the_keys_line_follows_a_remapped_key(library: Catalog, clock: FakeClock) -> None:
    config = Config(acknowledged_safety=True, keys={"confirm.yes": "j"})
    async with make_app(library, clock, routine_id="tiny", config=config).run_test() as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        keys = str(pilot.app.screen.query_one("#keys", Label).render())
        assert keys.startswith("j  End"), keys


# -- Ctrl+C --------------------------------------------------------------------------------


async def test_ctrl_c_leaves_the_session_resumable(
        library: Catalog, clock: FakeClock, isolated_dirs: dict[str, Path]) -> None:
    app = make_app(library, clock, routine_id="tiny", player=RecordingPlayer(clock))
    async with app.run_test() as pilot:
        await pilot.pause()
        for _ in range(11):  # 1 s into the right hold, phase 4
            await tick(pilot, clock)
        await pilot.press("ctrl+c")
        await pilot.pause()
    assert app.left_session == "Tiny routine"
    records, history = stored(isolated_dirs["data"])
    with history:
        assert [r.status for r in records] == ["interrupted"]
        assert (records[0].resume_index, records[0].resume_elapsed) == (3, pytest.approx(1.0))
        point = history.resumable()
    assert point is not None and point.index == 3


async def test_ctrl_c_from_the_open_dialog_leaves_it_resumable_too(
        library: Catalog, clock: FakeClock, isolated_dirs: dict[str, Path]) -> None:
    app = make_app(library, clock, routine_id="tiny", player=RecordingPlayer(clock))
    async with app.run_test() as pilot:
        await pilot.pause()
        for _ in range(4):
            await tick(pilot, clock)
        await pilot.press("q")
        await pilot.pause()
        clock.advance(60.0)
        await pilot.press("ctrl+c")
        await pilot.pause()
    assert app.left_session == "Tiny routine"
    records, history = stored(isolated_dirs["data"])
    with history:
        assert records[0].status == "interrupted"
        assert (records[0].resume_index, records[0].resume_elapsed) == (1, pytest.approx(1.0))
        assert records[0].active_seconds == pytest.approx(4.0)  # the dialog's minute is out


async def test_ctrl_c_copies_selected_text_in_a_box_and_quits_otherwise(
        library: Catalog, clock: FakeClock) -> None:
    app = make_app(library, clock, routine_id="tiny")
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("q", "y")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        box = app.screen.query_one("#note", Input)
        box.focus()
        box.value = "knee fine"
        box.select_all()
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.clipboard == "knee fine" and app.is_running
        box.selection = box.selection.cursor(0)  # nothing selected: Ctrl+C is quit
        await pilot.press("ctrl+c")
        await pilot.pause()
    assert not app.is_running
    assert app.left_session is None  # no session was in progress


def test_the_line_after_the_app_names_the_routine_safely() -> None:
    assert left_line("Back care") == "Session saved: Back care. `trainer resume` continues it."
    assert "\x1b" not in left_line("Evil\x1b]0;title\x07")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
@pytest.mark.parametrize("key", [b"\x03", b"\x11"])  # ctrl+c, ctrl+q
def test_leaving_mid_session_says_how_to_resume_on_the_normal_screen(
        tmp_path: Path, key: bytes) -> None:
    term = Terminal.trainer("run", "e2e", "--audio", "none", env=trainer_env(tmp_path))
    try:
        term.wait_for("Wall lean")
        term.child.send(key)
        assert term.wait_exit() == 0
    finally:
        term.close()
    assert term.stray() == []
    tail = term.raw[term.raw.rfind(b"\x1b[?1049l"):]  # after the app left the alternate screen
    assert b"Session saved: End to end. `trainer resume` continues it.\r\n" in tail
    assert tail.count(b"Session saved") == 1


# -- skipping everything -------------------------------------------------------------------


async def skip_through(pilot: Any, app: TrainerApp) -> int:
    """Press n until the summary; how many presses it took."""
    presses = 0
    while isinstance(app.screen, SessionScreen):
        await pilot.press("n")
        await pilot.pause()
        presses += 1
        assert presses < 50
    return presses


async def test_quick_test_skipped_nine_times_is_skipped_not_completed(
        isolated_dirs: dict[str, Path], clock: FakeClock) -> None:
    builtin = CatalogLoader().load([Source("built-in", builtin_library_dir())])
    app = TrainerApp(builtin, routine_id="quick-test", clock=clock, player=NonePlayer(),
                     config=Config(acknowledged_safety=True), save_settings=False, voice=False)
    async with app.run_test() as pilot:
        await pilot.pause()
        # Every phase skipped with n (8 of them: the "nine times" ends on the summary).
        assert await skip_through(pilot, app) == len(builtin.timeline("quick-test").phases) - 1
        title, text = summary_text(app)
        assert "Well done" not in title and "Completed" not in text
        assert title == "Session ended."
        assert "Mostly skipped: Quick test (30 s)" in text
        assert "recorded as skipped" in text
    records, history = stored(isolated_dirs["data"])
    with history:
        assert [r.status for r in records] == ["skipped"]
        assert history.resumable() is None


async def test_a_skipped_session_is_shown_as_skipped_and_counts_for_nothing(
        library: Catalog, clock: FakeClock, isolated_dirs: dict[str, Path],
        capsys: pytest.CaptureFixture[str]) -> None:
    app = make_app(library, clock, routine_id="tiny", player=RecordingPlayer(clock))
    async with app.run_test() as pilot:
        await pilot.pause()
        await skip_through(pilot, app)
        await pilot.press("escape")  # to the library
        await pilot.pause()
        app.action_history()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        sessions = screen.query_one("#sessions", RowList)
        assert sessions.get_row_at(0)[2] == "skipped"
        shown = "\n".join(str(w.render()) for w in screen.query(Static))
        assert re.search(r"Streak:? 0 days", shown), shown
        records, summary, _ = progress(app.history, library, app.today())
        assert [r.status for r in records] == ["skipped"]
        assert (summary.streak, summary.routines[0].completed, summary.routines[0].total) == (
            0, 0, 1)
    _, history = stored(isolated_dirs["data"])
    with history:
        assert history_command("table", store=history) == 0
        table = capsys.readouterr().out
        assert history_command("json", store=history) == 0
        document = capsys.readouterr().out
        assert history_command("csv", store=history) == 0
        csv_text = capsys.readouterr().out
    assert " skipped " in table.splitlines()[1]
    assert '"status": "skipped"' in document
    assert ",skipped," in csv_text.splitlines()[1]


async def test_doing_half_the_exercise_is_completed(
        library: Catalog, clock: FakeClock, isolated_dirs: dict[str, Path]) -> None:
    # Tiny: hold 5 + hold 5 + reps (estimate 12) + work 6. Doing both holds and the reps with
    # Enter, then skipping the timed reps, is well over half.
    app = make_app(library, clock, routine_id="tiny", player=RecordingPlayer(clock))
    async with app.run_test() as pilot:
        await pilot.pause()
        for _ in range(17):
            await tick(pilot, clock)
        await pilot.press("enter")  # the reps, done
        await pilot.pause()
        await skip_through(pilot, app)
        title, text = summary_text(app)
        assert title == "Well done." and "Completed: Tiny routine" in text
    records, history = stored(isolated_dirs["data"])
    with history:
        assert records[0].status == "completed"


# -- the rule and the recorder -------------------------------------------------------------


def run(kind: str, planned: float, actual: float, skipped: bool = False,
        index: int = 0) -> PhaseRecord:
    return PhaseRecord(index, kind, kind, planned, actual, skipped)


def test_exercise_time_done_counts_exercise_phases_up_to_their_plan() -> None:
    runs = [run("get_ready", 10, 10), run("work", 30, 45, index=1),  # extended: 30 counts
            run("rest", 15, 0, skipped=True, index=2), run("reps", 40, 12, index=3),  # Enter
            run("hold", 20, 5, skipped=True, index=4)]  # 5 s, then skipped
    assert exercise_seconds(runs) == (30 + 40 + 5, 30 + 40 + 20)
    assert not mostly_skipped(runs)
    assert mostly_skipped([run("work", 30, 14.9, skipped=True), run("reps", 10, 3, True, 1)])
    assert not mostly_skipped([run("work", 30, 15, skipped=True)])  # exactly half is enough
    assert not mostly_skipped([run("rest", 30, 0, skipped=True)])  # nothing to exercise


def test_a_resumed_session_counts_the_work_done_before_the_resume(
        tmp_path: Path, clock: FakeClock) -> None:
    library = load_fixture_library()
    timeline = library.timeline("tiny")
    with History.open(tmp_path / FILENAME) as store:
        session = Session(timeline, clock)
        recorder = Recorder.start(store, session)
        for _ in range(16):  # both holds and the switch, into the rest
            clock.advance(1.0)
            session.tick()
            recorder.update()
        session.tick()
        assert session.index == 4
        clock.advance(0.5)
        session.skip()  # the rest
        recorder.update()
        session.done()  # the reps, at once
        recorder.update()
        assert recorder.interrupt()
        point = store.resumable()
        assert point is not None
        plan = point.plan(timeline)
        resumed = plan.session(timeline, clock)
        recorder2 = Recorder.resume(store, resumed, plan)
        while not resumed.finished:
            resumed.skip()
            recorder2.update()
        # 10 of 5 + 5 + 12 + 6 planned seconds before the resume, reps done: over half.
        assert recorder2.status == "completed"
        record = store.get(recorder.session_id)
        assert record is not None and record.status == "completed"


# -- statistics ----------------------------------------------------------------------------


TODAY = date(2024, 5, 10)


def entry(days_ago: int, status: str, routine: str = "a-beginner",
          minutes: float = 10) -> Entry:
    return Entry(routine, TODAY - timedelta(days=days_ago), status, minutes * 60)


def test_skipped_sessions_make_no_streak_but_their_minutes_count() -> None:
    entries = [entry(2, "completed"), entry(1, "skipped"), entry(0, "skipped")]
    summary = summarize(entries, TODAY, {"a-beginner"})
    assert (summary.streak, summary.best_streak) == (0, 1)
    assert summary.week_minutes == 30
    assert routine_counts(entries)[0].completed == 1
    assert routine_counts(entries)[0].total == 3


def test_skipped_sessions_count_toward_no_progression() -> None:
    ids = {"a-beginner", "a-intermediate"}
    done = [entry(3, "completed"), entry(2, "completed"), entry(1, "completed")]
    assert [s.target for s in progression(done, ids)] == ["a-intermediate"]
    assert progression([*done[:2], entry(1, "skipped")], ids) == []
    assert progression([*done, entry(0, "skipped")], ids) == []  # the latest run was not done


# -- the file ------------------------------------------------------------------------------


def test_a_version_1_history_is_migrated_with_everything_kept(tmp_path: Path) -> None:
    path = tmp_path / FILENAME
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA foreign_keys = ON")
    schema.MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO sessions (id, routine_id, routine_name, fingerprint, started_at,"
               " status, planned_seconds, phase_count, updated_at) VALUES (7, 'r', 'R', 'f',"
               " '2024-05-06T09:00:00+00:00', 'completed', 60, 3, '2024-05-06T09:01:00+00:00')")
    db.execute("INSERT INTO phases VALUES (7, 0, 'jog', 'work', 'Jog', 30, 30, 0)")
    db.execute("INSERT INTO checkins (session_id, pain, effort, note, created_at)"
               " VALUES (7, 2, 5, 'fine', '2024-05-06T09:02:00+00:00')")
    with pytest.raises(sqlite3.IntegrityError):  # what version 1 refuses
        db.execute("UPDATE sessions SET status = 'skipped'")
    db.close()

    with History.open(path) as store:
        assert store.problem is None and store.schema_version == len(schema.MIGRATIONS)
        record = store.get(7)
        assert record is not None and record.status == "completed"
        assert record.checkins[0].note == "fine"
        assert [p.exercise for p in store.phases(7)] == ["jog"]
        assert store.counts() == {"sessions": 1, "phases": 1, "checkins": 1, "reminders": 0,
                                  "program_runs": 0}
        assert store.integrity() == "ok"
        assert store.finish(7, "skipped", 1.0) is False  # not running: nothing changes
    db = sqlite3.connect(path, isolation_level=None)
    try:
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("UPDATE sessions SET status = 'skipped' WHERE id = 7")
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("UPDATE sessions SET status = 'nonsense' WHERE id = 7")
        db.execute("DELETE FROM sessions WHERE id = 7")  # the cascade still holds
        assert db.execute("SELECT count(*) FROM phases").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM checkins").fetchone() == (0,)
        indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert {"sessions_started", "checkins_session"} <= indexes
    finally:
        db.close()
