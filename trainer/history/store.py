"""SQLite history of sessions, phases and check-ins, written as a session happens (no Textual)."""

# The store lives at paths.data_dir() / "history.sqlite3" (docs/history.md describes it). Every
# write is one BEGIN IMMEDIATE transaction, so two processes writing at once queue up behind the
# busy timeout instead of failing. History.open never raises: a file that cannot be read is
# moved aside and a new one started, and when nothing can be written at all the store lives in
# memory; either way History.problem says so in a sentence the app can show.
#
# A session's life: start_session (running) -> checkpoint at every phase change and on pause ->
# finish (completed or stopped) or mark_interrupted (quit, SIGHUP, SIGTERM, a crash). A process
# killed outright leaves its row running; the next process sees that its pid is gone and offers
# it for resume like an interrupted one. Recorder does all of this for a Session.

from __future__ import annotations

import os
import socket
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from trainer import paths
from trainer.session.engine import Clock, Session
from trainer.session.timeline import Phase, Timeline

if TYPE_CHECKING:
    from trainer.history.stats import Entry  # the read side: not needed to record a session

FILENAME = "history.sqlite3"
BUSY_TIMEOUT = 10.0  # seconds a writer waits for another process's transaction
STALE_AFTER = timedelta(days=1)
LEAD_IN = 5.0  # seconds of get-ready before a resumed phase
NOTE_MAX = 500
PAIN_RANGE = (0, 10)
EFFORT_RANGE = (1, 10)  # RPE
RESTART_EPSILON = 0.5  # a phase start moving by more than this means it was restarted
PASSIVE_KINDS = ("get_ready", "rest", "switch")

Status = Literal["running", "completed", "stopped", "interrupted"]
STATUSES: tuple[str, ...] = ("running", "completed", "stopped", "interrupted")
Verdict = Literal["ok", "stale", "changed"]

# Errors that mean "this file is not (or no longer) a usable database": move it aside.
# Busy, locked, full and out-of-memory are conditions of the moment, never a reason to move data.
_UNUSABLE = {"SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_CANTOPEN", "SQLITE_PERM",
             "SQLITE_AUTH", "SQLITE_FORMAT"}
_SIDE_FILES = ("-wal", "-shm", "-journal")


class HistoryError(Exception):
    """A history operation that could not be done (the message says why)."""


class HistoryBusy(HistoryError):
    """A write started while another write of this History (same thread) is in progress."""

    # Only a signal handler writing mid-transaction gets here; Recorder catches it and does
    # the write as soon as the transaction ends.


class _NewerSchema(Exception):
    """The file was written by a newer trainer."""


class _Unusable(Exception):
    """The file is not a usable history database."""


# -- time ------------------------------------------------------------------------------------


def utcnow() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)


def _utc(moment: datetime | None) -> datetime:
    """An aware UTC datetime (naive ones are taken as UTC)."""
    if moment is None:
        return utcnow()
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _iso(moment: datetime | None) -> str:
    """Stored form: ISO 8601 in UTC to the second, so text order is time order."""
    return _utc(moment).isoformat(timespec="seconds")


def _parse(text: str | None) -> datetime | None:
    """A stored timestamp back as an aware datetime."""
    return None if text is None else _utc(datetime.fromisoformat(text))


def ago(seconds: float) -> str:
    """A rough age in words: 'just now', '5 minutes ago', '3 days ago'."""
    seconds = max(0.0, seconds)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'s' * (n != 1)} ago"
    return "just now"


# -- records ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhaseRecord:
    """One run of a phase: what was planned and how long it actually took."""

    index: int
    kind: str
    title: str
    planned_seconds: float
    actual_seconds: float
    skipped: bool = False
    exercise: str | None = None

    @classmethod
    def of(cls, phase: Phase, actual: float, skipped: bool = False) -> PhaseRecord:
        """A record of a timeline phase."""
        planned = phase.duration if phase.duration is not None else phase.estimate
        return cls(phase.index, phase.kind, phase.title, planned, round(max(0.0, actual), 3),
                   skipped, phase.exercise)

    def to_json(self) -> dict[str, Any]:
        """The documented JSON form (docs/history.md)."""
        return {"index": self.index, "kind": self.kind, "title": self.title,
                "exercise": self.exercise, "planned_seconds": self.planned_seconds,
                "actual_seconds": self.actual_seconds, "skipped": self.skipped}


