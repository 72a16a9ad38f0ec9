"""`trainer history`, `trainer stats` and `trainer resume`: the history on the command line."""

# The functions return exit statuses and print to stdout (problems to stderr); cli.py wires
# them into argparse. The JSON and CSV forms are a promise, documented in docs/history.md.

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO

from trainer.history.records import PhaseRecord, SessionRecord
from trainer.history.store import History
from trainer.library.durations import format_clock
from trainer.safe_text import printable

if TYPE_CHECKING:
    # Only `stats` needs the library (pydantic, PyYAML: ~150 ms and ~20 MB to import).
    from trainer.history.stats import ReminderTally, Summary
    from trainer.session.catalog import Catalog

Format = Literal["table", "json", "csv"]
JSON_VERSION = 1
CSV_COLUMNS = ("id", "date", "started_at", "ended_at", "routine_id", "routine_name", "status",
               "planned_seconds", "active_seconds", "pain", "effort", "note")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def open_history(store: History | None = None, *, create: bool = False) -> History:
    """The given store, or the user's (created if missing only if asked), problems on stderr."""
    if store is not None:
        return store
    opened = History.open(create=create)
    if opened.problem:
        print(f"trainer: {opened.problem}", file=sys.stderr)
    return opened


def _emit(text: str, out: TextIO | None = None) -> None:
    """Write text as UTF-8 whatever the locale says (a C locale would choke on names)."""
    write, done = _writer(out)
    write(text)
    done()


def _writer(out: TextIO | None = None) -> tuple[Callable[[str], object], Callable[[], None]]:
    """A write function for text to go out as UTF-8, and what to call when all is written."""
    stream = out if out is not None else sys.stdout
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("-", "")
    buffer = getattr(stream, "buffer", None)
    if encoding != "utf8" and buffer is not None:
        stream.flush()  # what was written as text before goes out first
        return (lambda text: buffer.write(text.encode("utf-8"))), buffer.flush
    return stream.write, _nothing


def _nothing() -> None:
    """Nothing left to do."""


def _local(moment: datetime | None) -> str:
    """Local time as 'YYYY-MM-DD HH:MM:SS', the form spreadsheets read as a date and time."""
    return "" if moment is None else moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula (a leading = + - @ gets a quote)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


# -- trainer history -----------------------------------------------------------------------


def history(fmt: Format = "table", limit: int | None = 20, *, store: History | None = None,
            out: TextIO | None = None, library: Catalog | None = None,
            extra: Sequence[Path] = (), now: datetime | None = None) -> int:
    """`trainer history [--json|--csv]`: the latest `limit` sessions (None: all), newest first.

    The table checks interrupted and running sessions against `library` (by default the one
    `trainer resume` loads, with the `extra` folders), and only when the listing has one.
    """
    opened = open_history(store)
    try:
        if fmt in ("json", "csv"):
            # Written a batch at a time as it is read: any size of history in bounded memory.
            write, done = _writer(out)
            if fmt == "csv":
                pieces = stream_csv(opened.recent_batches(limit))
            else:
                from trainer.history import export

                pieces = (stream_json_sql(opened, limit) if export.sql_agrees(opened)
                          else stream_json(opened.recent_batches(limit, phases=True)))
            for text in pieces:
                write(text)
            done()
        else:
            records = opened.recent(limit)
            states: dict[int, str] = {}
            if any(r.status in ("interrupted", "running") for r in records):
                from trainer.history.queries import resume_states

                lib = library if library is not None else _load_library(extra)
                states = resume_states(opened, lib, records, now)
            _emit(history_table(records, states), out)
    finally:
        if store is None:
            opened.close()
    return 0


def _load_library(extra: Sequence[Path]) -> Catalog:
    """The library as `trainer resume` loads it (slow: only when a resume state is asked)."""
    from trainer.library.sources import default_sources
    from trainer.session.catalog import CatalogLoader

    return CatalogLoader().load(default_sources(extra))


Batches = Iterable[Sequence[tuple[SessionRecord, Sequence[PhaseRecord]]]]


