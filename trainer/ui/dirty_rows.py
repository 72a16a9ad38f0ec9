"""Partial updates rendered on the rows that changed, not on every row of the widgets under them.

Textual 8.2 renders a partial update (`Compositor.render_partial_update` in
textual/_compositor.py) over the box around all the dirty regions, and asks every widget that
overlaps that box for all of its lines (`Compositor._get_renders`), although only the dirty rows
are written. A session's countdown changes a few rows of one digit and the "left" line at the
bottom: the box spans most of the screen, so the screen, its containers and the text widgets
all rendered every one of their rows once a second (about two thirds of the main thread's busy
samples in a steady session, py-spy at 80x24). Rendering only the dirty rows cuts the rows
rendered about threefold; the process's CPU moved less than this machine's noise (bench/README.md).

Here each widget renders only the bands of dirty rows where it overlaps a dirty region (runs
of rows, with short gaps closed up: a call per widget costs more than a row), and nothing for a
region that a widget in front of it covers. A tick that changes one digit renders that digit's
glyph, not the other glyphs, the clock and the screen behind it: a steady tick at 200x60 went
from 14 render calls and 83 rows to 3 and 16 (tests' fixture library). The chops that result
are the same on every dirty cell (tests/test_lean_frames.py); full updates are left as they are.

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
_bands: list[tuple[Region, list[Region]]] | None = None  # set while a partial update renders


def bands(regions: Iterable[Region], gap: int = GAP) -> list[tuple[Region, list[Region]]]:
    """The dirty regions in runs of rows, runs `gap` rows apart or closer joined.

    Each run is the box around its regions (its rows, from the leftmost dirty cell on them to
    the rightmost) and the regions themselves.
    """
    runs: list[tuple[Region, list[Region]]] = []
    for region in sorted(regions, key=lambda r: (r.y, r.x)):
        if runs and region.y - runs[-1][0].bottom <= gap:
            box, held = runs[-1]
            runs[-1] = (box.union(region), held)
            held.append(region)
        else:
            runs.append((region, [region]))
    return runs


def _get_renders(self: Compositor,
                 crop: Region | None = None) -> Iterator[tuple[Region, Region, list[Strip]]]:
    """Textual's renders, cut to the bands while a partial update renders.

    Widgets come front to back. A widget renders the rows of each band where it overlaps a dirty
    region; a region it covers is hidden behind it, so the widgets further back do not render
    for it, and once all of a band's regions are covered the band is done.
    """
    if _bands is None or crop is None:
        yield from _ORIGINAL_RENDERS(self, crop)
        return
    open_runs = [(box, list(held)) for box, held in _bands]
    for widget, (region, clip) in self.visible_widgets.items():
        if not open_runs:
            return
        shown = region.intersection(clip)
        overlaps, covers = shown.overlaps, shown.contains_region
        for run in [run for run in open_runs if overlaps(run[0])]:
            box, held = run
            if not any(map(overlaps, held)):
                continue
            top, bottom = max(shown.y, box.y), min(shown.bottom, box.bottom)
            band = Region(shown.x, top, shown.width, bottom - top)
            # The band is the clip: _render_chops pairs its rows with the strips returned.
            yield region, band, widget.render_lines(
                Region(band.x - region.x, top - region.y, band.width, band.height))
            held[:] = [dirty for dirty in held if not covers(dirty)]
            if not held:
                open_runs.remove(run)


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
