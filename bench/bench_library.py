"""Benchmark: the library screen (`trainer`, no command) on big libraries, beside a bare app.

Each program runs in a real 80x24 pty (as bench_session.py runs them), interleaved:

- the bare Textual `Digits` app (bare_countdown.py) and `trainer` on the built-in library:
  time to the first frame, the trainer's first run (empty cache folder) on its own, then
  the median of the later runs;
- `trainer --library DIR` on generated libraries (bench_load.py's generator) of 1,000
  exercises and 100 routines, and of 20,000 exercises and 1,000 routines: first frame (the
  first run with an empty cache, then warm), RSS at the first frame, the time until the
  process is idle (the library loaded and validated) and the peak RSS by then, then the
  latency of each filter keystroke: from the key sent until the screen shows the exercises
  tab's new count (the count worked out here from the same library, by the filter's rule).
  Through a pty even a bare Textual app takes 50-90 ms from a key to its frame here, so the
  same keys are also typed into a bare app (an Input and a line saying its length) for the
  floor;
- the same keystrokes in process (Pilot, 80x24, a child process running the trainer from
  --root): the CPU time each takes until its frame is drawn, and how many lines the lists
  rendered for it, at 100 and 10,000 exercises and on each generated library: the render
  work must not grow with the rows. The bare app's CPU per keystroke is measured alongside.

Prints medians, ratios and PASS/MISS against issue 18's targets; asserts nothing.
Run: `.venv/bin/python bench/bench_library.py [--starts 6] [--root DIR] [--skip-20k]`.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import functools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pexpect
import pyte

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_session import (
    BARE,
    ROOT,
    Program,
    RunFailed,
    _environment,
    _proc_cpu,
    _proc_hwm_mib,
    _stop,
)
from results import record

if TYPE_CHECKING:
    from trainer.session.catalog import Catalog

COLUMNS, LINES = 80, 24
TARGET_BUILTIN_RATIO = 1.3
TARGET_BIG_FIRST_FRAME_S = 1.5
TARGET_BIG_RSS_MIB = 100.0
TARGET_KEY_MS = 50.0
QUERIES = ("seated", "plank", "wide")  # typed a letter at a time, then Esc


@dataclass
class Run:
    """What one start of a program measured."""

    first_frame_ms: float
    rss_first_mib: float = 0.0
    idle_s: float = 0.0
    rss_peak_mib: float = 0.0
    keys_ms: list[float] = field(default_factory=list)


class Pty:
    """A program in a pty with an emulated screen."""

    def __init__(self, program: Program, env: dict[str, str], cwd: Path) -> None:
        self.screen = pyte.Screen(COLUMNS, LINES)
        self.stream = pyte.ByteStream(self.screen)
        self.name = program.name
        self.started = time.perf_counter()
        self.child = pexpect.spawn(program.argv[0], program.argv[1:], env=env, cwd=str(cwd),
                                   dimensions=(LINES, COLUMNS))

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def until(self, shows: Callable[[str], bool], timeout: float = 60.0) -> float:
        """Read until the screen satisfies `shows`; the seconds it took."""
        start = time.perf_counter()
        while not shows(self.text()):
            if time.perf_counter() - start > timeout:
                raise RunFailed(f"{self.name}: timed out; the screen:\n{self.text()}")
            try:
                self.stream.feed(self.child.read_nonblocking(1 << 16, timeout=0.02))
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                raise RunFailed(f"{self.name} exited:\n{self.text()}") from None
        return time.perf_counter() - start

    def idle(self, quiet: float = 1.0, timeout: float = 120.0) -> float:
        """Read on until the process has used under 2% CPU for `quiet` s; seconds from spawn."""
        deadline = time.perf_counter() + timeout
        last, since = _proc_cpu(self.child.pid), time.perf_counter()
        while time.perf_counter() < deadline:
            with contextlib.suppress(pexpect.TIMEOUT):
                self.stream.feed(self.child.read_nonblocking(1 << 16, timeout=0.1))
            now_cpu, now = _proc_cpu(self.child.pid), time.perf_counter()
            if now_cpu - last > 0.02 * max(now - since, 0.1):
                last, since = now_cpu, now
            elif now - since >= quiet:
                return since - self.started
        raise RunFailed(f"{self.name} never went idle")

    def stop(self) -> None:
        _stop(self.child)


def _shows(*needles: str) -> Callable[[str], bool]:
    return lambda text: all(needle in text for needle in needles)


def _expected_counts(folder: Path | None, query: str) -> tuple[int, int]:
    """Exercises matching each word of `query` (the screen's rule), and the total."""
    from trainer.library.sources import default_sources
    from trainer.session.catalog import CatalogLoader

    key = (folder, query)
    if key not in _COUNTS:
        if folder not in _LIBS:
            _LIBS[folder] = CatalogLoader().load(default_sources([folder] if folder else []))
        lib = _LIBS[folder]
        words = query.lower().split()
        shown = sum(all(w in " ".join((e.id, e.name, e.category, e.level, e.summary,
                                       " ".join(e.muscles))).lower() for w in words)
                    for e in lib.exercises.values())
        _COUNTS[key] = (shown, len(lib.exercises))
    return _COUNTS[key]


_LIBS: dict[Path | None, Catalog] = {}
_COUNTS: dict[tuple[Path | None, str], tuple[int, int]] = {}


def start(program: Program, env: dict[str, str], cwd: Path, needles: tuple[str, ...],
          folder: Path | None = None, keys: bool = False) -> Run:
    """One start: the first frame; with `keys`, idle, RSS and the filter keystrokes too."""
    pty = Pty(program, env, cwd)
    try:
        pty.until(_shows(*needles))
        first = time.perf_counter() - pty.started
        run = Run(first * 1000, _rss_now(pty.child.pid))
        if not keys:
            return run
        run.idle_s = pty.idle()
        for query in QUERIES:
            pty.child.send("/")
            pty.until(_shows("esc Clear"))  # the box has the focus
            before = None
            for i in range(1, len(query) + 1):
                shown, total = _expected_counts(folder, query[:i])
                if shown == before:
                    pty.child.send(query[i - 1])  # same count: not measurable by the title
                    continue
                sent = time.perf_counter()
                pty.child.send(query[i - 1])
                pty.until(_shows(f"Exercises ({shown}/{total})"))
                run.keys_ms.append((time.perf_counter() - sent) * 1000)
                before = shown
            sent = time.perf_counter()
            pty.child.send("\x1b")
            total = _expected_counts(folder, "")[1]
            pty.until(_shows(f"Exercises ({total})"))
            run.keys_ms.append((time.perf_counter() - sent) * 1000)
        run.rss_peak_mib = _proc_hwm_mib(pty.child.pid)
        return run
    finally:
        pty.stop()


BARE_FILTER = """\
from textual.app import App
from textual.widgets import Footer, Input, Static


class BareFilter(App[None]):
    \"\"\"The yardstick for keystrokes: a filter box and a line that follows it.\"\"\"

    def compose(self):
        yield Input(placeholder="Filter")
        yield Static("Exercises (1000)", id="count")
        yield Footer()

    def on_input_changed(self, event):
        self.query_one("#count", Static).update(f"Exercises ({len(event.value)}/1000)")


if __name__ == "__main__":
    BareFilter().run()
"""


def bare_keys(path: Path, env: dict[str, str]) -> list[float]:
    """Keystroke latencies (ms) of the bare filter app in the pty."""
    pty = Pty(Program("bare filter", [sys.executable, str(path)], ()), env, path.parent)
    try:
        pty.until(_shows("Exercises (1000)"))
        pty.idle()
        keys = []
        for i, char in enumerate("".join(QUERIES), 1):
            sent = time.perf_counter()
            pty.child.send(char)
            pty.until(_shows(f"Exercises ({i}/1000)"))
            keys.append((time.perf_counter() - sent) * 1000)
        return keys
    finally:
        pty.stop()


def pilot_keys(target: str, root: Path) -> dict[str, list[float]]:
    """In this process: each keystroke's ms to its frame, CPU ms, and lines the lists drew."""
    sys.path.insert(0, str(root))  # before this checkout's (main put it second)
    import asyncio
    import importlib

    from textual.app import App

    drawn = [0]
    # The lines the lists render, whichever widget draws them (a DataTable before issue 18).
    for module, name in (("textual.widgets", "DataTable"),
                         ("trainer.ui.widgets.row_list", "RowList")):
        try:
            cls = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
        cls.render_line = _counting(cls.render_line, drawn)
    app: App[None]
    if target == "bare":
        namespace: dict[str, object] = {}
        exec(BARE_FILTER.replace('if __name__ == "__main__":', "if False:"), namespace)
        app = namespace["BareFilter"]()  # type: ignore[operator]
    else:
        from trainer.audio.players import NonePlayer
        from trainer.config import Config
        from trainer.library.sources import default_sources
        from trainer.session.catalog import CatalogLoader
        from trainer.ui.app import TrainerApp

        lib = CatalogLoader().load(default_sources([Path(target)]))
        app = TrainerApp(lib, player=NonePlayer(), save_settings=False, voice=False,
                         config=Config(acknowledged_safety=True, watch=False))
    out: dict[str, list[float]] = {"cpu": [], "wall": [], "lines": []}
    # Latency: from the key posted to the first frame written after the filter's handler ran
    # (for the trainer, after its rows were refilled).
    handled: list[float] = []
    frames: list[float] = []
    display = App._display

    def displayed(self: App[None], screen: object, renderable: object) -> None:
        display(self, screen, renderable)  # type: ignore[arg-type]
        frames.append(time.perf_counter())

    App._display = displayed  # type: ignore[method-assign]
    owner, method = (type(app), "on_input_changed") if target == "bare" else (
        importlib.import_module("trainer.ui.screens.library").LibraryScreen, "_fill")
    setattr(owner, method, _after(getattr(owner, method), handled))

    async def drive() -> None:
        async with app.run_test(size=(COLUMNS, LINES)) as pilot:
            await pilot.pause()
            await pilot.pause()
            import gc

            gc.freeze()  # as `trainer` does once its first frame is drawn (trainer.gc_pause)

            async def key(name: str) -> None:
                lines, cpu, wall = drawn[0], time.process_time(), time.perf_counter()
                handled.clear()
                await pilot.press(name)
                await pilot.pause()  # the messages handled and the frame drawn
                out["cpu"].append((time.process_time() - cpu) * 1000)
                done = max(handled, default=wall)
                shown = min((t for t in frames if t >= done), default=time.perf_counter())
                out["wall"].append((shown - wall) * 1000)
                out["lines"].append(drawn[0] - lines)

            for query in QUERIES:
                if target != "bare":
                    await pilot.press("slash")
                    await pilot.pause()
                for char in query:
                    await key(char)
                if target != "bare":
                    await key("escape")

    asyncio.run(drive())
    return out


def _after(method: Callable[..., object], times: list[float]) -> Callable[..., object]:
    @functools.wraps(method)  # Textual passes a handler the arguments its signature names
    def timed(*args: object) -> object:
        try:
            return method(*args)
        finally:
            times.append(time.perf_counter())
    return timed


def _counting(method: Callable[..., object], drawn: list[int]) -> Callable[..., object]:
    def counted(self: object, y: int) -> object:
        drawn[0] += 1
        return method(self, y)
    return counted


def pilot_child(target: str, root: Path) -> dict[str, list[float]]:
    """pilot_keys in a child process running the trainer from `root`."""
    import json
    import subprocess

    done = subprocess.run([sys.executable, __file__, "--pilot", target, "--root", str(root)],
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    if done.returncode:
        raise RunFailed(f"pilot run on {target} failed:\n{done.stderr[-3000:]}")
    result: dict[str, list[float]] = json.loads(done.stdout.splitlines()[-1])
    return result


def _rss_now(pid: int) -> float:
    """Peak RSS so far (VmHWM), MiB."""
    return _proc_hwm_mib(pid)


def generate(folder: Path, exercise_files: int, routine_files: int) -> None:
    """bench_load's seeded library, with as many files of 20 exercises and of 10 routines."""
    import bench_load  # imports the trainer: not in the --pilot child before it has --root

    from trainer.library.sources import SETTLE_NS

    saved = bench_load.EXERCISE_FILES, bench_load.ROUTINE_FILES
    bench_load.EXERCISE_FILES, bench_load.ROUTINE_FILES = exercise_files, routine_files
    try:
        files, _ = bench_load.generate(folder)
    finally:
        bench_load.EXERCISE_FILES, bench_load.ROUTINE_FILES = saved
    bench_load.backdate(files, bench_load.OLD)
    # A file changed within the last seconds may change again unseen: no cache is kept for it
    # (trainer.library.sources.SETTLE_NS). Its change time cannot be back-dated: wait it out.
    time.sleep(SETTLE_NS / 1e9 + 0.5)


def _med(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _mark(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=6,
                        help="interleaved starts of the bare app and `trainer` (default 6)")
    parser.add_argument("--big-starts", type=int, default=3,
                        help="starts on each generated library, the first cold (default 2)")
    parser.add_argument("--root", type=Path, default=ROOT, metavar="DIR",
                        help="run `python -m trainer` from this checkout (to compare versions)")
    parser.add_argument("--skip-20k", action="store_true", help="only the 1,000-exercise one")
    parser.add_argument("--pilot", metavar="DIR", help=argparse.SUPPRESS)  # the child's part
    args = parser.parse_args()
    root = args.root.resolve()
    sys.path.insert(1, str(ROOT))  # this checkout's trainer, for the counts the screen must show
    if args.pilot:
        import json

        print(json.dumps(pilot_keys(args.pilot, root)))
        return 0
    compileall.compile_dir(root / "trainer", quiet=1)
    bare = Program("bare Digits", [sys.executable, str(BARE)], ("╰─╯",))
    trainer = Program("trainer", [sys.executable, "-m", "trainer", "--audio", "bell"], ())
    needles = ("Routines (", "Time")
    print(f"trainer from {root}; python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="trainer-bench-") as tmpdir:
        tmp = Path(tmpdir)
        env = _environment(tmp)
        # The counts expected on screen are worked out here, from the library the child sees.
        os.environ.update({k: v for k, v in env.items() if k.startswith("TRAINER_")})
        bare_ms: list[float] = []
        builtin: list[Run] = []
        try:
            for _ in range(args.starts + 1):
                bare_ms.append(start(bare, env, root, bare.needles).first_frame_ms)
                builtin.append(start(trainer, env, root, needles))
            sizes = [("1k", 50, 10)] + ([] if args.skip_20k else [("20k", 1000, 100)])
            big: dict[str, list[Run]] = {}
            for label, exercise_files, routine_files in sizes:
                folder = tmp / f"lib-{label}"
                generate(folder, exercise_files, routine_files)
                program = Program(f"trainer {label}", [*trainer.argv, "--library", str(folder)],
                                  ())
                big[label] = [start(program, env, root, needles, folder, keys=True)
                              for _ in range(args.big_starts)]
                for i, run in enumerate(big[label]):
                    print(f"  {label} #{i + 1}: first frame {run.first_frame_ms:.0f} ms, "
                          f"RSS {run.rss_first_mib:.1f} MiB, idle at {run.idle_s:.2f} s, peak "
                          f"RSS {run.rss_peak_mib:.1f} MiB, keys (ms) "
                          + " ".join(f"{k:.0f}" for k in run.keys_ms), flush=True)
            bare_app = tmp / "bare_filter.py"
            bare_app.write_text(BARE_FILTER)
            bare_pty = bare_keys(bare_app, env)
            print("  bare filter app, keys in the pty (ms): "
                  + " ".join(f"{k:.0f}" for k in bare_pty), flush=True)
            pilot: dict[str, dict[str, list[float]]] = {"bare": pilot_child("bare", root)}
            for label, exercise_files, routine_files in (("100", 5, 1), ("10k", 500, 10)):
                folder = tmp / f"lib-{label}"
                generate(folder, exercise_files, routine_files)
                pilot[label] = pilot_child(str(folder), root)
            for label in big:
                pilot[label] = pilot_child(str(tmp / f"lib-{label}"), root)
        except RunFailed as failure:
            print(f"bench failed: {failure}", file=sys.stderr)
            return 1
    report(bare_ms, builtin, big, bare_pty)
    report_pilot(pilot)
    return 0


def report(bare_ms: list[float], builtin: list[Run], big: dict[str, list[Run]],
           bare_pty: list[float]) -> None:
    """Medians, ratios and targets."""
    print()
    print("first frames (ms), bare:    " + " ".join(f"{t:.0f}" for t in bare_ms))
    print("first frames (ms), trainer: " + " ".join(f"{r.first_frame_ms:.0f}" for r in builtin)
          + "   (the first with an empty cache)")
    bare_med = _med(bare_ms)
    warm = _med([r.first_frame_ms for r in builtin[1:]])
    ratio = warm / bare_med
    print(f"built-in library: bare {bare_med:.0f} ms, trainer {warm:.0f} ms (cold "
          f"{builtin[0].first_frame_ms:.0f} ms = {builtin[0].first_frame_ms / bare_med:.2f}x): "
          f"{ratio:.2f}x   target <= {TARGET_BUILTIN_RATIO}x  "
          f"{_mark(ratio <= TARGET_BUILTIN_RATIO)}")
    record("library", "`trainer` first frame, built-in library", f"{warm:.0f} ms",
           f"bare {bare_med:.0f} ms ({ratio:.2f}x)", f"<= {TARGET_BUILTIN_RATIO}x",
           ratio <= TARGET_BUILTIN_RATIO)
    for label, runs in big.items():
        cold, warm_runs = runs[0], runs[1:] or runs
        first = _med([r.first_frame_ms for r in warm_runs])
        rss = _med([r.rss_first_mib for r in warm_runs])
        keys = [k for r in runs for k in r.keys_ms]
        print(f"{label}: first frame cold {cold.first_frame_ms:.0f} ms, warm {first:.0f} ms "
              f"({first / bare_med:.2f}x bare); RSS at first frame {rss:.1f} MiB, peak "
              f"{max(r.rss_peak_mib for r in runs):.1f} MiB; idle at "
              f"{_med([r.idle_s for r in warm_runs]):.2f} s; keystroke median "
              f"{_med(keys):.0f} ms, max {max(keys, default=float('nan')):.0f} ms (bare "
              f"filter app: {_med(bare_pty):.0f} ms, max {max(bare_pty):.0f} ms)")
        if label == "20k":
            print(f"  targets: first frame < {TARGET_BIG_FIRST_FRAME_S} s "
                  f"{_mark(first < TARGET_BIG_FIRST_FRAME_S * 1000)}, RSS < "
                  f"{TARGET_BIG_RSS_MIB:.0f} MiB {_mark(rss < TARGET_BIG_RSS_MIB)} (at the first "
                  f"frame); keystrokes: see in process, below")
            record("library", "first frame, 20,000 exercises, 1,000 routines", f"{first:.0f} ms",
                   f"bare {bare_med:.0f} ms", f"< {TARGET_BIG_FIRST_FRAME_S} s",
                   first < TARGET_BIG_FIRST_FRAME_S * 1000)
            record("library", "RSS at first frame, 20,000 exercises", f"{rss:.1f} MiB", "",
                   f"< {TARGET_BIG_RSS_MIB:.0f} MiB", rss < TARGET_BIG_RSS_MIB)


def report_pilot(pilot: dict[str, dict[str, list[float]]]) -> None:
    """The keystrokes typed in process: CPU and wall ms to the frame, lines the lists drew."""
    print()
    print("keystrokes in process (Pilot, 80x24): per key, median / max")
    print(f"{'':24}{'to frame ms':>16}{'CPU ms':>16}{'lines drawn':>16}")
    for label, run in pilot.items():
        name = "bare filter app" if label == "bare" else f"trainer, {label} exercises"
        cells = [f"{_med(run[k]):.1f} / {max(run[k]):.0f}" for k in ("wall", "cpu", "lines")]
        print(f"{name:24}" + "".join(f"{c:>16}" for c in cells))
    largest = "20k" if "20k" in pilot else "10k"
    big = pilot[largest]["wall"]
    print(f"target: each keystroke redrawn in < {TARGET_KEY_MS:.0f} ms at the largest: median "
          f"{_med(big):.0f} ms {_mark(_med(big) < TARGET_KEY_MS)}, worst {max(big):.0f} ms "
          f"{_mark(max(big) < TARGET_KEY_MS)}; lines drawn per key at 100 and 10k rows: "
          f"{_med(pilot['100']['lines']):.0f} and {_med(pilot['10k']['lines']):.0f}, at most "
          f"{max(pilot['100']['lines']):.0f} and {max(pilot['10k']['lines']):.0f}")
    record("library", f"filter keystroke to frame, {largest} exercises (worst)",
           f"{max(big):.0f} ms", f"bare filter app {max(pilot['bare']['wall']):.0f} ms",
           f"< {TARGET_KEY_MS:.0f} ms", max(big) < TARGET_KEY_MS)
    record("library", "lines drawn per keystroke, 100 vs 10,000 rows (most)",
           f"{max(pilot['10k']['lines']):.0f}", f"{max(pilot['100']['lines']):.0f} at 100 rows",
           "no growth", max(pilot['10k']['lines']) <= max(pilot['100']['lines']))


if __name__ == "__main__":
    sys.exit(main())

