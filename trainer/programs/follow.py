"""The program a person follows, read from the history: its stage today and what is due."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from trainer.history import program_runs
from trainer.history.program_runs import ProgramRun
from trainer.history.records import SessionRecord
from trainer.history.store import History
from trainer.library.loader import Library
from trainer.library.model import Program
from trainer.programs.progress import Done, Progress, replay
from trainer.programs.today import Due, due_today


@dataclass(frozen=True)
class Following:
    """A program being followed, as it stands on `today`."""

    run: ProgramRun
    program: Program
    progress: Progress
    due: list[Due]
    today: date

    @property
    def next_due(self) -> Due | None:
        """The first routine due today, if any."""
        return next((d for d in self.due if d.due), None)

    def headline(self) -> str:
        """One line for the library screen and `trainer today`."""
        due = self.next_due
        if due is not None:
            return due.line
        return (f"Week {self.progress.week(self.today)} of {self.program.name}: nothing more "
                "due today")


class ProgramGone(Exception):
    """The program followed is no longer in the library (or has problems)."""


def done_sessions(records: Sequence[SessionRecord], zone: tzinfo | None = None) -> list[Done]:
    """Completed sessions as the program rule sees them, on their local calendar day."""
    found = []
    for record in records:
        if record.status != "completed":
            continue
        latest = record.checkin
        found.append(Done(record.started_at.astimezone(zone).date(), record.routine_id,
                          latest.pain if latest else None, latest.effort if latest else None))
    return found


def following(library: Library, history: History, now: datetime | None = None,
              zone: tzinfo | None = None) -> Following | None:
    """The program followed now with its state, or None; raises ProgramGone if it went."""
    run = program_runs.current(history)
    return None if run is None else following_run(library, history, run, now, zone)


def following_run(library: Library, history: History, run: ProgramRun,
                  now: datetime | None = None, zone: tzinfo | None = None) -> Following:
    """A program run's state now; raises ProgramGone if its program is no longer there."""
    program = library.programs.get(run.program_id)
    if program is None:
        raise ProgramGone(f"the program '{run.program_id}' you follow is no longer in the "
                          "library (or has problems: `trainer validate`)")
    moment = (now or datetime.now().astimezone()).astimezone(zone)
    today = moment.date()
    start = datetime.combine(run.started_on, time(), moment.tzinfo)
    records = history.sessions_between(start, moment + timedelta(seconds=1))
    sessions = done_sessions(records, moment.tzinfo)
    progress = replay(program, run.started_on, sessions, today, ready_since=run.ready_since)
    names = {r.id: r.name for r in library.routines.values()}
    return Following(run, program, progress, due_today(progress, sessions, today, names), today)


@dataclass(frozen=True)
class News:
    """What a check-in changed in the program, in plain words; `held`: show the safety note."""

    text: str
    held: bool = False


def news(before: Following | None, after: Following | None) -> News | None:
    """The stage change a check-in made (comparing the program before and after it), if any."""
    if after is None:
        return None
    old = before.progress.changes if before is not None else []
    new = after.progress.changes[len(old):] if after.progress.changes[:len(old)] == old else (
        after.progress.changes[-1:])
    if not new:
        return None
    change = new[-1]
    stages = after.program.stages
    name = after.program.name
    if change.forward:
        stage = stages[change.after]
        text = (f"{name}: on to stage {change.after + 1} of {len(stages)}, {stage.name} "
                f"({change.why}). Well done; keep it gentle.")
        return News(text)
    held = after.progress.held is not None and (
        before is None or before.progress.held != after.progress.held)
    stage = stages[change.after]
    return News(f"{name}: back to stage {change.after + 1}, {stage.name}. {change.why[:1].upper()}"
                f"{change.why[1:]}.", held=held)
