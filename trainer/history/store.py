"""SQLite history of sessions, phases and check-ins, written as a session happens (no Textual)."""

# The store lives at paths.data_dir() / "history.sqlite3" (docs/history.md describes it). Every
# write is one BEGIN IMMEDIATE transaction, so two processes writing at once queue up behind the
# busy timeout instead of failing. History.open never raises: a file that cannot be read is
# moved aside and a new one started, and when nothing can be written at all the store lives in
# memory; either way History.problem says so in a sentence the app can show.
#
# A session's life: start_session (running) -> checkpoint at every phase change and on pause ->
# finish (completed, skipped or stopped) or mark_interrupted (quit, SIGHUP, SIGTERM, a crash). A
# process killed outright leaves its row running; the next process sees that its pid is gone
# and offers it for resume like an interrupted one. Recorder does all of this for a Session.
# A resume point dropped (decline_resume, or an interruption with nothing worth resuming) keeps
# its reason in resume_note, for `trainer history` to say why the session cannot be resumed.

from __future__ import annotations

import os
import socket
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from trainer import paths
from trainer.history.records import (
    EFFORT_RANGE,
    NOTE_MAX,
    OUTCOMES,
    PAIN_RANGE,
    CheckIn,
    EndStatus,
    Outcome,
    PhaseRecord,
    ReminderRecord,
    SessionRecord,
    iso,
    parse_iso,
)
from trainer.history.resume import UNSTARTED, ResumePoint
from trainer.history.schema import (
    TABLES,
    UNUSABLE_ERRORS,
    NewerSchema,
    Unusable,
    connect,
    identity,
    move_aside,
    quick_check,
    reason_of,
    schema_version,
)
from trainer.session.timeline import Timeline

FILENAME = "history.sqlite3"
# The integrity check (PRAGMA quick_check, 0.2-0.3 s at 50,000 sessions) runs once per version of
# the file: the cache folder keeps the identity (schema.identity) of the last version that passed.
# A version changed less than RACY_NS before its check began may change again within one tick
# of the file system's clock and keep its identity (FAT's is 2 s), so it is checked again.
CHECKED = "history-checked.json"
RACY_NS = 2_000_000_000
Check = Literal["now", "later"]  # "later": the caller runs verify() (the app, on a thread)
READ_BATCH = 200  # sessions per read in recent_batches: bounded memory, few queries
Batch = list[tuple[SessionRecord, list[PhaseRecord]]]  # sessions, each with its phase runs


class HistoryError(Exception):
    """A history operation that could not be done (the message says why)."""


class HistoryBusy(HistoryError):
    """A write started while another write of this History (same thread) is in progress."""

    # Only a signal handler writing mid-transaction gets here; Recorder catches it and does
    # the write as soon as the transaction ends.


def _is_live(pid: int | None, host: str | None) -> bool:
    """True if a process with this pid runs on this host (unknown counts as not running)."""
    if pid is None or host != socket.gethostname() or sys.platform == "win32":
        # Signal 0 on Windows is CTRL_C_EVENT, not a probe: never send it.
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: it exists
    except OSError:
        return False
    return True


# -- the store -------------------------------------------------------------------------------


_SESSION_COLUMNS = ("id, routine_id, routine_name, fingerprint, started_at, ended_at, status, "
                    "planned_seconds, active_seconds, resume_index, resume_elapsed, phase_count, "
                    "updated_at, resume_note")


