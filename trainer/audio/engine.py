"""The cue engine the app drives: session events in, pre-rendered sounds out, never raising.

One sound per moment: when events coincide (a rep tick on a countdown second, a switch phase
starting with its switch cue) only the most important cue sounds (see cues.PRIORITY). A spoken
line is not mixed on top of its cue but starts VOICE_GAP_MS after the cue ends, in the same
pre-rendered sound: both stay intelligible, and one player process carries both, in order.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from trainer.audio.cues import CueSet, apply_volume, choose, load_cue_set
from trainer.audio.pcm import silent
from trainer.audio.players import BellPlayer, NonePlayer, Player, Sound, make_sound
from trainer.audio.voice import (
    DEFAULT_RATE,
    SpeechEngine,
    VoiceTemplates,
    find_engine,
    line_for,
    render_lines,
)
from trainer.session.engine import Event
from trainer.session.prepared import ExerciseInfo
from trainer.session.timeline import Timeline

__all__ = ["VOICE_GAP_MS", "CueEngine", "combine", "moments"]

VOICE_GAP_MS = 80
REPLAY_WITHIN = 1.0  # seconds: a cue lost to a failing player is rung on the bell if this recent


def combine(cue: Any, voice: Any | None) -> Any:
    """A cue followed by its spoken line (or the cue alone)."""
    if voice is None:
        return cue
    return cue + silent(VOICE_GAP_MS) + voice


def moments(timeline: Timeline) -> list[tuple[float, list[Event]]]:
    """The events of an uninterrupted session at their planned offsets, grouped by time.

    Phase starts at phase.start, each cue at phase.start + cue.at, finished at the total;
    self-paced phases last their estimate.
    """
    by_time: dict[float, list[Event]] = {}
    for phase in timeline.phases:
        run = phase.index + 1
        if phase.kind == "done":
            by_time.setdefault(round(timeline.total, 6), []).append(
                Event("finished", phase, timeline.total, run))
            continue
        by_time.setdefault(round(phase.start, 6), []).append(
            Event("phase_started", phase, phase.start, run))
        for cue in phase.cues:
            at = phase.start + cue.at
            by_time.setdefault(round(at, 6), []).append(Event(cue.kind, phase, at, run, cue.value))
    return sorted(by_time.items())


def _line(events: Sequence[Event], chosen: Event, timeline: Timeline,
          templates: VoiceTemplates, exercises: Mapping[str, ExerciseInfo]) -> str | None:
    """The line to say at a moment: the chosen event's, else the first other one that has one."""
    for event in (chosen, *events):
        line = line_for(event, timeline, templates, exercises)
        if line:
            return line
    return None


