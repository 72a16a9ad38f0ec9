"""The statistics read with SQL (queries.overview) equal those computed from every session
(queries.progress, stats.summarize) on the same generated history, in several time zones."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from trainer.history import aggregates
from trainer.history.queries import overview, progress
from trainer.history.records import PhaseRecord
from trainer.history.store import History
from trainer.session.timeline import Phase, Timeline

FAMILIES = ["knee-beginner", "knee-intermediate", "knee-advanced", "back-beginner",
            "stretch", "odd-expert"]
NOW = datetime(2024, 3, 14, 18, 0, tzinfo=UTC)  # a Thursday
# Zones with half-hour offsets, one 45 minutes off, one whose clocks went back at midnight
# (Sao Paulo, February 2019: a session at 23:30 after one at 00:15 of the "next" day).
ZONES = ["UTC", "America/St_Johns", "America/Sao_Paulo", "Asia/Kathmandu", "Pacific/Chatham",
         "Europe/Berlin"]


def timeline(routine_id: str) -> Timeline:
    """A two-phase routine."""
    phases = (Phase(0, "work", 0.0, 60.0, 60.0, "Work", "jog"),
              Phase(1, "rest", 60.0, 30.0, 30.0, "Rest"),
              Phase(2, "done", 90.0, None, 0.0, "Done"))
    return Timeline(routine_id, routine_id.replace("-", " ").title(), phases)


def generate(store: History, seed: int, count: int, pains: bool = True) -> None:
    """Sessions of every status over two years, some on the same second, a few outside 1971-2037,
    some with several check-ins (only the latest counts), some with only effort or a note."""
    rng = random.Random(seed)
    starts = [NOW - timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60)) for _ in range(count)]
    starts += [NOW - timedelta(days=rng.randrange(0, 90), minutes=rng.randrange(1440))
               for _ in range(count // 2)]  # the weeks drawn are busy
    # Around Sao Paulo's clock change back at midnight of 2019-02-17 (02:00 UTC).
    change = datetime(2019, 2, 17, 2, 0, tzinfo=UTC)
    starts += [change + timedelta(minutes=m) for m in (-105, -60, -20, 10, 40, 75)]
    starts += [datetime(1965, 6, 1, 23, 30, tzinfo=UTC), datetime(2040, 7, 1, 22, 45, tzinfo=UTC),
               datetime(1970, 12, 31, 23, 59, tzinfo=UTC)]
    starts += [starts[5]] * 3  # started at the same second: the id breaks the tie
    with store.bulk():
        for start in starts:
            routine_id = rng.choice(FAMILIES)
            sid = store.start_session(timeline(routine_id), start)
            runs = [PhaseRecord(0, "work", "Work", 60.0, rng.choice([60.0, 61.5, 12.25]),
                                False, "jog")]
            roll = rng.random()
            if roll < 0.7:
                store.finish(sid, "completed", rng.uniform(30, 3000), runs, start)
            elif roll < 0.78:
                store.finish(sid, "skipped", rng.uniform(1, 30), runs, start)
            elif roll < 0.88:
                store.finish(sid, "stopped", rng.uniform(1, 300), runs, start)
            elif roll < 0.97:
                store.mark_interrupted(sid, 1, 2.0, rng.uniform(1, 300), runs, start)
            for k in range(rng.choice([0, 0, 1, 1, 1, 2, 3])):
                pain = rng.choice([None, 0, 1, 2, 3, 5, 8]) if pains else None
                effort = rng.choice([None, 3, 6, 9, 10])
                when = start + timedelta(minutes=5 + k * rng.choice([0, 1]))  # ties on created_at
                store.add_checkin(sid, pain, effort, rng.choice(["", "ok"]), when)
        # The latest sessions: comfortable runs, so progression has something to say.
        for n, (routine_id, pain) in enumerate([("stretch", None)] * 3 + [
                ("knee-beginner", p if pains else None) for p in (5, 4, 3, 2, 1, 1)]):
            start = NOW + timedelta(minutes=10 * n + 1)  # after every random one
            sid = store.start_session(timeline(routine_id), start)
            store.finish(sid, "completed", 600.0, (), start)
            if pain is not None:
                store.add_checkin(sid, pain, 5, "", start + timedelta(minutes=20))


@pytest.fixture
def zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The process's local time zone set to the parameter (Python and SQLite both follow)."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def library() -> Any:
    """What overview and progress read of a library: routine ids and names."""
    routines = {rid: SimpleNamespace(name=f"Library {rid}") for rid in FAMILIES[:4]}
    return SimpleNamespace(routines=routines)


@pytest.mark.parametrize("zone", ZONES, indirect=True)
@pytest.mark.parametrize("seed", [1, 2])
def test_sql_figures_equal_those_from_every_session(zone: str, seed: int, tmp_path: Path) -> None:
    with History.open(tmp_path / "h.sqlite3") as store:
        generate(store, seed, 300)
        lib = library()
        for today in (NOW.date(), date(2024, 1, 1), date(2019, 2, 17), date(2023, 7, 30)):
            for weeks in (8, 12):
                _, summary, names = progress(store, lib, today, weeks)
                figures = overview(store, lib, today, weeks)
                assert figures.summary == summary, (zone, today, weeks)
                assert figures.names == names and figures.empty is False
                if today == NOW.date():  # the test sees a suggestion
                    assert "next_level" in {s.kind for s in summary.suggestions}


@pytest.mark.parametrize("zone", ["America/Sao_Paulo"], indirect=True)
def test_without_pain_scores_or_sessions_the_figures_agree_too(zone: str, tmp_path: Path) -> None:
    with History.open(tmp_path / "h.sqlite3") as store:
        lib = library()
        _, summary, names = progress(store, lib, NOW.date())
        assert overview(store, lib, NOW.date()) == aggregates_overview(summary, names, True)
        generate(store, 3, 200, pains=False)
        _, summary, names = progress(store, lib, NOW.date())
        assert overview(store, lib, NOW.date()).summary == summary
        assert summary.pain.direction == "unknown"


def aggregates_overview(summary: Any, names: dict[str, str], empty: bool) -> Any:
    """An Overview of these parts."""
    from trainer.history.queries import Overview

    return Overview(summary, names, empty)


def test_the_latest_check_ins_are_those_of_the_latest_sessions(tmp_path: Path) -> None:
    with History.open(tmp_path / "h.sqlite3") as store:
        generate(store, 4, 200)
        records = store.recent(None)
        # What the history screen drew from every session: latest check-in with either score.
        points = [(c.pain, c.effort) for r in reversed(records)
                  if (c := r.checkin) is not None and (c.pain is not None or c.effort is not None)]
        for count in (1, 5, 12, 1000):
            assert aggregates.latest_check_ins(store, count) == points[-count:]
