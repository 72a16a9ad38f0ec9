"""Events to cues, coinciding cues, spoken lines, and confining sound-file overrides."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.audio.cues import (
    SoundPathError,
    choose,
    cue_for,
    resolve_overrides,
    resolve_sound_path,
)
from trainer.audio.voice import (
    VoiceTemplates,
    check_template,
    duration_words,
    spoken_line,
    timeline_lines,
)
from trainer.library.model import Exercise, Routine
from trainer.session.engine import Event
from trainer.session.timeline import Phase, Timeline, build_timeline

EXERCISES: dict[str, Exercise] = {
    str(e["id"]): Exercise.model_validate(e)
    for e in [
        {"id": "hamstring", "name": "Standing hamstring stretch", "category": "stretch",
         "sides": "each", "hold": 30},
        {"id": "bridge", "name": "Glute bridge", "category": "strength", "reps": 12, "tempo": 3},
        {"id": "bird-dog", "name": "Bird-dog", "category": "strength", "reps": 8},
        {"id": "knees", "name": "High knees", "category": "aerobic", "duration": 20},
        {"id": "jacks", "name": "Step jacks", "category": "aerobic", "duration": 20},
    ]
}


def make_timeline(steps: list[Any], **defaults: Any) -> Timeline:
    """A timeline for these steps (get ready 10 s, rest 15 s, switch 5 s unless given)."""
    routine = Routine.model_validate({
        "id": "r", "name": "R",
        "defaults": {"get_ready": 10, "rest": 15, "switch": 5, "countdown": 3, **defaults},
        "steps": steps})
    return build_timeline(routine, EXERCISES)


def event(kind: str, phase: Phase, at: float = 0.0, value: int = 0) -> Event:
    """An event of a kind in a phase."""
    return Event(kind, phase, at, 1, value)  # type: ignore[arg-type]


def phase_of(timeline: Timeline, kind: str, nth: int = 0) -> Phase:
    """The nth phase of a kind."""
    return [p for p in timeline.phases if p.kind == kind][nth]


# -- events to cues ----------------------------------------------------------------------------

def test_every_event_maps_to_its_cue() -> None:
    tl = make_timeline(["hamstring", "bridge", "bird-dog", "knees"])
    starts = {kind: cue_for(event("phase_started", phase_of(tl, kind)))
              for kind in ("get_ready", "work", "hold", "reps", "rest", "switch")}
    assert starts == {"get_ready": "get_ready", "work": "work", "hold": "work", "reps": "work",
                      "rest": "rest", "switch": None}
    hold = phase_of(tl, "hold")
    assert cue_for(event("countdown", hold, value=3)) == "tick"
    assert cue_for(event("halfway", hold)) == "halfway"
    assert cue_for(event("rep", phase_of(tl, "work"), value=2)) == "rep"
    assert cue_for(event("switch_sides", phase_of(tl, "switch"))) == "switch"
    assert cue_for(event("finished", tl.phases[-1])) == "complete"


def test_a_switch_phase_sounds_switch_only() -> None:
    tl = make_timeline(["hamstring"])
    switch = phase_of(tl, "switch")
    both = [event("phase_started", switch, switch.start),
            event("switch_sides", switch, switch.start)]
    chosen = choose(both)
    assert chosen is not None and chosen[1] == "switch"


def test_coinciding_cues_sound_the_most_important() -> None:
    tl = make_timeline(["bridge"])
    work = phase_of(tl, "work")
    chosen = choose([event("rep", work, 33.0, 12), event("countdown", work, 33.0, 3)])
    assert chosen is not None and chosen[1] == "tick"
    # The done phase starting is silent; its "finished" event carries the sound.
    assert choose([event("phase_started", tl.phases[-1])]) is None
    assert choose([]) is None


@given(st.lists(st.sampled_from(["countdown", "halfway", "rep", "switch_sides", "finished"]),
                min_size=1, max_size=6))
def test_choose_always_picks_the_top_priority(kinds: list[str]) -> None:
    from trainer.audio.cues import EVENT_CUES, PRIORITY

    phase = make_timeline(["knees"]).phases[1]
    chosen = choose([event(k, phase) for k in kinds])
    assert chosen is not None
    assert chosen[1] == min((EVENT_CUES[k] for k in kinds), key=PRIORITY.index)


# -- spoken lines ------------------------------------------------------------------------------

@pytest.mark.parametrize(("seconds", "words"), [
    (30, "30 seconds"), (1, "1 second"), (60, "1 minute"), (90, "1 minute 30 seconds"),
    (125, "2 minutes 5 seconds"), (3900, "1 hour 5 minutes"), (0.4, "1 second"),
    (44.6, "45 seconds"),
])
def test_durations_in_words(seconds: float, words: str) -> None:
    assert duration_words(seconds) == words


def test_the_lines_of_a_routine() -> None:
    tl = make_timeline(["hamstring", {"exercise": "bridge", "sets": 2},
                        {"rest": 60, "say": "Well done."},
                        {"interval": {"work": 20, "rest": 10, "rounds": 2,
                                      "exercises": ["knees", "jacks"]}}])
    said = {p.index: spoken_line("phase_started", p, tl, exercises=EXERCISES)
            for p in tl.phases}
    assert said[0] == "Get ready: Standing hamstring stretch, 30 seconds each side."
    assert said[1] == "Go."
    assert said[2] is None  # the switch phase speaks through its switch_sides cue
    switch = phase_of(tl, "switch")
    assert spoken_line("switch_sides", switch, tl) == "Switch sides."
    assert said[4] == "Rest 15 seconds. Next: Glute bridge."
    assert said[5] == "Set 1 of 2. Go."
    rounds = [p for p in tl.phases if p.round]
    assert spoken_line("phase_started", rounds[1], tl) == "Round 2 of 2. Go."
    long_rest = next(p for p in tl.phases if p.say)
    assert spoken_line("phase_started", long_rest, tl) == \
        "Well done. Rest 1 minute. Next: High knees."
    assert spoken_line("finished", tl.phases[-1], tl) == "Workout complete."
    assert spoken_line("countdown", switch, tl, value=3) is None
    lines = timeline_lines(tl, exercises=EXERCISES)
    assert len(lines) == len(set(lines)) and "Workout complete." in lines


def test_templates_are_configurable_and_announce_off_silences_them() -> None:
    tl = make_timeline(["bridge"])
    mine = VoiceTemplates.from_mapping({
        "get_ready": "Next up {name}: {duration}", "countdown": True, "halfway": "Halfway"})
    assert spoken_line("phase_started", tl.phases[0], tl, mine) == "Next up Glute bridge: 12 reps."
    assert spoken_line("countdown", tl.phases[1], tl, mine, value=2) == "Two."
    quiet = make_timeline(["bridge"], announce=False)
    assert spoken_line("phase_started", quiet.phases[0], quiet) is None
    no_switch = make_timeline(["hamstring"], switch=0)
    right = next(p for p in no_switch.phases if p.side == "right")
    assert spoken_line("phase_started", right, no_switch) == "Switch sides."


@pytest.mark.parametrize(("template", "problem"), [
    ("Go {nmae}", "unknown field {nmae}"),
    ("{name.__class__}", "unknown field"),
    ("{name!r}", "no format spec"),
    ("{duration:>10}", "no format spec"),
    ("Go {", "bad template"),
])
def test_bad_templates_are_refused_clearly(template: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem.replace("{", r"\{").replace("}", r"\}")):
        check_template(template)
    with pytest.raises(ValueError):
        VoiceTemplates.from_mapping({"work": template})


def test_unknown_template_keys_and_types_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown voice template 'wrok'"):
        VoiceTemplates.from_mapping({"wrok": "Go"})
    with pytest.raises(ValueError, match="must be true or false"):
        VoiceTemplates.from_mapping({"countdown": "yes"})


# -- sound-file overrides ----------------------------------------------------------------------

@pytest.fixture
def library(tmp_path: Path) -> dict[str, Path]:
    """A library folder with a sound in it, a sounds folder, and a secret outside both."""
    lib = tmp_path / "library"
    (lib / "sounds").mkdir(parents=True)
    (lib / "sounds" / "gong.wav").write_bytes(b"RIFF")
    sounds = tmp_path / "sounds"
    sounds.mkdir()
    (sounds / "bell.wav").write_bytes(b"RIFF")
    secret = tmp_path / "secret.wav"
    secret.write_bytes(b"RIFF")
    return {"lib": lib, "sounds": sounds, "secret": secret}


def test_paths_inside_a_root_resolve(library: dict[str, Path]) -> None:
    roots = [library["lib"], library["sounds"]]
    assert resolve_sound_path("sounds/gong.wav", library["lib"], roots) == \
        (library["lib"] / "sounds" / "gong.wav").resolve()
    assert resolve_sound_path(str(library["sounds"] / "bell.wav"), library["lib"], roots) == \
        (library["sounds"] / "bell.wav").resolve()
    # `..` is fine while it stays inside a root.
    assert resolve_sound_path("../sounds/./gong.wav", library["lib"] / "sounds",
                              roots).name == "gong.wav"


@pytest.mark.parametrize("value", ["../secret.wav", "../../../../etc/passwd",
                                   "sounds/../../secret.wav", "/etc/passwd"])
def test_escapes_and_outside_absolute_paths_are_refused(library: dict[str, Path],
                                                        value: str) -> None:
    with pytest.raises(SoundPathError, match="outside the library and sounds folders"):
        resolve_sound_path(value, library["lib"], [library["lib"], library["sounds"]])


def test_a_symlink_out_of_the_library_is_refused(library: dict[str, Path]) -> None:
    link = library["lib"] / "sounds" / "sneaky.wav"
    os.symlink(library["secret"], link)
    with pytest.raises(SoundPathError, match="outside"):
        resolve_sound_path("sounds/sneaky.wav", library["lib"], [library["lib"]])


def test_missing_and_non_wav_files_are_refused(library: dict[str, Path]) -> None:
    (library["lib"] / "notes.txt").write_text("hi")
    with pytest.raises(SoundPathError, match="not found"):
        resolve_sound_path("sounds/nope.wav", library["lib"], [library["lib"]])
    with pytest.raises(SoundPathError, match="not a WAV"):
        resolve_sound_path("notes.txt", library["lib"], [library["lib"]])
    with pytest.raises(SoundPathError, match="empty"):
        resolve_sound_path(" ", library["lib"], [library["lib"]])


def test_overrides_report_every_problem_at_once(library: dict[str, Path]) -> None:
    ok, problems = resolve_overrides(
        {"tick": "sounds/gong.wav", "rest": "../secret.wav", "gong": "sounds/gong.wav",
         "work": "/etc/passwd"},
        library["lib"], [library["lib"], library["sounds"]])
    assert ok == {"tick": (library["lib"] / "sounds" / "gong.wav").resolve()}
    assert set(problems) == {"rest", "gong", "work"}
    assert "unknown cue 'gong'" in problems["gong"]
    assert "outside" in problems["rest"] and "outside" in problems["work"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["..", ".", "sounds", "library", "gong.wav", "x", "/"]),
                min_size=1, max_size=7))
def test_a_resolved_override_is_always_inside_a_root(tmp_path_factory: pytest.TempPathFactory,
                                                     parts: list[str]) -> None:
    base = tmp_path_factory.getbasetemp() / "prop"
    (base / "library" / "sounds").mkdir(parents=True, exist_ok=True)
    (base / "library" / "sounds" / "gong.wav").write_bytes(b"RIFF")
    (base / "gong.wav").write_bytes(b"RIFF")
    root = (base / "library").resolve()
    try:
        found = resolve_sound_path("/".join(parts), base / "library" / "sounds", [root])
    except SoundPathError:
        return
    assert found.is_relative_to(root) and found.is_file()


def test_the_audio_package_imports_no_textual() -> None:
    code = ("import sys, trainer.audio.cues, trainer.audio.voice, trainer.audio.players, "
            "trainer.audio.engine, trainer.audio.export, trainer.cli.audio; "
            "assert 'textual' not in sys.modules, 'textual imported'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # nor a warning (pydub's ffmpeg or audioop ones) on import
