"""Benchmark: the history at 1,000, 10,000 and 50,000 sessions, each figure beside its target.

For each size it generates (seeded) a history through the trainer's own store, in a subprocess
run from the tree measured (`History.start_session`, `finish` / `mark_interrupted`,
`add_checkin`, inside `History.bulk()` where the tree has it: one transaction): the built-in
routine closest to 30 phases, most sessions completed with every phase, some stopped or
interrupted part way, about a third with a check-in; four sessions a day, the latest today. Then,
in interleaved rounds, each of these runs as a subprocess (TRAINER_DATA_DIR on a temporary folder):

- `trainer history --json --limit 0` (stdout to a file), beside a bare `python -c` writing every
  row of sessions, phases and check-ins as a JSON line: wall time and the child's peak RSS;
  and `--csv`, beside a bare `python -c` writing every row of sessions and check-ins with
  `csv.writer`;
- `trainer stats` on a file checked before, beside `trainer stats` on an empty history
  (start-up and the library);
- the app (Pilot, 120x40) opening the history screen (`h` on the library screen) until it is
  drawn, beside the same on an empty history; and the time the app's main thread spends in
  its first use of the history (`TrainerApp.history`), beside `PRAGMA quick_check` alone on
  the same file. Both on a file checked before (by the commands above) and on one changed
  since its last check (the bench moves its mtime: a new version, whose check is due).

Medians over the rounds; each line says its target (issue 18) and PASS or MISS. It reports and
does not gate: exit 0 whatever the figures, 1 only if a run failed or wrote the wrong thing.

Run: `.venv/bin/python bench/bench_history.py [--rounds 3] [--sizes 1000,10000,50000]
[--root DIR] [--save FILE] [--before FILE]`. `--root` measures another tree (say, a copy of an
earlier one) the same way; `--save` keeps the figures, and `--before` prints figures so kept
beside these, with the speed-up.
"""

from __future__ import annotations

import argparse
import compileall
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1_000, 10_000, 50_000)
FILENAME = "history.sqlite3"

# Run from the tree measured (sys.path[0] is its root): fills a new history, prints its counts.
GENERATE = """\
import contextlib, json, random, sys
from datetime import UTC, datetime, timedelta
from trainer.history.records import PhaseRecord
from trainer.history.store import History
from trainer.library.sources import default_sources
from trainer.session.catalog import CatalogLoader

path, count = sys.argv[1], int(sys.argv[2])
NOTES = ["", "knee fine", "left hip tight", "R\\u00fccken gut, Knie m\\u00fcde",
         "tr\\u00e8s bien \\u2713", "=SUM(A1:A9) felt easy", "-2 on the stairs",
         "slept badly, went slow"]
lib = CatalogLoader().load(default_sources())
timelines = [lib.timeline(rid) for rid in sorted(lib.routines)]
timeline = min(timelines, key=lambda t: (abs(len(t.phases) - 31), t.routine_id))
phases = [p for p in timeline.phases if p.kind != "done"]
rng = random.Random(11)
now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
store = History.open(__import__("pathlib").Path(path))
assert store.problem is None, store.problem
bulk = getattr(store, "bulk", None)
with bulk() if bulk is not None else contextlib.nullcontext():
    for n in range(count):
        start = now - timedelta(hours=6 * (count - n), minutes=rng.randrange(60))
        sid = store.start_session(timeline, start)
        roll = rng.random() if n < count - 1 else 0.0  # the latest completed: no resume offer
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
store.close()
print(json.dumps({"routine": timeline.routine_id, "phases": counts["phases"],
                  "checkins": counts["checkins"]}))
"""

# The app on the user's library, its first use of the history timed (whatever first asks for
# it), then `h` on the library screen until the history screen is drawn. Prints seconds.
SCREEN = """\
import asyncio, json, sys, time
from trainer.config import Config
from trainer.ui.app import TrainerApp
from trainer.ui.screens.history import HistoryScreen
from trainer.library.sources import default_sources
from trainer.session.catalog import CatalogLoader

opened = []
plain = TrainerApp.history.fget

def timed(self):
    first = self._history is None
    started = time.perf_counter()
    store = plain(self)
    if first:
        opened.append(time.perf_counter() - started)
    return store

TrainerApp.history = property(timed)  # a subclass made here would have no file for its CSS

async def main():
    library = CatalogLoader().load(default_sources())
    app = TrainerApp(library, config=Config(acknowledged_safety=True, watch=False),
                save_settings=False, voice=False, audio="none")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        started = time.perf_counter()
        await pilot.press("h")
        while not isinstance(app.screen, HistoryScreen):
            await pilot.pause()
        await pilot.pause()  # composed, mounted and laid out: drawn
        screen = time.perf_counter() - started
    print(json.dumps({"screen": screen, "opened": opened[0]}))

asyncio.run(main())
"""

