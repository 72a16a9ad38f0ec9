"""Desktop notifications: the bytes each terminal gets, tmux and screen, clean text, the moments.

Then the app: a Pilot test that a focused terminal is not notified and an unfocused one is, and
the tmux check with its one hint and the bell instead.
"""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from conftest import FakeClock
from pilot_helpers import Notices, load_fixture_library, make_app, session_screen, spy_bell, tick
from textual import events

from trainer.notify.moments import moment
from trainer.notify.sequences import (
    SCREEN_LIMIT,
    build,
    choose,
    clean,
    notification,
    passthrough_allowed,
    wrap,
)
from trainer.session.catalog import Catalog
from trainer.session.engine import Event
from trainer.session.timeline import Timeline
from trainer.ui.notifier import PASSTHROUGH_HINT, Notifier

ST = "\x1b\\"
TITLE, BODY = "Work: Glute bridge", "Set 1 of 3 · 12 reps"
OSC777 = f"\x1b]777;notify;{TITLE};{BODY}"
OSC99_TITLE = f"\x1b]99;i=trainer:d=0:s=system:p=title;{TITLE}"
OSC99_BODY = f"\x1b]99;i=trainer:d=1:s=system:p=body;{BODY}"
OSC9 = f"\x1b]9;{TITLE} · {BODY}"


@pytest.fixture
def library() -> Catalog:
    return load_fixture_library()


# -- which terminal gets what ----------------------------------------------------------------

@pytest.mark.parametrize(("env", "expected"), [
    ({"TERM": "xterm-256color"}, None),  # unknown: nothing unless asked for by name
    ({}, None),
    ({"KITTY_WINDOW_ID": "1", "TERM": "xterm-kitty"}, "osc99"),
    ({"TERM": "xterm-kitty"}, "osc99"),  # kitty over SSH: only TERM arrives
    ({"TERM_PROGRAM": "WezTerm"}, "osc777"),
    ({"WEZTERM_PANE": "3", "TERM_PROGRAM": "tmux", "TMUX": "/tmp/t,1,0"}, "osc777"),
    ({"TERM_PROGRAM": "ghostty"}, "osc777"),
    ({"TERM": "xterm-ghostty"}, "osc777"),
    ({"TERM_PROGRAM": "iTerm.app"}, "osc9"),
    ({"LC_TERMINAL": "iTerm2", "TERM": "xterm-256color"}, "osc9"),  # iTerm2 over SSH
    ({"TERM": "foot"}, "osc777"),
    ({"TERM": "foot-extra"}, "osc777"),
    ({"VTE_VERSION": "7600", "TERM": "xterm-256color"}, "osc777"),
    ({"TERM": "rxvt-unicode-256color"}, "osc777"),
    # ConEmu's `OSC 9 ; N` commands: never OSC 9 there, nor a guess.
    ({"WT_SESSION": "abc", "TERM_PROGRAM": "iTerm.app"}, None),
    ({"ConEmuPID": "42", "LC_TERMINAL": "iTerm2"}, None),
    ({"TERM_PROGRAM": "mintty"}, None),
    ({"TERM_PROGRAM": "Apple_Terminal"}, None),
])
def test_auto_chooses_by_terminal(env: dict[str, str], expected: str | None) -> None:
    assert choose("auto", env) == expected


def test_a_named_protocol_is_used_anywhere_and_off_is_off() -> None:
    for mode in ("osc777", "osc99", "osc9"):
        assert choose(mode, {"WT_SESSION": "1"}) == mode
    assert choose("off", {"KITTY_WINDOW_ID": "1"}) is None
    assert choose("nonsense", {"KITTY_WINDOW_ID": "1"}) is None


@pytest.mark.parametrize(("env", "expected"), [
    ({"TERM": "xterm-256color", "mode": "osc777"}, OSC777 + ST),
    ({"TERM_PROGRAM": "WezTerm"}, OSC777 + ST),
    ({"VTE_VERSION": "7600"}, OSC777 + ST),
    ({"KITTY_WINDOW_ID": "1"}, OSC99_TITLE + ST + OSC99_BODY + ST),
    ({"TERM_PROGRAM": "iTerm.app"}, OSC9 + ST),
])
def test_the_bytes_each_terminal_gets(env: dict[str, str], expected: str) -> None:
    mode = env.pop("mode", "auto")
    assert build(mode, TITLE, BODY, env) == expected


