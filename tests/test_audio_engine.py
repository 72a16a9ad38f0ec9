"""The cue engine on a fake clock: cues in event order, voice after cues, mute, volume, fallback."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from conftest import FakeClock

from trainer.audio.engine import VOICE_GAP_MS, CueEngine, moments
from trainer.audio.players import BellPlayer, LocalPlayer, RecordingPlayer
from trainer.audio.synth import synthesise
from trainer.audio.voice import SpeechEngine
from trainer.library.model import Exercise, Routine
from trainer.session.engine import Session
from trainer.session.timeline import Timeline, build_timeline

EXERCISES: dict[str, Exercise] = {
    str(e["id"]): Exercise.model_validate(e)
    for e in [
        {"id": "lunge", "name": "Lunge stretch", "category": "stretch", "sides": "each",
         "hold": 4},
        {"id": "bridge", "name": "Glute bridge", "category": "strength", "reps": 3, "tempo": 2},
        {"id": "jog", "name": "Jog", "category": "aerobic", "duration": 12},
    ]
}


def make_timeline(steps: list[Any], **defaults: Any) -> Timeline:
    """A small routine's timeline: get ready 3 s, rest 4 s, switch 2 s, countdown 3."""
    routine = Routine.model_validate({
        "id": "r", "name": "R",
        "defaults": {"get_ready": 3, "rest": 4, "switch": 2, "countdown": 3, **defaults},
        "steps": steps})
    return build_timeline(routine, EXERCISES)


def run_session(engine: CueEngine, timeline: Timeline, clock: FakeClock,
                step: float = 0.25) -> Session:
    """Drive a session to its end on the fake clock, handing every tick's events to the engine."""
    session = Session(timeline, clock)
    engine.handle(session.tick())
    while not session.finished:
        clock.advance(step)
        engine.handle(session.tick())
    return session


@pytest.fixture(autouse=True)
def voice_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Rendered lines go to a temp folder, never the real cache."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("TRAINER_CACHE_DIR", str(cache))
    return cache


def fake_speech(folder: Path) -> tuple[SpeechEngine, Path]:
    """A stand-in espeak-ng: 200 ms of 300 Hz per line, each call logged."""
    log = folder / "speech.log"
    script = folder / "espeak-ng"
    script.write_text(textwrap.dedent(f"""\
        #!{sys.executable}
        import math, sys, wave
        out = sys.argv[sys.argv.index("-w") + 1]
        text = sys.stdin.buffer.read().decode()
        with open({str(log)!r}, "a") as log:
            log.write(text + "\\n")
        frames = b"".join(int(12000 * math.sin(2 * math.pi * 300 * i / 22050)).to_bytes(
            2, "little", signed=True) for i in range(4410))
        with wave.open(out, "wb") as w:
            w.setnchannels(1); w.setsampwidth(2); w.setframerate(22050); w.writeframes(frames)
        """))
    script.chmod(0o755)
    return SpeechEngine("espeak-ng", str(script)), log


def test_cues_reach_the_player_in_event_order_at_event_times(clock: FakeClock) -> None:
    tl = make_timeline(["lunge"])
    player = RecordingPlayer(clock)
    engine = CueEngine(tl, EXERCISES, player, voice=False)
    engine.prepare()
    run_session(engine, tl, clock)
    t0 = 1000.0
    # get ready 0-3 (ticks at 1, 2), left 3-7 (ticks 4, 5, 6), switch 7-9 (tick 8),
    # right 9-13 (ticks 10, 11, 12), done at 13.
    assert player.played == [
        (t0, "get_ready"), (t0 + 1, "tick"), (t0 + 2, "tick"),
        (t0 + 3, "work"), (t0 + 4, "tick"), (t0 + 5, "tick"), (t0 + 6, "tick"),
        (t0 + 7, "switch"), (t0 + 8, "tick"),
        (t0 + 9, "work"), (t0 + 10, "tick"), (t0 + 11, "tick"), (t0 + 12, "tick"),
        (t0 + 13, "complete"),
    ]


def test_reps_halfway_and_rest_in_order(clock: FakeClock) -> None:
    tl = make_timeline(["bridge", "jog"], get_ready=0, countdown=2)
    player = RecordingPlayer(clock)
    engine = CueEngine(tl, EXERCISES, player, voice=False)
    run_session(engine, tl, clock, step=0.5)
    # bridge 0-6: reps at 2, 4 (tick at 4 wins over the rep), tick at 5; rest 6-10: ticks 8, 9;
    # jog 10-22: halfway at 16, ticks at 20, 21; done at 22.
    assert [(round(t - 1000, 3), n) for t, n in player.played] == [
        (0, "work"), (2, "rep"), (4, "tick"), (5, "tick"), (6, "rest"), (8, "tick"), (9, "tick"),
        (10, "work"), (16, "halfway"), (20, "tick"), (21, "tick"), (22, "complete"),
    ]


def test_mute_and_volume_zero_play_nothing(clock: FakeClock) -> None:
    tl = make_timeline(["jog"])
    player = RecordingPlayer(clock)
    engine = CueEngine(tl, EXERCISES, player, voice=False, volume=60)
    events = moments(tl)
    assert engine.toggle_mute() is True
    engine.handle(events[0][1])
    assert player.played == []
    assert engine.toggle_mute() is False
    engine.handle(events[0][1])
    assert player.names == ["get_ready"]
    assert engine.set_volume(0) == 0
    engine.handle(events[0][1])
    assert player.names == ["get_ready"]
    assert engine.set_volume(250) == 100