QUICK_CHECK = """\
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
started = time.perf_counter()
assert db.execute("PRAGMA quick_check").fetchall() == [("ok",)]
print(time.perf_counter() - started)
"""

BARE_CSV = """\
import csv, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
writer = csv.writer(sys.stdout, lineterminator="\\n")
for table in ("sessions", "checkins"):
    writer.writerows(db.execute(f"SELECT * FROM {table}"))
"""

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
# that below what any Python program here reaches.
LAUNCHER = """\
import os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
wall = time.perf_counter() - started
with open(sys.argv[1], "w") as f:
    f.write(f"{os.waitstatus_to_exitcode(status)} {wall} {usage.ru_maxrss}")
"""

# Targets at 50,000 sessions (issue 18, part 4); "x" ones are ratios to the baseline named.
MAIN_THREAD = 0.02  # s: opening with no integrity check on the main thread (issue 18)
SCREEN_TARGET = 0.3
STATS_TARGET = 0.4
JSON_RSS_TARGET = 100.0  # MiB
JSON_SPEEDUP = 10.0  # at least this much faster than the tree before (given with --before)


class RunFailed(Exception):
    """A run exited with an error or wrote the wrong thing."""


@dataclass(frozen=True)
class Result:
    """One subprocess run's figures."""

    wall_s: float
    rss_mib: float
    out: str


def launch(argv: list[str], env: dict[str, str], cwd: Path, out: Path) -> Result:
    """Run once with stdout to `out`; wall time, the child's peak RSS, and its output if small."""
    figures = out.with_name("figures")
    figures.unlink(missing_ok=True)
    with out.open("wb") as stdout:
        done = subprocess.run([sys.executable, "-I", "-S", "-c", LAUNCHER, str(figures), *argv],
                              stdout=stdout, stderr=subprocess.PIPE, env=env, cwd=cwd,
                              check=False)
    errors = done.stderr.decode(errors="replace")
    if done.returncode != 0 or not figures.exists():
        raise RunFailed(f"{argv[1:3]}: the launcher failed:\n{errors}")
    code, wall, maxrss = figures.read_text().split()
    if int(code) != 0:
        raise RunFailed(f"{argv[1:4]} exited {code}:\n{errors[-3000:]}")
    rss = int(maxrss) / (1024 * 1024 if sys.platform == "darwin" else 1024)
    text = out.read_text(encoding="utf-8") if out.stat().st_size < 100_000 else ""
    return Result(float(wall), rss, text)


def json_sessions(out: Path) -> int:
    """How many sessions a `--json` output holds, read a line at a time."""
    with out.open(encoding="utf-8") as f:
        # Sessions' own keys are indented six spaces; a check-in's or phase's, more.
        return sum(1 for line in f if line.startswith('      "id": '))


