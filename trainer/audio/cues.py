"""Which cue each session event sounds, loading the cue sounds, volume, and sound-file overrides."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trainer import paths
from trainer.audio.pcm import read_wav, wav_bytes
from trainer.audio.synth import CUE_NAMES, RECIPES, fallback_tone, synthesise
from trainer.session.engine import Event

__all__ = ["CUE_NAMES", "CueSet", "SoundPathError", "apply_volume", "choose", "cue_for",
           "load_cue_set", "resolve_overrides", "resolve_sound_path", "volume_gain_db"]

PHASE_CUES = {"get_ready": "get_ready", "work": "work", "hold": "work", "reps": "work",
              "rest": "rest"}  # a switch phase sounds through its switch_sides event instead
EVENT_CUES = {"countdown": "tick", "halfway": "halfway", "rep": "rep", "switch_sides": "switch",
              "finished": "complete"}
# When cues coincide (a rep tick on a countdown second, say) only the most important sounds:
# two beeps at once are heard as one muddle, not as two messages.
PRIORITY = ("complete", "switch", "work", "rest", "get_ready", "tick", "halfway", "rep")
SOUND_SUFFIXES = (".wav",)  # WAV needs no ffmpeg, so an override plays everywhere
MIN_VOLUME_DB = -40.0  # volume 1 %; 0 % is silence
MIN_SOUND_MS = 10  # a user's cue shorter than this is heard as nothing


def cue_for(event: Event) -> str | None:
    """The cue an event sounds, or None (a switch or done phase starting is voiced elsewhere)."""
    if event.kind == "phase_started":
        return PHASE_CUES.get(event.phase.kind)
    return EVENT_CUES.get(event.kind)


def choose(events: Iterable[Event]) -> tuple[Event, str] | None:
    """The one event to sound among events of one moment, with its cue; None if all are silent."""
    best: tuple[int, float, Event, str] | None = None
    for event in events:
        cue = cue_for(event)
        if cue is None:
            continue
        rank = PRIORITY.index(cue)
        # Lower rank wins; among equals the later one, as it is the most current.
        if best is None or (rank, -event.at) < (best[0], -best[1]):
            best = (rank, event.at, event, cue)
    return None if best is None else (best[2], best[3])


def volume_gain_db(volume: int) -> float | None:
    """Gain for a volume in percent: 100 is 0 dB, 50 about -12 dB, 1 -40 dB; None for 0 (silent).

    Loudness is heard roughly as the square of amplitude, so 40*log10 makes each step of the
    volume keys sound like the same change.
    """
    volume = max(0, min(100, int(volume)))
    if volume == 0:
        return None
    return max(MIN_VOLUME_DB, 40.0 * math.log10(volume / 100))


def apply_volume(segment: Any, volume: int) -> Any | None:
    """The segment at this volume, or None when the volume is 0."""
    gain = volume_gain_db(volume)
    if gain is None:
        return None
    return segment if gain == 0 else segment.apply_gain(gain)


@dataclass
class CueSet:
    """Every cue sound at full volume, where each came from, and what went wrong loading them."""

    sounds: dict[str, Any]
    sources: dict[str, str]
    notes: list[str] = field(default_factory=list)


def load_cue_set(overrides: Mapping[str, Path] | None = None,
                 sounds_dir: Path | None = None) -> CueSet:
    """Load every cue: an override, else the shipped WAV, else the synthesised recipe; never fails.

    Overrides must already be resolved (see resolve_overrides). A file that cannot be read is
    replaced by the built-in sound and noted, so a bad file costs a note, never a silent cue.
    """
    folder = sounds_dir if sounds_dir is not None else paths.builtin_sounds_dir()
    overrides = overrides or {}
    cues = CueSet({}, {})
    for name in CUE_NAMES:
        shipped = folder / f"{name}.wav"
        candidates = [p for p in (overrides.get(name), shipped) if p is not None]
        for path in candidates:
            try:
                sound = read_wav(path)
                if path != shipped:
                    _check_override(sound)
                cues.sounds[name] = sound
            except FileNotFoundError:
                if path != shipped:
                    cues.notes.append(f"cue '{name}': {path} not found")
                continue  # a missing shipped file: the recipe below sounds the same
            except (OSError, ValueError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                cues.notes.append(f"cue '{name}': cannot use {path} ({reason})")
                continue
            cues.sources[name] = str(path)
            break
        else:
            cues.sounds[name] = synthesise(name) if name in RECIPES else fallback_tone()
            cues.sources[name] = "synthesised"
    return cues


def _check_override(sound: Any) -> None:
    """Raise ValueError unless a user's cue can be mixed and played like the shipped ones."""
    if len(sound) < MIN_SOUND_MS:
        raise ValueError(f"it holds less than {MIN_SOUND_MS} ms of audio")
    try:
        # Everything a session does with a cue: change its volume, write it for a player.
        wav_bytes(apply_volume(sound, 50) or sound)
    except Exception as exc:  # pydub and audioop raise their own types for odd data
        raise ValueError(f"it cannot be played ({exc})") from exc


class SoundPathError(ValueError):
    """A sound path that may not or cannot be used."""


def resolve_sound_path(value: str, base: Path, roots: Sequence[Path]) -> Path:
    """A sound path from a routine or the config, made absolute and confined to the roots.

    Relative paths are taken from `base` (the folder of the file that names them). The path is
    resolved through `..` and symlinks first, so neither can reach outside: a shared routine
    must not be able to read arbitrary files through its sound settings.
    """
    if not value or not value.strip():
        raise SoundPathError("a sound path cannot be empty")
    raw = Path(value)
    candidate = raw if raw.is_absolute() else base / raw
    resolved = candidate.resolve()
    allowed = [root.resolve() for root in roots]
    if not any(resolved.is_relative_to(root) and resolved != root for root in allowed):
        where = ", ".join(str(root) for root in allowed) or "(none configured)"
        raise SoundPathError(f"sound '{value}' is outside the library and sounds folders; "
                             f"sound files must be inside one of: {where}")
    if resolved.suffix.lower() not in SOUND_SUFFIXES:
        raise SoundPathError(f"sound '{value}' is not a WAV file (use a .wav file)")
    if not resolved.is_file():
        raise SoundPathError(f"sound '{value}' not found (looked for {resolved})")
    return resolved


def resolve_overrides(mapping: Mapping[str, str], base: Path,
                      roots: Sequence[Path]) -> tuple[dict[str, Path], dict[str, str]]:
    """Resolve {cue: path}: the usable paths, and {cue: problem} for all the others at once."""
    resolved: dict[str, Path] = {}
    problems: dict[str, str] = {}
    for cue, value in mapping.items():
        if cue not in CUE_NAMES:
            problems[cue] = f"unknown cue '{cue}'; cues are: {', '.join(CUE_NAMES)}"
            continue
        if not isinstance(value, str):
            problems[cue] = f"cue '{cue}': expected a file path, got {type(value).__name__}"
            continue
        try:
            resolved[cue] = resolve_sound_path(value, base, roots)
        except SoundPathError as exc:
            problems[cue] = f"cue '{cue}': {exc}"
    return resolved, problems
