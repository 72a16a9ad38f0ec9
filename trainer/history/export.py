"""Phase runs as the text of `trainer history --json`, written by SQLite (no record objects)."""

# At 50,000 sessions there are ~1.4 million phase runs: reading each as a PhaseRecord, then a
# dict, then JSON took most of the export's time. SQLite writes each one's text here instead,
# as json.dumps(indent=2, ensure_ascii=False) would at its depth in the document; numbers that
# SQLite would write otherwise than Python (17 digits, exponents) go through Python.

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from trainer.history.schema import JSON_FUNCTION
from trainer.history.store import History

PAD = " " * 8  # a phase object's depth in the document
# Strings quoted by both: every ASCII character, and others from each range that JSON escapes
# or might (the check runs once a process: a SQLite that quotes otherwise is not used).
_SAMPLE = "".join(map(chr, range(128))) + "é€\u2028\u2029\ufeff\U0001f600膝\u00a0\ud7ff"


def _number(column: str) -> str:
    """SQL for a REAL column as Python's repr writes it."""
    # SQLite writes 15 significant digits: right whenever they give the number back, and
    # written alike between 1e-4 and 1e15 (0 is left to Python: it may be -0.0).
    return (f"(CASE WHEN abs({column}) >= 1e-4 AND abs({column}) < 1e15"
            f" AND CAST(CAST({column} AS TEXT) AS REAL) = {column}"
            f" THEN CAST({column} AS TEXT) ELSE {JSON_FUNCTION}({column}) END)")


def _quoted(column: str) -> str:
    """SQL for a TEXT column as a JSON string (null for NULL)."""
    return f"(CASE WHEN {column} IS NULL THEN 'null' ELSE json_quote({column}) END)"


_INNER = "\n" + PAD + "  "
_PHASE = ("'{" + _INNER + "\"index\": ' || phase_index"
          f" || ',{_INNER}\"kind\": ' || {_quoted('kind')}"
          f" || ',{_INNER}\"title\": ' || {_quoted('title')}"
          f" || ',{_INNER}\"exercise\": ' || {_quoted('exercise')}"
          f" || ',{_INNER}\"planned_seconds\": ' || {_number('planned_seconds')}"
          f" || ',{_INNER}\"actual_seconds\": ' || {_number('actual_seconds')}"
          f" || ',{_INNER}\"skipped\": ' || (CASE WHEN skipped THEN 'true' ELSE 'false' END)"
          " || '\n" + PAD + "}'")
SEPARATOR = ",\n" + PAD
# group_concat keeps the order rows come in; SQLite says so only from 3.44, with ORDER BY.
_ORDERED = sqlite3.sqlite_version_info >= (3, 44, 0)


def sql_agrees(store: History) -> bool:
    """True if this SQLite quotes strings as json.dumps does (then phase_texts may be used)."""
    rows = store.read("SELECT json_quote(?)", (_SAMPLE,))
    return bool(rows) and rows[0][0] == json.dumps(_SAMPLE, ensure_ascii=False)


def phase_texts(store: History, session_ids: Sequence[int]) -> dict[int, str]:
    """For each session with phase runs: their JSON objects, in order, SEPARATOR between."""
    if not session_ids:
        return {}
    marks = ",".join("?" * len(session_ids))
    if _ORDERED:
        sql = (f"SELECT session_id, group_concat({_PHASE}, ? ORDER BY phase_index)"
               f" FROM phases WHERE session_id IN ({marks}) GROUP BY session_id")
    else:
        sql = (f"SELECT session_id, group_concat(text, ?) FROM (SELECT session_id,"
               f" {_PHASE} AS text FROM phases WHERE session_id IN ({marks})"
               " ORDER BY session_id, phase_index) GROUP BY session_id")
    return dict(store.read(sql, (SEPARATOR, *session_ids)))
