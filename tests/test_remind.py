"""Reminders: the schedule on an injected clock, tmux command lines, the systemd unit, the loop
over fake hours (a fake terminal and a fake tmux on PATH), the history table and its stats."""

from __future__ import annotations

import configparser
import json
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import monotonic as _monotonic
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import FakeClock
from pilot_helpers import load_fixture_library, make_app
from textual.widgets import Static

from trainer.cli.history import reminders_line, stats_text
from trainer.cli.main import main
from trainer.cli.remind import Loop, Tmux, cmd_prompt, key_name
from trainer.config import Reminders, parse_reminders
from trainer.history import schema as history_schema
from trainer.history.records import ReminderRecord
from trainer.history.stats import reminder_tally
from trainer.history.store import History
from trainer.remind import popup, schedule, systemd
from trainer.remind.state import (
    NextReminder,
    clear_state,
    describe_next,
    read_state,
    state_path,
    write_state,
)

BERLIN = ZoneInfo("Europe/Berlin")
HOUR = 3600.0
WORKDAYS = Reminders()  # every 1h, 09:00-18:00, mon-fri, posture-check


def at(day: int, hour: int, minute: int = 0, month: int = 6, year: int = 2026) -> datetime:
    """A Berlin wall-clock time (June 2026: the 1st is a Monday)."""
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def settings(**entries: Any) -> Reminders:
    """Reminders from config-style entries, which must all be valid."""
    parsed, problems = parse_reminders(entries)
    assert problems == {}
    return parsed


# -- the schedule ----------------------------------------------------------------------------


def test_due_one_interval_after_the_start_within_the_hours() -> None:
    start = at(1, 9, 5)  # Monday
    assert start.weekday() == 0
    assert schedule.next_due(WORKDAYS, start, since=start) == at(1, 10, 5)
    assert schedule.next_due(settings(every="45m"), start, since=start) == at(1, 9, 50)


def test_quiet_hours_restart_the_count_when_they_open() -> None:
    evening = at(1, 17, 30)
    # 18:30 is outside: the next day's hours open at 09:00, the first reminder at 10:00.
    assert schedule.next_due(WORKDAYS, evening, since=evening) == at(2, 10)
    early = at(2, 7, 0)
    assert schedule.next_due(WORKDAYS, early, since=early) == at(2, 10)
    # Hours shorter than one interval: one reminder as they begin.
    lunch = settings(between="12:00-12:30")
    assert schedule.next_due(lunch, early, since=early) == at(2, 12)


def test_days_skip_the_weekend_and_any_hour_means_all_day() -> None:
    friday = at(5, 17, 45)
    assert friday.weekday() == 4
    assert schedule.next_due(WORKDAYS, friday, since=friday) == at(8, 10)  # Monday
    weekends = settings(days="sat,sun", between="any")
    assert schedule.next_due(weekends, friday, since=friday) == at(6, 1)  # Saturday 00:00 + 1h
    # All day on consecutive days is one stretch: no restart at midnight.
    daily = settings(days="daily", between="any")
    late = at(1, 23, 30)
    assert schedule.next_due(daily, late, since=late) == at(2, 0, 30)
    assert not schedule.allowed(WORKDAYS, at(6, 12))
    assert schedule.allowed(WORKDAYS, at(5, 12))


def test_quiet_hours_past_midnight_belong_to_the_day_they_start() -> None:
    night = settings(between="22:00-02:00", days="fri")
    friday_late = at(5, 23, 30)
    assert schedule.next_due(night, friday_late, since=friday_late) == at(6, 0, 30)  # Saturday
    saturday = at(6, 1, 30)
    # 02:30 is past the end; Saturday's night is not allowed: next Friday 22:00 + 1h.
    assert schedule.next_due(night, saturday, since=saturday) == at(12, 23)
    assert schedule.allowed(night, at(6, 1, 59)) and not schedule.allowed(night, at(6, 2))


def test_a_session_within_the_interval_means_no_reminder_until_one_interval_after_it() -> None:
    start = at(1, 9)
    assert schedule.next_due(WORKDAYS, start, since=start,
                             last_session=at(1, 9, 40)) == at(1, 10, 40)
    # A session long before changes nothing; one late in the day pushes into tomorrow.
    assert schedule.next_due(WORKDAYS, start, since=start, last_session=at(1, 7)) == at(1, 10)
    assert schedule.next_due(WORKDAYS, start, since=start,
                             last_session=at(1, 17, 30)) == at(2, 10)


