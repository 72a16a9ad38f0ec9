"""End to end: the real `trainer run` in a pty writes desktop notifications at phase changes.

The pty gets the focus-out report a terminal sends when its window loses focus; the bytes the
app wrote are searched for the notification sequences, per terminal, in tmux and in screen.
"""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from osc_wire import E2E_MOMENTS, PHASE_WORDS, Seen, notifications, run_unfocused
from ptyterm import E2E_LIBRARY, Terminal, bare_bells, trainer_env

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")

ST = "\x1b\\"


def ascii_(text: str) -> str:
    """What goes through screen: plain ASCII (see trainer.notify.sequences)."""
    return text.replace("—", "-")
OSC777 = [Seen("777", f"notify;{title};{body}", ST, "") for title, body in E2E_MOMENTS]


def fake_tmux(folder: Path, answer: str) -> tuple[str, Path]:
    """A `tmux` that answers `show -gv allow-passthrough` and notes each call; (PATH, log)."""
    folder.mkdir()
    log = folder / "calls"
    script = folder / "tmux"
    script.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\n'
                      f'if [ "$*" = "show -gv allow-passthrough" ]; then echo {answer}; '
                      'exit 0; fi\n'
                      "exit 1\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return f"{folder}{os.pathsep}{os.environ.get('PATH', '')}", log


def run(tmp_path: Path, *args: str, focus_out: bool = True,
        **env: str) -> Terminal:
    """`trainer run e2e` (no sound: a bell seen is the notifier's) to its end; the terminal."""
    term = Terminal.trainer("run", "e2e", "--audio", "none", *args,
                            env=trainer_env(tmp_path, **env), watch=PHASE_WORDS)
    try:
        status = run_unfocused(term, focus_out=focus_out)
    finally:
        term.close()
    assert status == 0
    assert term.stray() == []
    return term


def test_a_plain_terminal_asked_for_osc777(tmp_path: Path) -> None:
    term = run(tmp_path, "--notify", "osc777")
    assert notifications(bytes(term.raw)) == OSC777


def test_nothing_while_the_terminal_has_focus(tmp_path: Path) -> None:
    term = run(tmp_path, "--notify", "osc777", focus_out=False)
    assert notifications(bytes(term.raw)) == []


def test_nothing_for_an_unknown_terminal_by_default(tmp_path: Path) -> None:
    term = run(tmp_path)
    assert notifications(bytes(term.raw)) == []


def test_wezterm_gets_osc777(tmp_path: Path) -> None:
    term = run(tmp_path, TERM_PROGRAM="WezTerm")
    assert notifications(bytes(term.raw)) == OSC777


def test_iterm2_gets_osc9(tmp_path: Path) -> None:
    term = run(tmp_path, TERM_PROGRAM="iTerm.app")
    assert notifications(bytes(term.raw)) == [
        Seen("9", f"{title} · {body}", ST, "") for title, body in E2E_MOMENTS]


def test_kitty_gets_osc99_title_then_body(tmp_path: Path) -> None:
    term = run(tmp_path, KITTY_WINDOW_ID="1", TERM="xterm-kitty")
    expected = []
    for title, body in E2E_MOMENTS:
        expected += [Seen("99", f"i=trainer:d=0:s=system:p=title;{title}", ST, ""),
                     Seen("99", f"i=trainer:d=1:s=system:p=body;{body}", ST, "")]
    assert notifications(bytes(term.raw)) == expected


def test_in_tmux_with_passthrough_on_they_are_wrapped(tmp_path: Path) -> None:
    path, log = fake_tmux(tmp_path / "bin", "on")
    term = run(tmp_path, TMUX="/tmp/tmux-0/default,1,0", TERM_PROGRAM="tmux", WEZTERM_PANE="0",
               TERM="tmux-256color", PATH=path)
    assert notifications(bytes(term.raw)) == [
        Seen("777", f"notify;{title};{body}", "\x07", "tmux") for title, body in E2E_MOMENTS]
    assert log.read_text().splitlines() == ["show -gv allow-passthrough"]  # asked once
    assert not any("allow-passthrough" in screen for screen in term.screens)