def test_kitty_without_a_body_is_one_sequence() -> None:
    got = notification("osc99", "Switch sides", "")
    assert got == "\x1b]99;i=trainer:s=system:p=title;Switch sides" + ST


def test_osc9_never_starts_like_a_conemu_command() -> None:
    assert notification("osc9", "", "4 rounds left") == "\x1b]9;trainer: 4 rounds left" + ST
    assert notification("osc9", "Rest", "") == "\x1b]9;Rest" + ST


def test_an_unknown_protocol_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        notification("osc1337", "a", "b")


def test_nothing_for_an_unknown_terminal_or_off() -> None:
    assert build("auto", TITLE, BODY, {"TERM": "xterm"}) is None
    assert build("off", TITLE, BODY, {"KITTY_WINDOW_ID": "1"}) is None


# -- tmux and screen ---------------------------------------------------------------------------

def test_tmux_passthrough_doubles_every_escape_and_ends_the_inner_osc_with_bel() -> None:
    env = {"TMUX": "/tmp/tmux-0/default,1,0", "TERM_PROGRAM": "tmux"}
    got = build("osc777", TITLE, BODY, env)
    assert got == f"\x1bPtmux;\x1b\x1b]777;notify;{TITLE};{BODY}\x07\x1b\\"


def test_tmux_passthrough_of_kittys_two_sequences() -> None:
    env = {"TMUX": "/tmp/tmux-0/default,1,0", "KITTY_WINDOW_ID": "1"}
    inner = (OSC99_TITLE + "\x07" + OSC99_BODY + "\x07").replace("\x1b", "\x1b\x1b")
    assert build("auto", TITLE, BODY, env) == "\x1bPtmux;" + inner + ST


def test_screen_wraps_in_dcs_and_plain_ascii() -> None:
    env = {"STY": "1234.pts-0.host", "TERM_PROGRAM": "WezTerm"}
    got = build("auto", "Rest over — next: Crème brûlée", BODY, env)
    assert got == ("\x1bP\x1b]777;notify;Rest over - next: Creme brulee;Set 1 of 3 - 12 reps"
                   "\x07\x1b\\")


def test_what_goes_through_screen_has_no_byte_screen_could_turn_into_a_control() -> None:
    # screen keeps the low byte of each character: U+011B would become ESC, U+013B a ";".
    got = build("osc777", "ě]0;x", "\u013b\u0107\u2007\U0001f600", {"STY": "1.x"})
    assert got is not None and got.isascii()
    inner = got.removeprefix("\x1bP").removesuffix("\x07\x1b\\")
    assert inner == "\x1b]777;notify;e]0 x;Lc ?"


def test_screen_pieces_keep_within_its_768_bytes() -> None:
    sequence = notification("osc99", "é" * 300, "ü" * 300, terminator="\x07")
    wrapped = wrap(sequence, {"STY": "1.x"})
    pieces = wrapped.split("\x1b\\")[:-1]
    assert len(pieces) > 1
    for piece in pieces:
        assert piece.startswith("\x1bP")
        assert len((piece + "\x1b\\").encode()) <= SCREEN_LIMIT
        assert not piece.endswith("\x1b")  # never cut between an ESC and what follows
    # Unwrapped, the pieces are the sequence again.
    assert "".join(p.removeprefix("\x1bP") for p in pieces) == sequence


def test_tmux_wins_over_screen_and_nothing_else_wraps() -> None:
    assert wrap("\x1b]9;x\x07", {"TMUX": "t", "STY": "s"}).startswith("\x1bPtmux;")
    assert wrap("\x1b]9;x\x1b\\", {"TERM": "xterm"}) == "\x1b]9;x\x1b\\"


def fake_run(stdout: bytes = b"", returncode: int = 0,
             raises: BaseException | None = None) -> Any:
    """A subprocess.run stand-in that records its call."""
    calls: list[dict[str, Any]] = []

    def run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        calls.append({"args": args, **kwargs})
        if raises is not None:
            raise raises
        return subprocess.CompletedProcess(args, returncode, stdout, b"")

    run.calls = calls  # type: ignore[attr-defined]
    return run