def test_snooze_and_skip() -> None:
    sent = at(1, 10)
    answered = at(1, 10, 1)
    snoozed = answered + schedule.SNOOZE
    assert schedule.next_due(WORKDAYS, answered, since=sent,
                             snoozed_until=snoozed) == at(1, 10, 11)
    # A snooze asked at the end of the day is kept, even past the hours: it was asked for.
    late = at(1, 17, 55)
    assert schedule.next_due(WORKDAYS, late, since=late,
                             snoozed_until=late + schedule.SNOOZE) == at(1, 18, 5)
    # A session done after the snooze was asked makes it moot.
    assert schedule.next_due(WORKDAYS, answered, since=sent, snoozed_until=snoozed,
                             last_session=at(1, 10, 8)) == at(1, 11, 8)
    # A skip is an answer: the next one is an interval after it.
    assert schedule.next_due(WORKDAYS, answered, since=answered) == at(1, 11, 1)


def test_an_interval_is_real_time_across_summer_time() -> None:
    daily = settings(every="1h", days="daily", between="any")
    # 29 March 2026: Berlin jumps from 02:00 CET to 03:00 CEST.
    before = datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN)
    due = schedule.next_due(daily, before, since=before)
    assert due is not None
    assert (due.hour, due.minute, due.utcoffset()) == (3, 30, timedelta(hours=2))
    assert schedule.seconds_until(due, before) == HOUR
    # The hours are wall-clock hours on that day too: 09:00 CEST.
    hours = settings(every="1h", days="daily", between="09:00-18:00")
    opened = schedule.next_due(hours, before, since=before)
    assert opened == datetime(2026, 3, 29, 10, 0, tzinfo=BERLIN)
    # 25 October 2026: 03:00 CEST becomes 02:00 CET; 02:30 comes twice.
    first = datetime(2026, 10, 25, 2, 30, fold=0, tzinfo=BERLIN)
    again = schedule.next_due(daily, first, since=first)
    assert again is not None and again.astimezone(UTC) - first.astimezone(UTC) == timedelta(
        hours=1)
    assert (again.hour, again.minute, again.utcoffset()) == (2, 30, timedelta(hours=1))
    # Hours that open at a time skipped by the jump open just after it.
    skipped = settings(days="daily", between="02:30-06:00")
    sunday = datetime(2026, 3, 29, 0, 0, tzinfo=BERLIN)
    assert schedule.next_due(skipped, sunday, since=sunday) == datetime(
        2026, 3, 29, 4, 30, tzinfo=BERLIN)


def test_a_due_time_slept_through_is_not_sent_late_and_describe() -> None:
    assert not schedule.slept_through(at(1, 10), at(1, 10, 4))
    assert schedule.slept_through(at(1, 10), at(1, 13))
    assert schedule.describe(WORKDAYS) == "every 1h, 09:00-18:00, mon-fri"
    assert schedule.describe(settings(every="45m", between="any", days="mon,wed")) == (
        "every 45m, any hour, mon,wed")
    assert schedule.describe(settings(days="daily")).endswith("daily")
    assert schedule.next_due(Reminders(days=frozenset()), at(1, 9), since=at(1, 9)) is None
    assert schedule.local_zone() is not None


# -- tmux command lines ----------------------------------------------------------------------


def test_clients_are_listed_and_parsed_skipping_control_mode_and_odd_lines() -> None:
    assert popup.list_clients_command() == [
        "tmux", "list-clients", "-F", "#{client_name}\t#{session_id}\t#{client_control_mode}"]
    out = "/dev/pts/7\t$1\t0\n/dev/pts/9\t$2\t0\n/dev/pts/3\t$1\t1\nnonsense\n/x\t; rm\t0\n"
    assert popup.parse_clients(out) == [popup.Client("/dev/pts/7", "$1"),
                                        popup.Client("/dev/pts/9", "$2")]


def test_the_popup_command_line_is_arguments_and_one_quoted_shell_command() -> None:
    env = {"TRAINER_DATA_DIR": "/tmp/my data", "HOME": "/home/x"}
    name = "Posture check; rm -rf ~ $(echo hi)"
    argv = popup.popup_command(popup.Client("/dev/pts/7", "$1"), 12, "posture-check", name,
                               env, python="/opt/py thon/bin/python")
    assert argv[:10] == ["tmux", "display-popup", "-c", "/dev/pts/7", "-E", "-T", " trainer ",
                         "-w", str(popup.WIDTH), "-h"]
    assert len(argv) == 12
    # The shell reads back exactly the arguments: the name is one word, nothing runs.
    assert shlex.split(argv[-1]) == [
        "env", "TRAINER_DATA_DIR=/tmp/my data", "/opt/py thon/bin/python", "-m", "trainer",
        "remind", "--prompt", "12", "--routine", "posture-check", "--name", name,
        "--session", "$1"]
    assert popup.close_popup_command(popup.Client("/dev/pts/7", "$1")) == [
        "tmux", "display-popup", "-C", "-c", "/dev/pts/7"]
    window = popup.new_window_command("$3", "posture-check", {}, python="/usr/bin/python3")
    assert window[:6] == ["tmux", "new-window", "-t", "$3:", "-n", "trainer"]
    assert shlex.split(window[-1]) == ["/usr/bin/python3", "-m", "trainer", "run",
                                       "posture-check"]
    with pytest.raises(ValueError):
        popup.new_window_command("work:1; kill", "posture-check", {})


