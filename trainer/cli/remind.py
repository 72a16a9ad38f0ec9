"""`trainer remind`: reminders to move, through every channel that reaches the person.

At a due time (trainer.remind.schedule says when) the loop records the reminder, then: a
desktop notification by escape sequence and the bell to its own terminal; inside tmux (or run
as a service, where tmux is the only way to the person) a popup on each attached client; and a
line in its terminal. Outside tmux that line is the question itself: Enter starts the routine
right there, s snoozes 10 minutes, k skips. A popup's answer is written to the history by
`trainer remind --prompt`, where the loop reads it (first answer wins; the other popups close).

The clock and the terminal are passed in, so tests run the loop over fake hours.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import select
import subprocess
import sys
import time as _time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from trainer.config import Reminders, load_config, parse_reminders
from trainer.remind import popup, schedule, systemd
from trainer.remind.state import NextReminder, clear_state, write_state
from trainer.safe_text import printable

if TYPE_CHECKING:
    from trainer.history.records import Outcome, ReminderRecord
    from trainer.history.store import History

TICK = 60.0  # seconds between looks at the wall clock while waiting (suspend, clock changes)
POLL = 2.0  # seconds between looks for a popup's answer
ANSWER_WAIT = schedule.SNOOZE  # how long a reminder waits for an answer before it lapses
TMUX_TIMEOUT = 3.0
KEYS: dict[str, Outcome] = {"enter": "started", "s": "snoozed", "k": "skipped",
                            "escape": "skipped"}


class Clock(Protocol):
    """The wall clock (aware, in the local zone) and a way to wait."""

    def now(self) -> datetime:
        """The time now."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait this long."""
        ...


class SystemClock:
    """The real clock, in the system's zone."""

    def __init__(self) -> None:
        self.zone = schedule.local_zone()

    def now(self) -> datetime:
        """The time now."""
        return datetime.now(self.zone)

    def sleep(self, seconds: float) -> None:
        """Wait this long."""
        _time.sleep(max(0.0, seconds))


class Terminal(Protocol):
    """Where the loop speaks: lines, escape sequences and (interactive) one key at a time."""

    interactive: bool

    def say(self, line: str) -> None:
        """Print a line (made safe on its way out)."""
        ...

    def write_raw(self, data: str) -> None:
        """Write our own escape sequences or the bell as they are."""
        ...

    def read_key(self, timeout: float) -> str | None:
        """A key ('enter', 'escape' or a letter) within `timeout` seconds, else None."""
        ...


class StdTerminal:
    """The process's own terminal; without one (a service), lines go to the journal only."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.interactive = sys.stdin.isatty() and sys.stdout.isatty()

    def say(self, line: str) -> None:
        """Print a line (stdout passes trainer.cli.output's safe stream)."""
        print(line, flush=True)

    def write_raw(self, data: str) -> None:
        """Past the safe stream, straight to the terminal: only our own sequences come here."""
        if self.interactive:
            sys.stdout.flush()
            os.write(sys.stdout.fileno(), data.encode("utf-8"))

    def read_key(self, timeout: float) -> str | None:
        """One key from the terminal (cbreak: Ctrl+C still interrupts), or sleep if none."""
        if not self.interactive:
            self.clock.sleep(timeout)
            return None
        return read_terminal_key(sys.stdin.fileno(), timeout)


def read_terminal_key(fd: int, timeout: float) -> str | None:
    """A key read from a terminal in cbreak mode within `timeout` seconds."""
    import termios
    import tty

    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        ready, _, _ = select.select([fd], [], [], max(0.0, timeout))
        if not ready:
            return None
        data = os.read(fd, 32)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
    return key_name(data)


def key_name(data: bytes) -> str | None:
    """What a key's bytes mean here: enter, escape or a lower-case letter."""
    if data[:1] in (b"\r", b"\n"):
        return "enter"
    if data == b"\x1b":
        return "escape"
    if data[:1].isalpha():
        return data[:1].decode("ascii").lower()
    return None


# -- tmux ------------------------------------------------------------------------------------


@dataclass
class Tmux:
    """The tmux commands the loop runs; failures (no tmux, no server) mean no popups."""

    env: Mapping[str, str]
    python: str | None = None
    _spawned: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def clients(self) -> list[popup.Client]:
        """The attached clients a popup can be shown on."""
        try:
            done = subprocess.run(popup.list_clients_command(), stdin=subprocess.DEVNULL,
                                  capture_output=True, timeout=TMUX_TIMEOUT, check=False,
                                  env=dict(self.env))
        except (OSError, subprocess.SubprocessError):
            return []
        if done.returncode != 0:
            return []
        return popup.parse_clients(done.stdout.decode("utf-8", "replace"))

    def show(self, clients: Sequence[popup.Client], reminder_id: int, routine: str,
             name: str) -> None:
        """A popup on each client (not waited for: each stays until answered)."""
        for client in clients:
            self._spawn(popup.popup_command(client, reminder_id, routine, name, self.env,
                                            self.python))

    def close(self, clients: Sequence[popup.Client]) -> None:
        """Close the popups still open."""
        for client in clients:
            self._spawn(popup.close_popup_command(client))

    def _spawn(self, argv: list[str]) -> None:
        """Start a tmux command without waiting for it."""
        self.reap()
        with contextlib.suppress(OSError):  # no tmux after all: no popup
            self._spawned.append(subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, env=dict(self.env), start_new_session=True))

    def reap(self, wait: float = 0.0) -> None:
        """Collect the commands that ended (waiting up to `wait` seconds for each)."""
        for process in list(self._spawned):
            try:
                process.wait(wait) if wait else process.poll()
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.returncode is not None:
                self._spawned.remove(process)


