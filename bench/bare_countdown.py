"""The yardstick for bench_session.py: a bare Textual app showing only a `Digits` countdown.

Written the way anyone would: one `Digits`, a 1 s interval timer, `update()` each tick.
Counts down from 0:30 and stays at 0:00. Quit with ctrl+q.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Digits


class BareCountdown(App[None]):
    """A centred `Digits` counting down once a second."""

    CSS = """
    Screen { align: center middle; }
    Digits { width: auto; }
    """

    def __init__(self, seconds: int = 30) -> None:
        super().__init__()
        self.remaining = seconds

    def compose(self) -> ComposeResult:
        yield Digits(self._text())

    def on_mount(self) -> None:
        self.set_interval(1.0, self.tick)

    def tick(self) -> None:
        self.remaining = max(0, self.remaining - 1)
        self.query_one(Digits).update(self._text())

    def _text(self) -> str:
        minutes, seconds = divmod(self.remaining, 60)
        return f"{minutes}:{seconds:02d}"


if __name__ == "__main__":
    BareCountdown().run()
