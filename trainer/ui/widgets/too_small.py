"""The line a screen shows instead of itself on a terminal smaller than the app can use."""

from __future__ import annotations

from textual.widgets import Static

MIN_COLUMNS, MIN_ROWS = 40, 12  # the smallest size every screen is laid out for


class TooSmall(Static):
    """'Enlarge the terminal to at least 40 x 12', shown (by trainer.tcss) only when it is."""

    def __init__(self) -> None:
        super().__init__(f"Enlarge the terminal to at least {MIN_COLUMNS} x {MIN_ROWS}",
                         markup=False, id="too-small")
