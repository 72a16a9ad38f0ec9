"""The one place pydub and audioop are imported: quietly, and with the session's sample format."""

from __future__ import annotations

import io
import warnings
import wave
from pathlib import Path
from typing import Any

# pydub warns on import when ffmpeg is missing (WAV needs no ffmpeg) and Python 3.12 warns that
# audioop is deprecated; either would land on the terminal, so both are silenced here, once.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop  # re-exported for the mixer

    from pydub import AudioSegment  # type: ignore[import-untyped]
    from pydub.generators import Sine  # type: ignore[import-untyped]

__all__ = ["FRAME_RATE", "SAMPLE_WIDTH", "AudioSegment", "Sine", "audioop", "conform",
           "ms_to_frames", "read_wav", "silent", "wav_bytes"]

FRAME_RATE = 22050  # mono 16-bit at 22.05 kHz: plenty for beeps and speech, small files
SAMPLE_WIDTH = 2
MAX_SOUND_FILE = 2 * 1024 * 1024  # a cue file bigger than this is not a cue
MAX_SOUND_MS = 8000  # longer sounds are cut: a cue must not drown the next one


def conform(segment: Any) -> Any:
    """The segment as mono, 16-bit, 22.05 kHz (the format everything is mixed in)."""
    if segment.channels != 1:
        segment = segment.set_channels(1)
    if segment.sample_width != SAMPLE_WIDTH:
        segment = segment.set_sample_width(SAMPLE_WIDTH)
    if segment.frame_rate != FRAME_RATE:
        segment = segment.set_frame_rate(FRAME_RATE)
    return segment


def silent(ms: float) -> Any:
    """Silence in the session's format."""
    return AudioSegment.silent(duration=ms, frame_rate=FRAME_RATE)


def ms_to_frames(ms: float) -> int:
    """Sample frames in a number of milliseconds (rounded to the nearest frame)."""
    return round(ms * FRAME_RATE / 1000)


def read_wav(path: Path, max_ms: int = MAX_SOUND_MS) -> Any:
    """A PCM WAV file as a conformed segment, cut to max_ms; raises OSError or ValueError.

    Read with the standard library: pydub's from_wav hands a file it cannot parse to ffmpeg,
    which would mean a subprocess and warnings on the terminal for a broken cue file.
    """
    size = path.stat().st_size
    limit = MAX_SOUND_FILE * max(1, max_ms // MAX_SOUND_MS)
    if size > limit:
        raise ValueError(f"{path.name} is {size // 1024} KiB; the limit is {limit // 1024} KiB")
    try:
        with wave.open(io.BytesIO(path.read_bytes()), "rb") as wav:
            width, channels, rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
            data = wav.readframes(min(wav.getnframes(), rate * max_ms // 1000 + 1))
    except (wave.Error, EOFError) as exc:
        raise ValueError(f"{path.name} is not a PCM WAV file ({exc})") from exc
    if not data:
        raise ValueError(f"{path.name} holds no audio")
    try:
        if width == 1:
            data = audioop.bias(data, 1, -128)  # 8-bit WAV is unsigned; pydub expects signed
        segment = AudioSegment(data=data, sample_width=width, frame_rate=rate,
                               channels=channels)
        return conform(segment)[:max_ms]
    except Exception as exc:  # audioop.error and pydub's own types, for odd widths and rates
        raise ValueError(f"{path.name} has an unusable format ({exc})") from exc


def wav_bytes(segment: Any) -> bytes:
    """A segment as the bytes of a WAV file."""
    buffer = io.BytesIO()
    segment.export(buffer, format="wav")
    return buffer.getvalue()
