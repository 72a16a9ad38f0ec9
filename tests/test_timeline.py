"""Timeline expansion: phases, labels, rests, offsets and cue times."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.library.model import Exercise, Routine
from trainer.session.timeline import (
    REP_ESTIMATE,
    LimitError,
    Phase,
    Timeline,
    _step_bounds,
    build_timeline,
    check_limits,
)

EXERCISES = {
    e["id"]: Exercise.model_validate(e)
    for e in [
        {"id": "lunge", "name": "Lunge", "category": "stretch", "sides": "each", "hold": 20},
        {"id": "twist", "name": "Twist", "category": "mobility", "sides": "alternate",
         "duration": 30},
        {"id": "squat", "name": "Squat", "category": "strength", "reps": 10},
        {"id": "bridge", "name": "Bridge", "category": "strength", "reps": 4, "tempo": 3},
        {"id": "jog", "name": "Jog", "category": "aerobic", "duration": 30},
        {"id": "hop", "name": "Hop", "category": "aerobic", "duration": 30},
        {"id": "skip", "name": "Skip", "category": "aerobic", "duration": 30},
        {"id": "plank", "name": "Plank", "category": "strength", "hold": 30, "sets": 2},
    ]
}


def timeline(steps: list[Any], **defaults: Any) -> Timeline:
    """Build a timeline for a routine with these steps and defaults."""
    routine = Routine.model_validate(
        {"id": "r", "name": "R", "defaults": {"get_ready": 5, "rest": 10, **defaults},
         "steps": steps})
    return build_timeline(routine, EXERCISES)


def kinds(tl: Timeline) -> list[str]:
    """The kinds of the phases in order."""
    return [p.kind for p in tl.phases]


def middle(tl: Timeline) -> list[Phase]:
    """The phases between get ready and done."""
    assert tl.phases[0].kind == "get_ready"
    assert tl.phases[-1].kind == "done"
    return list(tl.phases[1:-1])


def test_get_ready_first_and_done_last() -> None:
    tl = timeline(["jog"])
    assert kinds(tl) == ["get_ready", "work", "done"]
    assert tl.phases[0].duration == 5
    assert tl.phases[-1].duration is None
    assert tl.total == 35


def test_no_get_ready_when_zero() -> None:
    assert kinds(timeline(["jog"], get_ready=0)) == ["work", "done"]


def test_sides_each_gives_left_switch_right() -> None:
    tl = timeline(["lunge"], switch=4)
    phases = middle(tl)
    assert [(p.kind, p.side) for p in phases] == [("hold", "left"), ("switch", "right"),
                                                   ("hold", "right")]
    assert phases[1].duration == 4
    assert phases[1].title == "Switch sides"
    assert all(p.exercise == "lunge" for p in phases)


def test_no_switch_phase_when_switch_is_zero() -> None:
    tl = timeline(["lunge"], switch=0)
    assert [(p.kind, p.side) for p in middle(tl)] == [("hold", "left"), ("hold", "right")]


def test_alternate_sides_is_one_phase() -> None:
    assert [(p.kind, p.side) for p in middle(timeline(["twist"]))] == [("work", "alternate")]


def test_sets_with_set_rest() -> None:
    tl = timeline([{"exercise": "squat", "sets": 3, "set_rest": 45}])
    phases = middle(tl)
    assert [(p.kind, p.set, p.sets, p.estimate) for p in phases] == [
        ("reps", 1, 3, 30.0), ("rest", None, None, 45.0), ("reps", 2, 3, 30.0),
        ("rest", None, None, 45.0), ("reps", 3, 3, 30.0)]


def test_sets_of_a_two_sided_exercise() -> None:
    tl = timeline([{"exercise": "lunge", "sets": 2}], set_rest=30, switch=5)
    assert [(p.kind, p.side, p.set) for p in middle(tl)] == [
        ("hold", "left", 1), ("switch", "right", 1), ("hold", "right", 1), ("rest", None, None),
        ("hold", "left", 2), ("switch", "right", 2), ("hold", "right", 2)]


def test_exercise_default_sets_are_used() -> None:
    tl = timeline(["plank"], set_rest=20)
    assert [(p.kind, p.set, p.duration) for p in middle(tl)] == [
        ("hold", 1, 30.0), ("rest", None, 20.0), ("hold", 2, 30.0)]


def test_block_repeat_with_rest_between() -> None:
    tl = timeline([{"block": "Circuit", "repeat": 3, "rest_between": 40,
                    "steps": ["jog", "hop"]}])
    assert [(p.kind, p.exercise, p.round, p.rounds, p.block, p.duration) for p in middle(tl)] == [
        ("work", "jog", 1, 3, "Circuit", 30.0), ("rest", None, None, None, None, 10.0),
        ("work", "hop", 1, 3, "Circuit", 30.0), ("rest", None, None, None, None, 40.0),
        ("work", "jog", 2, 3, "Circuit", 30.0), ("rest", None, None, None, None, 10.0),
        ("work", "hop", 2, 3, "Circuit", 30.0), ("rest", None, None, None, None, 40.0),
        ("work", "jog", 3, 3, "Circuit", 30.0), ("rest", None, None, None, None, 10.0),
        ("work", "hop", 3, 3, "Circuit", 30.0)]


def test_interval_rounds_rotate_exercises() -> None:
    tl = timeline([{"interval": {"work": 20, "rest": 5, "rounds": 5,
                                 "exercises": ["jog", "hop", "skip"]}}])
    phases = middle(tl)
    work = [p for p in phases if p.kind == "work"]
    assert [(p.exercise, p.round, p.rounds, p.duration) for p in work] == [
        ("jog", 1, 5, 20.0), ("hop", 2, 5, 20.0), ("skip", 3, 5, 20.0), ("jog", 4, 5, 20.0),
        ("hop", 5, 5, 20.0)]
    assert kinds(tl)[1:-1] == ["work", "rest"] * 4 + ["work"]
    assert all(p.duration == 5 for p in phases if p.kind == "rest")


def test_interval_without_rest_is_back_to_back() -> None:
    tl = timeline([{"interval": {"work": 20, "rounds": 3, "exercises": ["jog"]}}])
    assert kinds(tl)[1:-1] == ["work", "work", "work"]


def test_explicit_rest_step_with_say() -> None:
    tl = timeline(["jog", {"rest": 60, "say": "Well done. Time to cool down."}, "hop"])
    rest = middle(tl)[1]
    assert (rest.kind, rest.duration, rest.say) == ("rest", 60.0, "Well done. Time to cool down.")
    assert kinds(tl)[1:-1] == ["work", "rest", "work"]


def test_no_leading_or_trailing_rest() -> None:
    tl = timeline([{"rest": 30}, "jog", {"rest": 30}, {"rest": 20}])
    assert kinds(tl) == ["get_ready", "work", "done"]


def test_adjacent_rests_merge_into_one() -> None:
    # The automatic rest after jog and the explicit rest step become one 45 s rest.
    tl = timeline(["jog", {"rest": 45}, "hop"])
    assert [(p.kind, p.duration) for p in middle(tl)] == [("work", 30.0), ("rest", 45.0),
                                                          ("work", 30.0)]
    # A step's own rest beats the routine default; zero means none.
    tl = timeline([{"exercise": "jog", "rest": 0}, "hop"])
    assert kinds(tl)[1:-1] == ["work", "work"]
    # Block rest_between replaces the automatic rest after the block's last step.
    tl = timeline([{"block": "B", "repeat": 2, "rest_between": 25, "steps": ["jog"]}])
    assert [(p.kind, p.duration) for p in middle(tl)] == [("work", 30.0), ("rest", 25.0),
                                                          ("work", 30.0)]


def test_no_two_rests_in_a_row_anywhere() -> None:
    tl = timeline(["jog", {"rest": 10}, {"rest": 20}, {"block": "B", "repeat": 2,
                                                        "steps": ["hop", {"rest": 5}]}, "jog"])
    pairs = pairwise(kinds(tl))
    assert ("rest", "rest") not in set(pairs)


def test_self_paced_reps_are_estimated() -> None:
    tl = timeline(["squat"])
    reps = middle(tl)[0]
    assert (reps.kind, reps.duration, reps.reps, reps.tempo) == ("reps", None, 10, None)
    assert reps.estimate == 10 * REP_ESTIMATE
    assert reps.cues == ()
    assert tl.total == 5 + 10 * REP_ESTIMATE


def test_reps_with_tempo_are_timed() -> None:
    tl = timeline([{"exercise": "squat", "reps": 6, "tempo": 2}])
    phase = middle(tl)[0]
    assert (phase.kind, phase.duration, phase.reps, phase.tempo) == ("work", 12.0, 6, 2.0)


def test_step_timing_overrides_exercise_timing() -> None:
    tl = timeline([{"exercise": "lunge", "hold": 45}, {"exercise": "jog", "duration": "1m"}])
    assert [p.duration for p in middle(tl) if p.active] == [45.0, 45.0, 60.0]


def test_offsets_are_contiguous_and_total_is_done_start() -> None:
    tl = timeline(["lunge", {"exercise": "squat", "sets": 2}, "bridge",
                   {"interval": {"work": 20, "rest": 5, "rounds": 3, "exercises": ["jog"]}}])
    assert tl.phases[0].start == 0
    for i, (a, b) in enumerate(pairwise(tl.phases)):
        assert a.index == i
        assert b.start == a.start + a.estimate
    assert tl.total == tl.phases[-1].start == sum(p.estimate for p in tl.phases)


def test_countdown_cues_in_last_seconds() -> None:
    tl = timeline(["jog"], countdown=3)
    work = middle(tl)[0]
    countdown = [(c.at, c.value) for c in work.cues if c.kind == "countdown"]
    assert countdown == [(27.0, 3), (28.0, 2), (29.0, 1)]


def test_countdown_zero_means_no_countdown() -> None:
    tl = timeline(["jog"], countdown=0)
    assert all(c.kind != "countdown" for p in tl.phases for c in p.cues)


def test_countdown_never_at_or_before_phase_start() -> None:
    tl = timeline([{"exercise": "jog", "duration": 2}], countdown=5, get_ready=0)
    assert [(c.at, c.value) for c in tl.phases[0].cues] == [(1.0, 1)]


def test_halfway_cue_on_long_timed_phases_only() -> None:
    tl = timeline(["jog", {"exercise": "hop", "duration": 8}])
    jog, _, hop = middle(tl)
    assert [c.at for c in jog.cues if c.kind == "halfway"] == [15.0]
    assert [c for c in hop.cues if c.kind == "halfway"] == []


def test_rep_ticks_at_multiples_of_tempo() -> None:
    tl = timeline(["bridge"])
    work = middle(tl)[0]
    assert [(c.at, c.value) for c in work.cues if c.kind == "rep"] == [(3.0, 2), (6.0, 3),
                                                                       (9.0, 4)]
    assert not any(c.kind == "halfway" for c in work.cues)


def test_switch_sides_cue_at_switch_start() -> None:
    tl = timeline(["lunge"])
    switch = middle(tl)[1]
    assert [(c.at, c.kind) for c in switch.cues if c.kind == "switch_sides"] == [
        (0.0, "switch_sides")]


def test_to_json_cue_times_are_absolute() -> None:
    tl = timeline(["jog", "bridge"])
    data = tl.to_json()
    assert data["routine"] == "r"
    assert data["total"] == tl.total
    assert len(data["phases"]) == len(tl.phases)
    for phase, row in zip(tl.phases, data["phases"], strict=True):
        assert row["kind"] == phase.kind
        assert row["start"] == phase.start
        assert [c["at"] for c in row["cues"]] == [round(phase.start + c.at, 3)
                                                  for c in phase.cues]
    jog = data["phases"][1]
    assert {"at": 5 + 15.0, "kind": "halfway", "value": 0} in jog["cues"]


def test_fingerprint_changes_with_a_duration_only() -> None:
    a = timeline(["jog", {"exercise": "hop", "duration": 30}])
    same = timeline(["jog", {"exercise": "hop", "duration": 30}])
    other = timeline(["jog", {"exercise": "hop", "duration": 31}])
    assert a.fingerprint == same.fingerprint
    assert a.fingerprint != other.fingerprint


def test_up_next_skips_rests() -> None:
    tl = timeline(["jog", "hop"])
    assert tl.up_next(0).exercise == "jog"  # type: ignore[union-attr]
    assert tl.up_next(1).exercise == "hop"  # type: ignore[union-attr]
    assert tl.up_next(3) is None


def test_too_many_phases_is_a_limit_error() -> None:
    with pytest.raises(LimitError, match="phases"):
        timeline([{"block": "B", "repeat": 50, "steps": [
            {"interval": {"work": 5, "rounds": 100, "exercises": ["jog"]}}]}])


def test_too_long_is_a_limit_error() -> None:
    with pytest.raises(LimitError, match="lasts"):
        timeline([{"block": "B", "repeat": 3, "steps": [{"exercise": "lunge", "hold": "3h"}]}])


# -- properties over generated routines ---------------------------------------------------------

durations = st.sampled_from([1, 2, 5, 9.5, 10, 20, 45, 60])
exercise_ids = st.sampled_from(sorted(EXERCISES))
exercise_steps = st.one_of(
    exercise_ids,
    st.builds(lambda e, d: {"exercise": e, "duration": d}, exercise_ids, durations),
    st.builds(lambda e, r, t: {"exercise": e, "reps": r, "tempo": t}, exercise_ids,
              st.integers(1, 6), st.sampled_from([1, 2, 3])),
    st.builds(lambda e, s, sr: {"exercise": e, "sets": s, "set_rest": sr}, exercise_ids,
              st.integers(1, 3), st.sampled_from([0, 10, 30])),
)
leaf_steps = st.one_of(
    exercise_steps,
    st.builds(lambda r: {"rest": r}, durations),
    st.builds(lambda w, r, n, ex: {"interval": {"work": w, "rest": r, "rounds": n,
                                                "exercises": ex}},
              durations, st.sampled_from([0, 5]), st.integers(1, 4),
              st.lists(exercise_ids, min_size=1, max_size=3)),
)
steps = st.recursive(
    st.lists(leaf_steps, min_size=1, max_size=4),
    lambda inner: st.lists(st.one_of(leaf_steps, st.builds(
        lambda s, n, rb: {"block": "B", "repeat": n, "rest_between": rb, "steps": s},
        inner, st.integers(1, 3), st.sampled_from([0, 15]))), min_size=1, max_size=3),
    max_leaves=8,
)
routine_defaults = st.fixed_dictionaries({
    "get_ready": st.sampled_from([0, 3, 10]), "rest": st.sampled_from([0, 5, 15]),
    "set_rest": st.sampled_from([0, 30]), "switch": st.sampled_from([0, 5]),
    "countdown": st.integers(0, 5)})


@settings(max_examples=200, deadline=None)
@given(steps, routine_defaults)
def test_generated_routines_keep_the_timeline_invariants(step_list: list[Any],
                                                         defaults: dict[str, Any]) -> None:
    tl = timeline(step_list, **defaults)
    ks = kinds(tl)
    assert ks[-1] == "done" and ks.count("done") == 1
    assert ("get_ready" in ks) == (defaults["get_ready"] > 0 and len(ks) > 1)
    assert "get_ready" not in ks[1:]
    body = [k for k in ks if k not in ("get_ready", "done")]
    if body:
        assert body[0] != "rest" and body[-1] != "rest"
    assert ("rest", "rest") not in set(pairwise(ks))
    for a, b in pairwise(tl.phases):
        assert b.start == pytest.approx(a.start + a.estimate)
    for p in tl.phases:
        assert p.estimate >= 0
        if p.side == "right" and p.kind != "switch" and defaults["switch"] > 0:
            assert tl.phases[p.index - 1].kind == "switch"
        for cue in p.cues:
            limit = p.duration if p.duration is not None else 0
            assert 0 <= cue.at < limit or (cue.kind == "switch_sides" and cue.at == 0)
        countdown = [c.value for c in p.cues if c.kind == "countdown"]
        assert countdown == sorted(countdown, reverse=True)
        assert len(countdown) <= defaults["countdown"]
    assert tl.total == pytest.approx(sum(p.estimate for p in tl.phases))


@settings(max_examples=200, deadline=None)
@given(steps, routine_defaults)
def test_the_cheap_limit_check_never_undercounts(step_list: list[Any],
                                                 defaults: dict[str, Any]) -> None:
    routine = Routine.model_validate(
        {"id": "r", "name": "R", "defaults": defaults, "steps": step_list})
    count, seconds = _step_bounds(routine.steps, EXERCISES, routine.defaults)
    tl = build_timeline(routine, EXERCISES)
    assert count + 2 >= len(tl.phases)
    assert seconds + routine.defaults.get_ready >= tl.total - 1e-9


def test_limit_check_rejects_hostile_nesting_quickly() -> None:
    nested: dict[str, Any] = {"exercise": "jog"}
    for _ in range(5):
        nested = {"block": "B", "repeat": 50, "steps": [nested]}
    routine = Routine.model_validate({"id": "r", "name": "R", "steps": [nested]})
    with pytest.raises(LimitError):
        check_limits(routine, EXERCISES)


def test_changing_only_the_reps_keeps_the_exercise_tempo() -> None:
    phase = middle(timeline([{"exercise": "bridge", "reps": 6}]))[0]
    assert (phase.kind, phase.duration, phase.tempo) == ("work", 18.0, 3.0)
    held = middle(timeline([{"exercise": "bridge", "hold": 20}]))[0]
    assert (held.kind, held.tempo) == ("hold", None)