# -- the systemd unit ------------------------------------------------------------------------


def test_install_writes_a_valid_unit_and_uninstall_removes_it(tmp_path: Path) -> None:
    env = {"TRAINER_DATA_DIR": "/srv/trainer data/100%", "XDG_CONFIG_HOME": str(tmp_path)}
    path = systemd.unit_path(env)
    assert path == tmp_path / "systemd" / "user" / "trainer-remind.service"
    assert systemd.unit_path({"TRAINER_SYSTEMD_DIR": str(tmp_path / "u")}) == (
        tmp_path / "u" / systemd.UNIT_NAME)
    text = systemd.unit_text(["--every=45m", "--routine=desk-break"],
                             "Desk break (5 min), every 45m", env=env,
                             python="/usr/bin/python3")
    assert systemd.install(text, path) == "written"
    assert systemd.install(text, path) == "unchanged"
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text(encoding="utf-8"))
    assert parser["Unit"]["Description"] == (
        "trainer reminders (Desk break (5 min), every 45m)")
    service = parser["Service"]
    assert shlex.split(service["ExecStart"]) == ["/usr/bin/python3", "-m", "trainer", "remind",
                                                 "--every=45m", "--routine=desk-break"]
    assert service["Restart"] == "on-failure"
    assert parser["Install"]["WantedBy"] == "default.target"
    # $ and % are systemd's own: doubled, and the space kept inside quotes.
    assert 'Environment="TRAINER_DATA_DIR=/srv/trainer data/100%%"' in text
    wanted = path.parent / "default.target.wants" / path.name
    wanted.parent.mkdir()
    wanted.symlink_to(path)
    assert systemd.install(text.replace("45m", "30m"), path) == "replaced"
    assert systemd.uninstall(path) is True
    assert not path.exists() and not wanted.is_symlink()
    assert systemd.uninstall(path) is False


def test_the_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    path = tmp_path / systemd.UNIT_NAME
    path.write_text(systemd.unit_text(["--between=09:00-17:00"], "Posture check, every 1h"),
                    encoding="utf-8")
    done = subprocess.run([analyze, "verify", str(path)], capture_output=True, text=True,
                          timeout=60, check=False)
    if "Failed to initialize manager" in done.stderr and str(path) not in done.stderr:
        pytest.skip("systemd-analyze cannot run here")
    assert done.returncode == 0, done.stderr


def test_trainer_remind_install_and_uninstall_say_what_to_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TRAINER_SYSTEMD_DIR", str(tmp_path))
    assert main(["remind", "--install", "--every", "30m"]) == 0
    out = capsys.readouterr().out
    unit = tmp_path / systemd.UNIT_NAME
    assert f"Written: {unit}" in out
    for advice in ("systemctl --user daemon-reload",
                   "systemctl --user enable --now trainer-remind.service",
                   "loginctl enable-linger $USER"):
        assert advice in out
    text = unit.read_text(encoding="utf-8")
    assert f"ExecStart={sys.executable} -m trainer remind --every=30m" in text
    assert f"TRAINER_DATA_DIR={os.environ['TRAINER_DATA_DIR']}" in text
    assert "every 30m, 09:00-18:00, mon-fri" in text
    assert main(["remind", "--uninstall"]) == 0
    assert "Removed" in capsys.readouterr().out and not unit.exists()
    assert main(["remind", "--uninstall"]) == 0
    assert "Not installed" in capsys.readouterr().out


# -- options and config.yaml -----------------------------------------------------------------


def test_bad_options_say_which_and_why(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["remind", "--every", "2s", "--install"]) == 2
    assert "trainer remind: --every '2s': expected between 5m and 24h" in capsys.readouterr().err
    assert main(["remind", "--between", "25:00-26:00", "--install"]) == 2
    assert "is not a time of day" in capsys.readouterr().err
    assert main(["remind", "--days", "someday", "--install"]) == 2
    assert "'someday' is not a day" in capsys.readouterr().err
    assert main(["remind", "--routine", "posture-chek", "--install"]) == 1
    err = capsys.readouterr().err
    assert "no routine 'posture-chek'" in err and "posture-check" in err
    with pytest.raises(SystemExit):
        main(["remind", "--install", "--once"])


