"""Text charts of the history: minutes per week as bars on an axis, active days as a calendar,
pain and effort as lines; the same text in `trainer stats` and on the history screen."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

from trainer.history.stats import Week, monday_of

BAR_WIDTH = 3  # columns of one week's bar
_EIGHTHS = " ▁▂▃▄▅▆▇█"
# Round tops for the minutes axis: a week of 12 seconds is a sliver under 10, not a full bar.
_TOPS = (10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300, 420, 600, 900, 1200)
# Active minutes in a day -> its shade in the calendar: none, then under 10, 20, 40, and more.
_SHADES = ((0.0, "·"), (10.0, "░"), (20.0, "▒"), (40.0, "▓"), (math.inf, "█"))
_ASCII_SHADES = ((0.0, "."), (10.0, "-"), (20.0, "+"), (40.0, "*"), (math.inf, "#"))
DAY_NAMES = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")


def axis_top(value: float) -> int:
    """The round number the minutes axis goes up to: at least 10, at least `value`."""
    return next((top for top in _TOPS if top >= value), math.ceil(value / 60) * 60)


def week_bars(weeks: Sequence[Week], height: int = 6, unicode: bool = True) -> list[str]:
    """Minutes per week as bars over a labelled axis; each week's number and minutes below."""
    top = axis_top(max((w.minutes for w in weeks), default=0.0))
    label = len(str(top))
    vertical, tick, corner, floor = ("│", "┤", "└", "─") if unicode else ("|", "+", "+", "-")
    lines = []
    for row in range(height, 0, -1):  # the top row first
        marks = {height: str(top), (height + 1) // 2: str(top // 2)} if height > 2 else {}
        mark = marks.get(row, "")
        cells = [_bar_cell(w.minutes / top * height - (row - 1), unicode) for w in weeks]
        lines.append(f"{mark:>{label}} {tick if mark else vertical}"
                     + "".join(f" {c * BAR_WIDTH}" for c in cells))
    lines.append(f"{'0':>{label}} {corner}" + floor * ((BAR_WIDTH + 1) * len(weeks)))
    lines.append(" " * (label + 2) + "".join(f" W{w.week:02d}" for w in weeks))
    lines.append(" " * (label + 2) + "".join(f" {round(w.minutes):>3}" for w in weeks) + " min")
    return lines


def _bar_cell(fill: float, unicode: bool) -> str:
    """One row of a bar, `fill` rows of it reaching this row (eighths where the font has them)."""
    if fill >= 1:
        return "█" if unicode else "#"
    if fill <= 0:
        return " "
    if not unicode:
        return "#" if fill >= 0.5 else " "
    return _EIGHTHS[max(1, round(fill * 8))]


def day_calendar(days: Sequence[tuple[date, float]], today: date, weeks: int = 12,
                 unicode: bool = True) -> list[str]:
    """Active days as a calendar, a column per week (Monday on top), shaded by minutes."""
    minutes = dict(days)
    first = monday_of(today) - timedelta(weeks=weeks - 1)
    shades = _SHADES if unicode else _ASCII_SHADES
    lines = []
    for weekday, name in enumerate(DAY_NAMES):
        cells = []
        for week in range(weeks):
            day = first + timedelta(weeks=week, days=weekday)
            value = minutes.get(day, 0.0)
            shade = next(s for limit, s in shades if value < limit) if value > 0 else shades[0][1]
            cells.append(" " if day > today else shade)
        lines.append(f"{name} " + " ".join(cells))
    legend = [f"{s} {'0' if i == 0 else f'<{int(limit)}' if math.isfinite(limit) else '40+'}"
              for i, (limit, s) in enumerate(shades)]
    lines.append("   " + " ".join(legend) + " min")
    return lines


def check_in_lines(points: Sequence[tuple[int | None, int | None]], height: int = 5,
                   unicode: bool = True) -> list[str]:
    """Pain (●) and effort (○) of the latest check-ins, 0-10, a column per check-in."""
    pain, effort, both = ("●", "○", "◉") if unicode else ("P", "E", "B")
    vertical, tick, corner, floor = ("│", "┤", "└", "─") if unicode else ("|", "+", "+", "-")
    lines = []
    for row in range(height - 1, -1, -1):  # 10 at the top
        cells = []
        for p, e in points:
            here = [v is not None and round(v / 10 * (height - 1)) == row for v in (p, e)]
            cells.append(both if all(here) else pain if here[0] else effort if here[1] else " ")
        mark = {height - 1: "10", 0: " 0"}.get(row, "")
        lines.append(f"{mark:>2} {tick if mark else vertical}" + "".join(f" {c}" for c in cells))
    lines.append(f"   {corner}" + floor * (2 * len(points)))
    return lines
