"""`trainer timer` and `trainer intervals`: one-line timers, run in the app or saved as a routine.

A one-line timer runs in the normal session screen (cues, keys, history under its own id and
name); it is not in the library, so `trainer resume` says it cannot resume one that was cut short
(as for any routine no longer in the library). `--save ID` writes it as a routine file instead:
`<ID>.yaml` in the user library folder, never over an existing file or id.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Only a timer being built needs these: the parser is made on every start of `trainer`.
    from trainer.library.sources import Source
    from trainer.session.catalog import Catalog
    from trainer.session.quick import QuickTimer


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser],
                parents: list[argparse.ArgumentParser]) -> None:
    """The `timer` and `intervals` subcommands."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--warmup", metavar="DURATION", help="a warm-up first (e.g. 2m)")
    options.add_argument("--cooldown", metavar="DURATION", help="a cool-down last (e.g. 2m)")
    options.add_argument("--name", metavar="NAME",
                         help="what the session and the history call it (and its id)")
    options.add_argument("--save", metavar="ID",
                         help="write it as a routine file ID.yaml in your library, not run it")
    p = sub.add_parser("timer", parents=[*parents, options],
                       usage="%(prog)s DURATION [--warmup D] [--cooldown D] [--name NAME] "
                       "[--save ID] [options]",
                       help="a one-line timer, e.g. `trainer timer 45s`")
    p.add_argument("duration", nargs="+", metavar="DURATION", help="45, 45s, 2m, 1m30s or 1:30")
    p = sub.add_parser("intervals", parents=[*parents, options],
                       usage="%(prog)s WORK/REST xROUNDS [--warmup D] [--cooldown D] "
                       "[--name NAME] [--save ID] [options]",
                       help="one-line intervals, e.g. `trainer intervals 20s/10s x8`")
    p.add_argument("spec", nargs="+", metavar="WORK/REST xROUNDS",
                   help="work and rest times and the rounds, e.g. 20s/10s x8 (rest may be 0)")


def build(args: argparse.Namespace) -> QuickTimer:
    """The timer the arguments describe; raises QuickError."""
    from trainer.session import quick

    form = quick.TIMER_FORM if args.command == "timer" else quick.INTERVAL_FORM
    warmup = cooldown = None
    if args.warmup is not None:
        warmup = quick.duration(args.warmup, "--warmup", form)
    if args.cooldown is not None:
        cooldown = quick.duration(args.cooldown, "--cooldown", form)
    if args.command == "timer":
        return quick.timer(" ".join(args.duration), warmup=warmup, cooldown=cooldown,
                           name=args.name, save_id=args.save)
    return quick.intervals(" ".join(args.spec), warmup=warmup, cooldown=cooldown,
                           name=args.name, save_id=args.save)


def quick_timer(args: argparse.Namespace) -> QuickTimer | int:
    """The timer, or the exit status after saying in one line why there is none (2)."""
    from trainer.session.quick import QuickError

    try:
        return build(args)
    except QuickError as exc:
        print(f"trainer: {exc}", file=sys.stderr)
        return 2


def taken(lib: Catalog, timer: QuickTimer) -> str | None:
    """Why the timer's ids cannot be saved into this library (None: they are free)."""
    wanted = [("routine", timer.id, timer.id in lib.routines)]
    wanted += [("exercise", exercise_id, exercise_id in lib.exercises)
               for exercise_id in timer.exercises]
    for kind, item_id, there in wanted:
        if there:
            origin = lib.origins.get((kind, item_id))
            where = f" ({origin})" if origin is not None else ""
            return f"the library already has the {kind} '{item_id}'{where}"
    return None


def save(timer: QuickTimer, lib: Catalog, folder: Path, command: str) -> int:
    """Write the timer as `<id>.yaml` in `folder`; 0, or 1 after saying why it was not."""
    import os

    from trainer.library import yamledit

    path = folder / f"{timer.id}.yaml"
    if os.path.lexists(path):
        print(f"trainer: {path} already exists; not overwritten (choose another --save ID)",
              file=sys.stderr)
        return 1
    problem = taken(lib, timer)
    if problem is not None:
        print(f"trainer: {problem}; choose another --save ID", file=sys.stderr)
        return 1
    doc = yamledit.new_document("routines", timer.routine_data,
                                f"{timer.name}: made by `{command}`")
    for exercise in timer.exercise_data:
        yamledit.set_item(doc, "exercises", None, exercise)
    try:
        yamledit.save(path, yamledit.dump(doc))
    except yamledit.EditError as exc:
        print(f"trainer: {exc}", file=sys.stderr)
        return 1
    print(f"Saved {timer.id} to {path}")
    print(f"`trainer run {timer.id}` starts it; `trainer show {timer.id}` shows its phases.")
    return 0


def command_line(args: argparse.Namespace) -> str:
    """The timer as a command (without --save), for the saved file's first comment."""
    import shlex

    words = [args.command, *(args.duration if args.command == "timer" else args.spec)]
    for option in ("warmup", "cooldown", "name"):
        value = getattr(args, option)
        if value is not None:
            words += [f"--{option}", value]
    return " ".join(["trainer", *(shlex.quote(w) for w in words)])


def cmd_quick(args: argparse.Namespace, extra: list[Path]) -> int | QuickTimer:
    """`trainer timer` / `trainer intervals`: the timer to run, or the exit status (saved: 0;
    bad arguments: 2 after one line on stderr; cannot save: 1)."""
    timer = quick_timer(args)
    if isinstance(timer, int) or args.save is None:
        return timer
    from trainer.cli.library import load
    from trainer.paths import user_library_dir

    return save(timer, load(extra), user_library_dir(), command_line(args))


def library_loader(extra: list[Path]) -> tuple[Callable[[], Catalog], list[Source]]:
    """The normal library, loaded when the app first needs it (after the timer, say), and its
    sources."""
    from trainer.library.sources import default_sources

    sources = default_sources(extra)

    def load() -> Catalog:
        from trainer.session.catalog import CatalogLoader

        return CatalogLoader().load(sources)

    return load, sources
