"""Expand a routine into a flat list of phases with start offsets and cue times (pure)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from trainer.library.durations import format_duration

if TYPE_CHECKING:
    # Only building a timeline needs the models (and pydantic, slow to import): a session
    # drawn from an already built timeline does not.
    from trainer.library.model import Defaults, Exercise, ExerciseStep, IntervalStep, Routine, Step

PhaseKind = Literal["get_ready", "work", "hold", "reps", "rest", "switch", "done"]
ACTIVE_KINDS = ("work", "hold", "reps")
REP_ESTIMATE = 3.0  # seconds per self-paced rep, so totals stay meaningful
HALFWAY_MIN = 10.0  # shorter phases get no halfway cue
MAX_PHASES = 2000
MAX_TOTAL = 6 * 3600.0


class LimitError(ValueError):
    """A routine too long or too large to run."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class Cue:
    """A moment inside a phase: seconds from its start, what it is, and a number."""

    at: float
    kind: Literal["countdown", "halfway", "rep", "switch_sides"]
    value: int = 0


@dataclass(frozen=True)
class Phase:
    """One stretch of time in a session."""

    index: int
    kind: PhaseKind
    start: float
    duration: float | None  # None: self-paced, ends when the person says so
    estimate: float
    title: str
    exercise: str | None = None
    block: str | None = None
    set: int | None = None
    sets: int | None = None
    round: int | None = None
    rounds: int | None = None
    side: Literal["left", "right", "alternate"] | None = None
    reps: int | None = None
    tempo: float | None = None
    say: str | None = None
    cues: tuple[Cue, ...] = ()

    @property
    def active(self) -> bool:
        """True for work, hold and reps phases."""
        return self.kind in ACTIVE_KINDS

    @property
    def end(self) -> float:
        """Planned end offset."""
        return self.start + self.estimate


@dataclass(frozen=True)
class Timeline:
    """A routine as phases, with its planned total."""

    routine_id: str
    routine_name: str
    phases: tuple[Phase, ...]
    countdown: int = 3
    announce: bool = True

    @property
    def total(self) -> float:
        """Planned seconds from start to done (self-paced phases at their estimate)."""
        return self.phases[-1].start if self.phases else 0.0

    @property
    def steps(self) -> int:
        """Phases a person goes through, as the app counts them ("phase 3/14"): all but done."""
        return max(1, len(self.phases) - 1)

    @property
    def fingerprint(self) -> str:
        """Changes whenever the phases would differ; used to tell if a resume point still fits."""
        import hashlib  # only for the history: not imported before the first frame

        parts = [(p.kind, p.duration, p.exercise, p.side, p.set, p.round) for p in self.phases]
        return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()

    def up_next(self, index: int) -> Phase | None:
        """The next active phase after an index."""
        return next((p for p in self.phases[index + 1:] if p.active), None)

    def to_json(self) -> dict[str, Any]:
        """Plain data for `trainer show --json`; cue times are absolute offsets."""
        phases = []
        for phase in self.phases:
            data = asdict(phase)
            data["cues"] = [
                {"at": round(phase.start + cue.at, 3), "kind": cue.kind, "value": cue.value}
                for cue in phase.cues
            ]
            phases.append(data)
        return {
            "routine": self.routine_id,
            "name": self.routine_name,
            "total": self.total,
            "phases": phases,
        }


@dataclass
class _Gap:
    """A pause between activities; adjacent gaps merge into one rest."""

    seconds: float
    priority: int  # 3 explicit rest step, 2 set/round/step rest, 1 automatic rest
    say: str | None = None


