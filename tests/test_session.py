"""The session engine on a fake clock: commands, catching up, snapshots, and properties."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import FakeClock
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.library.model import Exercise, Routine
from trainer.session.engine import BACK_GRACE, Event, Session
from trainer.session.timeline import Timeline, build_timeline

EXERCISES = {
    e["id"]: Exercise.model_validate(e)
    for e in [
        {"id": "jog", "name": "Jog", "category": "aerobic", "duration": 30},
        {"id": "squat", "name": "Squat", "category": "strength", "reps": 10},
        {"id": "lunge", "name": "Lunge", "category": "stretch", "sides": "each", "hold": 20},
    ]
}


def make_timeline(steps: list[Any], exercises: dict[str, Exercise] | None = None,
                  **defaults: Any) -> Timeline:
    """A timeline for a routine with these steps (get ready 5 s, rest 10 s, switch 5 s)."""
    routine = Routine.model_validate({
        "id": "r", "name": "R",
        "defaults": {"get_ready": 5, "rest": 10, "switch": 5, "countdown": 3, **defaults},
        "steps": steps})
    return build_timeline(routine, exercises or EXERCISES)


@pytest.fixture
def timeline() -> Timeline:
    """get_ready 5 | jog 30 | rest 10 | squat (self-paced) | rest 10 | lunge L 20 | switch 5 |
    lunge R 20 | done."""
    tl = make_timeline(["jog", "squat", "lunge"])
    assert [p.kind for p in tl.phases] == ["get_ready", "work", "rest", "reps", "rest", "hold",
                                           "switch", "hold", "done"]
    return tl


def seen(events: list[Event]) -> list[tuple[str, int, int]]:
    """Events as (kind, phase index, value)."""
    return [(e.kind, e.phase.index, e.value) for e in events]


def run_until(session: Session, clock: FakeClock, until: float,
              step: float = 0.25) -> list[Event]:
    """Tick every `step` seconds up to clock time `until`; all events."""
    events = session.tick()
    while clock.now < until:
        clock.advance(min(step, until - clock.now))
        events += session.tick()
    return events


# -- a plain run -------------------------------------------------------------------------------


def test_a_plain_run_fires_every_cue_once_at_its_time(timeline: Timeline,
                                                      clock: FakeClock) -> None:
    start = clock.now
    session = Session(timeline, clock)
    events = run_until(session, clock, start + 50)
    assert seen(events) == [
        ("phase_started", 0, 0), ("countdown", 0, 3), ("countdown", 0, 2), ("countdown", 0, 1),
        ("phase_started", 1, 0), ("halfway", 1, 0),
        ("countdown", 1, 3), ("countdown", 1, 2), ("countdown", 1, 1),
        ("phase_started", 2, 0), ("countdown", 2, 3), ("countdown", 2, 2), ("countdown", 2, 1),
        ("phase_started", 3, 0),
    ]
    assert [e.at - start for e in events] == [0, 2, 3, 4, 5, 20, 32, 33, 34, 35, 42, 43, 44, 45]
    state = session.state()
    assert (state.phase.kind, state.remaining) == ("reps", None)
    assert state.elapsed == pytest.approx(5)


def test_state_counts_down_from_the_deadline(timeline: Timeline, clock: FakeClock) -> None:
    session = Session(timeline, clock)
    clock.advance(7.5)
    state = session.state()
    assert state.phase.index == 1
    assert state.remaining == pytest.approx(27.5)
    assert state.elapsed == pytest.approx(2.5)
    assert state.session_total == timeline.total
    assert state.session_remaining == pytest.approx(timeline.total - 7.5)


def test_self_paced_phase_waits_for_done(timeline: Timeline, clock: FakeClock) -> None:
    session = Session(timeline, clock)
    clock.advance(45 + 600)
    state = session.state()
    assert (state.phase.kind, state.remaining, state.finished) == ("reps", None, False)
    assert state.progress == 1.0


def test_session_finishes_once_at_the_planned_total(clock: FakeClock) -> None:
    tl = make_timeline(["jog", "lunge"])
    start = clock.now
    session = Session(tl, clock)
    events = run_until(session, clock, start + tl.total + 30, step=0.7)
    finished = [e for e in events if e.kind == "finished"]
    assert len(finished) == 1
    assert finished[0].at == pytest.approx(start + tl.total)
    assert session.finished_at == pytest.approx(start + tl.total)
    state = session.state()
    assert (state.finished, state.phase.kind, state.session_remaining) == (True, "done", 0.0)


# -- commands ----------------------------------------------------------------------------------


def test_pause_freezes_remaining_and_cues(timeline: Timeline, clock: FakeClock) -> None:
    session = Session(timeline, clock)
    session.tick()
    clock.advance(1)
    session.pause()
    clock.advance(100)
    state = session.state()
    assert state.paused
    assert (state.phase.index, state.remaining) == (0, pytest.approx(4))
    assert session.tick() == []


def test_resume_shifts_every_deadline(timeline: Timeline, clock: FakeClock) -> None:
    session = Session(timeline, clock)
    session.tick()
    clock.advance(1)
    session.pause()
    clock.advance(100)
    session.resume()
    assert session.paused_total == pytest.approx(100)
    assert not session.state().paused
    events = run_until(session, clock, clock.now + 4)
    assert seen(events) == [("countdown", 0, 3), ("countdown", 0, 2), ("countdown", 0, 1),
                            ("phase_started", 1, 0)]
    assert session.state().remaining == pytest.approx(30)


def test_toggle_pause(timeline: Timeline, clock: FakeClock) -> None:
    session = Session(timeline, clock)
    session.toggle_pause()
    assert session.paused
    session.toggle_pause()
    assert not session.paused


def test_pause_after_the_end_has_passed_does_not_pause_a_finished_session(
        clock: FakeClock) -> None:
    tl = make_timeline(["jog"])
    session = Session(tl, clock)
    clock.advance(tl.total + 10)  # no tick in between: the session ends inside pause()
    session.pause()
    assert session.finished
    assert not session.paused
    clock.advance(50)
    session.resume()
    assert session.paused_total == 0


def test_skip_starts_the_next_phase_now(timeline: Timeline, clock: FakeClock) -> None:
    session = Session(timeline, clock)
    clock.advance(10)  # 5 s into jog
    session.tick()
    session.skip()
    state = session.state()
    assert (state.phase.kind, state.remaining) == ("rest", 10)
    assert session.skipped == {1}
    assert seen(session.tick()) == [("phase_started", 2, 0)]


def test_skip_on_the_last_phase_finishes(clock: FakeClock) -> None:
    session = Session(make_timeline(["jog"], get_ready=0), clock)
    session.tick()
    session.skip()
    assert session.finished
    assert [e.kind for e in session.tick()] == ["finished"]
    session.skip()
    assert session.tick() == []


def test_back_within_grace_goes_to_the_previous_phase(timeline: Timeline,
                                                      clock: FakeClock) -> None:
    session = Session(timeline, clock)
    clock.advance(5 + 30 + BACK_GRACE - 0.5)  # just into the rest after jog
    assert session.state().phase.index == 2
    session.back()
    state = session.state()
    assert (state.phase.index, state.remaining, state.elapsed) == (1, 30, 0)


def test_back_after_grace_restarts_the_phase(timeline: Timeline, clock: FakeClock) -> None:
    session = Session(timeline, clock)
    clock.advance(5 + 30 + BACK_GRACE + 0.5)
    session.back()
    state = session.state()
    assert (state.phase.index, state.remaining) == (2, 10)


def test_back_on_the_first_phase_restarts_it(timeline: Timeline, clock: FakeClock) -> None:
    session = Session(timeline, clock)
    clock.advance(1)
    session.back()
    assert (session.state().phase.index, session.state().remaining) == (0, 5)


def test_back_replays_the_restarted_phases_cues(timeline: Timeline, clock: FakeClock) -> None:
    session = Session(timeline, clock)
    run_until(session, clock, clock.now + 25)  # halfway of jog is behind us
    session.back()
    events = run_until(session, clock, clock.now + 16)
    assert ("halfway", 1, 0) in seen(events)
    assert len({e.run for e in events if e.phase.index == 1}) == 1


def test_extend_adds_and_takes_away_time(timeline: Timeline, clock: FakeClock) -> None:
    session = Session(timeline, clock)
    clock.advance(10)  # 5 s into jog
    session.tick()
    assert session.extend(15)
    assert session.state().remaining == pytest.approx(40)
    assert session.extend(-5)
    assert session.state().remaining == pytest.approx(35)
    assert session.extended_total == pytest.approx(10)
    now = clock.now
    events = run_until(session, clock, now + 35)
    assert seen(events) == [("halfway", 1, 0), ("countdown", 1, 3), ("countdown", 1, 2),
                            ("countdown", 1, 1), ("phase_started", 2, 0)]
    # Halfway follows the phase as extended: 20 s into its 40 s, which is 15 s from now.
    assert [e.at - now for e in events] == pytest.approx([15, 32, 33, 34, 35])
    assert session.state().phase.index == 2


def test_extending_timed_reps_ticks_more_reps_and_the_bar_follows(clock: FakeClock) -> None:
    exercises = {"bridge": Exercise.model_validate(
        {"id": "bridge", "name": "Bridge", "category": "strength", "reps": 4, "tempo": 3})}
    tl = make_timeline(["bridge"], exercises, countdown=0)
    session = Session(tl, clock)
    clock.advance(5 + 4)  # 4 s into the 12 s of reps: rep 2 ticked at 3 s
    session.tick()
    assert session.extend(6)  # 18 s: two reps more at the same tempo
    state = session.state()
    assert (state.length, state.reps, state.progress) == (18, 6, pytest.approx(4 / 18))
    events = run_until(session, clock, clock.now + 14)
    assert seen(events) == [("rep", 1, 3), ("rep", 1, 4), ("rep", 1, 5), ("rep", 1, 6),
                            ("finished", 2, 0)]


def test_a_cue_an_extend_moves_into_the_past_is_passed_not_played(
        timeline: Timeline, clock: FakeClock) -> None:
    session = Session(timeline, clock)
    clock.advance(5 + 12)  # 12 s into jog's 30: halfway at 15 s still to come
    session.tick()
    assert session.extend(-8)  # 22 s: halfway now at 11 s, already behind
    events = run_until(session, clock, clock.now + 10)
    assert seen(events) == [("countdown", 1, 3), ("countdown", 1, 2), ("countdown", 1, 1),
                            ("phase_started", 2, 0)]


def test_shortened_phase_plays_no_cues_beyond_its_new_end(timeline: Timeline,
                                                          clock: FakeClock) -> None:
    session = Session(timeline, clock)
    clock.advance(5 + 10)  # 10 s into jog; its halfway cue is due at 15 s
    session.tick()
    assert session.extend(-15.5)  # jog now ends at 14.5 s
    clock.advance(5.05)  # a tick just after the old halfway moment
    assert seen(session.tick()) == [("phase_started", 2, 0)]


def test_countdown_never_sounds_before_a_shortened_phase_began(timeline: Timeline,
                                                               clock: FakeClock) -> None:
    session = Session(timeline, clock)
    clock.advance(5)  # jog starts
    session.tick()
    assert session.extend(-28.5)  # 1.5 s left: only the "1" fits
    events = run_until(session, clock, clock.now + 1.5)
    assert seen(events) == [("countdown", 1, 1), ("phase_started", 2, 0)]


def test_big_negative_extend_never_goes_below_zero(timeline: Timeline,
                                                   clock: FakeClock) -> None:
    session = Session(timeline, clock)
    clock.advance(10)
    assert session.extend(-1000)
    assert session.extended_total == pytest.approx(-25)
    state = session.state()
    assert state.remaining is not None and state.remaining >= 0
    assert state.phase.index == 2  # the phase is over
    assert state.remaining == 10


def test_extend_is_refused_on_self_paced_phases(timeline: Timeline, clock: FakeClock) -> None:
    session = Session(timeline, clock)
    clock.advance(50)
    assert session.state().phase.kind == "reps"
    assert not session.extend(30)
    assert session.extended_total == 0


def test_done_ends_a_reps_phase(timeline: Timeline, clock: FakeClock) -> None:
    session = Session(timeline, clock)
    clock.advance(50)
    session.tick()
    assert session.done()
    state = session.state()
    assert (state.phase.index, state.remaining) == (4, 10)
    assert seen(session.tick()) == [("phase_started", 4, 0)]


def test_done_is_refused_on_timed_phases(timeline: Timeline, clock: FakeClock) -> None:
    session = Session(timeline, clock)
    clock.advance(10)
    assert not session.done()
    assert session.state().phase.index == 1
    assert session.state().remaining == pytest.approx(25)


def test_commands_after_finish_change_nothing(clock: FakeClock) -> None:
    tl = make_timeline(["jog"], get_ready=0)
    session = Session(tl, clock)
    clock.advance(40)
    assert session.state().finished
    session.tick()
    session.back()
    session.skip()
    assert not session.extend(10)
    assert not session.done()
    session.pause()
    assert not session.paused
    assert session.state().finished
    assert session.tick() == []


# -- late ticks --------------------------------------------------------------------------------


def test_stall_catches_up_without_replaying_stale_cues(timeline: Timeline,
                                                       clock: FakeClock) -> None:
    start = clock.now
    session = Session(timeline, clock)
    assert seen(session.tick()) == [("phase_started", 0, 0)]
    clock.advance(10)  # the event loop stalled through the countdown and into jog
    events = session.tick()
    assert seen(events) == [("phase_started", 1, 0)]  # the landed phase is still announced
    assert events[0].at == start + 5
    state = session.state()
    assert (state.phase.index, state.remaining) == (1, pytest.approx(25))


def test_stall_over_several_phases_lands_on_schedule(timeline: Timeline,
                                                     clock: FakeClock) -> None:
    session = Session(timeline, clock)
    session.tick()
    clock.advance(44.5)  # through jog and into the last second of the rest
    events = session.tick()
    assert seen(events) == [("phase_started", 2, 0), ("countdown", 2, 1)]
    clock.advance(1)
    assert seen(session.tick()) == [("phase_started", 3, 0)]


def test_a_slightly_late_tick_still_plays_the_cue(timeline: Timeline, clock: FakeClock) -> None:
    session = Session(timeline, clock)
    session.tick()
    clock.advance(2.9)  # countdown 3 was due at 2 s
    assert seen(session.tick()) == [("countdown", 0, 3)]


# -- snapshot and restore ------------------------------------------------------------------------


def test_snapshot_and_restore_continue_from_the_phase(timeline: Timeline,
                                                      clock: FakeClock) -> None:
    session = Session(timeline, clock)
    run_until(session, clock, clock.now + 5 + 20)  # 20 s into jog: halfway has played
    snap = session.snapshot()
    assert (snap.routine_id, snap.index, snap.elapsed, snap.paused) == ("r", 1, 20, False)
    assert snap.fingerprint == timeline.fingerprint

    later = FakeClock(50_000.0)
    restored = Session.restore(timeline, snap, later)
    state = restored.state()
    assert (state.phase.index, state.remaining) == (1, pytest.approx(10))
    assert seen(restored.tick()) == [("phase_started", 1, 0)]
    events = run_until(restored, later, later.now + 11)
    assert seen(events) == [("countdown", 1, 3), ("countdown", 1, 2), ("countdown", 1, 1),
                            ("phase_started", 2, 0)]
    assert [e.at for e in events] == [50_007, 50_008, 50_009, 50_010]


def test_restore_plays_cues_still_ahead_in_the_phase(timeline: Timeline,
                                                     clock: FakeClock) -> None:
    session = Session(timeline, clock)
    clock.advance(5 + 12)  # 12 s into jog: halfway (15 s) still to come
    snap = session.snapshot()
    later = FakeClock(9_000.0)
    restored = Session.restore(timeline, snap, later)
    events = run_until(restored, later, later.now + 18.5)
    assert seen(events) == [("phase_started", 1, 0), ("halfway", 1, 0), ("countdown", 1, 3),
                            ("countdown", 1, 2), ("countdown", 1, 1), ("phase_started", 2, 0)]


def test_restore_a_paused_snapshot_stays_paused(timeline: Timeline, clock: FakeClock) -> None:
    session = Session(timeline, clock)
    clock.advance(8)
    session.pause()
    clock.advance(500)
    snap = session.snapshot()
    assert (snap.index, snap.elapsed, snap.paused) == (1, 3, True)
    later = FakeClock(10.0)
    restored = Session.restore(timeline, snap, later)
    later.advance(100)
    state = restored.state()
    assert state.paused
    assert state.remaining == pytest.approx(27)
    restored.resume()
    later.advance(27)
    assert restored.state().phase.index == 2


def test_empty_timeline_is_refused(timeline: Timeline) -> None:
    empty = Timeline("x", "X", ())
    with pytest.raises(ValueError):
        Session(empty)


# -- properties --------------------------------------------------------------------------------

TIMED = st.one_of(
    st.builds(lambda s: {"hold": s}, st.sampled_from([2, 5, 12, 30])),
    st.builds(lambda s: {"duration": s}, st.sampled_from([1, 3.5, 10, 45])),
    st.builds(lambda r, t: {"reps": r, "tempo": t}, st.integers(1, 5), st.sampled_from([1, 2.5])),
)
ANY_TIMING = st.one_of(TIMED, st.just({"reps": 4}))
IDS = st.sampled_from(["e0", "e1", "e2"])


def _steps(timings: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[list[Any]]:
    """Routine steps over exercises e0..e2, with blocks one level deep."""
    step = st.one_of(
        IDS,
        st.builds(lambda e, t: {"exercise": e, **t}, IDS, timings),
        st.builds(lambda r: {"rest": r}, st.sampled_from([1, 4, 20])),
        st.builds(lambda w, r, n, ex: {"interval": {"work": w, "rest": r, "rounds": n,
                                                    "exercises": ex}},
                  st.sampled_from([2, 6, 20]), st.sampled_from([0, 3]), st.integers(1, 3),
                  st.lists(IDS, min_size=1, max_size=2)),
    )
    block = st.builds(lambda s, n: {"block": "B", "repeat": n, "steps": s},
                      st.lists(step, min_size=1, max_size=3), st.integers(1, 3))
    return st.lists(st.one_of(step, block), min_size=1, max_size=4)


def _exercises(timings: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[list[Any]]:
    """Three exercises' sides, sets and timing."""
    return st.lists(st.tuples(st.sampled_from(["none", "each", "alternate"]), st.integers(1, 2),
                              timings), min_size=3, max_size=3)


