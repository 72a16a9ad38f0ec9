"""Benchmark: `trainer history --json` and `--csv` over 10,000 sessions, next to a bare dump.

Generates (seeded, so every run is the same) a history of SESSIONS sessions through the
trainer's own store (`History.start_session`, `finish` / `mark_interrupted`, `add_checkin`):
the built-in routine closest to 30 phases, most sessions completed with every phase, some
stopped or interrupted part way, about a third with a check-in (some notes in other scripts,
some starting with `=`). Then, in interleaved rounds, each of these runs as a subprocess with
stdout to a file:

- `trainer history --json --limit 0`, and a bare `python -c` that opens the same SQLite file
  and writes every row of sessions, phases and check-ins as a JSON line (the baseline);
- `trainer history --csv --limit 0`, and a bare `python -c` writing every row of sessions and
  check-ins with `csv.writer`.

For each: wall time, peak RSS (the child's own ru_maxrss, from os.wait4) and output size;
medians over the rounds, then trainer / baseline ratios. It reports and does not gate: exit 0
whatever the figures, 1 only if a run failed or its output does not hold every session.

Run: `.venv/bin/python bench/bench_history.py [--rounds 3] [--sessions 10000] [--root DIR]`.
"""

from __future__ import annotations

import argparse
import compileall
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trainer.history.records import PhaseRecord  # noqa: E402
from trainer.history.store import FILENAME, History  # noqa: E402
from trainer.library.sources import default_sources  # noqa: E402
from trainer.session.catalog import CatalogLoader  # noqa: E402
from trainer.session.timeline import Timeline  # noqa: E402

SESSIONS = 10_000
PHASES = 30
T0 = datetime(2020, 1, 6, 7, 30, tzinfo=UTC)
NOTES = ["", "knee fine", "left hip tight", "Rücken gut, Knie müde", "très bien ✓",
         "膝の調子は良い", "=SUM(A1:A9) felt easy", "-2 on the stairs", "slept badly, went slow"]

BARE_JSON = """\
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
write = sys.stdout.write
for table in ("sessions", "phases", "checkins"):
    for row in db.execute(f"SELECT * FROM {table}"):
        write(json.dumps(row, ensure_ascii=False))
        write("\\n")
"""

# Runs the measured command and writes its exit status, wall time and peak RSS to a file. A
# child's ru_maxrss includes what its parent had mapped when it forked: a small launcher keeps
# that below what any Python program here reaches, where the bench itself (with the library
# loaded) would not.
LAUNCHER = """\
import os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
wall = time.perf_counter() - started
with open(sys.argv[1], "w") as f:
    f.write(f"{os.waitstatus_to_exitcode(status)} {wall} {usage.ru_maxrss}")
"""

BARE_CSV = """\
import csv, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
writer = csv.writer(sys.stdout, lineterminator="\\n")
for table in ("sessions", "checkins"):
    writer.writerows(db.execute(f"SELECT * FROM {table}"))
"""


@dataclass(frozen=True)
class Program:
    """One command to measure, and what its output must hold."""

    name: str
    argv: list[str]
    records: str  # "json" or "csv": how to count the sessions in its output, "" not checked


@dataclass(frozen=True)
class Result:
    """One run's figures."""

    wall_s: float
    rss_mib: float
    out_bytes: int


class RunFailed(Exception):
    """A run exited with an error or wrote the wrong thing."""


def pick_timeline() -> Timeline:
    """The built-in routine whose timeline has the number of phases closest to PHASES."""
    lib = CatalogLoader().load(default_sources())
    timelines = [lib.timeline(rid) for rid in sorted(lib.routines)]
    return min(timelines, key=lambda t: (abs(len(t.phases) - 1 - PHASES), t.routine_id))


def generate(path: Path, timeline: Timeline, count: int) -> tuple[int, int]:
    """Fill a new history at `path`; returns (phase rows, check-ins)."""
    rng = random.Random(11)
    store = History.open(path)
    if store.problem:
        raise RunFailed(f"could not create the history: {store.problem}")
    phases = [p for p in timeline.phases if p.kind != "done"]
    try:
        for n in range(count):
            start = T0 + timedelta(hours=13 * n, minutes=rng.randrange(60))
            sid = store.start_session(timeline, start)
            roll = rng.random()
            done = phases if roll < 0.85 else phases[:rng.randrange(1, len(phases))]
            records = [PhaseRecord.of(p, (p.duration or p.estimate) * rng.uniform(0.9, 1.3),
                                      skipped=rng.random() < 0.03) for p in done]
            active = sum(r.actual_seconds for r in records)
            end = start + timedelta(seconds=active + rng.randrange(120))
            if roll < 0.95:
                store.finish(sid, "completed" if roll < 0.85 else "stopped", active, records, end)
            else:
                store.mark_interrupted(sid, len(done), 4.0, active, records, end)
            if rng.random() < 0.35:
                store.add_checkin(sid, rng.randrange(0, 7), rng.randrange(3, 10),
                                  rng.choice(NOTES), end + timedelta(seconds=30))
        counts = store.counts()
    finally:
        store.close()
    return counts["phases"], counts["checkins"]


