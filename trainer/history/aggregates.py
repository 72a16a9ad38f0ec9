"""The statistics read with SQL: what stats.summarize gives, without reading every session.

SQLite groups and counts (days with a completed session, sessions per routine) and picks the
few sessions the rest turns on (those of the weeks drawn, the latest pain scores, each routine's
latest run); the pure functions of stats.py then work on those, so the figures are the same
as summarize's over every session (tests/test_stats_sql.py compares both on one history).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta

from trainer.history.records import iso
from trainer.history.schema import local_day_sql
from trainer.history.stats import (
    PROGRESS_RUN,
    TREND_WINDOW,
    Entry,
    RoutineCount,
    Summary,
    minutes_per_day,
    minutes_per_week,
    monday_of,
    pain_notes,
    pain_trend,
    progression,
)
from trainer.history.store import History

DAY = local_day_sql("s.started_at")
# The pain and the effort of the latest check-in of session `s` of the outer query (check-ins
# go by created_at, then id: SessionRecord.checkin is the last). SQLite has no lateral join: a
# subquery each, an index lookup per row.
PAIN, EFFORT = (f"(SELECT c.{column} FROM checkins c WHERE c.session_id = s.id"
                " ORDER BY c.created_at DESC, c.id DESC LIMIT 1)" for column in ("pain", "effort"))
MARGIN = timedelta(days=2)  # more than any time zone's offset from UTC


def summary(store: History, today: date, routine_ids: Collection[str],
            weeks: int = 8) -> Summary:
    """stats.summarize over every session in the store, read with SQL."""
    # Days as day numbers, sorted: runs of consecutive numbers are streaks (stats.streak and
    # best_streak, without a date object per day).
    numbers = [n for (n,) in store.read(
        f"SELECT CAST(julianday(day) AS INTEGER) FROM (SELECT DISTINCT {local_day_sql()} AS day"
        " FROM sessions WHERE status = 'completed') ORDER BY 1")]
    [(today_number,)] = store.read("SELECT CAST(julianday(?) AS INTEGER)", (today.isoformat(),))
    current, best = _streaks(numbers, today_number)
    first_day = today - timedelta(days=weeks * 7 - 1)
    first_monday = monday_of(today) - timedelta(weeks=weeks - 1)
    window = _between(store, min(first_day, first_monday), monday_of(today) + timedelta(days=7))
    week_list = minutes_per_week(window, today, weeks)
    any_pain = bool(store.read("SELECT 1 FROM checkins WHERE pain IS NOT NULL LIMIT 1"))
    trend = pain_trend([r[6] for r in _newest(store, None, 0, TREND_WINDOW if any_pain else 0)])
    return Summary(
        today=today,
        streak=current,
        best_streak=best,
        week_minutes=week_list[-1].minutes if week_list else 0.0,
        week_sessions=week_list[-1].sessions if week_list else 0,
        weeks=tuple(week_list),
        days=tuple(minutes_per_day(window, first_day, today)),
        routines=tuple(routine_counts(store)),
        pain=trend,
        suggestions=tuple(progression(_latest_runs(store), routine_ids, trend)),
        notes=pain_notes(trend),
    )


def _streaks(numbers: list[int], today: int) -> tuple[int, int]:
    """stats.streak and stats.best_streak over sorted, distinct day numbers."""
    best = run = 0
    current = 0
    previous = None
    for n in numbers:
        run = run + 1 if previous is not None and n == previous + 1 else 1
        best = max(best, run)
        previous = n
        # The streak ends today, or (nothing yet today) yesterday: the run as it stands there.
        if n == today or (n == today - 1 and current == 0):
            current = run
    return current, best


def _between(store: History, first: date, end: date) -> list[Entry]:
    """Sessions of the local days from `first` to before `end`, or a little more, as Entries."""
    # Local days are a few hours off UTC ones: the UTC range is widened by MARGIN and the pure
    # functions keep the days they draw. Sorted by day as summarize sorts (stable).
    low = iso(datetime.combine(first, time(), UTC) - MARGIN)
    high = iso(datetime.combine(end, time(), UTC) + MARGIN)
    rows = store.read(f"SELECT s.routine_id, {DAY}, s.status, s.active_seconds FROM sessions s"
                      " WHERE s.started_at >= ? AND s.started_at < ?"
                      " ORDER BY s.started_at, s.id", (low, high))
    entries = [Entry(r, date.fromisoformat(d), status, seconds) for r, d, status, seconds in rows]
    return sorted(entries, key=lambda e: e.day)


def routine_counts(store: History) -> list[RoutineCount]:
    """stats.routine_counts over every session: completed and total per routine."""
    counts = [RoutineCount(r, int(done), int(total)) for r, done, total in store.read(
        "SELECT routine_id, sum(status = 'completed'), count(*) FROM sessions"
        " GROUP BY routine_id")]
    return sorted(counts, key=lambda c: (-c.completed, -c.total, c.routine_id))


def _latest_runs(store: History, run: int = PROGRESS_RUN) -> list[Entry]:
    """The sessions progression() turns on, in summarize's order.

    For each routine: its latest `run` sessions, and the latest one before them with a pain
    score. Over these progression() says what it says over every session: it looks at each
    routine's latest run, the pain before it, and which routine was run last.
    """
    rows = [row for (routine_id,) in store.read("SELECT DISTINCT routine_id FROM sessions")
            for row in _newest(store, routine_id, run, 1 if _any_pain(store, routine_id) else 0)]
    rows.sort(key=_key)
    return [Entry(r, date.fromisoformat(d), status, seconds, pain, effort)
            for d, _, _, r, status, seconds, pain, effort in rows]


def _any_pain(store: History, routine_id: str) -> bool:
    """True if a check-in of one of the routine's sessions has a pain score."""
    return bool(store.read("SELECT 1 FROM checkins c JOIN sessions s ON s.id = c.session_id"
                           " WHERE s.routine_id = ? AND c.pain IS NOT NULL LIMIT 1",
                           (routine_id,)))


