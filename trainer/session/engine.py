"""The running session: a state machine over a timeline, driven by an injected clock (pure)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from trainer.session.timeline import HALFWAY_MIN, Phase, Timeline

Clock = Callable[[], float]
EventKind = Literal["phase_started", "countdown", "halfway", "switch_sides", "rep", "finished"]

STALE_AFTER = 1.0  # cues later than this are dropped, not replayed as a burst
BACK_GRACE = 3.0  # "back" within this many seconds of a phase start goes to the previous phase


@dataclass(frozen=True)
class Event:
    """Something that happened: due at clock time `at`, in run `run` of a phase."""

    kind: EventKind
    phase: Phase
    at: float
    run: int
    value: int = 0


@dataclass(frozen=True)
class State:
    """What the screen shows at one moment."""

    phase: Phase
    remaining: float | None  # None while self-paced
    elapsed: float
    paused: bool
    finished: bool
    session_remaining: float
    session_total: float
    length: float | None = None  # this run's length, extensions included; None if self-paced

    @property
    def progress(self) -> float:
        """Fraction of the phase done (self-paced phases against their estimate)."""
        planned = self.length or self.phase.estimate
        return min(1.0, self.elapsed / planned) if planned > 0 else 1.0

    @property
    def reps(self) -> int | None:
        """How many reps this run of a timed-reps phase holds (extending adds reps at the tempo)."""
        phase = self.phase
        if not (phase.reps and phase.tempo) or self.length is None:
            return phase.reps
        return timed_reps(self.length, phase.tempo)


def timed_reps(length: float, tempo: float) -> int:
    """Whole reps at this tempo in this length (at least one)."""
    return max(1, int(length / tempo + 1e-9))


@dataclass(frozen=True)
class Snapshot:
    """Enough to pick a session up again: routine, phase, time into it."""

    routine_id: str
    fingerprint: str
    index: int
    elapsed: float
    paused: bool = False


class Session:
    """Deadline-based: remaining = deadline - now, so a late tick never makes it drift."""

    def __init__(self, timeline: Timeline, clock: Clock = time.monotonic, *,
                 start_index: int = 0, elapsed: float = 0.0) -> None:
        if not timeline.phases:
            raise ValueError("empty timeline")
        self.timeline = timeline
        self.clock = clock
        self.started_at = clock()
        self.paused_total = 0.0
        self.extended_total = 0.0
        self.finished_at: float | None = None
        self.skipped: set[int] = set()
        self._paused_at: float | None = None
        self._pending: list[Event] = []
        self._run = 0
        self._index = 0
        self._t0 = 0.0
        self._deadline: float | None = None
        self._fired: set[tuple[str, int]] = set()
        # Time left in every later phase, for the whole-session countdown.
        self._after = [0.0] * len(timeline.phases)
        for i in range(len(timeline.phases) - 2, -1, -1):
            self._after[i] = self._after[i + 1] + timeline.phases[i + 1].estimate
        index = max(0, min(start_index, len(timeline.phases) - 1))
        self._enter(index, self.started_at - max(0.0, elapsed))
        if elapsed > 0:
            # Resuming: what was already due in this phase is not played again.
            self._fired |= {(kind, value) for kind, at, value in self._cue_times()
                            if kind != "phase_started" and at <= self.started_at}

    # -- reading ---------------------------------------------------------------

    @property
    def index(self) -> int:
        """Index of the current phase."""
        return self._index

    @property
    def phase(self) -> Phase:
        """The current phase."""
        return self.timeline.phases[self._index]

    @property
    def paused(self) -> bool:
        """True while paused."""
        return self._paused_at is not None

    @property
    def finished(self) -> bool:
        """True once the done phase is reached."""
        return self.finished_at is not None

    def state(self) -> State:
        """The state now, derived from the deadline."""
        now = self._now()
        self._advance(now)
        phase = self.phase
        elapsed = max(0.0, now - self._t0)
        remaining = None if self._deadline is None else max(0.0, self._deadline - now)
        current_left = remaining if remaining is not None else max(0.0, phase.estimate - elapsed)
        if self.finished:
            current_left = 0.0
        length = None if self._deadline is None else self._deadline - self._t0
        return State(phase, remaining, elapsed, self.paused, self.finished,
                     current_left + self._after[self._index], self.timeline.total, length)

    def snapshot(self) -> Snapshot:
        """Where the session is, for resuming later."""
        state = self.state()
        return Snapshot(self.timeline.routine_id, self.timeline.fingerprint, self._index,
                        round(state.elapsed, 3), self.paused)

    @classmethod
    def restore(cls, timeline: Timeline, snapshot: Snapshot,
                clock: Clock = time.monotonic) -> Session:
        """A session continuing from a snapshot (the caller checks the fingerprint)."""
        session = cls(timeline, clock, start_index=snapshot.index, elapsed=snapshot.elapsed)
        if snapshot.paused:
            session.pause()
        return session

    # -- driving ---------------------------------------------------------------

    def tick(self) -> list[Event]:
        """Catch up to now and return the events since the last tick, each once."""
        self._advance(self._now())
        events, self._pending = self._pending, []
        return events

    def pause(self) -> None:
        """Freeze the countdown."""
        if self.paused:
            return
        self._advance(self.clock())
        # Checked after catching up: the session may have ended since the last tick.
        if not self.finished:
            self._paused_at = self.clock()

    def resume(self) -> None:
        """Carry on; every deadline moves by the time spent paused."""
        if self._paused_at is None:
            return
        shift = self.clock() - self._paused_at
        self._paused_at = None
        self.paused_total += shift
        self._t0 += shift
        if self._deadline is not None:
            self._deadline += shift

    def toggle_pause(self) -> None:
        """Pause or resume."""
        self.resume() if self.paused else self.pause()

    def skip(self) -> None:
        """Move on to the next phase now."""
        now = self._now()
        self._advance(now)
        if not self.finished:
            self.skipped.add(self._index)
            self._enter(self._index + 1, now)

    def back(self) -> None:
        """Restart this phase, or go to the previous one if this one has only just begun."""
        now = self._now()
        self._advance(now)
        if self.finished:
            return
        target = self._index
        if now - self._t0 < BACK_GRACE and self._index > 0:
            target -= 1
        self._enter(target, now)

    def extend(self, seconds: float) -> bool:
        """Add (or take away) time from a timed phase; never below zero remaining."""
        now = self._now()
        self._advance(now)
        if self._deadline is None or self.finished:
            return False
        new = max(now, self._deadline + seconds)
        self.extended_total += new - self._deadline
        self._deadline = new
        # Cues the new length moves to before now (a halfway, a rep, a countdown) are passed,
        # not played at once in a burst.
        self._fired |= {(kind, value) for kind, at, value in self._cue_times()
                        if kind != "phase_started" and at <= now}
        return True

    def done(self) -> bool:
        """End a self-paced phase; False if the phase is not self-paced."""
        now = self._now()
        self._advance(now)
        if self.finished or self.phase.duration is not None:
            return False
        self._enter(self._index + 1, now)
        return True

    # -- inside ----------------------------------------------------------------

    def _now(self) -> float:
        """The clock, frozen while paused."""
        return self._paused_at if self._paused_at is not None else self.clock()

    def _enter(self, index: int, t0: float) -> None:
        """Start a phase (a new run of it) at clock time t0."""
        self._index = index
        self._run += 1
        self._fired = set()
        self._t0 = t0
        phase = self.phase
        self._deadline = None if phase.duration is None else t0 + phase.duration
        if phase.kind == "done":
            self.finished_at = t0
            # Reached while paused (skip, or extend to zero): it ended then, so it is not paused.
            self._paused_at = None
            self._pending.append(Event("finished", phase, t0, self._run))
            self._fired.add(("phase_started", 0))

    def _cue_times(self) -> list[tuple[EventKind, float, int]]:
        """Every cue of the current phase with its clock time, on its (extended) length."""
        phase = self.phase
        times: list[tuple[EventKind, float, int]] = [("phase_started", self._t0, 0)]
        length = None if self._deadline is None else self._deadline - self._t0
        timed_rep_ticks = bool(phase.reps and phase.tempo and length is not None)
        for cue in phase.cues:
            # Countdowns follow the deadline and the halfway cue the middle of the phase as it
            # now is; rep ticks are counted again from the tempo below.
            if cue.kind == "rep" and timed_rep_ticks:
                continue
            if cue.kind == "countdown" and self._deadline is not None:
                at = self._deadline - cue.value
                if at <= self._t0:
                    continue  # the phase was shortened to less than this count
            elif cue.kind == "halfway" and length is not None:
                if length < HALFWAY_MIN:
                    continue  # shortened below the length that has a halfway cue at all
                at = self._t0 + length / 2
            else:
                at = self._t0 + cue.at
                if self._deadline is not None and at >= self._deadline:
                    continue  # past the end of a shortened phase
            times.append((cue.kind, at, cue.value))
        if timed_rep_ticks:
            assert phase.tempo is not None and length is not None
            times += [("rep", self._t0 + k * phase.tempo, k + 1)
                      for k in range(1, timed_reps(length, phase.tempo))]
            times.sort(key=lambda t: t[1])
        return times

    def _advance(self, now: float) -> None:
        """Fire due cues and cross every deadline that has passed, keeping the schedule."""
        while True:
            self._fire_due(now)
            if self._deadline is None or now < self._deadline or self.finished:
                return
            self._enter(self._index + 1, self._deadline)

    def _fire_due(self, now: float) -> None:
        """Queue the current phase's due cues; stale ones are dropped silently."""
        for kind, at, value in self._cue_times():
            key = (kind, value)
            if key in self._fired or at > now:
                continue
            self._fired.add(key)
            # A late phase start is still announced if this is where we landed.
            current = kind == "phase_started" and (self._deadline is None or now < self._deadline)
            if now - at <= STALE_AFTER or current:
                self._pending.append(Event(kind, self.phase, at, self._run, value))