def history_json(records: Sequence[SessionRecord],
                 phases: dict[int, list[PhaseRecord]] | None = None) -> dict[str, Any]:
    """The documented `--json` document (version JSON_VERSION)."""
    phases = phases or {}
    return {"version": JSON_VERSION,
            "sessions": [r.to_json(phases.get(r.id, [])) for r in records]}


def stream_json(batches: Batches) -> Iterator[str]:
    """The `--json` document in pieces, a piece per session.

    Byte for byte what json.dumps(history_json(...), indent=2, ensure_ascii=False) gives, and
    a newline: each session is written on its own at its depth in the document.
    """
    head = json.dumps({"version": JSON_VERSION, "sessions": []}, indent=2)
    yield head[:-len("]\n}")]  # up to and with the opening bracket
    separator = "\n    "
    for batch in batches:
        for record, phases in batch:
            yield separator + _indented(record.to_json(phases), "    ")
            separator = ",\n    "
    yield "]\n}\n" if separator == "\n    " else "\n  ]\n}\n"


def stream_json_sql(store: History, limit: int | None) -> Iterator[str]:
    """What stream_json writes, the phase runs' text written by SQLite (history.export)."""
    from trainer.history.export import phase_texts

    head = json.dumps({"version": JSON_VERSION, "sessions": []}, indent=2)
    yield head[:-len("]\n}")]
    separator = "\n    "
    for batch in store.recent_batches(limit):
        texts = phase_texts(store, [r.id for r, _ in batch])
        pieces = []
        for record, _ in batch:
            text = _indented(record.to_json(), "    ")
            phases = texts.get(record.id)
            # The session's object without phases ends "\n    }": they go in as its last key.
            pieces.append(separator + text[:-len("\n    }")] + ',\n      "phases": '
                          + (f"[\n{' ' * 8}{phases}\n      ]" if phases else "[]") + "\n    }")
            separator = ",\n    "
        yield "".join(pieces)
    yield "]\n}\n" if separator == "\n    " else "\n  ]\n}\n"


# json.dumps with indent encodes in pure Python, a generator per level: ~5 s for 10,000
# sessions. _indented gives the same text with the scalars encoded by the C encoder, many at a
# time: items separated by a newline, which no encoded scalar contains (strings escape it).
_SCALARS = frozenset({str, int, float, bool, type(None)})
_encode_flat = json.JSONEncoder(ensure_ascii=False, separators=("\n", ":")).encode


def _encoded(values: list[Any]) -> list[str]:
    """Each scalar as json.dumps writes it."""
    return _encode_flat(values)[1:-1].split("\n") if values else []


def _indented(value: Any, pad: str) -> str:
    """json.dumps(value, indent=2, ensure_ascii=False), its later lines indented by `pad`."""
    kind = type(value)
    if kind in _SCALARS:
        return _encoded([value])[0]
    inner = pad + "  "
    if kind is dict and value and all(type(k) is str for k in value):
        keys = _encoded(list(value))
        simple = [v for v in value.values() if type(v) in _SCALARS]
        encoded = iter(_encoded(simple))
        items = [f"{k}: {next(encoded) if type(v) in _SCALARS else _indented(v, inner)}"
                 for k, v in zip(keys, value.values(), strict=True)]
        return "{\n" + inner + (",\n" + inner).join(items) + "\n" + pad + "}"
    if kind is list and value:
        table = _table(value, inner)
        items = table if table is not None else [_indented(v, inner) for v in value]
        return "[\n" + inner + (",\n" + inner).join(items) + "\n" + pad + "]"
    # Empty, or a type json.dumps treats its own way: the slow and certain path.
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + pad)


