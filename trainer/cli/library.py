"""`trainer list`, `show`, `validate` and `export-audio`: the commands that read the library."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from trainer.library.durations import format_clock, format_duration
from trainer.library.problems import did_you_mean
from trainer.library.sources import (
    Source,
    default_sources,
    file_key,
    is_library_change,
    library_files,
)
from trainer.session.catalog import Catalog, CatalogLoader
from trainer.session.describe import category_mix, exercise_timing, labels, timing_text
from trainer.session.timeline import Phase


def cmd_export(lib: Catalog, routine_id: str, output: Path, voice: bool, volume: int) -> int:
    """`trainer export-audio ROUTINE -o FILE`."""
    if find_routine(lib, routine_id) is None:
        return 1
    from trainer.cli.audio import export

    return export(lib.timeline(routine_id), lib.exercises, output, voice=voice, volume=volume)


def load(extra: Sequence[Path]) -> Catalog:
    """The library, with a one-line pointer to its problems on stderr."""
    from trainer.cli.history import checked_library

    return checked_library(extra)


def cmd_list(lib: Catalog, args: argparse.Namespace) -> int:
    """`trainer list`."""
    routines = [r for r in lib.routines.values() if not args.level or r.level == args.level]
    if args.category:
        routines = [r for r in routines
                    if args.category in category_mix(lib.timeline(r.id), lib.exercises)]
    exercises = [e for e in lib.exercises.values()
                 if (not args.level or e.level == args.level)
                 and (not args.category or e.category == args.category)]
    show_routines = args.kind in (None, "routines")
    show_exercises = args.kind in (None, "exercises")
    if args.json:
        data: dict[str, Any] = {}
        if show_routines:
            data["routines"] = [_routine_json(lib, r.id) for r in routines]
        if show_exercises:
            data["exercises"] = [
                {**e.model_dump(mode="json"), "file": lib.origins[("exercise", e.id)].path}
                for e in exercises
            ]
        out = data[args.kind] if args.kind else data
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    if show_routines:
        print(f"Routines ({len(routines)})")
        for r in routines:
            tl = lib.timeline(r.id)
            mix = ", ".join(category_mix(tl, lib.exercises))
            print(f"  {r.id:32} {format_clock(tl.total):>7}  {r.level:12} {r.name}  [{mix}]")
    if show_routines and show_exercises:
        print()
    if show_exercises:
        print(f"Exercises ({len(exercises)})")
        for e in exercises:
            print(f"  {e.id:32} {e.category:9} {e.level:12} {exercise_timing(e):24} {e.name}")
    return 0


def _routine_json(lib: Catalog, routine_id: str) -> dict[str, Any]:
    """A routine's summary for --json."""
    r = lib.routines[routine_id]
    tl = lib.timeline(routine_id)
    return {
        "id": r.id, "name": r.name, "level": r.level, "summary": r.summary,
        "total": tl.total, "phases": len(tl.phases),
        "categories": category_mix(tl, lib.exercises), "file": lib.origins[("routine", r.id)].path,
    }


def find_routine(lib: Catalog, routine_id: str) -> str | None:
    """The routine id if it exists; otherwise says so (with a suggestion) on stderr."""
    if routine_id in lib.routines:
        return routine_id
    origin = lib.broken_routines.get(routine_id)
    if origin is not None:
        # It is there, only it cannot run: say where, and what is wrong in its file.
        print(f"trainer: routine '{routine_id}' at {origin} has problems, so it cannot run:",
              file=sys.stderr)
        # Its own lines: from where it starts to where the next item of its file starts.
        starts = [o.line for o in (*lib.origins.values(), *lib.broken_routines.values())
                  if o.path == origin.path and o.line > origin.line]
        end = min(starts, default=None)
        mine = [p for p in lib.problems if p.path == origin.path and origin.line <= p.line
                and (end is None or p.line < end)] or lib.problems
        for problem in mine[:MAX_SHOWN]:
            print(f"  {problem}", file=sys.stderr)
        if len(mine) > MAX_SHOWN:
            print(f"  ... and {len(mine) - MAX_SHOWN} more", file=sys.stderr)
        print("`trainer validate` lists every problem", file=sys.stderr)
        return None
    hint = did_you_mean(routine_id, lib.routines)
    print(f"trainer: no routine '{routine_id}'{'; ' + hint if hint else ''} "
          "(`trainer list routines` shows them)", file=sys.stderr)
    return None


def _labels(phase: Phase) -> str:
    """Block, set, round and side labels of a phase, and its reps."""
    parts = [text] if (text := labels(phase)) else []
    if phase.reps:
        parts.append(timing_text(phase) + ("" if phase.tempo else ", self-paced"))
    return " · ".join(parts)


def cmd_show(lib: Catalog, args: argparse.Namespace) -> int:
    """`trainer show ROUTINE`."""
    routine_id = find_routine(lib, args.routine)
    if routine_id is None:
        return 1
    tl = lib.timeline(routine_id)
    if args.json:
        print(json.dumps(tl.to_json(), indent=2, ensure_ascii=False))
        return 0
    print(f"{tl.routine_name} ({routine_id}): {format_clock(tl.total)}, {tl.steps} phases")
    print(f"{'start':>7} {'length':>7}  {'phase':10} {'what':30} details")
    for p in tl.phases:
        length = format_duration(p.duration) if p.duration is not None else (
            "-" if p.kind == "done" else f"~{format_duration(p.estimate)}")
        cues = Counter(c.kind for c in p.cues)
        cue_text = ", ".join(f"{n} {k}" for k, n in cues.items())
        details = "; ".join(x for x in (_labels(p), f"cues: {cue_text}" if cues else "",
                                        f"says: {p.say}" if p.say else "") if x)
        print(f"{format_clock(p.start):>7} {length:>7}  {p.kind:10} {p.title[:30]:30} {details}")
    print(f"Total {format_clock(tl.total)}")
    return 0