@dataclass(frozen=True)
class CheckIn:
    """How a session felt: pain 0-10, effort (RPE) 1-10, a short note; any may be empty."""

    pain: int | None
    effort: int | None
    note: str
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        """The documented JSON form (docs/history.md)."""
        return {"pain": self.pain, "effort": self.effort, "note": self.note,
                "created_at": _iso(self.created_at)}


@dataclass(frozen=True)
class SessionRecord:
    """A stored session with its check-ins (phases are read separately)."""

    id: int
    routine_id: str
    routine_name: str
    fingerprint: str
    started_at: datetime
    ended_at: datetime | None
    status: Status
    planned_seconds: float
    active_seconds: float
    resume_index: int | None
    resume_elapsed: float | None
    phase_count: int
    updated_at: datetime
    checkins: tuple[CheckIn, ...] = ()

    @property
    def checkin(self) -> CheckIn | None:
        """The latest check-in, if any."""
        return self.checkins[-1] if self.checkins else None

    @property
    def local_day(self) -> date:
        """The calendar day it started, in local time."""
        return self.started_at.astimezone().date()

    def entry(self) -> Entry:
        """The session as the statistics see it."""
        from trainer.history.stats import Entry

        latest = self.checkin
        return Entry(self.routine_id, self.local_day, self.status, self.active_seconds,
                     latest.pain if latest else None, latest.effort if latest else None)

    def to_json(self, phases: Sequence[PhaseRecord] | None = None) -> dict[str, Any]:
        """The documented JSON form (docs/history.md)."""
        data: dict[str, Any] = {
            "id": self.id,
            "routine_id": self.routine_id,
            "routine_name": self.routine_name,
            "status": self.status,
            "started_at": _iso(self.started_at),
            "ended_at": _iso(self.ended_at) if self.ended_at else None,
            "planned_seconds": round(self.planned_seconds, 3),
            "active_seconds": round(self.active_seconds, 3),
            "fingerprint": self.fingerprint,
            "resume": (None if self.resume_index is None else
                       {"index": self.resume_index, "elapsed": self.resume_elapsed or 0.0}),
            "checkins": [c.to_json() for c in self.checkins],
        }
        if phases is not None:
            data["phases"] = [p.to_json() for p in phases]
        return data


@dataclass(frozen=True)
class ResumeCheck:
    """Whether a resume point fits: ok, stale (offer it, saying so) or changed (decline)."""

    verdict: Verdict
    reason: str

    @property
    def offer(self) -> bool:
        """True if the app should offer to resume."""
        return self.verdict != "changed"


@dataclass(frozen=True)
class ResumePlan:
    """How to start a resumed session: `Session(timeline, clock, start_index=, elapsed=)`."""

    # The phase that was in progress (phase_index) starts again from its beginning. When the
    # phase before it is a timed get-ready, rest or switch, the session starts in that phase
    # with LEAD_IN seconds left, so the usual countdown cues lead in; otherwise (wait_for_key)
    # it starts paused at the phase and the person starts it with the pause key.

    session_id: int
    routine_id: str
    phase_index: int
    start_index: int
    elapsed: float
    wait_for_key: bool
    message: str

    def session(self, timeline: Timeline, clock: Clock) -> Session:
        """The Session to run."""
        session = Session(timeline, clock, start_index=self.start_index, elapsed=self.elapsed)
        if self.wait_for_key:
            session.pause()
        return session