def test_config_entries_are_used_and_bad_ones_said_at_their_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = Path(os.environ["TRAINER_CONFIG_DIR"])
    config.mkdir(parents=True)
    (config / "config.yaml").write_text("remind:\n  every: 45m\n  days: funday\n",
                                        encoding="utf-8")
    monkeypatch.setenv("TRAINER_SYSTEMD_DIR", str(tmp_path))
    assert main(["remind", "--install", "--between", "any"]) == 0
    captured = capsys.readouterr()
    assert f"{config / 'config.yaml'}:3:9: remind: days:" in captured.err
    text = (tmp_path / systemd.UNIT_NAME).read_text(encoding="utf-8")
    assert "every 45m, any hour, mon-fri" in text  # the file's every, the option's hours
    assert "remind --between=any\n" in text


# -- the loop over fake hours ----------------------------------------------------------------


class WallClock:
    """A wall clock that moves only when slept on."""

    def __init__(self, start: datetime) -> None:
        self.time = start
        self.slept: list[float] = []

    def now(self) -> datetime:
        return self.time

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.slept.append(seconds)
        self.time = schedule.after(self.time, seconds)


class FakeTerminal:
    """Records what the loop says and writes; answers keys at given moments."""

    def __init__(self, clock: WallClock, interactive: bool = True) -> None:
        self.clock = clock
        self.interactive = interactive
        self.lines: list[str] = []
        self.raw: list[str] = []
        self.keys: dict[datetime, str] = {}
        self.on_wait: Callable[[], None] | None = None

    def say(self, line: str) -> None:
        self.lines.append(line)

    def write_raw(self, data: str) -> None:
        self.raw.append(data)

    def read_key(self, timeout: float) -> str | None:
        if self.on_wait is not None:
            self.on_wait()
        self.clock.sleep(timeout)
        for moment, key in sorted(self.keys.items()):
            if moment <= self.clock.now():
                del self.keys[moment]
                return key
        return None


