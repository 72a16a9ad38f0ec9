"""Benchmark: load a generated 1,000-exercise, 100-routine library against a bare C-loader parse.

Prints figures; asserts nothing except that the generated library loads without problems
(exit 1 if it does not). Run: `.venv/bin/python bench/bench_load.py [--rounds N]`.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from results import record

from trainer.library import loader as library
from trainer.library.sources import Source
from trainer.session.catalog import Catalog, CatalogLoader

SEED = 20240601
EXERCISE_FILES = 50
EXERCISES_PER_FILE = 20
ROUTINE_FILES = 10
ROUTINES_PER_FILE = 10
OLD = 24 * 3600  # generated files are back-dated by a day: well outside the racy window

TARGET_COLD_RATIO = 1.5
TARGET_REPEAT_MS = 50.0

CATEGORIES = ("stretch", "aerobic", "strength", "mobility", "posture")
LEVELS = ("beginner", "intermediate", "advanced")
ADJECTIVES = ("standing", "seated", "kneeling", "supine", "prone", "side-lying", "half",
              "wide", "narrow", "slow", "deep", "high", "low", "split", "single-leg",
              "banded", "wall", "chair", "staggered", "reverse")
MOVES = ("stretch", "squat", "lunge", "bridge", "plank", "row", "press", "raise", "march",
         "reach", "rotation", "hinge", "circle", "tuck", "curl", "extension", "calf-raise",
         "step-up", "jack", "twist", "shrug", "pull-apart", "dead-bug", "crunch")
MUSCLES = ("hamstrings", "calves", "glutes", "quadriceps", "hip flexors", "lower back",
           "upper back", "core", "obliques", "chest", "shoulders", "triceps", "biceps",
           "neck", "forearms", "adductors", "abductors", "shins")
EQUIPMENT = ("mat", "low step", "chair", "wall", "resistance band", "dumbbells", "towel",
             "foam roller", "kettlebell", "pull-up bar")
OPENINGS = ("Stand tall, feet hip-width apart.", "Lie on your back, knees bent.",
            "Kneel on all fours.", "Sit tall near the chair's edge.",
            "Face a wall, hands at shoulder height.", "Start in a high plank.")
MIDDLES = ("Move slowly and with control.", "Keep your spine long.",
           "Breathe out as you work.", "Keep your shoulders down.",
           "Keep the knee over the toes.", "Pause at the end of the move.")
ENDINGS = ("Return with control.", "Relax, then repeat.", "Lower slowly.",
           "Switch sides and repeat.")
CUES = ("Back long", "Breathe out", "Move slowly", "Stay tall", "Squeeze at the top",
        "Keep breathing", "Knees over toes", "Relax your jaw", "Shoulders down", "Brace gently")
SAFETY = ("Stop if you feel sharp pain.", "Keep the range small if your back hurts.",
          "Hold a chair if you feel unsteady.", "Ease off if your knee hurts.",
          "Skip this if your shoulder is sore.")
SAYINGS = ("Well done. Time to cool down.", "Halfway there. Keep it up.",
           "Shake out your arms and legs.", "Take a sip of water.", "Breathe deeply.")
BLOCKS = ("Warm-up", "Mobility", "Stretch", "Strength", "Circuit", "Balance", "Cool-down",
          "Core", "Intervals", "Finisher")


def _flow(items: list[str]) -> str:
    """A YAML flow list of plain text."""
    return "[" + ", ".join(items) + "]"


def _exercise(rng: random.Random, ex_id: str) -> tuple[str, str]:
    """One exercise's YAML and its timing kind."""
    words = ex_id.rsplit("-", 1)[0].replace("-", " ")
    category = rng.choice(CATEGORIES)
    sides = rng.choices(("none", "each", "alternate"), weights=(5, 3, 2))[0]
    kind = rng.choice(("hold", "duration", "tempo", "reps"))
    if kind == "hold":
        timing = f"    hold: {rng.choice(('20s', '30s', '45s', '1m'))}\n"
    elif kind == "duration":
        timing = f"    duration: {rng.choice(('30s', '45s', '1m', '1m30s', '2m'))}\n"
    elif kind == "tempo":
        timing = f"    reps: {rng.randint(6, 15)}\n    tempo: {rng.choice(('2s', '3s', '4s'))}\n"
    else:
        timing = f"    reps: {rng.randint(5, 20)}\n"
    lines = [
        f"  - id: {ex_id}\n",
        f"    name: {words.capitalize()}\n",
        f"    category: {category}\n",
        f"    level: {rng.choice(LEVELS[1:])}\n" if rng.random() < 0.5 else "",
        f"    sides: {sides}\n" if sides != "none" else "",
        timing,
        f"    muscles: {_flow(rng.sample(MUSCLES, rng.randint(1, 2)))}\n",
        f"    equipment: {_flow(rng.sample(EQUIPMENT, rng.randint(1, 2)))}\n"
        if rng.random() < 0.6 else "",
        f"    summary: Works the {rng.choice(MUSCLES)}.\n",
        "    instructions:\n",
        f"      - {rng.choice(OPENINGS)}\n",
        *[f"      - {rng.choice(MIDDLES)}\n"
          for _ in range(rng.choices((0, 1, 2), weights=(3, 2, 1))[0])],
        f"      - {rng.choice(ENDINGS)}\n",
        f"    cues: {_flow(rng.sample(CUES, rng.randint(1, 2)))}\n",
        f"    safety: {rng.choice(SAFETY)}\n" if rng.random() < 0.5 else "",
    ]
    return "".join(lines), kind


