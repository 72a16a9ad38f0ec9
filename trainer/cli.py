"""The `trainer` command."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from trainer import __version__
from trainer.config import AUDIO_MODES, load_config
from trainer.durations import format_clock, format_duration
from trainer.library import Library, LibraryLoader, Source, default_sources
from trainer.model import CATEGORIES, LEVELS, Exercise
from trainer.presenter import category_mix, labels, timing_text
from trainer.problems import did_you_mean
from trainer.startup import resume_collector
from trainer.timeline import Phase


def _parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    sound = argparse.ArgumentParser(add_help=False)
    sound.add_argument("--audio", choices=AUDIO_MODES, default=argparse.SUPPRESS,
                       help="auto (default: the bell over SSH, else a local player), local, "
                       "bell or none")
    sound.add_argument("--no-voice", action="store_true", default=argparse.SUPPRESS,
                       help="no spoken announcements")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--library", "-L", metavar="DIR", action="append", type=Path,
                        default=argparse.SUPPRESS,
                        help="also load exercises and routines from DIR (repeatable)")
    parser = argparse.ArgumentParser(
        prog="trainer", parents=[common, sound],
        description="A terminal exercise trainer. Without a command it opens the app.",
        epilog="Your own library folder: " + str(_user_library_hint()),
    )
    parser.add_argument("--version", action="version", version=f"trainer {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("list", parents=[common], help="list routines and exercises")
    p.add_argument("kind", nargs="?", choices=("routines", "exercises"),
                   help="only routines or only exercises")
    p.add_argument("--category", choices=CATEGORIES, help="only exercises of this category "
                   "(routines that use it)")
    p.add_argument("--level", choices=LEVELS, help="only this level")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("show", parents=[common], help="show a routine's timeline")
    p.add_argument("routine", help="routine id")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("run", parents=[common, sound], help="start a routine in the app")
    p.add_argument("routine", help="routine id")

    sub.add_parser("resume", parents=[common, sound],
                   help="continue the last interrupted session in the app")

    p = sub.add_parser("sound-test", parents=[common, sound],
                       help="play every cue and say which player is used, or why none works")
    p.add_argument("--volume", type=_volume, default=None, metavar="0-100",
                   help="volume in percent (default: the saved volume)")

    p = sub.add_parser("export-audio", parents=[common, sound],
                       help="write a routine's whole guided session as one audio track")
    p.add_argument("routine", help="routine id")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE",
                   help="the track to write: .wav always, .mp3 or .ogg with ffmpeg")
    p.add_argument("--volume", type=_volume, default=100, metavar="0-100",
                   help="volume in percent (default 100)")

    p = sub.add_parser("history", parents=[common], help="past sessions")
    form = p.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="JSON (see docs/history.md)")
    form.add_argument("--csv", action="store_true", help="CSV for a spreadsheet")
    p.add_argument("--limit", type=int, default=20, metavar="N",
                   help="the last N sessions (default 20; 0 for all)")

    sub.add_parser("stats", parents=[common],
                   help="streak, minutes per week, routines, pain trend and suggestions")

    p = sub.add_parser("validate", parents=[common],
                       help="check library files; every problem as file:line:col")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                   help="files or folders to check (default: the whole library)")
    return parser


def _user_library_hint() -> Path:
    """The user library folder, for help texts."""
    from trainer.paths import user_library_dir

    return user_library_dir()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the like: not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _dispatch(args: argparse.Namespace) -> int:
    """Call the chosen command."""
    extra: list[Path] = getattr(args, "library", [])
    if args.command not in (None, "run", "resume"):
        resume_collector()  # only the app keeps it paused, until its first frame
    if args.command == "list":
        return cmd_list(_load(extra), args)
    if args.command == "show":
        return cmd_show(_load(extra), args)
    if args.command == "validate":
        return cmd_validate(extra, args.paths)
    audio = getattr(args, "audio", None)
    voice = not getattr(args, "no_voice", False)
    if args.command == "sound-test":
        from trainer.audio.cli_audio import sound_test

        config = load_config()
        volume = args.volume if args.volume is not None else config.volume
        return sound_test(audio or config.audio, volume=volume, voice=voice)
    if args.command == "export-audio":
        return cmd_export(_load(extra), args.routine, args.output, voice, args.volume)
    if args.command == "history":
        from trainer.cli_history import history

        return history("json" if args.json else "csv" if args.csv else "table",
                       args.limit or None)
    if args.command == "stats":
        from trainer.cli_history import stats

        return stats(_load(extra))
    # The app shows problems and notes itself; nothing is printed around the TUI.
    lib = LibraryLoader().load(default_sources(extra))
    if args.command == "resume":
        return cmd_resume(lib, audio, voice)
    return cmd_app(lib, getattr(args, "routine", None), audio, voice)


def _volume(text: str) -> int:
    """A volume percentage for argparse."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError("volume is 0 to 100")
    return value