def test_volume_changes_the_sound_played(clock: FakeClock) -> None:
    tl = make_timeline(["jog"])
    player = RecordingPlayer(clock)
    engine = CueEngine(tl, EXERCISES, player, voice=False, volume=100)
    first = moments(tl)[0][1]
    engine.handle(first)
    engine.set_volume(50)
    engine.handle(first)
    loud, soft = (s.segment for s in player.sounds)
    assert loud.raw_data == synthesise("get_ready").raw_data
    assert soft.max_dBFS == pytest.approx(loud.max_dBFS - 12.04, abs=0.1)


def test_voice_follows_its_cue_once_rendered(clock: FakeClock, tmp_path: Path) -> None:
    speech, log = fake_speech(tmp_path)
    tl = make_timeline(["lunge"])
    player = RecordingPlayer(clock)
    engine = CueEngine(tl, EXERCISES, player, speech=speech, volume=100)
    first = moments(tl)[0][1]
    engine.handle(first)  # before prepare: the plain cue, nothing waits for speech
    engine.prepare()
    assert engine.voice_ready
    engine.handle(first)
    plain, voiced = player.sounds
    cue = synthesise("get_ready")
    assert plain.segment.raw_data == cue.raw_data
    assert voiced.label == "get_ready: Get ready: Lunge stretch, 4 seconds each side."
    gap_end = len(cue) + VOICE_GAP_MS
    assert len(voiced.segment) == gap_end + 200
    assert voiced.segment[:len(cue)].raw_data == cue.raw_data
    assert voiced.segment[len(cue):gap_end].max == 0
    assert voiced.segment[gap_end:].max > 8000  # the (normalised) line
    spoken = log.read_text().splitlines()
    assert spoken == ["Get ready: Lunge stretch, 4 seconds each side.", "Go.", "Switch sides.",
                      "Workout complete."]


def test_voice_off_or_announce_off_renders_nothing(clock: FakeClock, tmp_path: Path) -> None:
    speech, log = fake_speech(tmp_path)
    for engine in (CueEngine(make_timeline(["jog"]), EXERCISES, RecordingPlayer(clock),
                             voice=False, speech=speech),
                   CueEngine(make_timeline(["jog"], announce=False), EXERCISES,
                             RecordingPlayer(clock), speech=speech)):
        engine.prepare()
        assert not engine.voice_ready
    assert not log.exists()


def failing_player(folder: Path, clock: FakeClock, hold: Path | None = None) -> LocalPlayer:
    """A local player whose program always exits 1 (once `hold`, if given, exists)."""
    script = folder / "brokenplay"
    wait = f'while [ ! -e "{hold}" ]; do sleep 0.01; done\n' if hold else ""
    script.write_text(f"#!/bin/sh\n{wait}exit 1\n")
    script.chmod(0o755)
    return LocalPlayer("brokenplay", str(script), clock=clock)


def test_a_failing_player_falls_back_to_the_bell_with_one_notice(clock: FakeClock,
                                                                 tmp_path: Path) -> None:
    tl = make_timeline(["jog"])
    release = tmp_path / "release"
    local = failing_player(tmp_path, clock, hold=release)
    rung: list[str] = []
    notices: list[str] = []
    engine = CueEngine(tl, EXERCISES, local, voice=False, fallback=BellPlayer(rung.append),
                       on_notice=notices.append, clock=clock)
    engine.prepare()
    steps = moments(tl)
    for _, events in steps[:3]:  # three plays, all failing, before any failure is known
        engine.handle(events)
    assert rung == [] and notices == [] and local.busy == 3
    release.touch()
    assert local.wait(10)  # the children have exited: their failures are now known
    assert len(notices) == 1
    assert "brokenplay failed" in notices[0] and "exit status 1" in notices[0]
    assert "terminal bell" in notices[0]
    assert engine.player.name == "bell"
    assert rung == ["tick"]  # the cue lost a moment ago is rung at once
    for _, events in steps[3:]:
        engine.handle(events)
    assert rung == ["tick", "work", "halfway", "tick", "tick", "tick", "complete"]
    assert len(notices) == 1
    engine.close()


def test_a_session_with_a_broken_player_still_runs_to_the_end(clock: FakeClock,
                                                              tmp_path: Path) -> None:
    tl = make_timeline(["lunge"])
    local = failing_player(tmp_path, clock)
    rung: list[str] = []
    notices: list[str] = []
    engine = CueEngine(tl, EXERCISES, local, voice=False, fallback=BellPlayer(rung.append),
                       on_notice=notices.append, clock=clock)
    session = Session(tl, clock)
    engine.handle(session.tick())
    assert local.wait(10)
    engine.poll()  # the app polls on its tick; the failure turns into the one notice
    while not session.finished:
        clock.advance(0.25)
        engine.handle(session.tick())
    assert session.finished
    assert len(notices) == 1
    assert rung[-1] == "complete" and rung.count("switch") == 1


def test_a_bell_that_raises_turns_audio_off_without_raising(clock: FakeClock) -> None:
    tl = make_timeline(["jog"])

    def broken_ring(_cue: str) -> None:
        raise RuntimeError("no terminal")

    notices: list[str] = []
    engine = CueEngine(tl, EXERCISES, BellPlayer(broken_ring), voice=False,
                       on_notice=notices.append)
    for _, events in moments(tl):
        engine.handle(events)
    assert engine.player.name == "none"
    assert len(notices) == 1 and "audio is off" in notices[0]
