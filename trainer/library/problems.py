"""Problems in library files, as `file:line:col: message (hint)`, and plain wording for them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trainer.safe_text import printable, unsafe_char

if TYPE_CHECKING:  # pydantic stays out of what imports only Problem (sources, the app's cache)
    from pydantic_core import ErrorDetails

QUOTE_LIMIT = 60  # characters of a value from a file quoted in a message
_MESSAGE_LIMIT = 400  # a message or hint longer than this was built from something unbounded
_WORD_LIMIT = 64  # longer words are not worth a 'did you mean'


def shorten(text: str, limit: int = QUOTE_LIMIT) -> str:
    """Text from a file for a message: at most `limit` characters, controls shown visibly."""
    shown = printable(text[: limit + 1])
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def unsafe_what(char: str) -> str:
    """What kind of character `unsafe_char` found, from how it shows it (^[, <U+202E>)."""
    if char.startswith(("^", "<U+008", "<U+009")):  # C0, DEL and C1
        return "a control character"
    if char.startswith("<0x"):
        return "a byte that is not text"
    return "an invisible or bidi character"


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in one file, at a 1-based line and column."""

    path: str
    line: int
    col: int
    message: str
    hint: str = ""

    def __post_init__(self) -> None:
        # The last guard: whatever a message quotes, one problem stays one readable line.
        for name in ("message", "hint"):
            text = getattr(self, name)
            if len(text) > _MESSAGE_LIMIT or unsafe_char(text):
                object.__setattr__(self, name, shorten(text, _MESSAGE_LIMIT))

    def __str__(self) -> str:
        hint = f" ({self.hint})" if self.hint else ""
        return f"{self.path}:{self.line}:{self.col}: {self.message}{hint}"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A 'did you mean' hint, or nothing."""
    if len(word) > _WORD_LIMIT:
        return ""
    import difflib  # only when there is something to suggest: kept off the start-up path

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{shorten(close[0])}'?" if close else ""


def show_value(value: Any) -> str:
    """A value as the user wrote it, short and printable."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int) and value.bit_length() > 64:
        # str() of an int past 4,300 digits raises, and no count is meant to be that long.
        return "a very large number"
    if isinstance(value, str):
        # repr shows every control and invisible character as an escape, and the quotes.
        return repr(value if len(value) <= QUOTE_LIMIT else value[: QUOTE_LIMIT - 3] + "...")
    return shorten(str(value))


def describe(error: ErrorDetails, known_keys: Iterable[str]) -> tuple[str, str]:
    """Plain message and hint for one pydantic error."""
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    got = show_value(value)
    field = shorten(next((part for part in reversed(error["loc"]) if isinstance(part, str)),
                         "value"))
    if kind == "extra_forbidden":
        return f"unknown key '{field}'", did_you_mean(field, known_keys)
    if kind == "missing":
        return f"missing required key '{field}'", ""
    if kind == "value_error":
        return f"{field}: {ctx.get('error', error['msg'])}", ""
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "")
        word = value if isinstance(value, str) else ""
        hint = did_you_mean(word, expected.replace(" or ", ", ").split(", "))
        return f"{field}: {got} is not one of {expected}", hint
    if kind == "unsafe_text":
        return f"{field} contains {ctx.get('what')} ({ctx.get('char')})", "remove it"
    if kind == "string_pattern_mismatch":
        char = unsafe_char(value) if isinstance(value, str) else None
        if char is not None:
            return (f"{field} contains {unsafe_what(char)} ({char})",
                    "use lowercase letters, digits and single dashes, like 'knee-to-chest'")
        return (
            f"{field}: {got} is not a valid id",
            "use lowercase letters, digits and single dashes, like 'knee-to-chest'",
        )
    if kind in ("string_too_short", "too_short"):
        return f"{field} must not be empty", ""
    if kind in ("string_too_long", "too_long"):
        return f"{field} is too long ({error['msg'].lower()})", ""
    if kind == "string_type":
        return f"{field}: expected text, got {got}", "quote it to make it text"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{field}: expected a whole number, got {got}", ""
    if kind == "bool_type":
        return f"{field}: expected true or false, got {got}", ""
    if kind in ("greater_than_equal", "greater_than"):
        return f"{field} must be at least {ctx.get('ge', ctx.get('gt'))}, got {got}", ""
    if kind in ("less_than_equal", "less_than"):
        return f"{field} must be at most {ctx.get('le', ctx.get('lt'))}, got {got}", ""
    if kind in ("tuple_type", "list_type"):
        return f"{field}: expected a list, got {got}", ""
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"{field}: expected a mapping of keys to values, got {got}", ""
    if kind == "step_kind":
        hint = ""
        if isinstance(value, dict):
            hint = next(filter(None, (did_you_mean(k, ("exercise", "block", "interval", "rest"))
                                      for k in list(value)[:20])), "")
        return f"{error['msg']}, got {got}", hint
    return error["msg"], ""
