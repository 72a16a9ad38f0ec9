"""Benchmark: a steady session countdown in a real pty, next to a bare Textual `Digits` countdown.

Both programs run in a pseudo-terminal at 80x24 (TERM=xterm-256color), interleaved
(bare, trainer, bare, trainer, ...) because the machine is noisy. For each run:

- first frame: from spawn until the emulated screen (pyte) shows the countdown
  (the trainer: "HOLD" and its block digits; the bare app: the `Digits` glyphs). The
  trainer's first run starts with an empty cache folder and prepares the routine; later runs
  start from it, as a person's second run of an unchanged routine does. The median is of
  those later runs; the first run's figure is printed as well;
- then, after a settle, over exactly WINDOW seconds: bytes read from the pty per second and the
  child's CPU seconds (all its threads, from /proc/PID/task/*/schedstat in nanoseconds);
- peak RSS (VmHWM from /proc/PID/status) at the end of the window.

Then STARTS more interleaved starts of each are timed to the first frame only (start-up varies
most from run to run); the first-frame medians include them.

Both run from byte-compiled code, as installed programs do: pip compiled Textual when it was
installed, and the trainer's package is compiled here before the first run (this workplace
sets PYTHONDONTWRITEBYTECODE, which would otherwise make every trainer run compile its ~20
modules from source, ~50 ms that no user pays twice).

Prints medians, the trainer/bare ratios and PASS/MISS against the targets. It reports and does
not gate: exit 0 whatever the figures, 1 only if a run failed.

Run: `.venv/bin/python bench/bench_session.py [--rounds 3] [--window 20] [--starts 8] [--dump DIR]`.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pexpect
import pyte
from results import record

ROOT = Path(__file__).resolve().parent.parent
BARE = Path(__file__).resolve().parent / "bare_countdown.py"
COLUMNS, LINES = 80, 24

TARGET_BYTES_RATIO = 1.3
TARGET_CPU_RATIO = 1.3
TARGET_FIRST_FRAME_RATIO = 1.3
TARGET_RSS_MIB = 60.0

ROUTINE = """\
# One long hold, no get-ready phase: the measured window is a steady countdown.
version: 1
exercises:
  - id: bench-wall-sit
    name: Wall sit
    category: strength
    hold: 60s
    instructions:
      - Stand with your back against a wall, feet a step forward.
      - Slide down until your knees are bent, no lower than a chair seat.
      - Hold, breathing slowly.
    cues: [knees over ankles, back flat on the wall]
    safety: Come up if your knees hurt.
routines:
  - id: bench
    name: Bench steady hold
    defaults: {get_ready: 0, countdown: 3}
    steps: [bench-wall-sit]
"""


@dataclass
class Program:
    """One thing to measure."""

    name: str
    argv: list[str]
    needles: tuple[str, ...]  # the screen shows the countdown once it contains all of these


@dataclass
class Result:
    """What one run measured."""

    name: str
    first_frame_ms: float
    window_bytes: int
    window_s: float
    cpu_s: float
    rss_mib: float
    per_second: list[int] = field(default_factory=list)
    raw: bytes = b""

    @property
    def bytes_per_s(self) -> float:
        return self.window_bytes / self.window_s

    @property
    def cpu_per_20s(self) -> float:
        return self.cpu_s * 20.0 / self.window_s


class RunFailed(Exception):
    """A program did not start, did not show its countdown, or died."""


def _proc_cpu(pid: int) -> float:
    """CPU seconds of the whole process (all threads).

    From each thread's schedstat (nanoseconds) where the kernel has it: utime + stime count
    10 ms ticks, and a 20 s window of either program is only about ten of them.
    """
    threads = list(Path(f"/proc/{pid}/task").glob("*/schedstat"))
    try:
        if threads:
            return sum(int(t.read_text().split()[0]) for t in threads) / 1e9
    except (OSError, ValueError, IndexError):
        pass
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()  # fields[0] is field 3 (state)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _proc_hwm_mib(pid: int) -> float:
    """Peak resident set size in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RunFailed(f"no VmHWM for pid {pid}")


