"""What the session screen says at a given moment (pure: state in, text out)."""

from __future__ import annotations

from trainer.library.durations import format_clock
from trainer.library.model import Exercise, Routine
from trainer.session.engine import Session
from trainer.session.timeline import build_timeline
from trainer.ui.presenter import _left, present

EXERCISES = {e.id: e for e in [
    Exercise(id="reach", name="Reach", category="stretch", sides="each", hold=30,
             instructions=("Stand tall.", "Reach up."), cues=("Breathe",), safety="Go easy."),
    Exercise(id="bridge", name="Bridge", category="strength", reps=12, tempo=3),
    Exercise(id="dog", name="Bird dog", category="strength", reps=8),
]}
ROUTINE = Routine.model_validate({
    "id": "r", "name": "R", "defaults": {"get_ready": 10, "rest": 15, "switch": 5},
    "steps": ["reach", "bridge", "dog"]})
TIMELINE = build_timeline(ROUTINE, EXERCISES)


def view_at(seconds: float):  # type: ignore[no-untyped-def]
    now = [0.0]
    session = Session(TIMELINE, lambda: now[0])
    now[0] = seconds
    return present(session.state(), TIMELINE, EXERCISES)


def test_get_ready_is_about_the_first_exercise() -> None:
    view = view_at(2.2)
    assert (view.word, view.title, view.clock) == ("GET READY", "Next: Reach", "0:08")
    assert view.detail == "left side"
    assert view.instructions.startswith("1. Stand tall.\n2. Reach up.")
    assert "Safety: Go easy." in view.instructions


def test_a_hold_counts_down_in_whole_seconds_rounded_up() -> None:
    view = view_at(10.0 + 0.4)
    assert (view.word, view.title, view.clock) == ("HOLD", "Reach", "0:30")
    assert view.up_next == "Up next: Reach · 30s · right side"


def test_timed_reps_say_which_rep() -> None:
    start = TIMELINE.phases[4].start  # get ready, left, switch, right, rest, bridge
    view = view_at(start + 15 + 7.0)
    assert view.title == "Bridge"
    assert view.target == "rep 3 of 12"


def test_self_paced_reps_count_up_and_ask_for_enter() -> None:
    reps = next(p for p in TIMELINE.phases if p.kind == "reps")
    view = view_at(reps.start + 65.0)
    assert view.word == "REPS"
    assert view.clock == "1:05"
    assert view.target == "8 reps · press Enter when done"


def test_time_left_is_exact_to_the_second() -> None:
    assert view_at(0).session_left == f"{format_clock(TIMELINE.total)} left"
    assert [_left(s) for s in (0, 0.2, 30, 60, 61, 600, 3725)] == [
        "finished", "0:01 left", "0:30 left", "1:00 left", "1:01 left", "10:00 left",
        "1:02:05 left"]


def test_up_next_is_labelled_in_every_phase() -> None:
    assert view_at(2.2).up_next == "Up next: Reach · 30s"
    rest = next(p for p in TIMELINE.phases if p.kind == "rest")
    assert view_at(rest.start + 1).up_next.startswith("Up next: ")


def test_extending_timed_reps_adds_reps_at_the_tempo_and_moves_the_bar() -> None:
    now = [0.0]
    session = Session(TIMELINE, lambda: now[0])
    bridge = TIMELINE.phases[5]
    assert (bridge.reps, bridge.tempo) == (12, 3)
    now[0] = bridge.start + 30.0  # rep 11 of 12, 30 s into 36 s
    before = present(session.state(), TIMELINE, EXERCISES)
    assert before.target == "rep 11 of 12"
    assert session.extend(10)  # 46 s: 15 whole reps at 3 s
    after = present(session.state(), TIMELINE, EXERCISES)
    assert after.target == "rep 11 of 15"
    assert after.phase_progress == 30 / 46 < before.phase_progress


def test_a_resumes_lead_in_is_shown_as_the_get_ready_it_is() -> None:
    # Resumed at the bridge (phase 3), the session starts in the last seconds of the rest
    # before it: that rest is a get-ready for the bridge, and says so.
    now = [0.0]
    rest = next(p for p in TIMELINE.phases if p.kind == "rest")
    session = Session(TIMELINE, lambda: now[0], start_index=rest.index, elapsed=10.0)
    plain = present(session.state(), TIMELINE, EXERCISES)
    led = present(session.state(), TIMELINE, EXERCISES, lead_in=rest.index)
    assert plain.word == "REST"
    assert (led.word, led.kind, led.title, led.clock) == ("GET READY", "get_ready",
                                                          "Next: Bridge", "0:05")
