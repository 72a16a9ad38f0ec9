"""Voice: finding an engine, rendering lines ahead of time, and the on-disk cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_audio_cues import EXERCISES, make_timeline
from test_audio_engine import fake_speech

from trainer.audio.voice import (
    SpeechEngine,
    cache_dir,
    find_engine,
    render_line,
    render_lines,
    render_timeline,
    timeline_lines,
    voice_status,
)


@pytest.fixture(autouse=True)
def voice_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Rendered lines go to a temp folder, never the real cache."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("TRAINER_CACHE_DIR", str(cache))
    return cache


def test_the_cache_lives_where_trainer_cache_dir_says(voice_cache: Path) -> None:
    assert cache_dir() == voice_cache / "voice"


def test_no_engine_means_no_voice_silently(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capfd: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert find_engine() is None
    available, why = voice_status()
    assert not available and "install espeak-ng" in why
    assert render_lines(["Go."]) == {}
    assert capfd.readouterr() == ("", "")


def test_engines_are_found_in_order(tmp_path: Path) -> None:
    for name in ("say", "espeak", "espeak-ng"):
        (tmp_path / name).write_text("#!/bin/sh\n")
        (tmp_path / name).chmod(0o755)
        assert find_engine(str(tmp_path)) == SpeechEngine(name, str(tmp_path / name))


def test_lines_are_spoken_from_stdin_never_as_options(tmp_path: Path) -> None:
    out = tmp_path / "x.wav"
    assert SpeechEngine("espeak-ng", "/e").command(out, 150) == [
        "/e", "-s", "150", "-b", "1", "-w", str(out), "--stdin"]
    assert SpeechEngine("say", "/s").command(out, 150)[-2:] == ["-f", "-"]


def test_rendered_lines_are_cached(tmp_path: Path, voice_cache: Path) -> None:
    speech, log = fake_speech(tmp_path)
    first = render_line(speech, "Switch sides.")
    again = render_line(speech, "Switch  sides. ")  # same words, same file
    assert first == again and first.parent == voice_cache / "voice"
    assert log.read_text().splitlines() == ["Switch sides."]
    render_line(speech, "Switch sides.", rate=200)  # another rate is another rendering
    assert len(log.read_text().splitlines()) == 2
    assert not list((voice_cache / "voice").glob(".render-*"))  # no temp files left


def test_a_failing_engine_costs_the_line_not_the_session(tmp_path: Path) -> None:
    broken = tmp_path / "espeak-ng"
    broken.write_text("#!/bin/sh\nexit 3\n")
    broken.chmod(0o755)
    notes: list[str] = []
    lines = render_lines(["Go.", "Rest."], engine=SpeechEngine("espeak-ng", str(broken)),
                         notes=notes)
    assert lines == {}
    assert len(notes) == 2 and "exit status 3" in notes[0]
    assert not list(cache_dir().glob("*"))


def test_render_timeline_renders_every_line_once(tmp_path: Path) -> None:
    speech, log = fake_speech(tmp_path)
    tl = make_timeline(["hamstring", "bridge"])
    progress: list[float] = []
    lines = render_timeline(tl, exercises=EXERCISES, engine=speech, progress=progress.append)
    assert list(lines) == timeline_lines(tl, exercises=EXERCISES)
    assert sorted(log.read_text().splitlines()) == sorted(lines)
    assert progress == sorted(progress) and progress[0] == 0.0
    assert all(len(segment) == 200 for segment in lines.values())


@pytest.mark.skipif(shutil.which("espeak-ng") is None,
                    reason="espeak-ng not installed (.ci/run installs it)")
def test_espeak_ng_renders_once_then_comes_from_the_cache(tmp_path: Path) -> None:
    real = shutil.which("espeak-ng")
    assert real is not None
    calls = tmp_path / "calls"
    wrapper = tmp_path / "espeak-ng"
    wrapper.write_text(f'#!/bin/sh\necho x >> "{calls}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    engine = SpeechEngine("espeak-ng", str(wrapper))
    text = "Get ready: standing hamstring stretch, 30 seconds each side."
    first = render_lines([text], engine=engine)
    assert 2000 < len(first[text]) < 8000  # a few seconds of speech
    assert first[text].max_dBFS > -6
    second = render_lines([text], engine=engine)
    assert calls.read_text().count("x") == 1  # the second render never ran the engine
    assert second[text].raw_data == first[text].raw_data
