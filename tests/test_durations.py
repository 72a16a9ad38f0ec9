"""Durations: every accepted form, every rejection, and the two display forms."""

from __future__ import annotations

import math

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.library.durations import MAX_SECONDS, format_clock, format_duration, parse_duration


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (45, 45.0),
        (2.5, 2.5),
        (0, 0.0),
        ("45", 45.0),
        ("45s", 45.0),
        ("2m", 120.0),
        ("1m30s", 90.0),
        ("1m30", 90.0),
        ("1h", 3600.0),
        ("1h5m", 3900.0),
        ("1:30", 90.0),
        ("0:45", 45.0),
        ("1:02:03", 3723.0),
        ("1.5s", 1.5),
        (" 1m 30s ", 90.0),
        ("2M", 120.0),
        ("3h", 10800.0),
    ],
)
def test_accepted_forms(value: object, seconds: float) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize(("text", "seconds"), [("1:30", 90.0), ("0:45", 45.0), ("1m30s", 90.0),
                                               ("45", 45.0), ("2m", 120.0)])
def test_forms_as_written_in_yaml(text: str, seconds: float) -> None:
    # YAML 1.1 reads 1:30 as the sexagesimal int 90 and 0:45 as text; both must mean the same.
    value = yaml.safe_load(f"hold: {text}")["hold"]
    assert parse_duration(value) == seconds


def test_yaml_turns_one_thirty_into_ninety() -> None:
    assert yaml.safe_load("hold: 1:30")["hold"] == 90


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (True, "got true"),
        (False, "got false"),
        (-1, "negative"),
        (-0.5, "negative"),
        (float("nan"), "number of seconds"),
        (float("-inf"), "negative"),
        ("abc", "is not a duration"),
        ("", "is not a duration"),
        ("   ", "is not a duration"),
        ("-5s", "is not a duration"),
        ("5 minutes", "is not a duration"),
        ("1:60", "is not a duration"),
        ("1:5", "is not a duration"),
        ("m", "is not a duration"),
        ("1e400", "is not a duration"),
        (None, "expected a duration"),
        ([30], "expected a duration"),
        ({"s": 30}, "expected a duration"),
        (MAX_SECONDS + 1, "3h limit"),
        ("3h1s", "3h limit"),
        ("4:00:00", "3h limit"),
        (float("inf"), "3h limit"),
        (1e300, "3h limit"),
    ],
)
def test_rejected_values(value: object, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_duration(value)


def test_rejection_names_the_accepted_forms() -> None:
    with pytest.raises(ValueError) as caught:
        parse_duration("soon")
    assert "'soon'" in str(caught.value)
    assert "1m30s" in str(caught.value)


def test_over_limit_message_shows_the_value() -> None:
    with pytest.raises(ValueError, match=r"^4h is longer than the 3h limit$"):
        parse_duration("4h")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (45, "45s"), (59.6, "1m"), (60, "1m"), (90, "1m30s"), (125, "2m05s"),
     (3600, "1h"), (3900, "1h05m")],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0:00"), (45, "0:45"), (44.6, "0:45"), (725, "12:05"), (3723, "1:02:03"),
     (-3, "0:00")],
)
def test_format_clock(seconds: float, text: str) -> None:
    assert format_clock(seconds) == text


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=MAX_SECONDS))
def test_format_clock_round_trips(seconds: int) -> None:
    assert parse_duration(format_clock(seconds)) == seconds


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=MAX_SECONDS))
def test_format_duration_round_trips(seconds: int) -> None:
    # Under an hour the short form is exact; above it, it shows hours and minutes only.
    expected = seconds if seconds < 3600 else seconds - seconds % 60
    assert parse_duration(format_duration(seconds)) == expected


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 3), st.integers(0, 59), st.integers(0, 59))
def test_unit_and_clock_forms_agree(h: int, m: int, s: int) -> None:
    seconds = h * 3600 + m * 60 + s
    if seconds > MAX_SECONDS:
        with pytest.raises(ValueError):
            parse_duration(f"{h}h{m}m{s}s")
        return
    assert parse_duration(f"{h}h{m}m{s}s") == seconds
    assert parse_duration(f"{h}:{m:02d}:{s:02d}") == seconds
    assert parse_duration(seconds) == seconds


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=12), st.floats(allow_nan=True, allow_infinity=True),
                 st.integers(min_value=-(10**20), max_value=10**20), st.booleans(), st.none()))
def test_any_input_gives_seconds_in_range_or_value_error(value: object) -> None:
    try:
        seconds = parse_duration(value)
    except ValueError as exc:
        assert str(exc)
    else:
        assert math.isfinite(seconds)
        assert 0 <= seconds <= MAX_SECONDS