@dataclass(frozen=True)
class ResumePoint:
    """An interrupted (or killed) session that can be picked up again."""

    session_id: int
    routine_id: str
    routine_name: str
    fingerprint: str
    index: int
    elapsed: float
    status: Status
    started_at: datetime
    updated_at: datetime

    def age(self, now: datetime | None = None) -> timedelta:
        """Time since the last checkpoint."""
        return _utc(now) - self.updated_at

    def check(self, timeline: Timeline | None, now: datetime | None = None) -> ResumeCheck:
        """Whether it can be resumed on this timeline (None: the routine is gone)."""
        when = ago(self.age(now).total_seconds())
        if timeline is None:
            return ResumeCheck("changed", f"the routine '{self.routine_id}' is no longer in "
                                          "the library")
        last = len(timeline.phases) - 1  # the done phase: nothing to resume there
        if timeline.fingerprint != self.fingerprint:
            return ResumeCheck("changed", f"the routine '{self.routine_id}' has changed since "
                                          "the session was interrupted, so the point where it "
                                          "stopped no longer fits")
        if self.index == last:
            return ResumeCheck("changed", "the session had already reached its end")
        if not 0 <= self.index < last:
            return ResumeCheck("changed", f"the routine '{self.routine_id}' has {last} phases; "
                                          f"the session stopped in phase {self.index + 1}")
        phase = timeline.phases[self.index]
        where = f"phase {self.index + 1}/{last}: {phase.title}"
        if self.age(now) > STALE_AFTER:
            return ResumeCheck("stale", f"interrupted {when}, in {where}; that is more than a "
                                        "day ago")
        return ResumeCheck("ok", f"interrupted {when}, in {where}")

    def plan(self, timeline: Timeline) -> ResumePlan:
        """How to restart the phase in progress (call after `check` says it fits)."""
        index = max(0, min(self.index, len(timeline.phases) - 1))
        phase = timeline.phases[index]
        before = timeline.phases[index - 1] if index > 0 else None
        name = timeline.routine_name
        where = f"phase {index + 1}/{len(timeline.phases) - 1} ({phase.title})"
        if phase.kind in PASSIVE_KINDS:
            return ResumePlan(self.session_id, self.routine_id, index, index, 0.0, False,
                              f"Resuming {name} at {where}.")
        if before is not None and before.kind in PASSIVE_KINDS and before.duration:
            elapsed = max(0.0, before.duration - LEAD_IN)
            return ResumePlan(self.session_id, self.routine_id, index, index - 1, elapsed, False,
                              f"Resuming {name} at {where}, after a short get-ready.")
        return ResumePlan(self.session_id, self.routine_id, index, index, 0.0, True,
                          f"Resuming {name} at {where}; press space when ready.")


# -- schema ----------------------------------------------------------------------------------