Row = tuple[str, str, int, str, str, float, int | None, int | None]


def _key(row: Row) -> tuple[str, str, int]:
    """Summarize's order: local day, then start, then id."""
    return row[0], row[1], row[2]


def _newest(store: History, routine_id: str | None, run: int, pains: int) -> list[Row]:
    """The latest `run` sessions (of one routine, or all) in summarize's order, and the latest
    `pains` after those whose check-in has a pain score; oldest first.

    Read newest first by start time (an index range), a growing chunk at a time. A session
    comes before a later-started one in day order only when a clock change moved the local
    day back, and then less than MARGIN later: rows that far after the oldest one read are
    settled. Pass pains=0 when no check-in has a pain score (else all would be read).
    """
    rows: list[Row] = []
    size = 4 * (run + pains)
    if not size:
        return rows
    scope = "s.routine_id = ?" if routine_id is not None else "1"
    while True:
        after = " AND (s.started_at, s.id) < (?, ?)" if rows else ""
        params = ((routine_id,) if routine_id is not None else ()) + (
            (rows[-1][1], rows[-1][2]) if rows else ())
        chunk: list[Row] = store.read(
            f"SELECT {DAY}, s.started_at, s.id, s.routine_id, s.status, s.active_seconds,"
            f" {PAIN}, {EFFORT} FROM sessions s WHERE {scope}{after}"
            " ORDER BY s.started_at DESC, s.id DESC LIMIT ?", (*params, size))
        rows += chunk
        ranked = sorted(rows, key=_key, reverse=True)
        with_pain = [r for r in ranked[run:] if r[6] is not None][:pains]
        needed = ranked[:run] + with_pain
        if len(chunk) < size:
            return needed[::-1]  # every session read
        floor = datetime.fromisoformat(rows[-1][1]) + MARGIN
        if len(with_pain) == pains and all(datetime.fromisoformat(r[1]) >= floor
                                           for r in needed):
            return needed[::-1]
        size *= 4


def names(store: History) -> dict[str, str]:
    """Each routine's name as its latest session has it."""
    return {routine_id: store.read("SELECT routine_name FROM sessions WHERE routine_id = ?"
                                   " ORDER BY started_at DESC, id DESC LIMIT 1",
                                   (routine_id,))[0][0]
            for (routine_id,) in store.read("SELECT DISTINCT routine_id FROM sessions")}


def is_empty(store: History) -> bool:
    """True when the store holds no session."""
    return not store.read("SELECT 1 FROM sessions LIMIT 1")


def latest_check_ins(store: History, count: int) -> list[tuple[int | None, int | None]]:
    """Pain and effort of the latest `count` sessions whose check-in has either, oldest first."""
    if not store.read("SELECT 1 FROM checkins WHERE pain IS NOT NULL OR effort IS NOT NULL"
                      " LIMIT 1"):
        return []  # else every session would be read to find none
    points: list[tuple[int | None, int | None]] = []
    after: tuple[str, int] | None = None
    size = 4 * count
    while len(points) < count:
        rows = store.read(
            f"SELECT s.started_at, s.id, {PAIN}, {EFFORT} FROM sessions s"
            f"{' WHERE (s.started_at, s.id) < (?, ?)' if after else ''}"
            " ORDER BY s.started_at DESC, s.id DESC LIMIT ?", (*(after or ()), size))
        points += [(p, e) for _, _, p, e in rows if p is not None or e is not None]
        if len(rows) < size:
            break
        after, size = (rows[-1][0], rows[-1][1]), size * 4
    return points[:count][::-1]
