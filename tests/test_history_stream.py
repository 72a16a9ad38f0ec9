"""`trainer history --json/--csv` write as they read: the same bytes as before, in batches."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trainer.cli.history import CSV_COLUMNS, _indented, history
from trainer.history import store as store_module
from trainer.history.records import PhaseRecord, SessionRecord
from trainer.history.store import History
from trainer.session.timeline import Phase, Timeline

T0 = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)
NOTES = ["=1+1, \"quoted\", naïve ✓", "膝の調子は良い", "+3 reps", "@home", "-", "", "plain",
         "tab\tinside", "Rücken, Knie; ok"]


def make_timeline() -> Timeline:
    """A small timeline with a name that needs escaping in both forms."""
    phases = (Phase(0, "get_ready", 0.0, 5.0, 5.0, "Get ready"),
              Phase(1, "work", 5.0, 30.0, 30.0, "Jog «easy»", "jog"),
              Phase(2, "rest", 35.0, 10.0, 10.0, "Rest"),
              Phase(3, "reps", 45.0, None, 30.0, 'Squat "deep"', "squat"),
              Phase(4, "done", 75.0, None, 0.0, "Done"))
    return Timeline("r-ü", "=Routine, with ✓ and \"quotes\"", phases)


@pytest.fixture
def store() -> Iterator[History]:
    """A history of several sessions, phases and check-ins, some started at the same second."""
    opened = History.open()
    timeline = make_timeline()
    records = [PhaseRecord.of(p, (p.duration or p.estimate) + i / 7, skipped=i == 2)
               for i, p in enumerate(timeline.phases[:-1])]
    for n in range(11):
        start = T0 + timedelta(hours=n // 2)  # pairs share a start time: id breaks the tie
        sid = opened.start_session(timeline, start)
        if n % 4 == 0:
            opened.mark_interrupted(sid, 2, 1.5, 40.25, records[:2], start + timedelta(minutes=1))
        elif n % 4 == 1:
            opened.finish(sid, "stopped", 12.0, records[:1], start + timedelta(minutes=1))
        elif n % 4 == 2:
            opened.finish(sid, "completed", 77.125, records, start + timedelta(minutes=2))
        for k in range(n % 3):
            opened.add_checkin(sid, (n + k) % 11, 1 + (n + k) % 10, NOTES[(n + k) % len(NOTES)],
                               start + timedelta(minutes=3, seconds=k))
    yield opened
    opened.close()


def old_json(store: History, limit: int | None) -> str:
    """What `history --json` printed before it streamed (frozen copy)."""
    records = store.recent(limit)
    phases = store.phases_of([r.id for r in records])
    document = {"version": 1, "sessions": [r.to_json(phases.get(r.id, [])) for r in records]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def old_csv(store: History, limit: int | None) -> str:
    """What `history --csv` printed before it streamed (frozen copy)."""
    def cell(text: str) -> str:
        return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text

    def local(moment: datetime | None) -> str:
        return "" if moment is None else moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in store.recent(limit):
        checkin = r.checkin
        writer.writerow([
            r.id, r.local_day.isoformat(), local(r.started_at), local(r.ended_at),
            r.routine_id, cell(r.routine_name), r.status, round(r.planned_seconds),
            round(r.active_seconds),
            "" if checkin is None or checkin.pain is None else checkin.pain,
            "" if checkin is None or checkin.effort is None else checkin.effort,
            "" if checkin is None else cell(checkin.note),
        ])
    return buffer.getvalue()


class Utf8Bytes(io.TextIOWrapper):
    """A stdout whose bytes are kept: UTF-8, or another encoding to take the buffer path."""

    def __init__(self, encoding: str = "utf-8") -> None:
        super().__init__(io.BytesIO(), encoding=encoding, newline="")

    def value(self) -> bytes:
        self.flush()
        raw = self.buffer
        assert isinstance(raw, io.BytesIO)
        return raw.getvalue()


def streamed(store: History, fmt: Any, limit: int | None, encoding: str = "utf-8") -> bytes:
    out = Utf8Bytes(encoding)
    assert history(fmt, limit, store=store, out=out) == 0
    return out.value()


@pytest.mark.parametrize("batch", [1, 2, 3, 200])
@pytest.mark.parametrize("limit", [None, 0, 1, 4, 11, 50])
def test_streamed_json_and_csv_are_the_bytes_the_whole_document_gave(
        store: History, batch: int, limit: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "READ_BATCH", batch)
    assert streamed(store, "json", limit) == old_json(store, limit).encode("utf-8")
    assert streamed(store, "csv", limit) == old_csv(store, limit).encode("utf-8")


def test_a_c_locale_stdout_still_gets_utf8(store: History) -> None:
    assert streamed(store, "json", None, "ascii") == old_json(store, None).encode("utf-8")
    assert streamed(store, "csv", None, "ascii") == old_csv(store, None).encode("utf-8")


def test_the_csv_stays_faithful(store: History) -> None:
    rows = list(csv.reader(io.StringIO(streamed(store, "csv", None).decode("utf-8"))))
    assert tuple(rows[0]) == CSV_COLUMNS and len(rows) == 12
    notes = {r[11] for r in rows[1:]}
    assert "'=1+1, \"quoted\", naïve ✓" in notes and "膝の調子は良い" in notes
    assert all(r[5] == "'=Routine, with ✓ and \"quotes\"" for r in rows[1:])


def test_an_empty_history_is_an_empty_document() -> None:
    empty = History.open(create=False)
    assert streamed(empty, "json", None) == b'{\n  "version": 1,\n  "sessions": []\n}\n'
    assert streamed(empty, "csv", None) == (",".join(CSV_COLUMNS) + "\n").encode()


def test_batches_come_in_the_order_recent_gives(store: History,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "READ_BATCH", 3)
    batches = list(store.recent_batches(None, phases=True))
    assert [len(b) for b in batches] == [3, 3, 3, 2]
    flat = [pair for batch in batches for pair in batch]
    assert [r for r, _ in flat] == store.recent(None)
    assert [p for _, p in flat] == [store.phases(r.id) for r, _ in flat]
    assert all(p == [] for batch in store.recent_batches(5) for _, p in batch)


SCALARS = (st.none() | st.booleans() | st.integers() | st.floats() | st.text()
           | st.sampled_from(["\n", "\"", "\\", "%s", "%%", "\x00", "\u2028", "é✓膝", "\ud800"]))
KEYS = st.text() | st.sampled_from(["index", "%", "a\nb"])
VALUES = st.recursive(
    SCALARS,
    lambda inner: (st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4)
                   | st.lists(st.fixed_dictionaries({"a": SCALARS, "%b": SCALARS}), max_size=3)
                   | st.tuples(inner) | st.dictionaries(st.integers() | st.none(), inner,
                                                         max_size=2)),
    max_leaves=20)


@given(VALUES, st.sampled_from(["", "    "]))
def test_the_fast_indenting_writes_what_json_dumps_writes(value: Any, pad: str) -> None:
    expected = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + pad)
    assert _indented(value, pad) == expected


class Log:
    """What happened, in order: store reads and writes to stdout."""

    def __init__(self) -> None:
        self.events: list[str] = []


class WatchedHistory(History):
    """A store that notes every batch of session rows it reads."""

    log: Log

    def _with_checkins(self, rows: Any) -> list[SessionRecord]:
        self.log.events.append(f"read {len(rows)}")
        return super()._with_checkins(rows)


class WatchedOut(io.StringIO):
    """A stdout that notes every write."""

    def __init__(self, log: Log) -> None:
        super().__init__()
        self.log = log

    def write(self, text: str) -> int:
        if text:
            self.log.events.append("write")
        return super().write(text)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_output_starts_before_the_history_has_been_read(
        store: History, fmt: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "READ_BATCH", 2)
    log = Log()
    watched = WatchedHistory.open(store.path)
    watched.log = log
    out = WatchedOut(log)
    try:
        assert history(fmt, None, store=watched, out=out) == 0
    finally:
        watched.close()
    reads = [i for i, e in enumerate(log.events) if e.startswith("read")]
    assert len(reads) == 6  # 11 sessions, 2 at a time
    first_session_written = log.events.index("write", 1)  # after the header
    assert first_session_written < reads[1], log.events  # before the second batch was read
    between = [log.events[a:b].count("write") for a, b in itertools.pairwise(reads)]
    assert all(between), log.events  # and a write after every batch
    expected = old_json(store, None) if fmt == "json" else old_csv(store, None)
    assert out.getvalue() == expected


ODD_TITLES = ["\x00nul", "\x1b[31mred\x1b[0m", "tab\t\r\n\x7f\x08\x0c", "\"\\/", "\u2028\u2029",
              "\ufeffbom", "😀 膝", "", " " * 3, "%s %d"]
ODD_NUMBERS = [0.0, -0.0, 1e-5, 0.0001, 0.1 + 0.2, 1 / 3, 1e15, 1e20, 123456789012.345,
               999999999999999.9, 7.0, 2.5e-300, 1.7976931348623157e308, -12.5]


@pytest.mark.parametrize("agrees", [True, False])
def test_phases_with_odd_titles_and_numbers_are_written_as_json_dumps_writes(
        agrees: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    from trainer.history import export

    monkeypatch.setattr(export, "sql_agrees", lambda store: agrees)  # False: the Python path
    with History.open() as opened:
        timeline = make_timeline()
        for n, title in enumerate(ODD_TITLES):
            sid = opened.start_session(timeline, T0 + timedelta(minutes=n))
            runs = [PhaseRecord(i, "work", title + str(i), planned, ODD_NUMBERS[-1 - i], i % 2 == 0,
                                None if i % 3 else title)
                    for i, planned in enumerate(ODD_NUMBERS)]
            opened.finish(sid, "completed", 1.0, runs, T0)
        opened.start_session(timeline, T0)  # and one without phase runs
        assert streamed(opened, "json", None) == old_json(opened, None).encode("utf-8")
