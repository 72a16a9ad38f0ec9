"""Where a person is in a program: its stage, what moved it on or back, and why (pure).

The state is never stored: it is worked out again from the program, the day it was started and
the sessions done since, so a changed program file or an edited history can never leave it
stale. Replaying the sessions in order:

- a stage moves on once its `move_on.after` latest sessions in it were all comfortable (a
  check-in with pain at most `pain_at_most` and effort, if given, at most `effort_at_most`)
  and, for a stage of `weeks`, that many weeks have passed since it began;
- a week or more without a session restarts the count: after a break, the same stage again;
- pain rising by `ease_off.pain_rise` or more over the last `ease_off.over` check-ins goes back
  a stage (the count restarts there);
- a check-in with pain `ease_off.stop_at` or more goes back a stage and holds the program there
  (no harder stage is suggested) until the person says they are ready again (`ready_since`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from trainer.library.model import Program, Stage

BREAK_DAYS = 7  # this long without a session, and a stage's count starts again


@dataclass(frozen=True)
class Done:
    """A finished session of one of the program's routines, on a local calendar day."""

    day: date
    routine_id: str
    pain: int | None = None
    effort: int | None = None


@dataclass(frozen=True)
class Change:
    """A stage change: when, from which stage to which (indexes), and why, in plain words."""

    day: date
    before: int
    after: int
    why: str

    @property
    def forward(self) -> bool:
        """True when the program moved on to a harder stage."""
        return self.after > self.before


@dataclass
class Progress:
    """The program's state on a day."""

    program: Program
    started: date
    stage: int = 0
    stage_began: date = field(default_factory=date.today)
    comfortable: int = 0  # the latest sessions in this stage that were comfortable, in a row
    sessions: int = 0  # sessions done in this stage
    held: Done | None = None  # the check-in (pain >= stop_at) that holds the program, if any
    changes: list[Change] = field(default_factory=list)
    last: date | None = None

    @property
    def current(self) -> Stage:
        """The stage the person is in."""
        return self.program.stages[self.stage]

    @property
    def finished_all(self) -> bool:
        """True in the last stage: there is nothing harder to move on to."""
        return self.stage == len(self.program.stages) - 1

    def week(self, today: date) -> int:
        """The week of the program `today` is in, from 1."""
        return (today - self.started).days // 7 + 1

    def waits_for(self, today: date) -> str:
        """What moving on waits for, in plain words."""
        if self.held is not None:
            return (f"held after pain {self.held.pain} on {self.held.day:%a %d %b}: no harder "
                    "stage until you say you are ready (`trainer program ready`)")
        if self.finished_all:
            return "nothing: this is the last stage; keep it up"
        rule = self.current.move_on
        parts = []
        more = rule.after - self.comfortable
        if more > 0:
            parts.append(f"{more} more comfortable session{'s' * (more != 1)} (pain at most "
                         f"{rule.pain_at_most}, effort at most {rule.effort_at_most})")
        if self.current.weeks is not None:
            ends = self.stage_began + timedelta(weeks=self.current.weeks)
            if today < ends:
                parts.append(f"the stage's {self.current.weeks} week"
                             f"{'s' * (self.current.weeks != 1)}, until {ends:%a %d %b}")
        return " and ".join(parts) or "nothing: it moves on with your next session"


def comfortable(done: Done, stage: Stage) -> bool:
    """A session that felt fine by the stage's rule (a check-in with pain is needed)."""
    rule = stage.move_on
    return (done.pain is not None and done.pain <= rule.pain_at_most
            and (done.effort is None or done.effort <= rule.effort_at_most))


def replay(program: Program, started: date, sessions: Sequence[Done], today: date, *,
           ready_since: date | None = None) -> Progress:
    """The program's state on `today`, from the sessions done since it was started."""
    state = Progress(program, started, stage_began=started)
    rule = program.ease_off
    pains: list[int] = []  # pain scores since the last change, oldest first
    wanted = {r.routine for stage in program.stages for r in stage.routines}
    for done in sorted(sessions, key=lambda d: d.day):
        if done.day < started or done.day > today or done.routine_id not in wanted:
            continue
        if state.last is not None and (done.day - state.last).days >= BREAK_DAYS:
            state.comfortable = 0  # back after a break: the same stage again, counted afresh
        _move_on_if_due(state, done.day)
        state.last = done.day
        state.sessions += 1
        if done.pain is not None and done.pain >= rule.stop_at:
            _go_back(state, done.day, f"pain {done.pain} on {done.day:%a %d %b}: eased off a "
                     "stage, and no harder stage until you say you are ready")
            if ready_since is None or ready_since < done.day:
                state.held = done
            pains.clear()
            continue
        if done.pain is not None:
            pains.append(done.pain)
            window = pains[-rule.over:]
            if len(window) >= 2 and window[-1] - min(window[:-1]) >= rule.pain_rise:
                low = min(window[:-1])
                _go_back(state, done.day, f"pain went up from {low} to {window[-1]} over your "
                         "last sessions: eased off a stage")
                pains.clear()
                continue
        state.comfortable = state.comfortable + 1 if comfortable(done, state.current) else 0
        _move_on_if_due(state, done.day)
    _move_on_if_due(state, today)
    return state


def _move_on_if_due(state: Progress, day: date) -> None:
    """Move to the next stage if the current one's rule is met by `day`."""
    stage = state.current
    if state.held is not None or state.finished_all or state.comfortable < stage.move_on.after:
        return
    if state.last is None or (day - state.last).days >= BREAK_DAYS:
        return  # on a break: nothing gets harder until sessions start again
    due = state.stage_began + timedelta(weeks=stage.weeks) if stage.weeks else state.stage_began
    if day < due:
        return
    day = max(due, state.last)  # the day it became due: the next stage began then
    after = state.comfortable
    why = (f"{after} comfortable session{'s' * (after != 1)} in a row"
           + (f" over {stage.weeks} week{'s' * (stage.weeks != 1)}" if stage.weeks else ""))
    state.changes.append(Change(day, state.stage, state.stage + 1, why))
    state.stage += 1
    state.stage_began, state.comfortable, state.sessions = day, 0, 0


def _go_back(state: Progress, day: date, why: str) -> None:
    """Back one stage (or start the first again), the count restarted."""
    before = state.stage
    state.stage = max(0, state.stage - 1)
    state.changes.append(Change(day, before, state.stage, why))
    state.stage_began, state.comfortable, state.sessions = day, 0, 0