def _check_pid(pid: int) -> None:
    """The pty child must be the Python process itself, not a wrapper shell."""
    exe = os.path.realpath(f"/proc/{pid}/exe")
    if exe != os.path.realpath(sys.executable):
        raise RunFailed(f"pid {pid} is {exe}, expected {os.path.realpath(sys.executable)}")


def _start(program: Program, env: dict[str, str], cwd: Path,
           size: tuple[int, int] = (COLUMNS, LINES)
           ) -> tuple[pexpect.spawn, pyte.Screen, pyte.ByteStream, float]:  # type: ignore[type-arg]
    """Spawn in a pty of `size` (columns, lines) and read until the countdown is on screen."""
    screen = pyte.Screen(*size)
    env = {**env, "COLUMNS": str(size[0]), "LINES": str(size[1])}
    stream = pyte.ByteStream(screen)

    def shows(needles: tuple[str, ...]) -> bool:
        text = "\n".join(screen.display)
        return all(needle in text for needle in needles)

    started = time.perf_counter()
    child = pexpect.spawn(program.argv[0], program.argv[1:], env=env, cwd=str(cwd),
                          dimensions=(size[1], size[0]))
    try:
        _check_pid(child.pid)
        deadline = started + 30.0
        while not shows(program.needles):
            if time.perf_counter() > deadline:
                raise RunFailed(f"{program.name}: {program.needles!r} never appeared:\n"
                                + "\n".join(screen.display))
            try:
                stream.feed(child.read_nonblocking(65536, timeout=0.05))
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                raise RunFailed(f"{program.name} exited before its first frame:\n"
                                + "\n".join(screen.display)) from None
    except BaseException:
        _stop(child)
        raise
    return child, screen, stream, time.perf_counter() - started


def first_frame_ms(program: Program, env: dict[str, str], cwd: Path = ROOT) -> float:
    """Just the time to the first frame (then quit)."""
    child, _, _, seconds = _start(program, env, cwd)
    _stop(child)
    return seconds * 1000


def measure(program: Program, env: dict[str, str], settle: float, window: float,
            cwd: Path = ROOT, size: tuple[int, int] = (COLUMNS, LINES)) -> Result:
    """Spawn, wait for the first frame, settle, then count over the window."""
    child, screen, stream, first_frame = _start(program, env, cwd, size)
    try:
        def pump(until: float, sink: bytearray | None, buckets: list[int] | None,
                 origin: float) -> None:
            while (left := until - time.perf_counter()) > 0:
                try:
                    data = child.read_nonblocking(65536, timeout=left)
                except pexpect.TIMEOUT:
                    continue
                except pexpect.EOF:
                    raise RunFailed(f"{program.name} exited during the run:\n"
                                    + "\n".join(screen.display)) from None
                stream.feed(data)
                if sink is not None and buckets is not None:
                    sink += data
                    second = min(len(buckets) - 1, int(time.perf_counter() - origin))
                    buckets[second] += len(data)

        pump(time.perf_counter() + settle, None, None, 0.0)
        raw = bytearray()
        buckets = [0] * max(1, round(window))
        cpu_start = _proc_cpu(child.pid)
        window_start = time.perf_counter()
        pump(window_start + window, raw, buckets, window_start)
        cpu_end = _proc_cpu(child.pid)
        elapsed = time.perf_counter() - window_start
        rss = _proc_hwm_mib(child.pid)
        if any("Traceback" in line for line in screen.display):
            raise RunFailed(f"{program.name} shows a traceback:\n" + "\n".join(screen.display))
        return Result(program.name, first_frame * 1000, len(raw), elapsed, cpu_end - cpu_start,
                      rss, buckets, bytes(raw))
    finally:
        _stop(child)


