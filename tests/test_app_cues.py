"""Pilot tests of the cues as a person hears them: order, mute, volume, and the bell fallback.

Time comes from a fake clock (nothing sleeps); the player is a RecordingPlayer, or the one the
app chooses itself from a PATH the test controls.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from conftest import FakeClock
from pilot_helpers import (
    TINY_CUES,
    Notices,
    load_fixture_library,
    make_app,
    run_tiny,
    run_to_summary,
    session_screen,
    spy_bell,
    tick,
)
from textual.widgets import Static

from trainer.audio.players import BellPlayer, LocalPlayer, RecordingPlayer
from trainer.config import load_config
from trainer.session.catalog import Catalog


@pytest.fixture
def library() -> Catalog:
    return load_fixture_library()


async def player_chosen(pilot: Any) -> None:
    """Wait for the app's player worker (it probes programs on a thread)."""
    app = pilot.app
    workers = [w for w in app.workers if w.group == "player"]
    if workers:  # an empty list would mean "wait for every worker", the session's too
        await app.workers.wait_for_complete(workers)
    await pilot.pause()
    assert app.player is not None


async def tiny_on_the_bell_instead_of_local(library: Catalog, clock: FakeClock
                                            ) -> tuple[list[int], Notices]:
    """Run the tiny routine asking for a local player that ends up on the bell."""
    notices = Notices()
    app = make_app(library, clock, routine_id="tiny", player=None, audio="local")
    bells = spy_bell(app)
    async with app.run_test(message_hook=notices) as pilot:
        await pilot.pause()
        await player_chosen(pilot)
        assert isinstance(app.player, BellPlayer)
        await run_tiny(pilot, clock)
    return bells, notices