DEFAULTS = st.fixed_dictionaries({
    "get_ready": st.sampled_from([0, 3, 10]), "rest": st.sampled_from([0, 2, 5]),
    "set_rest": st.sampled_from([0, 7]), "switch": st.sampled_from([0, 3]),
    "countdown": st.integers(0, 4)})
STRATEGIES = {flag: (_exercises(t), _steps(t)) for flag, t in ((True, ANY_TIMING),
                                                                (False, TIMED))}


@st.composite
def routines(draw: st.DrawFn, self_paced: bool = True) -> Timeline:
    """A generated routine, built from models and expanded."""
    exercise_specs, steps = STRATEGIES[self_paced]
    exercises = {
        f"e{i}": Exercise.model_validate({"id": f"e{i}", "name": f"E{i}", "category": "strength",
                                          "sides": sides, "sets": sets, **timing})
        for i, (sides, sets, timing) in enumerate(draw(exercise_specs))
    }
    return make_timeline(draw(steps), exercises, **draw(DEFAULTS))


gaps = st.one_of(st.just(0.0), st.floats(0, 3), st.floats(0, 60), st.sampled_from([0.999, 1.0,
                                                                                   1.001, 3.0]))
commands = st.one_of(
    st.tuples(st.just("tick")), st.tuples(st.just("pause")), st.tuples(st.just("resume")),
    st.tuples(st.just("skip")), st.tuples(st.just("back")), st.tuples(st.just("done")),
    st.tuples(st.just("extend"), st.floats(-120, 120)),
)