# -- the loop --------------------------------------------------------------------------------


@dataclass
class Loop:
    """Reminders on a clock: wait for the due time, send, wait for the answer, again."""

    settings: Reminders
    name: str  # the routine's name, already made printable
    store: History
    clock: Clock
    terminal: Terminal
    env: Mapping[str, str]
    notify: str = "auto"
    start_routine: Callable[[str], object] | None = None  # Enter outside tmux
    tmux: Tmux | None = None
    state: Path | None = None
    since: datetime | None = None
    snoozed_until: datetime | None = None
    _written: tuple[datetime | None] | None = None

    def run(self, *, until: datetime | None = None, once: bool = False) -> int:
        """Remind until interrupted (or `until`, for tests); `once`: one reminder now."""
        try:
            if once:
                self.send(self.clock.now())
                return 0
            return self._loop(until)
        finally:
            clear_state(os.getpid(), self.state)
            if self.tmux is not None:
                self.tmux.reap(wait=TMUX_TIMEOUT)

    def _loop(self, until: datetime | None) -> int:
        """Wait and send, round after round."""
        self.since = self.since or self.clock.now()
        while True:
            now = self.clock.now()
            if until is not None and schedule.seconds_until(until, now) <= 0:
                return 0
            due = schedule.next_due(self.settings, now, since=self.since,
                                    last_session=self.last_session(now),
                                    snoozed_until=self.snoozed_until)
            self._note(due)
            if due is None:  # no day allowed (Reminders made in code): nothing to wait for
                self.terminal.say("trainer: no day is allowed for reminders")
                return 1
            wait = schedule.seconds_until(due, now)
            if wait > 0:
                self.clock.sleep(min(TICK, wait))
                continue
            if schedule.slept_through(due, now):
                # The computer was asleep or the clock jumped: that was a break, not a reminder
                # to send hours late.
                self.terminal.say(f"{now:%H:%M} the {due:%H:%M} reminder went by while away; "
                                  "counting again from now")
                self.since, self.snoozed_until = now, None
                continue
            self.send(due)

    def last_session(self, now: datetime) -> datetime | None:
        """When the latest session ended (one running now: now)."""
        latest = self.store.recent(1)
        if not latest:
            return None
        record = latest[0]
        if record.status == "running" and self.store.running_elsewhere(record.id):
            return now
        return record.ended_at or record.updated_at

    def _note(self, due: datetime | None) -> None:
        """Keep the due time in the state file for the app (only when it changes)."""
        if self._written == (due,):
            return
        self._written = (due,)
        with contextlib.suppress(OSError):  # a read-only data folder: the app just shows nothing
            write_state(NextReminder(os.getpid(), due, self.settings.routine, self.name),
                        self.state)

    def send(self, due: datetime) -> ReminderRecord | None:
        """One reminder through every channel; waits for its answer and learns it."""
        from trainer.notify.sequences import build

        sent = self.clock.now()
        rid = self.store.add_reminder(self.settings.routine, due, self.settings.every, sent)
        if self.terminal.interactive:
            sequence = build(self.notify, "Time to move", f"{self.name} is due", self.env)
            self.terminal.write_raw((sequence or "") + "\a")
        clients: list[popup.Client] = []
        if self.tmux is not None and (self.env.get("TMUX") or not self.terminal.interactive):
            clients = self.tmux.clients()
            self.tmux.show(clients, rid, self.settings.routine, self.name)
        if clients:
            self.terminal.say(f"{sent:%H:%M} {self.name} due — Enter/s/k in the popup")
        elif self.terminal.interactive:
            self.terminal.say(f"{sent:%H:%M} {self.name} due — Enter starts it, "
                              "s snoozes 10 minutes, k skips")
        else:
            self.terminal.say(f"{sent:%H:%M} {self.name} due (no terminal or tmux client "
                              "to ask)")
        record = self._answer(rid, sent)
        if clients and self.tmux is not None:
            self.tmux.close(clients)
        return self._learn(record, sent)

    def _answer(self, rid: int, sent: datetime) -> ReminderRecord | None:
        """Wait for a key here or an answer in a popup, up to ANSWER_WAIT."""
        deadline = schedule.after(sent, ANSWER_WAIT.total_seconds())
        while True:
            left = schedule.seconds_until(deadline, self.clock.now())
            if left <= 0:
                return self.store.reminder(rid)
            key = self.terminal.read_key(min(POLL, left))
            outcome = KEYS.get(key or "")
            # A popup may have answered first: then its answer stands, and this key is late.
            if outcome is not None and self.store.answer_reminder(rid, outcome,
                                                                  self.clock.now()) \
                    and outcome == "started" and self.start_routine is not None:
                self.terminal.say(f"Starting {self.name}")
                self.start_routine(self.settings.routine)
            record = self.store.reminder(rid)
            if record is None or record.outcome != "sent":
                return record

    def _learn(self, record: ReminderRecord | None, sent: datetime) -> ReminderRecord | None:
        """The next round's starting point from the answer."""
        now = self.clock.now()
        outcome = "sent" if record is None else record.outcome
        answered = (record.answered_at.astimezone(now.tzinfo)  # stored in UTC
                    if record is not None and record.answered_at else now)
        later = answered if schedule.seconds_until(answered, sent) > 0 else sent
        self.since = later if outcome != "sent" else sent
        self.snoozed_until = (schedule.after(answered, schedule.SNOOZE.total_seconds())
                              if outcome == "snoozed" else None)
        said = {"started": "started", "skipped": "skipped",
                "sent": "no answer; the next one in an interval"}.get(outcome)
        if outcome == "snoozed" and self.snoozed_until is not None:
            said = f"snoozed until {self.snoozed_until:%H:%M}"
        self.terminal.say(f"{now:%H:%M} {said}")
        return record