@dataclass
class _Expander:
    """Walks the steps, producing phases and gaps in order."""

    exercises: Mapping[str, Exercise]
    defaults: Defaults
    items: list[Phase | _Gap] = field(default_factory=list)

    def add(self, item: Phase | _Gap) -> None:
        """Append, refusing to grow past the limits (so hostile repeats stop early)."""
        self.items.append(item)
        if len(self.items) > 2 * MAX_PHASES:
            raise LimitError(f"routine has more than {MAX_PHASES} phases",
                             "lower repeat, rounds or sets")

    def steps(self, steps: tuple[Step, ...], block: str | None, rnd: int | None,
              rounds: int | None) -> None:
        """Expand a list of steps."""
        from trainer.library import model

        for step in steps:
            if isinstance(step, model.ExerciseStep):
                self.exercise(step, block, rnd, rounds)
            elif isinstance(step, model.RestStep):
                self.add(_Gap(step.rest, 3, step.say))
            elif isinstance(step, model.IntervalStep):
                self.interval(step, block)
            elif isinstance(step, model.BlockStep):
                rest = step.rest_between if step.rest_between is not None else self.defaults.rest
                for i in range(1, step.repeat + 1):
                    numbered = step.repeat > 1
                    self.steps(step.steps, step.block, i if numbered else rnd,
                               step.repeat if numbered else rounds)
                    if i < step.repeat:
                        self.add(_Gap(rest, 2))

    def exercise(self, step: ExerciseStep, block: str | None, rnd: int | None,
                 rounds: int | None) -> None:
        """Sets and sides of one exercise."""
        ex = self.exercises[step.exercise]
        p = _plan(step, ex, self.defaults)
        sides: tuple[Any, ...] = {"each": ("left", "right"), "alternate": ("alternate",)}.get(
            ex.sides, (None,))
        for s in range(1, p.sets + 1):
            for side in sides:
                if side == "right" and self.defaults.switch > 0:
                    self.add(Phase(0, "switch", 0.0, self.defaults.switch, self.defaults.switch,
                                   "Switch sides", ex.id, block, s if p.sets > 1 else None,
                                   p.sets if p.sets > 1 else None, rnd, rounds, "right"))
                self.add(Phase(0, p.kind, 0.0, p.duration, p.estimate, ex.name, ex.id, block,
                               s if p.sets > 1 else None, p.sets if p.sets > 1 else None, rnd,
                               rounds, side, p.reps, p.tempo if p.reps else None,
                               step.say if s == 1 and side in (None, "left", "alternate")
                               else None))
            if s < p.sets:
                self.add(_Gap(p.set_rest, 2))
        self.add(_Gap(p.rest, 2 if step.rest is not None else 1))

    def interval(self, step: IntervalStep, block: str | None) -> None:
        """Work/rest rounds, the exercises taking turns."""
        spec = step.interval
        for r in range(1, spec.rounds + 1):
            ex = self.exercises[spec.exercises[(r - 1) % len(spec.exercises)]]
            self.add(Phase(0, "work", 0.0, spec.work, spec.work, ex.name, ex.id, block,
                           round=r, rounds=spec.rounds))
            if r < spec.rounds:
                self.add(_Gap(spec.rest, 2))
        self.add(_Gap(self.defaults.rest, 1))


@dataclass(frozen=True)
class _StepPlan:
    """An exercise step with its timing resolved against the exercise and routine defaults."""

    kind: PhaseKind
    duration: float | None
    estimate: float
    reps: int | None
    tempo: float | None
    sets: int
    set_rest: float
    rest: float


def _plan(step: ExerciseStep, ex: Exercise, d: Defaults) -> _StepPlan:
    """Which timing, how many sets and which rests an exercise step gets."""
    timing: ExerciseStep | Exercise = step if _has_timing(step) else ex
    tempo = _tempo(step, ex)
    kind, duration, estimate = _timing(timing.hold, timing.duration, timing.reps, tempo)
    return _StepPlan(kind, duration, estimate, timing.reps, tempo, step.sets or ex.sets,
                     step.set_rest if step.set_rest is not None else d.set_rest,
                     step.rest if step.rest is not None else d.rest)


def _tempo(step: ExerciseStep, ex: Exercise) -> float | None:
    """The step's tempo, or the exercise's when the step only changes the number of reps."""
    if step.tempo is not None:
        return step.tempo
    if step.hold is None and step.duration is None:
        return ex.tempo
    return None


def _has_timing(step: ExerciseStep) -> bool:
    """True when a step replaces the exercise's timing."""
    return step.hold is not None or step.duration is not None or step.reps is not None


def _timing(hold: float | None, duration: float | None, reps: int | None,
            tempo: float | None) -> tuple[PhaseKind, float | None, float]:
    """Phase kind, fixed duration (None if self-paced) and planned seconds."""
    if hold is not None:
        return "hold", hold, hold
    if duration is not None:
        return "work", duration, duration
    assert reps is not None  # the library guarantees one timing
    if tempo is not None:
        return "work", reps * tempo, reps * tempo
    return "reps", None, reps * REP_ESTIMATE


def _merge(items: list[Phase | _Gap]) -> Iterator[Phase | _Gap]:
    """Collapse runs of gaps into the strongest one; drop gaps at either end."""
    pending: _Gap | None = None
    started = False
    for item in items:
        if isinstance(item, _Gap):
            if pending is None or (item.priority, item.seconds) > (pending.priority,
                                                                    pending.seconds):
                pending = _Gap(item.seconds, item.priority, item.say or
                               (pending.say if pending else None))
            continue
        if pending is not None and started and pending.seconds > 0:
            yield pending
        pending = None
        started = True
        yield item


