"""Loading library files: every problem kind at its exact file:line:col, isolation and caching."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from conftest import WriteYaml

from trainer.library import loader as library
from trainer.library.loader import MAX_FILE_BYTES
from trainer.library.problems import Problem
from trainer.library.sources import Source
from trainer.session.catalog import Catalog, CatalogLoader, load_catalog

BASE = """
version: 1
exercises:
  - id: knee-hug
    name: Knee hug
    category: stretch
    sides: each
    hold: 20s
  - id: squat
    name: Squat
    category: strength
    reps: 10
  - id: march
    name: March
    category: aerobic
    duration: 1m
"""


def load(*folders: Path, loader: CatalogLoader | None = None) -> Catalog:
    """Load the given folders (or files) as library sources, in order."""
    return (loader or CatalogLoader()).load([Source("library", f) for f in folders])


def problems_in(lib: Catalog, path: Path) -> list[Problem]:
    """The problems reported for one file."""
    return [p for p in lib.problems if p.path == str(path)]


@pytest.fixture
def folder(tmp_path: Path, write_yaml: WriteYaml) -> Path:
    """A library folder holding the good BASE exercises as base.yaml."""
    lib_dir = tmp_path / "lib"
    write_yaml("base.yaml", BASE, lib_dir)
    return lib_dir


# -- loading --------------------------------------------------------------------------------


def test_good_files_load_exercises_and_routines(folder: Path, write_yaml: WriteYaml) -> None:
    write_yaml("routines/mine.yaml", """
        version: 1
        routines:
          - id: morning
            name: Morning
            steps:
              - march
              - {exercise: squat, sets: 2, reps: 8}
    """, folder)
    lib = load(folder)
    assert lib.problems == []
    assert set(lib.exercises) == {"knee-hug", "squat", "march"}
    assert lib.exercises["knee-hug"].hold == 20.0
    assert lib.exercises["march"].duration == 60.0
    assert set(lib.routines) == {"morning"}
    assert lib.timeline("morning").phases[-1].kind == "done"
    assert str(lib.origins[("routine", "morning")]).endswith("mine.yaml:3:5")


def test_yaml_duration_forms_load(folder: Path, write_yaml: WriteYaml) -> None:
    write_yaml("forms.yaml", """
        version: 1
        exercises:
          - {id: a, name: A, category: stretch, hold: 1:30}
          - {id: b, name: B, category: stretch, hold: 0:45}
          - {id: c, name: C, category: stretch, hold: 1m30s}
          - {id: d, name: D, category: stretch, hold: 45}
    """, folder)
    lib = load(folder)
    assert lib.problems == []
    assert [lib.exercises[i].hold for i in "abcd"] == [90.0, 45.0, 90.0, 45.0]


def test_empty_file_and_hidden_files_are_fine(folder: Path, write_yaml: WriteYaml) -> None:
    write_yaml("empty.yaml", "# nothing yet\n", folder)
    write_yaml(".hidden.yaml", "this: [is broken\n", folder)
    write_yaml("notes.txt", "this: [is broken\n", folder)
    lib = load(folder)
    assert lib.problems == []
    assert len(lib.exercises) == 3


def test_missing_library_folder_is_a_problem(tmp_path: Path) -> None:
    lib = load(tmp_path / "nope")
    assert [(p.line, p.col, p.message) for p in lib.problems] == [(1, 1, "no such file or folder")]


def test_problem_prints_as_path_line_col() -> None:
    problem = Problem("lib/a.yaml", 7, 5, "unknown key 'musles'", "did you mean 'muscles'?")
    assert str(problem) == "lib/a.yaml:7:5: unknown key 'musles' (did you mean 'muscles'?)"


# -- every problem kind, with its exact position ------------------------------------------------

EX_HEAD = "version: 1\nexercises:\n  - id: lunge\n    name: Lunge\n    category: strength\n"
ROUTINE_HEAD = "version: 1\nroutines:\n  - id: r\n    name: R\n    steps:\n"

CASES: list[tuple[str, str | bytes, int, int, str, str]] = [
    # id, file content, line, col, message fragment, hint fragment
    ("yaml-syntax", "version: 1\nexercises:\n  - id: a: b\n", 3, 10, "YAML syntax", ""),
    ("yaml-tab", "version: 1\nexercises:\n\t- id: a\n", 3, 1, "YAML syntax", ""),
    ("duplicate-key", EX_HEAD + "    reps: 10\n    name: Lunge again\n", 7, 5,
     "duplicate key 'name'", "first at line 4"),
    ("python-object-tag-mapping", "version: 1\nexercises:\n  - !!python/object:os.system\n"
     "    id: lunge\n", 3, 5, "unsupported value type", ""),
    ("python-name-tag-scalar", EX_HEAD + "    reps: !!python/name:os.system ''\n", 6, 11,
     "unsupported value type", ""),
    ("set-tag", "version: 1\nexercises: !!set {a, b}\n", 2, 12, "unsupported value type 'set'",
     ""),
    ("merge-key", "version: 1\nexercises:\n  - &x {id: a}\n  - <<: *x\n", 4, 5,
     "merge keys", ""),
    ("non-text-key", "version: 1\n1: x\n", 2, 1, "keys must be plain text", ""),
    ("not-a-mapping", "- a\n- b\n", 1, 1, "expected a mapping", ""),
    ("unknown-top-key", "version: 1\nexercise: []\n", 2, 1, "unknown key 'exercise'",
     "did you mean 'exercises'?"),
    ("exercises-not-a-list", "version: 1\nexercises: {a: 1}\n", 2, 12,
     "'exercises' must be a list", ""),
    ("unknown-key", EX_HEAD + "    reps: 10\n    musles: [quads]\n", 7, 5,
     "unknown key 'musles'", "did you mean 'muscles'?"),
    ("wrong-type-number", EX_HEAD + "    reps: 10\n    sets: two\n", 7, 11,
     "sets: expected a whole number, got 'two'", ""),
    ("wrong-type-list", EX_HEAD + "    reps: 10\n    muscles: quads\n", 7, 14,
     "muscles: expected a list", ""),
    ("wrong-type-text", EX_HEAD + "    reps: 10\n    summary: [a, b]\n", 7, 14,
     "summary: expected text", ""),
    ("float-count", EX_HEAD + "    reps: 2.5\n", 6, 11, "reps: expected a whole number", ""),
    ("bool-duration", EX_HEAD + "    hold: yes\n", 6, 11, "got true", ""),
    ("bad-duration", EX_HEAD + "    hold: 5 minutes\n", 6, 11, "'5 minutes' is not a duration",
     ""),
    ("zero-duration", EX_HEAD + "    hold: 0\n", 6, 11, "longer than zero", ""),
    ("negative-duration", EX_HEAD + "    hold: -5\n", 6, 11, "cannot be negative", ""),
    ("infinite-duration", EX_HEAD + "    hold: .inf\n", 6, 11, "3h limit", ""),
    ("duration-over-limit", EX_HEAD + "    duration: 4h\n", 6, 15, "4h is longer than the 3h limit",
     ""),
    ("bad-category", "version: 1\nexercises:\n  - id: a\n    name: A\n    category: strech\n"
     "    hold: 5\n", 5, 15, "not one of", "did you mean 'stretch'?"),
    ("bad-sides", EX_HEAD + "    reps: 10\n    sides: both\n", 7, 12, "sides: 'both' is not one of",
     ""),
    ("hold-and-reps", EX_HEAD + "    hold: 30s\n    reps: 10\n", 7, 5,
     "contradictory timing: both hold and reps", "give one of"),
    ("tempo-with-hold", EX_HEAD + "    hold: 30s\n    tempo: 2s\n", 7, 5,
     "tempo goes with reps, not hold", ""),
    ("no-timing", EX_HEAD, 3, 5, "exercise 'lunge' has no timing", "give one of"),
    ("sets-zero", EX_HEAD + "    reps: 10\n    sets: 0\n", 7, 11, "sets must be at least 1, got 0",
     ""),
    ("reps-too-many", EX_HEAD + "    reps: 500\n", 6, 11, "reps must be at most 200", ""),
    ("bad-id-slug", "version: 1\nexercises:\n  - id: Bad_Id\n    name: A\n    category: stretch\n"
     "    hold: 5\n", 3, 9, "'Bad_Id' is not a valid id", "lowercase letters"),
    ("missing-name", "version: 1\nexercises:\n  - id: a\n    category: stretch\n    hold: 5\n",
     3, 5, "missing required key 'name'", ""),
    ("empty-name", EX_HEAD.replace("name: Lunge", "name: '  '") + "    reps: 10\n", 4, 11,
     "name must not be empty", ""),
    ("unsupported-version", "version: 2\nexercises: []\n", 1, 10,
     "unsupported format version 2", "reads version 1"),
    ("routine-missing-steps", "version: 1\nroutines:\n  - id: r\n    name: R\n", 3, 5,
     "missing required key 'steps'", ""),
    ("repeat-1000", ROUTINE_HEAD + "      - block: Main\n        repeat: 1000\n"
     "        steps: [squat]\n", 7, 17, "repeat must be at most 50, got 1000", ""),
    ("rounds-zero", ROUTINE_HEAD + "      - interval: {work: 20s, rounds: 0, exercises: [march]}\n",
     6, 39, "rounds must be at least 1, got 0", ""),
    ("countdown-11", "version: 1\nroutines:\n  - id: r\n    name: R\n"
     "    defaults: {countdown: 11}\n    steps: [squat]\n", 5, 27, "countdown must be at most 10",
     ""),
    ("unknown-step-kind", ROUTINE_HEAD + "      - {exercize: squat}\n", 6, 9,
     "a step needs one of the keys", "did you mean 'exercise'?"),
    ("step-hold-and-reps", ROUTINE_HEAD + "      - {exercise: squat, hold: 5s, reps: 3}\n", 6, 37,
     "contradictory timing: both hold and reps", ""),
    ("step-tempo-on-held-exercise", ROUTINE_HEAD + "      - {exercise: knee-hug, tempo: 2s}\n",
     6, 30, "tempo goes with reps", "'knee-hug' is timed by hold"),
    ("unknown-exercise", ROUTINE_HEAD + "      - knee-hugg\n", 6, 9, "unknown exercise 'knee-hugg'",
     "did you mean 'knee-hug'?"),
    ("unknown-exercise-in-block", ROUTINE_HEAD + "      - block: B\n        steps:\n"
     "          - {exercise: sqaut, sets: 2}\n", 8, 24, "unknown exercise 'sqaut'",
     "did you mean 'squat'?"),
    ("unknown-exercise-in-interval", ROUTINE_HEAD +
     "      - interval: {work: 20s, rounds: 2, exercises: [march, sqat]}\n", 6, 61,
     "unknown exercise 'sqat'", "did you mean 'squat'?"),
    ("duplicate-id-in-source", "version: 1\nexercises:\n  - id: knee-hug\n    name: Again\n"
     "    category: stretch\n    hold: 5\n", 3, 5, "duplicate exercise id 'knee-hug'",
     "base.yaml:3:5"),
    ("routine-too-many-phases", ROUTINE_HEAD + "      - block: Main\n        repeat: 50\n"
     "        steps:\n          - interval: {work: 5s, rounds: 100, exercises: [march]}\n",
     3, 5, "more than 2000 phases", "lower repeat, rounds or sets"),
    ("routine-too-long", ROUTINE_HEAD + "      - block: Main\n        repeat: 3\n        steps:\n"
     "          - {exercise: knee-hug, hold: 3h}\n", 3, 5, "routine lasts 18h", "shorter routines"),
    ("not-utf8", b"version: 1\n# caf\xe9\n", 2, 1, "not UTF-8", ""),
    ("file-too-large", b"# " + b"x" * MAX_FILE_BYTES + b"\n", 1, 1, "larger than 1024 KiB", ""),
    ("too-deep", "version: 1\nexercises:\n  - id: x\n    muscles: " + "[" * 30 + "]" * 30 + "\n",
     4, 36, "nested too deeply", ""),
    ("too-many-aliases", "version: 1\nx: &a [1]\ny: [" + ", ".join(["*a"] * 201) + "]\n", 2, 4,
     "too many aliases", ""),
]


@pytest.mark.parametrize(("content", "line", "col", "message", "hint"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_problem_kind_at_its_position(folder: Path, write_yaml: WriteYaml,
                                           content: str | bytes, line: int, col: int,
                                           message: str, hint: str) -> None:
    case = write_yaml("case.yaml", content, folder)
    lib = load(folder)
    found = problems_in(lib, case)
    assert len(found) == 1, [str(p) for p in lib.problems]
    problem = found[0]
    assert (problem.line, problem.col) == (line, col), str(problem)
    assert message in problem.message
    assert hint in problem.hint
    assert str(problem).startswith(f"{case}:{line}:{col}: ")
    # The good file next to it still loads.
    assert problems_in(lib, folder / "base.yaml") == []
    assert {"knee-hug", "squat", "march"} <= set(lib.exercises)


def test_billion_laughs_is_rejected_quickly(folder: Path, write_yaml: WriteYaml) -> None:
    rows = ["lol: &a [" + ", ".join(['"lol"'] * 9) + "]"]
    for i in range(1, 10):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        rows.append(f"l{i}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    case = write_yaml("laughs.yaml", "\n".join(rows) + "\n", folder)
    started = time.perf_counter()
    lib = load(folder)
    assert time.perf_counter() - started < 2.0
    assert [p.message for p in problems_in(lib, case)] == ["too many aliases (limit 200)"]


def test_routine_using_a_broken_exercise_points_at_its_problems(folder: Path,
                                                                write_yaml: WriteYaml) -> None:
    broken = write_yaml("broken.yaml", EX_HEAD + "    hold: 5 minutes\n", folder)
    routine = write_yaml("routine.yaml", ROUTINE_HEAD + "      - lunge\n", folder)
    lib = load(folder)
    assert [(p.line, p.col) for p in problems_in(lib, broken)] == [(6, 11)]
    [problem] = problems_in(lib, routine)
    assert (problem.line, problem.col, problem.message) == (6, 9, "exercise 'lunge' has problems")
    assert "r" not in lib.routines


# -- all problems at once; bad never stops good -------------------------------------------------


def test_all_problems_from_several_files_at_once(folder: Path, write_yaml: WriteYaml) -> None:
    one = write_yaml("one.yaml", EX_HEAD + "    hold: 30s\n    musles: [a]\n", folder)
    two = write_yaml("sub/two.yaml", "version: 1\nexercises:\n  - id: a: b\n", folder)
    three = write_yaml("three.yaml", ROUTINE_HEAD + "      - knee-hugg\n      - sqat\n", folder)
    four = write_yaml("four.yaml", ROUTINE_HEAD + "      - {exercise: march, sets: 0}\n", folder)
    lib = load(folder)
    assert [(p.path, p.line, p.col) for p in lib.problems] == sorted([
        (str(one), 7, 5),     # unknown key
        (str(two), 3, 10),    # YAML syntax
        (str(three), 6, 9),   # unknown exercise
        (str(three), 7, 9),   # unknown exercise
        (str(four), 6, 33),   # sets: 0
    ])
    assert {"knee-hug", "squat", "march"} <= set(lib.exercises)


def test_every_problem_in_one_item_is_reported(folder: Path, write_yaml: WriteYaml) -> None:
    case = write_yaml("case.yaml", """
        version: 1
        exercises:
          - id: Bad_Id
            name: A
            category: strech
            hold: 5 minutes
            musles: [a]
    """, folder)
    lib = load(folder)
    assert sorted((p.line, p.col) for p in problems_in(lib, case)) == [
        (3, 9), (5, 15), (6, 11), (7, 5)]


def test_unknown_references_are_all_reported(folder: Path, write_yaml: WriteYaml) -> None:
    case = write_yaml("case.yaml", ROUTINE_HEAD + "      - knee-hugg\n      - sqat\n", folder)
    lib = load(folder)
    assert [(p.line, p.col, p.hint) for p in problems_in(lib, case)] == [
        (6, 9, "did you mean 'knee-hug'?"), (7, 9, "did you mean 'squat'?")]


def test_bad_file_never_stops_good_files(folder: Path, write_yaml: WriteYaml) -> None:
    write_yaml("a-broken.yaml", "version: 1\nexercises: [\n", folder)
    write_yaml("b-bytes.yaml", b"\xff\xfe\x00garbage", folder)
    write_yaml("c-good.yaml", """
        version: 1
        routines:
          - id: easy
            name: Easy
            steps: [knee-hug, march]
    """, folder)
    lib = load(folder)
    assert len(lib.problems) == 2
    assert set(lib.routines) == {"easy"}
    assert {"knee-hug", "squat", "march"} <= set(lib.exercises)


def test_bad_routine_or_exercise_never_stops_good_ones_in_the_same_file(
        folder: Path, write_yaml: WriteYaml) -> None:
    case = write_yaml("case.yaml", """
        version: 1
        exercises:
          - {id: plank, name: Plank, category: strength, hold: 30s}
          - {id: bad, name: Bad, category: strength, hold: 30s, reps: 5}
          - {id: wall-sit, name: Wall sit, category: strength, hold: 45s}
        routines:
          - id: broken
            name: Broken
            steps: [plank, nope]
          - id: core
            name: Core
            steps: [plank, wall-sit]
          - id: too-big
            name: Too big
            steps:
              - block: B
                repeat: 50
                steps:
                  - interval: {work: 5s, rounds: 100, exercises: [plank]}
          - id: legs
            name: Legs
            steps: [squat, {exercise: wall-sit, hold: 1m}]
    """, folder)
    lib = load(folder)
    assert [p.line for p in problems_in(lib, case)] == [4, 9, 13]
    assert {"plank", "wall-sit"} <= set(lib.exercises)
    assert "bad" not in lib.exercises
    assert set(lib.routines) == {"core", "legs"}


# -- overrides ----------------------------------------------------------------------------------


def test_later_source_overrides_by_id_with_exactly_one_note(tmp_path: Path,
                                                            write_yaml: WriteYaml) -> None:
    builtin = tmp_path / "builtin"
    user = tmp_path / "user"
    write_yaml("base.yaml", BASE, builtin)
    mine = write_yaml("mine.yaml", """
        version: 1
        exercises:
          - {id: squat, name: My squat, category: strength, reps: 15}
    """, user)
    lib = CatalogLoader().load([Source("built-in", builtin), Source("user", user)])
    assert lib.problems == []
    assert lib.exercises["squat"].name == "My squat"
    assert lib.exercises["squat"].reps == 15
    assert len(lib.notes) == 1
    note = lib.notes[0]
    assert note.startswith(f"{mine}:3:5: user exercise 'squat' overrides the built-in one at ")
    assert note.endswith("base.yaml:8:5")


def test_user_library_overrides_a_built_in_routine(isolated_dirs: dict[str, Path],
                                                   write_yaml: WriteYaml) -> None:
    user_lib = isolated_dirs["config"] / "library"
    write_yaml("mine.yaml", """
        version: 1
        exercises:
          - {id: my-stretch, name: My stretch, category: stretch, hold: 10s}
        routines:
          - id: quick-test
            name: My quick test
            steps: [my-stretch]
    """, user_lib)
    lib = load_catalog()
    assert lib.problems == []
    assert lib.routines["quick-test"].name == "My quick test"
    overrides = [n for n in lib.notes if "'quick-test'" in n]
    assert len(overrides) == 1
    assert "user routine 'quick-test' overrides the built-in one" in overrides[0]
    assert len(lib.notes) == 1


def test_trainer_library_env_and_extra_folders_are_loaded(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path,
                                                          write_yaml: WriteYaml) -> None:
    env_lib, extra = tmp_path / "env", tmp_path / "extra"
    write_yaml("a.yaml", "version: 1\nexercises:\n  - {id: env-one, name: E, category: stretch, "
               "hold: 5}\n", env_lib)
    write_yaml("b.yaml", "version: 1\nexercises:\n  - {id: extra-one, name: X, category: stretch, "
               "hold: 5}\n", extra)
    monkeypatch.setenv("TRAINER_LIBRARY", str(env_lib))
    lib = load_catalog([extra])
    assert lib.problems == []
    assert {"env-one", "extra-one"} <= set(lib.exercises)
    assert "quick-test" in lib.routines


def test_same_id_twice_in_one_source_is_not_an_override(folder: Path,
                                                        write_yaml: WriteYaml) -> None:
    write_yaml("zz-again.yaml", "version: 1\nexercises:\n  - {id: squat, name: Other, "
               "category: strength, reps: 3}\n", folder)
    lib = load(folder)
    assert lib.notes == []
    assert lib.exercises["squat"].name == "Squat"
    assert [p.message for p in lib.problems] == ["duplicate exercise id 'squat'"]


# -- the cache ----------------------------------------------------------------------------------


def _snapshot(lib: Catalog) -> tuple[object, ...]:
    """Everything a user could see of a library."""
    return (lib.exercises, lib.routines, lib.timelines, lib.problems, lib.notes, lib.files)


def test_repeat_load_of_unchanged_files_is_identical_and_not_reparsed(
        folder: Path, write_yaml: WriteYaml, monkeypatch: pytest.MonkeyPatch) -> None:
    write_yaml("r.yaml", ROUTINE_HEAD + "      - knee-hug\n      - nope\n", folder)
    old = time.time_ns() - 3600 * 10**9
    for path in folder.rglob("*.yaml"):
        os.utime(path, ns=(old, old))
    loader = CatalogLoader()
    first = load(folder, loader=loader)
    parsed: list[str] = []
    real = library.read_text
    monkeypatch.setattr(library, "read_text",
                        lambda name, *a, **k: parsed.append(name) or real(name, *a, **k))
    second = load(folder, loader=loader)
    assert _snapshot(second) == _snapshot(first)
    assert len(first.problems) == 1
    assert parsed == []


@pytest.mark.parametrize("age", ["just-written", "hour-old"])
def test_changed_file_with_same_size_and_mtime_is_reread(folder: Path, write_yaml: WriteYaml,
                                                         age: str) -> None:
    path = write_yaml("mine.yaml", "version: 1\nexercises:\n  - {id: plank, name: Plank A, "
                      "category: strength, hold: 30s}\n", folder)
    mtime = path.stat().st_mtime_ns if age == "just-written" else time.time_ns() - 3600 * 10**9
    os.utime(path, ns=(mtime, mtime))
    loader = CatalogLoader()
    assert load(folder, loader=loader).exercises["plank"].name == "Plank A"
    before = path.stat().st_size
    path.write_text(path.read_text().replace("Plank A", "Plank B"))
    os.utime(path, ns=(mtime, mtime))
    assert path.stat().st_size == before
    assert path.stat().st_mtime_ns == mtime
    assert load(folder, loader=loader).exercises["plank"].name == "Plank B"


def test_fresh_change_is_seen_even_if_every_stat_field_is_unchanged(
        folder: Path, write_yaml: WriteYaml, monkeypatch: pytest.MonkeyPatch) -> None:
    # A coarse-timestamp filesystem can report the same size, times and inode after a rewrite.
    path = write_yaml("mine.yaml", "version: 1\nexercises:\n  - {id: plank, name: Plank A, "
                      "category: strength, hold: 30s}\n", folder)
    frozen = path.stat()
    real_stat = Path.stat

    def stat(self: Path, **kwargs: object) -> os.stat_result:
        return frozen if self == path else real_stat(self, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "stat", stat)
    loader = CatalogLoader()
    assert load(folder, loader=loader).exercises["plank"].name == "Plank A"
    path.write_text(path.read_text().replace("Plank A", "Plank B"))
    assert load(folder, loader=loader).exercises["plank"].name == "Plank B"


def test_fixing_a_file_clears_its_problem(folder: Path, write_yaml: WriteYaml) -> None:
    path = write_yaml("mine.yaml", EX_HEAD + "    hold: 5 minutes\n", folder)
    loader = CatalogLoader()
    assert len(load(folder, loader=loader).problems) == 1
    path.write_text(EX_HEAD + "    hold: 5m\n")
    lib = load(folder, loader=loader)
    assert lib.problems == []
    assert lib.exercises["lunge"].hold == 300.0


def test_cached_file_still_sees_changes_in_other_files(folder: Path,
                                                       write_yaml: WriteYaml) -> None:
    # References are checked against the merged library on every load, not cached per file.
    write_yaml("r.yaml", ROUTINE_HEAD + "      - lunge\n", folder)
    loader = CatalogLoader()
    assert "r" not in load(folder, loader=loader).routines
    write_yaml("lunge.yaml", EX_HEAD + "    reps: 10\n", folder)
    lib = load(folder, loader=loader)
    assert lib.problems == []
    assert "r" in lib.routines


def test_a_routine_with_other_mistakes_still_has_its_unknown_ids_reported(
        folder: Path, write_yaml: WriteYaml) -> None:
    routine = write_yaml("routine.yaml", ROUTINE_HEAD
                         + "      - {exercise: knee-hugg, holdd: 20s}\n"
                         + "      - block: B\n        steps: [sqat]\n", folder)
    messages = [(p.line, p.message, p.hint) for p in problems_in(load(folder), routine)]
    assert messages == [
        (6, "unknown exercise 'knee-hugg'", "did you mean 'knee-hug'?"),
        (6, "unknown key 'holdd'", "did you mean 'hold'?"),
        (8, "unknown exercise 'sqat'", "did you mean 'squat'?"),
    ]
