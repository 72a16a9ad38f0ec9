"""One-line timers: `trainer timer 45s` and `trainer intervals 20s/10s x8` (trainer.session.quick,
trainer.cli.timers): their timelines, names and ids, bad arguments, --save, and a run in the app."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FakeClock, run_trainer
from pilot_helpers import load_fixture_library, make_app, run_to_summary

from trainer.audio.players import RecordingPlayer
from trainer.cli import main as cli_main
from trainer.history.store import FILENAME, History
from trainer.library.loader import read_text
from trainer.session import quick
from trainer.session.quick import QuickError
from trainer.ui.app import ONE_OFF


def shape(timer: quick.QuickTimer) -> list[tuple[str, float | None, str]]:
    """Each phase's kind, length and title."""
    return [(p.kind, p.duration, p.title) for p in timer.timeline.phases]


# -- the timelines -----------------------------------------------------------------------------


def test_a_timer_is_get_ready_then_one_timed_phase() -> None:
    timer = quick.timer("45s")
    assert shape(timer) == [("get_ready", 10.0, "Get ready"), ("work", 45.0, "Timer"),
                            ("done", None, "Done")]
    assert (timer.id, timer.name) == ("timer-45s", "Timer 45s")
    assert timer.timeline.total == 55.0
    work = timer.timeline.phases[1]
    assert work.exercise == "timer-45s-work"
    kinds = [c.kind for c in work.cues]
    assert kinds == ["halfway", "countdown", "countdown", "countdown"]  # the same cues as a routine


@pytest.mark.parametrize(("text", "seconds", "routine_id", "name"), [
    ("45", 45.0, "timer-45s", "Timer 45s"),
    ("1m30s", 90.0, "timer-1m30s", "Timer 1m30s"),
    ("1:30", 90.0, "timer-1m30s", "Timer 1m30s"),
    ("2m", 120.0, "timer-2m", "Timer 2m"),
    ("2.5s", 2.5, "timer-2-5s", "Timer 2.5s"),
])
def test_timer_durations_ids_and_names(text: str, seconds: float, routine_id: str,
                                       name: str) -> None:
    timer = quick.timer(text)
    assert timer.timeline.phases[1].duration == seconds
    assert (timer.id, timer.name) == (routine_id, name)


def test_intervals_with_a_warm_up_and_a_cool_down() -> None:
    timer = quick.intervals("20s/10s x8", warmup=120, cooldown=60)
    rounds: list[tuple[str, float | None, str]] = []
    for r in range(1, 9):
        rounds.append(("work", 20.0, "Work"))
        if r < 8:
            rounds.append(("rest", 10.0, "Rest"))
    assert shape(timer) == [("get_ready", 10.0, "Get ready"), ("work", 120.0, "Warm-up"),
                            *rounds, ("work", 60.0, "Cool-down"), ("done", None, "Done")]
    work = [p for p in timer.timeline.phases if p.title == "Work"]
    assert [(p.round, p.rounds) for p in work] == [(r, 8) for r in range(1, 9)]
    assert (timer.id, timer.name) == ("intervals-20s-10s-x8", "Intervals 20s/10s x8")
    assert timer.timeline.total == 10 + 120 + 8 * 20 + 7 * 10 + 60
    assert {p.exercise for p in timer.timeline.phases if p.exercise} == {
        "intervals-20s-10s-x8-warm-up", "intervals-20s-10s-x8-work",
        "intervals-20s-10s-x8-cool-down"}


@pytest.mark.parametrize("spec", ["20s/0 x3", "20s/0s x 3", "20s/0x3", "20s/0 \u00d73"])
def test_intervals_with_no_rest_are_work_back_to_back(spec: str) -> None:
    timer = quick.intervals(spec)
    assert shape(timer) == [("get_ready", 10.0, "Get ready"), *[("work", 20.0, "Work")] * 3,
                            ("done", None, "Done")]
    assert (timer.id, timer.name) == ("intervals-20s-0s-x3", "Intervals 20s/0s x3")


def test_rounds_may_be_given_apart() -> None:
    assert shape(quick.intervals("20s/10s", rounds=2)) == shape(quick.intervals("20s/10s x2"))


def test_a_name_names_the_timer_and_makes_its_id() -> None:
    timer = quick.intervals("30s/15s x4", name="Evening Tabata")
    assert (timer.id, timer.name, timer.timeline.routine_name) == (
        "evening-tabata", "Evening Tabata", "Evening Tabata")
    assert timer.timeline.routine_id == "evening-tabata"
    # A name with nothing to make an id of keeps the timer's own id.
    assert quick.timer("45s", name="!!!").id == "timer-45s"


def test_the_prepared_timer_has_its_exercises() -> None:
    prepared = quick.intervals("20s/10s x2", warmup=30).prepared()
    assert prepared.timeline.routine_id == "intervals-20s-10s-x2"
    assert {ex.name for ex in prepared.exercises.values()} == {"Warm-up", "Work"}


