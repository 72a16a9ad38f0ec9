"""History queries both faces use: progress figures, and what `resume` would resume."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from trainer.history.records import SessionRecord, ago
from trainer.history.resume import ResumeCheck, ResumePlan, ResumePoint
from trainer.history.stats import ReminderTally, Summary, monday_of, reminder_tally, summarize
from trainer.history.store import History

if TYPE_CHECKING:  # the validator behind it is slow to import: `trainer stats` needs none
    from trainer.session.catalog import Catalog


@dataclass(frozen=True)
class Overview:
    """The figures of the whole history, a name for each routine id, and whether it is empty."""

    summary: Summary
    names: dict[str, str]
    empty: bool


def overview(store: History, library: Catalog, today: date, weeks: int = 8) -> Overview:
    """What `progress` gives but every session, read with SQL (aggregates.py): any size fast."""
    return overview_of(store, {rid: r.name for rid, r in library.routines.items()}, today, weeks)


def overview_of(store: History, routine_names: Mapping[str, str], today: date,
                weeks: int = 8) -> Overview:
    """`overview` given only the library's routine names by id (`trainer stats` from the index)."""
    from trainer.history import aggregates

    names = aggregates.names(store)
    names.update(routine_names)
    return Overview(aggregates.summary(store, today, set(routine_names), weeks), names,
                    aggregates.is_empty(store))


def progress(store: History, library: Catalog, today: date, weeks: int = 8
             ) -> tuple[list[SessionRecord], Summary, dict[str, str]]:
    """Every session (newest first), the figures, and a name for each routine id in either.

    Reads every session: `overview` gives the same figures with SQL (the test compares them).
    """
    records = store.recent(None)
    # One read serves both: the statistics want the same sessions oldest first.
    oldest_first = list(reversed(records))
    summary = summarize([r.entry() for r in oldest_first], today, set(library.routines), weeks)
    names = {r.routine_id: r.routine_name for r in oldest_first}  # the newest name wins
    names.update({rid: routine.name for rid, routine in library.routines.items()})
    return records, summary, names


def week_reminders(store: History, today: date) -> ReminderTally:
    """This ISO week's reminders (local Monday to Sunday) and what became of them."""
    from datetime import time, timedelta

    monday = datetime.combine(monday_of(today), time()).astimezone()
    end = datetime.combine(monday_of(today) + timedelta(days=7), time()).astimezone()
    reminders = store.reminders_between(monday, end)
    # A reminder late on Sunday may be taken by a session early the next week.
    sessions = store.sessions_between(monday, end + timedelta(days=1))
    return reminder_tally(reminders, [s.started_at for s in sessions])


class CannotResume(Exception):
    """Nothing to resume, or the resume point no longer fits; the message says which."""

    exit_code = 1


@dataclass(frozen=True)
class ResumeTarget:
    """What `trainer resume` runs: the routine, where, and what to tell the person."""

    routine_id: str
    session_id: int
    start_index: int
    plan: ResumePlan
    point: ResumePoint
    check: ResumeCheck
    message: str


# Why a session that was interrupted (or whose process died) cannot be resumed, beside the
# reasons ResumePoint.check gives and the notes stored with a dropped resume point.
SET_ASIDE = "its resume point was set aside"
NOT_LATEST = "a later session was started"
RUNNING_ELSEWHERE = "running now in another process"


def latest_point(library: Catalog, store: History, now: datetime | None = None
                 ) -> tuple[ResumePoint, ResumeCheck] | None:
    """The one session that may be resumed, checked against the library (None: no session)."""
    # The single rule behind `trainer resume`, the app's offer and the history table's `*`:
    # the store's latest resumable session, resumed only if its check offers it.
    point = store.resumable()
    if point is None:
        return None
    return point, point.check(library.timelines.get(point.routine_id), now)


def resume_states(store: History, library: Catalog, records: Iterable[SessionRecord],
                  now: datetime | None = None) -> dict[int, str]:
    """For each interrupted or running record: "" if `trainer resume` resumes it, else why not."""
    latest = latest_point(library, store, now)
    states: dict[int, str] = {}
    for r in records:
        if r.status not in ("interrupted", "running"):
            continue
        if latest is not None and r.id == latest[0].session_id:
            check = latest[1]
            states[r.id] = "" if check.offer else check.reason
        elif r.status == "running" and store.running_elsewhere(r.id):
            states[r.id] = RUNNING_ELSEWHERE
        elif r.resume_index is None:
            states[r.id] = r.resume_note or SET_ASIDE
        else:
            states[r.id] = NOT_LATEST
    return states


def resume_target(library: Catalog, store: History, now: datetime | None = None
                  ) -> ResumeTarget:
    """The session to resume and how; raises CannotResume with a reason when there is none."""
    latest = latest_point(library, store, now)
    if latest is None:
        raise CannotResume("nothing to resume: there is no interrupted session")
    point, check = latest
    timeline = library.timelines.get(point.routine_id)
    if not check.offer:
        hint = ""
        if timeline is None and library.problems:
            hint = " (`trainer validate` lists the library's problems)"
        raise CannotResume(f"cannot resume {point.routine_name}: {check.reason}{hint}")
    assert timeline is not None  # check() says "changed" without a timeline
    plan = point.plan(timeline)
    message = plan.message
    if check.verdict == "stale":
        message += f" It was interrupted {ago(point.age(now).total_seconds())}."
    return ResumeTarget(point.routine_id, point.session_id, plan.start_index, plan, point,
                        check, message)
