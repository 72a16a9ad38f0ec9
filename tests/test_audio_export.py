"""Whole-session export: onsets at the timeline's cue times, formats, nothing left on failure."""

from __future__ import annotations

import array
import io
import itertools
import shutil
import wave
from pathlib import Path
from typing import Any

import pytest
from test_audio_engine import fake_speech
from test_audio_sounds import dominant_frequency

from trainer.audio import export as export_module
from trainer.audio.engine import VOICE_GAP_MS
from trainer.audio.export import ExportError, export_audio
from trainer.audio.pcm import FRAME_RATE, AudioSegment, audioop
from trainer.audio.synth import synthesise
from trainer.cli.audio import export
from trainer.library.model import Exercise, Routine
from trainer.session.timeline import Timeline, build_timeline

EXERCISES: dict[str, Exercise] = {
    str(e["id"]): Exercise.model_validate(e)
    for e in [
        {"id": "reach", "name": "Side reach", "category": "stretch", "sides": "each", "hold": 6},
        {"id": "squat", "name": "Squat", "category": "strength", "reps": 4, "tempo": 1.5},
        {"id": "jacks", "name": "Step jacks", "category": "aerobic", "duration": 10},
        {"id": "knees", "name": "High knees", "category": "aerobic", "duration": 10},
    ]
}
# What each moment must sound like, written out from the design rather than taken from the code.
START_CUES = {"get_ready": "get_ready", "work": "work", "hold": "work", "reps": "work",
              "rest": "rest", "switch": "switch", "done": "complete"}
CUE_CUES = {"countdown": "tick", "halfway": "halfway", "rep": "rep", "switch_sides": "switch"}
ONSET_LEVEL = 300  # about -40 dBFS
ONSET_GAP = 0.15  # seconds of quiet that separate two sounds


def mixed_routine() -> Timeline:
    """Sides, sets, reps with a tempo, and an interval block, in about a minute."""
    routine = Routine.model_validate({
        "id": "mix", "name": "Mix",
        "defaults": {"get_ready": 3, "rest": 4, "set_rest": 3, "switch": 2, "countdown": 3},
        "steps": ["reach", {"exercise": "squat", "sets": 2},
                  {"interval": {"work": 10, "rest": 4, "rounds": 2,
                                "exercises": ["jacks", "knees"]}}]})
    tl = build_timeline(routine, EXERCISES)
    kinds = [p.kind for p in tl.phases]
    assert "switch" in kinds and any(p.sets == 2 for p in tl.phases)
    assert any(p.tempo for p in tl.phases) and any(p.rounds == 2 for p in tl.phases)
    return tl


def planned(tl: Timeline) -> dict[float, str]:
    """{time: cue} from the timeline: phase starts, cue times, the end; a tick beats a rep."""
    plan: dict[float, list[str]] = {}
    for phase in tl.phases:
        plan.setdefault(round(phase.start, 6), []).append(START_CUES[phase.kind])
        for cue in phase.cues:
            plan.setdefault(round(phase.start + cue.at, 6), []).append(CUE_CUES[cue.kind])
    order = ["complete", "switch", "work", "rest", "get_ready", "tick", "halfway", "rep"]
    return {t: min(names, key=order.index) for t, names in sorted(plan.items())}


def read_track(path: Path) -> array.array[int]:
    """A mono 16-bit WAV's samples."""
    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, FRAME_RATE)
        return array.array("h", wav.readframes(wav.getnframes()))


def onsets(samples: array.array[int]) -> list[float]:
    """Seconds at which a sound starts: the first loud sample after ONSET_GAP of quiet."""
    raw = samples.tobytes()
    found: list[float] = []
    last_loud = -10**9
    gap = round(ONSET_GAP * FRAME_RATE)
    block = 256
    for b in range(0, len(samples), block):
        if audioop.max(raw[2 * b:2 * (b + block)], 2) <= ONSET_LEVEL:
            continue  # skip quiet blocks whole: the track is mostly silence
        for i in range(b, min(len(samples), b + block)):
            if abs(samples[i]) > ONSET_LEVEL:
                if i - last_loud > gap:
                    found.append(i / FRAME_RATE)
                last_loud = i
    return found


@pytest.fixture(autouse=True)
def voice_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Rendered lines go to a temp folder."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("TRAINER_CACHE_DIR", str(cache))
    return cache


def test_cue_onsets_match_the_timeline_within_10_ms(tmp_path: Path) -> None:
    tl = mixed_routine()
    plan = planned(tl)
    times = list(plan)
    assert min(b - a for a, b in itertools.pairwise(times)) > 0.4  # apart enough to tell
    out = tmp_path / "session.wav"
    result = export_audio(tl, EXERCISES, out, voice=False, volume=100)
    assert result.sounds == len(plan) and result.voice_lines == 0
    samples = read_track(out)
    found = onsets(samples)
    assert len(found) == len(times), (found, times)
    worst = max(abs(f - t) for f, t in zip(found, times, strict=True))
    assert worst <= 0.010, worst
    # And each onset is the right cue: its exact samples start there.
    for t, name in plan.items():
        cue = array.array("h", synthesise(name).raw_data)
        at = round(t * FRAME_RATE)
        assert samples[at:at + len(cue)] == cue, (t, name)
    assert len(samples) / FRAME_RATE == pytest.approx(tl.total + 0.6 + 0.5, abs=0.01)