@pytest.mark.parametrize(("args", "message"), [
    (("timer", "45 secs"), "timer: '45 secs' is not a duration; use 45, 45s, 2m, 1m30s, 1h"),
    (("timer", "0"), "a timer must be longer than zero; use DURATION, e.g. 45s, 2m or 1:30"),
    (("timer", "4h"), "timer: 4h is longer than the 3h limit"),
    (("intervals", "20s-10s"), "'20s-10s' is not an interval; use WORK/REST xROUNDS, "
                               "e.g. 20s/10s x8"),
    (("intervals", "20s/10s"), "'20s/10s' is not an interval; use WORK/REST xROUNDS"),
    (("intervals", "20s/10s x0"), "rounds are 1 to 100, not 0; use WORK/REST xROUNDS"),
    (("intervals", "20s/10s x101"), "rounds are 1 to 100, not 101"),
    (("intervals", "20s/10s xfew"), "'few' is not a number of rounds"),
    (("intervals", "20s/10s x²"), "'²' is not a number of rounds"),
    (("intervals", "0/10s x8"), "work must be longer than zero"),
    (("intervals", "hard/10s x8"), "work: 'hard' is not a duration"),
    (("intervals", "20s/-5 x8"), "rest: '-5' is not a duration"),
    (("intervals", "3h/3h x100"), "the timer is too long: routine lasts"),
])
def test_bad_arguments_say_what_is_accepted(args: tuple[str, str], message: str) -> None:
    with pytest.raises(QuickError) as caught:
        quick.timer(args[1]) if args[0] == "timer" else quick.intervals(args[1])
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_bad_names_and_save_ids() -> None:
    with pytest.raises(QuickError, match="'Bad_Id' is not an id"):
        quick.timer("45s", save_id="Bad_Id")
    with pytest.raises(QuickError, match="--name: contains a control character"):
        quick.timer("45s", name="evil\x1b[2J")
    with pytest.raises(QuickError, match="--name"):
        quick.timer("45s", name="x" * 81)