def _ex_step(rng: random.Random, ids: list[str], kinds: dict[str, str], indent: str) -> str:
    """One exercise step: a bare id or a mapping with overrides."""
    ex_id = rng.choice(ids)
    form = rng.choices(range(6), weights=(6, 2, 2, 1, 1, 1))[0]
    if form == 0:
        return f"{indent}- {ex_id}\n"
    if form == 1:
        return f"{indent}- {{exercise: {ex_id}, hold: {rng.choice(('15s', '20s', '30s'))}}}\n"
    if form == 2:
        return f"{indent}- {{exercise: {ex_id}, duration: {rng.choice(('30s', '45s', '1m'))}}}\n"
    if form == 3:
        return (f"{indent}- {{exercise: {ex_id}, sets: {rng.randint(2, 3)}, "
                f"reps: {rng.randint(6, 12)}, tempo: {rng.choice(('2s', '3s'))}, "
                f"set_rest: {rng.choice(('20s', '30s'))}}}\n")
    if form == 4:
        return (f"{indent}- {{exercise: {ex_id}, sets: {rng.randint(2, 3)}, "
                f"reps: {rng.randint(5, 10)}}}\n")
    extra = ", tempo: 2s" if kinds[ex_id] in ("tempo", "reps") else ""
    return f"{indent}- {{exercise: {ex_id}, rest: {rng.choice(('10s', '20s'))}{extra}}}\n"