def _table(rows: list[Any], pad: str) -> list[str] | None:
    """Dicts of scalars with the same keys (phases, check-ins), with one call to the encoder."""
    first = rows[0]
    if type(first) is not dict or not first or not all(type(k) is str for k in first):
        return None
    keys = tuple(first)
    if not all(type(row) is dict and tuple(row) == keys for row in rows):
        return None
    values = [v for row in rows for v in row.values()]
    if not set(map(type, values)) <= _SCALARS:
        return None
    inner = pad + "  "
    names = [k.replace("%", "%%") for k in _encoded(list(keys))]
    template = "{\n" + inner + (",\n" + inner).join(f"{k}: %s" for k in names) + "\n" + pad + "}"
    encoded, width = _encoded(values), len(keys)
    return [template % tuple(encoded[i:i + width]) for i in range(0, len(encoded), width)]


def history_csv(records: Sequence[SessionRecord]) -> str:
    """The `--csv` text: a header row, then one row per session."""
    return "".join(stream_csv([[(r, ()) for r in records]]))


def stream_csv(batches: Batches) -> Iterator[str]:
    """The `--csv` text in pieces: the header row, then a piece per batch of sessions."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    for batch in batches:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(_csv_row(r) for r, _ in batch)
        yield buffer.getvalue()


def _csv_row(r: SessionRecord) -> list[object]:
    """One session's `--csv` row."""
    checkin = r.checkin
    return [
        r.id, r.local_day.isoformat(), _local(r.started_at), _local(r.ended_at),
        r.routine_id, _cell(r.routine_name), r.status, round(r.planned_seconds),
        round(r.active_seconds),
        "" if checkin is None or checkin.pain is None else checkin.pain,
        "" if checkin is None or checkin.effort is None else checkin.effort,
        "" if checkin is None else _cell(checkin.note),
    ]


def history_table(records: Sequence[SessionRecord],
                  states: Mapping[int, str] | None = None) -> str:
    """The plain listing; the session `trainer resume` would continue gets a `*`.

    `states` is queries.resume_states: "" for the resumable session, else why one cannot be
    resumed; those reasons follow the table, a line each with the sessions' ids.
    """
    states = states or {}
    if not records:
        return "No sessions yet. Start one with `trainer` or `trainer run ROUTINE`.\n"
    lines = [f"{'id':>5}  {'started':16}  {'routine':32}  {'status':12}  {'time':>7}  "
             f"{'pain':>4}  {'effort':>6}"]
    for r in records:
        checkin = r.checkin
        pain = "" if checkin is None or checkin.pain is None else str(checkin.pain)
        effort = "" if checkin is None or checkin.effort is None else str(checkin.effort)
        status = r.status + ("*" if states.get(r.id) == "" else "")
        lines.append(f"{r.id:>5}  {_local(r.started_at)[:16]:16}  {r.routine_name[:32]:32}  "
                     f"{status:12}  {format_clock(r.active_seconds):>7}  {pain:>4}  {effort:>6}")
    if any(states.get(r.id) == "" for r in records):
        lines.append("* can be resumed: `trainer resume`")
    why_not: dict[str, list[int]] = {}
    for r in records:
        reason = states.get(r.id)
        if reason:
            # Reasons hold routine ids from files and notes from the database: one safe line.
            why_not.setdefault(printable(" ".join(reason.split())), []).append(r.id)
    for reason, ids in why_not.items():
        lines.append(f"not resumable ({reason}): {', '.join(map(str, ids))}")
    return "\n".join(lines) + "\n"


# -- trainer stats -------------------------------------------------------------------------


def stats(library: Catalog | None = None, *, today: date | None = None,
          store: History | None = None, weeks: int = 8, out: TextIO | None = None,
          extra: Sequence[Path] = ()) -> int:
    """`trainer stats`: streak, minutes per week as a chart, routines, pain trend, suggestions.

    Without a `library`, the routines' names come from the index `trainer` keeps of an
    unchanged library (session.library_index), unless a program is followed: loading and
    validating the library would be most of the command's time.
    """
    from trainer.history import program_runs
    from trainer.history.queries import overview_of, week_reminders

    day = today or date.today()
    opened = open_history(store)
    try:
        program = None
        if library is None and program_runs.current(opened) is None:
            names = _routine_names(extra)
        else:
            from trainer.cli.program import progress_line

            lib = library if library is not None else checked_library(extra)
            names = {rid: r.name for rid, r in lib.routines.items()}
            program = progress_line(lib, opened)
        figures = overview_of(opened, names, day, weeks)
        reminders = week_reminders(opened, day)
    finally:
        if store is None:
            opened.close()
    stream = out if out is not None else sys.stdout
    unicode = "utf" in (getattr(stream, "encoding", None) or "utf-8").lower()
    _emit(stats_text(figures.summary, figures.names, unicode=unicode, empty=figures.empty,
                     reminders=reminders) + (f"\n{program}\n" if program else ""), out)
    return 0