def _v1(db: sqlite3.Connection) -> None:
    """Version 1: sessions, their phases and check-ins."""
    db.execute("""
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            routine_id TEXT NOT NULL,
            routine_name TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            status TEXT NOT NULL
                CHECK (status IN ('running', 'completed', 'stopped', 'interrupted')),
            planned_seconds REAL NOT NULL,
            active_seconds REAL NOT NULL DEFAULT 0,
            resume_index INTEGER,
            resume_elapsed REAL,
            phase_count INTEGER NOT NULL,
            pid INTEGER,
            host TEXT,
            updated_at TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX sessions_started ON sessions (started_at)")
    db.execute("""
        CREATE TABLE phases (
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            phase_index INTEGER NOT NULL,
            exercise TEXT,
            kind TEXT NOT NULL,
            title TEXT NOT NULL,
            planned_seconds REAL NOT NULL,
            actual_seconds REAL NOT NULL,
            skipped INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (session_id, phase_index)
        )""")
    db.execute("""
        CREATE TABLE checkins (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            pain INTEGER CHECK (pain BETWEEN 0 AND 10),
            effort INTEGER CHECK (effort BETWEEN 1 AND 10),
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX checkins_session ON checkins (session_id)")


# MIGRATIONS[n] takes a database from schema version n to n + 1; a new version is one more
# function appended here (never edit a released one).
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_v1,)
TABLES = ("sessions", "phases", "checkins")


def schema_version(db: sqlite3.Connection) -> int:
    """The schema version stored in the file (PRAGMA user_version)."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite3.Connection) -> int:
    """Bring the schema up to date in one transaction; returns the version."""
    migrations = MIGRATIONS
    if schema_version(db) > len(migrations):
        raise _NewerSchema(schema_version(db))
    if schema_version(db) == len(migrations):
        return len(migrations)
    db.execute("BEGIN IMMEDIATE")
    try:
        version = schema_version(db)  # another process may have migrated meanwhile
        for number in range(version, len(migrations)):
            migrations[number](db)
            db.execute(f"PRAGMA user_version = {number + 1}")
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    return len(migrations)


def _wal(db: sqlite3.Connection) -> None:
    """Switch to WAL, waiting out another process that holds the file (up to BUSY_TIMEOUT)."""
    # SQLite does not call the busy handler for this switch when another connection is
    # mid-transaction on a new file: it answers "locked" at once, so wait here instead.
    deadline = time.monotonic() + BUSY_TIMEOUT
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorname", "") not in ("SQLITE_BUSY", "SQLITE_LOCKED") \
                    or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _connect(target: Path | str) -> sqlite3.Connection:
    """Open, check and migrate a database; raises _Unusable, _NewerSchema or sqlite3.Error."""
    db = sqlite3.connect(target, timeout=BUSY_TIMEOUT, isolation_level=None,
                         check_same_thread=False)
    try:
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        db.execute("PRAGMA foreign_keys = ON")
        # Reading the header is the first real I/O: a file of random bytes fails here.
        result = db.execute("PRAGMA quick_check").fetchall()
        if [tuple(r) for r in result] != [("ok",)]:
            raise _Unusable("it is damaged (" + "; ".join(str(r[0]) for r in result[:3]) + ")")
        if str(target) != ":memory:":
            _wal(db)
            # With WAL, NORMAL never corrupts and survives a killed process; only a power cut
            # may lose the last commit or two.
            db.execute("PRAGMA synchronous = NORMAL")
        migrate(db)
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = [t for t in TABLES if t not in names]
        if missing:
            raise _Unusable(f"it is not a trainer history (no table {missing[0]})")
    except BaseException:
        db.close()
        raise
    return db


def _move_aside(path: Path, now: datetime | None) -> Path:
    """Rename a bad file (and its WAL side files) to <name>.corrupt-<timestamp>."""
    stamp = _utc(now).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists() or target.is_symlink():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    os.rename(path, target)
    for suffix in _SIDE_FILES:
        # A stale WAL next to a new database would be replayed into it.
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.rename(side, target.with_name(target.name + suffix))
    return target


def _reason(exc: BaseException) -> str:
    """An exception in a few words."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


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
                    "updated_at")


