"""Which program a person follows: started, stopped, a pain hold lifted (in the history file)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from trainer.history.records import iso, parse_iso
from trainer.history.store import History


@dataclass(frozen=True)
class ProgramRun:
    """A program being followed (or once followed) from a local calendar day."""

    id: int
    program_id: str
    program_name: str
    started_on: date
    started_at: datetime
    ready_since: date | None = None
    stopped_at: datetime | None = None


_COLUMNS = "id, program_id, program_name, started_on, started_at, ready_since, stopped_at"


def _run(row: tuple[object, ...]) -> ProgramRun:
    """A row as a ProgramRun."""
    started_at = parse_iso(str(row[4]))
    assert started_at is not None
    return ProgramRun(int(str(row[0])), str(row[1]), str(row[2]),
                      date.fromisoformat(str(row[3])), started_at,
                      date.fromisoformat(str(row[5])) if row[5] else None,
                      parse_iso(str(row[6])) if row[6] else None)


def current(history: History) -> ProgramRun | None:
    """The program being followed now, if any (one at a time)."""
    rows = history.read(f"SELECT {_COLUMNS} FROM program_runs WHERE stopped_at IS NULL"
                        " ORDER BY id DESC LIMIT 1")
    return _run(rows[0]) if rows else None


def start(history: History, program_id: str, program_name: str, day: date,
          now: datetime | None = None) -> ProgramRun:
    """Follow a program from `day`; one already followed is stopped first."""
    stamp = iso(now)
    with history._write() as db:
        db.execute("UPDATE program_runs SET stopped_at = ? WHERE stopped_at IS NULL", (stamp,))
        db.execute("INSERT INTO program_runs (program_id, program_name, started_on, started_at)"
                   " VALUES (?, ?, ?, ?)", (program_id, program_name, day.isoformat(), stamp))
    run = current(history)
    assert run is not None
    return run


def stop(history: History, now: datetime | None = None) -> ProgramRun | None:
    """Stop following the current program; returns it (None if there was none)."""
    run = current(history)
    if run is not None:
        with history._write() as db:
            db.execute("UPDATE program_runs SET stopped_at = ? WHERE id = ?", (iso(now), run.id))
    return run


def ready(history: History, day: date) -> ProgramRun | None:
    """The person says they are ready to get harder again after a pain hold, from `day`."""
    run = current(history)
    if run is not None:
        with history._write() as db:
            db.execute("UPDATE program_runs SET ready_since = ? WHERE id = ?",
                       (day.isoformat(), run.id))
    return current(history)