@pytest.mark.parametrize(("run", "expected"), [
    (fake_run(b"on\n"), True),
    (fake_run(b"all\n"), True),
    (fake_run(b"off\n"), False),
    (fake_run(b"", returncode=1), None),  # tmux before 3.3: no such option
    (fake_run(raises=FileNotFoundError("tmux")), None),
    (fake_run(raises=subprocess.TimeoutExpired("tmux", 2)), None),
    (fake_run(b"\xff\xfe"), None),
])
def test_passthrough_allowed_never_raises(run: Any, expected: bool | None) -> None:
    assert passthrough_allowed(run) is expected
    call = run.calls[0]
    assert call["args"] == ["tmux", "show", "-gv", "allow-passthrough"]
    assert call["stderr"] is subprocess.DEVNULL and call["timeout"] > 0


# -- clean text --------------------------------------------------------------------------------

def test_clean_strips_escapes_bells_c1_and_semicolons() -> None:
    hostile = "Squat\x1b]52;c;ZXZpbA==\x07 \x1b\\now\x9d0;title\x9c;\x07 done\x00\x7f"
    text = clean(hostile)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in text)
    assert ";" not in text
    assert text == "Squat ]52 c ZXZpbA== \\now 0 title done"


def test_clean_shows_bidi_overrides_and_keeps_one_line() -> None:
    assert clean("Left\u202eright\n\tnext   line") == "Left<U+202E>right next line"


def test_clean_cuts_long_text() -> None:
    text = clean("word " * 100, limit=20)
    assert len(text) == 20 and text.endswith("…")


def test_a_hostile_name_cannot_end_the_sequence() -> None:
    got = build("osc777", "Work: x\x1b\\\x1b]0;pwned\x07", "y;z\x9c", {"TMUX": "t"})
    assert got is not None
    inner = got.removeprefix("\x1bPtmux;").removesuffix("\x1b\\")
    assert "\x1b\\" not in inner.replace("\x1b\x1b", "")
    assert inner.count("\x07") == 1 and inner.count(";") == 3


# -- the moments -------------------------------------------------------------------------------

def phase_events(timeline: Timeline) -> list[list[Event]]:
    """Each phase's events as the engine gives them, all at its start."""
    out = []
    for phase in timeline.phases:
        batch = [Event("phase_started", phase, 0.0, 0)]
        batch += [Event(cue.kind, phase, 0.0, 0, cue.value) for cue in phase.cues]
        if phase.kind == "done":
            batch = [Event("finished", phase, 0.0, 0)]
        out.append(batch)
    return out


TINY_MOMENTS = [
    None,                                                                   # get ready
    ("Hold: Overhead reach", "5 seconds · left side"),
    ("Switch sides", "Next: Overhead reach, 5 seconds · right side"),
    ("Hold: Overhead reach", "5 seconds · right side"),
    None,                                                                   # rest
    ("Rest over — next: Bird dog", "4 reps · alternating sides · Enter when done"),
    None,                                                                   # rest
    ("Rest over — next: Bridge", "3 reps"),
    ("Session complete: Tiny routine", "Well done."),
]


def test_the_moments_that_notify_and_their_words(library: Catalog) -> None:
    timeline = library.timeline("tiny")
    got = [moment(batch, timeline, library.exercises) for batch in phase_events(timeline)]
    assert got == TINY_MOMENTS


def test_countdowns_and_ticks_alone_do_not_notify(library: Catalog) -> None:
    timeline = library.timeline("tiny")
    hold = timeline.phases[1]
    assert moment([Event("countdown", hold, 0.0, 0, 1), Event("halfway", hold, 0.0, 0)],
                  timeline) is None
    assert moment([], timeline) is None


def test_a_late_tick_over_several_phases_notifies_once(library: Catalog) -> None:
    timeline = library.timeline("tiny")
    batches = phase_events(timeline)
    assert moment(batches[1] + batches[2] + batches[3], timeline) == TINY_MOMENTS[3]


