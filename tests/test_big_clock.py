"""The half-block font keeps the size of the block font before it; a tick repaints little."""

from __future__ import annotations

import pytest

from trainer.ui.widgets.big_clock import changed_runs
from trainer.ui.widgets.clock_font import fit_scale, glyph_rows

CHARS = "0123456789:+- "
OLD_WIDTHS = {":": 1, " ": 2}  # in the 3x5 font's pixels (3 for a digit), each 2 columns a scale


@pytest.mark.parametrize("scale", [1, 2, 3, 4])
def test_every_glyph_is_as_large_as_in_the_block_font(scale: int) -> None:
    for ch in CHARS:
        rows = glyph_rows(ch, scale)
        assert len(rows) == 5 * scale, ch
        assert {len(row) for row in rows} == {2 * scale * OLD_WIDTHS.get(ch, 3)}, ch
        assert len(glyph_rows(ch, scale, gap=True)[0]) == len(rows[0]) + 2 * scale
        assert set("".join(rows)) <= set(" ▀▄█")


def test_the_scale_fits_as_before() -> None:
    # "0:59": 3 + 1 + 3 + 3 pixels and 3 gaps = 13 pixels, 26 columns a scale; 5 rows a scale.
    assert fit_scale("0:59", 104, 20) == 4
    assert fit_scale("0:59", 103, 60) == 3
    assert fit_scale("0:59", 200, 19) == 3
    assert fit_scale("0:59", 25, 24) == 0
    assert fit_scale("10:00", 400, 100) == 4  # never larger than the cap


def test_every_digit_is_distinct_at_every_scale() -> None:
    for scale in (1, 2, 3, 4):
        shapes = [glyph_rows(ch, scale) for ch in "0123456789"]
        assert len(set(shapes)) == 10


def test_a_tick_repaints_only_runs_of_changed_cells() -> None:
    assert changed_runs("█  █", "█  █") == []
    assert changed_runs("████    ", "█       ") == [(1, 4)]
    # Cells far apart are two runs; a gap cheaper to rewrite than a cursor move is joined.
    assert changed_runs("█" + " " * 20 + "█", " " * 22) == [(0, 1), (21, 22)]
    assert changed_runs("█  █", "    ") == [(0, 4)]
    seven, six = glyph_rows("7", 4), glyph_rows("6", 4)
    changed = sum(x2 - x1 for a, b in zip(seven, six, strict=True) for x1, x2 in changed_runs(a, b))
    assert changed < sum(len(row) for row in six) / 2


async def test_the_digits_take_the_colour_of_a_new_phase() -> None:
    from textual.app import App, ComposeResult

    from trainer.ui.widgets.big_clock import BigClock, Glyph

    class Clock(App[None]):
        CSS = "BigClock { color: #00ff00; } BigClock.-rest { color: #0000ff; }"

        def compose(self) -> ComposeResult:
            yield BigClock("0:42")

    def colours(app: Clock) -> set[str]:
        glyph = app.query(Glyph).first()
        return {str(seg.style.color.triplet.hex) for seg in glyph.render_line(0)
                if seg.text.strip() and seg.style and seg.style.color}

    app = Clock()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert colours(app) == {"#00ff00"}
        app.query_one(BigClock).add_class("-rest")  # the phase changes: the glyph's kept style goes
        await pilot.pause()
        assert colours(app) == {"#0000ff"}
