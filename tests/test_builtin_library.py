"""The built-in library: it validates, covers every category, and keeps the promises it makes."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from trainer import paths
from trainer.cli.main import main
from trainer.library.vocabulary import CATEGORIES
from trainer.session.catalog import Catalog, load_catalog

# Exercises deliberately used by no built-in routine. Keep it small, and list each one in the
# "standalone" comment at the top of its exercises file as well. Today every exercise is used.
STANDALONE: frozenset[str] = frozenset()

MIN_EXERCISES = 40
MIN_PER_CATEGORY = {"stretch": 10, "strength": 10, "aerobic": 6, "mobility": 6, "posture": 5}
MIN_ROUTINES = 8
TOLERANCE = 0.10
# Ids that other code and tests rely on.
KEPT_EXERCISES = {
    "standing-hamstring-stretch", "knee-to-chest", "glute-bridge", "bird-dog", "march-in-place",
    "step-jacks", "high-knees", "chin-tuck", "shoulder-blade-squeeze",
}
KEPT_ROUTINES = {"desk-break", "back-knee-relief", "quick-test"}
# Routines that come as a beginner and an intermediate version: "start slowly, increase gradually".
PROGRESSIONS = ("strength", "cardio")
# The time a routine promises in its name or summary, e.g. "(15 min)" or "(30 s)".
PROMISE = re.compile(r"\((\d+)\s*(min|s)\)")
# Health wording: say what an exercise works or stretches, never that it cures anything.
CLAIMS = re.compile(r"\b(cure[sd]?|curing|treat(s|ed|ing|ment)?|heal(s|ed|ing)?|fix(es|ed)?|"
                    r"therapy|therapeutic|prevents?)\b", re.IGNORECASE)


def _isolate(monkeypatch: pytest.MonkeyPatch, base: Path) -> None:
    """Point config and data at empty temp folders and drop any extra library."""
    monkeypatch.setenv("TRAINER_CONFIG_DIR", str(base / "config"))
    monkeypatch.setenv("TRAINER_DATA_DIR", str(base / "data"))
    monkeypatch.delenv("TRAINER_LIBRARY", raising=False)


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalog]:
    """The library as a new user gets it: built-in only, nothing from the real home."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        _isolate(monkeypatch, tmp_path_factory.mktemp("builtin-home"))
        yield load_catalog()


def _promised_seconds(*texts: str) -> float | None:
    """The first time promised in the texts, in seconds."""
    for text in texts:
        match = PROMISE.search(text)
        if match:
            return int(match[1]) * (60 if match[2] == "min" else 1)
    return None


def _used_exercises(lib: Catalog, routine_id: str) -> set[str]:
    """The exercise ids a routine's timeline uses."""
    return {p.exercise for p in lib.timeline(routine_id).phases if p.exercise}


def test_builtin_library_loads_without_problems(lib: Catalog) -> None:
    assert lib.problems == []
    assert lib.notes == []  # no id is defined twice
    builtin = paths.builtin_library_dir().resolve()
    assert lib.files
    assert all(builtin in Path(f).resolve().parents for f in lib.files)


def test_trainer_validate_passes(lib: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    _isolate(monkeypatch, tmp_path)
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"ok: {len(lib.exercises)} exercises, {len(lib.routines)} routines "
                          f"and {len(lib.programs)} programs")


def test_counts_per_category(lib: Catalog) -> None:
    counts = Counter(e.category for e in lib.exercises.values())
    assert len(lib.exercises) >= MIN_EXERCISES
    assert set(counts) == set(CATEGORIES)
    for category, minimum in MIN_PER_CATEGORY.items():
        assert counts[category] >= minimum, f"only {counts[category]} {category} exercises"


def test_exercise_files_are_grouped_by_category(lib: Catalog) -> None:
    for exercise in lib.exercises.values():
        path = Path(lib.origins[("exercise", exercise.id)].path)
        assert path.stem == exercise.category, f"{exercise.id} is in {path.name}"


def test_every_file_is_commented_at_the_top(lib: Catalog) -> None:
    for name in lib.files:
        first = Path(name).read_text(encoding="utf-8").lstrip().splitlines()[0]
        assert first.startswith("# "), f"{name} has no comment at the top"


@pytest.mark.parametrize("field", ["summary", "safety"])
def test_every_exercise_has_text(lib: Catalog, field: str) -> None:
    missing = [e.id for e in lib.exercises.values() if not getattr(e, field).strip()]
    assert missing == []


def test_every_exercise_has_instructions_cues_and_muscles(lib: Catalog) -> None:
    for e in lib.exercises.values():
        assert len(e.instructions) >= 2, f"{e.id}: fewer than two instructions"
        assert len(e.cues) >= 1, f"{e.id}: no cues"
        assert e.muscles, f"{e.id}: no muscles"


def test_safety_lines_are_specific(lib: Catalog) -> None:
    # A line shared by several exercises is generic; each one should say what to watch for here.
    lines = Counter(e.safety for e in lib.exercises.values())
    assert [line for line, n in lines.items() if n > 1] == []
    assert all(len(e.safety) >= 40 for e in lib.exercises.values())