# -- the command -----------------------------------------------------------------------------


_OPTIONS = ("every", "routine", "between", "days")


def reminders_from(args: argparse.Namespace) -> tuple[Reminders, list[str]] | None:
    """The settings: options over config.yaml's `remind:`; None (said) for a bad option."""
    config = load_config()
    warnings = [p for p in config.problems if ": remind:" in p]
    given = {key: getattr(args, key) for key in _OPTIONS if getattr(args, key) is not None}
    _, problems = parse_reminders(given)
    for key, message in problems.items():
        print(f"trainer remind: --{key} {given[key]!r}: {message.split(': ', 1)[-1]}",
              file=sys.stderr)
    if problems:
        return None
    settings, _ = parse_reminders({**config.remind, **given})
    return settings, warnings


def cmd_remind(args: argparse.Namespace, extra: Sequence[Path], *,
               clock: Clock | None = None, terminal: Terminal | None = None,
               env: Mapping[str, str] | None = None) -> int:
    """`trainer remind`: the loop, --once, --install, --uninstall or the popup's --prompt."""
    env = os.environ if env is None else env
    if args.prompt is not None:
        return cmd_prompt(args.prompt, args.routine or "", args.name or "", args.session,
                          clock=clock, env=env)
    if args.uninstall:
        return cmd_uninstall(env)
    found = reminders_from(args)
    if found is None:
        return 2
    settings, warnings = found
    for warning in warnings:
        print(f"trainer: {warning}", file=sys.stderr)
    from trainer.cli.library import find_routine, load

    lib = load(extra)
    if find_routine(lib, settings.routine) is None:
        return 1
    name = printable(lib.routines[settings.routine].name)
    if args.install:
        options = [f"--{key}={getattr(args, key)}" for key in _OPTIONS
                   if getattr(args, key) is not None]
        options += [f"--library={Path(folder).resolve()}" for folder in extra]
        return cmd_install(options, f"{name}, {schedule.describe(settings)}", env)
    from trainer.history.store import History

    clock = clock or SystemClock()
    terminal = terminal or StdTerminal(clock)
    store = History.open()
    if store.problem:
        print(f"trainer: {store.problem}", file=sys.stderr)
    loop = Loop(settings, name, store, clock, terminal, env, load_config().notify,
                start_routine=_run_here(extra), tmux=Tmux(env))
    if not args.once:
        terminal.say(f"Reminding: {name}, {schedule.describe(settings)}. Ctrl+C stops.")
    restore = _exit_on_signals()
    try:
        return loop.run(once=args.once)
    except KeyboardInterrupt:
        terminal.say("")
        return 0
    finally:
        restore()
        store.close()


