"""`trainer program start|status|stop|ready|list`, `trainer today` and `trainer safety`."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import TYPE_CHECKING

# Only argparse at import: `add_parsers` is on every `trainer` start's path (the parser).
if TYPE_CHECKING:
    from trainer.history.store import History
    from trainer.programs.follow import Following
    from trainer.session.catalog import Catalog


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser],
                parents: list[argparse.ArgumentParser]) -> None:
    """The program, today and safety subcommands."""
    p = sub.add_parser("program", parents=parents,
                       help="follow a program: stages over weeks, moving on when it felt fine")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    start = verbs.add_parser("start", help="start following a program (from today)")
    start.add_argument("program", help="program id (`trainer program list`)")
    verbs.add_parser("status", help="the stage you are in, sessions done, what it waits for")
    verbs.add_parser("stop", help="stop following the program (your history stays)")
    verbs.add_parser("ready", help="after a pain hold: let the program get harder again")
    verbs.add_parser("list", help="the programs in the library")
    sub.add_parser("today", parents=parents, help="what your program asks for today, and why")
    sub.add_parser("safety", help="when to stop, and the signs that need a doctor soon")


def cmd_safety() -> int:
    """Print the safety text."""
    from trainer.safety import full_text

    print(full_text().replace("## ", "").replace("**", ""), end="")
    return 0


def cmd_program(lib: Catalog, store: History, args: argparse.Namespace,
                now: datetime | None = None) -> int:
    """One program verb."""
    from trainer.history import program_runs
    from trainer.library.problems import did_you_mean

    moment = now or datetime.now().astimezone()
    if args.verb == "list":
        for each in sorted(lib.programs.values(), key=lambda p: p.id):
            weeks = sum(s.weeks or 0 for s in each.stages)
            print(f"  {each.id:<24} {len(each.stages)} stages, {weeks}+ weeks  "
                  f"{each.level:<12} {each.name}")
        if not lib.programs:
            print("no programs in the library")
        return 0
    if args.verb == "start":
        program = lib.programs.get(args.program)
        if program is None:
            hint = did_you_mean(args.program, lib.programs)
            print(f"trainer: no program '{args.program}'{'; ' + hint if hint else ''} "
                  "(`trainer program list` shows them)", file=sys.stderr)
            return 1
        program_runs.start(store, program.id, program.name, moment.date(), moment)
        print(f"Following {program.name} from today. Start slowly: the program moves on only "
              "when your check-ins say it felt fine.")
        print("It does not replace a physical therapist's plan; `trainer safety` says when to "
              "stop.")
        return _today(lib, store, moment)
    if args.verb == "stop":
        run = program_runs.stop(store, moment)
        print(f"Stopped following {run.program_name}; your sessions stay in the history."
              if run else "No program is being followed.")
        return 0
    if args.verb == "ready":
        run = program_runs.current(store)
        if run is None:
            print("No program is being followed.", file=sys.stderr)
            return 1
        program_runs.ready(store, moment.date())
        print("The program may get harder again once your sessions feel comfortable. Ease off "
              "at once if the pain comes back; `trainer safety` says when to get help.")
        return 0
    return _status(lib, store, moment)


def cmd_today(lib: Catalog, store: History, now: datetime | None = None) -> int:
    """What is due today."""
    return _today(lib, store, now or datetime.now().astimezone())


def _current(lib: Catalog, store: History, moment: datetime) -> Following | int:
    """The program followed, or an exit status after saying why there is none."""
    from trainer.programs.follow import ProgramGone, following

    try:
        found = following(lib, store, moment)
    except ProgramGone as exc:
        print(f"trainer: {exc}", file=sys.stderr)
        return 1
    if found is None:
        print("No program is being followed: `trainer program list`, then "
              "`trainer program start ID`.")
        return 0
    return found


def _today(lib: Catalog, store: History, moment: datetime) -> int:
    """Print today's lines."""
    found = _current(lib, store, moment)
    if isinstance(found, int):
        return found
    print(f"{found.due[0].head} ({found.progress.current.name}):")
    for due in found.due:
        print(("  due   " if due.due else "  -     ") + due.what)
    first = found.next_due
    if first is not None:
        print(f"Start with: trainer run {first.routine_id}")
    if found.progress.held is not None:
        print("Your last check-ins held the program back: `trainer safety` says when to get help.")
    return 0


def progress_line(lib: Catalog, store: History, now: datetime | None = None) -> str | None:
    """`trainer stats`'s line on the program followed, if any."""
    from trainer.programs.follow import ProgramGone, following

    try:
        found = following(lib, store, now)
    except ProgramGone as exc:
        return f"Program: {exc}"
    if found is None:
        return None
    progress = found.progress
    moved = sum(c.forward for c in progress.changes)
    eased = len(progress.changes) - moved
    return (f"Program: {found.program.name}, week {progress.week(found.today)}, stage "
            f"{progress.stage + 1} of {len(found.program.stages)} ({progress.current.name}); "
            f"moved on {moved}, eased off {eased}; next: {progress.waits_for(found.today)}")


def _status(lib: Catalog, store: History, moment: datetime) -> int:
    """Print the stage, sessions done and what moving on waits for."""
    found = _current(lib, store, moment)
    if isinstance(found, int):
        return found
    progress, program = found.progress, found.program
    print(f"{program.name}, week {progress.week(found.today)} "
          f"(started {found.run.started_on:%a %d %b %Y})")
    print(f"Stage {progress.stage + 1} of {len(program.stages)}: {progress.current.name}")
    print(f"Sessions in this stage: {progress.sessions}; comfortable in a row: "
          f"{progress.comfortable}")
    print(f"Moving on waits for: {progress.waits_for(found.today)}")
    for change in progress.changes[-5:]:
        to = program.stages[change.after].name
        print(f"  {change.day:%a %d %b}: {'moved on' if change.forward else 'eased off'} "
              f"to {to} ({change.why})")
    return 0
