"""End to end over "SSH": the real `trainer run` in a pty rings the terminal bell at each phase.

SSH_CONNECTION is set as sshd sets it; with no --audio flag, auto must choose the bell. The
bytes the pty receives are what an SSH client would carry to the person's terminal.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest
from ptyterm import Terminal, bare_bells, trainer_env

from trainer.audio.players import LOCAL_PLAYERS

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")

# Each phase start of the e2e routine (1 s get ready, 2 s hold, 1 s rest, 2 s work) and the end,
# as the screen shows them.
PHASE_WORDS = ("GET READY", "HOLD", "REST", "WORK", "Well done.")
NOISE = "ALSA lib pcm.c:2664:(snd_pcm_open_noupdate) Unknown PCM default"


def fake_players(folder: Path, played: Path) -> str:
    """Every local player name as a script that notes each play and complains like ALSA does.

    It passes the probe (exit 0), so whichever is chosen really is used. Returns a PATH with
    these first.
    """
    folder.mkdir()
    played.mkdir()
    body = (f'#!/bin/sh\n: > "{played}/$$"\n'
            f'echo "{NOISE}" >&2\necho "{NOISE}"\nexit 0\n')
    for name in LOCAL_PLAYERS:
        script = folder / name
        script.write_text(body)
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"


def test_over_ssh_the_bell_rings_at_every_phase_change(tmp_path: Path) -> None:
    played = tmp_path / "played"
    env = trainer_env(tmp_path, SSH_CONNECTION="127.0.0.1 1 127.0.0.1 22",
                      PATH=fake_players(tmp_path / "bin", played))
    term = Terminal.trainer("run", "e2e", env=env, watch=PHASE_WORDS)
    try:
        for word in PHASE_WORDS:
            term.wait_for(word)
        term.child.send("\x11")  # ctrl+q (the check-in boxes take plain keys)
        status = term.wait_exit()
    finally:
        term.close()
    assert status == 0
    raw = bytes(term.raw)
    bells = bare_bells(raw)
    # The bell for a phase rings in the tick that starts it, just before the frame showing it:
    # between the previous phase word's first frame and this one's.
    before = 0
    for word in PHASE_WORDS:
        at = term.first_seen[word]
        assert any(before <= b < at for b in bells), (
            f"no BEL for {word!r} (bytes {before}..{at}); bells at {bells}")
        before = at
    assert len(bells) >= len(PHASE_WORDS)
    assert not list(played.iterdir()), "a local player was run over SSH"
    assert term.stray() == []
    # The bell is what SSH is expected to give: no notice about it.
    assert not any("terminal bell" in screen for screen in term.screens)


def test_a_noisy_local_player_never_writes_over_the_screen(tmp_path: Path) -> None:
    played = tmp_path / "played"
    env = trainer_env(tmp_path, PATH=fake_players(tmp_path / "bin", played))
    term = Terminal.trainer("run", "e2e", "--audio", "local", env=env, watch=PHASE_WORDS)
    try:
        for word in PHASE_WORDS:
            term.wait_for(word)
        term.child.send("\x11")
        status = term.wait_exit()
    finally:
        term.close()
    assert status == 0
    # The cues went to the (fake) player: one play per cue, get ready's possibly to the bell
    # while the player was being found. Its complaints on stdout and stderr went nowhere.
    assert len(list(played.iterdir())) >= len(PHASE_WORDS) - 1
    assert term.stray() == []
