"""The `trainer` command."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from trainer import __version__
from trainer.cli.output import Form, safe_output
from trainer.config import AUDIO_MODES, load_config
from trainer.gc_pause import resume_collector
from trainer.library.vocabulary import CATEGORIES, LEVELS

if TYPE_CHECKING:
    from trainer.history.queries import ResumeTarget
    from trainer.library.sources import Source
    from trainer.session.catalog import Catalog
    from trainer.session.prepared import Prepared


@dataclass(frozen=True)
class AppLaunch:
    """What the app is to open; the command line chooses it, the entry point starts the app."""

    library: Catalog | Callable[[], Catalog]
    audio: str | None
    voice: bool
    routine_id: str | None = None
    prepared: Prepared | None = None
    resume: ResumeTarget | None = None
    sources: Sequence[Source] = ()  # what the library was loaded from, to load it again
    one_off: bool = False  # the prepared routine is in no library (a one-line timer)


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

    p = sub.add_parser("schema", help="print the library format's JSON Schema (for editors)")
    p.add_argument("--install", action="store_true",
                   help="keep a copy in the config folder, named by files trainer writes")

    p = sub.add_parser("validate", parents=[common],
                       help="check library files; every problem as file:line:col")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                   help="files or folders to check (default: the whole library)")
    p.add_argument("--watch", action="store_true",
                   help="check again on every save, until Ctrl+C (for a pane beside an editor)")

    p = sub.add_parser("new", parents=[common],
                       help="write a commented routine or exercise into your library folder")
    p.add_argument("kind", choices=("routine", "exercise"), help="what to make")
    p.add_argument("id", help="its id: lower-case letters, digits and dashes")
    p.add_argument("--from", dest="source", metavar="ID",
                   help="copy this routine or exercise instead of the template")

    p = sub.add_parser("edit", parents=[common],
                       help="open a routine or exercise in $VISUAL/$EDITOR and check it after")
    p.add_argument("kind", nargs="?", choices=("routine", "exercise"),
                   help="which, when an id is both (default: the routine)")
    p.add_argument("id", help="the routine or exercise id")

    from trainer.cli.timers import add_parsers  # timer, intervals

    add_parsers(sub, [common, sound])
    return parser


def _user_library_hint() -> Path:
    """The user library folder, for help texts."""
    from trainer.paths import user_library_dir

    return user_library_dir()


def main(argv: Sequence[str] | None = None) -> int | AppLaunch:
    """Run the command line; returns the exit status, or what the app is to open."""
    args = _parser().parse_args(argv)
    form: Form = ("json" if getattr(args, "json", False) else
                  "csv" if getattr(args, "csv", False) else "text")
    try:
        with safe_output(form):  # names, problems and notes come from files: shown safely
            return _dispatch(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the like: not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _dispatch(args: argparse.Namespace) -> int | AppLaunch:
    """Call the chosen command."""
    extra: list[Path] = getattr(args, "library", [])
    audio = getattr(args, "audio", None)
    voice = not getattr(args, "no_voice", False)
    if args.command in (None, "run", "resume"):
        return _app(args, extra, audio, voice)
    if args.command in ("timer", "intervals"):
        from trainer.cli.timers import cmd_quick, library_loader

        timer = cmd_quick(args, extra)  # an exit status: saved (--save), or bad arguments
        if isinstance(timer, int):
            return timer
        load, sources = library_loader(extra)
        return _start(load, audio, voice, routine_id=timer.id, ready=timer.prepared(),
                      sources=sources, one_off=True)
    resume_collector()  # only the app keeps it paused, until its first frame
    if args.command == "schema":
        from trainer.cli.schema import cmd_schema

        return cmd_schema(args.install)
    if args.command == "sound-test":
        from trainer.cli.audio import sound_test

        config = load_config()
        volume = args.volume if args.volume is not None else config.volume
        return sound_test(audio or config.audio, volume=volume, voice=voice)
    if args.command == "history":
        from trainer.cli.history import history

        return history("json" if args.json else "csv" if args.csv else "table",
                       args.limit or None, extra=extra)
    if args.command in ("new", "edit"):
        from trainer.cli import authoring

        if args.command == "new":
            return authoring.cmd_new(args.kind, args.id, args.source, extra)
        return authoring.cmd_edit(args.id, args.kind, extra)
    from trainer.cli import library as lib_cli  # the validator: slow to import

    if args.command == "validate":
        if args.watch:
            return lib_cli.cmd_validate_watch(extra, args.paths)
        return lib_cli.cmd_validate(extra, args.paths)
    lib = lib_cli.load(extra)
    if args.command == "list":
        return lib_cli.cmd_list(lib, args)
    if args.command == "show":
        return lib_cli.cmd_show(lib, args)
    if args.command == "export-audio":
        return lib_cli.cmd_export(lib, args.routine, args.output, voice, args.volume)
    from trainer.cli.history import stats

    return stats(lib)


def _app(args: argparse.Namespace, extra: list[Path], audio: str | None,
         voice: bool) -> int | AppLaunch:
    """The app: the library, a routine (`run`) or the interrupted session (`resume`)."""
    from trainer.library.sources import default_sources

    sources = default_sources(extra)

    def load() -> Catalog:
        from trainer.session.catalog import CatalogLoader

        # The app shows problems and notes itself; nothing is printed around the TUI.
        return CatalogLoader().load(sources)

    if args.command == "resume":
        return cmd_resume(load(), audio, voice, sources)
    if args.command is None:
        return _start(load(), audio, voice, sources=sources)
    from trainer.session import prepared

    routine_id: str = args.routine
    key = prepared.fingerprint(sources)
    ready = prepared.load(key, routine_id)
    if ready is not None:  # unchanged since an earlier run: no need to load the library yet
        return _start(load, audio, voice, routine_id=routine_id, ready=ready, sources=sources)
    from trainer.cli.library import find_routine

    lib = load()
    if find_routine(lib, routine_id) is None:
        return 1
    ready = prepared.prepare(lib, routine_id)
    prepared.save(key, ready)
    return _start(lib, audio, voice, routine_id=routine_id, ready=ready, sources=sources)


def _volume(text: str) -> int:
    """A volume percentage for argparse."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError("volume is 0 to 100")
    return value


def _needs_terminal() -> bool:
    """True (after saying so) when there is no terminal to draw the app on."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        return False
    print("trainer: the app needs a terminal; try `trainer list`", file=sys.stderr)
    return True


def cmd_resume(lib: Catalog, audio: str | None, voice: bool,
               sources: Sequence[Source] = ()) -> int | AppLaunch:
    """`trainer resume`: the app, straight into the interrupted session."""
    from trainer.cli.history import open_history
    from trainer.history.queries import CannotResume, resume_target

    store = open_history()
    try:
        target = resume_target(lib, store)
    except CannotResume as exc:
        print(f"trainer: {exc}", file=sys.stderr)
        return exc.exit_code
    finally:
        store.close()
    return _start(lib, audio, voice, resume=target, sources=sources)


def _start(library: Catalog | Callable[[], Catalog], audio: str | None, voice: bool, *,
           routine_id: str | None = None, ready: Prepared | None = None,
           resume: ResumeTarget | None = None, sources: Sequence[Source] = (),
           one_off: bool = False) -> int | AppLaunch:
    """The app on the library, straight into a routine, or resuming a session."""
    if _needs_terminal():
        return 2
    return AppLaunch(library, audio, voice, routine_id, ready, resume, sources, one_off)