def test_nerve_and_back_exercises_say_when_to_stop(lib: Catalog) -> None:
    for exercise_id in ("seated-nerve-glide", "standing-hamstring-stretch",
                        "lying-hamstring-stretch"):
        safety = lib.exercises[exercise_id].safety.lower()
        assert "tingling" in safety and "numbness" in safety, exercise_id


def test_no_claims_of_cures(lib: Catalog) -> None:
    texts = [(e.id, t) for e in lib.exercises.values()
             for t in (e.summary, *e.instructions, *e.cues, e.safety)]
    texts += [(r.id, t) for r in lib.routines.values() for t in (r.name, r.summary)]
    assert [(item, t) for item, t in texts if CLAIMS.search(t)] == []


def test_default_timings_are_sensible(lib: Catalog) -> None:
    for e in lib.exercises.values():
        if e.hold is not None:
            assert 20 <= e.hold <= 45, f"{e.id}: hold {e.hold}"
        if e.reps is not None:
            assert 5 <= e.reps <= 20, f"{e.id}: {e.reps} reps"
        if e.tempo is not None:
            assert 2 <= e.tempo <= 6, f"{e.id}: tempo {e.tempo}"
        if e.category == "strength":
            assert e.reps is not None or e.hold is not None, f"{e.id}: strength by duration"


def test_enough_routines_and_kept_ids(lib: Catalog) -> None:
    assert len(lib.routines) >= MIN_ROUTINES
    assert set(lib.routines) >= KEPT_ROUTINES
    assert set(lib.exercises) >= KEPT_EXERCISES


def test_every_routine_states_its_purpose_and_time(lib: Catalog) -> None:
    for r in lib.routines.values():
        assert len(r.summary) >= 40, f"{r.id}: summary too short to state a purpose"
        assert _promised_seconds(r.name, r.summary) is not None, f"{r.id}: no '(N min)'"


def test_routine_totals_match_their_promise(lib: Catalog) -> None:
    for r in lib.routines.values():
        promised = _promised_seconds(r.name, r.summary)
        assert promised is not None
        total = lib.timeline(r.id).total
        assert abs(total - promised) <= TOLERANCE * promised, (
            f"{r.id}: promises {promised:.0f} s, lasts {total:.0f} s")


def test_every_exercise_is_used_or_standalone(lib: Catalog) -> None:
    used = set().union(*(_used_exercises(lib, r) for r in lib.routines))
    assert set(lib.exercises) - used - STANDALONE == set()
    assert set(lib.exercises) >= STANDALONE, "a standalone id does not exist"
    assert STANDALONE & used == set(), "a standalone exercise is used by a routine after all"


def test_standalone_exercises_are_listed_in_their_files(lib: Catalog) -> None:
    for name in {lib.origins[("exercise", e)].path for e in lib.exercises}:
        text = Path(name).read_text(encoding="utf-8")
        header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
        assert "standalone" in header, f"{name}: no standalone note in its comment"
    for exercise_id in STANDALONE:
        text = Path(lib.origins[("exercise", exercise_id)].path).read_text(encoding="utf-8")
        comments = "\n".join(line for line in text.splitlines() if line.startswith("#"))
        assert exercise_id in comments


@pytest.mark.parametrize("base", PROGRESSIONS)
def test_beginner_and_intermediate_versions_exist(lib: Catalog, base: str) -> None:
    beginner, intermediate = f"{base}-beginner", f"{base}-intermediate"
    assert lib.routines[beginner].level == "beginner"
    assert lib.routines[intermediate].level == "intermediate"
    harder = {e for e in _used_exercises(lib, intermediate)
              if lib.exercises[e].level != "beginner"}
    assert harder, f"{intermediate} uses only beginner exercises"


def test_beginner_routines_use_only_beginner_exercises(lib: Catalog) -> None:
    for r in lib.routines.values():
        if r.level == "beginner":
            harder = {e for e in _used_exercises(lib, r.id)
                      if lib.exercises[e].level != "beginner"}
            assert harder == set(), f"{r.id} uses {sorted(harder)}"


def test_quick_test_stays_a_short_tour_of_the_phase_kinds(lib: Catalog) -> None:
    tl = lib.timeline("quick-test")
    assert 25 <= tl.total <= 35
    active = [p for p in tl.phases if p.active]
    holds = [p for p in active if p.kind == "hold"]
    assert {p.side for p in holds} == {"left", "right"}
    assert len({p.exercise for p in holds}) == 1
    assert len([p for p in active if p.kind == "reps"]) == 1
    assert len([p for p in active if p.kind == "work" and p.reps and p.tempo]) == 1
    assert all(p.duration is not None and p.duration <= 5 for p in tl.phases
               if p.kind in ("get_ready", "rest", "switch"))



def test_show_counts_phases_as_the_session_screen_does(lib: Catalog,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    # The session screen says "phase 1/N" through "phase N/N": the final done is not one.
    for routine_id in lib.routines:
        assert main(["show", routine_id]) == 0
        header = capsys.readouterr().out.splitlines()[0]
        phases = [p for p in lib.timeline(routine_id).phases if p.kind != "done"]
        assert header.endswith(f", {len(phases)} phases"), header