def test_voice_lines_follow_their_cues_in_the_track(tmp_path: Path) -> None:
    speech, _ = fake_speech(tmp_path)
    tl = mixed_routine()
    out = tmp_path / "voiced.wav"
    result = export_audio(tl, EXERCISES, out, voice=True, volume=100, speech=speech)
    assert result.voice_lines > 5
    samples = read_track(out)
    get_ready = synthesise("get_ready")
    start = round((len(get_ready) + VOICE_GAP_MS) / 1000 * FRAME_RATE)
    line = samples[start:start + round(0.2 * FRAME_RATE)]
    assert dominant_frequency(line) == pytest.approx(300, rel=0.035)  # the fake voice's pitch
    assert max(abs(x) for x in samples[start - 800:start - 10]) == 0  # the gap before it


def only_files(folder: Path) -> list[str]:
    """Names of the files in a folder (temp files included)."""
    return sorted(p.name for p in folder.iterdir() if p.is_file())


def test_mp3_without_ffmpeg_is_a_clear_error_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    outdir = tmp_path / "out"
    outdir.mkdir()
    with pytest.raises(ExportError, match="MP3 needs ffmpeg"):
        export_audio(mixed_routine(), EXERCISES, outdir / "walk.mp3", voice=False)
    assert only_files(outdir) == []
    err, out = io.StringIO(), io.StringIO()
    assert export(mixed_routine(), EXERCISES, outdir / "walk.ogg", voice=False,
                  out=out, err=err) == 1
    assert err.getvalue().count("\n") == 1 and "OGG needs ffmpeg" in err.getvalue()
    assert "Traceback" not in err.getvalue() and out.getvalue() == ""
    assert only_files(outdir) == []


def test_a_failing_encoder_leaves_nothing_and_keeps_an_old_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "ffmpeg"
    fake.write_text("#!/bin/sh\nfor a; do last=$a; done\necho junk > \"$last\"\n"
                    "echo \"Unknown encoder 'libmp3lame'\" >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    outdir = tmp_path / "out"
    outdir.mkdir()
    (outdir / "walk.mp3").write_bytes(b"an older export")
    with pytest.raises(ExportError, match="ffmpeg could not encode MP3: Unknown encoder"):
        export_audio(mixed_routine(), EXERCISES, outdir / "walk.mp3", voice=False)
    assert only_files(outdir) == ["walk.mp3"]
    assert (outdir / "walk.mp3").read_bytes() == b"an older export"


def test_a_failure_while_writing_leaves_no_partial_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(schedule: Any, total: int, target: Path, *args: Any) -> None:
        target.write_bytes(b"RIFF half a track")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_module, "_mix", disk_full)
    err = io.StringIO()
    assert export(mixed_routine(), EXERCISES, tmp_path / "s.wav", voice=False,
                  out=io.StringIO(), err=err) == 1
    assert err.getvalue() == f"trainer: could not write {tmp_path / 's.wav'}: " \
                             "No space left on device\n"
    assert only_files(tmp_path) == []


@pytest.mark.parametrize(("name", "problem"), [
    ("s.flac", "cannot export to '.flac'"),
    ("missing/s.wav", "does not exist"),
    (".", "is a folder"),
])
def test_bad_targets_are_refused_up_front(tmp_path: Path, name: str, problem: str) -> None:
    with pytest.raises(ExportError, match=problem):
        export_audio(mixed_routine(), EXERCISES, tmp_path / name, voice=False)
    assert only_files(tmp_path) == []


def test_volume_zero_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="volume 0"):
        export_audio(mixed_routine(), EXERCISES, tmp_path / "s.wav", voice=False, volume=0)


class FakeTty(io.StringIO):
    """A StringIO that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    quiet_err, out = io.StringIO(), io.StringIO()
    assert export(mixed_routine(), EXERCISES, tmp_path / "a.wav", voice=False,
                  out=out, err=quiet_err) == 0
    assert quiet_err.getvalue() == ""
    assert out.getvalue().startswith(f"wrote {tmp_path / 'a.wav'}: 1:") and "cues" in out.getvalue()
    tty = FakeTty()
    assert export(mixed_routine(), EXERCISES, tmp_path / "b.wav", voice=False,
                  out=io.StringIO(), err=tty) == 0
    shown = tty.getvalue()
    assert "\r" in shown and "100%" in shown and shown.endswith("\r\x1b[K")
    assert (tmp_path / "b.wav").stat().st_size == (tmp_path / "a.wav").stat().st_size


@pytest.mark.skipif(shutil.which("ffmpeg") is None,
                    reason="ffmpeg not installed (.ci/run installs it)")
@pytest.mark.parametrize("suffix", [".mp3", ".ogg"])
def test_compressed_exports_decode_to_the_same_length(tmp_path: Path, suffix: str) -> None:
    tl = mixed_routine()
    out = tmp_path / f"walk{suffix}"
    result = export_audio(tl, EXERCISES, out, voice=False)
    decoded = AudioSegment.from_file(out)
    assert len(decoded) / 1000 == pytest.approx(result.seconds, abs=0.15)
    assert decoded.max_dBFS > -12  # the cues survived the encoder
    assert only_files(tmp_path) == [out.name]
