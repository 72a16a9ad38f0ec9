"""The `trainer` command, run as `python -m trainer` in a subprocess from a temp folder."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import WriteYaml, run_trainer

import trainer

GOOD = """
version: 1
exercises:
  - {id: cat-stretch, name: Cat stretch, category: stretch, hold: 20s}
  - {id: wall-push, name: Wall push-up, category: strength, reps: 10}
routines:
  - id: my-routine
    name: My routine
    steps: [cat-stretch, {exercise: wall-push, sets: 2}]
"""

BROKEN = """
version: 1
exercises:
  - id: Bad_Id
    name: Broken
    category: strech
    hold: 5 minutes
  - {id: fine, name: Fine, category: stretch, hold: 10s, musles: [a]}
routines:
  - id: uses-unknown
    name: Uses unknown
    steps: [cat-strech]
"""


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    """An empty working folder for the subprocess."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    return folder


def test_validate_builtin_library_is_ok(cwd: Path) -> None:
    result = run_trainer("validate", cwd=cwd)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    assert re.fullmatch(r"ok: \d+ exercises, \d+ routines and \d+ programs in \d+ files?, "
                        r"no problems", lines[0])
    assert "Traceback" not in result.stderr


def test_validate_broken_file_lists_every_problem_as_path_line_col(
        cwd: Path, write_yaml: WriteYaml) -> None:
    write_yaml("broken.yaml", BROKEN, cwd)
    result = run_trainer("validate", "broken.yaml", cwd=cwd)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 5
    for line in lines:
        assert re.match(r"broken\.yaml:\d+:\d+: \S", line), line
    positions = [tuple(map(int, line.split(":")[1:3])) for line in lines]
    assert positions == [(3, 9), (5, 15), (6, 11), (7, 58), (11, 13)]
    assert "did you mean 'stretch'?" in lines[1]
    assert "unknown exercise 'cat-strech'" in lines[4]
    assert "5 problems in 1 file" in result.stderr


def test_validate_folder_reports_all_files_and_unknown_references(
        cwd: Path, write_yaml: WriteYaml) -> None:
    folder = cwd / "lib"
    write_yaml("good.yaml", GOOD, folder)
    write_yaml("refs.yaml", "version: 1\nroutines:\n  - id: r\n    name: R\n"
               "    steps: [cat-strech]\n", folder)
    write_yaml("syntax.yaml", "version: 1\nexercises: [\n", folder)
    result = run_trainer("validate", str(folder), cwd=cwd)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stdout.strip().splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [
        f"{folder / 'refs.yaml'}:5:13", f"{folder / 'syntax.yaml'}:3:1"]
    assert "unknown exercise 'cat-strech' (did you mean 'cat-stretch'?)" in lines[0]


def test_validate_hostile_and_binary_files_never_crash(cwd: Path, write_yaml: WriteYaml) -> None:
    rows = ["a: &a [" + ", ".join(["x"] * 9) + "]"]
    rows += [f"{c}: &{c} [" + ", ".join([f"*{p}"] * 9) + "]"
             for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
    write_yaml("laughs.yaml", "\n".join(rows) + "\n", cwd)
    write_yaml("binary.yaml", bytes(range(256)), cwd)
    write_yaml("python.yaml", "version: 1\nexercises:\n  - !!python/object/apply:os.system "
               "['echo hacked']\n", cwd)
    result = run_trainer("validate", "laughs.yaml", "binary.yaml", "python.yaml", cwd=cwd)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "hacked" not in result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 3
    assert all(re.match(r"\w+\.yaml:\d+:\d+: ", line) for line in lines)


def test_list_still_shows_the_good_file_next_to_a_broken_one(cwd: Path,
                                                             write_yaml: WriteYaml) -> None:
    folder = cwd / "lib"
    write_yaml("good.yaml", GOOD, folder)
    write_yaml("broken.yaml", BROKEN, folder)
    result = run_trainer("list", "--library", str(folder), "--json", cwd=cwd)
    assert result.returncode == 0
    assert "Traceback" not in result.stderr
    data = json.loads(result.stdout)
    exercises = {e["id"]: e for e in data["exercises"]}
    routines = {r["id"]: r for r in data["routines"]}
    assert {"cat-stretch", "wall-push"} <= set(exercises)
    assert "my-routine" in routines
    assert exercises["cat-stretch"]["file"] == str(folder / "good.yaml")
    assert routines["my-routine"]["file"] == str(folder / "good.yaml")
    assert "uses-unknown" not in routines
    assert "problems in the library" in result.stderr


def test_list_library_option_works_after_the_subcommand_and_with_env(
        cwd: Path, write_yaml: WriteYaml) -> None:
    folder = cwd / "lib"
    write_yaml("good.yaml", GOOD, folder)
    by_option = run_trainer("list", "routines", "--json", "--library", str(folder), cwd=cwd)
    by_env = run_trainer("list", "routines", "--json", cwd=cwd,
                         env={"TRAINER_LIBRARY": str(folder)})
    for result in (by_option, by_env):
        assert result.returncode == 0, result.stderr
        assert "my-routine" in {r["id"] for r in json.loads(result.stdout)}


def test_list_routines_json(cwd: Path) -> None:
    result = run_trainer("list", "routines", "--json", cwd=cwd)
    assert result.returncode == 0
    routines = json.loads(result.stdout)
    assert isinstance(routines, list)
    by_id = {r["id"]: r for r in routines}
    assert "quick-test" in by_id
    quick = by_id["quick-test"]
    assert {"id", "name", "level", "summary", "total", "phases", "categories", "file"} <= set(quick)
    assert quick["total"] > 0
    assert Path(quick["file"]).is_file()


def test_list_exercises_by_category(cwd: Path, write_yaml: WriteYaml) -> None:
    folder = cwd / "lib"
    write_yaml("good.yaml", GOOD, folder)
    result = run_trainer("list", "exercises", "--category", "stretch", "--json",
                         "--library", str(folder), cwd=cwd)
    assert result.returncode == 0
    exercises = json.loads(result.stdout)
    assert {e["category"] for e in exercises} == {"stretch"}
    ids = {e["id"] for e in exercises}
    assert "cat-stretch" in ids
    assert "wall-push" not in ids


def test_list_as_text(cwd: Path, write_yaml: WriteYaml) -> None:
    folder = cwd / "lib"
    write_yaml("good.yaml", GOOD, folder)
    result = run_trainer("list", "--library", str(folder), cwd=cwd)
    assert result.returncode == 0
    assert "my-routine" in result.stdout
    assert "cat-stretch" in result.stdout


def test_show_json(cwd: Path) -> None:
    result = run_trainer("show", "quick-test", "--json", cwd=cwd)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"routine", "name", "total", "phases"} <= set(data)
    assert data["routine"] == "quick-test"
    phases = data["phases"]
    assert phases[-1]["kind"] == "done"
    assert data["total"] == phases[-1]["start"]
    for phase in phases:
        assert {"kind", "start", "duration", "estimate", "title", "cues"} <= set(phase)
        for cue in phase["cues"]:
            assert {"at", "kind", "value"} <= set(cue)
            assert phase["start"] <= cue["at"] <= phase["start"] + phase["estimate"]