def apply(session: Session, command: tuple[Any, ...]) -> None:
    """Send one command to the session."""
    name, *args = command
    if name == "tick":
        return
    getattr(session, name)(*args)


@settings(max_examples=200, deadline=None)
@given(routines(), st.lists(st.tuples(gaps, commands), max_size=40))
def test_any_commands_at_any_times_keep_the_invariants(
        tl: Timeline, script: list[tuple[float, tuple[Any, ...]]]) -> None:
    clock = FakeClock()
    session = Session(tl, clock)
    fired: set[tuple[int, str, int]] = set()
    finished = 0
    for gap, command in [*script, (0.0, ("tick",)), (10_000.0, ("tick",))]:
        clock.advance(gap)
        apply(session, command)
        events = session.tick()
        state = session.state()
        assert state.remaining is None or state.remaining >= 0
        assert state.elapsed >= 0
        assert state.session_remaining >= 0
        assert 0 <= state.progress <= 1
        for event in events:
            key = (event.run, event.kind, event.value)
            assert key not in fired, f"{key} fired twice"
            fired.add(key)
            assert event.at <= clock.now + 1e-9
            finished += event.kind == "finished"
        assert finished == (1 if session.finished else 0)
        assert state.finished == session.finished
        if session.finished:
            assert not session.paused


