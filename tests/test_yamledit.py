"""trainer.library.yamledit: the person's own files changed in place, only where they changed."""

from __future__ import annotations

import difflib
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO_ROOT

from trainer.library import yamledit
from trainer.library.loader import MAX_FILE_BYTES, read_text
from trainer.library.yamledit import EditError
from trainer.library.yamlnodes import load

HAND_WRITTEN = """\
# My own stretches, by hand.
#   kept in git

version: 1
routines:
  - id: my-stretch   # the id
    name: "My stretch"
    level: 'beginner'
    defaults: {get_ready: 10s,  rest: 15s}
    steps:
      # warm up first
      - {exercise: march-in-place, duration: 2m}
      - {exercise: knee-to-chest,  hold: 20s}   # gentle

      # the hamstring bit
      - exercise: standing-hamstring-stretch
        hold: 30s
        # a comment inside
        sets: 2
      - standing-hamstring-stretch
      - {rest: 1m, say: "Well done."}    # the end
# trailing words
"""


def _changes(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines removed and the lines added, as difflib sees them."""
    removed, added = [], []
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0):
        if line.startswith(("---", "+++", "@@")):
            continue
        (removed if line.startswith("-") else added).append(line[1:])
    return removed, added


def _reads_back(text: str) -> Any:
    """The text as the library reads it, after checking it reads with no problems."""
    result = read_text("edited.yaml", text.encode("utf-8"))
    assert result.problems == []
    return load(text).data


def _edit(tmp_path: Path, change: Callable[[dict[str, Any]], None],
          text: str = HAND_WRITTEN) -> tuple[str, dict[str, Any]]:
    """Load the file, change its first routine as an editor would, dump: (text, the routine)."""
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    doc = yamledit.load_document(path)
    index = yamledit.find_item(doc, "routines", "my-stretch")
    assert index == 0
    routine = yamledit.plain(doc["routines"][index])
    change(routine)
    assert yamledit.set_item(doc, "routines", index, routine) == index
    out = yamledit.dump(doc)
    assert _reads_back(out)["routines"][0] == routine  # what PyYAML reads is what was set
    return out, routine


def test_an_edit_that_changes_nothing_changes_no_byte(tmp_path: Path) -> None:
    out, _ = _edit(tmp_path, lambda routine: None)
    assert out == HAND_WRITTEN


def test_plain_gives_plain_python_values(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    routine = yamledit.plain(yamledit.load_document(path)["routines"][0])
    assert routine == load(HAND_WRITTEN).data["routines"][0]
    assert type(routine["name"]) is str and type(routine["steps"][2]["sets"]) is int
    assert type(routine["steps"]) is list and type(routine["defaults"]) is dict


def test_changing_one_flow_steps_hold_changes_that_line_only(tmp_path: Path) -> None:
    out, _ = _edit(tmp_path, lambda r: r["steps"][1].update(hold="25s"))
    removed, added = _changes(HAND_WRITTEN, out)
    assert removed == ["      - {exercise: knee-to-chest,  hold: 20s}   # gentle"]
    assert len(added) == 1
    assert added[0].startswith("      - {exercise: knee-to-chest, hold: 25s}")  # still flow
    assert added[0].endswith("# gentle")


def test_changing_one_block_steps_hold_changes_one_line(tmp_path: Path) -> None:
    out, _ = _edit(tmp_path, lambda r: r["steps"][2].update(hold=45))
    assert _changes(HAND_WRITTEN, out) == (["        hold: 30s"], ["        hold: 45"])
    assert load(out).data["routines"][0]["steps"][2]["hold"] == 45  # an int stays an int


def test_a_key_added_to_a_step_is_one_added_line(tmp_path: Path) -> None:
    out, _ = _edit(tmp_path, lambda r: r["steps"][2].update(rest="1m30s"))
    assert _changes(HAND_WRITTEN, out) == ([], ["        rest: 1m30s"])


def test_a_key_removed_from_a_step_keeps_the_comment_below_it(tmp_path: Path) -> None:
    out, _ = _edit(tmp_path, lambda r: r["steps"][2].pop("hold"))
    assert _changes(HAND_WRITTEN, out) == (["        hold: 30s"], [])
    assert "        # a comment inside\n        sets: 2\n" in out


def test_adding_a_step_only_adds_its_line(tmp_path: Path) -> None:
    out, _ = _edit(tmp_path, lambda r: r["steps"].insert(2, {"exercise": "bird-dog", "reps": 8}))
    removed, added = _changes(HAND_WRITTEN, out)
    assert removed == []
    assert added == ["      - {exercise: bird-dog, reps: 8}"]  # one line, like its neighbours
    # Put below the knee-to-chest step, above the comment about the step after it.
    assert "hold: 20s}   # gentle\n      - {exercise: bird-dog, reps: 8}\n\n" \
           "      # the hamstring bit\n" in out


def test_appending_a_step_goes_after_the_last_and_before_the_trailing_comment(
        tmp_path: Path) -> None:
    out, _ = _edit(tmp_path, lambda r: r["steps"].append("cat-cow"))
    assert _changes(HAND_WRITTEN, out) == ([], ["      - cat-cow"])
    assert out.endswith('# the end\n      - cat-cow\n# trailing words\n')


def test_deleting_a_flow_step_removes_its_line_and_keeps_the_comments_around_it(
        tmp_path: Path) -> None:
    out, _ = _edit(tmp_path, lambda r: r["steps"].pop(1))
    assert _changes(HAND_WRITTEN, out) == (
        ["      - {exercise: knee-to-chest,  hold: 20s}   # gentle"], [])
    assert "      # warm up first\n      - {exercise: march-in-place, duration: 2m}\n\n" \
           "      # the hamstring bit\n      - exercise: standing" in out


def test_deleting_a_block_step_removes_its_lines_only(tmp_path: Path) -> None:
    out, _ = _edit(tmp_path, lambda r: r["steps"].pop(2))
    removed, added = _changes(HAND_WRITTEN, out)
    assert added == []
    assert removed == ["      - exercise: standing-hamstring-stretch", "        hold: 30s",
                       "        # a comment inside", "        sets: 2"]


def test_deleting_the_first_step_keeps_the_comment_above_the_list(tmp_path: Path) -> None:
    out, _ = _edit(tmp_path, lambda r: r["steps"].pop(0))
    assert _changes(HAND_WRITTEN, out) == (
        ["      - {exercise: march-in-place, duration: 2m}"], [])


def test_deleting_the_last_step_keeps_the_trailing_comment(tmp_path: Path) -> None:
    out, _ = _edit(tmp_path, lambda r: r["steps"].pop())
    assert _changes(HAND_WRITTEN, out) == (
        ['      - {rest: 1m, say: "Well done."}    # the end'], [])
    assert out.endswith("      - standing-hamstring-stretch\n# trailing words\n")


def test_a_comment_after_the_first_step_survives_a_list_with_a_comment_above_it(
        tmp_path: Path) -> None:
    # ruamel 0.19 alone writes `- exercise: x hold: 30s` here (two keys on one line).
    text = HAND_WRITTEN.replace("      - {exercise: knee-to-chest,  hold: 20s}   # gentle\n", "")
    out, _ = _edit(tmp_path, lambda r: r["steps"].pop(0), text)
    assert _changes(text, out) == (["      - {exercise: march-in-place, duration: 2m}"], [])


def test_moving_a_step_up_moves_only_its_line(tmp_path: Path) -> None:
    def move(routine: dict[str, Any]) -> None:
        routine["steps"].insert(0, routine["steps"].pop(1))

    out, _ = _edit(tmp_path, move)
    removed, added = _changes(HAND_WRITTEN, out)
    assert removed == added == ["      - {exercise: knee-to-chest,  hold: 20s}   # gentle"]
    assert out.index("knee-to-chest") < out.index("march-in-place")


def test_moving_a_block_step_up_takes_the_comment_above_it_along(tmp_path: Path) -> None:
    def move(routine: dict[str, Any]) -> None:
        routine["steps"].insert(1, routine["steps"].pop(2))

    out, _ = _edit(tmp_path, move)
    removed, added = _changes(HAND_WRITTEN, out)
    assert sorted(removed) == sorted(added)
    assert len(removed) <= 5
    assert "      # the hamstring bit\n      - exercise: standing-hamstring-stretch\n" in out
    assert out.index("# the hamstring bit") < out.index("knee-to-chest")


def test_changing_the_name_is_one_line_and_keeps_its_quotes(tmp_path: Path) -> None:
    out, _ = _edit(tmp_path, lambda r: r.update(name="My long stretch"))
    assert _changes(HAND_WRITTEN, out) == (['    name: "My stretch"'],
                                           ['    name: "My long stretch"'])


def test_a_changed_value_in_a_flow_mapping_keeps_it_on_one_line(tmp_path: Path) -> None:
    out, _ = _edit(tmp_path, lambda r: r["defaults"].update(rest="20s", countdown=3))
    removed, added = _changes(HAND_WRITTEN, out)
    assert removed == ["    defaults: {get_ready: 10s,  rest: 15s}"]
    assert added == ["    defaults: {get_ready: 10s, rest: 20s, countdown: 3}"]


def test_a_new_key_goes_at_the_end_of_the_routine(tmp_path: Path) -> None:
    out, _ = _edit(tmp_path, lambda r: r.update(summary="Gentle."))
    assert _changes(HAND_WRITTEN, out) == ([], ["    summary: Gentle."])
    assert out.index("summary: Gentle.") > out.index("# the end")


@pytest.mark.parametrize("text", [
    "yes", "no", "on", "off", "Yes", "010", "0x1f", "1_000", "1:30", "0:45", "- x", "#x",
    "a: b", "a #b", "=", "<<", "~", "null", "true", "1e3", "3.0", "@at", "`tick", "%p",
    "[x]", "{x}", "it's", 'say "hi"', " lead", "trail ", "x,y", "!tag", "*star", "&amp",
    "multi\nline", "tab\there", "ünïcode ☺",
])
def test_text_reads_back_as_the_same_text(tmp_path: Path, text: str) -> None:
    def change(routine: dict[str, Any]) -> None:
        routine["summary"] = text
        routine["steps"][4]["say"] = text
        routine["steps"][2]["say"] = text

    out, _ = _edit(tmp_path, change)
    data = _reads_back(out)["routines"][0]
    assert data["summary"] == data["steps"][4]["say"] == data["steps"][2]["say"] == text


@pytest.mark.parametrize("value", [30, "30s", "1m30s", "1:30", 2.5, "0:45"])
def test_durations_are_written_as_given(tmp_path: Path, value: Any) -> None:
    out, _ = _edit(tmp_path, lambda r: r["steps"][2].update(hold=value))
    got = load(out).data["routines"][0]["steps"][2]["hold"]
    assert got == value and type(got) is type(value)
    removed, added = _changes(HAND_WRITTEN, out)
    if value != "30s":
        assert removed == ["        hold: 30s"] and len(added) == 1
    else:
        assert out == HAND_WRITTEN


def test_a_step_changed_from_an_id_to_a_mapping(tmp_path: Path) -> None:
    out, _ = _edit(tmp_path, lambda r: r["steps"].__setitem__(3, {
        "exercise": "standing-hamstring-stretch", "hold": "40s"}))
    assert _changes(HAND_WRITTEN, out) == (
        ["      - standing-hamstring-stretch"],
        ["      - {exercise: standing-hamstring-stretch, hold: 40s}"])


def test_a_block_of_steps_edited_deep_inside(tmp_path: Path) -> None:
    text = HAND_WRITTEN.replace("      - standing-hamstring-stretch\n", """\
      - block: Stretch   # twice
        repeat: 2
        steps:
          - standing-hamstring-stretch    # left then right
          - {exercise: knee-to-chest, hold: 20s}
""")
    out, _ = _edit(tmp_path, lambda r: r["steps"][3]["steps"][1].update(hold="30s"), text)
    assert _changes(text, out) == (["          - {exercise: knee-to-chest, hold: 20s}"],
                                   ["          - {exercise: knee-to-chest, hold: 30s}"])
    out, _ = _edit(tmp_path, lambda r: r["steps"][3].update(repeat=3), text)
    assert _changes(text, out) == (["        repeat: 2"], ["        repeat: 3"])


def test_a_comment_at_the_end_of_a_block_stays_in_the_block(tmp_path: Path) -> None:
    text = HAND_WRITTEN.replace("      - standing-hamstring-stretch\n", """\
      - block: Stretch
        steps:
          - standing-hamstring-stretch
          # more to come here
""")
    out, _ = _edit(tmp_path, lambda r: r["steps"].pop(4), text)
    assert _changes(text, out) == (['      - {rest: 1m, say: "Well done."}    # the end'], [])
    out, _ = _edit(tmp_path, lambda r: r["steps"][3]["steps"].append("cat-cow"), text)
    assert _changes(text, out) == ([], ["          - cat-cow"])
    assert "          - cat-cow\n          # more to come here\n" in out


def test_moving_text_written_over_two_lines_keeps_its_lines(tmp_path: Path) -> None:
    text = """\
exercises:
  - id: one
    name: One
    category: stretch
    hold: 30s
    instructions:
      - Lie on your side with a pillow under your head, knees bent,
        arms straight in front of you.
      - Sweep the top arm over.
"""
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    doc = yamledit.load_document(path)
    exercise = yamledit.plain(doc["exercises"][0])
    exercise["instructions"].reverse()
    yamledit.set_item(doc, "exercises", 0, exercise)
    out = yamledit.dump(doc)
    removed, added = _changes(text, out)
    assert removed == added == ["      - Sweep the top arm over."]
    assert _reads_back(out)["exercises"][0] == exercise


def test_a_file_indented_its_own_way_stays_indented_so(tmp_path: Path) -> None:
    text = """\
version: 1
routines:
- id: my-stretch
  name: Mine
  steps:
  - march-in-place
  - {exercise: knee-to-chest, hold: 20s}
"""
    out, _ = _edit(tmp_path, lambda r: r["steps"].append({"exercise": "cat-cow", "reps": 5}),
                   text)
    assert _changes(text, out) == ([], ["  - {exercise: cat-cow, reps: 5}"])


def test_deleting_an_exercise_leaves_one_blank_line_between_the_others(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    text = """\
exercises:
  - id: one
    name: One
    category: stretch
    hold: 30s
    safety: >-
      Careful.

  - id: two
    name: Two
    category: stretch
    hold: 30s

  - id: three
    name: Three
    category: stretch
    hold: 30s
"""
    path.write_text(text, encoding="utf-8")
    doc = yamledit.load_document(path)
    yamledit.remove_item(doc, "exercises", 1)
    out = yamledit.dump(doc)
    assert out == text.replace("  - id: two\n    name: Two\n    category: stretch\n"
                               "    hold: 30s\n\n", "")
    doc = yamledit.load_document(path)
    yamledit.remove_item(doc, "exercises", 0)
    assert yamledit.dump(doc).startswith("exercises:\n  - id: two\n")
    _reads_back(yamledit.dump(doc))


def test_a_new_routine_in_a_file_of_exercises(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    text = "# mine\nexercises:\n  - {id: one, name: One, category: stretch, hold: 30s}\n"
    path.write_text(text, encoding="utf-8")
    doc = yamledit.load_document(path)
    routine = {"id": "mine", "name": "Mine", "steps": ["one", {"exercise": "one", "hold": 40}]}
    assert yamledit.find_item(doc, "routines", "mine") is None
    assert yamledit.set_item(doc, "routines", None, routine) == 0
    out = yamledit.dump(doc)
    assert out.startswith(text)
    assert _reads_back(out)["routines"] == [routine]
    assert "routines:\n  - id: mine\n    name: Mine\n    steps:\n      - one\n" in out
    assert yamledit.find_item(doc, "routines", "mine") == 0


def test_appending_a_routine_only_adds_lines(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    doc = yamledit.load_document(path)
    routine = {"id": "second", "name": "Second", "steps": ["cat-cow"]}
    assert yamledit.set_item(doc, "routines", None, routine) == 1
    out = yamledit.dump(doc)
    removed, added = _changes(HAND_WRITTEN, out)
    assert removed == []
    assert added == ["  - id: second", "    name: Second", "    steps:", "      - cat-cow"]
    assert [r["id"] for r in _reads_back(out)["routines"]] == ["my-stretch", "second"]


def test_remove_item_removes_one_routine(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    doc = yamledit.load_document(path)
    yamledit.set_item(doc, "routines", None, {"id": "b", "name": "B", "steps": ["x"]})
    yamledit.remove_item(doc, "routines", 0)
    out = yamledit.dump(doc)
    assert [r["id"] for r in _reads_back(out)["routines"]] == ["b"]
    assert out.startswith("# My own stretches, by hand.\n")
    with pytest.raises(IndexError):
        yamledit.remove_item(doc, "routines", 5)


def test_a_new_document(tmp_path: Path) -> None:
    routine = {
        "id": "new-one", "name": "New one", "level": "beginner",
        "defaults": {"rest": "15s", "countdown": 3},
        "steps": [
            {"block": "Warm-up", "steps": [{"exercise": "march-in-place", "duration": "2m"}]},
            "knee-to-chest",
            {"interval": {"work": "20s", "rest": "10s", "rounds": 4,
                          "exercises": ["march-in-place", "step-jacks"]}},
            {"rest": "1:30", "say": "yes"},
        ],
    }
    doc = yamledit.new_document("routines", routine, "New one, made in trainer.")
    out = yamledit.dump(doc)
    assert out.startswith("# New one, made in trainer.\nversion: 1\nroutines:\n  - id: new-one\n")
    assert "    defaults: {rest: 15s, countdown: 3}\n" in out
    assert "      - block: Warm-up\n        steps:\n          - {exercise: march-in-place," in out
    data = _reads_back(out)
    assert data == {"version": 1, "routines": [routine]}
    result = read_text("new.yaml", out.encode())
    assert result.routines[0].routine.name == "New one"
    assert yamledit.find_item(doc, "routines", "new-one") == 0
    # Saved and opened again, it edits like any other file.
    path = tmp_path / "new.yaml"
    yamledit.save(path, out)
    again = yamledit.load_document(path)
    routine["name"] = "Renamed"
    yamledit.set_item(again, "routines", 0, routine)
    assert _changes(out, yamledit.dump(again)) == (["    name: New one"], ["    name: Renamed"])


def test_a_new_document_of_exercises() -> None:
    exercise = {"id": "wall-sit", "name": "Wall sit", "category": "strength", "hold": "30s",
                "muscles": ["quads", "glutes"],
                "instructions": ["Slide down a wall until your knees are bent.", "Hold."]}
    out = yamledit.dump(yamledit.new_document("exercises", exercise, "Mine"))
    assert out.startswith("# Mine\nversion: 1\nexercises:\n  - id: wall-sit\n")
    assert "    muscles: [quads, glutes]\n" in out
    assert "    instructions:\n      - Slide down a wall" in out
    assert _reads_back(out)["exercises"] == [exercise]


BUILT_IN = sorted((REPO_ROOT / "exercises").rglob("*.yaml"))


@pytest.mark.parametrize("path", BUILT_IN, ids=[p.name for p in BUILT_IN])
def test_built_in_files_round_trip_and_edit_in_place(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    doc = yamledit.load_document(path)
    kind = next(k for k in ("programs", "routines", "exercises") if k in doc)
    for index, item in enumerate(doc[kind]):
        yamledit.set_item(doc, kind, index, yamledit.plain(item))
    assert yamledit.dump(doc) == text
    item = yamledit.plain(doc[kind][0])
    item["name"] = "Renamed"
    yamledit.set_item(doc, kind, 0, item)
    removed, added = _changes(text, yamledit.dump(doc))
    assert len(removed) == 1 and added in (["    name: Renamed"], ['    name: "Renamed"'])
    _reads_back(yamledit.dump(doc))


def test_a_file_of_comments_only(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("# to do: my routines\n", encoding="utf-8")
    doc = yamledit.load_document(path)
    yamledit.set_item(doc, "routines", None, {"id": "a", "name": "A", "steps": ["x"]})
    out = yamledit.dump(doc)
    assert out.startswith("# to do: my routines\n")
    assert _reads_back(out)["routines"][0]["id"] == "a"


def test_a_file_of_comments_only_changed_in_nothing_stays_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("\n# nothing yet\n", encoding="utf-8")
    assert yamledit.dump(yamledit.load_document(path)) == "# nothing yet\n"
    path.write_text("", encoding="utf-8")
    assert yamledit.dump(yamledit.load_document(path)) == ""


def test_windows_line_ends_and_a_byte_order_mark_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + HAND_WRITTEN.replace("\n", "\r\n").encode())
    doc = yamledit.load_document(path)
    routine = yamledit.plain(doc["routines"][0])
    routine["steps"][2]["hold"] = "35s"
    yamledit.set_item(doc, "routines", 0, routine)
    out = yamledit.dump(doc)
    assert out.startswith("\ufeff# My own stretches")
    assert out.count("\r\n") == out.count("\n") == HAND_WRITTEN.count("\n")
    assert _changes(HAND_WRITTEN, out[1:].replace("\r\n", "\n")) == (
        ["        hold: 30s"], ["        hold: 35s"])
    yamledit.save(path, out)
    assert read_text("mine.yaml", path.read_bytes()).problems == []


def test_a_document_start_marker_stays(tmp_path: Path) -> None:
    text = "---\n" + HAND_WRITTEN.replace("# My own stretches, by hand.\n", "")
    out, _ = _edit(tmp_path, lambda r: r.update(level="intermediate"), text)
    assert _changes(text, out) == (["    level: 'beginner'"], ["    level: 'intermediate'"])


def test_an_exercise_with_text_blocks_edited(tmp_path: Path) -> None:
    text = """\
version: 1
exercises:
  - id: wall-sit
    name: Wall sit
    category: strength
    hold: 30s
    instructions:
      - Stand with your back to a wall.   # first
      - >-
        Slide down until your knees are bent,
        then hold.
      - Stand up slowly.
    safety: |
      Stop if your knees hurt.
      Keep your back on the wall.

  - id: other
    name: Other
    category: strength
    hold: 30s
"""
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    doc = yamledit.load_document(path)
    exercise = yamledit.plain(doc["exercises"][0])
    exercise["instructions"][2] = "Stand up slowly, using your hands."
    exercise["safety"] = "Stop if your knees hurt.\n"
    yamledit.set_item(doc, "exercises", 0, exercise)
    out = yamledit.dump(doc)
    assert _changes(text, out) == (
        ["      - Stand up slowly.", "      Keep your back on the wall."],
        ["      - Stand up slowly, using your hands."])
    assert _reads_back(out)["exercises"][0] == exercise
    exercise["instructions"].pop(0)
    yamledit.set_item(doc, "exercises", 0, exercise)
    out = yamledit.dump(doc)
    assert "    instructions:\n      - >-\n        Slide down" in out
    assert _reads_back(out)["exercises"][0] == exercise


# --- reading: what cannot be edited ------------------------------------------------------------


def test_broken_yaml_says_where(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("version: 1\nroutines:\n  - id: a\n    name: [unclosed\n", encoding="utf-8")
    with pytest.raises(EditError) as caught:
        yamledit.load_document(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:")
    line = int(message[len(str(path)) + 1:].split(":")[0])
    assert 4 <= line <= 5


def test_tabs_and_duplicate_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text("version: 1\nversion: 1\n", encoding="utf-8")
    with pytest.raises(EditError, match=r"dup\.yaml:2:"):
        yamledit.load_document(path)


@pytest.mark.parametrize("text", ["- a\n- b\n", "just words\n", "42\n"])
def test_a_file_that_is_not_a_mapping(tmp_path: Path, text: str) -> None:
    path = tmp_path / "list.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EditError, match="mapping"):
        yamledit.load_document(path)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"version: 1\nroutines:\n  - name: caf\xe9\n")
    with pytest.raises(EditError, match=r"latin\.yaml:3:1: not UTF-8"):
        yamledit.load_document(path)


def test_a_missing_file_a_folder_and_a_big_file(tmp_path: Path) -> None:
    with pytest.raises(EditError, match="cannot read"):
        yamledit.load_document(tmp_path / "missing.yaml")
    (tmp_path / "folder.yaml").mkdir()
    with pytest.raises(EditError, match="cannot read"):
        yamledit.load_document(tmp_path / "folder.yaml")
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    with pytest.raises(EditError, match="bigger"):
        yamledit.load_document(big)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            yamledit.load_document(fifo)
        except BaseException as exc:  # handed back to the test thread
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(5)
    if thread.is_alive():  # unblock it before failing
        with open(fifo, "wb"):
            pass
        pytest.fail("load_document waited on a FIFO")
    assert len(errors) == 1 and isinstance(errors[0], EditError)


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges there")
def test_a_symlink_is_not_followed(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text(HAND_WRITTEN, encoding="utf-8")
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    with pytest.raises(EditError):
        yamledit.load_document(link)


# --- writing -----------------------------------------------------------------------------------


def test_save_is_atomic_and_makes_the_folder(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "mine.yaml"
    yamledit.save(path, HAND_WRITTEN)
    assert path.read_text(encoding="utf-8") == HAND_WRITTEN
    yamledit.save(path, "version: 1\n")
    assert path.read_text(encoding="utf-8") == "version: 1\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["mine.yaml"]  # no temp file left


def test_save_refuses_what_the_library_would_not_read(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    with pytest.raises(EditError, match="larger than 1024 KiB"):
        yamledit.save(path, "#" * MAX_FILE_BYTES + "\n")
    assert path.read_text(encoding="utf-8") == HAND_WRITTEN
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.yaml"]
    yamledit.save(path, "#" * (MAX_FILE_BYTES - 1) + "\n")  # exactly the limit is fine


def test_save_into_a_file_where_a_folder_should_be(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("", encoding="utf-8")
    with pytest.raises((EditError, OSError)):
        yamledit.save(tmp_path / "file" / "mine.yaml", "version: 1\n")


def test_new_file_path_never_overwrites(tmp_path: Path) -> None:
    assert yamledit.new_file_path(tmp_path, "mine") == tmp_path / "mine.yaml"
    (tmp_path / "mine.yaml").write_text("", encoding="utf-8")
    assert yamledit.new_file_path(tmp_path, "mine") == tmp_path / "mine-2.yaml"
    (tmp_path / "mine-2.yaml").mkdir()
    (tmp_path / "mine-3.yaml").symlink_to(tmp_path / "nowhere")  # dangling: still taken
    assert yamledit.new_file_path(tmp_path, "mine") == tmp_path / "mine-4.yaml"
    assert yamledit.new_file_path(tmp_path / "absent", "x") == tmp_path / "absent" / "x.yaml"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_saved_file_keeps_its_permissions_and_a_new_one_follows_the_umask(
        tmp_path: Path) -> None:
    import stat

    from trainer import paths

    new = tmp_path / "lib" / "new.yaml"
    yamledit.save(new, "version: 1\n")
    # A routine kept in git is as readable as any file its owner makes (not mkstemp's 0600).
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~paths._umask()
    assert paths._umask() == os.umask(paths._umask())  # the process's own
    new.chmod(0o640)
    yamledit.save(new, "version: 1\nexercises: []\n")
    assert stat.S_IMODE(new.stat().st_mode) == 0o640
