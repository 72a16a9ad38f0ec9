"""What the session screen says at a given moment (pure: state in, text out)."""

from __future__ import annotations

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


def test_time_left_is_to_the_minute() -> None:
    assert view_at(0).session_left == f"{-(-TIMELINE.total // 60):.0f} min left"
    assert [_left(s) for s in (0, 30, 60, 61, 600)] == [
        "finished", "under a minute left", "1 min left", "2 min left", "10 min left"]