class CueEngine:
    """Plays the right cue (and voice line) for session events through a player.

    prepare() loads and renders everything (slow: run it on a worker thread); until it is done,
    handle() plays plain cues. A player that fails is replaced by `fallback` (the bell) with one
    call to `on_notice`; handle() never raises.
    """

    def __init__(self, timeline: Timeline, exercises: Mapping[str, ExerciseInfo], player: Player, *,
                 volume: int = 80, muted: bool = False, voice: bool = True,
                 templates: VoiceTemplates | None = None,
                 overrides: Mapping[str, Path] | None = None,
                 fallback: Player | None = None,
                 on_notice: Callable[[str], None] | None = None,
                 speech: SpeechEngine | None = None, rate: int = DEFAULT_RATE,
                 voice_cache: Path | None = None, sounds_dir: Path | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.timeline = timeline
        self.exercises = exercises
        self.player = player
        self.fallback: Player = fallback if fallback is not None else NonePlayer()
        self.on_notice = on_notice
        self.templates = templates or VoiceTemplates()
        self.overrides = dict(overrides or {})
        self.voice = voice
        self.speech = speech
        self.rate = rate
        self.voice_cache = voice_cache
        self.sounds_dir = sounds_dir
        self.clock = clock
        self.notes: list[str] = []
        self._volume = max(0, min(100, int(volume)))
        self._muted = muted
        self._cues: CueSet | None = None
        self._lines: dict[str, Any] = {}
        self._sounds: dict[tuple[str, str | None, int], Sound] = {}
        self._lock = threading.Lock()
        self._retired: list[Player] = []
        self._last: tuple[float, Sound] | None = None
        self._watch(player)

    # -- settings ------------------------------------------------------------------------------

    @property
    def volume(self) -> int:
        """Volume in percent (0 is silent)."""
        return self._volume

    @property
    def muted(self) -> bool:
        """True while muted."""
        return self._muted

    @property
    def voice_ready(self) -> bool:
        """True once spoken lines are rendered (False without a speech engine)."""
        return bool(self._lines)

    def set_volume(self, volume: int) -> int:
        """Set the volume (clamped to 0-100); returns it. Sounds re-render lazily."""
        volume = max(0, min(100, int(volume)))
        if volume != self._volume:
            self._volume = volume
            with self._lock:
                self._sounds = {k: v for k, v in self._sounds.items() if k[2] == volume}
        return volume

    def toggle_mute(self) -> bool:
        """Mute or unmute; returns True when now muted."""
        self._muted = not self._muted
        return self._muted

    # -- preparing -----------------------------------------------------------------------------

    def _load_cues(self) -> CueSet:
        """The cue set, loading it on first use."""
        cues = self._cues
        if cues is None:
            cues = load_cue_set(self.overrides, self.sounds_dir)
            self._cues = cues
        return cues

    def combinations(self) -> list[tuple[str, str | None]]:
        """Every (cue, line) pair an uninterrupted session of the timeline plays."""
        out: dict[tuple[str, str | None], None] = {}
        for _, events in moments(self.timeline):
            chosen = choose(events)
            if chosen is None:
                continue
            event, cue = chosen
            line = _line(events, event, self.timeline, self.templates, self.exercises) \
                if self.voice else None
            out[(cue, line)] = None
        return list(out)

    def prepare(self, should_stop: Callable[[], bool] | None = None,
                progress: Callable[[float], None] | None = None) -> None:
        """Load the cues, render the voice lines and pre-render every sound (worker thread).

        `progress` hears the fraction done (voice rendering is the slow part); `should_stop`
        lets a cancelled worker end early, leaving the cues usable.
        """
        try:
            self._prepare(should_stop, progress)
        except Exception as exc:  # same contract as handle(): a bug costs cues, not the session
            self._notice(f"audio: could not prepare the cues ({exc})")

    def _prepare(self, should_stop: Callable[[], bool] | None,
                 progress: Callable[[float], None] | None) -> None:
        """What prepare() does."""
        cues = self._load_cues()
        for note in cues.notes:
            self._notice(note)  # a cue file of the person's own that is not used: say so
        combos = self.combinations()
        self._player_prepare(self._render([c for c in combos if c[1] is None]))
        if self.voice and self.timeline.announce:
            engine = self.speech or find_engine()
            if engine is None:
                self.notes.append("voice: no speech engine found (install espeak-ng)")
            else:
                lines = [line for _, line in combos if line]
                self._lines = render_lines(lines, engine=engine, rate=self.rate,
                                           cache=self.voice_cache, notes=self.notes,
                                           should_stop=should_stop, progress=progress)
        self._player_prepare(self._render(combos))
        if progress is not None:
            progress(1.0)

    def _render(self, combos: Iterable[tuple[str, str | None]]) -> list[Sound]:
        """Sounds for these pairs at the current volume, remembered for play."""
        rendered = [s for s in (self._sound(cue, line) for cue, line in combos) if s is not None]
        return rendered

    def _player_prepare(self, sounds: list[Sound]) -> None:
        """Let the player write its files now rather than on the first play."""
        try:
            self.player.prepare(sounds)
        except OSError as exc:
            self.notes.append(f"audio: could not prepare sounds ({exc.strerror or exc})")

    def _sound(self, cue: str, line: str | None) -> Sound | None:
        """The sound for a cue and line at the current volume (None when silent)."""
        volume = self._volume
        # The volume is part of the key: prepare() on its thread may still be rendering at the
        # old volume when the UI changes it.
        key = (cue, line if line in self._lines else None, volume)
        with self._lock:
            known = self._sounds.get(key)
        if known is not None:
            return known
        base = self._load_cues().sounds.get(cue)
        if base is None:
            return None
        segment = apply_volume(combine(base, self._lines.get(key[1]) if key[1] else None),
                               volume)
        if segment is None:
            return None
        sound = make_sound(cue, segment, f"{cue}: {key[1]}" if key[1] else cue)
        with self._lock:
            self._sounds[key] = sound
        return sound

    # -- playing -------------------------------------------------------------------------------

    def sound_for(self, events: Sequence[Event]) -> Sound | None:
        """The sound for one moment's events at the current volume, or None if it is silent."""
        chosen = choose(events)
        if chosen is None:
            return None
        event, cue = chosen
        line = _line(events, event, self.timeline, self.templates, self.exercises) \
            if self.voice and self._lines else None
        return self._sound(cue, line)

    def handle(self, events: Sequence[Event]) -> None:
        """Sound the most important of these events (one moment's worth); never raises."""
        self.poll()
        if not events or self._muted or self._volume == 0:
            return
        try:
            sound = self.sound_for(events)
        except Exception as exc:  # a bug here must cost a cue, not the session
            self._notice(f"audio: could not prepare a cue ({exc})")
            return
        if sound is not None:
            self._play(sound)

    def play_cue(self, cue: str) -> None:
        """Play one cue by name (sound test, preview); never raises."""
        sound = self._sound(cue, None)
        if sound is not None and not self._muted:
            self._play(sound)

    def poll(self) -> None:
        """Let the player notice finished or failed playback; call it on each UI tick."""
        for retired in self._retired:
            retired.poll()  # reap children left behind by a player that failed
        try:
            self.player.poll()
        except Exception as exc:  # same contract as handle()
            self._player_failed(f"{self.player.name}: {exc}")

    def _play(self, sound: Sound) -> None:
        """Play through the current player, falling back if it raises."""
        player = self.player
        self._last = (self.clock(), sound)
        try:
            player.play(sound)
        except Exception as exc:  # a player is outside code (a UI callback, a subprocess)
            self._player_failed(f"{player.name} failed ({exc})")

    def _watch(self, player: Player) -> None:
        """Hear about a player's failures (local players find them out after the fact)."""
        if hasattr(player, "on_failure"):
            player.on_failure = self._player_failed

    def _player_failed(self, message: str) -> None:
        """Step down to the fallback (then to silence), say so once, and replay the lost cue."""
        failed = self.player
        if isinstance(failed, NonePlayer):
            return
        if hasattr(failed, "on_failure"):
            failed.on_failure = None  # one notice per player, however many children fail
        self._retired.append(failed)
        if failed is self.fallback or isinstance(self.fallback, NonePlayer):
            self.player = NonePlayer()
            self._notice(f"{message}; audio is off")
            return
        self.player = self.fallback
        self._watch(self.fallback)
        instead = "the terminal bell" if isinstance(self.fallback, BellPlayer) \
            else self.fallback.name
        self._notice(f"{message}; using {instead} instead")
        last = self._last
        if last is not None and self.clock() - last[0] <= REPLAY_WITHIN:
            self._play(last[1])

    def _notice(self, message: str) -> None:
        """Tell the UI (once per problem) and keep a note."""
        self.notes.append(message)
        if self.on_notice is not None:
            try:
                self.on_notice(message)
            except Exception as exc:  # the notice is a courtesy; never let it break playback
                self.notes.append(f"audio: could not show a notice ({exc})")

    def close(self) -> None:
        """Release the players."""
        players = (self.player, self.fallback, *self._retired)
        for player in {id(p): p for p in players}.values():
            try:
                player.close()
            except OSError as exc:
                self.notes.append(f"audio: {exc}")
