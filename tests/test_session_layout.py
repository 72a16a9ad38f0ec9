"""The session screen fits every terminal from 40x12 up: the frame stays, long text gives way.

Run on the built-in exercise with the most text (instructions, cues and safety), at the sizes
people use: whatever the size, the phase word, the clock, the phase bar, the session line and
the footer are on screen, nothing scrolls, and the clock is never smaller on a larger terminal.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FakeClock
from pilot_helpers import make_app
from textual.widget import Widget

from trainer.library.sources import Source
from trainer.paths import builtin_library_dir
from trainer.session.catalog import Catalog, CatalogLoader, load_catalog
from trainer.ui.screens.session import SessionScreen
from trainer.ui.widgets.big_clock import Glyph

SIZES = [(40, 12), (60, 20), (80, 23), (80, 24), (80, 30), (100, 30), (120, 40), (160, 45),
         (200, 60)]
FRAME = ("#word", "#clock", "#phase-bar", "#session-left", "Footer")


@pytest.fixture(scope="module")
def wordiest(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The built-in library plus a routine of its exercise with the most text."""
    builtin = load_catalog()
    ex = max(builtin.exercises.values(),
             key=lambda e: len(" ".join((*e.instructions, *e.cues, e.safety or ""))))
    folder: Path = tmp_path_factory.mktemp("lib")
    (folder / "wordy.yaml").write_text(
        f"version: 1\nroutines:\n  - id: wordy\n    name: Wordiest\n    steps: [{ex.id}]\n")
    return CatalogLoader().load([Source("built-in", builtin_library_dir()),
                                 Source("test", folder)])


def on_screen(widget: Widget, height: int) -> bool:
    """Shown, with its whole region inside the terminal."""
    region = widget.region
    return bool(widget.display) and region.height > 0 and region.y + region.height <= height


async def layout(library: Catalog, size: tuple[int, int]) -> tuple[int, list[str], int]:
    """(clock block size, frame parts off screen, rows the screen would scroll) in the hold."""
    clock = FakeClock()
    app = make_app(library, clock, routine_id="wordy")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        clock.advance(11)  # past the get-ready, into the exercise and its text
        screen.tick()
        await pilot.pause()
        assert screen.view is not None and screen.view.instructions
        off = [part for part in FRAME if not on_screen(screen.query_one(part), size[1])]
        scale = screen.query(Glyph).first().scale
        return scale, off, int(screen.max_scroll_y)


async def test_the_frame_stays_on_screen_and_the_clock_never_shrinks(wordiest: Catalog) -> None:
    scales = []
    for size in SIZES:
        scale, off, scroll = await layout(wordiest, size)
        assert off == [] and scroll == 0, (size, off, scroll)
        scales.append(scale)
    assert scales == sorted(scales), list(zip(SIZES, scales, strict=True))
    assert scales[SIZES.index((80, 24))] >= scales[SIZES.index((60, 20))] >= 1


async def test_long_instructions_scroll_inside_their_box_at_80x24(wordiest: Catalog) -> None:
    clock = FakeClock()
    app = make_app(wordiest, clock, routine_id="wordy")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        clock.advance(11)
        screen.tick()
        await pilot.pause()
        how = screen.query_one("#how")
        assert how.region.height >= 2
        assert how.max_scroll_y > 0 and how.show_vertical_scrollbar  # cut, with its marker


async def test_the_footer_shows_quit_first_and_done_only_when_it_does_something() -> None:
    from pilot_helpers import load_fixture_library, tick

    clock = FakeClock()
    app = make_app(load_fixture_library(), clock, routine_id="tiny")
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        footer = app.export_screenshot().replace("&#160;", " ")
        assert "Quit" in footer  # the narrowest footer still says how to leave
        assert not screen.check_action("done", ())  # get ready: nothing to be done with
        while screen.view is not None and screen.view.kind != "reps":
            await tick(pilot, clock)
        assert screen.check_action("done", ())  # the self-paced phase: Enter ends it


async def test_the_pause_key_says_resume_while_paused_and_a_remap_moves_both() -> None:
    from pilot_helpers import load_fixture_library

    clock = FakeClock()
    app = make_app(load_fixture_library(), clock, routine_id="tiny")
    app.config.keys = {"session.pause": "k"}
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        keys = footer_keys(app)
        assert ("k", "Pause") in keys and not any(label == "Resume" for _, label in keys)
        await pilot.press("k")
        await pilot.pause()
        assert app.screen.session.paused  # type: ignore[attr-defined]
        keys = footer_keys(app)
        assert ("k", "Resume") in keys and not any(label == "Pause" for _, label in keys)
        await pilot.press("k")
        await pilot.pause()
        assert not app.screen.session.paused  # type: ignore[attr-defined]
        assert ("k", "Pause") in footer_keys(app)


def footer_keys(app: object) -> list[tuple[str, str]]:
    """(key, label) of every key the footer shows now."""
    from textual.widgets._footer import FooterKey

    screen = app.screen  # type: ignore[attr-defined]
    return [(key.key_display, key.description) for key in screen.query(FooterKey)]
