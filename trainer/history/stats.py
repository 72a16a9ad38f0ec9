"""Streaks, minutes per day and week, routine counts, pain trend and progression (pure)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from trainer.history.records import ReminderRecord
from trainer.library.vocabulary import LEVELS

Direction = Literal["up", "down", "flat", "unknown"]

TREND_WINDOW = 6  # the pain trend looks at this many latest check-ins
TREND_MIN = 3  # fewer check-ins than this say nothing about a trend
TREND_SLOPE = 0.15  # points per check-in: about one point over a window of six
PROGRESS_RUN = 3  # completions in a row before progression is suggested
EFFORT_MAX = 8  # an effort (RPE) above this is not "comfortable"
MORE_TIME = 0.10  # the "a little more time" suggestion: +10 %


@dataclass(frozen=True)
class Entry:
    """One session as the statistics see it; `day` is the local calendar day it started."""

    routine_id: str
    day: date
    status: str
    active_seconds: float
    pain: int | None = None
    effort: int | None = None

    @property
    def completed(self) -> bool:
        """True if the session ran to its end with most of it done (what streaks count)."""
        # A `skipped` session reached its end with less than half its exercise time done:
        # it counts toward no streak, completion or progression (its minutes still count).
        return self.status == "completed"


@dataclass(frozen=True)
class Week:
    """Minutes and sessions in one ISO week (Monday to Sunday)."""

    year: int
    week: int
    monday: date
    minutes: float
    sessions: int

    @property
    def label(self) -> str:
        """ISO week label, e.g. 2024-W09."""
        return f"{self.year}-W{self.week:02d}"


@dataclass(frozen=True)
class RoutineCount:
    """How often a routine was run, and completed."""

    routine_id: str
    completed: int
    total: int


@dataclass(frozen=True)
class Trend:
    """Which way pain is going over the latest check-ins, and why we think so."""

    direction: Direction
    slope: float  # pain points per check-in (least squares); 0 when unknown
    values: tuple[int, ...]
    reason: str


@dataclass(frozen=True)
class Suggestion:
    """A gentle nudge for one routine: its next level, or a little more time."""

    routine_id: str
    kind: Literal["next_level", "more_time"]
    target: str | None  # the next routine's id for next_level
    reason: str


@dataclass(frozen=True)
class Summary:
    """Everything the stats screen and `trainer stats` show."""

    today: date
    streak: int
    best_streak: int
    week_minutes: float
    week_sessions: int
    weeks: tuple[Week, ...]
    days: tuple[tuple[date, float], ...]
    routines: tuple[RoutineCount, ...]
    pain: Trend
    suggestions: tuple[Suggestion, ...]
    notes: tuple[str, ...] = field(default=())


def streak(days: Iterable[date], today: date) -> int:
    """Consecutive days with a completed session, ending today or (not yet today) yesterday."""
    done = set(days)
    day = today if today in done else today - timedelta(days=1)
    count = 0
    while day in done:
        count += 1
        day -= timedelta(days=1)
    return count


def best_streak(days: Iterable[date]) -> int:
    """The longest run of consecutive days in `days`."""
    done = set(days)
    best = 0
    for day in done:
        if day - timedelta(days=1) in done:
            continue  # only count from the first day of each run
        length = 1
        while day + timedelta(days=length) in done:
            length += 1
        best = max(best, length)
    return best


def completed_days(entries: Iterable[Entry]) -> set[date]:
    """Days with at least one completed session."""
    return {e.day for e in entries if e.completed}


def minutes_per_day(entries: Iterable[Entry], first: date, last: date) -> list[tuple[date, float]]:
    """Minutes exercised on each day from `first` to `last` inclusive (every status counts)."""
    totals: defaultdict[date, float] = defaultdict(float)
    for e in entries:
        if first <= e.day <= last:
            totals[e.day] += e.active_seconds / 60
    span = (last - first).days + 1
    return [(first + timedelta(days=i), round(totals[first + timedelta(days=i)], 1))
            for i in range(max(0, span))]


def monday_of(day: date) -> date:
    """The Monday starting the ISO week of `day`."""
    return day - timedelta(days=day.weekday())


def minutes_per_week(entries: Iterable[Entry], today: date, weeks: int = 8) -> list[Week]:
    """Minutes and sessions for the last `weeks` ISO weeks, oldest first, ending with this one."""
    this_monday = monday_of(today)
    mondays = [this_monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    minutes: defaultdict[date, float] = defaultdict(float)
    sessions: Counter[date] = Counter()
    for e in entries:
        monday = monday_of(e.day)
        minutes[monday] += e.active_seconds / 60
        sessions[monday] += 1
    result = []
    for monday in mondays:
        iso = monday.isocalendar()
        result.append(Week(iso.year, iso.week, monday, round(minutes[monday], 1), sessions[monday]))
    return result


def routine_counts(entries: Iterable[Entry]) -> list[RoutineCount]:
    """Per routine: completed and total sessions, most completed first."""
    completed: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for e in entries:
        total[e.routine_id] += 1
        completed[e.routine_id] += e.completed
    return sorted((RoutineCount(r, completed[r], total[r]) for r in total),
                  key=lambda c: (-c.completed, -c.total, c.routine_id))


def slope(values: Sequence[float]) -> float:
    """Least-squares slope of values against their position (0 for fewer than two)."""
    n = len(values)
    if n < 2:
        return 0.0
    mean_x = (n - 1) / 2
    mean_y = sum(values) / n
    num = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values))
    den = sum((x - mean_x) ** 2 for x in range(n))
    return num / den


def pain_trend(pains: Sequence[int | None], window: int = TREND_WINDOW) -> Trend:
    """The trend of the latest `window` pain scores (oldest first; missing ones are skipped)."""
    values = tuple(p for p in pains if p is not None)[-window:]
    if len(values) < TREND_MIN:
        return Trend("unknown", 0.0, values,
                     f"{len(values)} pain check-in{'s' * (len(values) != 1)} so far; "
                     f"a trend needs {TREND_MIN}")
    s = slope(values)
    listed = ", ".join(str(v) for v in values)
    if s >= TREND_SLOPE:
        direction: Direction = "up"
    elif s <= -TREND_SLOPE:
        direction = "down"
    else:
        direction = "flat"
    words = {"up": "rising", "down": "falling", "flat": "steady"}[direction]
    return Trend(direction, s, values,
                 f"{words}: {listed} over the last {len(values)} check-ins "
                 f"({s:+.1f} per session)")


def next_level(routine_id: str, routine_ids: Collection[str]) -> str | None:
    """The routine one level up in the same family: `<family>-<level>` ids, e.g. x-beginner."""
    family, _, level = routine_id.rpartition("-")
    if not family or level not in LEVELS:
        return None
    for higher in LEVELS[LEVELS.index(level) + 1:]:
        candidate = f"{family}-{higher}"
        if candidate in routine_ids:
            return candidate
    return None


def _run_reason(run: Sequence[Entry], before: int | None) -> str | None:
    """Why a run of completed sessions was comfortable, or None if it was not."""
    pains = [e.pain for e in run if e.pain is not None]
    efforts = [e.effort for e in run if e.effort is not None]
    if any(e > EFFORT_MAX for e in efforts):
        return None
    previous = before
    for pain in pains:
        if previous is not None and pain > previous:
            return None
        previous = pain
    parts = [f"completed {len(run)} times in a row"]
    if pains:
        start = f"{before} -> " if before is not None else ""
        parts.append(f"pain {start}{', '.join(str(p) for p in pains)}, not rising")
    else:
        parts.append("no pain recorded")
    if efforts:
        parts.append(f"effort {', '.join(str(e) for e in efforts)} of 10")
    return "; ".join(parts)


def progression(entries: Sequence[Entry], routine_ids: Collection[str],
                trend: Trend | None = None, run: int = PROGRESS_RUN) -> list[Suggestion]:
    """Suggestions for routines completed comfortably `run` times in a row; none if pain rises."""
    # Entries are oldest first. A run is comfortable when every session in it was completed, no
    # recorded effort is above EFFORT_MAX and recorded pain never rose (against the session just
    # before the run, too): progress should follow comfort, never chase it. The suggestion is
    # the next level in the routine's family if the library has one and it has not been tried
    # since, otherwise a little more time.
    trend = trend if trend is not None else pain_trend([e.pain for e in entries])
    if trend.direction == "up":
        return []
    by_routine: defaultdict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        by_routine[e.routine_id].append(e)
    last_seen = {e.routine_id: i for i, e in enumerate(entries)}
    suggestions = []
    for routine_id, history in sorted(by_routine.items()):
        latest = history[-run:]
        if len(latest) < run or not all(e.completed for e in latest):
            continue
        earlier = [e.pain for e in history[:-run] if e.pain is not None]
        reason = _run_reason(latest, earlier[-1] if earlier else None)
        if reason is None:
            continue
        target = next_level(routine_id, routine_ids)
        if target is not None and last_seen.get(target, -1) > last_seen[routine_id]:
            continue  # already moved up; the old routine is not a cue to move again
        if target is not None:
            suggestions.append(Suggestion(routine_id, "next_level", target,
                                          f"{reason}: ready to try {target}"))
        else:
            suggestions.append(Suggestion(
                routine_id, "more_time", None,
                f"{reason}: try holds and work about {MORE_TIME:.0%} longer"))
    return suggestions


def pain_notes(trend: Trend) -> tuple[str, ...]:
    """What the summary says because of the pain trend (nothing unless it is rising)."""
    if trend.direction != "up":
        return ()
    return ("No progression suggested while pain is rising; "
            "ease off, and see a professional if it keeps rising.",)


def summarize(entries: Sequence[Entry], today: date, routine_ids: Collection[str],
              weeks: int = 8) -> Summary:
    """All the figures at once, for the screen and the CLI (`entries` oldest first)."""
    ordered = sorted(entries, key=lambda e: e.day)  # stable: same-day order is kept
    days = completed_days(ordered)
    week_list = minutes_per_week(ordered, today, weeks)
    trend = pain_trend([e.pain for e in ordered])
    return Summary(
        today=today,
        streak=streak(days, today),
        best_streak=best_streak(days),
        week_minutes=week_list[-1].minutes if week_list else 0.0,
        week_sessions=week_list[-1].sessions if week_list else 0,
        weeks=tuple(week_list),
        days=tuple(minutes_per_day(ordered, today - timedelta(days=weeks * 7 - 1), today)),
        routines=tuple(routine_counts(ordered)),
        pain=trend,
        suggestions=tuple(progression(ordered, routine_ids, trend)),
        notes=pain_notes(trend),
    )


@dataclass(frozen=True)
class ReminderTally:
    """Reminders sent in a stretch of time, and what became of them."""

    sent: int
    taken: int
    snoozed: int
    skipped: int


def reminder_tally(reminders: Sequence[ReminderRecord],
                   session_starts: Iterable[datetime]) -> ReminderTally:
    """How many reminders (oldest first) were sent, taken, snoozed and skipped.

    A reminder is taken when its routine was started from it (the popup's Enter), or when any
    session began after it was sent, within its interval and before the next reminder: the
    person moved, whichever way they started. A snoozed reminder is not taken (the reminder
    that follows the snooze may be); each session takes at most the one reminder before it.
    """
    starts = sorted(session_starts)
    taken = snoozed = skipped = 0
    for i, r in enumerate(reminders):
        if r.outcome == "snoozed":
            snoozed += 1
            continue
        until = r.sent_at + timedelta(seconds=r.every_seconds)
        if i + 1 < len(reminders):
            until = min(until, reminders[i + 1].sent_at)
        if r.outcome == "started" or any(r.sent_at <= s < until for s in starts):
            taken += 1
        elif r.outcome == "skipped":
            skipped += 1
    return ReminderTally(len(reminders), taken, snoozed, skipped)