def _routine_names(extra: Sequence[Path]) -> dict[str, str]:
    """Each routine's name by id: from the index of an unchanged library, else loaded (and the
    index kept for the next time, as `trainer` keeps it)."""
    from trainer.library.sources import default_sources
    from trainer.session import library_index

    sources = default_sources(extra)
    key = library_index.fingerprint(sources)
    index = library_index.load(key, sources)
    if index is None:
        lib = checked_library(extra)
        library_index.save(key, sources, library_index.build(lib))
        return {rid: r.name for rid, r in lib.routines.items()}
    say_problems(index.problems)
    return {row.id: row.name for row in index.routines}


def checked_library(extra: Sequence[Path]) -> Catalog:
    """The library loaded and validated, its problems counted on stderr."""
    from trainer.library.sources import default_sources
    from trainer.session.catalog import CatalogLoader

    lib = CatalogLoader().load(default_sources(extra))
    say_problems(len(lib.problems))
    return lib


def say_problems(count: int) -> None:
    """A one-line pointer to the library's problems on stderr (nothing if there are none)."""
    # Notes (a routine of yours overriding a built-in one) are `trainer validate`'s to say: an
    # override is meant, and repeating it on every `list` and `show` is noise.
    if count:
        print(f"trainer: {count} problem{'s' * (count != 1)} in the library; "
              "`trainer validate` lists them", file=sys.stderr)


def reminders_line(tally: ReminderTally) -> str:
    """'Reminders: 12 sent this week, 7 taken, 3 snoozed' (taken: see stats.reminder_tally)."""
    return (f"Reminders: {tally.sent} sent this week, {tally.taken} taken, "
            f"{tally.snoozed} snoozed" + (f", {tally.skipped} skipped" if tally.skipped else ""))


def stats_text(summary: Summary, names: dict[str, str], *, unicode: bool = True,
               empty: bool = False, reminders: ReminderTally | None = None) -> str:
    """The `trainer stats` report."""
    from trainer.history.charts import day_calendar, week_bars

    said = [reminders_line(reminders)] if reminders is not None and reminders.sent else []
    if empty:
        return "\n".join(["No sessions yet. Start one with `trainer` or `trainer run ROUTINE`.",
                          *said]) + "\n"
    days = "day" if summary.streak == 1 else "days"
    lines = [f"Streak: {summary.streak} {days} (best {summary.best_streak})",
             f"This week: {round(summary.week_minutes)} min in {summary.week_sessions} "
             f"session{'s' * (summary.week_sessions != 1)}", *said,
             "", f"Minutes per week (last {len(summary.weeks)} weeks)"]
    lines += ["  " + line for line in week_bars(summary.weeks, unicode=unicode)]
    lines += ["", f"Active days (last {len(summary.weeks)} weeks, Monday on top)"]
    lines += ["  " + line for line in day_calendar(summary.days, summary.today,
                                                   len(summary.weeks), unicode)]
    lines += ["", "Routines (completed / run)"]
    for count in summary.routines:
        name = names.get(count.routine_id, count.routine_id)
        lines.append(f"  {count.routine_id[:28]:28}  {name[:36]:36}  "
                     f"{count.completed:>3} / {count.total}")
    lines += ["", f"Pain: {summary.pain.reason}"]
    if summary.suggestions or summary.notes:
        lines += ["", "Suggestions"]
        for s in summary.suggestions:
            lines.append(f"  {names.get(s.routine_id, s.routine_id)}: {s.reason}")
        lines += [f"  {note}" for note in summary.notes]
    return "\n".join(lines) + "\n"




