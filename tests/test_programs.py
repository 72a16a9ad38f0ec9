"""Programs: the format (every problem at its file:line:col) and the rule that moves a stage."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from trainer.library.loader import read_text
from trainer.library.model import Program
from trainer.library.sources import Source
from trainer.programs.progress import Done, replay
from trainer.programs.today import due_today, ordinal
from trainer.session.catalog import CatalogLoader

ROUTINES = """\
exercises:
  - {id: calf-raise, name: Calf raise, category: strength, reps: 10}
routines:
  - {id: easy, name: Easy, steps: [calf-raise]}
  - {id: harder, name: Harder, steps: [calf-raise, calf-raise]}
  - {id: daily-stretch, name: Daily stretch, steps: [calf-raise]}
"""

PROGRAM = """\
programs:
  - id: two-step
    name: Two step
    summary: Easy first, then harder.
    stages:
      - name: Gentle start
        weeks: 1
        routines:
          - {routine: easy, per_week: 3}
          - {routine: daily-stretch, per_week: 7}
      - name: Until ready
        routines:
          - {routine: easy, days: [mon, thu]}
        move_on: {after: 2, pain_at_most: 2}
      - name: Harder
        routines:
          - {routine: harder, per_week: 2}
"""


def load(tmp_path: Path, *texts: str) -> tuple[object, list[str]]:
    """The catalog of these files, and its problems as text."""
    for n, text in enumerate(texts):
        (tmp_path / f"f{n}.yaml").write_text(text)
    lib = CatalogLoader().load([Source("library", tmp_path)])
    return lib, [str(p) for p in lib.problems]


def test_a_good_program_loads(tmp_path: Path) -> None:
    lib, problems = load(tmp_path, ROUTINES, PROGRAM)
    assert problems == []
    program = lib.programs["two-step"]  # type: ignore[attr-defined]
    assert [s.name for s in program.stages] == ["Gentle start", "Until ready", "Harder"]
    assert program.stages[0].move_on.after == 3  # the gentle default
    assert program.ease_off.stop_at == 7


BAD = """\
programs:
  - id: bad
    name: Bad
    stages:
      - name: One
        routines:
          - {routine: esay, per_week: 3}
          - {routine: harder}
          - {routine: harder, per_week: 2, days: [mon]}
          - {routine: easy, days: [mon, mon]}
  - id: worse
    name: Worse
    stages:
      - name: Two
        weeks: 0
        colour: red
        routines:
          - {routine: easy, per_week: 8}
        move_on: {after: 2, pain_at_most: 11}
  - id: empty
    name: Empty
    stages: []
