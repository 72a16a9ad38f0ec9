"""Problems in library files, as `file:line:col: message (hint)`, and plain wording for them."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic_core import ErrorDetails


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in one file, at a 1-based line and column."""

    path: str
    line: int
    col: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        hint = f" ({self.hint})" if self.hint else ""
        return f"{self.path}:{self.line}:{self.col}: {self.message}{hint}"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A 'did you mean' hint, or nothing."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def _show(value: Any) -> str:
    """A value as the user wrote it, short."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def describe(error: ErrorDetails, known_keys: Iterable[str]) -> tuple[str, str]:
    """Plain message and hint for one pydantic error."""
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    field = next((str(part) for part in reversed(error["loc"]) if isinstance(part, str)), "value")
    if kind == "extra_forbidden":
        return f"unknown key '{field}'", did_you_mean(field, known_keys)
    if kind == "missing":
        return f"missing required key '{field}'", ""
    if kind == "value_error":
        return f"{field}: {ctx.get('error', error['msg'])}", ""
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "")
        hint = did_you_mean(str(value), expected.replace(" or ", ", ").split(", "))
        return f"{field}: {_show(value)} is not one of {expected}", hint
    if kind == "string_pattern_mismatch":
        return (
            f"{field}: {_show(value)} is not a valid id",
            "use lowercase letters, digits and single dashes, like 'knee-to-chest'",
        )
    if kind in ("string_too_short", "too_short"):
        return f"{field} must not be empty", ""
    if kind in ("string_too_long", "too_long"):
        return f"{field} is too long ({error['msg'].lower()})", ""
    if kind == "string_type":
        return f"{field}: expected text, got {_show(value)}", "quote it to make it text"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{field}: expected a whole number, got {_show(value)}", ""
    if kind == "bool_type":
        return f"{field}: expected true or false, got {_show(value)}", ""
    if kind in ("greater_than_equal", "greater_than"):
        return f"{field} must be at least {ctx.get('ge', ctx.get('gt'))}, got {_show(value)}", ""
    if kind in ("less_than_equal", "less_than"):
        return f"{field} must be at most {ctx.get('le', ctx.get('lt'))}, got {_show(value)}", ""
    if kind in ("tuple_type", "list_type"):
        return f"{field}: expected a list, got {_show(value)}", ""
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"{field}: expected a mapping of keys to values, got {_show(value)}", ""
    if kind == "step_kind":
        hint = ""
        if isinstance(value, dict):
            hint = next(filter(None, (did_you_mean(k, ("exercise", "block", "interval", "rest"))
                                      for k in value)), "")
        return f"{error['msg']}, got {_show(value)}", hint
    return error["msg"], ""
