"""Parse and format durations such as `45`, `45s`, `2m`, `1m30s`, `1h`, `1:30`."""

from __future__ import annotations

import re

from trainer.library.problems import shorten

MAX_SECONDS = 3 * 3600  # one timing value longer than this is a typo, not a plan
# No duration written as text needs more characters than this ("1h59m59.999s" is 12); longer
# text is refused before any of its digits are converted, so no run of digits can overflow.
MAX_TEXT = 32

_UNITS = re.compile(r"^(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+(?:\.\d+)?)s?)?$")
_CLOCK = re.compile(r"^(?:(?P<h>\d+):)?(?P<m>\d+):(?P<s>[0-5]\d(?:\.\d+)?)$")
_NUMERIC = re.compile(r"^\d[\d.:hms]*$")
FORMATS = "45, 45s, 2m, 1m30s, 1h or 1:30"


def parse_duration(value: object) -> float:
    """Seconds from a YAML value; raises ValueError (and only ValueError) with a plain message."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as {FORMATS}, got {str(value).lower()}")
    if isinstance(value, int):
        # Compared as an int: float() of an int past 1e308 raises OverflowError.
        if value < 0:
            raise ValueError("a duration cannot be negative")
        if value > MAX_SECONDS:
            raise _too_long(value)
        seconds = float(value)
    elif isinstance(value, float):
        seconds = value
    elif isinstance(value, str):
        seconds = _parse_text(value)
    else:
        raise ValueError(f"expected a duration such as {FORMATS}")
    if seconds != seconds:  # NaN
        raise ValueError("a duration must be a number of seconds")
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    if seconds > MAX_SECONDS:
        raise _too_long(seconds)
    return seconds


def _too_long(seconds: float) -> ValueError:
    """The error for a duration over the limit."""
    # YAML's .inf cannot be rounded for display, and a huge number is not worth echoing.
    shown = format_duration(seconds) if seconds < 100 * MAX_SECONDS else "that"
    return ValueError(f"{shown} is longer than the {MAX_SECONDS // 3600}h limit")


def _parse_text(text: str) -> float:
    """Seconds from the text forms."""
    compact = text[: MAX_TEXT * 4].strip().replace(" ", "").lower()
    if len(compact) > MAX_TEXT:
        if _NUMERIC.match(compact):  # a duration form, only far too long
            raise ValueError(f"'{shorten(text)}' is longer than the {MAX_SECONDS // 3600}h limit")
        raise ValueError(f"'{shorten(text)}' is not a duration; use {FORMATS}")
    match = _UNITS.match(compact) or _CLOCK.match(compact)
    if not compact or not match or not any(match.groupdict().values()):
        raise ValueError(f"'{shorten(text)}' is not a duration; use {FORMATS}")
    parts = match.groupdict()
    try:
        hours = int(parts["h"] or 0)
        minutes = int(parts["m"] or 0)
        seconds = float(parts["s"] or 0)
        return hours * 3600 + minutes * 60 + seconds
    except (ValueError, OverflowError):  # not reachable within MAX_TEXT; kept a plain problem
        raise ValueError(f"'{shorten(text)}' is not a duration; use {FORMATS}") from None


def format_duration(seconds: float) -> str:
    """Short human form: 45s, 2m, 1m30s, 1h05m."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m" if minutes else f"{hours}h"
    if minutes:
        return f"{minutes}m{secs:02d}s" if secs else f"{minutes}m"
    return f"{secs}s"


def format_clock(seconds: float) -> str:
    """Clock form for countdowns and totals: 0:45, 12:05, 1:02:03."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