class History:
    """The history store; use `History.open()`, and `close()` (or `with`) when done."""

    def __init__(self, db: sqlite3.Connection, path: Path | None,
                 problem: str | None = None) -> None:
        self._db = db
        self.path = path  # None: in memory, nothing is saved
        self.problem = problem
        # True until the file has passed the integrity check (or is known to have): open(check=
        # "later") leaves it to verify().
        self.unchecked = False
        self._depth = 0
        self._bulk = False
        # Other threads wait their turn; the same thread coming back (a signal handler in the
        # middle of a write) finds _depth set and gets HistoryBusy instead of a deadlock.
        self._lock = threading.RLock()
        self._own: set[int] = set()  # sessions this process is running

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | None = None, *, create: bool = True,
             now: datetime | None = None, check: Check = "now") -> History:
        """Open the store (create=False: a missing file stays missing); never raises.

        The integrity check runs only on a version of the file not checked before, and with
        check="later" not here at all: `unchecked` then says verify() is due.
        """
        # Problems end up in .problem; read-only commands pass create=False and then get an
        # empty in-memory store rather than a new file.
        path = path if path is not None else paths.data_dir() / FILENAME
        if not create and not (path.exists() or path.is_symlink()):
            return cls._memory(None)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return cls._memory(f"History is not being saved: cannot create {path.parent} "
                               f"({reason_of(exc)}).")
        before, started = identity(path), time.time_ns()
        known = before is not None and _checked(path) == before
        now_check = check == "now" and not known
        try:
            store = cls(connect(path, check=now_check), path)
        except NewerSchema as exc:
            return cls._memory(f"History is not being saved: {path} was written by a newer "
                               f"trainer (schema {exc.args[0]}); update trainer to use it.")
        except Unusable as exc:
            reason = str(exc)
        except sqlite3.Error as exc:
            if getattr(exc, "sqlite_errorname", "SQLITE_CORRUPT") not in UNUSABLE_ERRORS:
                return cls._memory(f"History is not being saved this time: {path} is not "
                                   f"available ({reason_of(exc)}).")
            reason = reason_of(exc)
        else:
            if now_check:
                _remember(path, before, started)
            # A file that was not there is new: nothing in it to check.
            store.unchecked = not (known or now_check or before is None)
            return store
        return cls._replace(path, reason, now)

    @classmethod
    def _replace(cls, path: Path, reason: str, now: datetime | None) -> History:
        """The bad file moved aside and a new one in its place (in memory if that fails)."""
        if not (path.exists() or path.is_symlink()):
            return cls._memory(f"History is not being saved: cannot create {path} ({reason}).")
        try:
            aside = move_aside(path, now)
        except OSError as exc:
            return cls._memory(f"History is not being saved: {path} cannot be read ({reason}) "
                               f"nor moved aside ({reason_of(exc)}).")
        message = (f"The history file could not be read ({reason}). It was moved to {aside} "
                   "and a new history was started.")
        try:
            return cls(connect(path, check=False), path, message)  # a new file: nothing to check
        except (sqlite3.Error, Unusable, NewerSchema) as exc:
            return cls._memory(f"{message} The new one cannot be written either "
                               f"({reason_of(exc)}), so history is not being saved.")

    @classmethod
    def _memory(cls, problem: str | None) -> History:
        """A store that keeps nothing after the process ends."""
        return cls(connect(":memory:"), None, problem)

    def verify(self) -> str | None:
        """Run the integrity check due after open(check="later"); why the file is bad, or None.

        Safe on another thread while this store is used: it reads through its own connection.
        A bad file is left as it is: set_aside() (on the store's own thread) moves it.
        """
        path = self.path
        if not self.unchecked or path is None:
            return None
        before, started = identity(path), time.time_ns()
        try:
            db = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=10.0)
        except sqlite3.Error as exc:
            return reason_of(exc)
        try:
            damage = quick_check(db)
        except sqlite3.Error as exc:
            if getattr(exc, "sqlite_errorname", "SQLITE_CORRUPT") not in UNUSABLE_ERRORS:
                return None  # busy or locked: a condition of the moment, checked next time
            damage = reason_of(exc)
        finally:
            db.close()
        if damage is None:
            self.unchecked = False
            _remember(path, before, started)
        return damage

    def set_aside(self, reason: str, now: datetime | None = None) -> str:
        """Move a file verify() found bad aside and go on in a new one; returns the message.

        The sessions this process is running are carried over into the new file (as far as
        the bad one still gives them up), so their recording goes on.
        """
        path = self.path
        assert path is not None
        with self._lock:
            carried = self._carry()
            self._db.close()
            fresh = type(self)._replace(path, reason, now)
            self._db, self.path, self.problem = fresh._db, fresh.path, fresh.problem
            self.unchecked = False
            for table, rows in carried:
                if rows:
                    marks = ",".join("?" * len(rows[0]))
                    try:
                        with self._write() as db:
                            db.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
                    except sqlite3.Error:
                        break  # the new file cannot take them: the recorder says so
        return self.problem or ""

    def _carry(self) -> list[tuple[str, list[tuple[Any, ...]]]]:
        """The rows of the sessions this process runs, from every table that has them."""
        ids = sorted(self._own)
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        carried = []
        for table, key in (("sessions", "id"), ("phases", "session_id"),
                           ("checkins", "session_id")):
            try:
                rows = self._db.execute(f"SELECT * FROM {table} WHERE {key} IN ({marks})",
                                        ids).fetchall()
            except sqlite3.Error:
                rows = []  # too damaged to read them: they are lost with the file
            carried.append((table, rows))
        return carried

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        """The stored schema version."""
        return schema_version(self._db)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; waits for other processes (busy timeout), never nests."""
        with self._lock:
            if self._bulk:
                yield self._db  # inside bulk(): its transaction
                return
            if self._depth:
                raise HistoryBusy("a history write is already in progress")
            self._depth += 1
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                    self._db.execute("COMMIT")
                except BaseException:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    raise
            finally:
                self._depth -= 1

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """Every write inside is one transaction (for generating or importing many sessions)."""
        with self._write():
            self._bulk = True
            try:
                yield
            finally:
                self._bulk = False

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """The rows of one query (aggregates.py and export.py read with SQL of their own)."""
        return self._db.execute(sql, params).fetchall()

    # -- writing -----------------------------------------------------------------------------

    def start_session(self, timeline: Timeline, now: datetime | None = None) -> int:
        """Record a new running session; returns its id."""
        stamp = iso(now)
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO sessions (routine_id, routine_name, fingerprint, started_at, status,"
                " planned_seconds, active_seconds, resume_index, resume_elapsed, phase_count,"
                " pid, host, updated_at) VALUES (?, ?, ?, ?, 'running', ?, 0, 0, 0, ?, ?, ?, ?)",
                (timeline.routine_id, timeline.routine_name, timeline.fingerprint, stamp,
                 timeline.total, len(timeline.phases), os.getpid(), socket.gethostname(), stamp))
        session_id = int(cursor.lastrowid or 0)
        self._own.add(session_id)
        return session_id

    def checkpoint(self, session_id: int, index: int, elapsed: float, active_seconds: float,
                   phases_done: Sequence[PhaseRecord] = (), now: datetime | None = None) -> bool:
        """Save where a running session is, and the phase runs since the last call."""
        # Phase runs add up: a phase run twice (back) has the seconds of both runs. Returns
        # False, writing nothing, once the session is no longer running.
        with self._write() as db:
            cursor = db.execute(
                "UPDATE sessions SET resume_index = ?, resume_elapsed = ?, active_seconds = ?,"
                " updated_at = ? WHERE id = ? AND status = 'running'",
                (index, round(elapsed, 3), round(active_seconds, 3), iso(now), session_id))
            if cursor.rowcount == 0:
                return False
            self._add_phases(db, session_id, phases_done)
        return True

    def finish(self, session_id: int, status: EndStatus,
               active_seconds: float, phases_done: Sequence[PhaseRecord] = (),
               now: datetime | None = None) -> bool:
        """End a session as completed, skipped or stopped; it is no longer resumable."""
        # `skipped` is for a session that ran to its end with most of it skipped
        # (records.mostly_skipped): Recorder.finish decides, from every phase run.
        if status not in ("completed", "skipped", "stopped"):
            raise ValueError("finish status must be completed, skipped or stopped, "
                             f"not {status!r}")
        stamp = iso(now)
        with self._write() as db:
            cursor = db.execute(
                "UPDATE sessions SET status = ?, ended_at = ?, active_seconds = ?,"
                " resume_index = NULL, resume_elapsed = NULL, updated_at = ?"
                " WHERE id = ? AND status IN ('running', 'interrupted')",
                (status, stamp, round(active_seconds, 3), stamp, session_id))
            if cursor.rowcount == 0:
                return False
            self._add_phases(db, session_id, phases_done)
        self._own.discard(session_id)
        return True

    def mark_interrupted(self, session_id: int, index: int | None, elapsed: float,
                         active_seconds: float, phases_done: Sequence[PhaseRecord] = (),
                         now: datetime | None = None, note: str | None = None) -> bool:
        """End a running session as interrupted, resumable at `index` (None: not resumable).

        With index None the session keeps no resume point and `note` says why (resume_note).
        """
        stamp = iso(now)
        kept = None if index is None else round(elapsed, 3)
        with self._write() as db:
            cursor = db.execute(
                "UPDATE sessions SET status = 'interrupted', ended_at = ?, resume_index = ?,"
                " resume_elapsed = ?, active_seconds = ?, updated_at = ?, resume_note = ?"
                " WHERE id = ? AND status = 'running'",
                (stamp, index, kept, round(active_seconds, 3), stamp, _note(note), session_id))
            if cursor.rowcount == 0:
                return False
            self._add_phases(db, session_id, phases_done)
        self._own.discard(session_id)
        return True

    def resume_session(self, session_id: int, now: datetime | None = None) -> float:
        """Take a resumable session over in this process; returns its active seconds so far."""
        with self._write() as db:
            row = db.execute("SELECT active_seconds FROM sessions WHERE id = ? AND resume_index"
                             " IS NOT NULL AND status IN ('interrupted', 'running')",
                             (session_id,)).fetchone()
            if row is None:
                raise HistoryError(f"session {session_id} cannot be resumed")
            db.execute("UPDATE sessions SET status = 'running', ended_at = NULL, pid = ?,"
                       " host = ?, updated_at = ?, resume_note = NULL WHERE id = ?",
                       (os.getpid(), socket.gethostname(), iso(now), session_id))
        self._own.add(session_id)
        return float(row[0])

    def decline_resume(self, session_id: int, *, note: str = "discarded",
                       now: datetime | None = None) -> None:
        """Forget a session's resume point, `note` saying why; it stays as interrupted."""
        with self._write() as db:
            db.execute("UPDATE sessions SET resume_index = NULL, resume_elapsed = NULL,"
                       " status = CASE status WHEN 'running' THEN 'interrupted' ELSE status END,"
                       " ended_at = COALESCE(ended_at, updated_at), updated_at = ?,"
                       " resume_note = ? WHERE id = ? AND status IN ('running', 'interrupted')",
                       (iso(now), _note(note), session_id))
        self._own.discard(session_id)

    def add_checkin(self, session_id: int, pain: int | None, effort: int | None,
                    note: str = "", now: datetime | None = None) -> int | None:
        """Store a check-in; None (and nothing stored) if all of it is empty."""
        note = " ".join(note.split())[:NOTE_MAX]  # one line: it has to fit in a table and CSV
        for name, value, (low, high) in (("pain", pain, PAIN_RANGE),
                                         ("effort", effort, EFFORT_RANGE)):
            if value is not None and not (isinstance(value, int) and low <= value <= high):
                raise ValueError(f"{name} must be a whole number from {low} to {high}")
        if pain is None and effort is None and not note:
            return None
        with self._write() as db:
            cursor = db.execute("INSERT INTO checkins (session_id, pain, effort, note, "
                                "created_at) VALUES (?, ?, ?, ?, ?)",
                                (session_id, pain, effort, note, iso(now)))
        return int(cursor.lastrowid or 0)

    def add_reminder(self, routine_id: str, due: datetime, every_seconds: float,
                     now: datetime | None = None) -> int:
        """Record a reminder as sent; returns its id (the popup answers it by that id)."""
        with self._write() as db:
            cursor = db.execute("INSERT INTO reminders (routine_id, due_at, sent_at,"
                                " every_seconds) VALUES (?, ?, ?, ?)",
                                (routine_id, iso(due), iso(now), float(every_seconds)))
        return int(cursor.lastrowid or 0)

    def answer_reminder(self, reminder_id: int, outcome: Outcome,
                        now: datetime | None = None) -> bool:
        """Record the answer to a reminder; False if it was answered already (first one wins)."""
        if outcome not in OUTCOMES[1:]:
            raise ValueError(f"a reminder is answered started, snoozed or skipped, "
                             f"not {outcome!r}")
        with self._write() as db:
            cursor = db.execute("UPDATE reminders SET outcome = ?, answered_at = ? WHERE id = ?"
                                " AND outcome = 'sent'", (outcome, iso(now), reminder_id))
        return cursor.rowcount == 1

    def reminder(self, reminder_id: int) -> ReminderRecord | None:
        """One reminder."""
        found = self._reminders("WHERE id = ?", (reminder_id,))
        return found[0] if found else None

    def reminders_between(self, start: datetime, end: datetime) -> list[ReminderRecord]:
        """Reminders sent in [start, end), oldest first."""
        return self._reminders("WHERE sent_at >= ? AND sent_at < ? ORDER BY sent_at, id",
                               (iso(start), iso(end)))

    def _reminders(self, where: str, params: Sequence[Any]) -> list[ReminderRecord]:
        """Reminder rows as records."""
        records = []
        for row in self._db.execute("SELECT id, routine_id, due_at, sent_at, every_seconds,"
                                    f" outcome, answered_at FROM reminders {where}", params):
            due, sent = parse_iso(row[2]), parse_iso(row[3])
            assert due is not None and sent is not None
            records.append(ReminderRecord(row[0], row[1], due, sent, row[4], row[5],
                                          parse_iso(row[6])))
        return records

    @staticmethod
    def _add_phases(db: sqlite3.Connection, session_id: int,
                    phases: Sequence[PhaseRecord]) -> None:
        """Add phase runs, summing the seconds of runs of the same phase."""
        db.executemany(
            "INSERT INTO phases (session_id, phase_index, exercise, kind, title, planned_seconds,"
            " actual_seconds, skipped) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (session_id, phase_index) DO UPDATE SET"
            " actual_seconds = actual_seconds + excluded.actual_seconds,"
            " skipped = excluded.skipped",
            [(session_id, p.index, p.exercise, p.kind, p.title, p.planned_seconds,
              p.actual_seconds, int(p.skipped)) for p in phases])

    # -- reading -----------------------------------------------------------------------------

    def resumable(self) -> ResumePoint | None:
        """The latest session, if it was interrupted or its process died, with its resume point."""
        # Sessions running in a live process (this one or another on this host) are left
        # alone, and so are those left in their first get-ready (nothing was done in them); a
        # newer completed or stopped session means there is nothing to resume.
        rows = self._db.execute(
            "SELECT id, routine_id, routine_name, fingerprint, resume_index, resume_elapsed,"
            " status, started_at, updated_at, pid, host, resume_note FROM sessions"
            " ORDER BY id DESC")
        for row in rows:
            (session_id, routine_id, name, fingerprint, index, elapsed, status, started,
             updated, pid, host, note) = row
            if status == "running" and self._running_elsewhere(session_id, pid, host):
                continue
            if status == "interrupted" and index is None and note == UNSTARTED:
                continue
            if status not in ("interrupted", "running") or index is None:
                return None
            started_at = parse_iso(started)
            updated_at = parse_iso(updated)
            assert started_at is not None and updated_at is not None
            return ResumePoint(session_id, routine_id, name, fingerprint, int(index),
                               float(elapsed or 0.0), status, started_at, updated_at)
        return None

    def running_elsewhere(self, session_id: int) -> bool:
        """True if the session is running in a live process (this one or another)."""
        row = self._db.execute("SELECT pid, host FROM sessions WHERE id = ? AND status ="
                               " 'running'", (session_id,)).fetchone()
        return row is not None and self._running_elsewhere(session_id, row[0], row[1])

    def _running_elsewhere(self, session_id: int, pid: int | None, host: str | None) -> bool:
        """True if a running session belongs to a live process (including this one)."""
        if session_id in self._own:
            return True
        if pid == os.getpid() and host == socket.gethostname():
            return False  # our pid, not our session: an earlier process that had it (containers)
        return _is_live(pid, host)

    def get(self, session_id: int) -> SessionRecord | None:
        """One session."""
        found = self._records(f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ?",
                              (session_id,))
        return found[0] if found else None

    def recent(self, limit: int | None = 20) -> list[SessionRecord]:
        """The latest sessions, newest first (all of them with limit None)."""
        return self._records(f"SELECT {_SESSION_COLUMNS} FROM sessions ORDER BY started_at DESC,"
                             " id DESC LIMIT ?", (-1 if limit is None else max(0, limit),))

    def recent_batches(self, limit: int | None = None, *,
                       phases: bool = False) -> Iterator[Batch]:
        """What `recent(limit)` returns, in its order, READ_BATCH sessions at a time.

        Each batch comes with its check-ins and (phases=True) its phase runs, so a history of
        any size is read in bounded memory. Batches are separate reads: a session written while
        they are taken shows as it is when its batch is read.
        """
        remaining = None if limit is None else max(0, limit)
        after: tuple[Any, ...] = ()
        while remaining is None or remaining > 0:
            size = READ_BATCH if remaining is None else min(READ_BATCH, remaining)
            # Keyset paging on the (started_at, id) order: each batch is one index range scan,
            # where OFFSET would walk past every row already read.
            where = " WHERE (started_at, id) < (?, ?)" if after else ""
            rows = self._db.execute(f"SELECT {_SESSION_COLUMNS} FROM sessions{where}"
                                    " ORDER BY started_at DESC, id DESC LIMIT ?",
                                    (*after, size)).fetchall()
            if not rows:
                return
            records = self._with_checkins(rows)
            runs = self.phases_of([r.id for r in records]) if phases else {}
            yield [(r, runs.get(r.id, [])) for r in records]
            if len(rows) < size:
                return
            after = (rows[-1][4], rows[-1][0])
            if remaining is not None:
                remaining -= len(rows)

    def sessions_between(self, start: datetime, end: datetime) -> list[SessionRecord]:
        """Sessions started in [start, end), oldest first."""
        return self._records(f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE started_at >= ?"
                             " AND started_at < ? ORDER BY started_at, id",
                             (iso(start), iso(end)))

    def phases(self, session_id: int) -> list[PhaseRecord]:
        """A session's phase runs in timeline order."""
        return self.phases_of([session_id]).get(session_id, [])

    def phases_of(self, session_ids: Sequence[int]) -> dict[int, list[PhaseRecord]]:
        """Phase runs of several sessions at once."""
        result: dict[int, list[PhaseRecord]] = {i: [] for i in session_ids}
        for chunk in _chunks(list(session_ids), 500):
            marks = ",".join("?" * len(chunk))
            for row in self._db.execute(
                    "SELECT session_id, phase_index, kind, title, planned_seconds, actual_seconds,"
                    f" skipped, exercise FROM phases WHERE session_id IN ({marks})"
                    " ORDER BY session_id, phase_index", chunk):
                result[row[0]].append(PhaseRecord(row[1], row[2], row[3], row[4], row[5],
                                                  bool(row[6]), row[7]))
        return result

    def counts(self) -> dict[str, int]:
        """Rows per table (for tests and diagnostics)."""
        return {t: int(self._db.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
                for t in TABLES}

    def integrity(self) -> str:
        """PRAGMA integrity_check's answer ('ok' when all is well)."""
        return "; ".join(str(r[0]) for r in self._db.execute("PRAGMA integrity_check"))

    def _records(self, sql: str, params: Sequence[Any]) -> list[SessionRecord]:
        """Session rows with their check-ins."""
        return self._with_checkins(self._db.execute(sql, params).fetchall())

    def _with_checkins(self, rows: Sequence[Sequence[Any]]) -> list[SessionRecord]:
        """Records of session rows (in _SESSION_COLUMNS order), with their check-ins."""
        ids = [r[0] for r in rows]
        checkins: dict[int, list[CheckIn]] = {i: [] for i in ids}
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            for sid, pain, effort, note, created in self._db.execute(
                    "SELECT session_id, pain, effort, note, created_at FROM checkins"
                    f" WHERE session_id IN ({marks}) ORDER BY created_at, id", chunk):
                created_at = parse_iso(created)
                assert created_at is not None
                checkins[sid].append(CheckIn(pain, effort, note, created_at))
        records = []
        for r in rows:
            started, ended, updated = parse_iso(r[4]), parse_iso(r[5]), parse_iso(r[12])
            assert started is not None and updated is not None
            records.append(SessionRecord(r[0], r[1], r[2], r[3], started, ended, r[6], r[7],
                                         r[8], r[9], r[10], r[11], updated,
                                         tuple(checkins[r[0]]), r[13]))
        return records


def _checked(path: Path) -> list[int] | None:
    """The identity of the last version of the file at `path` that passed the check."""
    saved = paths.read_cached(paths.cache_dir() / CHECKED)
    if isinstance(saved, dict) and saved.get("path") == str(path):
        figures = saved.get("identity")
        if isinstance(figures, list) and all(type(n) is int for n in figures):
            return figures
    return None


def _remember(path: Path, before: list[int] | None, started: int) -> None:
    """Keep the identity a version had when its check began (not one changed just before)."""
    if before is None or identity(path) != before:
        return  # changed while it was checked: that version was not the one checked
    changed = max(before[4], before[8] if len(before) > 5 else 0)  # change times
    if started - changed < RACY_NS:
        return
    paths.write_cached(paths.cache_dir() / CHECKED, {"path": str(path), "identity": before})


def _note(note: str | None) -> str | None:
    """A resume note as stored: one line, at most NOTE_MAX characters (None stays None)."""
    return None if note is None else " ".join(note.split())[:NOTE_MAX]


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    """Slices of at most `size` (SQLite limits the number of parameters)."""
    for i in range(0, len(items), size):
        yield items[i:i + size]
