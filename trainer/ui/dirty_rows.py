"""Partial updates rendered on the rows that changed, not on every row of the widgets under them.

Textual 8.2 renders a partial update (`Compositor.render_partial_update` in
textual/_compositor.py) over the box around all the dirty regions, and asks every widget that
overlaps that box for all of its lines (`Compositor._get_renders`), although only the dirty rows
are written. A session's countdown changes a few rows of one digit and the "left" line at the
bottom: the box spans most of the screen, so the screen, its containers and the text widgets
all rendered every one of their rows once a second (about two thirds of the main thread's busy
samples in a steady session, py-spy at 80x24). Rendering only the dirty rows cuts the rows
rendered about threefold; the process's CPU moved less than this machine's noise (bench/README.md).

Here each widget renders only the bands of dirty rows it covers (runs of rows, with short gaps
closed up: a call per widget costs more than a row). The chops that result are the same on
every dirty row (tests/test_lean_frames.py), and full updates are left as they are.

Upstream, cropping `_get_renders` to the rendered lines would make this module unnecessary.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from textual._compositor import Compositor
from textual.geometry import Region
from textual.strip import Strip

GAP = 3  # dirty row runs this close or closer are rendered as one band

_ORIGINAL_RENDERS = Compositor._get_renders
_ORIGINAL_PARTIAL = Compositor.render_partial_update
_bands: list[tuple[int, int]] | None = None  # set while a partial update renders


def bands(regions: Iterable[Region], gap: int = GAP) -> list[tuple[int, int]]:
    """The dirty rows as (first, end) runs, runs `gap` rows apart or closer joined."""
    rows = sorted({y for region in regions for y in region.line_range})
    runs: list[tuple[int, int]] = []
    for y in rows:
        if runs and y - runs[-1][1] <= gap:
            runs[-1] = (runs[-1][0], y + 1)
        else:
            runs.append((y, y + 1))
    return runs


def _get_renders(self: Compositor,
                 crop: Region | None = None) -> Iterator[tuple[Region, Region, list[Strip]]]:
    """Textual's renders, each widget's cut to the bands while a partial update renders."""
    runs = _bands
    if runs is None or crop is None:
        yield from _ORIGINAL_RENDERS(self, crop)
        return
    overlaps = crop.overlaps
    for widget, (region, clip) in self.visible_widgets.items():
        if not overlaps(clip):
            continue
        shown = region.intersection(clip)
        for first, end in runs:
            top, bottom = max(shown.y, first), min(shown.bottom, end)
            if top >= bottom:
                continue
            band = Region(shown.x, top, shown.width, bottom - top)
            # The band is the clip: _render_chops pairs its rows with the strips returned.
            yield region, band, widget.render_lines(
                Region(band.x - region.x, top - region.y, band.width, band.height))


def render_partial_update(self: Compositor) -> object:
    """Textual's partial update, its widgets rendered on the dirty bands only."""
    global _bands
    _bands = bands(self._dirty_regions)
    try:
        return _ORIGINAL_PARTIAL(self)
    finally:
        _bands = None


def install() -> None:
    """Render partial updates this way from now on (idempotent)."""
    Compositor._get_renders = _get_renders  # type: ignore[method-assign]
    Compositor.render_partial_update = render_partial_update  # type: ignore[method-assign,assignment]