@settings(max_examples=200, deadline=None)
@given(routines(self_paced=False),
       st.lists(st.tuples(gaps, st.one_of(
           st.tuples(st.just("tick")), st.tuples(st.just("pause")),
           st.tuples(st.just("resume")), st.tuples(st.just("extend"), st.floats(-60, 60)))),
           max_size=40),
       st.floats(0.3, 7))
def test_left_running_it_ends_at_total_plus_pauses_and_extensions(
        tl: Timeline, script: list[tuple[float, tuple[Any, ...]]], tick_every: float) -> None:
    clock = FakeClock()
    start = clock.now
    session = Session(tl, clock)
    finished: list[Event] = []
    for gap, command in script:
        clock.advance(gap)
        apply(session, command)
        finished += [e for e in session.tick() if e.kind == "finished"]
    session.resume()
    while not session.finished:
        clock.advance(tick_every)
        finished += [e for e in session.tick() if e.kind == "finished"]
    for _ in range(3):
        clock.advance(100)
        finished += [e for e in session.tick() if e.kind == "finished"]
    expected = start + tl.total + session.paused_total + session.extended_total
    assert session.finished_at is not None
    assert abs(session.finished_at - expected) < 1e-3
    assert len(finished) == 1
    assert abs(finished[0].at - expected) < 1e-3


@settings(max_examples=200, deadline=None)
@given(routines(self_paced=False), st.lists(st.floats(0, 20), max_size=30), st.floats(0, 400))
def test_when_ticks_arrive_never_changes_where_the_session_is(
        tl: Timeline, ticks: list[float], end: float) -> None:
    ticked_clock, quiet_clock = FakeClock(), FakeClock()
    ticked, quiet = Session(tl, ticked_clock), Session(tl, quiet_clock)
    end_at = ticked_clock.now + end
    for gap in ticks:
        if ticked_clock.now + gap <= end_at:
            ticked_clock.advance(gap)
            ticked.tick()
    ticked_clock.now = quiet_clock.now = end_at
    a, b = ticked.state(), quiet.state()
    assert a.phase.index == b.phase.index
    assert a.remaining == pytest.approx(b.remaining)
    assert a.finished == b.finished
