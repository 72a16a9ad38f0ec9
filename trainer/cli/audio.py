"""The bodies of `trainer sound-test` and `trainer export-audio`, for the CLI to call."""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from trainer.audio.cues import apply_volume, load_cue_set, volume_gain_db
from trainer.audio.export import ExportError, export_audio
from trainer.audio.players import (
    BellPlayer,
    LocalPlayer,
    NonePlayer,
    Player,
    bell_over_ssh,
    choose_player,
    make_sound,
)
from trainer.audio.synth import CUE_NAMES, RECIPES
from trainer.audio.voice import VoiceTemplates, find_engine, render_lines, voice_status
from trainer.cli.output import SafeStream
from trainer.library.durations import format_clock
from trainer.session.prepared import ExerciseInfo
from trainer.session.timeline import Timeline

__all__ = ["export", "sound_test"]

VOICE_SAMPLE = "Voice check. Get ready: standing hamstring stretch, 30 seconds each side."
PLAY_TIMEOUT = 15.0


def _bell(out: TextIO) -> BellPlayer:
    """A bell that rings on this stream (the terminal, when it is one)."""
    # The BEL is the command's own, not text from a file: past the cleaning, as it is.
    stream = out.raw if isinstance(out, SafeStream) else out

    def ring(_cue: str) -> None:
        out.flush()
        stream.write("\a")
        stream.flush()

    return BellPlayer(ring)


def _finish(player: Player, seconds: float) -> None:
    """Let one sound play out before the next, so each is heard on its own."""
    if isinstance(player, LocalPlayer):
        player.wait(seconds + PLAY_TIMEOUT)


def sound_test(mode: str = "auto", *, volume: int = 80, voice: bool = True,
               overrides: Mapping[str, Path] | None = None, out: TextIO | None = None,
               gap: float = 0.4, env: Mapping[str, str] | None = None) -> int:
    """Play every cue through the player `--audio MODE` picks, saying which and why.

    Exit status 1 when sound was wanted from this machine (local, or auto outside SSH) and no
    local player works, or when the player failed during the test; 0 otherwise.
    """
    out = out if out is not None else sys.stdout
    failures: list[str] = []
    player, reason = choose_player(mode, ring=_bell(out).ring, env=env,
                                   on_failure=failures.append)
    try:
        return _sound_test(player, reason, failures, mode, volume, voice, overrides, out, gap,
                           env)
    finally:
        player.close()


def _sound_test(player: Player, reason: str, failures: list[str], mode: str, volume: int,
                voice: bool, overrides: Mapping[str, Path] | None, out: TextIO, gap: float,
                env: Mapping[str, str] | None) -> int:
    """The body of sound_test, with the player chosen."""
    print(f"player: {reason}", file=out)
    if mode == "local" and not isinstance(player, LocalPlayer):
        # `local` asks for this machine's speakers only: the bell would test something else.
        print("no local player works, so nothing was played (--audio bell tests the bell)",
              file=out)
        return 1
    if isinstance(player, NonePlayer):
        print("audio is off, nothing to play (try --audio auto, local or bell)", file=out)
        return 0
    if isinstance(player, BellPlayer) and not out.isatty():
        print("note: output is not a terminal, so the bell cannot ring here", file=out)
    if volume_gain_db(volume) is None:
        print("volume is 0: nothing to hear (raise the volume)", file=out)
        return 1
    cues = load_cue_set(overrides)
    for note in cues.notes:
        print(f"note: {note}", file=out)
    for name in CUE_NAMES:
        segment = apply_volume(cues.sounds[name], volume)
        sound = make_sound(name, segment)
        print(f"  {name:10} {RECIPES[name].meaning}", file=out, flush=True)
        player.play(sound)
        _finish(player, sound.seconds)
        if failures:
            print(f"failed: {failures[0]}", file=out)
            print("in a session this falls back to the terminal bell", file=out)
            return 1
        time.sleep(gap)
    if voice:
        _voice_check(player, volume, out)
        if failures:
            print(f"failed: {failures[0]}", file=out)
            return 1
    wanted_local = mode == "local" or (mode == "auto" and not bell_over_ssh(env))
    if wanted_local and not isinstance(player, LocalPlayer):
        print("no local player works: sessions will use the terminal bell", file=out)
        return 1
    return 0


def _voice_check(player: Player, volume: int, out: TextIO) -> None:
    """Say a sample line, or say why there is no voice."""
    available, about = voice_status()
    if not available:
        print(f"voice: {about}", file=out)
        return
    if isinstance(player, BellPlayer):
        print(f"voice: {about} (not played: the bell cannot speak)", file=out)
        return
    notes: list[str] = []
    lines = render_lines([VOICE_SAMPLE], engine=find_engine(), notes=notes)
    segment = apply_volume(lines[VOICE_SAMPLE], volume) if VOICE_SAMPLE in lines else None
    if segment is None:
        print(f"voice: {about}, but {notes[0] if notes else 'it rendered nothing'}", file=out)
        return
    print(f"voice: {about}", file=out, flush=True)
    sound = make_sound("voice", segment)
    player.play(sound)
    _finish(player, sound.seconds)


class _ProgressBar:
    """A one-line progress bar on a terminal stream, redrawn at most once per percent."""

    WIDTH = 30

    def __init__(self, stream: TextIO, label: str) -> None:
        self.stream = stream
        self.label = label
        self.shown = -1

    def update(self, fraction: float) -> None:
        """Redraw if the percentage changed."""
        percent = max(0, min(100, int(fraction * 100)))
        if percent == self.shown:
            return
        self.shown = percent
        filled = self.WIDTH * percent // 100
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (self.WIDTH - filled)}] "
                          f"{percent:3d}%")
        self.stream.flush()

    def clear(self) -> None:
        """Remove the bar."""
        if self.shown >= 0:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def export(timeline: Timeline, exercises: Mapping[str, ExerciseInfo], out_path: Path | str, *,
           voice: bool = True, volume: int = 100, templates: VoiceTemplates | None = None,
           overrides: Mapping[str, Path] | None = None, out: TextIO | None = None,
           err: TextIO | None = None) -> int:
    """`trainer export-audio`: write the track, a progress bar on a terminal's stderr, 0 or 1."""
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    bar = _ProgressBar(err, f"exporting {Path(out_path).name}") if err.isatty() else None
    try:
        result = export_audio(timeline, exercises, out_path, voice=voice, volume=volume,
                              templates=templates, overrides=overrides,
                              progress=bar.update if bar else None)
    except ExportError as exc:
        message = str(exc)
    except KeyboardInterrupt:
        if bar:
            bar.clear()
        print("trainer: export cancelled; nothing was written", file=err)
        return 130
    except Exception as exc:  # the command line promises one line, never a traceback
        message = f"export failed: {exc.__class__.__name__}: {exc}"
    else:
        if bar:
            bar.clear()
        for note in result.notes:
            print(f"note: {note}", file=err)
        spoken = f", {result.voice_lines} with voice" if result.voice_lines else ""
        print(f"wrote {result.path}: {format_clock(result.seconds)}, "
              f"{result.sounds} cues{spoken}", file=out)
        return 0
    if bar:
        bar.clear()
    print(f"trainer: {message}", file=err)
    return 1
