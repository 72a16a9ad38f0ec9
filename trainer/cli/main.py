"""The `trainer` command."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from trainer import __version__
from trainer.cli.output import Form, safe_output
from trainer.config import AUDIO_MODES, NOTIFY_MODES, load_config
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
    notify: str | None = None  # --notify: desktop notifications (None: config.yaml's)
    notify_always: bool = False  # --notify-always: even while the terminal has focus


class _NotTheAppAlone(Exception):
    """Arguments other than the app's own options: the parser with every command reads them."""


class _AppParser(argparse.ArgumentParser):
    """`trainer` and its options alone: anything else (a command, --help, a mistake) raises."""

    def error(self, message: str) -> NoReturn:
        """Not an error yet: the full parser reads the arguments again, and says it."""
        raise _NotTheAppAlone(message)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The arguments; for the app alone without building every command's parser (~4 ms)."""
    common, sound = _options()
    app = _AppParser(prog="trainer", parents=[common, sound], add_help=False)
    app.set_defaults(command=None)
    try:
        # What it accepts, the full parser reads the same way: the same options, no command.
        return app.parse_args(argv)
    except _NotTheAppAlone:
        return _parser().parse_args(argv)


def _options() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """The options most commands share: the library folders, and the sound ones."""
    sound = argparse.ArgumentParser(add_help=False)
    sound.add_argument("--audio", choices=AUDIO_MODES, default=argparse.SUPPRESS,
                       help="auto (default: the bell over SSH, else a local player), local, "
                       "bell or none")
    sound.add_argument("--no-voice", action="store_true", default=argparse.SUPPRESS,
                       help="no spoken announcements")
    sound.add_argument("--notify", choices=NOTIFY_MODES, default=argparse.SUPPRESS,
                       help="desktop notifications by escape sequence: auto (default: by "
                       "terminal), osc777, osc99 (kitty), osc9 (iTerm2) or off")
    sound.add_argument("--notify-always", action="store_true", default=argparse.SUPPRESS,
                       help="notify even while the terminal has focus")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--library", "-L", metavar="DIR", action="append", type=Path,
                        default=argparse.SUPPRESS,
                        help="also load exercises and routines from DIR (repeatable)")
    return common, sound


def _parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    common, sound = _options()
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

    p = sub.add_parser("serve", parents=[common, sound],
                       help="the app in a web browser, cue sounds played by the page "
                       "(needs trainer[serve])")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    p.add_argument("--public", action="store_true",
                   help="allow an address other machines reach (there is no login: put it "
                   "behind an SSH tunnel or a proxy with authentication)")

    from trainer.cli.timers import add_parsers  # timer, intervals

    add_parsers(sub, [common, sound])
    from trainer.cli import program  # program, today, safety

    program.add_parsers(sub, [common])
    _remind_parser(sub, [common])
    return parser


def _remind_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser],
                   parents: list[argparse.ArgumentParser]) -> None:
    """`trainer remind` (here, not in cli/remind.py: that one is ~20 ms to import)."""
    p = sub.add_parser(
        "remind", parents=parents,
        help="remind you to move (a posture check every hour), in tmux with a popup",
        description="Remind you to move: a desktop notification, the bell and, inside tmux, a "
        "popup on each attached client (Enter starts the routine, s snoozes 10 minutes, k "
        "skips). No reminder comes within an interval after a session. Defaults come from "
        "config.yaml's remind: settings.")
    p.add_argument("--every", metavar="TIME", help="how often, e.g. 1h, 45m (default 1h)")
    p.add_argument("--routine", metavar="ID", help="the routine offered (default posture-check)")
    p.add_argument("--between", metavar="HH:MM-HH:MM",
                   help="only within these hours, e.g. 09:00-18:00 (default), or any")
    p.add_argument("--days", metavar="DAYS", help="only on these days: mon-fri (default), "
                   "mon,wed,fri, daily")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--install", action="store_true",
                      help="write a systemd user unit that keeps reminding, always on")
    what.add_argument("--uninstall", action="store_true", help="remove that unit")
    what.add_argument("--once", action="store_true", help="send one reminder now and wait for "
                      "its answer (to try it)")
    # The tmux popup's question (trainer.remind.popup builds its command line).
    what.add_argument("--prompt", type=int, metavar="ID", help=argparse.SUPPRESS)
    p.add_argument("--name", help=argparse.SUPPRESS)
    p.add_argument("--session", help=argparse.SUPPRESS)