def cmd_export(lib: Library, routine_id: str, output: Path, voice: bool, volume: int) -> int:
    """`trainer export-audio ROUTINE -o FILE`."""
    if _find_routine(lib, routine_id) is None:
        return 1
    from trainer.audio.cli_audio import export

    return export(lib.timeline(routine_id), lib.exercises, output, voice=voice, volume=volume)


def _needs_terminal() -> bool:
    """True (after saying so) when there is no terminal to draw the app on."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        return False
    print("trainer: the app needs a terminal; try `trainer list`", file=sys.stderr)
    return True


def cmd_resume(lib: Library, audio: str | None, voice: bool) -> int:
    """`trainer resume`: the app, straight into the interrupted session."""
    from trainer.cli_history import CannotResume, resume_target

    try:
        target = resume_target(lib)
    except CannotResume as exc:
        print(f"trainer: {exc}", file=sys.stderr)
        return exc.exit_code
    if _needs_terminal():
        return 2
    from trainer.app import TrainerApp  # Textual only when the app runs

    return TrainerApp(lib, resume=target, audio=audio, voice=voice).run_guarded()


def cmd_app(lib: Library, routine_id: str | None, audio: str | None, voice: bool) -> int:
    """`trainer` (the library) or `trainer run ROUTINE` (straight into a session)."""
    if routine_id is not None and _find_routine(lib, routine_id) is None:
        return 1
    if _needs_terminal():
        return 2
    from trainer.app import TrainerApp  # Textual only when the app runs

    return TrainerApp(lib, routine_id=routine_id, audio=audio, voice=voice).run_guarded()


def _load(extra: Sequence[Path]) -> Library:
    """The library, with a one-line pointer to its problems on stderr."""
    lib = LibraryLoader().load(default_sources(extra))
    for note in lib.notes:
        print(f"note: {note}", file=sys.stderr)
    if lib.problems:
        count = len(lib.problems)
        print(f"trainer: {count} problem{'s' * (count != 1)} in the library; "
              "`trainer validate` lists them", file=sys.stderr)
    return lib


def _timing(ex: Exercise) -> str:
    """An exercise's default timing in words."""
    sides = {"each": " each side", "alternate": " alternating"}.get(ex.sides, "")
    sets = f"{ex.sets} x " if ex.sets > 1 else ""
    if ex.hold is not None:
        return f"{sets}hold {format_duration(ex.hold)}{sides}"
    if ex.duration is not None:
        return f"{sets}{format_duration(ex.duration)}{sides}"
    tempo = f" @ {format_duration(ex.tempo)}" if ex.tempo else ""
    return f"{sets}{ex.reps} reps{tempo}{sides}"


def cmd_list(lib: Library, args: argparse.Namespace) -> int:
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
            print(f"  {e.id:32} {e.category:9} {e.level:12} {_timing(e):24} {e.name}")
    return 0


def _routine_json(lib: Library, routine_id: str) -> dict[str, Any]:
    """A routine's summary for --json."""
    r = lib.routines[routine_id]
    tl = lib.timeline(routine_id)
    return {
        "id": r.id, "name": r.name, "level": r.level, "summary": r.summary,
        "total": tl.total, "phases": len(tl.phases),
        "categories": category_mix(tl, lib.exercises), "file": lib.origins[("routine", r.id)].path,
    }


def _find_routine(lib: Library, routine_id: str) -> str | None:
    """The routine id if it exists; otherwise says so (with a suggestion) on stderr."""
    if routine_id in lib.routines:
        return routine_id
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


def cmd_show(lib: Library, args: argparse.Namespace) -> int:
    """`trainer show ROUTINE`."""
    routine_id = _find_routine(lib, args.routine)
    if routine_id is None:
        return 1
    tl = lib.timeline(routine_id)
    if args.json:
        print(json.dumps(tl.to_json(), indent=2, ensure_ascii=False))
        return 0
    print(f"{tl.routine_name} ({routine_id}): {format_clock(tl.total)}, {len(tl.phases)} phases")
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
    sources = default_sources(extra)
    known = [s.path.resolve() for s in sources]
    for target in targets:
        resolved = target.resolve()
        if not any(resolved == k or k in resolved.parents for k in known):
            sources.append(Source("library", target))
    lib = LibraryLoader().load(sources)
    wanted = [t.resolve() for t in targets]
    problems = [p for p in lib.problems
                if not wanted or any(_within(Path(p.path).resolve(), w) for w in wanted)]
    for note in lib.notes:
        print(f"note: {note}", file=sys.stderr)
    for problem in problems:
        print(problem)
    files = sum(1 for f in lib.files
                if not wanted or any(_within(Path(f).resolve(), w) for w in wanted))
    if problems:
        count = len(problems)
        print(f"{count} problem{'s' * (count != 1)} in {files} file{'s' * (files != 1)}",
              file=sys.stderr)
        return 1
    print(f"ok: {len(lib.exercises)} exercises and {len(lib.routines)} routines "
          f"in {files} file{'s' * (files != 1)}, no problems")
    return 0


def _within(path: Path, target: Path) -> bool:
    """True if path is target or inside it."""
    return path == target or target in path.parents