def _routine(rng: random.Random, routine_id: str, ids: list[str], kinds: dict[str, str]) -> str:
    """One routine of 10 to 30 steps in blocks, intervals and rests."""
    target = rng.randint(10, 30)
    out = [
        f"  - id: {routine_id}\n",
        f"    name: {routine_id.replace('-', ' ').capitalize()}\n",
        f"    level: {rng.choice(LEVELS)}\n",
        f"    summary: {rng.choice(('Gentle', 'Brisk', 'Steady', 'Full-body'))} "
        f"{rng.choice(BLOCKS).lower()} work.\n",
        f"    defaults: {{get_ready: {rng.choice(('5s', '10s'))}, "
        f"rest: {rng.choice(('10s', '15s'))}{rng.choice(('', '', ', set_rest: 45s'))}}}\n",
        "    steps:\n",
    ]
    count = 0
    while count < target:
        roll = rng.random()
        if roll < 0.45:
            n = rng.randint(2, 5)
            out.append(f"      - block: {rng.choice(BLOCKS)}\n")
            if rng.random() < 0.5:
                out.append(f"        repeat: {rng.randint(2, 3)}\n")
                out.append(f"        rest_between: {rng.choice(('20s', '30s', '45s'))}\n")
            out.append("        steps:\n")
            out += [_ex_step(rng, ids, kinds, "          ") for _ in range(n)]
            count += n + 1
        elif roll < 0.6:
            picks = ", ".join(rng.sample(ids, rng.randint(1, 3)))
            out.append(f"      - interval: {{work: {rng.choice(('20s', '30s', '40s'))}, "
                       f"rest: {rng.choice(('10s', '15s', '20s'))}, "
                       f"rounds: {rng.randint(4, 8)}, exercises: [{picks}]}}\n")
            count += 1
        elif roll < 0.72:
            say = f", say: {rng.choice(SAYINGS)}" if rng.random() < 0.6 else ""
            out.append(f"      - {{rest: {rng.choice(('30s', '1m', '1m30s'))}{say}}}\n")
            count += 1
        else:
            out.append(_ex_step(rng, ids, kinds, "      "))
            count += 1
    out.append("\n")
    return "".join(out)


def _style(index: int, text: str) -> str:
    """Two files in three in the compact list style (`- id:` flush left, as yaml.dump writes)."""
    if index % 3 == 0:
        return text
    # Every line under the top-level keys is indented at least two spaces: drop two from each.
    return "".join(line[2:] if line.startswith("  ") else line
                   for line in text.splitlines(keepends=True))


def generate(folder: Path, seed: int = SEED) -> tuple[list[Path], int]:
    """Write the library; returns its files and total bytes."""
    rng = random.Random(seed)
    files: list[Path] = []
    ids: list[str] = []
    kinds: dict[str, str] = {}
    (folder / "exercises").mkdir(parents=True)
    (folder / "routines").mkdir()
    for f in range(EXERCISE_FILES):
        parts = [f"# Generated exercises, file {f + 1}.\nversion: 1\nexercises:\n"]
        for i in range(EXERCISES_PER_FILE):
            n = f * EXERCISES_PER_FILE + i
            ex_id = f"{ADJECTIVES[n % len(ADJECTIVES)]}-{MOVES[(n // 7) % len(MOVES)]}-{n}"
            text, kind = _exercise(rng, ex_id)
            parts.append(text)
            ids.append(ex_id)
            kinds[ex_id] = kind
        path = folder / "exercises" / f"set-{f:02d}.yaml"
        path.write_text(_style(f, "".join(parts)), encoding="utf-8")
        files.append(path)
    for f in range(ROUTINE_FILES):
        parts = [f"# Generated routines, file {f + 1}.\nversion: 1\nroutines:\n"]
        for i in range(ROUTINES_PER_FILE):
            parts.append(_routine(rng, f"routine-{f * ROUTINES_PER_FILE + i}", ids, kinds))
        path = folder / "routines" / f"plan-{f:02d}.yaml"
        path.write_text(_style(f, "".join(parts)), encoding="utf-8")
        files.append(path)
    return files, sum(p.stat().st_size for p in files)


def backdate(files: list[Path], seconds: float) -> None:
    """Set access and modification times to `seconds` ago."""
    when = time.time() - seconds
    for path in files:
        os.utime(path, (when, when))


