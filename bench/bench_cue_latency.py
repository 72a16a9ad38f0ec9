"""Benchmark: cue latency, from handing the engine an event to the player having started.

For every player available here: each local player program found on PATH that passes the
probe (with HOME pointed at a temp folder whose ~/.asoundrc sends ALSA's default device to a
file, so `aplay` works on a machine without a sound card), the bell, and none. Each is timed
REPEAT times:

- handle: from `CueEngine.handle(events)` being called until it returns. For a local player
  that is when `subprocess.Popen` has returned, i.e. the player program has been exec'd.
- audio: for players that write through ALSA (aplay; ffplay via SDL), until the first audio
  bytes appear in ALSA's file output (the child has opened the device and written sound):
  the closest thing to "the speaker moves" on a machine without one.

Next to them, in the same run, a baseline: a bare `subprocess.Popen(["true"])` with the same
flags. Prints median and p95 in milliseconds and PASS/MISS against the 30 ms target for the
local player. It reports and does not gate: exit 0.

Run: `.venv/bin/python bench/bench_cue_latency.py [--repeat 30]`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from results import record

from trainer.audio.engine import CueEngine, moments
from trainer.audio.players import (
    LOCAL_PLAYERS,
    BellPlayer,
    LocalPlayer,
    NonePlayer,
    Player,
    find_local_player,
)
from trainer.library.model import Exercise, Routine
from trainer.session.timeline import Timeline, build_timeline

TARGET_MS = 30.0
WAV_HEADER = 44


@dataclass
class Figures:
    """One row of the report."""

    name: str
    handle_ms: list[float]
    audio_ms: list[float] | None = None
    note: str = ""


def timeline() -> Timeline:
    """A one-exercise routine; only its events matter."""
    ex = Exercise.model_validate({"id": "jog", "name": "Jog", "category": "aerobic",
                                  "duration": 20})
    routine = Routine.model_validate({"id": "b", "name": "B", "steps": ["jog"]})
    return build_timeline(routine, {"jog": ex})


def pct(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def measure(player: Player, repeat: int, capture: Path | None = None) -> Figures:
    """Time handle() for a tick event `repeat` times, letting each sound finish first."""
    tl = timeline()
    engine = CueEngine(tl, {}, player, voice=False, volume=80)
    engine.prepare()  # as the app does before the session: files written, cues rendered
    tick = next(events for _, events in moments(tl) if events[0].kind == "countdown")
    handle_ms: list[float] = []
    audio_ms: list[float] = []
    for _ in range(repeat):
        if capture is not None:
            capture.unlink(missing_ok=True)
        start = time.perf_counter()
        engine.handle(tick)
        handle_ms.append((time.perf_counter() - start) * 1000)
        if capture is not None:
            audio_ms.append(_first_audio(capture, start))
            if audio_ms[-1] != audio_ms[-1]:  # NaN: this player does not write through ALSA
                capture, audio_ms = None, []
        if isinstance(player, LocalPlayer):
            player.wait(10)
    failed = getattr(player, "failed", None)
    engine.close()
    return Figures(player.name, handle_ms, audio_ms or None, f"FAILED: {failed}" if failed else "")


def _first_audio(capture: Path, start: float, timeout: float = 2.0) -> float:
    """Milliseconds from start until the capture file holds more than its header."""
    while time.perf_counter() - start < timeout:
        try:
            if capture.stat().st_size > WAV_HEADER:
                return (time.perf_counter() - start) * 1000
        except FileNotFoundError:
            pass
    return float("nan")


def baseline(repeat: int) -> Figures:
    """A bare Popen of `true` with the local player's flags."""
    true = shutil.which("true") or "/bin/true"
    times: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.Popen([true], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        times.append((time.perf_counter() - start) * 1000)
        proc.wait()
    return Figures("baseline: Popen(['true'])", times)


def alsa_to_file(home: Path) -> Path:
    """Point ALSA's default device at a WAV file under home; returns the file's path."""
    capture = home / "capture.wav"
    (home / ".asoundrc").write_text(
        f'pcm.!default {{ type file slave.pcm "null" file "{capture}" format "wav" }}\n')
    os.environ["HOME"] = str(home)
    return capture


def main(argv: list[str] | None = None) -> int:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    rows: list[Figures] = []
    skipped: list[str] = []
    with tempfile.TemporaryDirectory(prefix="trainer-bench-") as tmp:
        capture = alsa_to_file(Path(tmp))
        rows.append(baseline(args.repeat))
        for program in LOCAL_PLAYERS:
            if shutil.which(program) is None:
                skipped.append(f"{program}: not installed")
                continue
            player, reason = find_local_player((program,))
            if player is None:
                skipped.append(f"{program}: {reason}")
                continue
            rows.append(measure(player, args.repeat, capture))
        rung: list[str] = []
        ring: Callable[[str], None] = rung.append
        rows.append(measure(BellPlayer(ring), args.repeat))
        rows.append(measure(NonePlayer(), args.repeat))

    print(f"cue latency, {args.repeat} runs each, milliseconds (median / p95)")
    print(f"  {'player':28} {'handle->started':>17} {'->first audio':>17}  verdict")
    for row in rows:
        started = f"{statistics.median(row.handle_ms):7.3f} / {pct(row.handle_ms, 0.95):7.3f}"
        audio = (f"{statistics.median(row.audio_ms):7.3f} / {pct(row.audio_ms, 0.95):7.3f}"
                 if row.audio_ms else "-")
        verdict = ""
        if row.name.startswith("local"):
            worst = statistics.median(row.audio_ms or row.handle_ms)
            verdict = f"{'PASS' if worst < TARGET_MS else 'MISS'} (target {TARGET_MS:.0f} ms)"
            record("cue latency", f"cue to first audio, {row.name}", f"{worst:.1f} ms",
                   f"Popen(['true']) {statistics.median(rows[0].handle_ms):.1f} ms",
                   f"< {TARGET_MS:.0f} ms", worst < TARGET_MS)
        print(f"  {row.name:28} {started:>17} {audio:>17}  {verdict} {row.note}".rstrip())
    if not any(row.name.startswith("local") for row in rows):
        print("  no local player works here: nothing to hold to the target")
    for line in skipped:
        print(f"  skipped {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