def test_in_tmux_with_passthrough_off_the_bell_rings_and_the_fix_is_shown(
        tmp_path: Path) -> None:
    path, log = fake_tmux(tmp_path / "bin", "off")
    term = run(tmp_path, "--notify", "osc777", TMUX="/tmp/tmux-0/default,1,0",
               TERM_PROGRAM="tmux", TERM="tmux-256color", PATH=path)
    raw = bytes(term.raw)
    assert notifications(raw) == []
    assert b"\x1bPtmux;" not in raw
    # One bell per notification, unwrapped (audio is off: these are the notifier's).
    assert len([b for b in bare_bells(raw) if b > term.first_seen["GET READY"]]) >= len(
        E2E_MOMENTS)
    assert any("allow-passthrough" in screen for screen in term.screens)
    assert log.read_text().splitlines() == ["show -gv allow-passthrough"]


def test_in_screen_they_are_wrapped_in_dcs(tmp_path: Path) -> None:
    term = run(tmp_path, "--notify", "osc777", STY="1234.pts-0.host", TERM="screen-256color")
    assert notifications(bytes(term.raw)) == [
        Seen("777", f"notify;{ascii_(title)};{ascii_(body)}", "\x07", "screen")
        for title, body in E2E_MOMENTS]


# -- the real multiplexers -----------------------------------------------------------------------

def inner_command(*args: str) -> str:
    """`trainer run e2e` as a shell command for a tmux or screen window."""
    return shlex.join([sys.executable, "-m", "trainer", "run", "e2e", "--audio", "none", *args,
                       "--library", str(E2E_LIBRARY)])


def outside(tmp_path: Path) -> dict[str, str]:
    """The environment of a terminal that is not itself in tmux or screen."""
    env = trainer_env(tmp_path)
    for key in ("TMUX", "TMUX_PANE", "STY", "WINDOW", "TERM_PROGRAM"):
        env.pop(key, None)
    return env


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux (3.3 or later)")
def test_through_a_real_tmux_with_allow_passthrough_on(tmp_path: Path) -> None:
    socket = tmp_path / "tmux.sock"
    conf = tmp_path / "tmux.conf"
    # focus-events: tmux asks the outer terminal for focus reports and hands them on.
    conf.write_text("set -g allow-passthrough on\nset -g focus-events on\nset -g status off\n")
    term = Terminal(["tmux", "-S", str(socket), "-f", str(conf), "new-session",
                     inner_command("--notify", "osc777")], outside(tmp_path), watch=PHASE_WORDS)
    try:
        status = run_unfocused(term)
    finally:
        term.close()
        subprocess.run(["tmux", "-S", str(socket), "kill-server"], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert status == 0
    # tmux took the wrapping off: the outer terminal gets the OSC itself.
    assert notifications(bytes(term.raw)) == [
        Seen("777", f"notify;{title};{body}", "\x07", "") for title, body in E2E_MOMENTS]


@pytest.mark.skipif(shutil.which("screen") is None, reason="needs GNU screen")
def test_through_a_real_gnu_screen(tmp_path: Path) -> None:
    env = outside(tmp_path)
    screens = tmp_path / "screens"
    screens.mkdir(mode=0o700)
    env["SCREENDIR"] = str(screens)
    # screen keeps focus reports to itself: --notify-always stands in for a window left.
    term = Terminal(["screen", "-c", os.devnull, "-S", "trainer-test", "sh", "-c",
                     inner_command("--notify", "osc777", "--notify-always")], env,
                    watch=PHASE_WORDS)
    try:
        status = run_unfocused(term, focus_out=False)
    finally:
        term.close()
    assert status == 0
    # Unwrapped by screen, and whole: screen would keep one byte of each non-ASCII character.
    assert notifications(bytes(term.raw)) == [
        Seen("777", f"notify;{ascii_(title)};{ascii_(body)}", "\x07", "")
        for title, body in E2E_MOMENTS]