def test_a_right_side_without_a_switch_phase_says_switch(library: Catalog) -> None:
    timeline = library.timeline("tiny")
    phases = list(timeline.phases)
    right = phases[3]
    no_switch = Timeline(timeline.routine_id, timeline.routine_name,
                         (phases[0], phases[1], right))
    got = moment([Event("phase_started", right, 0.0, 0)], no_switch)
    assert got == ("Switch sides: Overhead reach", "5 seconds · right side")


# -- the app -----------------------------------------------------------------------------------

def notifier_for(app: Any, written: list[str], *, mode: str = "osc777", always: bool = False,
                 env: dict[str, str] | None = None, check: Any = None,
                 said: list[str] | None = None) -> Notifier:
    """A notifier writing into a list, in place of the app's own."""
    notifier = Notifier(app, lambda: mode, lambda: always, env=env or {"TERM": "xterm"},
                        write=written.append, check=check or (lambda: True),
                        say=None if said is None else said.append)
    app.notifier = notifier
    return notifier


async def run_tiny_unattended(pilot: Any, clock: FakeClock) -> None:
    """The tiny routine to its end without a key (a key press means the person is back)."""
    for _ in range(20):
        await tick(pilot, clock)
    session_screen(pilot.app).action_done()
    await pilot.pause()
    for _ in range(8):
        await tick(pilot, clock)


async def tmux_answered(pilot: Any) -> None:
    """Wait for the notifier's tmux check (a thread worker), if it is still running."""
    workers = [w for w in pilot.app.workers if w.group == "notify"]
    if workers:  # an empty list would mean "wait for every worker", the session's too
        await pilot.app.workers.wait_for_complete(workers)
    await pilot.pause()
    assert pilot.app.notifier.passthrough is not None


def titles(written: list[str]) -> list[str]:
    """The titles of OSC 777 notifications."""
    return [w.split(";")[2] for w in written]


async def test_a_focused_terminal_is_not_notified(library: Catalog, clock: FakeClock) -> None:
    app = make_app(library, clock, routine_id="tiny")
    written: list[str] = []
    notifier_for(app, written)
    async with app.run_test() as pilot:
        await pilot.pause()
        await run_tiny_unattended(pilot, clock)
    assert written == []


async def test_an_unfocused_terminal_is_notified_at_each_moment(library: Catalog,
                                                                 clock: FakeClock) -> None:
    app = make_app(library, clock, routine_id="tiny")
    written: list[str] = []
    notifier_for(app, written)
    async with app.run_test() as pilot:
        await pilot.pause()
        app.post_message(events.AppBlur())
        await pilot.pause()
        assert not app.app_focus
        await run_tiny_unattended(pilot, clock)
    expected = [m for m in TINY_MOMENTS if m is not None]
    assert written == [f"\x1b]777;notify;{t};{b}{ST}" for t, b in expected]


async def test_focus_coming_back_stops_them(library: Catalog, clock: FakeClock) -> None:
    app = make_app(library, clock, routine_id="tiny")
    written: list[str] = []
    notifier_for(app, written)
    async with app.run_test() as pilot:
        await pilot.pause()
        app.post_message(events.AppBlur())
        for _ in range(4):
            await tick(pilot, clock)  # the hold has begun: notified
        app.post_message(events.AppFocus())
        await pilot.pause()
        await run_tiny_unattended(pilot, clock)
    assert titles(written) == ["Hold: Overhead reach"]


async def test_always_notifies_while_focused(library: Catalog, clock: FakeClock) -> None:
    app = make_app(library, clock, routine_id="tiny")
    written: list[str] = []
    notifier_for(app, written, always=True)
    async with app.run_test() as pilot:
        await pilot.pause()
        await run_tiny_unattended(pilot, clock)
    assert titles(written)[-1] == "Session complete: Tiny routine"


async def test_the_app_takes_its_settings_from_the_command_line(library: Catalog,
                                                                clock: FakeClock) -> None:
    app = make_app(library, clock, notify="osc99", notify_always=True)
    assert app.notifier.mode() == "osc99" and app.notifier.always()
    plain = make_app(library, clock)
    assert plain.notifier.mode() == "auto" and not plain.notifier.always()
    plain.config.notify, plain.config.notify_focused = "off", True  # config.yaml, reloaded
    assert plain.notifier.mode() == "off" and plain.notifier.always()


