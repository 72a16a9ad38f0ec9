"""Resume points: an interrupted session, whether it still fits its routine, how to restart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from trainer.history.records import Status, ago, to_utc
from trainer.session.engine import Clock, Session
from trainer.session.timeline import Timeline

STALE_AFTER = timedelta(days=1)
LEAD_IN = 5.0  # seconds of get-ready before a resumed phase
PASSIVE_KINDS = ("get_ready", "rest", "switch")

# ok and stale are offered; changed (the routine is gone or no longer fits) and unstarted
# (stopped in the first get-ready: nothing was done, so a new session is the same) are not.
Verdict = Literal["ok", "stale", "changed", "unstarted"]
UNSTARTED = "it ended in its first get-ready, before any exercise"


def unstarted(timeline: Timeline, index: int) -> bool:
    """True if `index` is the routine's first phase and that is a get-ready."""
    return index == 0 and bool(timeline.phases) and timeline.phases[0].kind == "get_ready"


@dataclass(frozen=True)
class ResumeCheck:
    """Whether a resume point fits: ok, stale (offer it, saying so), changed or unstarted."""

    verdict: Verdict
    reason: str

    @property
    def offer(self) -> bool:
        """True if the app should offer to resume."""
        return self.verdict in ("ok", "stale")


@dataclass(frozen=True)
class ResumePlan:
    """How to start a resumed session: `Session(timeline, clock, start_index=, elapsed=)`."""

    # The phase that was in progress (phase_index) starts again from its beginning. When the
    # phase before it is a timed get-ready, rest or switch, the session starts in that phase
    # with LEAD_IN seconds left, so the usual countdown cues lead in; otherwise (wait_for_key)
    # it starts paused at the phase and the person starts it with the pause key.

    session_id: int
    routine_id: str
    phase_index: int
    start_index: int
    elapsed: float
    wait_for_key: bool
    message: str

    def session(self, timeline: Timeline, clock: Clock) -> Session:
        """The Session to run."""
        session = Session(timeline, clock, start_index=self.start_index, elapsed=self.elapsed)
        if self.wait_for_key:
            session.pause()
        return session


@dataclass(frozen=True)
class ResumePoint:
    """An interrupted (or killed) session that can be picked up again."""

    session_id: int
    routine_id: str
    routine_name: str
    fingerprint: str
    index: int
    elapsed: float
    status: Status
    started_at: datetime
    updated_at: datetime

    def age(self, now: datetime | None = None) -> timedelta:
        """Time since the last checkpoint."""
        return to_utc(now) - self.updated_at

    def check(self, timeline: Timeline | None, now: datetime | None = None) -> ResumeCheck:
        """Whether it can be resumed on this timeline (None: the routine is gone)."""
        when = ago(self.age(now).total_seconds())
        if timeline is None:
            return ResumeCheck("changed", f"the routine '{self.routine_id}' is no longer in "
                                          "the library")
        last = len(timeline.phases) - 1  # the done phase: nothing to resume there
        if timeline.fingerprint != self.fingerprint:
            return ResumeCheck("changed", f"the routine '{self.routine_id}' has changed since "
                                          "the session was interrupted, so the point where it "
                                          "stopped no longer fits")
        if unstarted(timeline, self.index):
            return ResumeCheck("unstarted", UNSTARTED)
        if self.index == last:
            return ResumeCheck("changed", "the session had already reached its end")
        if not 0 <= self.index < last:
            return ResumeCheck("changed", f"the routine '{self.routine_id}' has {last} phases; "
                                          f"the session stopped in phase {self.index + 1}")
        phase = timeline.phases[self.index]
        where = f"phase {self.index + 1}/{last}: {phase.title}"
        if self.age(now) > STALE_AFTER:
            return ResumeCheck("stale", f"interrupted {when}, in {where}; that is more than a "
                                        "day ago")
        return ResumeCheck("ok", f"interrupted {when}, in {where}")

    def plan(self, timeline: Timeline) -> ResumePlan:
        """How to restart the phase in progress (call after `check` says it fits)."""
        index = max(0, min(self.index, len(timeline.phases) - 1))
        phase = timeline.phases[index]
        before = timeline.phases[index - 1] if index > 0 else None
        name = timeline.routine_name
        where = f"phase {index + 1}/{len(timeline.phases) - 1} ({phase.title})"
        if phase.kind in PASSIVE_KINDS:
            return ResumePlan(self.session_id, self.routine_id, index, index, 0.0, False,
                              f"Resuming {name} at {where}.")
        if before is not None and before.kind in PASSIVE_KINDS and before.duration:
            elapsed = max(0.0, before.duration - LEAD_IN)
            return ResumePlan(self.session_id, self.routine_id, index, index - 1, elapsed, False,
                              f"Resuming {name} at {where}, after a short get-ready.")
        return ResumePlan(self.session_id, self.routine_id, index, index, 0.0, True,
                          f"Resuming {name} at {where}; press space when ready.")
