"""Players: choosing one (SSH, no player, a broken one), and a local player that really plays."""

from __future__ import annotations

import shutil
import struct
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import FakeClock
from test_audio_sounds import dominant_frequency, samples_of

from trainer.audio.cues import load_cue_set
from trainer.audio.pcm import AudioSegment
from trainer.audio.players import (
    HANG_GRACE,
    BellPlayer,
    LocalPlayer,
    NonePlayer,
    RecordingPlayer,
    Sound,
    choose_player,
    find_local_player,
    make_sound,
)

ALL = "pw-play, paplay, aplay, afplay, ffplay"


def script(folder: Path, name: str, body: str) -> Path:
    """An executable shell script standing in for a player program."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


def cue(name: str = "tick") -> Sound:
    """A shipped cue as a Sound."""
    return make_sound(name, load_cue_set().sounds[name])


def ring_into(rung: list[str]) -> BellPlayer:
    """A bell that records what rang."""
    return BellPlayer(rung.append)


# -- choosing ----------------------------------------------------------------------------------

def test_auto_over_ssh_rings_the_bell(tmp_path: Path) -> None:
    player, reason = choose_player("auto", ring=print,
                                   env={"SSH_CONNECTION": "10.0.0.2 50000 10.0.0.1 22",
                                        "PATH": str(tmp_path)})
    assert isinstance(player, BellPlayer)
    assert reason == "bell: over SSH without PULSE_SERVER"
    player, reason = choose_player("auto", ring=print, env={"SSH_TTY": "/dev/pts/3",
                                                            "PATH": str(tmp_path)})
    assert reason == "bell: over SSH without PULSE_SERVER"


def test_auto_over_ssh_with_pulse_forwarded_uses_a_local_player(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    script(bin_dir, "paplay", "exit 0")
    player, reason = choose_player("auto", ring=print,
                                   env={"SSH_CONNECTION": "x", "PULSE_SERVER": "tcp:localhost",
                                        "PATH": str(bin_dir)})
    assert isinstance(player, LocalPlayer) and reason == "local: paplay"


def test_no_local_player_means_the_bell_and_says_why(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    player, reason = choose_player("auto", ring=print, env={"PATH": str(empty)})
    assert isinstance(player, BellPlayer)
    assert reason == f"bell: no local player found (tried {ALL})"
    player, reason = choose_player("local", ring=print, env={"PATH": str(empty)})
    assert isinstance(player, BellPlayer) and "no local player found" in reason


def test_players_that_exist_but_fail_are_skipped_with_reasons(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    script(bin_dir, "pw-play", "exit 1")
    # ffplay exits 0 even without an audio device; its log gives it away.
    script(bin_dir, "ffplay", "echo 'No more combinations to try, audio open failed' >&2")
    player, reason = choose_player("auto", ring=print, env={"PATH": str(bin_dir)})
    assert isinstance(player, BellPlayer)
    assert reason == ("bell: no local player works (pw-play exited with status 1; "
                      "ffplay found no audio device)")
    script(bin_dir, "aplay", "exit 0")
    player, reason = choose_player("auto", ring=print, env={"PATH": str(bin_dir)})
    assert isinstance(player, LocalPlayer) and reason == "local: aplay"
    assert player.command(Path("x.wav"))[1:] == ["-q", "x.wav"]


def test_explicit_modes(tmp_path: Path) -> None:
    assert isinstance(choose_player("none", ring=print)[0], NonePlayer)
    player, reason = choose_player("bell", ring=print, env={"PATH": str(tmp_path)})
    assert isinstance(player, BellPlayer) and reason.startswith("bell:")
    with pytest.raises(ValueError, match="unknown audio mode 'loud'"):
        choose_player("loud", ring=print)


def test_ffplay_is_run_without_a_window_or_log() -> None:
    player = LocalPlayer("ffplay", "/usr/bin/ffplay")
    assert player.command(Path("c.wav")) == ["/usr/bin/ffplay", "-nodisp", "-autoexit",
                                             "-loglevel", "quiet", "c.wav"]


# -- playing -----------------------------------------------------------------------------------

def test_bell_recording_and_none_players() -> None:
    rung: list[str] = []
    ring_into(rung).play(cue("rest"))
    assert rung == ["rest"]
    clock = FakeClock()
    recorder = RecordingPlayer(clock)
    recorder.play(cue("tick"))
    clock.advance(2)
    recorder.play(cue("rep"))
    assert recorder.played == [(1000.0, "tick"), (1002.0, "rep")]
    NonePlayer().play(cue())


def test_a_local_player_never_writes_to_the_terminal(tmp_path: Path,
                                                     capfd: pytest.CaptureFixture[str]) -> None:
    noisy = script(tmp_path / "bin", "noisyplay",
                   'echo "ALSA lib pcm.c: Unknown PCM default" >&2; echo playing "$1"; exit 0')
    player = LocalPlayer("noisyplay", str(noisy))
    player.play(cue())
    assert player.wait(10)
    assert player.failed is None
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    player.close()


def test_play_does_not_wait_for_the_sound_and_a_hung_player_is_stopped(tmp_path: Path) -> None:
    slow = script(tmp_path / "bin", "slowplay", "exec sleep 60")
    clock = FakeClock()
    failures: list[str] = []
    player = LocalPlayer("slowplay", str(slow), on_failure=failures.append, clock=clock)
    sound = cue()
    player.prepare([sound])
    started = time.perf_counter()
    player.play(sound)
    assert time.perf_counter() - started < 0.5  # a 60 s player, and play() is back at once
    assert player.busy == 1
    clock.advance(HANG_GRACE + 1)
    player.poll()
    assert player.busy == 0
    assert failures == ["slowplay hung playing 'tick'"]
    player.close()


def test_a_player_that_cannot_start_is_reported_once(tmp_path: Path) -> None:
    failures: list[str] = []
    player = LocalPlayer("gone", str(tmp_path / "gone"), on_failure=failures.append)
    player.play(cue())
    player.play(cue())
    assert len(failures) == 1 and failures[0].startswith("gone could not start")


def test_sounds_are_written_once_and_removed_on_close(tmp_path: Path) -> None:
    ok = script(tmp_path / "bin", "okplay", "exit 0")
    player = LocalPlayer("okplay", str(ok))
    sound = cue()
    player.prepare([sound, sound])
    files = list(player._folder.iterdir()) if player._folder else []
    assert len(files) == 1 and files[0].suffix == ".wav"
    player.play(sound)
    assert player.wait(10)
    player.close()
    assert not files[0].exists()


def read_capture(path: Path) -> Any:
    """The audio ALSA's file plugin wrote (its header's sizes are not always final)."""
    raw = path.read_bytes()
    data = raw.index(b"data") + 8
    rate = struct.unpack_from("<I", raw, 24)[0]
    return AudioSegment(data=raw[data:], sample_width=2, frame_rate=rate, channels=1)


@pytest.mark.skipif(shutil.which("aplay") is None,
                    reason="aplay not installed (alsa-utils; .ci/run installs it)")
def test_aplay_really_plays_the_cue_through_alsa(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    capture = tmp_path / "capture.wav"
    (tmp_path / ".asoundrc").write_text(
        f'pcm.!default {{ type file slave.pcm "null" file "{capture}" format "wav" }}\n')
    monkeypatch.setenv("HOME", str(tmp_path))
    found, reason = find_local_player(("aplay",))  # the probe plays through ALSA too
    assert found is not None, reason
    assert reason == "local: aplay"
    failures: list[str] = []
    player = LocalPlayer("aplay", found.path, on_failure=failures.append)
    for name, pitch in (("tick", 880), ("rest", 349)):
        capture.unlink(missing_ok=True)
        player.play(cue(name))
        assert player.wait(10)
        assert failures == []
        heard = samples_of(read_capture(capture))
        loud = [i for i, x in enumerate(heard) if abs(x) > 100]
        assert loud, f"nothing was played into {capture}"
        sound = heard[loud[0]:loud[-1] + 1]
        expected = len(load_cue_set().sounds[name].raw_data) // 2
        assert abs(len(sound) - expected) < 0.01 * 22050, (name, len(sound), expected)
        assert abs(dominant_frequency(sound) / pitch - 1) < 0.035, name
    player.close()
