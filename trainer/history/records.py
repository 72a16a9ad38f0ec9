"""What the history holds: phase runs, check-ins and sessions, with their JSON forms."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal

from trainer.session.timeline import ACTIVE_KINDS, Phase

if TYPE_CHECKING:
    from trainer.history.stats import Entry  # the read side: not needed to record a session


NOTE_MAX = 500
PAIN_RANGE = (0, 10)
EFFORT_RANGE = (1, 10)  # RPE

# skipped: run to its end with less than half of its exercise time done (see mostly_skipped).
Status = Literal["running", "completed", "skipped", "stopped", "interrupted"]
STATUSES: tuple[str, ...] = ("running", "completed", "skipped", "stopped", "interrupted")
EndStatus = Literal["completed", "skipped", "stopped"]  # the statuses History.finish writes
DONE_SHARE = 0.5  # less than this share of the planned exercise time done: `skipped`


# -- time ------------------------------------------------------------------------------------


def utcnow() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)


def to_utc(moment: datetime | None) -> datetime:
    """An aware UTC datetime (naive ones are taken as UTC)."""
    if moment is None:
        return utcnow()
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso(moment: datetime | None) -> str:
    """Stored form: ISO 8601 in UTC to the second, so text order is time order."""
    return to_utc(moment).isoformat(timespec="seconds")


def parse_iso(text: str | None) -> datetime | None:
    """A stored timestamp back as an aware datetime."""
    return None if text is None else to_utc(datetime.fromisoformat(text))


def ago(seconds: float) -> str:
    """A rough age in words: 'just now', '5 minutes ago', '3 days ago'."""
    seconds = max(0.0, seconds)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'s' * (n != 1)} ago"
    return "just now"


# -- records ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhaseRecord:
    """One run of a phase: what was planned and how long it actually took."""

    index: int
    kind: str
    title: str
    planned_seconds: float
    actual_seconds: float
    skipped: bool = False
    exercise: str | None = None

    @classmethod
    def of(cls, phase: Phase, actual: float, skipped: bool = False) -> PhaseRecord:
        """A record of a timeline phase."""
        planned = phase.duration if phase.duration is not None else phase.estimate
        return cls(phase.index, phase.kind, phase.title, planned, round(max(0.0, actual), 3),
                   skipped, phase.exercise)

    def to_json(self) -> dict[str, Any]:
        """The documented JSON form (docs/history.md)."""
        return {"index": self.index, "kind": self.kind, "title": self.title,
                "exercise": self.exercise, "planned_seconds": self.planned_seconds,
                "actual_seconds": self.actual_seconds, "skipped": self.skipped}


def exercise_seconds(phases: Iterable[PhaseRecord]) -> tuple[float, float]:
    """Exercise time done and planned over phase runs (work, hold and reps phases)."""
    # A phase counts at most its planned length (going back and running it again is not more
    # of the routine). A self-paced reps phase ended with Enter was done, however quick; one
    # that was skipped counts only the time spent in it before the skip.
    done = planned = 0.0
    for p in phases:
        if p.kind not in ACTIVE_KINDS:
            continue
        planned += p.planned_seconds
        full = p.kind == "reps" and not p.skipped
        done += p.planned_seconds if full else min(p.actual_seconds, p.planned_seconds)
    return done, planned


def mostly_skipped(phases: Iterable[PhaseRecord]) -> bool:
    """True when less than DONE_SHARE of the planned exercise time was done."""
    done, planned = exercise_seconds(phases)
    return planned > 0 and done < DONE_SHARE * planned


@dataclass(frozen=True)
class CheckIn:
    """How a session felt: pain 0-10, effort (RPE) 1-10, a short note; any may be empty."""

    pain: int | None
    effort: int | None
    note: str
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        """The documented JSON form (docs/history.md)."""
        return {"pain": self.pain, "effort": self.effort, "note": self.note,
                "created_at": iso(self.created_at)}


@dataclass(frozen=True)
class SessionRecord:
    """A stored session with its check-ins (phases are read separately)."""

    id: int
    routine_id: str
    routine_name: str
    fingerprint: str
    started_at: datetime
    ended_at: datetime | None
    status: Status
    planned_seconds: float
    active_seconds: float
    resume_index: int | None
    resume_elapsed: float | None
    phase_count: int
    updated_at: datetime
    checkins: tuple[CheckIn, ...] = ()
    # Why the resume point was dropped ("discarded", a check's reason); None when it was not
    # dropped, or not said (sessions from before schema version 3).
    resume_note: str | None = None

    @property
    def checkin(self) -> CheckIn | None:
        """The latest check-in, if any."""
        return self.checkins[-1] if self.checkins else None

    @property
    def local_day(self) -> date:
        """The calendar day it started, in local time."""
        return self.started_at.astimezone().date()

    def entry(self) -> Entry:
        """The session as the statistics see it."""
        from trainer.history.stats import Entry

        latest = self.checkin
        return Entry(self.routine_id, self.local_day, self.status, self.active_seconds,
                     latest.pain if latest else None, latest.effort if latest else None)

    def to_json(self, phases: Sequence[PhaseRecord] | None = None) -> dict[str, Any]:
        """The documented JSON form (docs/history.md)."""
        data: dict[str, Any] = {
            "id": self.id,
            "routine_id": self.routine_id,
            "routine_name": self.routine_name,
            "status": self.status,
            "started_at": iso(self.started_at),
            "ended_at": iso(self.ended_at) if self.ended_at else None,
            "planned_seconds": round(self.planned_seconds, 3),
            "active_seconds": round(self.active_seconds, 3),
            "fingerprint": self.fingerprint,
            "resume": (None if self.resume_index is None else
                       {"index": self.resume_index, "elapsed": self.resume_elapsed or 0.0}),
            "checkins": [c.to_json() for c in self.checkins],
        }
        if phases is not None:
            data["phases"] = [p.to_json() for p in phases]
        return data


# Reminders: `sent` until answered; `started` (the routine begun from the reminder), `snoozed`
# (asked again SNOOZE later, as a new reminder) or `skipped`.
Outcome = Literal["sent", "started", "snoozed", "skipped"]
OUTCOMES: tuple[str, ...] = ("sent", "started", "snoozed", "skipped")


@dataclass(frozen=True)
class ReminderRecord:
    """A reminder `trainer remind` sent, and how it was answered."""

    id: int
    routine_id: str
    due_at: datetime
    sent_at: datetime
    every_seconds: float
    outcome: Outcome
    answered_at: datetime | None = None
