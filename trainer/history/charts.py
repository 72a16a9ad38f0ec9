"""Text charts of the history: a bar in eighths of a cell, one line per week."""

from __future__ import annotations

from collections.abc import Sequence

from trainer.history.stats import Week

CHART_WIDTH = 30
_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(value: float, top: float, width: int = CHART_WIDTH, unicode: bool = True) -> str:
    """A horizontal bar, in eighths of a cell where the terminal can show them."""
    if top <= 0 or value <= 0:
        return ""
    cells = value / top * width
    if not unicode:
        return "#" * max(1, round(cells))
    whole, eighths = int(cells), round((cells - int(cells)) * 8)
    if eighths == 8:
        whole, eighths = whole + 1, 0
    text = "█" * whole + (_EIGHTHS[eighths] if eighths else "")
    return text or "▏"


def week_chart(weeks: Sequence[Week], unicode: bool = True) -> list[str]:
    """One line per week: label, bar, minutes."""
    top = max((w.minutes for w in weeks), default=0.0)
    return [f"  {w.label}  {bar(w.minutes, top, unicode=unicode):{CHART_WIDTH}}  "
            f"{round(w.minutes):>4} min" for w in weeks]
