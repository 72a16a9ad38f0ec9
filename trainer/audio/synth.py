"""The default cue theme as recipes: pydub sine tones with smooth envelopes, no files needed.

`sounds/make_sounds.py` writes these to the shipped WAVs, and `cues.py` falls back to them when a
file is missing, so a broken install still sounds right. Each cue has its own dominant pitch
(the note that carries most of its energy) so cues can be told apart without looking.
"""

from __future__ import annotations

import array
import math
from dataclasses import dataclass
from typing import Any

from trainer.audio.pcm import FRAME_RATE, Sine, ms_to_frames, silent


@dataclass(frozen=True)
class Note:
    """One tone in a cue: when it starts, how long it lasts, how loud, how it fades."""

    freq: float
    start_ms: float
    length_ms: float
    level_db: float = -6.0
    attack_ms: float = 6.0
    release_ms: float = 40.0


@dataclass(frozen=True)
class Recipe:
    """A cue: its notes (mixed together), what it means, and the pitch that dominates it."""

    notes: tuple[Note, ...]
    meaning: str
    dominant: float


RECIPES: dict[str, Recipe] = {
    "get_ready": Recipe((Note(440, 0, 320, -7, attack_ms=40, release_ms=160),),
                        "a soft A: get ready", 440),
    "work": Recipe((Note(659, 0, 90, -9, release_ms=30),
                    Note(1047, 80, 230, -6, release_ms=120)),
                   "rising two-tone: go (work, hold or reps start)", 1047),
    "rest": Recipe((Note(523, 0, 100, -9, release_ms=30),
                    Note(349, 90, 280, -5, release_ms=160)),
                   "falling two-tone: rest", 349),
    "tick": Recipe((Note(880, 0, 90, -6, attack_ms=4, release_ms=50),),
                   "short high beep: last seconds", 880),
    "halfway": Recipe((Note(1319, 0, 60, -8, attack_ms=4, release_ms=30),
                       Note(1319, 110, 60, -8, attack_ms=4, release_ms=30)),
                      "double high blip: halfway", 1319),
    "switch": Recipe((Note(587, 0, 120, -6, release_ms=40),
                      Note(784, 130, 70, -10, release_ms=30),
                      Note(587, 210, 140, -6, release_ms=70)),
                     "side-to-side warble: switch sides", 587),
    "rep": Recipe((Note(660, 0, 45, -8, attack_ms=3, release_ms=25),),
                  "very short blip: tempo rep", 660),
    # An arpeggio whose notes ring on into a chord; the root sounds longest, so it dominates.
    "complete": Recipe((Note(523, 0, 600, -10, attack_ms=8, release_ms=450),
                        Note(659, 140, 460, -13, attack_ms=8, release_ms=380),
                        Note(784, 280, 320, -15, attack_ms=8, release_ms=260)),
                       "rising arpeggio into a chord: session complete", 523),
}
CUE_NAMES: tuple[str, ...] = tuple(RECIPES)


def _envelope(segment: Any, attack_ms: float, release_ms: float) -> Any:
    """Raised-cosine fade in and out, per sample (pydub's fades step every millisecond)."""
    samples = array.array("h", segment.raw_data)
    count = len(samples)
    attack = min(ms_to_frames(attack_ms), count // 2)
    release = min(ms_to_frames(release_ms), count - attack)
    for i in range(attack):
        samples[i] = round(samples[i] * 0.5 * (1 - math.cos(math.pi * i / attack)))
    for i in range(release):
        # Reaches exactly zero on the last sample, so a note never ends mid-swing.
        k = (i + 1) / release
        j = count - release + i
        samples[j] = round(samples[j] * 0.5 * (1 + math.cos(math.pi * k)))
    return segment._spawn(samples.tobytes())


def tone(note: Note) -> Any:
    """One note as a segment."""
    raw = Sine(note.freq, sample_rate=FRAME_RATE, bit_depth=16).to_audio_segment(
        duration=note.length_ms, volume=note.level_db)
    return _envelope(raw, note.attack_ms, note.release_ms)


def render(recipe: Recipe) -> Any:
    """A recipe's notes mixed into one segment."""
    length = max(n.start_ms + n.length_ms for n in recipe.notes)
    out = silent(length)
    for note in recipe.notes:
        out = out.overlay(tone(note), position=note.start_ms)
    return out


def synthesise(name: str) -> Any:
    """A default cue by name (KeyError for an unknown one)."""
    return render(RECIPES[name])


def fallback_tone(freq: float = 660.0, length_ms: float = 150.0) -> Any:
    """A plain beep, for a sound that has neither a file nor a recipe."""
    return tone(Note(freq, 0, length_ms, -8, release_ms=60))


__all__ = ["CUE_NAMES", "RECIPES", "Note", "Recipe", "fallback_tone", "render",
           "synthesise", "tone"]
