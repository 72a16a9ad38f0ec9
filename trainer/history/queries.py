"""History queries both faces use: progress figures, and what `resume` would resume."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from trainer.history.records import SessionRecord, ago
from trainer.history.resume import ResumeCheck, ResumePlan, ResumePoint
from trainer.history.stats import Summary, summarize
from trainer.history.store import History
from trainer.session.catalog import Catalog as Catalog


def progress(store: History, library: Catalog, today: date, weeks: int = 8
             ) -> tuple[list[SessionRecord], Summary, dict[str, str]]:
    """Every session (newest first), the figures, and a name for each routine id in either."""
    records = store.recent(None)
    # One read serves both: the statistics want the same sessions oldest first.
    oldest_first = list(reversed(records))
    summary = summarize([r.entry() for r in oldest_first], today, set(library.routines), weeks)
    names = {r.routine_id: r.routine_name for r in oldest_first}  # the newest name wins
    names.update({rid: routine.name for rid, routine in library.routines.items()})
    return records, summary, names


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


def resume_target(library: Catalog, store: History, now: datetime | None = None
                  ) -> ResumeTarget:
    """The session to resume and how; raises CannotResume with a reason when there is none."""
    point = store.resumable()
    if point is None:
        raise CannotResume("nothing to resume: there is no interrupted session")
    timeline = library.timelines.get(point.routine_id)
    check = point.check(timeline, now)
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