class History:
    """The history store; use `History.open()`, and `close()` (or `with`) when done."""

    def __init__(self, db: sqlite3.Connection, path: Path | None,
                 problem: str | None = None) -> None:
        self._db = db
        self.path = path  # None: in memory, nothing is saved
        self.problem = problem
        self._depth = 0
        # Other threads wait their turn; the same thread coming back (a signal handler in the
        # middle of a write) finds _depth set and gets HistoryBusy instead of a deadlock.
        self._lock = threading.RLock()
        self._own: set[int] = set()  # sessions this process is running

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | None = None, *, create: bool = True,
             now: datetime | None = None) -> History:
        """Open the store (create=False: a missing file stays missing); never raises."""
        # Problems end up in .problem; read-only commands pass create=False and then get an
        # empty in-memory store rather than a new file.
        path = path if path is not None else paths.data_dir() / FILENAME
        if not create and not (path.exists() or path.is_symlink()):
            return cls._memory(None)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return cls._memory(f"History is not being saved: cannot create {path.parent} "
                               f"({_reason(exc)}).")
        try:
            return cls(_connect(path), path)
        except _NewerSchema as exc:
            return cls._memory(f"History is not being saved: {path} was written by a newer "
                               f"trainer (schema {exc.args[0]}); update trainer to use it.")
        except _Unusable as exc:
            reason = str(exc)
        except sqlite3.Error as exc:
            if getattr(exc, "sqlite_errorname", "SQLITE_CORRUPT") not in _UNUSABLE:
                return cls._memory(f"History is not being saved this time: {path} is not "
                                   f"available ({_reason(exc)}).")
            reason = _reason(exc)
        if not (path.exists() or path.is_symlink()):
            return cls._memory(f"History is not being saved: cannot create {path} ({reason}).")
        try:
            aside = _move_aside(path, now)
        except OSError as exc:
            return cls._memory(f"History is not being saved: {path} cannot be read ({reason}) "
                               f"nor moved aside ({_reason(exc)}).")
        message = (f"The history file could not be read ({reason}). It was moved to {aside} "
                   "and a new history was started.")
        try:
            return cls(_connect(path), path, message)
        except (sqlite3.Error, _Unusable, _NewerSchema) as exc:
            return cls._memory(f"{message} The new one cannot be written either "
                               f"({_reason(exc)}), so history is not being saved.")

    @classmethod
    def _memory(cls, problem: str | None) -> History:
        """A store that keeps nothing after the process ends."""
        return cls(_connect(":memory:"), None, problem)

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

    # -- writing -----------------------------------------------------------------------------

    def start_session(self, timeline: Timeline, now: datetime | None = None) -> int:
        """Record a new running session; returns its id."""
        stamp = _iso(now)
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
                (index, round(elapsed, 3), round(active_seconds, 3), _iso(now), session_id))
            if cursor.rowcount == 0:
                return False
            self._add_phases(db, session_id, phases_done)
        return True

    def finish(self, session_id: int, status: Literal["completed", "stopped"],
               active_seconds: float, phases_done: Sequence[PhaseRecord] = (),
               now: datetime | None = None) -> bool:
        """End a session as completed or stopped; it is no longer resumable."""
        if status not in ("completed", "stopped"):
            raise ValueError(f"finish status must be completed or stopped, not {status!r}")
        stamp = _iso(now)
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

    def mark_interrupted(self, session_id: int, index: int, elapsed: float,
                         active_seconds: float, phases_done: Sequence[PhaseRecord] = (),
                         now: datetime | None = None) -> bool:
        """End a running session as interrupted, resumable at `index`."""
        stamp = _iso(now)
        with self._write() as db:
            cursor = db.execute(
                "UPDATE sessions SET status = 'interrupted', ended_at = ?, resume_index = ?,"
                " resume_elapsed = ?, active_seconds = ?, updated_at = ?"
                " WHERE id = ? AND status = 'running'",
                (stamp, index, round(elapsed, 3), round(active_seconds, 3), stamp, session_id))
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
                       " host = ?, updated_at = ? WHERE id = ?",
                       (os.getpid(), socket.gethostname(), _iso(now), session_id))
        self._own.add(session_id)
        return float(row[0])

    def decline_resume(self, session_id: int, now: datetime | None = None) -> None:
        """Forget a session's resume point; it stays in the history as interrupted."""
        with self._write() as db:
            db.execute("UPDATE sessions SET resume_index = NULL, resume_elapsed = NULL,"
                       " status = CASE status WHEN 'running' THEN 'interrupted' ELSE status END,"
                       " ended_at = COALESCE(ended_at, updated_at), updated_at = ?"
                       " WHERE id = ? AND status IN ('running', 'interrupted')",
                       (_iso(now), session_id))
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
                                (session_id, pain, effort, note, _iso(now)))
        return int(cursor.lastrowid or 0)

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
        # alone; a newer completed or stopped session means there is nothing to resume.
        rows = self._db.execute(
            "SELECT id, routine_id, routine_name, fingerprint, resume_index, resume_elapsed,"
            " status, started_at, updated_at, pid, host FROM sessions ORDER BY id DESC")
        for row in rows:
            (session_id, routine_id, name, fingerprint, index, elapsed, status, started,
             updated, pid, host) = row
            if status == "running" and self._running_elsewhere(session_id, pid, host):
                continue
            if status not in ("interrupted", "running") or index is None:
                return None
            started_at = _parse(started)
            updated_at = _parse(updated)
            assert started_at is not None and updated_at is not None
            return ResumePoint(session_id, routine_id, name, fingerprint, int(index),
                               float(elapsed or 0.0), status, started_at, updated_at)
        return None

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

    def sessions_between(self, start: datetime, end: datetime) -> list[SessionRecord]:
        """Sessions started in [start, end), oldest first."""
        return self._records(f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE started_at >= ?"
                             " AND started_at < ? ORDER BY started_at, id",
                             (_iso(start), _iso(end)))

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
        rows = self._db.execute(sql, params).fetchall()
        ids = [r[0] for r in rows]
        checkins: dict[int, list[CheckIn]] = {i: [] for i in ids}
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            for sid, pain, effort, note, created in self._db.execute(
                    "SELECT session_id, pain, effort, note, created_at FROM checkins"
                    f" WHERE session_id IN ({marks}) ORDER BY created_at, id", chunk):
                created_at = _parse(created)
                assert created_at is not None
                checkins[sid].append(CheckIn(pain, effort, note, created_at))
        records = []
        for r in rows:
            started, ended, updated = _parse(r[4]), _parse(r[5]), _parse(r[12])
            assert started is not None and updated is not None
            records.append(SessionRecord(r[0], r[1], r[2], r[3], started, ended, r[6], r[7],
                                         r[8], r[9], r[10], r[11], updated,
                                         tuple(checkins[r[0]])))
        return records


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    """Slices of at most `size` (SQLite limits the number of parameters)."""
    for i in range(0, len(items), size):
        yield items[i:i + size]