def run(program: Program, env: dict[str, str], out: Path, sessions: int, cwd: Path) -> Result:
    """Run once with stdout to `out`; wall time, the child's peak RSS and the output size."""
    figures = out.with_name("figures")
    figures.unlink(missing_ok=True)
    with out.open("wb") as stdout:
        done = subprocess.run([sys.executable, "-I", "-S", "-c", LAUNCHER, str(figures),
                               *program.argv], stdout=stdout, stderr=subprocess.PIPE, env=env,
                              cwd=cwd, check=False)
    errors = done.stderr.decode(errors="replace")
    if done.returncode != 0 or not figures.exists():
        raise RunFailed(f"{program.name}: the launcher failed:\n{errors}")
    code, wall_text, maxrss = figures.read_text().split()
    if int(code) != 0:
        raise RunFailed(f"{program.name} exited {code}:\n{errors}")
    wall = float(wall_text)
    found = count_sessions(out, program.records)
    if found is not None and found != sessions:
        raise RunFailed(f"{program.name} wrote {found} sessions, not {sessions}")
    rss = int(maxrss) / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return Result(wall, rss, out.stat().st_size)


def count_sessions(out: Path, form: str) -> int | None:
    """How many sessions the output holds (None: not checked), read a line at a time."""
    if not form:
        return None
    with out.open(encoding="utf-8", newline="") as f:
        if form == "json":
            # Sessions' own keys are indented six spaces; a check-in's or phase's, more.
            return sum(1 for line in f if line.startswith('      "id": '))
        import csv

        return sum(1 for _ in csv.reader(f)) - 1


def environment(tmp: Path) -> dict[str, str]:
    """The trainer's folders inside the bench's temp folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAINER_")}
    env.update(TRAINER_DATA_DIR=str(tmp / "data"), TRAINER_CONFIG_DIR=str(tmp / "config"),
               TRAINER_CACHE_DIR=str(tmp / "cache"), PYTHONPATH="")
    return env


def report(results: dict[str, list[Result]], pairs: list[tuple[str, str]]) -> None:
    """Medians per program and the trainer / baseline ratios."""
    print()
    print(f"{'median of rounds':<36}{'wall s':>9}{'peak RSS MiB':>14}{'output MB':>11}")
    for name, runs in results.items():
        print(f"{name:<36}{statistics.median(r.wall_s for r in runs):>9.2f}"
              f"{max(r.rss_mib for r in runs):>14.1f}{runs[0].out_bytes / 1e6:>11.2f}")
    print()
    for trainer, bare in pairs:
        t, b = results[trainer], results[bare]
        wall = statistics.median(x.wall_s / y.wall_s for x, y in zip(t, b, strict=True))
        rss = max(x.rss_mib for x in t) / max(y.rss_mib for y in b)
        print(f"{trainer + ' / baseline':<36}{wall:>8.2f}x{rss:>13.2f}x   "
              f"(wall: paired median; RSS: peaks)")


def main() -> int:
    """Generate, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--sessions", type=int, default=SESSIONS,
                        help=f"sessions generated (default {SESSIONS:,})")
    parser.add_argument("--root", type=Path, default=ROOT, metavar="DIR",
                        help="run `python -m trainer` from this checkout (to compare versions)")
    args = parser.parse_args()
    root = args.root.resolve()

    with tempfile.TemporaryDirectory(prefix="trainer-bench-") as tmpdir:
        tmp = Path(tmpdir)
        env = environment(tmp)
        db = tmp / "data" / FILENAME
        timeline = pick_timeline()
        started = time.perf_counter()
        try:
            phase_rows, checkins = generate(db, timeline, args.sessions)
        except RunFailed as failure:
            print(f"bench failed: {failure}", file=sys.stderr)
            return 1
        print(f"history: {args.sessions:,} sessions of {timeline.routine_id} "
              f"({len(timeline.phases) - 1} phases), {phase_rows:,} phase rows, "
              f"{checkins:,} check-ins; {db.stat().st_size / 1e6:.1f} MB, generated in "
              f"{time.perf_counter() - started:.1f} s")
        compileall.compile_dir(root / "trainer", quiet=1)
        trainer = [sys.executable, "-m", "trainer", "history", "--limit", "0"]  # from root
        programs = [
            Program("trainer history --json", [*trainer, "--json"], "json"),
            Program("bare: rows as JSON lines", [sys.executable, "-c", BARE_JSON, str(db)], ""),
            Program("trainer history --csv", [*trainer, "--csv"], "csv"),
            Program("bare: rows with csv.writer", [sys.executable, "-c", BARE_CSV, str(db)], ""),
        ]
        if root != ROOT:
            print(f"trainer from {root}")
        print(f"{args.rounds} interleaved rounds; python {sys.version.split()[0]}, "
              f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
        results: dict[str, list[Result]] = {p.name: [] for p in programs}
        try:
            for round_no in range(1, args.rounds + 1):
                for program in programs:
                    r = run(program, env, tmp / "out", args.sessions, root)
                    results[program.name].append(r)
                    print(f"  round {round_no} {program.name:30} {r.wall_s:6.2f} s  "
                          f"RSS {r.rss_mib:7.1f} MiB  {r.out_bytes / 1e6:7.2f} MB", flush=True)
        except RunFailed as failure:
            print(f"bench failed: {failure}", file=sys.stderr)
            return 1
    report(results, [(programs[0].name, programs[1].name), (programs[2].name, programs[3].name)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
