"""Streaks, weekly minutes, routine counts, the pain trend and progression, over fixed dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from trainer.cli.history import stats_text
from trainer.history.charts import axis_top, check_in_lines, day_calendar, week_bars
from trainer.history.stats import (
    Entry,
    best_streak,
    minutes_per_day,
    minutes_per_week,
    next_level,
    pain_trend,
    progression,
    routine_counts,
    slope,
    streak,
    summarize,
)

TODAY = date(2024, 3, 14)  # a Thursday, ISO week 11
ROUTINES = {"strength-beginner", "strength-intermediate", "strength-advanced", "stretch",
            "cardio-beginner"}


def day(n: int) -> date:
    """TODAY moved by n days."""
    return TODAY + timedelta(days=n)


def done(routine: str, n: int, minutes: float = 20, pain: int | None = None,
         effort: int | None = None, status: str = "completed") -> Entry:
    """A session on day n."""
    return Entry(routine, day(n), status, minutes * 60, pain, effort)


# -- streaks -------------------------------------------------------------------------------


def test_streak_counts_back_from_today() -> None:
    assert streak([day(0), day(-1), day(-2), day(-4)], TODAY) == 3


def test_streak_may_end_yesterday_when_today_is_still_open() -> None:
    assert streak([day(-1), day(-2)], TODAY) == 2
    assert streak([day(-2), day(-3)], TODAY) == 0  # a day missed: broken
    assert streak([], TODAY) == 0


def test_streak_ignores_the_future_and_duplicates() -> None:
    assert streak([day(0), day(0), day(1), day(-1)], TODAY) == 2


def test_streak_crosses_month_and_year_ends() -> None:
    new_year = date(2024, 1, 1)
    assert streak([date(2023, 12, 30), date(2023, 12, 31), new_year], new_year) == 3
    leap = date(2024, 3, 1)
    assert streak([date(2024, 2, 28), date(2024, 2, 29), leap], leap) == 3


def test_best_streak() -> None:
    days = [day(-10), day(-9), day(-8), day(-7), day(-3), day(-2), day(0)]
    assert best_streak(days) == 4
    assert best_streak([]) == 0


def test_only_completed_sessions_make_a_streak() -> None:
    entries = [done("stretch", 0, status="stopped"), done("stretch", -1), done("stretch", -2)]
    assert summarize(entries, TODAY, ROUTINES).streak == 2


# -- minutes ---------------------------------------------------------------------------------


def test_minutes_per_day_fills_empty_days() -> None:
    entries = [done("stretch", 0, 10), done("stretch", 0, 5), done("stretch", -2, 30),
               done("stretch", -9, 99)]
    assert minutes_per_day(entries, day(-3), TODAY) == [
        (day(-3), 0), (day(-2), 30), (day(-1), 0), (day(0), 15)]


def test_minutes_per_week_uses_iso_weeks_ending_this_week() -> None:
    entries = [
        done("stretch", 0, 10),  # Thu, week 11
        done("stretch", -3, 20),  # Mon, week 11
        done("stretch", -4, 30),  # Sun, week 10
        done("stretch", -10, 40, status="stopped"),  # Mon, week 10: unfinished time counts too
        done("stretch", -60, 50),  # too long ago
    ]
    weeks = minutes_per_week(entries, TODAY, weeks=3)
    assert [w.label for w in weeks] == ["2024-W09", "2024-W10", "2024-W11"]
    assert [w.monday for w in weeks] == [date(2024, 2, 26), date(2024, 3, 4), date(2024, 3, 11)]
    assert [w.minutes for w in weeks] == [0, 70, 30]
    assert [w.sessions for w in weeks] == [0, 2, 2]


def test_minutes_per_week_across_the_iso_year_boundary() -> None:
    # 2020 has an ISO week 53; 2021-01-03 (a Sunday) still belongs to it.
    entries = [Entry("stretch", date(2021, 1, 3), "completed", 600),
               Entry("stretch", date(2021, 1, 4), "completed", 1200)]
    weeks = minutes_per_week(entries, date(2021, 1, 6), weeks=2)
    assert [(w.label, w.minutes) for w in weeks] == [("2020-W53", 10), ("2021-W01", 20)]


def test_routine_counts() -> None:
    entries = [done("stretch", -3), done("stretch", -2, status="interrupted"),
               done("cardio-beginner", -1), done("cardio-beginner", 0),
               done("strength-beginner", 0, status="stopped")]
    assert [(c.routine_id, c.completed, c.total) for c in routine_counts(entries)] == [
        ("cardio-beginner", 2, 2), ("stretch", 1, 2), ("strength-beginner", 0, 1)]


# -- pain trend ------------------------------------------------------------------------------


def test_slope_is_least_squares() -> None:
    assert slope([1, 2, 3, 4]) == pytest.approx(1)
    assert slope([4, 4, 4]) == 0
    assert slope([2, 4, 3, 5]) == pytest.approx(0.8)
    assert slope([7]) == 0


def test_pain_trend_directions_and_reasons() -> None:
    up = pain_trend([1, 2, 2, 3, 4])
    assert up.direction == "up" and up.values == (1, 2, 2, 3, 4)
    assert up.reason.startswith("rising: 1, 2, 2, 3, 4 over the last 5 check-ins")
    down = pain_trend([5, None, 4, 4, 2])
    assert down.direction == "down" and down.values == (5, 4, 4, 2)
    assert pain_trend([3, 3, 4, 3, 3]).direction == "flat"
    unknown = pain_trend([None, 2, 3])
    assert unknown.direction == "unknown" and "a trend needs 3" in unknown.reason


def test_pain_trend_looks_at_the_latest_check_ins_only() -> None:
    old_rise_then_steady = [0, 2, 4, 6, 8, 3, 3, 3, 3, 3, 3]
    assert pain_trend(old_rise_then_steady).direction == "flat"


# -- progression -----------------------------------------------------------------------------


def test_next_level_follows_the_family_naming() -> None:
    assert next_level("strength-beginner", ROUTINES) == "strength-intermediate"
    assert next_level("strength-intermediate", ROUTINES) == "strength-advanced"
    assert next_level("strength-advanced", ROUTINES) is None
    assert next_level("cardio-beginner", ROUTINES) is None  # no cardio-intermediate here
    assert next_level("cardio-beginner", {"cardio-advanced"}) == "cardio-advanced"
    assert next_level("stretch", ROUTINES) is None


def test_three_comfortable_completions_suggest_the_next_level() -> None:
    entries = [done("strength-beginner", -3, pain=3, effort=6),
               done("strength-beginner", -2, pain=3, effort=7),
               done("strength-beginner", -1, pain=2, effort=6)]
    [suggestion] = progression(entries, ROUTINES)
    assert (suggestion.routine_id, suggestion.kind, suggestion.target) == (
        "strength-beginner", "next_level", "strength-intermediate")
    assert suggestion.reason == ("completed 3 times in a row; pain 3, 3, 2, not rising; "
                                 "effort 6, 7, 6 of 10: ready to try strength-intermediate")


def test_without_a_next_level_a_little_more_time_is_suggested() -> None:
    entries = [done("stretch", n) for n in (-3, -2, -1)]
    [suggestion] = progression(entries, ROUTINES)
    assert (suggestion.kind, suggestion.target) == ("more_time", None)
    assert "no pain recorded" in suggestion.reason and "10% longer" in suggestion.reason


@pytest.mark.parametrize(("entries", "why"), [
    ([done("stretch", -2), done("stretch", -1)], "only two"),
    ([done("stretch", -3), done("stretch", -2, status="stopped"), done("stretch", -1)],
     "one stopped"),
    ([done("stretch", -3, pain=2), done("stretch", -2, pain=3), done("stretch", -1, pain=3)],
     "pain rose within the run"),
    ([done("stretch", -4, pain=1), done("stretch", -3, pain=2), done("stretch", -2, pain=2),
      done("stretch", -1, pain=2)], "pain higher than before the run"),
    ([done("stretch", -3, effort=6), done("stretch", -2, effort=9), done("stretch", -1)],
     "effort maxed"),
])
def test_no_suggestion_unless_comfortable(entries: list[Entry], why: str) -> None:
    no_trend = pain_trend([])  # judge the run alone, whatever the overall trend
    assert no_trend.direction == "unknown"
    assert progression(entries, ROUTINES, no_trend) == [], why


def test_never_while_pain_is_trending_up() -> None:
    # This routine is comfortable, but pain overall rises through another routine's check-ins.
    entries = [done("cardio-beginner", -9, pain=1), done("cardio-beginner", -8, pain=2),
               done("cardio-beginner", -7, pain=3), done("strength-beginner", -3),
               done("strength-beginner", -2), done("strength-beginner", -1, pain=4)]
    assert pain_trend([e.pain for e in entries]).direction == "up"
    assert progression(entries, ROUTINES) == []
    summary = summarize(entries, TODAY, ROUTINES)
    assert summary.suggestions == () and "pain is rising" in summary.notes[0]


def test_no_repeat_suggestion_once_the_next_level_was_tried() -> None:
    entries = [done("strength-beginner", n) for n in (-5, -4, -3)]
    entries.append(done("strength-intermediate", -1, status="stopped"))
    assert progression(entries, ROUTINES) == []


# -- everything together -------------------------------------------------------------------


def test_summary_and_its_text() -> None:
    entries = [done("strength-beginner", -15, 20, pain=3, effort=6),
               done("strength-beginner", -8, 25, pain=2, effort=6),
               done("stretch", -2, 10, status="stopped"),
               done("strength-beginner", -1, 30, pain=2, effort=7),
               done("strength-beginner", 0, 15, pain=1, effort=5)]
    summary = summarize(entries, TODAY, ROUTINES, weeks=4)
    assert (summary.streak, summary.best_streak) == (2, 2)
    assert (summary.week_minutes, summary.week_sessions) == (55, 3)
    assert [w.minutes for w in summary.weeks] == [0, 20, 25, 55]
    assert len(summary.days) == 28 and summary.days[-1] == (TODAY, 15)
    assert summary.pain.direction == "down"
    assert [s.target for s in summary.suggestions] == ["strength-intermediate"]

    text = stats_text(summary, {"stretch": "Stretch", "strength-beginner": "Strength 1"})
    lines = text.splitlines()
    assert lines[0] == "Streak: 2 days (best 2)"
    assert lines[1] == "This week: 55 min in 3 sessions"
    assert lines[4] == "  60 ┤             ▄▄▄"  # 55 of an axis up to 60: half a cell on top
    assert lines[7] == "  30 ┤         ▄▄▄ ███"
    assert lines[10] == "   0 └────────────────"
    assert lines[11] == "       W08 W09 W10 W11"
    assert lines[12] == "         0  20  25  55 min"
    assert "Active days (last 4 weeks, Monday on top)" in text
    assert "Strength 1: completed 3 times in a row" in text
    ascii_text = stats_text(summary, {}, unicode=False)
    assert "█" not in ascii_text and "###" in ascii_text
    assert ascii_text.isascii()


def test_week_bars_have_a_round_axis_and_never_a_full_bar_for_seconds() -> None:
    weeks = minutes_per_week([done("stretch", -7, 0.2), done("stretch", 0, 30)], TODAY, weeks=2)
    bars = week_bars(weeks, height=4)
    assert bars[0] == "30 ┤     ███"  # the axis goes to 30: 30 minutes fill the bar
    assert bars[3] == "   │ ▁▁▁ ███"  # 12 seconds: a sliver of a bar, never a full one
    assert bars[-1] == "       0  30 min"
    assert axis_top(0) == 10 and axis_top(10.5) == 15 and axis_top(2000) == 2040


def test_the_calendar_shades_each_day_by_its_minutes() -> None:
    days = [(day(-n), m) for n, m in ((0, 45), (1, 25), (2, 15), (3, 5), (4, 0))]
    calendar = day_calendar(days, TODAY, weeks=2)
    # TODAY is a Thursday: this week's Monday to Thursday in the second column.
    assert [line[3:] for line in calendar[:7]] == [
        "· ░", "· ▒", "· ▓", "· █", "·  ", "·  ", "·  "]
    assert calendar[7].split() == ["·", "0", "░", "<10", "▒", "<20", "▓", "<40", "█", "40+",
                                   "min"]


def test_check_ins_are_drawn_as_points_from_0_to_10() -> None:
    lines = check_in_lines([(0, 10), (5, 5), (None, 2)], height=5)
    assert lines == ["10 ┤ ○    ", "   │      ", "   │   ◉  ", "   │     ○", " 0 ┤ ●    ",
                     "   └──────"]
