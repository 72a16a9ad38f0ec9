"""The cue theme: shipped WAVs match their recipes, are small, click-free and distinct by pitch."""

from __future__ import annotations

import array
import itertools
import math
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.audio.cues import apply_volume, load_cue_set, volume_gain_db
from trainer.audio.pcm import FRAME_RATE, read_wav, wav_bytes
from trainer.audio.synth import CUE_NAMES, RECIPES, synthesise
from trainer.paths import builtin_sounds_dir

SEMITONE = 2 ** (1 / 12)


def samples_of(segment: object) -> array.array[int]:
    """A 16-bit mono segment's samples."""
    return array.array("h", segment.raw_data)  # type: ignore[attr-defined]


def goertzel_power(samples: Sequence[float], freq: float, rate: int = FRAME_RATE) -> float:
    """Signal power at one frequency (a single DFT bin, computed the cheap way)."""
    coeff = 2 * math.cos(2 * math.pi * freq / rate)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + coeff * s1 - s2, s1
    return s1 * s1 + s2 * s2 - coeff * s1 * s2


def dominant_frequency(samples: array.array[int], low: float = 250.0,
                       high: float = 1700.0, frame: int = 512) -> float:
    """The semitone between low and high that carries most of the energy (the cue's note).

    Power is summed over short Hann-windowed frames: a short frame's broad bins make every
    tone land on the semitone grid, where one long DFT would fall between its narrow bins.
    """
    grid = [low * SEMITONE ** k for k in range(int(12 * math.log2(high / low)) + 1)]
    hann = [0.5 - 0.5 * math.cos(2 * math.pi * i / frame) for i in range(frame)]
    frames = [[x * w for x, w in zip(samples[i:i + frame], hann, strict=False)]
              for i in range(0, max(1, len(samples) - frame // 2), frame)]
    return max(grid, key=lambda g: sum(goertzel_power(f, g) for f in frames))


def test_every_cue_is_shipped_small_and_in_the_session_format() -> None:
    folder = builtin_sounds_dir()
    for name in CUE_NAMES:
        path = folder / f"{name}.wav"
        assert path.stat().st_size < 30 * 1024, name
        segment = read_wav(path)
        raw = path.read_bytes()
        assert raw[:4] == b"RIFF" and raw[8:12] == b"WAVE"
        assert (segment.channels, segment.sample_width, segment.frame_rate) == (1, 2, 22050)
        assert 40 <= len(segment) <= 600, (name, len(segment))


def test_shipped_files_are_what_the_recipes_make() -> None:
    """Regenerating (sounds/make_sounds.py) would change nothing: the files are not stale."""
    for name in CUE_NAMES:
        shipped = (builtin_sounds_dir() / f"{name}.wav").read_bytes()
        assert wav_bytes(synthesise(name)) == shipped, f"{name}.wav is stale: rerun make_sounds"


def test_each_cue_has_its_own_dominant_pitch() -> None:
    found = {name: dominant_frequency(samples_of(read_wav(builtin_sounds_dir() / f"{name}.wav")))
             for name in CUE_NAMES}
    for name, freq in found.items():
        designed = RECIPES[name].dominant
        assert abs(freq / designed - 1) < 0.035, (name, freq, designed)  # half a semitone
    # At least 1.6 semitones apart pairwise: a clearly different note, not a detuned one.
    for (a, fa), (b, fb) in itertools.combinations(found.items(), 2):
        assert max(fa, fb) / min(fa, fb) > SEMITONE ** 1.6, (a, fa, b, fb)


def test_cues_start_and_end_silent_without_clicks() -> None:
    """A click is a jump bigger than the loudest sine in the cue could make in one sample."""
    for name in CUE_NAMES:
        x = samples_of(synthesise(name))
        peak = max(abs(v) for v in x)
        top = max(n.freq for n in RECIPES[name].notes)
        smooth_step = peak * 2 * math.pi * top / FRAME_RATE
        assert abs(x[0]) < 0.02 * peak and abs(x[-1]) < 0.02 * peak, name
        biggest = max(abs(b - a) for a, b in itertools.pairwise(x))
        assert biggest <= 1.15 * smooth_step + 2, (name, biggest, smooth_step)


def test_missing_or_broken_files_fall_back_to_the_synthesised_sound(tmp_path: Path) -> None:
    (tmp_path / "tick.wav").write_bytes(b"RIFF0000WAVEjunk")
    (tmp_path / "rest.wav").write_bytes((builtin_sounds_dir() / "rest.wav").read_bytes())
    cues = load_cue_set(sounds_dir=tmp_path)
    assert set(cues.sounds) == set(CUE_NAMES)
    assert cues.sources["rest"] == str(tmp_path / "rest.wav")
    assert cues.sources["tick"] == cues.sources["work"] == "synthesised"
    assert cues.sounds["tick"].raw_data == synthesise("tick").raw_data
    assert [n for n in cues.notes if "tick" in n], cues.notes
    assert not [n for n in cues.notes if "'work'" in n]  # a missing file is not worth a note


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200), st.integers(1, 4), st.integers(1, 3),
       st.integers(1, 200_000))
def test_any_file_loads_or_falls_back_never_raises(tail: bytes, width: int, channels: int,
                                                   rate: int) -> None:
    import struct
    import tempfile

    header = (b"RIFF" + struct.pack("<I", 36 + len(tail)) + b"WAVEfmt "
              + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * width * channels,
                            width * channels, 8 * width)
              + b"data" + struct.pack("<I", len(tail)))
    with tempfile.TemporaryDirectory() as tmp:
        for content in (header + tail, tail):
            path = Path(tmp) / "tick.wav"
            path.write_bytes(content)
            cues = load_cue_set({"tick": path})
            tick = cues.sounds["tick"]
            assert (tick.channels, tick.sample_width, tick.frame_rate) == (1, 2, FRAME_RATE)
            assert cues.sources["tick"] == str(path) or any("tick" in n for n in cues.notes)


def test_an_override_replaces_one_cue_and_a_bad_one_is_noted(tmp_path: Path) -> None:
    mine = tmp_path / "gong.wav"
    mine.write_bytes(wav_bytes(synthesise("complete")))
    cues = load_cue_set({"tick": mine, "rep": tmp_path / "gone.wav"})
    assert cues.sources["tick"] == str(mine)
    assert cues.sounds["tick"].raw_data == synthesise("complete").raw_data
    assert cues.sources["rep"].endswith("rep.wav")  # fell back to the shipped file
    assert any("gone.wav" in n for n in cues.notes)


def test_volume_maps_percent_to_gain() -> None:
    assert volume_gain_db(100) == 0
    assert volume_gain_db(0) is None
    assert volume_gain_db(50) == pytest.approx(-12.04, abs=0.01)
    assert volume_gain_db(1) == -40.0
    tick = synthesise("tick")
    assert apply_volume(tick, 0) is None
    half = apply_volume(tick, 50)
    assert half is not None
    assert half.max_dBFS == pytest.approx(tick.max_dBFS - 12.04, abs=0.1)


@given(st.integers(min_value=1, max_value=99), st.integers(min_value=1, max_value=99))
def test_louder_volume_never_means_less_gain(a: int, b: int) -> None:
    gain_a, gain_b = volume_gain_db(a), volume_gain_db(b)
    assert gain_a is not None and gain_b is not None
    assert (a <= b) == (gain_a <= gain_b) or gain_a == gain_b
