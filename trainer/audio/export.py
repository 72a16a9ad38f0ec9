"""Export a whole guided session as one audio track: every cue and line at its time over silence.

The track is mixed in chunks and streamed to disk, so a six-hour routine needs no more memory
than a short one (a pydub overlay on one long segment would copy the whole track per cue). The
cues themselves are the engine's pre-rendered pydub sounds, so the track sounds exactly like a
live session. MP3 and OGG go through ffmpeg (the encoder pydub uses), fed the finished WAV.
Output is written to a temp file beside the target and renamed into place only when complete:
a failure never leaves an empty or partial file behind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from trainer.audio.cues import volume_gain_db
from trainer.audio.engine import CueEngine, moments
from trainer.audio.pcm import FRAME_RATE, SAMPLE_WIDTH, audioop
from trainer.audio.players import NonePlayer
from trainer.audio.voice import DEFAULT_RATE, SpeechEngine, VoiceTemplates
from trainer.session.prepared import ExerciseInfo
from trainer.session.timeline import Timeline

__all__ = ["FORMATS", "ExportError", "ExportResult", "export_audio"]

FORMATS = {".wav": "wav", ".mp3": "mp3", ".ogg": "ogg"}
# Vorbis refuses most fixed bitrates at 22.05 kHz mono; its quality scale always works.
ENCODER_ARGS = {"mp3": ("-b:a", "96k"), "ogg": ("-q:a", "4")}
CHUNK_FRAMES = FRAME_RATE * 10
TAIL_MS = 500  # silence after the last sound, so players do not clip its release
ENCODE_TIMEOUT = 600.0
Progress = Callable[[float], None]


class ExportError(Exception):
    """An export that cannot be done; the message is one plain line."""


@dataclass
class ExportResult:
    """What was written."""

    path: Path
    seconds: float
    sounds: int
    voice_lines: int
    notes: list[str] = field(default_factory=list)


def _format(out: Path) -> str:
    """The output format from the file name; ExportError if unsupported or impossible here."""
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise ExportError(f"cannot export to '{out.suffix or out.name}': "
                          f"use a file name ending in {', '.join(FORMATS)}")
    if fmt != "wav" and shutil.which("ffmpeg") is None:
        raise ExportError(f"exporting {fmt.upper()} needs ffmpeg, which is not installed "
                          f"(or not on PATH); install ffmpeg or export to .wav")
    return fmt


def _check_target(out: Path) -> None:
    """Refuse a target that cannot be written, before any work is done."""
    if out.is_dir():
        raise ExportError(f"{out} is a folder; give a file name such as {out / 'session.wav'}")
    if not out.parent.is_dir():
        raise ExportError(f"folder {out.parent} does not exist")
    if not os.access(out.parent, os.W_OK):
        raise ExportError(f"cannot write to folder {out.parent}")


def _mix(schedule: list[tuple[int, bytes]], total_frames: int, target: Path,
         progress: Progress | None, share: tuple[float, float]) -> None:
    """Write the sounds (start frame, PCM bytes) mixed over silence into a WAV file."""
    start, span = share
    pending = sorted(schedule, key=lambda item: item[0])
    active: list[tuple[int, bytes]] = []
    nxt = 0
    with wave.open(str(target), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(SAMPLE_WIDTH)
        wav.setframerate(FRAME_RATE)
        for c0 in range(0, total_frames, CHUNK_FRAMES):
            c1 = min(total_frames, c0 + CHUNK_FRAMES)
            while nxt < len(pending) and pending[nxt][0] < c1:
                active.append(pending[nxt])
                nxt += 1
            chunk = bytearray((c1 - c0) * SAMPLE_WIDTH)
            still: list[tuple[int, bytes]] = []
            for at, data in active:
                end = at + len(data) // SAMPLE_WIDTH
                lo, hi = max(at, c0), min(end, c1)
                if lo < hi:
                    a, b = (lo - c0) * SAMPLE_WIDTH, (hi - c0) * SAMPLE_WIDTH
                    x, y = (lo - at) * SAMPLE_WIDTH, (hi - at) * SAMPLE_WIDTH
                    # audioop.add clips instead of wrapping where sounds overlap.
                    chunk[a:b] = audioop.add(bytes(chunk[a:b]), data[x:y], SAMPLE_WIDTH)
                if end > c1:
                    still.append((at, data))
            active = still
            wav.writeframes(bytes(chunk))
            if progress is not None:
                progress(start + span * c1 / total_frames)


def _encode(source: Path, target: Path, fmt: str, seconds: float,
            progress: Progress | None, share: tuple[float, float]) -> None:
    """Encode a WAV into MP3 or OGG with ffmpeg; ExportError with ffmpeg's reason on failure."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise ExportError("ffmpeg disappeared during the export")
    argv = [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-nostats",
            "-progress", "pipe:1", "-y", "-i", str(source), "-vn", "-ac", "1",
            *ENCODER_ARGS[fmt], "-f", fmt, str(target)]
    start, span = share
    with subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, start_new_session=True) as proc:
        try:
            assert proc.stdout is not None
            for raw in proc.stdout:
                key, _, value = raw.decode("ascii", "replace").strip().partition("=")
                if key == "out_time_us" and value.isdigit() and progress and seconds > 0:
                    progress(start + span * min(1.0, int(value) / 1e6 / seconds))
            _, err = proc.communicate(timeout=ENCODE_TIMEOUT)
        except BaseException:
            proc.kill()  # interrupted or timed out: no encoder left running behind us
            raise
    if proc.returncode != 0:
        reason = err.decode("utf-8", "replace").strip().splitlines()
        raise ExportError(f"ffmpeg could not encode {fmt.upper()}: "
                          f"{reason[-1] if reason else f'exit status {proc.returncode}'}")


