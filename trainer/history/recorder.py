"""Recording a running session: checkpoints at every phase change, and the end of the session."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from trainer.history.records import EndStatus, PhaseRecord, mostly_skipped, utcnow
from trainer.history.resume import UNSTARTED, ResumePlan, unstarted
from trainer.history.schema import reason_of
from trainer.history.store import History, HistoryBusy, HistoryError
from trainer.session.engine import Session

RESTART_EPSILON = 0.5  # a phase start moving by more than this means it was restarted


@dataclass
class Recorder:
    """Writes a running Session into the history as it happens; never raises on write errors."""

    # The app calls update() after every tick and command (it writes only when the phase
    # changed), checkpoint() on pause, finish(completed) at the end, and interrupt() on quit,
    # SIGHUP, SIGTERM or a crash. A failed write is kept and retried with the next one, and
    # `problem` holds the latest failure for the app to show once: losing a record must never
    # stop a workout.

    history: History
    session: Session
    session_id: int
    wall: Callable[[], datetime] = utcnow
    lead_in_until: int = 0  # phases before this index are a resume's lead-in: not recorded
    active_base: float = 0.0  # active seconds from before a resume
    # Why an interruption keeps no resume point, for a session that cannot be resumed (a
    # one-line timer is in no library); None: it keeps one.
    no_resume: str | None = None
    problem: str | None = field(init=False, default=None)
    status: EndStatus | None = field(init=False, default=None)  # how it ended, once it has
    closed: bool = field(init=False, default=False)
    _index: int = field(init=False)
    _start: float = field(init=False)
    _pause_clock: float | None = field(init=False, default=None)
    _skipped_seen: set[int] = field(init=False)
    _pending: list[PhaseRecord] = field(init=False, default_factory=list)
    _interrupt_pending: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        self._index = self.session.index
        self._skipped_seen = set(self.session.skipped)
        self._start = self._phase_start()

    @classmethod
    def start(cls, history: History, session: Session,
              wall: Callable[[], datetime] = utcnow) -> Recorder:
        """Record a new session; if even that fails the recorder is closed with a `problem`."""
        try:
            session_id = history.start_session(session.timeline, wall())
        except sqlite3.Error as exc:
            recorder = cls(history, session, 0, wall)
            recorder.problem = f"History could not be saved: {reason_of(exc)}"
            recorder.closed = True
            return recorder
        return cls(history, session, session_id, wall)

    @classmethod
    def resume(cls, history: History, session: Session, plan: ResumePlan,
               wall: Callable[[], datetime] = utcnow) -> Recorder:
        """Carry on recording a resumed session in its old record (closed if that fails)."""
        try:
            base = history.resume_session(plan.session_id, wall())
        except (sqlite3.Error, HistoryError) as exc:
            recorder = cls(history, session, plan.session_id, wall)
            recorder.problem = f"History could not be saved: {reason_of(exc)}"
            recorder.closed = True
            return recorder
        return cls(history, session, plan.session_id, wall, lead_in_until=plan.phase_index,
                   active_base=base)

    # -- what the app calls ------------------------------------------------------------------

    def update(self) -> bool:
        """Notice phase changes (and the end); True if something was written."""
        if self.closed or not self._observe():
            return False
        return self._write_state()

    def checkpoint(self) -> bool:
        """Write where the session is now (on pause, or whenever the app likes)."""
        if self.closed:
            return False
        self._observe()
        return self._write_state()

    def finish(self, completed: bool) -> bool:
        """The session ended: completed (or skipped, see records.mostly_skipped), or stopped."""
        if self.closed:
            return False
        self._observe()
        if not self.session.finished:
            self._close_run(self._index, self._active_now(), partial=True)
        ended = completed or self.session.finished

        def write(batch: list[PhaseRecord]) -> bool:
            # Run to its end, it is `skipped` if less than half its exercise time was done,
            # counting the runs stored before a resume as well.
            status: EndStatus = "stopped"
            if ended:
                status = "skipped" if mostly_skipped(self._all_runs(batch)) else "completed"
            self.status = status
            return self.history.finish(self.session_id, status, self._active_seconds(), batch,
                                       self.wall())

        return self._run(write)

    def interrupt(self) -> bool:
        """Leave the session interrupted, resumable at the phase in progress; safe to repeat."""
        # Safe from a signal handler too: a write already under way finishes first, and the
        # interruption is written right after it (see _save). A new session still in
        # its first get-ready keeps no resume point: resuming it would be starting it again.
        if self.closed:
            return False
        self._observe()
        if self.session.finished:
            return self.finish(completed=True)
        index: int | None
        index, elapsed = self._resume_at()
        note = None
        if self._never_started():
            index, note = None, UNSTARTED
        elif self.no_resume is not None:
            index, note = None, self.no_resume
        try:
            return self._run(lambda batch: self.history.mark_interrupted(
                self.session_id, index, elapsed, self._active_seconds(), batch, self.wall(),
                note))
        except HistoryBusy:
            self._interrupt_pending = True
            return False

    # -- inside ------------------------------------------------------------------------------

    def _never_started(self) -> bool:
        """True for a new (not resumed) session still in its first phase, a get-ready."""
        fresh = self.lead_in_until == 0 and self.active_base == 0
        return fresh and unstarted(self.session.timeline, self.session.index)

    def _write_state(self) -> bool:
        """The end if the session has finished, else a checkpoint."""
        return self.finish(completed=True) if self.session.finished else self._save()

    def _save(self) -> bool:
        """A checkpoint with the runs finished so far."""
        index, elapsed = self._resume_at()
        try:
            return self._run(lambda batch: self.history.checkpoint(
                self.session_id, index, elapsed, self._active_seconds(), batch, self.wall()),
                closes=False)
        finally:
            if self._interrupt_pending:
                # A signal arrived mid-write; its interrupt goes in now the write is over.
                self._interrupt_pending = False
                self.interrupt()

    def _run(self, write: Callable[[list[PhaseRecord]], bool], closes: bool = True) -> bool:
        """Do a write with the pending runs; if it fails they wait for the next one."""
        batch, self._pending = self._pending, []
        try:
            written = write(batch)
        except HistoryBusy:
            self._pending = batch + self._pending
            raise
        except (sqlite3.Error, HistoryError) as exc:
            self._pending = batch + self._pending
            self.problem = f"History could not be saved: {reason_of(exc)}"
            return False
        if closes or not written:
            # Not written means the row is no longer running (ended elsewhere): stop writing.
            self.closed = True
        return written

    def _all_runs(self, batch: list[PhaseRecord]) -> list[PhaseRecord]:
        """Every phase run of this session: those stored, with `batch` added as the store would."""
        runs = {p.index: p for p in self.history.phases(self.session_id)}
        for p in batch:
            old = runs.get(p.index)
            runs[p.index] = p if old is None else replace(
                old, actual_seconds=old.actual_seconds + p.actual_seconds, skipped=p.skipped)
        return list(runs.values())

    def _active_now(self) -> float:
        """The session clock without pauses."""
        session = self.session
        if session.paused:
            if self._pause_clock is None:
                self._pause_clock = session.clock()
            now = self._pause_clock
        else:
            self._pause_clock = None
            now = session.clock()
        return now - session.paused_total

    def _phase_start(self) -> float:
        """When the current phase started, on the pause-free clock."""
        elapsed = self.session.state().elapsed
        return self._active_now() - elapsed

    def _active_seconds(self) -> float:
        """Time spent in the session so far, pauses left out."""
        session = self.session
        if session.finished_at is not None:
            end = session.finished_at - session.paused_total
        else:
            end = self._active_now()
        return self.active_base + max(0.0, end - session.started_at)

    def _resume_at(self) -> tuple[int, float]:
        """The phase to resume at and the seconds into it."""
        if self.session.index < self.lead_in_until:
            return self.lead_in_until, 0.0
        return self.session.index, round(self.session.state().elapsed, 3)

    def _observe(self) -> bool:
        """Close the previous phase's run if the phase changed or restarted."""
        start = self._phase_start()
        index = self.session.index
        if index == self._index and abs(start - self._start) < RESTART_EPSILON:
            return False
        self._close_run(index, start)
        self._index, self._start = index, start
        if index >= self.lead_in_until:
            self.lead_in_until = 0
        return True

    def _close_run(self, new_index: int, new_start: float, partial: bool = False) -> None:
        """Record the run of the phase just left (and phases crossed in one late tick)."""
        phases = self.session.timeline.phases
        skipped_now = self.session.skipped - self._skipped_seen
        self._skipped_seen = set(self.session.skipped)
        old = self._index
        span = max(0.0, new_start - self._start)
        crossed = phases[old + 1:new_index] if new_index > old + 1 and not partial else ()
        # Phases passed within one tick ran to their deadlines (a skip lands on the last one).
        crossed_secs = [0.0 if p.index in skipped_now else (p.duration or 0.0) for p in crossed]
        runs = [(phases[old], max(0.0, span - sum(crossed_secs)))]
        runs += list(zip(crossed, crossed_secs, strict=True))
        for phase, seconds in runs:
            if phase.kind == "done" or phase.index < self.lead_in_until:
                continue
            self._pending.append(PhaseRecord.of(phase, seconds, phase.index in skipped_now))