async def test_headless_without_a_writer_nothing_is_written(library: Catalog,
                                                            clock: FakeClock) -> None:
    app = make_app(library, clock, routine_id="tiny", notify="osc777", notify_always=True)
    async with app.run_test() as pilot:
        await pilot.pause()
        app.notifier.send("Work", "x")  # through the driver, which is headless: nothing
        await pilot.pause()


async def test_tmux_without_passthrough_rings_the_bell_and_says_how_once(
        library: Catalog, clock: FakeClock) -> None:
    app = make_app(library, clock, routine_id="tiny")
    written: list[str] = []
    said: list[str] = []
    asked: list[int] = []

    def check() -> bool:
        asked.append(1)
        return False

    notifier_for(app, written, env={"TMUX": "/tmp/t,1,0", "TERM_PROGRAM": "WezTerm"},
                 mode="auto", check=check, said=said)
    bells = spy_bell(app)
    async with app.run_test() as pilot:
        await pilot.pause()
        app.post_message(events.AppBlur())
        await pilot.pause()
        for _ in range(4):
            await tick(pilot, clock)
        await tmux_answered(pilot)
        before = len(bells)
        assert before >= 1
        for _ in range(6):
            await tick(pilot, clock)  # the switch (the cue player's bell rings too)
        assert len(bells) > before
    assert written == [] and asked == [1]
    assert said == [PASSTHROUGH_HINT]
    assert "set -g allow-passthrough on" in PASSTHROUGH_HINT


async def test_tmux_with_passthrough_sends_it_wrapped(library: Catalog,
                                                      clock: FakeClock) -> None:
    app = make_app(library, clock, routine_id="tiny")
    written: list[str] = []
    notices = Notices()
    notifier_for(app, written, env={"TMUX": "/tmp/t,1,0"}, check=lambda: True)
    async with app.run_test(message_hook=notices) as pilot:
        await pilot.pause()
        app.post_message(events.AppBlur())
        for _ in range(4):
            await tick(pilot, clock)
        await tmux_answered(pilot)
    assert written == ["\x1bPtmux;\x1b\x1b]777;notify;Hold: Overhead reach;"
                       "5 seconds · left side\x07\x1b\\"]
    assert not any("passthrough" in m for m in notices.messages)


# -- the command line --------------------------------------------------------------------------

def test_the_command_line_hands_notify_to_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    from ptyterm import E2E_LIBRARY

    from trainer.cli import main as cli

    monkeypatch.setattr(cli, "_needs_terminal", lambda: False)
    lib = ["--library", str(E2E_LIBRARY)]
    launch = cli.main(["run", "e2e", "--notify", "osc99", "--notify-always", *lib])
    assert isinstance(launch, cli.AppLaunch)
    assert (launch.notify, launch.notify_always) == ("osc99", True)
    launch = cli.main(["run", "e2e", *lib])
    assert isinstance(launch, cli.AppLaunch)
    assert (launch.notify, launch.notify_always) == (None, False)  # config.yaml decides
    launch = cli.main(["timer", "45s", "--notify", "off"])
    assert isinstance(launch, cli.AppLaunch) and launch.notify == "off"


def test_the_command_line_refuses_an_unknown_mode(capsys: pytest.CaptureFixture[str]) -> None:
    from trainer.cli import main as cli

    with pytest.raises(SystemExit):
        cli.main(["run", "e2e", "--notify", "growl"])
    assert "invalid choice" in capsys.readouterr().err


def test_the_one_write_goes_through_the_driver_unless_headless_or_gone() -> None:
    from types import SimpleNamespace

    from trainer.ui.notifier import write_to_terminal

    out: list[str] = []
    live = SimpleNamespace(_driver=SimpleNamespace(is_headless=False, write=out.append))
    headless = SimpleNamespace(_driver=SimpleNamespace(is_headless=True, write=out.append))
    assert write_to_terminal(live, "\x1b]9;x\x1b\\")  # type: ignore[arg-type]
    assert not write_to_terminal(headless, "y")  # type: ignore[arg-type]
    assert not write_to_terminal(SimpleNamespace(_driver=None), "z")  # type: ignore[arg-type]
    assert out == ["\x1b]9;x\x1b\\"]
