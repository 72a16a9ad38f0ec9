"""Benchmark: what each screen costs while nobody touches it, in a real pty.

For every screen (the library, with its filter focused, the history, the problems list, the
safety note, the routine editor and its exercise picker, the exercise editor, a paused session,
the end-session dialog, the summary) `trainer` is started in an 80x24 pty on the built-in
library plus two bench routines, the keys that lead there are typed, and once the screen has
drawn (a settle), bytes written and CPU seconds (every thread's schedstat) are counted over a
window. Target (issue 18): idle is idle, 0 B/s, and CPU only what an untouched event loop
takes. The bare `Digits` countdown, which ticks once a second, is printed beside as a yardstick.

Reports and does not gate: exit 0 whatever the figures, 1 only if a screen could not be reached
(the others are measured all the same).

Run: `.venv/bin/python bench/bench_idle.py [--settle 2] [--window 5] [--root DIR]`.
"""

from __future__ import annotations

import argparse
import compileall
import sys
import tempfile
import time
from pathlib import Path

import pexpect
import pyte
from bench_session import BARE, ROOT, RunFailed, _check_pid, _environment, _proc_cpu, _stop
from results import record

SIZE = (80, 24)
LIBRARY = """\
version: 1
routines:
  - id: bench-idle-hold
    name: Bench idle hold
    defaults: {get_ready: 0}
    steps: [{exercise: wall-sit, hold: 60s}]
  - id: bench-idle-short
    name: Bench idle short
    defaults: {get_ready: 0}
    steps: [{exercise: wall-sit, hold: 2s}]
"""
BROKEN = "version: 1\nexercises:\n  - id: bench-broken\n    name: Broken\n    hold: often\n"
# name: (trainer arguments, keys typed, text the screen shows once there)
SCREENS: dict[str, tuple[list[str], list[str], str]] = {
    "library": ([], [], "Routines ("),
    "library, filter focused": ([], ["/", "s"], "Routines ("),
    "history": ([], ["h"], "No sessions yet"),
    "problems": (["--library", "{broken}"], ["!"], "(fix the files"),
    "safety note": ([], ["S"], "Before you start"),
    "routine editor": ([], ["N"], "Routine: (no name)"),
    "exercise picker": ([], ["N", "Idle\r", "a"], "Add an exercise"),
    "exercise editor": ([], ["t", "N"], "New exercise"),
    "session, paused": (["run", "bench-idle-hold"], [" "], "Resume"),
    "end-session dialog": (["run", "bench-idle-hold"], ["q"], "End this session?"),
    "summary": (["run", "bench-idle-short"], [], "Completed"),
}


def idle(argv: list[str], keys: list[str], needle: str, env: dict[str, str], cwd: Path,
         settle: float, window: float) -> tuple[float, float, str]:
    """(bytes per second, CPU seconds per second, the text that showed it) once it is up."""
    screen = pyte.Screen(*SIZE)
    stream = pyte.ByteStream(screen)
    env = {**env, "COLUMNS": str(SIZE[0]), "LINES": str(SIZE[1])}
    child = pexpect.spawn(argv[0], argv[1:], env=env, cwd=str(cwd),
                          dimensions=(SIZE[1], SIZE[0]))

    def pump(seconds: float) -> int:
        count, until = 0, time.perf_counter() + seconds
        while (left := until - time.perf_counter()) > 0:
            try:
                data = child.read_nonblocking(65536, timeout=left)
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                raise RunFailed("exited:\n" + "\n".join(screen.display)) from None
            stream.feed(data)
            count += len(data)
        return count

    try:
        _check_pid(child.pid)
        pump(3.0)  # the first frame (the library, or the session)
        for key in keys:
            child.send(key)
            pump(0.5)
        deadline = time.perf_counter() + 15
        while needle not in "\n".join(screen.display):
            if time.perf_counter() > deadline:
                raise RunFailed(f"{needle!r} never appeared:\n" + "\n".join(screen.display))
            pump(0.2)
        pump(settle)
        cpu = _proc_cpu(child.pid)
        sent = pump(window)
        cpu = _proc_cpu(child.pid) - cpu
        return sent / window, cpu / window, needle
    finally:
        _stop(child)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settle", type=float, default=2.0,
                        help="seconds after the screen shows before counting (default 2)")
    parser.add_argument("--window", type=float, default=5.0, help="seconds counted (default 5)")
    parser.add_argument("--root", type=Path, default=ROOT, metavar="DIR",
                        help="run `python -m trainer` from this checkout (to compare versions)")
    args = parser.parse_args()
    root = args.root.resolve()
    with tempfile.TemporaryDirectory(prefix="trainer-bench-") as tmpdir:
        tmp = Path(tmpdir)
        library = tmp / "library"
        library.mkdir()
        (library / "bench.yaml").write_text(LIBRARY)
        broken = tmp / "broken"  # a library with a problem, for the problems screen
        broken.mkdir()
        (broken / "broken.yaml").write_text(BROKEN)
        env = _environment(tmp)
        compileall.compile_dir(root / "trainer", quiet=1)
        trainer = [sys.executable, "-m", "trainer"]
        tail = ["--library", str(library), "--audio", "bell"]
        print(f"{SIZE[0]}x{SIZE[1]}, {args.settle:g} s settle + {args.window:g} s window each"
              + (f"; trainer from {root}" if root != ROOT else ""))
        print(f"{'':26}{'B/s':>8}{'CPU ms/s':>10}  target 0 B/s   reached when it showed")
        failed = 0
        rates: dict[str, float] = {}
        try:
            bare = idle([sys.executable, str(BARE)], [], "╰─╯", env, root, args.settle,
                        args.window)
        except RunFailed as failure:
            print(f"bench failed: {failure}", file=sys.stderr)
            return 1
        print(f"{'(bare Digits, ticking)':26}{bare[0]:8.1f}{bare[1] * 1000:10.2f}")
        for name, (argv, keys, needle) in SCREENS.items():
            argv = [arg.replace("{broken}", str(broken)) for arg in argv]
            try:
                rate, cpu, top = idle(trainer + argv + tail, keys, needle, env, root,
                                      args.settle, args.window)
            except RunFailed as failure:  # the others are still worth measuring
                failed += 1
                print(f"{name:26}  not reached: {str(failure).splitlines()[0]}", flush=True)
                continue
            verdict = "PASS" if rate == 0 else "MISS"
            print(f"{name:26}{rate:8.1f}{cpu * 1000:10.2f}  {verdict:13} {top}", flush=True)
            rates[name] = rate
    worst = max(rates, key=rates.__getitem__, default=None)
    if worst is not None:
        record("idle", f"idle screens ({len(rates)} of {len(SCREENS)} reached): the busiest",
               f"{rates[worst]:.1f} B/s ({worst})", f"bare Digits, ticking: {bare[0]:.0f} B/s",
               "0 B/s", rates[worst] == 0 and len(rates) == len(SCREENS))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