def _stop(child: pexpect.spawn) -> None:  # type: ignore[type-arg]
    """ctrl+q (Textual's quit), then terminate if it lingers."""
    if child.isalive():
        try:
            child.sendcontrol("q")
            child.expect(pexpect.EOF, timeout=5)
        except (pexpect.TIMEOUT, pexpect.EOF, OSError):
            pass
    child.close(force=True)


def _environment(tmp: Path) -> dict[str, str]:
    """The same environment for both programs; the trainer's config says the note was read."""
    config = tmp / "config"
    config.mkdir()
    (config / "config.yaml").write_text("acknowledged_safety: true\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    env.update({"TERM": "xterm-256color", "COLUMNS": str(COLUMNS), "LINES": str(LINES),
                "TRAINER_CONFIG_DIR": str(config), "TRAINER_DATA_DIR": str(tmp / "data"),
                "TRAINER_CACHE_DIR": str(tmp / "cache"),
                "TRAINER_LIBRARY": "", "PYTHONDONTWRITEBYTECODE": "1"})
    env.pop("NO_COLOR", None)
    return env


def _ratio_row(label: str, values: list[str]) -> str:
    return f"{label:22}" + "".join(f"{v:>16}" for v in values)


def report(results: dict[str, list[Result]], starts: dict[str, list[float]], bare: str,
           trainer: str) -> None:
    """The table of medians, ratios and targets."""
    def med(name: str, attr: str) -> float:
        runs = results[name]
        if attr == "first_frame_ms":
            if name == trainer and len(runs) > 1:
                runs = runs[1:]  # the first run prepared the routine; the rest start as people do
            return statistics.median([r.first_frame_ms for r in runs] + starts[name])
        return statistics.median(getattr(r, attr) for r in runs)

    print()
    print("Per run (bytes/s, CPU s per 20 s, first frame ms, peak RSS MiB):")
    for name, runs in results.items():
        for i, r in enumerate(runs, 1):
            print(f"  {name:14} #{i}  {r.bytes_per_s:8.1f}  {r.cpu_per_20s:6.3f}  "
                  f"{r.first_frame_ms:7.0f}  {r.rss_mib:6.1f}   per second: "
                  + " ".join(str(b) for b in r.per_second))
    print()
    for name, times in starts.items():
        print(f"  {name:14} first frames of the extra starts (ms): "
              + " ".join(f"{t:.0f}" for t in times))
    print()
    header = ["bytes/s", "CPU s/20s", "first frame ms", "peak RSS MiB"]
    print(f"Medians of {len(results[bare])} runs each (first frames: and of "
          f"{len(starts[bare])} extra starts), 80x24, TERM=xterm-256color")
    print(_ratio_row("", header))
    for name in (bare, trainer):
        print(_ratio_row(name, [f"{med(name, 'bytes_per_s'):.1f}",
                                f"{med(name, 'cpu_per_20s'):.3f}",
                                f"{med(name, 'first_frame_ms'):.0f}",
                                f"{med(name, 'rss_mib'):.1f}"]))
    ratios = [med(trainer, a) / med(bare, a) if med(bare, a) else float("inf")
              for a in ("bytes_per_s", "cpu_per_20s", "first_frame_ms")]
    rss = med(trainer, "rss_mib")
    print(_ratio_row("trainer / bare", [f"{x:.2f}x" for x in ratios] + [f"{rss:.1f} MiB"]))
    targets = [TARGET_BYTES_RATIO, TARGET_CPU_RATIO, TARGET_FIRST_FRAME_RATIO]
    print(_ratio_row("target", [f"<= {t}x" for t in targets] + [f"< {TARGET_RSS_MIB:.0f} MiB"]))
    verdicts = [x <= t for x, t in zip(ratios, targets, strict=True)] + [rss < TARGET_RSS_MIB]
    print(_ratio_row("", ["PASS" if ok else "MISS" for ok in verdicts]))
    first, bare_first = med(trainer, "first_frame_ms"), med(bare, "first_frame_ms")
    record("session", "`trainer run` first frame, a prepared routine", f"{first:.0f} ms",
           f"bare {bare_first:.0f} ms ({ratios[2]:.2f}x)", f"<= {TARGET_FIRST_FRAME_RATIO}x",
           verdicts[2])
    record("session", "`trainer run` peak RSS, 80x24", f"{rss:.1f} MiB",
           f"bare {med(bare, 'rss_mib'):.1f} MiB", f"< {TARGET_RSS_MIB:.0f} MiB", verdicts[3])
    cold = results[trainer][0].first_frame_ms
    print(f"First frame: the trainer's median is of its runs after the first, which start from "
          f"the routine the first prepared (trainer/session/prepared.py). The first run, with an "
          f"empty cache, loads and validates the library: {cold:.0f} ms = "
          f"{cold / med(bare, 'first_frame_ms'):.2f}x.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved pairs (default 3)")
    parser.add_argument("--window", type=float, default=20.0, help="seconds counted (default 20)")
    parser.add_argument("--settle", type=float, default=2.0,
                        help="seconds after the first frame before counting (default 2)")
    parser.add_argument("--starts", type=int, default=8,
                        help="extra interleaved starts timed to the first frame only (default 8)")
    parser.add_argument("--dump", type=Path, metavar="DIR",
                        help="save each run's window bytes to DIR/NAME-N.bin")
    parser.add_argument("--root", type=Path, default=ROOT, metavar="DIR",
                        help="run `python -m trainer` from this checkout (to compare versions)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="trainer-bench-") as tmpdir:
        tmp = Path(tmpdir)
        library = tmp / "library"
        library.mkdir()
        (library / "bench.yaml").write_text(ROUTINE)
        env = _environment(tmp)
        compileall.compile_dir(args.root.resolve() / "trainer", quiet=1)
        bare = Program("bare Digits", [sys.executable, str(BARE)], ("╰─╯",))
        # The bell, as over SSH: probing for a local player here would end in a one-off
        # "no sound card" notice inside the window, which is not what is being measured.
        trainer = Program("trainer run", [sys.executable, "-m", "trainer", "run", "bench",
                                          "--library", str(library), "--audio", "bell"],
                          ("HOLD", "██"))
        results: dict[str, list[Result]] = {bare.name: [], trainer.name: []}
        starts: dict[str, list[float]] = {bare.name: [], trainer.name: []}
        if args.root.resolve() != ROOT:
            print(f"trainer from {args.root.resolve()}")
        print(f"{args.rounds} rounds x (bare, trainer), {args.settle:g} s settle + "
              f"{args.window:g} s window each; python {sys.version.split()[0]}, "
              f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
        try:
            for round_no in range(1, args.rounds + 1):
                for program in (bare, trainer):
                    r = measure(program, env, args.settle, args.window, args.root.resolve())
                    results[program.name].append(r)
                    print(f"  round {round_no} {program.name:12} {r.bytes_per_s:7.1f} B/s  "
                          f"{r.cpu_per_20s:6.3f} s CPU  first frame {r.first_frame_ms:5.0f} ms  "
                          f"RSS {r.rss_mib:5.1f} MiB", flush=True)
                    if args.dump:
                        args.dump.mkdir(parents=True, exist_ok=True)
                        slug = program.name.split()[0]
                        (args.dump / f"{slug}-{round_no}.bin").write_bytes(r.raw)
            # Start-up varies more from run to run than the steady figures: more samples.
            for _ in range(args.starts):
                for program in (bare, trainer):
                    starts[program.name].append(
                        first_frame_ms(program, env, args.root.resolve()))
        except RunFailed as failure:
            print(f"bench failed: {failure}", file=sys.stderr)
            return 1
    report(results, starts, bare.name, trainer.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
