"""Lean partial updates (ui.lean_frames) put the same cells in the same colours as Textual's own.

Every frame of a session and of the library is written both ways onto two emulated terminals
(pyte) that start alike; after each frame the two must hold the same characters, colours and
attributes, and the countdown costs the lean one less.
"""

from __future__ import annotations

from typing import Any

import pyte
from conftest import FakeClock
from pilot_helpers import load_fixture_library, make_app, tick
from textual._compositor import ChopsUpdate, CompositorUpdate

from trainer.ui import lean_frames

SIZE = (200, 60)


class Twin:
    """Two emulated terminals fed each frame: Textual's writing and the lean one."""

    def __init__(self) -> None:
        self.screens = [pyte.Screen(*SIZE), pyte.Screen(*SIZE)]
        self.streams = [pyte.ByteStream(s) for s in self.screens]
        self.sent = [0, 0]
        self.partial = 0

    def feed(self, renderable: Any, console: Any) -> None:
        if not isinstance(renderable, CompositorUpdate):
            return
        if isinstance(renderable, ChopsUpdate):
            self.partial += 1
            texts = [lean_frames._ORIGINAL(renderable, console),
                     lean_frames.render_segments(renderable, console)]
        else:
            texts = [renderable.render_segments(console)] * 2
        for i, text in enumerate(texts):
            data = text.replace("\n", "\r\n").encode()  # the tty's newline mapping
            if isinstance(renderable, ChopsUpdate):
                self.sent[i] += len(data)
            self.streams[i].feed(data)

    def cells(self, i: int) -> list[list[tuple[str, str, str, bool, bool]]]:
        screen = self.screens[i]
        return [[(c.data, c.fg, c.bg, c.bold, c.reverse)
                 for c in (screen.buffer[y][x] for x in range(screen.columns))]
                for y in range(screen.lines)]


def _watch(app: Any, twin: Twin) -> None:
    display = app._display

    def both(screen: Any, renderable: Any) -> None:
        twin.feed(renderable, app.console)
        display(screen, renderable)

    app._display = both


async def test_a_session_and_the_library_look_the_same_written_lean() -> None:
    clock = FakeClock()
    app = make_app(load_fixture_library(), clock)
    twin = Twin()
    async with app.run_test(size=SIZE) as pilot:
        _watch(app, twin)
        app.screen.refresh()
        await pilot.pause()
        for key in ("down", "t", "t", "enter"):
            await pilot.press(key)
            await pilot.pause()
            assert twin.cells(0) == twin.cells(1), key
        await tick(pilot, clock)
        twin.sent = [0, 0]  # from here on, a steady countdown
        for second in range(14):
            await tick(pilot, clock)
            assert twin.cells(0) == twin.cells(1), second
    assert twin.partial > 10
    assert twin.sent[1] < 0.7 * twin.sent[0], twin.sent


async def test_partial_updates_rendered_on_the_dirty_rows_only_show_the_same(
        monkeypatch: Any) -> None:
    from textual._compositor import Compositor
    from textual.widget import Widget

    from trainer.ui import dirty_rows

    clock = FakeClock()
    app = make_app(load_fixture_library(), clock)
    twin = Twin()
    rendered = {"all": 0, "dirty": 0}
    widgets: dict[str, set[str]] = {"all": set(), "dirty": set(), "full": set()}

    render_lines = Widget.render_lines
    rendering = ["full"]  # which renders call render_lines: a full update's, or a partial's

    def named(self: Widget, crop: Any) -> Any:
        widgets[rendering[0]].add(type(self).__name__)
        return render_lines(self, crop)

    monkeypatch.setattr(Widget, "render_lines", named)

    def counted(which: str, renders: Any) -> Any:
        def counting(self: Compositor, crop: Any = None) -> Any:
            rendering[0] = which
            for region, clip, strips in renders(self, crop):
                rendered[which] += len(strips)
                yield region, clip, strips
            rendering[0] = "full"
        return counting

    def both(compositor: Compositor) -> Any:
        # The same dirty regions rendered Textual's way and on the dirty rows only.
        dirty = set(compositor._dirty_regions)
        monkeypatch.setattr(Compositor, "_get_renders",
                            counted("all", dirty_rows._ORIGINAL_RENDERS))
        textual_way = dirty_rows._ORIGINAL_PARTIAL(compositor)
        compositor._dirty_regions.update(dirty)
        monkeypatch.setattr(Compositor, "_get_renders", counted("dirty", dirty_rows._get_renders))
        lean = dirty_rows.render_partial_update(compositor)
        if textual_way is not None:
            for i, update in enumerate((textual_way, lean)):
                text = lean_frames._ORIGINAL(update, app.console).replace("\n", "\r\n")
                twin.streams[i].feed(text.encode())
        return lean

    async with app.run_test(size=SIZE) as pilot:
        app.screen.refresh()
        await pilot.pause()  # the library's first frame: the app installs dirty_rows after it
        monkeypatch.setattr(Compositor, "render_partial_update", both)
        for key in ("down", "t", "t", "enter"):
            await pilot.press(key)
            await pilot.pause()
        await tick(pilot, clock)
        rendered.update(all=0, dirty=0)  # from here on, a steady countdown
        widgets.update(all=set(), dirty=set())
        for second in range(14):
            await tick(pilot, clock)
            assert twin.cells(0) == twin.cells(1), second
        counted_widgets = {k: set(v) for k, v in widgets.items()}
    assert any(cell[0].strip() for row in twin.cells(1) for cell in row)  # the clock, at least
    assert rendered["dirty"] < 0.3 * rendered["all"], rendered
    # What changes renders, not the screen and the containers behind it (Textual's way does).
    behind = {"SessionScreen", "Vertical", "Horizontal"}
    assert behind <= counted_widgets["all"], counted_widgets
    assert not behind & counted_widgets["dirty"], counted_widgets
    assert "Glyph" in counted_widgets["dirty"]