def environment(home: Path, root: Path) -> dict[str, str]:
    """The trainer's folders inside `home`, the tree measured first on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAINER_")}
    env.update(TRAINER_DATA_DIR=str(home / "data"), TRAINER_CONFIG_DIR=str(home / "config"),
               TRAINER_CACHE_DIR=str(home / "cache"), PYTHONPATH=str(root))
    return env


def mark(ok: bool) -> str:
    """PASS or MISS."""
    return "PASS" if ok else "MISS"


@dataclass
class Figures:
    """The medians of one size."""

    sessions: int
    json_s: float
    json_rss: float
    bare_s: float
    stats_s: float
    stats_empty_s: float
    screen_s: float
    screen_empty_s: float
    opened_changed_s: float
    opened_same_s: float
    quick_check_s: float
    screen_changed_s: float = 0.0  # 0: not measured (figures saved by an earlier bench)
    csv_s: float = 0.0
    csv_rss: float = 0.0
    bare_csv_s: float = 0.0

    def to_json(self) -> dict[str, float]:
        """For --save."""
        return dict(vars(self))


def measure(size: int, rounds: int, root: Path, tmp: Path) -> Figures:
    """Generate a history of `size` sessions and run every measurement `rounds` times."""
    home, empty = tmp / f"h{size}", tmp / f"empty{size}"
    env, env_empty = environment(home, root), environment(empty, root)
    db = home / "data" / FILENAME
    db.parent.mkdir(parents=True)
    started = time.perf_counter()
    made = subprocess.run([sys.executable, "-c", GENERATE, str(db), str(size)], env=env,
                          cwd=root, capture_output=True, text=True, check=False)
    if made.returncode != 0:
        raise RunFailed(f"generating the history failed:\n{made.stderr[-3000:]}")
    info = json.loads(made.stdout.splitlines()[-1])
    print(f"\n{size:,} sessions of {info['routine']}: {info['phases']:,} phase rows, "
          f"{info['checkins']:,} check-ins; {db.stat().st_size / 1e6:.1f} MB, generated in "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    py = [sys.executable]
    trainer = [*py, "-m", "trainer"]
    runs: dict[str, list[float]] = {}
    rss: list[float] = []
    csv_rss: list[float] = []

    def note(name: str, value: float) -> None:
        runs.setdefault(name, []).append(value)

    out = tmp / "out"
    for round_no in range(1, rounds + 1):
        # A new version of the file (as after another process wrote to it): its check is due.
        # The app opens it, checking it on a thread; then `history --json`, which checks it
        # first (that check is in its time, as it was before).
        moment = time.time()
        os.utime(db, (moment, moment))
        got = json.loads(launch([*py, "-c", SCREEN], env, root, out).out)
        note("opened_changed", got["opened"])
        note("screen_changed", got["screen"])
        r = launch([*trainer, "history", "--json", "--limit", "0"], env, root, out)
        if json_sessions(out) != size:
            raise RunFailed(f"history --json wrote {json_sessions(out)} sessions, not {size}")
        note("json", r.wall_s)
        rss.append(r.rss_mib)
        note("bare", launch([*py, "-c", BARE_JSON, str(db)], env, root, out).wall_s)
        r = launch([*trainer, "history", "--csv", "--limit", "0"], env, root, out)
        with out.open(encoding="utf-8", newline="") as f:
            if sum(1 for _ in csv.reader(f)) - 1 != size:
                raise RunFailed(f"history --csv did not write {size} sessions")
        note("csv", r.wall_s)
        csv_rss.append(r.rss_mib)
        note("bare_csv", launch([*py, "-c", BARE_CSV, str(db)], env, root, out).wall_s)
        note("stats_empty", launch([*trainer, "stats"], env_empty, root, out).wall_s)
        note("screen_empty", json.loads(launch([*py, "-c", SCREEN], env_empty, root,
                                               out).out)["screen"])
        note("quick_check", float(launch([*py, "-c", QUICK_CHECK, str(db)], env, root,
                                         out).out))
        # A check of a version changed less than 2 s before is not remembered (store.RACY_NS):
        # once that is past, one command checks this version, and the next ones find it checked.
        time.sleep(max(0.0, moment + 2.5 - time.time()))
        launch([*trainer, "history", "--limit", "1"], env, root, out)
        note("stats", launch([*trainer, "stats"], env, root, out).wall_s)
        got = json.loads(launch([*py, "-c", SCREEN], env, root, out).out)
        note("opened_same", got["opened"])
        note("screen", got["screen"])
        print(f"  round {round_no}: json {runs['json'][-1]:.2f} s ({rss[-1]:.0f} MiB), "
              f"stats {runs['stats'][-1]:.2f} s, screen {runs['screen'][-1]:.2f} s "
              f"({runs['screen_changed'][-1]:.2f} s changed), "
              f"history on the main thread {runs['opened_changed'][-1] * 1000:.0f} ms "
              f"(changed) / {runs['opened_same'][-1] * 1000:.0f} ms", flush=True)
    med = {k: statistics.median(v) for k, v in runs.items()}
    return Figures(size, med["json"], max(rss), med["bare"], med["stats"], med["stats_empty"],
                   med["screen"], med["screen_empty"], med["opened_changed"],
                   med["opened_same"], med["quick_check"], med["screen_changed"], med["csv"],
                   max(csv_rss), med["bare_csv"])


Section = tuple[str, str, str, float | None, str]  # title, figure, baseline, target, unit


SECTIONS: list[Section] = [
    ("history screen open, s (baseline: the same on an empty history)", "screen_s",
     "screen_empty_s", SCREEN_TARGET, "s"),
    ("the same, the file changed since its last check, s (its check runs meanwhile)",
     "screen_changed_s", "screen_empty_s", SCREEN_TARGET, "s"),
    ("trainer stats, s (baseline: trainer stats on an empty history)", "stats_s",
     "stats_empty_s", STATS_TARGET, "s"),
    ("the app's main thread in its first use of the history, file changed since its last"
     " check, s (baseline: PRAGMA quick_check alone)", "opened_changed_s", "quick_check_s",
     MAIN_THREAD, "s"),
    ("the same, file unchanged, s (baseline: PRAGMA quick_check alone)", "opened_same_s",
     "quick_check_s", MAIN_THREAD, "s"),
    ("trainer history --json --limit 0, s (baseline: bare rows as JSON lines)", "json_s",
     "bare_s", None, "s"),
    ("trainer history --json --limit 0, peak RSS MiB (no baseline)", "json_rss", "",
     JSON_RSS_TARGET, "MiB"),
    ("trainer history --csv --limit 0, s (baseline: bare rows with csv.writer)", "csv_s",
     "bare_csv_s", None, "s"),
    ("trainer history --csv --limit 0, peak RSS MiB (no baseline)", "csv_rss", "",
     JSON_RSS_TARGET, "MiB"),
]


def report(all_figures: list[Figures], before: dict[int, Figures]) -> None:
    """A table per measurement: now, the baseline and the ratio, the tree before, the target."""
    print("\nmedians of the rounds; issue 18's targets are for 50,000 sessions")
    for title, name, baseline, target, unit in SECTIONS:
        print(f"\n{title}")
        print(f"{'sessions':>9} {'now':>9} {'baseline':>9} {'ratio':>7} {'before':>9} "
              f"{'speed-up':>9}  target")
        for f in all_figures:
            now: float = getattr(f, name)
            line = f"{f.sessions:>9,} {now:>9.3f}"
            if baseline:
                base: float = getattr(f, baseline)
                line += f" {base:>9.3f} {now / base:>6.2f}x"
            else:
                line += f" {'':>9} {'':>7}"
            was = before.get(f.sessions)
            if was is not None and getattr(was, name):
                then: float = getattr(was, name)
                line += f" {then:>9.3f} {then / now:>8.1f}x"
            else:
                line += f" {'':>9} {'':>9}"
            if target is not None:
                line += f"  < {target:g} {unit} {mark(now < target)}"
            if name == "json_s" and was is not None:
                line += f"  >= {JSON_SPEEDUP:g}x faster {mark(was.json_s / now >= JSON_SPEEDUP)}"
            print(line)


def main() -> int:
    """Generate, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)),
                        help="sessions in each history (default 1000,10000,50000)")
    parser.add_argument("--root", type=Path, default=ROOT, metavar="DIR",
                        help="measure the trainer in this tree (to compare versions)")
    parser.add_argument("--save", type=Path, metavar="FILE", help="keep the figures as JSON")
    parser.add_argument("--before", type=Path, metavar="FILE",
                        help="figures a run on the earlier tree saved: printed beside these")
    args = parser.parse_args()
    root = args.root.resolve()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    before: dict[int, Figures] = {}
    if args.before:
        before = {f["sessions"]: Figures(**f) for f in json.loads(args.before.read_text())}
    compileall.compile_dir(root / "trainer", quiet=1)
    print(f"trainer from {root}; {args.rounds} rounds; python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    figures = []
    with tempfile.TemporaryDirectory(prefix="trainer-bench-") as tmpdir:
        try:
            for size in sizes:
                figures.append(measure(size, args.rounds, root, Path(tmpdir)))
        except RunFailed as failure:
            print(f"bench failed: {failure}", file=sys.stderr)
            return 1
    report(figures, before)
    if args.save:
        args.save.write_text(json.dumps([f.to_json() for f in figures], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