def _user_library_hint() -> Path:
    """The user library folder, for help texts."""
    from trainer.paths import user_library_dir

    return user_library_dir()


def main(argv: Sequence[str] | None = None) -> int | AppLaunch:
    """Run the command line; returns the exit status, or what the app is to open."""
    args = _parse(argv)
    form: Form = ("json" if getattr(args, "json", False) else
                  "csv" if getattr(args, "csv", False) else "text")
    try:
        with safe_output(form):  # names, problems and notes come from files: shown safely
            return _with_notify(_dispatch(args), args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the like: not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _with_notify(result: int | AppLaunch, args: argparse.Namespace) -> int | AppLaunch:
    """The app's launch with --notify and --notify-always, which every way into the app takes."""
    if isinstance(result, int):
        return result
    return replace(result, notify=getattr(args, "notify", None),
                   notify_always=getattr(args, "notify_always", False))


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
    if args.command == "serve":
        from trainer.cli.serve import cmd_serve

        return cmd_serve(args.host, args.port, public=args.public, extra=extra, audio=audio,
                         voice=voice, notify=getattr(args, "notify", None),
                         notify_always=getattr(args, "notify_always", False))
    if args.command == "safety":
        from trainer.cli.program import cmd_safety

        return cmd_safety()
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
    if args.command == "remind":
        from trainer.cli.remind import cmd_remind

        return cmd_remind(args, extra)
    if args.command in ("new", "edit"):
        from trainer.cli import authoring

        if args.command == "new":
            return authoring.cmd_new(args.kind, args.id, args.source, extra)
        return authoring.cmd_edit(args.id, args.kind, extra)
    if args.command == "stats":
        from trainer.cli.history import stats

        return stats(extra=extra)
    from trainer.cli import library as lib_cli  # the validator: slow to import

    if args.command == "validate":
        if args.watch:
            return lib_cli.cmd_validate_watch(extra, args.paths)
        return lib_cli.cmd_validate(extra, args.paths)
    lib = lib_cli.load(extra)
    if args.command in ("program", "today"):
        from trainer.cli.history import open_history
        from trainer.cli.program import cmd_program, cmd_today

        with open_history(create=args.command == "program") as store:
            return cmd_program(lib, store, args) if args.command == "program" else cmd_today(
                lib, store)
    if args.command == "list":
        return lib_cli.cmd_list(lib, args)
    if args.command == "show":
        return lib_cli.cmd_show(lib, args)
    # export-audio: the last command argparse lets through
    return lib_cli.cmd_export(lib, args.routine, args.output, voice, args.volume)


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
        return _start(_library_for_app(sources, load), audio, voice, sources=sources)
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


def _library_for_app(sources: Sequence[Source],
                     load: Callable[[], Catalog]) -> Catalog | Callable[[], Catalog]:
    """The library screen's rows from the cache while nothing changed, else the library now.

    From the cache, the first frame is drawn from the index and the library is loaded and
    validated after it (trainer.session.library_index); a full load here saves the index.
    """
    from trainer.session import library_index

    key = library_index.fingerprint(sources)
    index = library_index.load(key, sources)
    if index is not None:
        return library_index.IndexedLibrary(index, load)
    lib = load()
    library_index.save(key, sources, library_index.build(lib))
    return lib


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
    from trainer.cli.serve import served  # `trainer serve`: a browser's terminal, over pipes

    if served():
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