# -- the command line --------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    (["timer", "45", "secs"], "trainer: timer: '45 secs' is not a duration; use 45, 45s"),
    (["intervals", "20s-10s"], "trainer: '20s-10s' is not an interval; use WORK/REST xROUNDS, "
                               "e.g. 20s/10s x8"),
    (["intervals", "20s/10s", "x0"], "trainer: rounds are 1 to 100, not 0"),
    (["intervals", "20s/10s", "x8", "--warmup", "soon"],
     "trainer: --warmup: 'soon' is not a duration; use 45, 45s, 2m, 1m30s, 1h or 1:30 "
     "(in WORK/REST xROUNDS, e.g. 20s/10s x8)"),
    (["timer", "45s", "--cooldown", "4h"], "trainer: --cooldown: 4h is longer than the 3h"),
    (["timer", "45s", "--save", "My Timer"], "trainer: 'My Timer' is not an id"),
])
def test_bad_arguments_are_one_line_and_exit_2(tmp_path: Path, args: list[str],
                                               message: str) -> None:
    result = run_trainer(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(message), result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_save_writes_a_routine_file_that_validates_and_shows(
        tmp_path: Path, isolated_dirs: dict[str, Path]) -> None:
    result = run_trainer("intervals", "20s/10s", "x8", "--warmup", "2m", "--cooldown", "1m",
                         "--name", "Evening Tabata", "--save", "tabata", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    path = isolated_dirs["config"] / "library" / "tabata.yaml"
    assert str(path) in result.stdout
    data = path.read_bytes()
    assert data.startswith(b"# Evening Tabata: made by `trainer intervals 20s/10s x8 --warmup 2m "
                           b"--cooldown 1m --name 'Evening Tabata'`\n")
    checked = read_text(str(path), data)
    assert checked.problems == []
    assert [r.routine.id for r in checked.routines] == ["tabata"]
    assert [r.routine.name for r in checked.routines] == ["Evening Tabata"]
    assert sorted(ex.id for ex, _ in checked.exercises) == [
        "tabata-cool-down", "tabata-warm-up", "tabata-work"]
    assert run_trainer("validate", cwd=tmp_path).returncode == 0

    shown = run_trainer("show", "tabata", "--json", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    import json

    phases = json.loads(shown.stdout)["phases"]
    expected = quick.intervals("20s/10s x8", warmup=120, cooldown=60, name="Evening Tabata",
                               save_id="tabata")
    assert [(p["kind"], p["duration"], p["title"], p["exercise"]) for p in phases] == [
        (p.kind, p.duration, p.title, p.exercise) for p in expected.timeline.phases]
    assert run_trainer("show", "tabata", cwd=tmp_path).returncode == 0

    again = run_trainer("timer", "45s", "--save", "tabata", cwd=tmp_path)
    assert again.returncode == 1
    assert "already exists; not overwritten" in again.stderr
    assert path.read_bytes() == data


def test_save_refuses_an_id_the_library_has(tmp_path: Path,
                                            isolated_dirs: dict[str, Path]) -> None:
    result = run_trainer("timer", "45s", "--save", "desk-break", cwd=tmp_path)
    assert result.returncode == 1
    assert "the library already has the routine 'desk-break'" in result.stderr
    assert not (isolated_dirs["config"] / "library" / "desk-break.yaml").exists()


def test_a_saved_timer_runs_with_the_same_phases(tmp_path: Path) -> None:
    assert run_trainer("timer", "1m30s", "--save", "ninety", cwd=tmp_path).returncode == 0
    shown = run_trainer("show", "ninety", "--json", cwd=tmp_path)
    import json

    phases = json.loads(shown.stdout)["phases"]
    assert [(p["kind"], p["duration"]) for p in phases] == [
        ("get_ready", 10.0), ("work", 90.0), ("done", None)]


def test_main_returns_an_app_launch_with_the_timer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_main, "_needs_terminal", lambda: False)
    launch = cli_main.main(["timer", "45s", "--no-voice"])
    assert isinstance(launch, cli_main.AppLaunch)
    assert launch.routine_id == "timer-45s"
    assert launch.prepared is not None
    assert launch.prepared.timeline == quick.timer("45s").timeline
    assert launch.voice is False
    assert callable(launch.library)  # the normal library, loaded when the app needs it
    assert launch.sources


def test_main_without_a_terminal_says_so(monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cli_main, "_needs_terminal", lambda: True)
    assert cli_main.main(["intervals", "20s/10s", "x8"]) == 2


def test_resume_of_an_interrupted_timer_says_it_cannot(
        tmp_path: Path, isolated_dirs: dict[str, Path]) -> None:
    timer = quick.timer("45s")
    history = History.open(isolated_dirs["data"] / FILENAME)
    try:
        from trainer.history.recorder import Recorder
        from trainer.session.engine import Session

        clock = FakeClock()
        session = Session(timer.timeline, clock)
        recorder = Recorder.start(history, session)
        clock.advance(20)
        session.tick()
        recorder.update()
        recorder.interrupt()
    finally:
        history.close()
    result = run_trainer("resume", cwd=tmp_path)
    assert result.returncode == 1
    assert "cannot resume Timer 45s" in result.stderr
    assert "Traceback" not in result.stderr


# -- in the app --------------------------------------------------------------------------------


async def test_a_timer_runs_in_the_app_and_is_recorded_under_its_name(
        clock: FakeClock, isolated_dirs: dict[str, Path]) -> None:
    timer = quick.intervals("5s/2s x2", name="Short one")
    app = make_app(load_fixture_library, clock, routine_id=timer.id, prepared=timer.prepared(),
                   player=RecordingPlayer(clock))
    async with app.run_test() as pilot:
        await pilot.pause()
        await run_to_summary(pilot, clock)
    history = History.open(isolated_dirs["data"] / FILENAME, create=False)
    with history:
        records = history.recent(None)
        assert [(r.routine_id, r.routine_name, r.status) for r in records] == [
            ("short-one", "Short one", "completed")]
        phases = history.phases(records[0].id)
    assert [p.kind for p in phases] == ["get_ready", "work", "rest", "work"]


async def test_run_again_and_an_interrupted_timer_at_the_next_start(
        clock: FakeClock, isolated_dirs: dict[str, Path]) -> None:
    from pilot_helpers import Notices, tick

    from trainer.ui.screens.library import LibraryScreen
    from trainer.ui.screens.session import SessionScreen

    timer = quick.timer("20s")
    app = make_app(load_fixture_library, clock, routine_id=timer.id, prepared=timer.prepared(),
                   player=RecordingPlayer(clock), one_off=True)  # as the command line makes it
    async with app.run_test() as pilot:
        await pilot.pause()
        await run_to_summary(pilot, clock)
        await pilot.press("ctrl+r")  # again: the same timer, not looked up in the library
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        assert app.screen.timeline.routine_id == "timer-20s"
        for _ in range(15):
            await tick(pilot, clock)
        app.exit()  # mid-session: interrupted, with no resume point (it is in no library)
    assert app.left_session is None  # so no "`trainer resume` continues it" line after the app
    notices = Notices()
    app2 = make_app(load_fixture_library, clock, player=RecordingPlayer(clock))
    async with app2.run_test(message_hook=notices) as pilot:
        await pilot.pause()
        assert isinstance(app2.screen, LibraryScreen)  # no offer, and nothing to say about it
    assert not any("resume" in m.lower() for m in notices.messages), notices.messages
    history = History.open(isolated_dirs["data"] / FILENAME, create=False)
    with history:
        records = history.recent(None)
        assert [(r.routine_name, r.status) for r in records] == [
            ("Timer 20s", "interrupted"), ("Timer 20s", "completed")]
        assert records[0].resume_index is None and records[0].resume_note == ONE_OFF
        assert history.resumable() is None