def bare_parse(files: list[Path]) -> int:
    """Read and parse every file with the C safe loader; returns a count to keep it honest."""
    count = 0
    for path in files:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        count += len(data.get("exercises", ())) + len(data.get("routines", ()))
    return count


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU milliseconds for one call, with the collector settled first."""
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def split_cold_load(sources: list[Source]) -> dict[str, float] | None:
    """One cold load with its parts timed inside it: wall ms of the whole and of each part."""
    # The loader's own module-level names are wrapped for this one call, then restored.
    parts = {"parse": "load", "read_text": "read_text", "timelines": "build_timeline"}
    if not all(hasattr(library, name) for name in parts.values()):
        return None  # the loader changed shape; the breakdown is left out
    spent = dict.fromkeys(parts, 0.0)
    originals = {name: getattr(library, name) for name in parts.values()}

    def wrap(key: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed_part(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[key] += (time.perf_counter() - start) * 1000
        return timed_part

    for key, name in parts.items():
        setattr(library, name, wrap(key, originals[name]))
    try:
        spent["total"], _ = timed(lambda: CatalogLoader().load(sources))
    finally:
        for name, fn in originals.items():
            setattr(library, name, fn)
    return spent


def hashed_files(loader: CatalogLoader) -> str:
    """How many cached files the loader re-hashes on each load (a peek at its cache: info only)."""
    try:
        return str(sum(entry[1] is not None for entry in loader._cache.values()))
    except (AttributeError, TypeError, IndexError):
        return "?"


def check(lib: Catalog) -> bool:
    """True if the library loaded completely and without problems."""
    ok = (not lib.problems and len(lib.exercises) == EXERCISE_FILES * EXERCISES_PER_FILE
          and len(lib.routines) == ROUTINE_FILES * ROUTINES_PER_FILE)
    if not ok:
        print(f"library has {len(lib.problems)} problems, {len(lib.exercises)} exercises, "
              f"{len(lib.routines)} routines", file=sys.stderr)
        for problem in lib.problems[:20]:
            print(f"  {problem}", file=sys.stderr)
    return ok


def main() -> int:
    """Generate, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds (default 7)")
    args = parser.parse_args()
    if not hasattr(yaml, "CSafeLoader"):
        print("PyYAML was built without libyaml: no C loader to compare with", file=sys.stderr)
        return 1

    with tempfile.TemporaryDirectory(prefix="trainer-bench-") as tmp:
        folder = Path(tmp, "library")
        files, size = generate(folder)
        backdate(files, OLD)
        sources = [Source("bench", folder)]
        # A second, identical copy for the racy path. Kept apart because touching a file
        # changes its ctime, which would (rightly) invalidate the warm cache of the first.
        racy_folder = Path(tmp, "racy")
        racy_files, _ = generate(racy_folder)
        racy_sources = [Source("bench", racy_folder)]

        # Validity first, and one warm-up of each path so imports and first-call costs are out.
        first = CatalogLoader().load(sources)
        if not check(first):
            return 1
        phases = sum(len(t.phases) for t in first.timelines.values())
        bare_parse(files)
        warm = CatalogLoader()
        warm.load(sources)
        # Files modified within 3 s of being cached can change without their size or times
        # changing, so the loader keeps a hash of them and re-reads and compares on every load.
        backdate(racy_files, 0)
        racy = CatalogLoader()
        racy.load(racy_sources)
        hashed = hashed_files(racy)

        runs: dict[str, Callable[[], object]] = {
            "bare": lambda: bare_parse(files),
            "cold": lambda: CatalogLoader().load(sources),
            "repeat": lambda: warm.load(sources),
            "racy": lambda: racy.load(racy_sources),
        }
        times: dict[str, list[float]] = {k: [] for k in runs}
        cpu: dict[str, list[float]] = {k: [] for k in runs}
        splits: list[dict[str, float] | None] = []
        for _ in range(args.rounds):
            for key, run in runs.items():
                wall_ms, cpu_ms = timed(run)
                times[key].append(wall_ms)
                cpu[key].append(cpu_ms)
            splits.append(split_cold_load(sources))
        if not check(warm.load(sources)) or not check(racy.load(racy_sources)):
            return 1

    med = {k: statistics.median(v) for k, v in times.items()}
    low = {k: min(v) for k, v in times.items()}
    cpu_med = {k: statistics.median(v) for k, v in cpu.items()}
    # Each round's cold load against the bare parse of the same round: drift cancels out.
    ratio_med = statistics.median(c / b for c, b in zip(times["cold"], times["bare"], strict=True))
    ratio_min = low["cold"] / low["bare"]

    def mark(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    print(f"library: {len(files)} files, {size:,} bytes ({size / 1024:.0f} KiB), "
          f"{len(first.exercises)} exercises, {len(first.routines)} routines, "
          f"{phases:,} timeline phases")
    print(f"python {sys.version.split()[0]}, PyYAML {yaml.__version__} (libyaml), "
          f"{args.rounds} interleaved rounds, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}")
    print()
    print(f"{'measurement':<46}{'median ms':>10}{'min ms':>10}{'CPU ms':>9}   target")
    rows = [
        ("bare parse  (read + yaml CSafeLoader)", "bare", ""),
        ("cold load   (new CatalogLoader each time)", "cold", ""),
        ("repeat load (same loader, unchanged files)", "repeat",
         f"< {TARGET_REPEAT_MS:.0f} ms  {mark(med['repeat'] < TARGET_REPEAT_MS)}"),
        (f"repeat load, racy ({hashed} files re-hashed)", "racy", "(info)"),
    ]
    for label, key, target in rows:
        print(f"{label:<46}{med[key]:>10.1f}{low[key]:>10.1f}{cpu_med[key]:>9.1f}   {target}")
    ratio_cpu = cpu_med["cold"] / cpu_med["bare"]
    print(f"{'cold / bare  (paired median; min / min; CPU)':<46}{ratio_med:>9.2f}x"
          f"{ratio_min:>9.2f}x{ratio_cpu:>8.2f}x   <= {TARGET_COLD_RATIO}x  "
          f"{mark(ratio_med <= TARGET_COLD_RATIO)}")
    record("load", f"cold load, {len(first.exercises):,} exercises, {len(first.routines)} routines",
           f"{med['cold']:.0f} ms", f"bare C-loader parse {med['bare']:.0f} ms ({ratio_med:.2f}x)",
           f"<= {TARGET_COLD_RATIO}x", ratio_med <= TARGET_COLD_RATIO)
    record("load", "repeat load of unchanged files", f"{med['repeat']:.1f} ms", "",
           f"< {TARGET_REPEAT_MS:.0f} ms", med["repeat"] < TARGET_REPEAT_MS)
    print()
    if all(splits):
        print_split([run for run in splits if run], phases, med["bare"])
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss_mib = rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024
    print(f"peak RSS: {rss_mib:.1f} MiB")
    return 0


def print_split(splits: list[dict[str, float]], phases: int, bare_ms: float) -> None:
    """Where a cold load's time goes, from the loads timed from inside."""
    # Measured inside extra cold loads (one per round), so the shares are of the same run.
    print("where a cold load goes (median over the extra cold loads, timed from inside):")
    for run in splits:
        run["validation"] = run["read_text"] - run["parse"]
        run["rest"] = run["total"] - run["read_text"] - run["timelines"]
    split = {k: statistics.median(run[k] for run in splits) for k in splits[0]}
    share = {k: statistics.median(run[k] / run["total"] for run in splits) for k in splits[0]}
    parts = [
        ("parse with positions (yamlnodes.load)", "parse"),
        ("validation (pydantic models + checks)", "validation"),
        (f"timelines ({phases:,} phases)", "timelines"),
        ("the rest (walk, stat, read, merge, refs)", "rest"),
    ]
    for label, key in parts:
        print(f"  {label:<44}{split[key]:>10.1f} ms {share[key]:>6.0%}   "
              f"{split[key] / bare_ms:.2f}x bare")
    print()


if __name__ == "__main__":
    sys.exit(main())
