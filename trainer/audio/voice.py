"""Spoken announcements: finding a speech engine, the lines to say, rendering them ahead of time.

Lines are rendered to WAV by espeak-ng (or espeak, or macOS `say`) on a worker thread before
the session starts and cached on disk, keyed by engine, text and rate, so speech starts exactly
on its cue. Without an engine there is simply no voice: nothing fails and nothing is printed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import string
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from trainer import paths
from trainer.audio.pcm import read_wav
from trainer.session.engine import Event, EventKind
from trainer.session.prepared import ExerciseInfo
from trainer.session.timeline import Phase, Timeline

__all__ = ["DEFAULT_RATE", "FIELDS", "SpeechEngine", "VoiceTemplates", "cache_dir",
           "check_template", "duration_words", "find_engine", "line_for", "render_line",
           "render_lines", "render_timeline", "spoken_line", "timeline_lines", "voice_status"]

DEFAULT_RATE = 165  # words per minute: a touch slower than espeak's 175, clearer mid-exercise
ENGINES = ("espeak-ng", "espeak", "say")
FIELDS = ("name", "next", "duration", "set", "sets", "round", "rounds")
MAX_LINE = 400  # characters; a longer line would still be talking over the next cue
MAX_LINE_MS = 30_000
RENDER_TIMEOUT = 20.0
NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


# -- engines -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SpeechEngine:
    """A text-to-speech program that can write a WAV file."""

    name: str
    path: str

    def command(self, out: Path, rate: int) -> list[str]:
        """The command line that reads text on stdin and writes speech to `out`."""
        if self.name == "say":
            return [self.path, "-r", str(rate), "-o", str(out), "--file-format=WAVE",
                    "--data-format=LEI16@22050", "-f", "-"]
        # Text on stdin, never on the command line: a line starting with "-" stays text.
        return [self.path, "-s", str(rate), "-b", "1", "-w", str(out), "--stdin"]


def find_engine(search_path: str | None = None) -> SpeechEngine | None:
    """The first speech engine on PATH (espeak-ng, espeak, say), or None."""
    for name in ENGINES:
        found = shutil.which(name, path=search_path)
        if found:
            return SpeechEngine(name, found)
    return None


def voice_status(search_path: str | None = None) -> tuple[bool, str]:
    """Whether voice is available, and a line saying which engine or what to install."""
    engine = find_engine(search_path)
    if engine is None:
        return False, "no speech engine found (install espeak-ng for spoken announcements)"
    return True, f"{engine.name} ({engine.path})"


def cache_dir() -> Path:
    """Where rendered lines are kept (TRAINER_CACHE_DIR overrides); created on first render."""
    return paths.cache_dir() / "voice"


def _cache_key(engine: SpeechEngine, text: str, rate: int) -> str:
    """A file name for one rendering of a line."""
    digest = hashlib.sha256(f"{engine.name}\0{rate}\0{text}".encode()).hexdigest()
    return f"{digest[:32]}.wav"


def render_line(engine: SpeechEngine, text: str, rate: int = DEFAULT_RATE,
                cache: Path | None = None) -> Path:
    """The WAV file for a line, rendering it only if it is not cached; raises OSError on failure."""
    text = " ".join(text.split())[:MAX_LINE]
    folder = cache if cache is not None else cache_dir()
    target = folder / _cache_key(engine, text, rate)
    if target.is_file() and target.stat().st_size > 44:
        return target
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".render-", suffix=".wav")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        try:
            result = subprocess.run(
                engine.command(tmp, rate), input=text.encode("utf-8"),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                timeout=RENDER_TIMEOUT, check=False, start_new_session=True)
        except subprocess.TimeoutExpired as exc:
            raise OSError(f"{engine.name} took longer than {RENDER_TIMEOUT:.0f} s") from exc
        if result.returncode != 0 or tmp.stat().st_size <= 44:
            raise OSError(f"{engine.name} failed (exit status {result.returncode})")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def render_lines(lines: Iterable[str], *, engine: SpeechEngine | None = None,
                 rate: int = DEFAULT_RATE, cache: Path | None = None,
                 notes: list[str] | None = None,
                 should_stop: Callable[[], bool] | None = None,
                 progress: Callable[[float], None] | None = None) -> dict[str, Any]:
    """{line: AudioSegment} for every line that could be rendered; {} without an engine."""
    engine = engine if engine is not None else find_engine()
    out: dict[str, Any] = {}
    if engine is None:
        return out
    todo = list(dict.fromkeys(lines))
    for done, line in enumerate(todo):
        if should_stop is not None and should_stop():
            break
        if progress is not None:
            progress(done / len(todo))
        try:
            segment = read_wav(render_line(engine, line, rate, cache), max_ms=MAX_LINE_MS)
        except (OSError, ValueError) as exc:
            # One line that will not render is a missing announcement, not a broken session.
            if notes is not None:
                notes.append(f"voice: could not render {line!r}: {exc}")
            continue
        # Engines differ wildly in level; a common peak keeps speech in step with the cues.
        out[line] = segment.normalize(headroom=3.0)
    return out


# -- what to say -------------------------------------------------------------------------------

def check_template(text: str) -> None:
    """Raise ValueError unless every {field} in the template is one of FIELDS, used plainly."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValueError(f"bad template {text!r}: {exc} (write {{{{ for a literal brace)") from exc
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in FIELDS:
            raise ValueError(f"unknown field {{{name}}} in {text!r}; fields are: "
                             + ", ".join(f"{{{f}}}" for f in FIELDS))
        # No format specs or conversions: templates are words, not code.
        if spec or conversion:
            raise ValueError(f"field {{{name}}} in {text!r} takes no format spec or conversion")


@dataclass(frozen=True)
class VoiceTemplates:
    """What is said at each moment; a field set to "" says nothing then."""

    get_ready: str = "Get ready: {name}, {duration}"
    work: str = "Go"
    work_set: str = "Set {set} of {sets}. Go"
    work_round: str = "Round {round} of {rounds}. Go"
    rest: str = "Rest {duration}. Next: {next}"
    switch: str = "Switch sides"
    halfway: str = ""
    complete: str = "Workout complete"
    countdown: bool = False  # say "three, two, one" over the last-seconds ticks

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, str):
                check_template(value)

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> VoiceTemplates:
        """Templates from a routine's or the config's mapping; ValueError names the bad key."""
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                raise ValueError(f"unknown voice template '{key}'; known: {', '.join(known)}")
            wanted = bool if key == "countdown" else str
            if not isinstance(value, wanted):
                raise ValueError(f"voice template '{key}' must be "
                                 f"{'true or false' if wanted is bool else 'text'}")
            values[key] = value
        return cls(**values)


def duration_words(seconds: float) -> str:
    """Seconds as spoken: "30 seconds", "1 minute 30 seconds", "1 hour 5 minutes"."""
    total = max(1, int(seconds + 0.5))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{n} {unit}{'s' * (n != 1)}"
             for n, unit in ((hours, "hour"), (minutes, "minute"), (secs, "second")) if n]
    return " ".join(parts)


def _amount(phase: Phase) -> str:
    """How much of an active phase there is: "30 seconds each side", "12 reps"."""
    if phase.reps:
        amount = f"{phase.reps} rep{'s' * (phase.reps != 1)}"
    else:
        amount = duration_words(phase.duration if phase.duration is not None else phase.estimate)
    if phase.side in ("left", "right"):
        amount += " each side"
    elif phase.side == "alternate":
        amount += ", alternating sides"
    return amount


def _name(phase: Phase, exercises: Mapping[str, ExerciseInfo] | None) -> str:
    """The exercise's name as written in the library."""
    if exercises and phase.exercise and phase.exercise in exercises:
        return exercises[phase.exercise].name
    return phase.title


def _fields(phase: Phase, upcoming: Phase | None,
            exercises: Mapping[str, ExerciseInfo] | None) -> dict[str, str]:
    """The template fields for a moment of `phase`, with `upcoming` the exercise it leads to."""
    about = upcoming if upcoming is not None else phase
    return {
        "name": _name(about, exercises),
        "next": _name(upcoming, exercises) if upcoming is not None else "",
        # Rest says its own length; get ready and active phases say the exercise's.
        "duration": duration_words(phase.duration or phase.estimate) if phase.kind == "rest"
        else _amount(about),
        "set": str(about.set or ""), "sets": str(about.sets or ""),
        "round": str(about.round or ""), "rounds": str(about.rounds or ""),
    }


def _fill(template: str, values: Mapping[str, str]) -> str:
    """A template filled in (templates are checked, so only plain fields remain)."""
    return " ".join(template.format_map(dict(values)).split())


def _join(*parts: str | None) -> str | None:
    """Non-empty parts as one line, each ending in a full stop or other mark."""
    out = []
    for part in parts:
        if part and part.strip():
            text = part.strip()
            out.append(text if text[-1] in ".!?:," else text + ".")
    return " ".join(out)[:MAX_LINE] or None


def spoken_line(kind: EventKind, phase: Phase, timeline: Timeline,
                templates: VoiceTemplates | None = None, value: int = 0,
                exercises: Mapping[str, ExerciseInfo] | None = None) -> str | None:
    """The line said for an event of this kind in this phase, or None."""
    t = templates or VoiceTemplates()
    if not timeline.announce:
        return None
    if kind == "finished":
        return _join(t.complete)
    if kind == "switch_sides":
        return _join(t.switch)
    if kind == "halfway":
        return _join(t.halfway)
    if kind == "countdown":
        return _join(NUMBERS[value].capitalize()) if t.countdown and value <= 10 else None
    if kind != "phase_started":
        return None
    upcoming = timeline.up_next(phase.index)
    if phase.kind == "get_ready":
        if upcoming is None:
            return _join(phase.say, "Get ready")
        return _join(phase.say, _fill(t.get_ready, _fields(phase, upcoming, exercises)))
    if phase.kind == "rest":
        if upcoming is None:
            return _join(phase.say, f"Rest {duration_words(phase.duration or phase.estimate)}")
        return _join(phase.say, _fill(t.rest, _fields(phase, upcoming, exercises)))
    if phase.active:
        before = timeline.phases[phase.index - 1] if phase.index > 0 else None
        if phase.side == "right" and (before is None or before.kind != "switch"):
            template = t.switch  # no switch phase (switch: 0): the start is the switch
        elif phase.sets:
            template = t.work_set
        elif phase.rounds:
            template = t.work_round
        else:
            template = t.work
        return _join(_fill(template, _fields(phase, phase, exercises)), phase.say)
    return None


def line_for(event: Event, timeline: Timeline, templates: VoiceTemplates | None = None,
             exercises: Mapping[str, ExerciseInfo] | None = None) -> str | None:
    """The line said for a session event, or None."""
    return spoken_line(event.kind, event.phase, timeline, templates, event.value, exercises)


def timeline_lines(timeline: Timeline, templates: VoiceTemplates | None = None,
                   exercises: Mapping[str, ExerciseInfo] | None = None) -> list[str]:
    """Every distinct line a session of this timeline can say, in order of first use."""
    lines: dict[str, None] = {}
    for phase in timeline.phases:
        moments: list[tuple[EventKind, int]] = [("phase_started", 0)]
        moments += [(cue.kind, cue.value) for cue in phase.cues]
        if phase.kind == "done":
            moments = [("finished", 0)]
        for kind, value in moments:
            line = spoken_line(kind, phase, timeline, templates, value, exercises)
            if line:
                lines[line] = None
    return list(lines)


def render_timeline(timeline: Timeline, templates: VoiceTemplates | None = None,
                    exercises: Mapping[str, ExerciseInfo] | None = None, *,
                    engine: SpeechEngine | None = None, rate: int = DEFAULT_RATE,
                    cache: Path | None = None, notes: list[str] | None = None,
                    should_stop: Callable[[], bool] | None = None,
                    progress: Callable[[float], None] | None = None) -> dict[str, Any]:
    """{line: AudioSegment} for every line the timeline needs (run it on a worker thread)."""
    return render_lines(timeline_lines(timeline, templates, exercises), engine=engine, rate=rate,
                        cache=cache, notes=notes, should_stop=should_stop, progress=progress)
