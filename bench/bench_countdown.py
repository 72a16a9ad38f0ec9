"""Benchmark: the steady countdown at 80x24 and 200x60, beside a bare Textual `Digits` countdown.

For each size, in one run and interleaved (bare, fewest, most, bare, ...): the bare app
(bare_countdown.py) and `trainer run` on a 60 s hold of the built-in exercise with the fewest
lines of text (the largest clock) and of the one with the most, each in a real pty. Bytes read
per second and CPU seconds (every thread's schedstat) are counted over a window after a settle
(by default 6 s to 26 s after the first frame, as issue 18 measured). Prints each figure, the
trainer/bare ratios and the targets of issue 18: CPU at most the bare app's at both sizes,
bytes per second at 200x60 within 2x the bare app's.

Reports and does not gate: exit 0 whatever the figures, 1 only if a run failed.

Run: `.venv/bin/python bench/bench_countdown.py [--rounds 2] [--settle 6] [--window 20]
[--root DIR] [--dump DIR]`.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import sys
import tempfile
import textwrap
from pathlib import Path

from bench_session import BARE, ROOT, Program, Result, RunFailed, _environment, measure
from results import record

SIZES = ((80, 24), (200, 60))
TARGET_CPU_RATIO = 1.0
TARGET_BYTES_RATIO = {(200, 60): 2.0}


def text_lines(exercise: object, width: int = 76) -> tuple[int, int]:
    """(rows, characters) its instructions, cues and safety take below an 80-column clock."""
    lines = [*exercise.instructions]  # type: ignore[attr-defined]
    if exercise.cues:  # type: ignore[attr-defined]
        lines.append("Cues: " + " · ".join(exercise.cues))  # type: ignore[attr-defined]
    if exercise.safety:  # type: ignore[attr-defined]
        lines.append(f"Safety: {exercise.safety}")  # type: ignore[attr-defined]
    return sum(len(textwrap.wrap(line, width)) for line in lines), sum(map(len, lines))


def extremes(root: Path) -> tuple[str, str]:
    """The built-in exercises with the fewest and the most lines of text."""
    sys.path.insert(0, str(root))
    from trainer.session.catalog import load_catalog

    exercises = sorted(load_catalog().exercises.values(), key=text_lines)
    return exercises[0].id, exercises[-1].id


def routines(fewest: str, most: str) -> str:
    """A library of two routines: a 60 s hold of each exercise, no get-ready."""
    steps = {"fewest": fewest, "most": most}
    return "version: 1\nroutines:\n" + "".join(
        f"  - id: bench-{name}\n    name: Bench {name}\n    defaults: {{get_ready: 0}}\n"
        f"    steps: [{{exercise: {ex}, hold: 60s}}]\n" for name, ex in steps.items())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds (default 2)")
    parser.add_argument("--settle", type=float, default=6.0,
                        help="seconds after the first frame before counting (default 6)")
    parser.add_argument("--window", type=float, default=20.0, help="seconds counted (default 20)")
    parser.add_argument("--root", type=Path, default=ROOT, metavar="DIR",
                        help="run `python -m trainer` from this checkout (to compare versions)")
    parser.add_argument("--dump", type=Path, metavar="DIR",
                        help="save each run's window bytes to DIR/NAME-COLSxLINES-N.bin")
    args = parser.parse_args()
    root = args.root.resolve()
    fewest, most = extremes(ROOT)

    results: dict[tuple[tuple[int, int], str], list[Result]] = {}
    with tempfile.TemporaryDirectory(prefix="trainer-bench-") as tmpdir:
        tmp = Path(tmpdir)
        library = tmp / "library"
        library.mkdir()
        (library / "bench.yaml").write_text(routines(fewest, most))
        env = _environment(tmp)
        compileall.compile_dir(root / "trainer", quiet=1)
        programs = [Program("bare", [sys.executable, str(BARE)], ("╰─╯",))] + [
            Program(name, [sys.executable, "-m", "trainer", "run", f"bench-{name}", "--library",
                           str(library), "--audio", "bell"], ("HOLD", " left"))
            for name in ("fewest", "most")]
        print(f"fewest lines of text: {fewest}; most: {most}. {args.rounds} rounds, "
              f"{args.settle:g} s settle + {args.window:g} s window each; {os.cpu_count()} CPUs, "
              f"load {os.getloadavg()[0]:.2f}" + (f"; trainer from {root}" if root != ROOT else ""))
        try:
            for round_no in range(1, args.rounds + 1):
                for size in SIZES:
                    for program in programs:
                        r = measure(program, env, args.settle, args.window, root, size)
                        results.setdefault((size, program.name), []).append(r)
                        print(f"  round {round_no} {size[0]}x{size[1]} {program.name:6} "
                              f"{r.bytes_per_s:7.1f} B/s  {r.cpu_per_20s:6.3f} s CPU/20 s",
                              flush=True)
                        if args.dump:
                            args.dump.mkdir(parents=True, exist_ok=True)
                            name = f"{program.name}-{size[0]}x{size[1]}-{round_no}.bin"
                            (args.dump / name).write_bytes(r.raw)
        except RunFailed as failure:
            print(f"bench failed: {failure}", file=sys.stderr)
            return 1
    report(results)
    return 0


def report(results: dict[tuple[tuple[int, int], str], list[Result]]) -> None:
    """Medians, the trainer/bare ratios and the targets, per size."""
    def med(size: tuple[int, int], name: str, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in results[(size, name)])

    print()
    print(f"{'':18}{'bytes/s':>10}{'ratio':>8}{'target <=':>10}   "
          f"{'CPU s/20s':>10}{'ratio':>8}{'target <=':>10}")
    for size in SIZES:
        bare_bytes, bare_cpu = med(size, "bare", "bytes_per_s"), med(size, "bare", "cpu_per_20s")
        label = f"{size[0]}x{size[1]}"
        print(f"{label + ' bare':18}{bare_bytes:10.1f}{'':17}   {bare_cpu:10.3f}")
        for name in ("fewest", "most"):
            b, c = med(size, name, "bytes_per_s"), med(size, name, "cpu_per_20s")
            rb, rc = b / bare_bytes, c / bare_cpu
            tb = TARGET_BYTES_RATIO.get(size)
            bytes_target = f"{tb}x {'PASS' if rb <= tb else 'MISS'}" if tb else "-"
            cpu_target = f"{TARGET_CPU_RATIO}x {'PASS' if rc <= TARGET_CPU_RATIO else 'MISS'}"
            print(f"{label + ' ' + name:18}{b:10.1f}{rb:7.2f}x{bytes_target:>10}   "
                  f"{c:10.3f}{rc:7.2f}x{cpu_target:>10}")
            record("countdown", f"countdown CPU, {label}, {name} text", f"{c:.3f} s/20 s",
                   f"bare {bare_cpu:.3f} s ({rc:.2f}x)", f"<= {TARGET_CPU_RATIO}x",
                   rc <= TARGET_CPU_RATIO)
            if tb:
                record("countdown", f"countdown bytes, {label}, {name} text", f"{b:,.0f} B/s",
                       f"bare {bare_bytes:,.0f} B/s ({rb:.2f}x)", f"<= {tb}x", rb <= tb)


if __name__ == "__main__":
    sys.exit(main())
