"""The history file: schema and migrations, opening it in WAL mode, moving a bad one aside."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from trainer.history.records import to_utc

BUSY_TIMEOUT = 10.0  # seconds a writer waits for another process's transaction

# Errors that mean "this file is not (or no longer) a usable database": move it aside.
# Busy, locked, full and out-of-memory are conditions of the moment, never a reason to move data.
UNUSABLE_ERRORS = {"SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_CANTOPEN", "SQLITE_PERM",
             "SQLITE_AUTH", "SQLITE_FORMAT"}
_SIDE_FILES = ("-wal", "-shm", "-journal")


class NewerSchema(Exception):
    """The file was written by a newer trainer."""


class Unusable(Exception):
    """The file is not a usable history database."""


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


_SESSIONS_V2 = """
        CREATE TABLE sessions_v2 (
            id INTEGER PRIMARY KEY,
            routine_id TEXT NOT NULL,
            routine_name TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            status TEXT NOT NULL CHECK (status IN
                ('running', 'completed', 'skipped', 'stopped', 'interrupted')),
            planned_seconds REAL NOT NULL,
            active_seconds REAL NOT NULL DEFAULT 0,
            resume_index INTEGER,
            resume_elapsed REAL,
            phase_count INTEGER NOT NULL,
            pid INTEGER,
            host TEXT,
            updated_at TEXT NOT NULL
        )"""
_SESSION_FIELDS = ("id, routine_id, routine_name, fingerprint, started_at, ended_at, status, "
                   "planned_seconds, active_seconds, resume_index, resume_elapsed, phase_count, "
                   "pid, host, updated_at")


def _v2(db: sqlite3.Connection) -> None:
    """Version 2: the status `skipped` (a session run to its end with most of it skipped)."""
    # SQLite cannot change a CHECK in place: the table is rebuilt as its ALTER TABLE page
    # describes (foreign keys are off meanwhile, see migrate), its rows and ids kept.
    db.execute(_SESSIONS_V2)
    db.execute(f"INSERT INTO sessions_v2 ({_SESSION_FIELDS}) "
               f"SELECT {_SESSION_FIELDS} FROM sessions")
    db.execute("DROP TABLE sessions")
    db.execute("ALTER TABLE sessions_v2 RENAME TO sessions")
    db.execute("CREATE INDEX sessions_started ON sessions (started_at)")


def _v3(db: sqlite3.Connection) -> None:
    """Version 3: `resume_note`, why a session's resume point was dropped (NULL: not said)."""
    db.execute("ALTER TABLE sessions ADD COLUMN resume_note TEXT")


def _v4(db: sqlite3.Connection) -> None:
    """Version 4: `reminders`, each reminder `trainer remind` sent and how it was answered."""
    db.execute("""
        CREATE TABLE reminders (
            id INTEGER PRIMARY KEY,
            routine_id TEXT NOT NULL,
            due_at TEXT NOT NULL,
            sent_at TEXT NOT NULL,
            every_seconds REAL NOT NULL,
            outcome TEXT NOT NULL DEFAULT 'sent'
                CHECK (outcome IN ('sent', 'started', 'snoozed', 'skipped')),
            answered_at TEXT
        )""")
    db.execute("CREATE INDEX reminders_sent ON reminders (sent_at)")


def _v5(db: sqlite3.Connection) -> None:
    """Version 5: `program_runs`, each program started, when it was stopped, a hold lifted."""
    db.execute("""
        CREATE TABLE program_runs (
            id INTEGER PRIMARY KEY,
            program_id TEXT NOT NULL,
            program_name TEXT NOT NULL,
            started_on TEXT NOT NULL,
            started_at TEXT NOT NULL,
            ready_since TEXT,
            stopped_at TEXT
        )""")


def _v6(db: sqlite3.Connection) -> None:
    """Version 6: indexes for the statistics (per routine, completed days, latest check-in)."""
    # With status in it, counting each routine's sessions and completions reads only the index.
    db.execute("CREATE INDEX sessions_routine ON sessions (routine_id, started_at, status)")
    db.execute("CREATE INDEX sessions_status ON sessions (status, started_at)")
    db.execute("CREATE INDEX checkins_latest ON checkins (session_id, created_at)")


# MIGRATIONS[n] takes a database from schema version n to n + 1; a new version is one more
# function appended here (never edit a released one).
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_v1, _v2, _v3, _v4, _v5, _v6)
TABLES = ("sessions", "phases", "checkins", "reminders", "program_runs")