# -- recording a running session -------------------------------------------------------------


@dataclass
class Recorder:
    """Writes a running Session into the history as it happens; never raises on write errors."""

    # The app calls update() after every tick and command (it writes only when the phase
    # changed), checkpoint() on pause, finish(completed) at the end, and interrupt() on quit,
    # SIGHUP, SIGTERM or a crash. A failed write is kept and retried with the next one, and
    # `problem` holds the latest failure for the app to show once: losing a record must never
    # stop a workout.

    history: History
    session: Session
    session_id: int
    wall: Callable[[], datetime] = utcnow
    lead_in_until: int = 0  # phases before this index are a resume's lead-in: not recorded
    active_base: float = 0.0  # active seconds from before a resume
    problem: str | None = field(init=False, default=None)
    closed: bool = field(init=False, default=False)
    _index: int = field(init=False)
    _start: float = field(init=False)
    _pause_clock: float | None = field(init=False, default=None)
    _skipped_seen: set[int] = field(init=False)
    _pending: list[PhaseRecord] = field(init=False, default_factory=list)
    _interrupt_pending: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        self._index = self.session.index
        self._skipped_seen = set(self.session.skipped)
        self._start = self._phase_start()

    @classmethod
    def start(cls, history: History, session: Session,
              wall: Callable[[], datetime] = utcnow) -> Recorder:
        """Record a new session; if even that fails the recorder is closed with a `problem`."""
        try:
            session_id = history.start_session(session.timeline, wall())
        except sqlite3.Error as exc:
            recorder = cls(history, session, 0, wall)
            recorder.problem = f"History could not be saved: {_reason(exc)}"
            recorder.closed = True
            return recorder
        return cls(history, session, session_id, wall)

    @classmethod
    def resume(cls, history: History, session: Session, plan: ResumePlan,
               wall: Callable[[], datetime] = utcnow) -> Recorder:
        """Carry on recording a resumed session in its old record (closed if that fails)."""
        try:
            base = history.resume_session(plan.session_id, wall())
        except (sqlite3.Error, HistoryError) as exc:
            recorder = cls(history, session, plan.session_id, wall)
            recorder.problem = f"History could not be saved: {_reason(exc)}"
            recorder.closed = True
            return recorder
        return cls(history, session, plan.session_id, wall, lead_in_until=plan.phase_index,
                   active_base=base)

    # -- what the app calls ------------------------------------------------------------------

    def update(self) -> bool:
        """Notice phase changes (and the end); True if something was written."""
        if self.closed or not self._observe():
            return False
        return self._write_state()

    def checkpoint(self) -> bool:
        """Write where the session is now (on pause, or whenever the app likes)."""
        if self.closed:
            return False
        self._observe()
        return self._write_state()

    def finish(self, completed: bool) -> bool:
        """The session ended: completed, or stopped by the person (then not resumable)."""
        if self.closed:
            return False
        self._observe()
        if not self.session.finished:
            self._close_run(self._index, self._active_now(), partial=True)
        status: Literal["completed", "stopped"] = (
            "completed" if completed or self.session.finished else "stopped")
        return self._run(lambda batch: self.history.finish(
            self.session_id, status, self._active_seconds(), batch, self.wall()))

    def interrupt(self) -> bool:
        """Leave the session interrupted, resumable at the phase in progress; safe to repeat."""
        # Safe from a signal handler too: a write already under way finishes first, and the
        # interruption is written right after it (see _save).
        if self.closed:
            return False
        self._observe()
        if self.session.finished:
            return self.finish(completed=True)
        index, elapsed = self._resume_at()
        try:
            return self._run(lambda batch: self.history.mark_interrupted(
                self.session_id, index, elapsed, self._active_seconds(), batch, self.wall()))
        except HistoryBusy:
            self._interrupt_pending = True
            return False

    # -- inside ------------------------------------------------------------------------------

    def _write_state(self) -> bool:
        """The end if the session has finished, else a checkpoint."""
        return self.finish(completed=True) if self.session.finished else self._save()

    def _save(self) -> bool:
        """A checkpoint with the runs finished so far."""
        index, elapsed = self._resume_at()
        try:
            return self._run(lambda batch: self.history.checkpoint(
                self.session_id, index, elapsed, self._active_seconds(), batch, self.wall()),
                closes=False)
        finally:
            if self._interrupt_pending:
                # A signal arrived mid-write; its interrupt goes in now the write is over.
                self._interrupt_pending = False
                self.interrupt()

    def _run(self, write: Callable[[list[PhaseRecord]], bool], closes: bool = True) -> bool:
        """Do a write with the pending runs; if it fails they wait for the next one."""
        batch, self._pending = self._pending, []
        try:
            written = write(batch)
        except HistoryBusy:
            self._pending = batch + self._pending
            raise
        except (sqlite3.Error, HistoryError) as exc:
            self._pending = batch + self._pending
            self.problem = f"History could not be saved: {_reason(exc)}"
            return False
        if closes or not written:
            # Not written means the row is no longer running (ended elsewhere): stop writing.
            self.closed = True
        return written

    def _active_now(self) -> float:
        """The session clock without pauses."""
        session = self.session
        if session.paused:
            if self._pause_clock is None:
                self._pause_clock = session.clock()
            now = self._pause_clock
        else:
            self._pause_clock = None
            now = session.clock()
        return now - session.paused_total

    def _phase_start(self) -> float:
        """When the current phase started, on the pause-free clock."""
        elapsed = self.session.state().elapsed
        return self._active_now() - elapsed

    def _active_seconds(self) -> float:
        """Time spent in the session so far, pauses left out."""
        session = self.session
        if session.finished_at is not None:
            end = session.finished_at - session.paused_total
        else:
            end = self._active_now()
        return self.active_base + max(0.0, end - session.started_at)

    def _resume_at(self) -> tuple[int, float]:
        """The phase to resume at and the seconds into it."""
        if self.session.index < self.lead_in_until:
            return self.lead_in_until, 0.0
        return self.session.index, round(self.session.state().elapsed, 3)

    def _observe(self) -> bool:
        """Close the previous phase's run if the phase changed or restarted."""
        start = self._phase_start()
        index = self.session.index
        if index == self._index and abs(start - self._start) < RESTART_EPSILON:
            return False
        self._close_run(index, start)
        self._index, self._start = index, start
        if index >= self.lead_in_until:
            self.lead_in_until = 0
        return True

    def _close_run(self, new_index: int, new_start: float, partial: bool = False) -> None:
        """Record the run of the phase just left (and phases crossed in one late tick)."""
        phases = self.session.timeline.phases
        skipped_now = self.session.skipped - self._skipped_seen
        self._skipped_seen = set(self.session.skipped)
        old = self._index
        span = max(0.0, new_start - self._start)
        crossed = phases[old + 1:new_index] if new_index > old + 1 and not partial else ()
        # Phases passed within one tick ran to their deadlines (a skip lands on the last one).
        crossed_secs = [0.0 if p.index in skipped_now else (p.duration or 0.0) for p in crossed]
        runs = [(phases[old], max(0.0, span - sum(crossed_secs)))]
        runs += list(zip(crossed, crossed_secs, strict=True))
        for phase, seconds in runs:
            if phase.kind == "done" or phase.index < self.lead_in_until:
                continue
            self._pending.append(PhaseRecord.of(phase, seconds, phase.index in skipped_now))