def _exit_on_signals() -> Callable[[], None]:
    """`systemctl stop` (SIGTERM) and a closed terminal (SIGHUP) end the loop as Ctrl+C does.

    Returns what puts the handlers back as they were.
    """
    # SystemExit unwinds through the loop's finally: the state file goes, the history closes.
    import signal

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)

    saved: list[tuple[int, Any]] = []
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            with contextlib.suppress(ValueError):  # not the main thread: leave it be
                saved.append((number, signal.signal(number, stop)))

    def restore() -> None:
        for number, handler in saved:
            signal.signal(number, handler)

    return restore


def _run_here(extra: Sequence[Path]) -> Callable[[str], object]:
    """Start a routine in the app, in this terminal, and wait for it to end."""
    def run(routine: str) -> object:
        argv = [sys.executable, "-m", "trainer", *[f"--library={p}" for p in extra],
                "run", routine]
        with contextlib.suppress(OSError, KeyboardInterrupt):
            return subprocess.run(argv, check=False).returncode
        return None
    return run


def cmd_install(options: Sequence[str], what: str, env: Mapping[str, str],
                path: Path | None = None) -> int:
    """Write the systemd user unit and say how to turn it on."""
    target = path or systemd.unit_path(env)
    text = systemd.unit_text(options, what, env=env)
    try:
        done = systemd.install(text, target)
    except OSError as exc:
        print(f"trainer: cannot write {target} ({exc.strerror or exc})", file=sys.stderr)
        return 1
    print(f"{done.capitalize()}: {target}" if done != "unchanged"
          else f"Already installed: {target}")
    print("To start it now and at every login:")
    print("\n".join("  " + line for line in systemd.advice(True)))
    print("Lingering keeps it running while you are logged out (on a home server, say); "
          "reminders reach you through tmux popups and `trainer remind --uninstall` removes it.")
    return 0


def cmd_uninstall(env: Mapping[str, str], path: Path | None = None) -> int:
    """Remove the systemd user unit."""
    target = path or systemd.unit_path(env)
    try:
        removed = systemd.uninstall(target)
    except OSError as exc:
        print(f"trainer: cannot remove {target} ({exc.strerror or exc})", file=sys.stderr)
        return 1
    if not removed:
        print(f"Not installed: no {target}")
        return 0
    print(f"Removed: {target}")
    print("\n".join("  " + line for line in systemd.advice(False)))
    return 0


# -- the popup's question --------------------------------------------------------------------


def cmd_prompt(reminder_id: int, routine: str, name: str, session: str | None, *,
               clock: Clock | None = None, env: Mapping[str, str] | None = None,
               read_key: Callable[[float], str | None] | None = None,
               run: Callable[[list[str]], object] | None = None) -> int:
    """Inside a popup: ask, record the answer, and on Enter open the routine in a new window."""
    from trainer.history.store import History

    env = os.environ if env is None else env
    clock = clock or SystemClock()
    if parse_reminders({"routine": routine})[1]:
        print("trainer remind: --prompt needs --routine with a routine id", file=sys.stderr)
        return 2
    name = printable(name)[:80] or "Your routine"
    print(f"{name} is due.\n\n  Enter  start it now\n  s      snooze 10 minutes\n"
          "  k      skip this one (Esc too)", flush=True)
    if read_key is None:
        if not sys.stdin.isatty():
            return 0

        def read_key(timeout: float) -> str | None:
            return read_terminal_key(sys.stdin.fileno(), timeout)
    try:
        deadline = schedule.after(clock.now(), ANSWER_WAIT.total_seconds())
        outcome: Outcome | None = None
        while outcome is None and schedule.seconds_until(deadline, clock.now()) > 0:
            outcome = KEYS.get(read_key(POLL) or "")
    except KeyboardInterrupt:
        return 0
    if outcome is None:
        return 0
    with History.open() as store:
        if not store.answer_reminder(reminder_id, outcome, clock.now()):
            return 0  # answered elsewhere first: that answer stands
    if outcome == "started" and session is not None and popup.valid_session(session):
        command = popup.new_window_command(session, routine, env)
        (run or _run_quietly)(command)
    return 0


def _run_quietly(argv: list[str]) -> object:
    """Run a tmux command, its output dropped."""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        return subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=TMUX_TIMEOUT, check=False)
    return None