def cmd_validate(extra: Sequence[Path], targets: Sequence[Path]) -> int:
    """`trainer validate [PATH ...]`: problems on stdout, exit 1 if there are any."""
    # A PATH that does not exist is said plainly (and is a failure); the others are still checked.
    # A symlink to nothing, or a loop, is the loader's to report: it says where the link leads.
    missing = [t for t in targets if not os.path.lexists(t)]
    for target in missing:
        print(f"trainer: {target}: no such file or folder", file=sys.stderr)
    if missing:
        targets = [t for t in targets if t not in missing]
        if not targets:
            return 1
    status = _validate(extra, targets)
    return 1 if missing else status


MAX_SHOWN = 5  # problems said when a routine cannot run
STEP_MS = 100  # quiet time that ends a burst of saves (an editor's temporary file, renamed)
READY_MS = 2000  # how often the watch looks up when nothing is saved (the first: it is ready)


def _stamps(folders: Sequence[Path]) -> list[tuple[str, tuple[int, int, int, int]]]:
    """Each library file the folders hold, as the loader finds them, with its file key."""
    found = []
    for folder in folders:
        for path in library_files(Source("watched", folder)):
            try:
                found.append((str(path), file_key(path.stat())))
            except OSError:
                continue  # gone meanwhile: missing from the list, which is a change too
    return found


def cmd_validate_watch(extra: Sequence[Path], targets: Sequence[Path]) -> int:
    """`trainer validate --watch`: check, then again after every save, until Ctrl+C."""
    from watchfiles import watch

    folders = [s.path for s in default_sources(extra) if s.label != "built-in"]
    folders += [t if t.is_dir() else t.parent for t in targets]
    folders = [f for f in dict.fromkeys(folders) if f.is_dir()]
    try:
        cmd_validate(extra, targets)
        if not folders:
            print("trainer: no folder to watch", file=sys.stderr)
            return 1
        checked = _stamps(folders)
        watching = False
        # Yields an empty set at each timeout too: the first one says the watches are in place.
        for changes in watch(*folders, watch_filter=lambda _c, path: is_library_change(path),
                             step=STEP_MS, ignore_permission_denied=True,
                             yield_on_timeout=True, rust_timeout=READY_MS):
            if not watching:
                watching = True
                print(f"watching {', '.join(map(str, folders))}; Ctrl+C ends", file=sys.stderr)
                if not changes and _stamps(folders) == checked:
                    continue  # nothing was saved while the watch was being set up
            elif not changes:
                continue
            print(f"\n-- {time.strftime('%H:%M:%S')} --", flush=True)
            cmd_validate(extra, targets)
            sys.stdout.flush()
    except KeyboardInterrupt:
        print(file=sys.stderr)  # the ^C stays on a line of its own
    return 0


def _validate(extra: Sequence[Path], targets: Sequence[Path]) -> int:
    """Validate the libraries, or only the files at `targets` (which exist)."""
    # A PATH outside every library is loaded as one more library, after the others, exactly as
    # `--library PATH` would load it: the same files, the same problems.
    sources = default_sources(extra)
    known = [_spellings(s.path) for s in sources]
    for target in targets:
        if not any(_within(_spellings(target), k) for k in known):
            sources.append(Source("library", target))
    lib = CatalogLoader().load(sources)
    wanted = [_spellings(t) for t in targets]

    def chosen(name: str) -> bool:
        return not wanted or any(_within(_spellings(Path(name)), w) for w in wanted)

    problems = [p for p in lib.problems if chosen(p.path)]
    for note in lib.notes:
        print(f"note: {note}", file=sys.stderr)
    for problem in problems:
        print(problem)
    files = sum(1 for f in lib.files if chosen(f))
    if problems:
        count = len(problems)
        print(f"{count} problem{'s' * (count != 1)} in {files} file{'s' * (files != 1)}",
              file=sys.stderr)
        return 1
    programs = (f" and {len(lib.programs)} program{'s' * (len(lib.programs) != 1)}"
                if lib.programs else "")
    print(f"ok: {len(lib.exercises)} exercises, {len(lib.routines)} routines{programs} "
          f"in {files} file{'s' * (files != 1)}, no problems")
    return 0


def _spellings(path: Path) -> tuple[str, str]:
    """A path as written (made absolute) and with its symlinks resolved."""
    # A file listed under a symlink is that link's, not its target's: both spellings are compared.
    # os.path.realpath, unlike Path.resolve on Python 3.11, does not raise on a symlink loop.
    return os.path.abspath(path), os.path.realpath(path)


def _within(path: tuple[str, str], target: tuple[str, str]) -> bool:
    """True if path is target or inside it, in either spelling."""
    return any(p == t or p.startswith(t.rstrip(os.sep) + os.sep) for p in path for t in target)
