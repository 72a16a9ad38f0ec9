"""Write the default cue theme into this folder as small WAV files (mono, 16-bit, 22.05 kHz).

The recipes (pitches, lengths, envelopes) live in trainer/audio/synth.py, so the app can
synthesise the very same sound when a file is missing. Run from the repo root:

    .venv/bin/python sounds/make_sounds.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from trainer.audio.pcm import wav_bytes
from trainer.audio.synth import CUE_NAMES, RECIPES, synthesise

HERE = Path(__file__).resolve().parent
MAX_BYTES = 30 * 1024


def main() -> int:
    """Render every cue and write it next to this script; fail if one grows too big."""
    for name in CUE_NAMES:
        data = wav_bytes(synthesise(name))
        if len(data) > MAX_BYTES:
            print(f"{name}: {len(data)} bytes is over {MAX_BYTES}", file=sys.stderr)
            return 1
        (HERE / f"{name}.wav").write_bytes(data)
        print(f"{name + '.wav':14} {len(data):6} bytes  {RECIPES[name].meaning}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