def schema_version(db: sqlite3.Connection) -> int:
    """The schema version stored in the file (PRAGMA user_version)."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite3.Connection) -> int:
    """Bring the schema up to date in one transaction; returns the version."""
    migrations = MIGRATIONS
    if schema_version(db) > len(migrations):
        raise NewerSchema(schema_version(db))
    if schema_version(db) == len(migrations):
        return len(migrations)
    # Foreign keys off while a table is rebuilt: dropping the old sessions table would
    # otherwise delete every phase and check-in (the rebuild keeps every id, so no reference
    # breaks). The pragma does nothing inside a transaction, so it is set around it.
    keys = int(db.execute("PRAGMA foreign_keys").fetchone()[0])
    db.execute("PRAGMA foreign_keys = OFF")
    try:
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
    finally:
        db.execute(f"PRAGMA foreign_keys = {'ON' if keys else 'OFF'}")
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


def connect(target: Path | str, *, check: bool = True) -> sqlite3.Connection:
    """Open, check (unless told not to) and migrate a database.

    Raises Unusable, NewerSchema or sqlite3.Error. Without the check a file of random bytes
    still fails here (at its first read); damage further in is found by `quick_check`.
    """
    db = sqlite3.connect(target, timeout=BUSY_TIMEOUT, isolation_level=None,
                         check_same_thread=False)
    try:
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        db.execute("PRAGMA foreign_keys = ON")
        db.create_function(LOCAL_DAY_FUNCTION, 1, _local_day, deterministic=True)
        db.create_function(JSON_FUNCTION, 1, _json_scalar, deterministic=True)
        if check:
            damage = quick_check(db)
            if damage is not None:
                raise Unusable(damage)
        if str(target) != ":memory:":
            _wal(db)
            # With WAL, NORMAL never corrupts and survives a killed process; only a power cut
            # may lose the last commit or two.
            db.execute("PRAGMA synchronous = NORMAL")
        migrate(db)
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = [t for t in TABLES if t not in names]
        if missing:
            raise Unusable(f"it is not a trainer history (no table {missing[0]})")
    except BaseException:
        db.close()
        raise
    return db


def quick_check(db: sqlite3.Connection) -> str | None:
    """Why the file is damaged, in a few words; None when PRAGMA quick_check finds it sound."""
    # The time it takes grows with the file (0.2-0.3 s at 50,000 sessions): History.open runs
    # it once per version of the file (see store.CHECKED), the app off its main thread.
    result = db.execute("PRAGMA quick_check").fetchall()
    if [tuple(r) for r in result] == [("ok",)]:
        return None
    return "it is damaged (" + "; ".join(str(r[0]) for r in result[:3]) + ")"


def identity(path: Path) -> list[int] | None:
    """What tells one version of the file from another: the file's and its WAL's stat figures.

    None when the file cannot be looked at. The change time is in it because nothing but a
    change sets it (a copy or `touch -d` can put back a modification time, not that).
    """
    try:
        main = os.stat(path)
    except OSError:
        return None
    figures = [main.st_dev, main.st_ino, main.st_size, main.st_mtime_ns, main.st_ctime_ns]
    try:
        wal = os.stat(path.with_name(path.name + "-wal"))
    except OSError:
        return figures  # no WAL: closed cleanly
    if wal.st_size:  # an empty one (another process has the file open) changes nothing
        figures += [wal.st_ino, wal.st_size, wal.st_mtime_ns, wal.st_ctime_ns]
    return figures


# The local calendar day a stored UTC timestamp falls on, for SQL (stats and the history
# screen group by it). SQLite's own 'localtime' asks the C library, as Python does, but only
# between 1971 and 2037 (outside it SQLite uses another year's offset): there, Python is asked.
LOCAL_DAY_FUNCTION = "trainer_local_day"


def local_day_sql(column: str = "started_at") -> str:
    """An SQL expression for the local day (YYYY-MM-DD) of a timestamp column."""
    return (f"(CASE WHEN {column} >= '1971-01-02' AND {column} < '2037-12-31'"
            f" THEN date({column}, 'localtime') ELSE {LOCAL_DAY_FUNCTION}({column}) END)")


# A value as json.dumps writes it, for SQL (export.py) where SQLite would write it otherwise.
JSON_FUNCTION = "trainer_json"


def _json_scalar(value: object) -> str:
    """json.dumps(value, ensure_ascii=False)."""
    return json.dumps(value, ensure_ascii=False)


def _local_day(text: str | None) -> str | None:
    """The local day of a stored timestamp, as YYYY-MM-DD (what SessionRecord.local_day gives)."""
    if text is None:
        return None
    return datetime.fromisoformat(text).astimezone().date().isoformat()


def move_aside(path: Path, now: datetime | None) -> Path:
    """Rename a bad file (and its WAL side files) to <name>.corrupt-<timestamp>."""
    stamp = to_utc(now).strftime("%Y%m%dT%H%M%SZ")
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


def reason_of(exc: BaseException) -> str:
    """An exception in a few words."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