def fake_player(folder: Path, name: str, body: str) -> Path:
    """An executable shell script called `name` in folder (which becomes the whole PATH)."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / name
    # Only shell builtins: PATH holds nothing else.
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return script


# -- a working player ------------------------------------------------------------------------


async def test_cues_are_played_in_the_order_of_the_session(library: Catalog,
                                                           clock: FakeClock) -> None:
    player = RecordingPlayer(clock)
    app = make_app(library, clock, routine_id="tiny", player=player)
    bells = spy_bell(app)
    start = clock.now
    async with app.run_test() as pilot:
        await pilot.pause()
        await run_tiny(pilot, clock)
    heard = [(round(at - start), name) for at, name in player.played]
    assert heard == TINY_CUES
    assert not bells  # a player that works: no bell on top


async def test_m_mutes_and_is_remembered(library: Catalog, clock: FakeClock) -> None:
    player = RecordingPlayer(clock)
    app = make_app(library, clock, routine_id="tiny", player=player, save_settings=True)
    async with app.run_test() as pilot:
        await pilot.pause()
        await tick(pilot, clock, 3.0)  # the hold starts: "work"
        assert player.names == ["get_ready", "work"]
        await pilot.press("m")
        await pilot.pause()
        screen = session_screen(app)
        assert str(screen.query_one("#status", Static).render()).startswith("muted")
        for _ in range(8):  # countdown, switch sides, the other side: all silent
            await tick(pilot, clock)
        assert player.names == ["get_ready", "work"]
    assert load_config().muted

    # The next start remembers: still muted, nothing plays.
    player2 = RecordingPlayer(clock)
    app2 = make_app(library, clock, routine_id="tiny", player=player2, config=load_config(),
                    save_settings=True)
    async with app2.run_test() as pilot:
        await pilot.pause()
        await tick(pilot, clock, 3.0)
        assert player2.names == []
        assert str(session_screen(app2).query_one("#status", Static).render()).startswith(
            "muted")
        await pilot.press("m")  # and unmuting works, and is remembered too
        await tick(pilot, clock, 5.0)
        assert player2.names == ["switch"]
    assert not load_config().muted


async def test_volume_keys_change_the_sound_and_are_remembered(library: Catalog,
                                                              clock: FakeClock) -> None:
    player = RecordingPlayer(clock)
    app = make_app(library, clock, routine_id="tiny", player=player, save_settings=True)
    async with app.run_test() as pilot:
        await pilot.pause()
        await tick(pilot, clock)  # a tick at the saved 80 %
        await pilot.press("right_square_bracket")
        await tick(pilot, clock)  # a tick at 90 %
        assert load_config().volume == 90
        for _ in range(4):
            await pilot.press("left_square_bracket")
        await pilot.pause()
        assert load_config().volume == 50
        for _ in range(4):  # to 0:06, a countdown tick in the hold, at 50 %
            await tick(pilot, clock)
    ticks = [s.segment.max_dBFS for s in player.sounds if s.name == "tick"]
    assert len(ticks) == 3
    at80, at90, at50 = ticks
    assert at90 > at80 + 1.0
    assert at50 < at80 - 3.0
    assert app.config.volume == 50


async def test_volume_keys_with_the_bell_say_the_bell_has_no_volume(library: Catalog,
                                                                  clock: FakeClock) -> None:
    notices = Notices()
    app = make_app(library, clock, routine_id="tiny", player=BellPlayer(lambda cue: None))
    async with app.run_test(message_hook=notices) as pilot:
        await pilot.pause()
        await tick(pilot, clock)
        await pilot.press("left_square_bracket")
        await pilot.pause()
    assert "Volume 70% (kept for sound; the terminal bell has no volume)" in notices.messages


# -- no player, or one that fails: the bell, with one notice ----------------------------------


async def test_over_ssh_auto_rings_the_bell_and_flashes_without_a_notice(
        library: Catalog, clock: FakeClock, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    played = tmp_path / "played"
    played.mkdir()
    fake_player(tmp_path / "bin", "aplay", f': > "{played}/$$"')  # would work, if asked
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("SSH_CONNECTION", "127.0.0.1 1 127.0.0.1 22")
    monkeypatch.delenv("PULSE_SERVER", raising=False)
    notices = Notices()
    app = make_app(library, clock, routine_id="tiny", player=None, audio="auto")
    bells = spy_bell(app)
    async with app.run_test(message_hook=notices) as pilot:
        await pilot.pause()
        await player_chosen(pilot)
        assert isinstance(app.player, BellPlayer)
        await tick(pilot, clock)
        await tick(pilot, clock)
        screen = session_screen(app)
        clock.advance(1.0)
        rung = len(bells)
        screen.tick()  # the hold starts: a bell and a flash of the phase word, at once
        assert len(bells) == rung + 1
        assert screen.query_one("#word").has_class("-flash")
        await pilot.pause()
        await run_to_summary(pilot, clock)
    assert len(bells) >= len(TINY_CUES) - 1
    assert not list(played.iterdir())  # no local player tried over SSH
    assert notices.about_audio() == []  # the bell is what SSH is expected to give


@pytest.fixture
def no_local_player(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty PATH (no player programs), not over SSH."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)


async def test_no_local_player_rings_the_bell_with_one_notice(
        library: Catalog, clock: FakeClock, no_local_player: None) -> None:
    bells, notices = await tiny_on_the_bell_instead_of_local(library, clock)
    # Every cue of the session rang (the first one possibly before the player was known).
    assert len(bells) >= len(TINY_CUES) - 1
    assert len(notices.about_audio()) == 1, notices.messages
    assert "bell" in notices.about_audio()[0]
    assert "no local player" in notices.about_audio()[0]


async def test_the_bell_notice_waits_for_the_first_run_note(
        library: Catalog, clock: FakeClock, no_local_player: None) -> None:
    from trainer.config import Config
    from trainer.ui.screens.safety import SafetyScreen

    notices = Notices()
    app = make_app(library, clock, audio="local", config=Config())
    async with app.run_test(message_hook=notices) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SafetyScreen)
        assert notices.about_audio() == []  # not over the note's corner
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, SafetyScreen)
        await player_chosen(pilot)  # after the first frame behind the note
    assert len(notices.about_audio()) == 1 and "no local player" in notices.about_audio()[0]


async def test_a_player_that_does_not_work_is_not_used(
        library: Catalog, clock: FakeClock, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    fake_player(tmp_path / "bin", "aplay", "exit 1")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    bells, notices = await tiny_on_the_bell_instead_of_local(library, clock)
    assert len(bells) >= len(TINY_CUES) - 1
    assert len(notices.about_audio()) == 1, notices.messages
    assert "aplay exited with status 1" in notices.about_audio()[0]


async def test_a_player_failing_mid_session_falls_back_to_the_bell(
        library: Catalog, clock: FakeClock, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Passes the probe (a moment of silence) but fails on every real cue, as a player does
    # when the sound device goes away.
    marker = tmp_path / "played"
    marker.mkdir()
    fake_player(tmp_path / "bin", "aplay",
                'case "$*" in *trainer-probe-*) exit 0;; esac\n'
                f': > "{marker}/$$"\nexit 1')
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    notices = Notices()
    app = make_app(library, clock, routine_id="tiny", player=None, audio="local")
    bells = spy_bell(app)
    async with app.run_test(message_hook=notices) as pilot:
        await pilot.pause()
        await player_chosen(pilot)
        assert isinstance(app.player, LocalPlayer) and app.player.program == "aplay"
        local = app.player
        for _ in range(5):  # the next cue goes to aplay (get ready rang before it was known)
            await tick(pilot, clock)
            if list(marker.iterdir()):
                break
        assert list(marker.iterdir())
        assert local.wait(timeout=10.0)  # the failing child has exited (and was noticed)
        await pilot.pause()
        engine = session_screen(app).engine
        assert engine is not None and isinstance(engine.player, BellPlayer)
        rung = len(bells)
        await run_to_summary(pilot, clock)
        assert len(bells) > rung + 10  # the rest of the session is heard on the bell
        failed_notices = notices.about_audio()
        assert len(failed_notices) == 1, notices.messages
        assert "aplay failed" in failed_notices[0] and "bell" in failed_notices[0]

        # Run again: the player that failed is not trusted again; cues go to the bell.
        await pilot.press("ctrl+r")
        await pilot.pause()
        rung = len(bells)
        await run_tiny(pilot, clock)
        assert len(bells) >= rung + len(TINY_CUES) - 1
    assert len(notices.about_audio()) == 1, notices.messages



def corrupt_wavs(folder: Path) -> dict[str, str]:
    """Cue files that decode to nothing, or not at all: {cue: file name in the folder}."""
    import struct

    def riff(fmt: bytes, data: bytes) -> bytes:
        body = (b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data"
                + struct.pack("<I", len(data)) + data)
        return b"RIFF" + struct.pack("<I", len(body)) + body

    files = {
        "tick": riff(struct.pack("<HHIIHH", 1, 1, 44100, 132300, 3, 24), b"\x01\x02\x03\x04"),
        "work": riff(struct.pack("<HHIIHH", 1, 0, 44100, 0, 0, 16), b"\x00\x01" * 50),
        "rest": b"RIFF\xff\xff\xff\xffWAVEjunk",
    }
    for cue, data in files.items():
        (folder / f"bad-{cue}.wav").write_bytes(data)
    return {cue: f"bad-{cue}.wav" for cue in files}


async def test_corrupt_cue_files_fall_back_to_the_built_in_cues_with_a_notice(
        library: Catalog, clock: FakeClock, isolated_dirs: dict[str, Path]) -> None:
    from trainer import paths
    from trainer.config import Config

    folder = paths.config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    config = Config(acknowledged_safety=True, sounds=corrupt_wavs(folder))
    player = RecordingPlayer(clock)
    notices = Notices()
    app = make_app(library, clock, routine_id="tiny", player=player, config=config)
    async with app.run_test(message_hook=notices) as pilot:
        await pilot.pause()
        await run_tiny(pilot, clock)
    heard = [name for _, name in player.played]
    assert heard == [name for _, name in TINY_CUES]  # every cue still sounds, the built-in one
    said = [m for m in notices.messages if "bad-" in m]
    assert len(said) == 3 and all("cannot use" in m for m in said), notices.messages


async def test_a_session_started_from_the_command_line_is_drawn_before_the_player_is_sought(
        library: Catalog, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    # Finding a player imports pydub on a thread, holding the GIL against the first frame:
    # `trainer run` puts the countdown up first, then looks (and rings the bell meanwhile).
    from trainer.ui.app import TrainerApp
    from trainer.ui.widgets.big_clock import Glyph

    drawn: list[int] = []
    render_line = Glyph.render_line
    monkeypatch.setattr(Glyph, "render_line",
                        lambda self, y: (drawn.append(y), render_line(self, y))[1])
    sought: list[int] = []
    choose = TrainerApp._choose_player
    monkeypatch.setattr(TrainerApp, "_choose_player",
                        lambda self: (sought.append(len(drawn)), choose(self))[1])
    app = make_app(library, clock, routine_id="tiny", player=None, audio="bell")
    async with app.run_test() as pilot:
        await pilot.pause()
        await player_chosen(pilot)
        assert isinstance(app.player, BellPlayer)
    assert len(sought) == 1 and sought[0] > 0  # once, with the clock already drawn