"""


def test_every_problem_in_a_program_is_said_at_its_line_and_column(tmp_path: Path) -> None:
    _, problems = load(tmp_path, ROUTINES, BAD)
    where = str(tmp_path / "f1.yaml")
    assert [p.removeprefix(where + ":") for p in problems] == [
        "7:23: unknown routine 'esay' (did you mean 'easy'?)",
        "8:13: how often? give per_week (1-7) or days for 'harder' "
        "(e.g. {routine: harder, per_week: 3})",
        "9:23: routine 'harder' is named twice in this stage (give it once, with how often)",
        "9:44: give per_week or days, not both",
        "10:35: a day is named twice",
        "15:16: weeks must be at least 1, got 0",
        "16:9: unknown key 'colour'",
        "18:39: per_week must be at most 7, got 8",
        "19:43: pain_at_most must be at most 10, got 11",
        "22:13: stages must not be empty",
    ]


def test_a_program_naming_a_broken_routine_says_so(tmp_path: Path) -> None:
    broken = "routines:\n  - {id: broken, name: Broken, steps: [nope]}\n"
    program = ("programs:\n  - id: p\n    name: P\n    stages:\n      - name: S\n"
               "        routines: [{routine: broken, per_week: 1}]\n")
    lib, problems = load(tmp_path, ROUTINES + broken.removeprefix("routines:\n"), program)
    assert any("f1.yaml:6:30: routine 'broken' has problems" in p for p in problems)
    assert "p" not in lib.programs  # type: ignore[attr-defined]


def test_programs_sit_beside_exercises_and_routines_in_one_file() -> None:
    result = read_text("x.yaml", (ROUTINES + PROGRAM.removeprefix("")).encode())
    assert [p.program.id for p in result.programs] == ["two-step"]
    assert result.problems == []


# -- the rule ------------------------------------------------------------------------------------

MONDAY = date(2026, 11, 2)


@pytest.fixture
def program(tmp_path: Path) -> Program:
    lib, problems = load(tmp_path, ROUTINES, PROGRAM)
    assert problems == []
    return lib.programs["two-step"]  # type: ignore[attr-defined,no-any-return]


def sessions(start: date, pains: list[int | None], every: int = 1,
             routine: str = "easy", effort: int | None = 4) -> list[Done]:
    """One session every `every` days from `start`, with these pain scores."""
    return [Done(start + timedelta(days=i * every), routine, pain, effort)
            for i, pain in enumerate(pains)]


def test_a_stage_of_weeks_moves_on_after_its_weeks_and_comfortable_sessions(
        program: Program) -> None:
    done = sessions(MONDAY, [1, 2, 1])  # Mon, Tue, Wed: comfortable, but the week is not over
    state = replay(program, MONDAY, done, MONDAY + timedelta(days=3))
    assert state.stage == 0
    assert "until Mon 09 Nov" in state.waits_for(MONDAY + timedelta(days=3))
    state = replay(program, MONDAY, done, MONDAY + timedelta(days=7))
    assert state.stage == 1
    [change] = state.changes
    assert (change.day, change.forward) == (MONDAY + timedelta(days=7), True)
    assert change.why == "3 comfortable sessions in a row over 1 week"


def test_it_holds_while_sessions_are_not_comfortable_or_have_no_check_in(
        program: Program) -> None:
    done = sessions(MONDAY, [1, 4, None, 2, 1], every=2)
    state = replay(program, MONDAY, done, MONDAY + timedelta(days=14))
    assert state.stage == 0
    assert state.comfortable == 2
    assert state.waits_for(MONDAY + timedelta(days=14)).startswith("1 more comfortable session")
    high_effort = sessions(MONDAY, [1, 1, 1], effort=9)
    assert replay(program, MONDAY, high_effort, MONDAY + timedelta(days=14)).stage == 0


def test_an_until_ready_stage_moves_on_with_the_session_that_meets_its_rule(
        program: Program) -> None:
    first = sessions(MONDAY, [1, 1, 1])
    second = sessions(MONDAY + timedelta(days=8), [2, 2])
    state = replay(program, MONDAY, first + second, MONDAY + timedelta(days=9))
    assert state.stage == 2
    assert [c.after for c in state.changes] == [1, 2]
    assert state.changes[1].day == MONDAY + timedelta(days=9)
    assert state.waits_for(MONDAY + timedelta(days=9)).startswith("nothing: this is the last")


def test_rising_pain_goes_back_a_stage_and_says_why(program: Program) -> None:
    start = sessions(MONDAY, [1, 1, 1]) + sessions(MONDAY + timedelta(days=8), [2, 2])
    rising = sessions(MONDAY + timedelta(days=10), [2, 4])
    state = replay(program, MONDAY, start + rising, MONDAY + timedelta(days=12))
    assert state.stage == 1
    change = state.changes[-1]
    assert not change.forward
    assert change.why == "pain went up from 2 to 4 over your last sessions: eased off a stage"


def test_pain_of_seven_goes_back_and_holds_until_the_person_is_ready(program: Program) -> None:
    start = [*sessions(MONDAY, [1, 1, 1]), Done(MONDAY + timedelta(days=8), "easy", 7)]
    after = sessions(MONDAY + timedelta(days=9), [0, 0, 0, 0, 0])
    today = MONDAY + timedelta(days=30)
    state = replay(program, MONDAY, start + after, today)
    assert state.stage == 0
    assert state.held is not None
    assert "held after pain 7" in state.waits_for(today)
    assert state.changes[-1].why.startswith("pain 7 on Tue 10 Nov: eased off a stage")
    ready = replay(program, MONDAY, start + after, MONDAY + timedelta(days=15),
                   ready_since=MONDAY + timedelta(days=9))
    assert ready.held is None
    assert ready.stage == 1  # five comfortable sessions over a week after being ready


def test_a_week_off_restarts_the_count_and_nothing_moves_on_during_it(
        program: Program) -> None:
    done = sessions(MONDAY, [1, 1])  # two of three, then ten days off
    back = sessions(MONDAY + timedelta(days=11), [1])
    state = replay(program, MONDAY, done + back, MONDAY + timedelta(days=11))
    assert (state.stage, state.comfortable) == (0, 1)
    waiting = sessions(MONDAY, [1, 1, 1])  # rule met on Wed; the week ends the next Mon...
    state = replay(program, MONDAY, waiting, MONDAY + timedelta(days=12))  # ... but a break
    assert state.stage == 0
    missed = sessions(MONDAY, [1, 1, 1], every=3)  # missed days between: still counted
    assert replay(program, MONDAY, missed, MONDAY + timedelta(days=7)).stage == 1


def test_other_routines_and_sessions_before_the_start_do_not_count(program: Program) -> None:
    noise = sessions(MONDAY - timedelta(days=5), [1, 1, 1]) + sessions(
        MONDAY, [1, 1, 1], routine="something-else")
    assert replay(program, MONDAY, noise, MONDAY + timedelta(days=8)).sessions == 0


# -- today ---------------------------------------------------------------------------------------


def test_today_counts_this_weeks_sessions_from_monday(program: Program) -> None:
    names = {"easy": "Easy", "daily-stretch": "Daily stretch"}
    wednesday = MONDAY + timedelta(days=2)
    done = [Done(MONDAY, "easy", 1)]
    state = replay(program, MONDAY, done, wednesday)
    lines = [(d.due, d.line) for d in due_today(state, done, wednesday, names)]
    assert lines == [(True, "Week 1 of Two step: Easy, 2nd of 3 this week"),
                     (True, "Week 1 of Two step: Daily stretch, daily")]
    tuesday = MONDAY + timedelta(days=1)
    [easy, _] = due_today(state, done, tuesday, names)
    assert (easy.due, easy.line) == (False, "Week 1 of Two step: Easy, a rest day after "
                                            "yesterday's; next tomorrow")
    sunday_before = MONDAY - timedelta(days=1)  # last week's session is not this week's
    state = replay(program, sunday_before, [Done(sunday_before, "easy", 1)], MONDAY)
    [easy, _] = due_today(state, [Done(sunday_before, "easy", 1)], MONDAY, names)
    assert easy.line == "Week 1 of Two step: Easy, 1st of 3 this week"


def test_a_stage_on_given_days_is_due_on_those_days_only(program: Program) -> None:
    done = sessions(MONDAY, [1, 1, 1])
    state = replay(program, MONDAY, done, MONDAY + timedelta(days=7))
    assert state.stage == 1
    names = {"easy": "Easy"}
    [monday] = due_today(state, done, MONDAY + timedelta(days=7), names)
    assert (monday.due, monday.line) == (True, "Week 2 of Two step: Easy, today (mon, thu)")
    [tuesday] = due_today(state, done, MONDAY + timedelta(days=8), names)
    assert (tuesday.due, tuesday.line) == (False, "Week 2 of Two step: Easy on mon, thu; "
                                                  "next on thu")


def test_ordinals() -> None:
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd"]


def test_the_editors_schema_knows_programs() -> None:
    import jsonschema
    import yaml

    from trainer.library.schema import library_schema

    checker = jsonschema.Draft7Validator(library_schema())
    assert list(checker.iter_errors(yaml.safe_load(ROUTINES + PROGRAM))) == []
    bad = yaml.safe_load(PROGRAM.replace("per_week: 3", "per_week: 8"))
    [error] = checker.iter_errors(bad)
    assert list(error.absolute_path) == ["programs", 0, "stages", 0, "routines", 0, "per_week"]


# -- followed from the history: the command line, week boundaries and time zones -------------


def _catalog(tmp_path: Path) -> object:
    tmp_path.mkdir()
    lib, problems = load(tmp_path, ROUTINES, PROGRAM)
    assert problems == []
    return lib


def _session(store: object, lib: object, routine: str, at: datetime, pain: int | None,
             effort: int | None = 4) -> None:
    """A finished session of `routine` at `at`, with a check-in."""
    timeline = lib.timeline(routine)  # type: ignore[attr-defined]
    sid = store.start_session(timeline, at)  # type: ignore[attr-defined]
    store.finish(sid, "completed", timeline.total, now=at + timedelta(minutes=5))  # type: ignore[attr-defined]
    store.add_checkin(sid, pain, effort, "")  # type: ignore[attr-defined]


def test_today_and_status_from_the_history(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    from trainer.cli.program import cmd_program, cmd_today
    from trainer.history import program_runs
    from trainer.history.store import History

    lib = _catalog(tmp_path / "lib")
    start = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # a Monday
    with History.open(tmp_path / "h.sqlite3") as store:
        args = argparse.Namespace(verb="start", program="two-step")
        assert cmd_program(lib, store, args, now=start) == 0  # type: ignore[arg-type]
        for day in (0, 2, 4):
            _session(store, lib, "easy", start + timedelta(days=day, hours=1), pain=1)
        capsys.readouterr()
        assert cmd_today(lib, store, now=start + timedelta(days=6)) == 0  # type: ignore[arg-type]
        out = capsys.readouterr().out
        assert "Week 1 of Two step (Gentle start):" in out
        assert "  -     Easy, all 3 done this week" in out
        assert "  due   Daily stretch, 1st of 7 this week" not in out  # per_week 7 is daily
        assert "  due   Daily stretch, daily" in out
        cmd_program(lib, store, argparse.Namespace(verb="status"),  # type: ignore[arg-type]
                    now=start + timedelta(days=7, hours=9))
        out = capsys.readouterr().out
        assert "Stage 2 of 3: Until ready" in out
        assert "moved on to Until ready (3 comfortable sessions in a row over 1 week)" in out
        assert program_runs.current(store) is not None
        from trainer.cli.program import progress_line

        line = progress_line(lib, store, start + timedelta(days=7, hours=9))  # type: ignore[arg-type]
        assert line is not None and line.startswith(
            "Program: Two step, week 2, stage 2 of 3 (Until ready); moved on 1, eased off 0; "
            "next: 2 more comfortable sessions")
        cmd_program(lib, store, argparse.Namespace(verb="stop"), now=start)  # type: ignore[arg-type]
        assert program_runs.current(store) is None


def test_a_session_belongs_to_the_local_day_and_week_it_was_done_in(tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    from trainer.history import program_runs
    from trainer.history.store import History
    from trainer.programs.follow import following

    lib = _catalog(tmp_path / "lib")
    berlin, new_york = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
    with History.open(tmp_path / "h.sqlite3") as store:
        program_runs.start(store, "two-step", "Two step", date(2026, 11, 2))
        # Sunday 23:30 UTC: Monday 00:30 in Berlin, but still Sunday evening in New York.
        _session(store, lib, "easy", datetime(2026, 11, 8, 23, 30, tzinfo=UTC), pain=1)
        monday_noon = datetime(2026, 11, 9, 12, 0, tzinfo=UTC)
        here = following(lib, store, monday_noon, berlin)  # type: ignore[arg-type]
        there = following(lib, store, monday_noon, new_york)  # type: ignore[arg-type]
    assert here is not None and there is not None
    assert here.due[0].what == "Easy done today (1 of 3 this week)"
    assert there.due[0].what == "Easy, 1st of 3 this week"  # done last week, over there
    assert (here.progress.week(here.today), there.progress.week(there.today)) == (2, 2)
