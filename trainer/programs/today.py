"""What a program asks for today, and why, in the words `trainer today` and the library show."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from trainer.history.stats import monday_of
from trainer.library.model import WEEKDAYS, StageRoutine
from trainer.programs.progress import Done, Progress


@dataclass(frozen=True)
class Due:
    """One routine of the current stage: whether it is due today, and the line that says so."""

    routine_id: str
    due: bool
    head: str  # "Week 2 of Back and knee program"
    what: str  # "Strength for back and knees, 2nd of 3 this week"

    @property
    def line(self) -> str:
        """The whole line, e.g. for the library screen."""
        return f"{self.head}: {self.what}"


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def due_today(progress: Progress, sessions: Sequence[Done], today: date,
              names: Mapping[str, str]) -> list[Due]:
    """Each routine of the current stage, due today or not, with the reason in plain words."""
    stage = progress.current
    head = f"Week {progress.week(today)} of {progress.program.name}"
    week = monday_of(today)  # weeks run Monday to Sunday, as the history's do
    found = []
    for wanted in stage.routines:
        name = names.get(wanted.routine, wanted.routine)
        days_done = sorted({d.day for d in sessions if d.routine_id == wanted.routine
                            and week <= d.day <= today})
        found.append(_one(wanted, name, head, days_done, today))
    return found


def _one(wanted: StageRoutine, name: str, head: str, days_done: list[date],
         today: date) -> Due:
    """Whether one routine is due today."""
    done_today = today in days_done
    if wanted.days is not None:
        planned = [WEEKDAYS.index(d) for d in wanted.days]
        on = ", ".join(wanted.days)
        if today.weekday() not in planned:
            nxt = min((d for d in planned if d > today.weekday()), default=None)
            when = f"next on {WEEKDAYS[nxt]}" if nxt is not None else "next week"
            return Due(wanted.routine, False, head, f"{name} on {on}; {when}")
        if done_today:
            return Due(wanted.routine, False, head, f"{name} done today")
        return Due(wanted.routine, True, head, f"{name}, today ({on})")
    per_week = wanted.per_week or 1
    count = len(days_done)
    if done_today:
        return Due(wanted.routine, False, head,
                   f"{name} done today ({count} of {per_week} this week)")
    if count >= per_week:
        return Due(wanted.routine, False, head,
                   f"{name}, all {per_week} done this week")
    left_days = 7 - today.weekday()  # today included
    needed = per_week - count
    yesterday = today - timedelta(days=1)
    if per_week < 7 and yesterday in days_done and left_days > needed:
        # A day between sessions of the same routine, while the week still has room.
        return Due(wanted.routine, False, head,
                   f"{name}, a rest day after yesterday's; next tomorrow")
    which = "daily" if per_week == 7 else f"{ordinal(count + 1)} of {per_week} this week"
    return Due(wanted.routine, True, head, f"{name}, {which}")