@pytest.fixture
def fake_tmux(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A `tmux` on PATH that records its arguments and lists two clients (and a control one)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    log = tmp_path / "tmux.log"
    script = folder / "tmux"
    # One write per call, so popups started together never interleave their lines.
    script.write_text(
        "#!/bin/sh\n"
        "sep=$(printf '\\037'); line=''\n"
        'for a in "$@"; do line="$line$a$sep"; done\n'
        f"printf '%s\\n' \"$line\" >> '{log}'\n"
        'if [ "$1" = list-clients ]; then\n'
        "  printf '/dev/pts/7\\t$1\\t0\\n/dev/pts/9\\t$2\\t0\\n/dev/pts/3\\t$1\\t1\\n'\n"
        "fi\n", encoding="utf-8")
    script.chmod(0o755)
    env = {"PATH": f"{folder}{os.pathsep}{os.environ.get('PATH', '')}",
           "TMUX": "/tmp/tmux-1000/default,123,0", "TERM_PROGRAM": "WezTerm",
           "TRAINER_DATA_DIR": os.environ["TRAINER_DATA_DIR"]}
    return env, log


def tmux_calls(log: Path) -> list[list[str]]:
    """Each fake tmux call's arguments."""
    if not log.exists():
        return []
    return [line.split("\x1f")[:-1] for line in log.read_text(encoding="utf-8").splitlines()]


def make_loop(clock: WallClock, terminal: FakeTerminal, store: History,
              env: dict[str, str], **kwargs: Any) -> Loop:
    """A loop on the default settings, the fake clock and terminal."""
    kwargs.setdefault("tmux", Tmux(env, python="/usr/bin/python3"))
    return Loop(WORKDAYS, "Posture check (2 min)", store, clock, terminal, env,
                notify="auto", **kwargs)


def test_the_loop_notifies_rings_and_pops_up_on_each_client_then_learns_a_snooze(
        fake_tmux: tuple[dict[str, str], Path]) -> None:
    env, log = fake_tmux
    clock = WallClock(at(1, 9))
    terminal = FakeTerminal(clock)
    store = History.open()
    seen: list[int] = []

    def popup_answers() -> None:
        # The first popup's person presses s a minute after the first reminder.
        for r in store.reminders_between(at(1, 0), at(2, 0)):
            if r.id not in seen and clock.now() >= r.sent_at + timedelta(minutes=1):
                seen.append(r.id)
                if len(seen) == 1:
                    assert store.answer_reminder(r.id, "snoozed", clock.now())
                else:
                    assert store.answer_reminder(r.id, "skipped", clock.now())

    terminal.on_wait = popup_answers
    loop = make_loop(clock, terminal, store, env)
    assert loop.run(until=at(1, 12)) == 0

    sent = store.reminders_between(at(1, 0), at(2, 0))
    assert [(r.sent_at.astimezone(BERLIN).strftime("%H:%M"), r.outcome) for r in sent] == [
        ("10:00", "snoozed"), ("10:11", "skipped"), ("11:12", "skipped")]
    # Each reminder: the OSC 777 notification (WezTerm, wrapped for tmux) and the bell.
    assert len(terminal.raw) == 3
    assert all(raw.startswith("\x1bPtmux;") and "777;notify;Time to move;Posture check" in raw
               and raw.endswith("\a") for raw in terminal.raw)
    assert terminal.lines[0] == "10:00 Posture check (2 min) due — Enter/s/k in the popup"
    assert "10:01 snoozed until 10:11" in terminal.lines
    calls = tmux_calls(log)
    popups = [c for c in calls if c[:1] == ["display-popup"] and "-E" in c]
    assert len(popups) == 6
    assert {c[2] for c in popups} == {"/dev/pts/7", "/dev/pts/9"}  # not the control client
    first = next(c for c in popups if c[2] == "/dev/pts/7")
    assert shlex.split(first[-1])[-9:] == [
        "remind", "--prompt", str(sent[0].id), "--routine", "posture-check", "--name",
        "Posture check (2 min)", "--session", "$1"]
    assert ["display-popup", "-C", "-c", "/dev/pts/9"] in calls  # closed once answered
    assert calls.count(["list-clients", "-F", popup.LIST_FORMAT]) == 3
    # The state file says when the next one is due; it is gone once the loop ends.
    assert read_state() is None and not state_path().exists()
    store.close()


def test_outside_tmux_the_terminal_asks_and_enter_starts_the_routine_here(
        fake_tmux: tuple[dict[str, str], Path]) -> None:
    env, log = fake_tmux
    env = {k: v for k, v in env.items() if k != "TMUX"}
    clock = WallClock(at(1, 9))
    terminal = FakeTerminal(clock)
    terminal.keys[at(1, 10) + timedelta(seconds=4)] = "enter"
    started: list[str] = []
    store = History.open()
    loop = make_loop(clock, terminal, store, env, start_routine=started.append)
    assert loop.run(until=at(1, 10, 30)) == 0
    assert started == ["posture-check"]
    assert terminal.lines[0] == ("10:00 Posture check (2 min) due — Enter starts it, "
                                 "s snoozes 10 minutes, k skips")
    assert "Starting Posture check (2 min)" in terminal.lines
    [record] = store.reminders_between(at(1, 0), at(2, 0))
    assert record.outcome == "started"
    assert tmux_calls(log) == []  # no tmux asked: the loop is not inside it
    store.close()


def test_a_session_within_the_interval_means_no_reminder(
        fake_tmux: tuple[dict[str, str], Path]) -> None:
    env, _ = fake_tmux
    clock = WallClock(at(1, 9))
    terminal = FakeTerminal(clock)
    store = History.open()
    timeline = load_fixture_library().timeline("tiny")
    session = store.start_session(timeline, at(1, 9, 30))
    store.finish(session, "completed", 28.0, now=at(1, 9, 31))
    loop = make_loop(clock, terminal, store, env)
    states: list[NextReminder | None] = []
    original = clock.sleep

    def sleep(seconds: float) -> None:
        states.append(read_state())
        original(seconds)

    clock.sleep = sleep  # type: ignore[method-assign]
    assert loop.run(until=at(1, 10, 30)) == 0
    assert store.reminders_between(at(1, 0), at(2, 0)) == []
    assert terminal.raw == [] and terminal.lines == []
    # While it waits, the state file names the next due time: an interval after the session.
    first = states[0]
    assert first is not None and first.pid == os.getpid() and first.due == at(1, 10, 31)
    assert first.routine == "posture-check" and first.name == "Posture check (2 min)"
    # It waits a minute at a time (the wall clock may jump), never sleeping through the due.
    assert max(clock.slept) <= 60
    store.close()


def test_a_due_time_slept_through_is_not_sent_hours_late(
        fake_tmux: tuple[dict[str, str], Path]) -> None:
    env, _ = fake_tmux
    clock = WallClock(at(1, 9))
    terminal = FakeTerminal(clock, interactive=False)
    store = History.open()
    loop = make_loop(clock, terminal, store, env, tmux=None)
    jumped: list[bool] = []
    original = clock.sleep

    def sleep(seconds: float) -> None:
        if not jumped and clock.now() >= at(1, 9, 50):
            jumped.append(True)
            clock.time = at(1, 13)  # the lid was closed
            return
        original(seconds)

    clock.sleep = sleep  # type: ignore[method-assign]
    assert loop.run(until=at(1, 14, 30)) == 0
    sent = store.reminders_between(at(1, 0), at(2, 0))
    assert [r.sent_at for r in sent] == [at(1, 14)]
    assert "13:00 the 10:00 reminder went by while away; counting again from now" in (
        terminal.lines)
    assert terminal.raw == []  # no terminal: no escape sequences into a journal
    assert sent[0].outcome == "sent"
    store.close()


def test_once_sends_now_and_ctrl_c_ends_quietly_with_status_0(
        fake_tmux: tuple[dict[str, str], Path], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import trainer.cli.remind as remind_cli

    env, log = fake_tmux
    clock = WallClock(at(1, 9))
    terminal = FakeTerminal(clock)
    terminal.keys[at(1, 9) + timedelta(seconds=2)] = "k"
    monkeypatch.setattr(remind_cli, "SystemClock", lambda: clock)
    monkeypatch.setattr(remind_cli, "StdTerminal", lambda _clock: terminal)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert main(["remind", "--once"]) == 0
    with History.open() as store:
        [record] = store.reminders_between(at(1, 0), at(2, 0))
    assert record.outcome == "skipped"
    assert any(c[:1] == ["display-popup"] for c in tmux_calls(log))

    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    clock.sleep = interrupted  # type: ignore[method-assign]
    assert main(["remind"]) == 0
    assert not state_path().exists()
    assert "Traceback" not in capsys.readouterr().err


# -- the popup's prompt ----------------------------------------------------------------------


def test_the_prompt_records_the_answer_and_enter_opens_a_window(
        capsys: pytest.CaptureFixture[str]) -> None:
    clock = WallClock(at(1, 10))
    with History.open() as store:
        first = store.add_reminder("posture-check", at(1, 10), HOUR, at(1, 10))
        second = store.add_reminder("posture-check", at(1, 11), HOUR, at(1, 11))
    ran: list[list[str]] = []
    keys = iter([None, "x", "enter"])
    assert cmd_prompt(first, "posture-check", "Posture\x1b]0;x\x07 check", "$4", clock=clock,
                      env={}, read_key=lambda _t: next(keys), run=ran.append) == 0
    out = capsys.readouterr().out
    assert "Posture^[]0;x^G check is due." in out and "s      snooze 10 minutes" in out
    assert len(ran) == 1 and ran[0][:4] == ["tmux", "new-window", "-t", "$4:"]
    assert shlex.split(ran[0][-1])[-2:] == ["run", "posture-check"]
    # Answered already (another client first): the later answer does nothing.
    assert cmd_prompt(first, "posture-check", "x", "$4", clock=clock, env={},
                      read_key=lambda _t: "s", run=ran.append) == 0
    assert cmd_prompt(second, "posture-check", "x", "not-a-session", clock=clock, env={},
                      read_key=lambda _t: "enter", run=ran.append) == 0
    assert len(ran) == 1
    with History.open() as store:
        a, b = store.reminder(first), store.reminder(second)
    assert a is not None and a.outcome == "started"
    assert b is not None and b.outcome == "started"
    assert cmd_prompt(second, "bad id!", "x", None, clock=clock, env={},
                      read_key=lambda _t: "k") == 2
    assert [key_name(k) for k in (b"\r", b"\x1b", b"S", b"\x1b[A", b"1")] == [
        "enter", "escape", "s", None, None]


# -- history: the table, its migration, and stats --------------------------------------------


def test_version_3_history_gains_the_reminders_table(tmp_path: Path) -> None:
    path = tmp_path / "v3.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    for number, migration in enumerate(history_schema.MIGRATIONS[:3]):
        migration(db)
        db.execute(f"PRAGMA user_version = {number + 1}")
    db.execute("INSERT INTO sessions (routine_id, routine_name, fingerprint, started_at, status,"
               " planned_seconds, phase_count, updated_at) VALUES ('r', 'R', 'f',"
               " '2026-06-01T08:00:00+00:00', 'completed', 60, 3, '2026-06-01T08:01:00+00:00')")
    db.close()
    with History.open(path) as store:
        assert store.problem is None and store.schema_version == len(history_schema.MIGRATIONS)
        assert store.counts()["sessions"] == 1 and store.counts()["reminders"] == 0
        rid = store.add_reminder("posture-check", at(1, 10), HOUR, at(1, 10, 0))
        assert store.answer_reminder(rid, "snoozed", at(1, 10, 2))
        assert not store.answer_reminder(rid, "skipped", at(1, 10, 3))
        with pytest.raises(ValueError):
            store.answer_reminder(rid, "sent")
        record = store.reminder(rid)
        assert record is not None and record.outcome == "snoozed"
        assert record.answered_at == at(1, 10, 2).astimezone(UTC)
    db = sqlite3.connect(path)
    try:
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("INSERT INTO reminders (routine_id, due_at, sent_at, every_seconds,"
                       " outcome) VALUES ('r', 'x', 'x', 1, 'ignored')")
    finally:
        db.close()


def reminder(rid: int, sent: datetime, outcome: str) -> ReminderRecord:
    """A reminder record sent at a time."""
    return ReminderRecord(rid, "posture-check", sent, sent, HOUR, outcome)  # type: ignore[arg-type]


def test_taken_means_started_from_it_or_a_session_begun_within_its_interval() -> None:
    reminders = [reminder(1, at(1, 10), "started"),     # started from the popup
                 reminder(2, at(1, 11, 30), "sent"),    # a session at 11:50: taken
                 reminder(3, at(1, 13), "snoozed"),
                 reminder(4, at(1, 13, 10), "sent"),    # nothing within its interval
                 reminder(5, at(1, 15), "skipped"),
                 reminder(6, at(1, 16), "sent")]        # session at 16:40: taken
    starts = [at(1, 10, 1), at(1, 11, 50), at(1, 14, 20), at(1, 16, 40)]
    tally = reminder_tally(reminders, starts)
    assert (tally.sent, tally.taken, tally.snoozed, tally.skipped) == (6, 3, 1, 1)
    assert reminders_line(tally) == "Reminders: 6 sent this week, 3 taken, 1 snoozed, 1 skipped"


def test_trainer_stats_says_how_many_reminders_were_taken(
        capsys: pytest.CaptureFixture[str]) -> None:
    today = date.today()
    monday = datetime.combine(today - timedelta(days=today.weekday()), time(10)).astimezone()
    with History.open() as store:
        timeline = load_fixture_library().timeline("tiny")
        rid = store.add_reminder("posture-check", monday, HOUR, monday)
        store.answer_reminder(rid, "snoozed", monday + timedelta(minutes=1))
        store.add_reminder("posture-check", monday, HOUR, monday + timedelta(minutes=11))
        session = store.start_session(timeline, monday + timedelta(minutes=12))
        store.finish(session, "completed", 28.0, now=monday + timedelta(minutes=13))
        store.add_reminder("posture-check", monday, HOUR, monday - timedelta(days=3))
    assert main(["stats"]) == 0
    assert "Reminders: 2 sent this week, 1 taken, 1 snoozed\n" in capsys.readouterr().out


def test_stats_text_without_sessions_still_says_the_reminders() -> None:
    from trainer.history.stats import ReminderTally

    text = stats_text(None, {}, empty=True, reminders=ReminderTally(3, 0, 1, 2))  # type: ignore[arg-type]
    assert text.splitlines()[1] == "Reminders: 3 sent this week, 0 taken, 1 snoozed, 2 skipped"


# -- the state file and the library screen ---------------------------------------------------


def test_the_state_file_is_trusted_only_while_its_process_lives(tmp_path: Path) -> None:
    path = tmp_path / "remind.json"
    state = NextReminder(os.getpid(), at(1, 14), "posture-check", "Posture check (2 min)")
    write_state(state, path)
    assert read_state(path) == state
    assert describe_next(state, at(1, 13, 20)) == "Next reminder at 14:00: Posture check (2 min)"
    assert describe_next(state, at(1, 14, 1)) == "Reminder due now: Posture check (2 min)"
    assert describe_next(state, at(1, 8, 0) - timedelta(days=1)) == (
        "Next reminder Mon 14:00: Posture check (2 min)")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "pid": int(dead.stdout)}))
    assert read_state(path) is None
    clear_state(os.getpid(), path)
    assert path.exists()  # not ours any more: left alone
    for junk in ("[]", "{\"pid\": true}", "not json", json.dumps({**data, "next_due": "soon"})):
        path.write_text(junk)
        assert read_state(path) is None
    write_state(state, path)
    clear_state(os.getpid(), path)
    assert not path.exists()


