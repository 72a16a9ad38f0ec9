"""The one-line progress bar: drawn as Textual's ProgressBar draws, moved by the session."""

from __future__ import annotations

import pytest
from rich.console import Console
from textual.app import App, ComposeResult
from textual.renderables.bar import Bar as TextualBar

from trainer.ui.widgets.progress_line import ProgressLine, bar_cells


@pytest.mark.parametrize("width", [1, 2, 7, 58, 80])
def test_the_bar_looks_like_textuals_own(width: int) -> None:
    console = Console(width=width, color_system=None)
    for step in range(0, 41):
        fraction = step / 40
        halves = int(fraction * width * 2)  # ProgressBar rounds down to a half cell too
        with console.capture() as capture:
            console.print(TextualBar((0, halves / 2)), end="")
        assert "".join(bar_cells(width, fraction)) == capture.get(), (width, fraction)


def test_out_of_range_fractions_are_clamped() -> None:
    assert bar_cells(10, -0.5) == ("", "━" * 10)
    assert bar_cells(10, 1.7) == ("━" * 10, "")


class BarApp(App[None]):
    CSS = "ProgressLine { width: 20; }"

    def compose(self) -> ComposeResult:
        yield ProgressLine(0.25)


async def test_filled_part_in_the_bar_colour_the_rest_in_its_background() -> None:
    async with BarApp().run_test(size=(30, 3)) as pilot:
        bar = pilot.app.query_one(ProgressLine)
        line = bar.render_line(0)
        assert line.text == "━" * 5 + "╺" + "━" * 14
        filled, rest = list(line)
        colours = bar.get_component_rich_style("progress-line--bar")
        assert filled.style is not None and rest.style is not None
        assert (filled.style.color, rest.style.color) == (colours.color, colours.bgcolor)
        bar.fraction = 1.0
        await pilot.pause()
        done = bar.get_component_rich_style("progress-line--complete")
        only = list(bar.render_line(0))
        assert [s.text for s in only] == ["━" * 20]
        assert only[0].style is not None and only[0].style.color == done.color
