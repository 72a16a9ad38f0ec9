"""The built-in programs: real routines in each stage, gentle growth, every recommendation met."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest

from trainer.config import Reminders
from trainer.library.loader import exercises_used
from trainer.library.model import Program, Stage
from trainer.session.catalog import Catalog, load_catalog

GROWTH = 1.25  # no stage's weekly minutes more than about 25% above the stage before


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalog]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRAINER_CONFIG_DIR", str(tmp_path_factory.mktemp("cfg")))
        mp.delenv("TRAINER_LIBRARY", raising=False)
        yield load_catalog()


def weekly_minutes(lib: Catalog, stage: Stage) -> float:
    """Minutes a week the stage asks for."""
    return sum((r.per_week or len(r.days or ())) * lib.timeline(r.routine).total / 60
               for r in stage.routines)


def stage_exercises(lib: Catalog, stage: Stage) -> set[str]:
    """Every exercise a stage's routines use."""
    return {e.id for r in stage.routines
            for e in exercises_used(lib.routines[r.routine], lib.exercises)}


def test_the_built_in_programs_load_with_every_stage_routine_there(lib: Catalog) -> None:
    assert {"back-and-knee", "desk-worker"} <= set(lib.programs)
    assert [str(p) for p in lib.problems] == []
    for program in lib.programs.values():
        for stage in program.stages:
            assert all(r.routine in lib.routines for r in stage.routines), stage.name


@pytest.mark.parametrize("program_id", ["back-and-knee", "desk-worker"])
def test_weekly_minutes_grow_gradually_and_start_with_the_least(lib: Catalog,
                                                                 program_id: str) -> None:
    program: Program = lib.programs[program_id]
    minutes = [weekly_minutes(lib, stage) for stage in program.stages]
    for before, after in pairwise(minutes):
        assert after <= before * GROWTH, f"{program_id}: {minutes}"
    assert minutes[0] == min(minutes)
    first = program.stages[0]
    assert all(lib.routines[r.routine].level == "beginner" for r in first.routines)
    assert first.weeks is not None and first.weeks >= 2  # start slowly


def test_every_program_says_it_does_not_replace_a_therapists_plan(lib: Catalog) -> None:
    for program in lib.programs.values():
        assert "does not replace a physical therapist" in program.summary
        assert "Make your own routine" in program.summary


def test_every_seed_recommendation_is_served_by_a_built_in_stage(lib: Catalog) -> None:
    stages = [(p, s) for p in lib.programs.values() for s in p.stages]

    def served(test: object) -> bool:
        return any(test(p, s) for p, s in stages)  # type: ignore[operator]

    def category_minutes(stage: Stage, category: str) -> float:
        """The most minutes of this category's exercises in one of the stage's routines."""
        return max(sum(p.estimate for p in lib.timeline(r.routine).phases if p.exercise
                       and p.active and lib.exercises[p.exercise].category == category) / 60
                   for r in stage.routines)

    daily = [s for _, s in stages for r in s.routines if r.per_week == 7]
    assert any("hamstring" in e for s in daily for e in stage_exercises(lib, s)), "hamstrings"
    assert any("hip-flexor" in e for s in daily for e in stage_exercises(lib, s)), "hip flexors"
    # Posture with an hourly check: the routine `trainer remind` starts every hour by default.
    assert served(lambda p, s: any(r.routine == Reminders().routine for r in s.routines))
    assert Reminders().every == 3600
    # Walks build to 30 minutes (the warm-up march and the brisk walk: 28.5 of them aerobic).
    assert served(lambda p, s: category_minutes(s, "aerobic") >= 25), "aerobic up to 30 min"
    assert served(lambda p, s: any(
        r.routine.startswith("strength") and (r.per_week or 0) >= 2 for r in s.routines))
    assert served(lambda p, s: any(r.routine == "flexibility-flow" for r in s.routines))
    aerobic = [category_minutes(s, "aerobic") for s in lib.programs["back-and-knee"].stages]
    assert aerobic[0] <= 10 < aerobic[-1], "aerobic work builds from 10 minutes"


def test_program_files_sit_in_their_own_folder() -> None:
    root = Path(__file__).resolve().parent.parent / "exercises" / "programs"
    assert sorted(p.name for p in root.glob("*.yaml")) == ["back-and-knee.yaml",
                                                           "desk-worker.yaml"]
