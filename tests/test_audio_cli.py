"""`trainer sound-test`: which player, why, each cue played, and a failing player's exit status."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from test_audio_players import script

from trainer.audio.synth import CUE_NAMES
from trainer.cli.audio import sound_test


@pytest.fixture
def empty_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PATH with nothing on it (and not over SSH)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    monkeypatch.setenv("TRAINER_CACHE_DIR", str(tmp_path / "cache"))
    for name in ("SSH_CONNECTION", "SSH_TTY", "PULSE_SERVER"):
        monkeypatch.delenv(name, raising=False)
    return folder


def test_the_bell_rings_once_per_cue(empty_path: Path) -> None:
    out = io.StringIO()
    assert sound_test("bell", voice=False, out=out, gap=0) == 0
    text = out.getvalue()
    assert text.startswith("player: bell: chosen with --audio bell\n")
    assert text.count("\a") == len(CUE_NAMES)
    for name in CUE_NAMES:
        assert f"  {name} " in text


def test_no_local_player_says_why_and_fails(empty_path: Path) -> None:
    out = io.StringIO()
    assert sound_test("local", voice=False, out=out, gap=0) == 1
    text = out.getvalue()
    assert "player: bell: no local player found (tried pw-play, paplay, aplay" in text
    # `local` means this machine's speakers only: the bell is not rung in its place.
    assert text.rstrip().endswith("no local player works, so nothing was played "
                                  "(--audio bell tests the bell)")
    assert "\a" not in text


def test_the_bell_reaches_a_real_terminal_as_a_bell(empty_path: Path, tmp_path: Path) -> None:
    # Everything the command prints is cleaned on its way out (^G for a BEL from a file); its
    # own bell must still ring.
    import os
    import sys

    from ptyterm import Terminal

    term = Terminal([sys.executable, "-m", "trainer", "sound-test", "--audio", "bell",
                     "--no-voice"], dict(os.environ))
    try:
        assert term.wait_exit(timeout=30) == 0
    finally:
        term.close()
    assert term.raw.count(b"\x07") == len(CUE_NAMES) and b"^G" not in term.raw


def test_over_ssh_the_bell_is_the_answer(empty_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.2 5000 10.0.0.1 22")
    out = io.StringIO()
    assert sound_test("auto", voice=False, out=out, gap=0) == 0
    assert out.getvalue().startswith("player: bell: over SSH without PULSE_SERVER\n")


def test_audio_off_plays_nothing(empty_path: Path) -> None:
    out = io.StringIO()
    assert sound_test("none", out=out, gap=0) == 0
    assert "\a" not in out.getvalue() and "audio is off" in out.getvalue()


def test_a_player_that_fails_on_real_sounds_is_reported(empty_path: Path) -> None:
    # Passes the probe (silence) but fails on every real cue: a broken sink, say.
    script(empty_path, "paplay", 'case "$1" in *probe.wav) exit 0;; esac\nexit 1')
    out = io.StringIO()
    assert sound_test("auto", voice=False, out=out, gap=0) == 1
    text = out.getvalue()
    assert "player: local: paplay" in text
    assert "failed: paplay failed playing 'get_ready' (exit status 1)" in text


@pytest.mark.skipif(shutil.which("aplay") is None,
                    reason="aplay not installed (alsa-utils; .ci/run installs it)")
def test_sound_test_through_alsa(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    aplay = shutil.which("aplay")
    assert aplay is not None
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "aplay").symlink_to(aplay)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("SSH_CONNECTION", "SSH_TTY"):
        monkeypatch.delenv(name, raising=False)
    capture = tmp_path / "capture.wav"
    (tmp_path / ".asoundrc").write_text(
        f'pcm.!default {{ type file slave.pcm "null" file "{capture}" format "wav" }}\n')
    out = io.StringIO()
    assert sound_test("auto", voice=False, out=out, gap=0) == 0
    assert out.getvalue().startswith("player: local: aplay\n")
    assert capture.stat().st_size > 10_000  # the last cue (complete, 600 ms) was written