def _cues(phase: Phase, countdown: int) -> tuple[Cue, ...]:
    """Countdown, halfway, rep and switch cues of one phase."""
    return _timing_cues(phase.kind, phase.duration, phase.reps, phase.tempo, countdown)


# Cues depend only on these few values, which repeat across a library's many phases; sharing
# the (immutable) tuples saves rebuilding tens of thousands of identical cues on each load.
@lru_cache(maxsize=4096, typed=True)
def _timing_cues(kind: PhaseKind, duration: float | None, reps: int | None,
                 tempo: float | None, countdown: int) -> tuple[Cue, ...]:
    """The cues of a phase with this kind and timing."""
    cues: list[Cue] = []
    if kind == "switch":
        cues.append(Cue(0.0, "switch_sides"))
    if duration is None or kind == "done":
        return tuple(cues)
    if reps and tempo:
        cues += [Cue(k * tempo, "rep", k + 1) for k in range(1, reps)]
    elif kind in ("work", "hold") and duration >= HALFWAY_MIN:
        cues.append(Cue(duration / 2, "halfway"))
    cues += [Cue(duration - n, "countdown", n) for n in range(countdown, 0, -1) if n < duration]
    return tuple(sorted(cues, key=lambda c: (c.at, c.kind)))


def build_timeline(routine: Routine, exercises: Mapping[str, Exercise]) -> Timeline:
    """The routine's phases in order, ending with done; raises LimitError when too big."""
    d = routine.defaults
    expander = _Expander(exercises, d)
    expander.steps(routine.steps, None, None, None)
    phases: list[Phase] = []
    offset = 0.0

    def place(phase: Phase) -> None:
        nonlocal offset
        # One copy, built from the fields directly (dataclasses.replace is slow on a hot path);
        # the cues depend on the phase's own timing, not on its index or start.
        phases.append(Phase(**{**vars(phase), "index": len(phases), "start": offset,
                               "cues": _cues(phase, d.countdown)}))
        offset += phase.estimate

    items = list(_merge(expander.items))
    if d.get_ready > 0 and items:
        place(Phase(0, "get_ready", 0.0, d.get_ready, d.get_ready, "Get ready"))
    for item in items:
        if isinstance(item, _Gap):
            place(Phase(0, "rest", 0.0, item.seconds, item.seconds, "Rest", say=item.say))
        else:
            place(item)
    place(Phase(0, "done", 0.0, None, 0.0, "Done"))
    if len(phases) > MAX_PHASES:
        raise LimitError(f"routine has {len(phases)} phases (limit {MAX_PHASES})",
                         "lower repeat, rounds or sets")
    if offset > MAX_TOTAL:
        raise LimitError(f"routine lasts {format_duration(offset)} "
                         f"(limit {format_duration(MAX_TOTAL)})", "split it into shorter routines")
    return Timeline(routine.id, routine.name, tuple(phases), d.countdown, d.announce)


def _step_bounds(steps: tuple[Step, ...], exercises: Mapping[str, Exercise],
                 d: Defaults) -> tuple[int, float]:
    """At most how many phases and seconds these steps expand to (rests counted unmerged)."""
    from trainer.library import model

    count, seconds = 0, 0.0
    for step in steps:
        if isinstance(step, model.ExerciseStep):
            ex = exercises[step.exercise]
            p = _plan(step, ex, d)
            sides = 2 if ex.sides == "each" else 1
            count += p.sets * (2 * sides - 1) + p.sets
            seconds += p.sets * (sides * p.estimate + (sides - 1) * d.switch)
            seconds += (p.sets - 1) * p.set_rest + p.rest
        elif isinstance(step, model.RestStep):
            count, seconds = count + 1, seconds + step.rest
        elif isinstance(step, model.IntervalStep):
            spec = step.interval
            count += 2 * spec.rounds
            seconds += spec.rounds * spec.work + (spec.rounds - 1) * spec.rest + d.rest
        else:
            inner_count, inner_seconds = _step_bounds(step.steps, exercises, d)
            rest = step.rest_between if step.rest_between is not None else d.rest
            count += step.repeat * (inner_count + 1)
            seconds += step.repeat * inner_seconds + (step.repeat - 1) * rest
    return count, seconds


def check_limits(routine: Routine, exercises: Mapping[str, Exercise]) -> None:
    """Raise LimitError if the routine is too big, without building it when it clearly is not."""
    count, seconds = _step_bounds(routine.steps, exercises, routine.defaults)
    if count + 2 <= MAX_PHASES and seconds + routine.defaults.get_ready <= MAX_TOTAL:
        return
    build_timeline(routine, exercises)  # near or over a limit: the exact answer decides
