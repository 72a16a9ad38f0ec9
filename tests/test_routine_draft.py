"""The routine editor's model: steps added, moved, deleted, scaled, undone; problems placed."""

from __future__ import annotations

import pytest

from trainer.library.ids import free_id, slug
from trainer.library.model import Exercise
from trainer.library.routine_draft import ROUTINE, RoutineDraft, check

EXERCISES = {e.id: e for e in [
    Exercise(id="hamstring", name="Hamstring stretch", category="stretch", sides="each",
             hold=30),
    Exercise(id="bridge", name="Glute bridge", category="strength", reps=10, tempo=3),
    Exercise(id="march", name="March", category="aerobic", duration=60),
]}
IDS = set(EXERCISES)


def prescription() -> RoutineDraft:
    """"3 x 30 s hamstring stretch each side, 2 x 10 bridges"."""
    draft = RoutineDraft.new("Daily PT", set())
    first = draft.insert(None, "hamstring")
    draft.set_field(first, "sets", 3)
    second = draft.insert(first, "bridge")
    draft.set_field(second, "sets", 2)
    return draft


def test_a_prescription_is_plain_data_in_the_files_own_forms() -> None:
    draft = prescription()
    assert draft.data == {"id": "daily-pt", "name": "Daily PT", "steps": [
        {"exercise": "hamstring", "sets": 3}, {"exercise": "bridge", "sets": 2}]}
    assert check(draft.data, IDS) == []
    assert draft.model() is not None and draft.dirty


def test_a_step_left_with_only_its_exercise_is_a_bare_id_again() -> None:
    draft = prescription()
    draft.set_field((0,), "sets", None)
    assert draft.data["steps"][0] == "hamstring"


def test_move_delete_duplicate_and_undo_redo() -> None:
    draft = prescription()
    draft.insert((1,), {"rest": "1m"})
    assert draft.move((2,), -1) == (1,)
    assert [s if isinstance(s, str) else next(iter(s.values()))
            for s in draft.data["steps"]] == ["hamstring", "1m", "bridge"]
    assert draft.move((0,), -1) == (0,)  # already first: nothing moves
    assert draft.delete((1,)) == (1,)
    assert len(draft.data["steps"]) == 2
    assert draft.duplicate((1,)) == (2,)
    assert draft.data["steps"][2] == draft.data["steps"][1]
    assert draft.undo() and draft.undo()  # the duplicate, then the delete
    assert draft.data["steps"][1] == {"rest": "1m"}
    assert draft.redo()
    assert len(draft.data["steps"]) == 2
    while draft.undo():
        pass
    assert draft.data == {"id": "daily-pt", "name": "Daily PT", "steps": []}
    assert not draft.redo() or draft.data["steps"]


def test_blocks_hold_steps_and_scale_alone() -> None:
    draft = prescription()
    block = draft.insert((1,), {"block": "Strength", "steps": []})
    inner = draft.insert(block, "bridge")
    assert inner == (2, 0)
    draft.set_field(inner, "reps", 12)
    changed = draft.scale(1.25, EXERCISES, block)
    assert changed == 1
    assert draft.data["steps"][2]["steps"][0]["reps"] == 15  # 12 x 1.25
    assert draft.data["steps"][0] == {"exercise": "hamstring", "sets": 3}  # outside the block


def test_scaling_the_routine_rounds_as_a_person_writes() -> None:
    draft = RoutineDraft({"id": "r", "name": "R", "steps": [
        "hamstring", {"exercise": "march", "duration": "1m30s"}, {"exercise": "bridge", "reps": 3},
        {"interval": {"work": "20s", "rest": "10s", "rounds": 4, "exercises": ["march"]}}]})
    assert draft.scale(0.75, EXERCISES) == 4
    steps = draft.data["steps"]
    assert steps[0] == {"exercise": "hamstring", "hold": "25s"}  # its own 30 s, written out
    assert steps[1]["duration"] == "1m10s"  # 67.5 s to the nearest 5 s
    assert steps[2]["reps"] == 2
    assert steps[3]["interval"]["work"] == "15s" and steps[3]["interval"]["rest"] == "10s"
    assert draft.undo() and draft.data["steps"][0] == "hamstring"  # one undo for all of it


def test_problems_are_placed_on_their_step_and_field() -> None:
    draft = prescription()
    draft.set_field((1,), "hold", "abc")
    draft.set_field((0,), "exercise", "nope")
    draft.set_field(ROUTINE, "defaults.rest", "forever")
    problems = check(draft.data, IDS, taken_ids={"daily-pt"})
    placed = {(p.path, p.key) for p in problems}
    assert ((1,), "hold") in placed
    assert ((0,), "exercise") in placed
    assert ((), "defaults.rest") in placed
    assert ((), "id") in placed
    hold = next(p for p in problems if p.key == "hold")
    assert "not a duration" in hold.message


@pytest.mark.parametrize(("name", "wanted"), [("Knee & back (AM)", "knee-back-am"),
                                               ("  ", ""), ("Été 2", "ete-2")])
def test_ids_from_names(name: str, wanted: str) -> None:
    assert slug(name) == wanted


def test_a_free_id_never_takes_one_in_use() -> None:
    assert free_id("desk", {"desk", "desk-2"}) == "desk-3"


def test_typing_into_one_field_is_one_undo() -> None:
    draft = prescription()
    for text in ("1", "12", "12s"):
        draft.set_field((1,), "hold", text)
    draft.set_field((0,), "sets", 2)
    assert draft.undo() and draft.data["steps"][0]["sets"] == 3
    assert draft.undo() and "hold" not in draft.data["steps"][1]  # all three keystrokes