async def test_the_library_screen_shows_the_next_reminder_and_reads_it_at_its_time(
        clock: FakeClock) -> None:
    due = (datetime.now().astimezone() + timedelta(minutes=30)).replace(microsecond=0)
    write_state(NextReminder(os.getpid(), due, "posture-check", "[b]Posture\x1b[2J check"))
    app = make_app(load_fixture_library(), clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        line = screen.query_one("#next-reminder", Static)
        assert not line.has_class("hidden")
        when = f"at {due:%H:%M}" if due.date() == datetime.now().date() else f"{due:%a %H:%M}"
        assert str(line.render()) == f"Next reminder {when}: [b]Posture^[[2J check"
        timer = screen._reminder_timer  # type: ignore[attr-defined]
        assert timer is not None  # one timer, at the due time (and a little after)
        # The loop stops: at the next look (the app regains focus) the line goes.
        clear_state(os.getpid())
        app.app_focus = False
        app.app_focus = True
        await pilot.pause()
        assert line.has_class("hidden")
        assert screen._reminder_timer is None  # type: ignore[attr-defined]


async def test_without_a_reminder_loop_the_line_is_hidden(clock: FakeClock) -> None:
    async with make_app(load_fixture_library(), clock).run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        line = pilot.app.screen.query_one("#next-reminder", Static)
        assert line.has_class("hidden") and line.display is False


# -- a real tmux -----------------------------------------------------------------------------


def test_in_real_tmux_the_popup_asks_and_enter_opens_the_routine_in_a_new_window(
        tmp_path: Path) -> None:
    import tempfile

    import pexpect
    import pyte

    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    sockets = Path(tempfile.mkdtemp(prefix="tm", dir="/tmp"))  # a socket path must be short
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.yaml").write_text("acknowledged_safety: true\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "TMUX_PANE", "PYTHONPATH")}
    env.update({"TERM": "xterm-256color", "TMUX_TMPDIR": str(sockets),
                "TRAINER_CONFIG_DIR": str(config), "TRAINER_LIBRARY": ""})
    screen = pyte.Screen(100, 30)
    stream = pyte.ByteStream(screen)
    client = pexpect.spawn("tmux", ["-f", "/dev/null", "new-session", "-s", "main"], env=env,
                           dimensions=(30, 100))

    def shown() -> str:
        return "\n".join(screen.display)

    def until(done: Callable[[], bool], what: str) -> None:
        deadline = _monotonic() + 30
        while not done():
            assert _monotonic() < deadline, f"waited for {what}:\n{shown()}"
            try:
                stream.feed(client.read_nonblocking(65536, timeout=0.2))
            except pexpect.TIMEOUT:
                continue

    def outcome() -> str | None:
        with History.open(create=False) as store:
            found = store.reminders_between(at(1, 0, year=2000), at(1, 0, year=2100))
        return found[0].outcome if found else None

    try:
        until(lambda: "[main]" in shown(), "tmux")
        command = shlex.join([sys.executable, "-m", "trainer", "remind", "--once"])
        subprocess.run(["tmux", "send-keys", "-t", "main", command, "Enter"], env=env,
                       check=True, timeout=10)
        until(lambda: "s      snooze 10 minutes" in shown(), "the popup")
        assert "Posture check (2 min) is due." in shown()
        assert "due — Enter/s/k in the popup" in shown()
        client.send("\r")
        until(lambda: outcome() == "started" and "1:trainer" in shown(), "the new window")
    finally:
        subprocess.run(["tmux", "kill-server"], env=env, check=False, timeout=10,
                       capture_output=True)
        client.close(force=True)
        shutil.rmtree(sockets, ignore_errors=True)


def test_a_stopped_service_exits_0_and_takes_its_state_file_with_it(tmp_path: Path) -> None:
    import signal

    from conftest import cli_env

    env = cli_env({"PATH": "/nonexistent"})  # no tmux: nothing but the loop itself
    process = subprocess.Popen([sys.executable, "-m", "trainer", "remind", "--between", "any",
                                "--days", "daily"], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # said as the loop starts; the state file follows
        deadline = _monotonic() + 30
        while read_state() is None:
            assert _monotonic() < deadline, "no state file"
            with pytest.raises(subprocess.TimeoutExpired):
                process.wait(0.05)  # still running (and a moment for it to write)
        state = read_state()
        assert state is not None and state.pid == process.pid and state.due is not None
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert first == b"Reminding: Posture check (2 min), every 1h, any hour, daily. Ctrl+C stops.\n"
    assert out == b""
    assert b"Traceback" not in err and not state_path().exists()