def export_audio(timeline: Timeline, exercises: Mapping[str, ExerciseInfo], out_path: Path | str, *,
                 voice: bool = True, volume: int = 100,
                 templates: VoiceTemplates | None = None,
                 overrides: Mapping[str, Path] | None = None,
                 progress: Progress | None = None,
                 speech: SpeechEngine | None = None, rate: int = DEFAULT_RATE,
                 voice_cache: Path | None = None,
                 sounds_dir: Path | None = None) -> ExportResult:
    """Write the guided session to `out_path` (.wav always; .mp3/.ogg with ffmpeg).

    Cue times are the plan: phase starts at phase.start, each cue at phase.start + cue.at,
    "complete" at the timeline's total (self-paced phases at their estimate). Raises
    ExportError with a one-line reason, before writing anything when it can be known upfront.
    """
    out = Path(out_path)
    _check_target(out)
    fmt = _format(out)
    if volume_gain_db(volume) is None:
        raise ExportError("volume 0 would export silence; use a volume from 1 to 100")
    with_voice = voice and timeline.announce
    engine = CueEngine(timeline, exercises, NonePlayer(), volume=volume, voice=with_voice,
                       templates=templates, overrides=overrides, speech=speech, rate=rate,
                       voice_cache=voice_cache, sounds_dir=sounds_dir)
    render_share = 0.3 if with_voice else 0.05
    mix_share = (render_share, (0.9 if fmt != "wav" else 1.0) - render_share)
    engine.prepare(progress=(lambda f: progress(f * render_share)) if progress else None)

    schedule: list[tuple[int, bytes]] = []
    end_frames = 0
    voiced = 0
    for at, events in moments(timeline):
        sound = engine.sound_for(events)
        if sound is None:
            continue
        frame = round(at * FRAME_RATE)
        data = sound.segment.raw_data
        schedule.append((frame, data))
        end_frames = max(end_frames, frame + len(data) // SAMPLE_WIDTH)
        voiced += sound.label != sound.name
    total_frames = end_frames + round(TAIL_MS * FRAME_RATE / 1000)

    fd, tmp_name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    os.close(fd)
    tmp = Path(tmp_name)
    wav_tmp: Path | None = None
    try:
        # mkstemp makes the file private; the export is the user's file, so honour their umask.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        if fmt == "wav":
            _mix(schedule, total_frames, tmp, progress, mix_share)
        else:
            # Beside the target too: the intermediate WAV can be big, and that disk has room.
            fd, wav_name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.",
                                            suffix=".wav.part")
            os.close(fd)
            wav_tmp = Path(wav_name)
            _mix(schedule, total_frames, wav_tmp, progress, mix_share)
            _encode(wav_tmp, tmp, fmt, total_frames / FRAME_RATE, progress, (0.9, 0.1))
        if tmp.stat().st_size == 0:
            raise ExportError("the encoder wrote nothing")
        os.replace(tmp, out)
    except OSError as exc:
        raise ExportError(f"could not write {out}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
        if wav_tmp is not None:
            wav_tmp.unlink(missing_ok=True)
    if progress is not None:
        progress(1.0)
    notes = list(engine.notes)
    return ExportResult(out, total_frames / FRAME_RATE, len(schedule), voiced, notes)