def test_show_text_has_offsets_and_total(cwd: Path, write_yaml: WriteYaml) -> None:
    folder = cwd / "lib"
    write_yaml("good.yaml", GOOD, folder)
    result = run_trainer("show", "my-routine", "--library", str(folder), cwd=cwd)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("My routine (my-routine): ")
    assert any(line.split()[:3] == ["0:00", "10s", "get_ready"] for line in lines)
    assert lines[-1].startswith("Total ")


def test_unknown_routine_suggests_the_close_id(cwd: Path) -> None:
    result = run_trainer("show", "quick-tset", cwd=cwd)
    assert result.returncode == 1
    assert "no routine 'quick-tset'" in result.stderr
    assert "did you mean 'quick-test'?" in result.stderr
    assert "Traceback" not in result.stderr


def test_version(cwd: Path) -> None:
    result = run_trainer("--version", cwd=cwd)
    assert result.returncode == 0
    assert result.stdout.strip() == f"trainer {trainer.__version__}"


def test_the_override_note_is_said_by_validate_only(cwd: Path, write_yaml: WriteYaml) -> None:
    folder = cwd / "lib"
    write_yaml("mine.yaml", """
        version: 1
        exercises:
          - {id: my-stretch, name: My stretch, category: stretch, hold: 10s}
        routines:
          - {id: quick-test, name: Mine, steps: [my-stretch]}
    """, folder)
    result = run_trainer("show", "quick-test", "--json", "--library", str(folder), cwd=cwd)
    assert result.returncode == 0
    assert json.loads(result.stdout)["name"] == "Mine"
    assert result.stderr == ""  # meant, so not repeated on every run
    result = run_trainer("list", "--library", str(folder), cwd=cwd)
    assert result.returncode == 0 and "quick-test" in result.stdout
    assert result.stderr == ""
    result = run_trainer("validate", "--library", str(folder), cwd=cwd)
    assert result.returncode == 0
    notes = [line for line in result.stderr.splitlines() if "'quick-test'" in line]
    assert len(notes) == 1
    assert notes[0].startswith(f"note: {folder / 'mine.yaml'}:5:5: ")


def test_validate_says_plainly_that_a_path_does_not_exist(
        cwd: Path, write_yaml: WriteYaml) -> None:
    result = run_trainer("validate", "missing.yaml", cwd=cwd)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == "trainer: missing.yaml: no such file or folder\n"
    write_yaml("good.yaml", GOOD, cwd)
    result = run_trainer("validate", "good.yaml", "gone.yaml", cwd=cwd)
    assert result.returncode == 1  # the file that is there is still checked
    assert result.stdout.startswith("ok: ")
    assert result.stderr == "trainer: gone.yaml: no such file or folder\n"
    (cwd / "gone.yaml").symlink_to(cwd / "nowhere.yaml")  # the loader says where it leads
    result = run_trainer("validate", "gone.yaml", cwd=cwd)
    assert result.returncode == 1
    assert result.stdout.startswith("gone.yaml:1:1: symlink to ")
