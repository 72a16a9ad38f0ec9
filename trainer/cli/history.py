"""`trainer history`, `trainer stats` and `trainer resume`: the history on the command line."""

# The functions return exit statuses and print to stdout (problems to stderr); cli.py wires
# them into argparse. The JSON and CSV forms are a promise, documented in docs/history.md.

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, TextIO

from trainer.library.durations import format_clock
from trainer.history.store import (
    History,
    PhaseRecord,
    ResumeCheck,
    ResumePlan,
    ResumePoint,
    SessionRecord,
    ago,
)
from trainer.library.loader import Library, LibraryLoader
from trainer.library.sources import default_sources
from trainer.history.stats import Summary, Week, summarize

Format = Literal["table", "json", "csv"]
JSON_VERSION = 1
CSV_COLUMNS = ("id", "date", "started_at", "ended_at", "routine_id", "routine_name", "status",
               "planned_seconds", "active_seconds", "pain", "effort", "note")
CHART_WIDTH = 30
_EIGHTHS = " ▏▎▍▌▋▊▉"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _open(store: History | None) -> History:
    """The given store, or the user's (not created if missing), with any problem on stderr."""
    if store is not None:
        return store
    opened = History.open(create=False)
    if opened.problem:
        print(f"trainer: {opened.problem}", file=sys.stderr)
    return opened


def _emit(text: str, out: TextIO | None = None) -> None:
    """Write text as UTF-8 whatever the locale says (a C locale would choke on names)."""
    stream = out if out is not None else sys.stdout
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("-", "")
    buffer = getattr(stream, "buffer", None)
    if encoding != "utf8" and buffer is not None:
        stream.flush()
        buffer.write(text.encode("utf-8"))
        buffer.flush()
    else:
        stream.write(text)


def _local(moment: datetime | None) -> str:
    """Local time as 'YYYY-MM-DD HH:MM:SS', the form spreadsheets read as a date and time."""
    return "" if moment is None else moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula (a leading = + - @ gets a quote)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


# -- trainer history -----------------------------------------------------------------------


def history(fmt: Format = "table", limit: int | None = 20, *, store: History | None = None,
            out: TextIO | None = None) -> int:
    """`trainer history [--json|--csv]`: the latest `limit` sessions (None: all), newest first."""
    opened = _open(store)
    try:
        records = opened.recent(limit)
        if fmt == "json":
            phases = opened.phases_of([r.id for r in records])
            _emit(json.dumps(history_json(records, phases), indent=2, ensure_ascii=False)
                  + "\n", out)
        elif fmt == "csv":
            _emit(history_csv(records), out)
        else:
            point = opened.resumable()
            _emit(history_table(records, point.session_id if point else None), out)
    finally:
        if store is None:
            opened.close()
    return 0


def history_json(records: Sequence[SessionRecord],
                 phases: dict[int, list[PhaseRecord]] | None = None) -> dict[str, Any]:
    """The documented `--json` document (version JSON_VERSION)."""
    phases = phases or {}
    return {"version": JSON_VERSION,
            "sessions": [r.to_json(phases.get(r.id, [])) for r in records]}


def history_csv(records: Sequence[SessionRecord]) -> str:
    """The `--csv` text: a header row, then one row per session."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in records:
        checkin = r.checkin
        writer.writerow([
            r.id, r.local_day.isoformat(), _local(r.started_at), _local(r.ended_at),
            r.routine_id, _cell(r.routine_name), r.status, round(r.planned_seconds),
            round(r.active_seconds),
            "" if checkin is None or checkin.pain is None else checkin.pain,
            "" if checkin is None or checkin.effort is None else checkin.effort,
            "" if checkin is None else _cell(checkin.note),
        ])
    return buffer.getvalue()


def history_table(records: Sequence[SessionRecord], resumable: int | None = None) -> str:
    """The plain listing; the session `trainer resume` would continue gets a `*`."""
    if not records:
        return "No sessions yet. Start one with `trainer` or `trainer run ROUTINE`.\n"
    lines = [f"{'id':>5}  {'started':16}  {'routine':32}  {'status':12}  {'time':>7}  "
             f"{'pain':>4}  {'effort':>6}"]
    for r in records:
        checkin = r.checkin
        pain = "" if checkin is None or checkin.pain is None else str(checkin.pain)
        effort = "" if checkin is None or checkin.effort is None else str(checkin.effort)
        status = r.status + ("*" if r.id == resumable else "")
        lines.append(f"{r.id:>5}  {_local(r.started_at)[:16]:16}  {r.routine_name[:32]:32}  "
                     f"{status:12}  {format_clock(r.active_seconds):>7}  {pain:>4}  {effort:>6}")
    if any(r.id == resumable for r in records):
        lines.append("* can be resumed: `trainer resume`")
    return "\n".join(lines) + "\n"


# -- trainer stats -------------------------------------------------------------------------


def progress(store: History, library: Library, today: date, weeks: int = 8
             ) -> tuple[list[SessionRecord], Summary, dict[str, str]]:
    """Every session (newest first), the figures, and a name for each routine id in either."""
    records = store.recent(None)
    # One read serves both: the statistics want the same sessions oldest first.
    oldest_first = list(reversed(records))
    summary = summarize([r.entry() for r in oldest_first], today, set(library.routines), weeks)
    names = {r.routine_id: r.routine_name for r in oldest_first}  # the newest name wins
    names.update({rid: routine.name for rid, routine in library.routines.items()})
    return records, summary, names


def stats(library: Library | None = None, *, today: date | None = None,
          store: History | None = None, weeks: int = 8, out: TextIO | None = None) -> int:
    """`trainer stats`: streak, minutes per week as a chart, routines, pain trend, suggestions."""
    lib = library if library is not None else LibraryLoader().load(default_sources())
    opened = _open(store)
    try:
        records, summary, names = progress(opened, lib, today or date.today(), weeks)
    finally:
        if store is None:
            opened.close()
    stream = out if out is not None else sys.stdout
    unicode = "utf" in (getattr(stream, "encoding", None) or "utf-8").lower()
    _emit(stats_text(summary, names, unicode=unicode, empty=not records), out)
    return 0


def bar(value: float, top: float, width: int = CHART_WIDTH, unicode: bool = True) -> str:
    """A horizontal bar, in eighths of a cell where the terminal can show them."""
    if top <= 0 or value <= 0:
        return ""
    cells = value / top * width
    if not unicode:
        return "#" * max(1, round(cells))
    whole, eighths = int(cells), round((cells - int(cells)) * 8)
    if eighths == 8:
        whole, eighths = whole + 1, 0
    text = "█" * whole + (_EIGHTHS[eighths] if eighths else "")
    return text or "▏"


def week_chart(weeks: Sequence[Week], unicode: bool = True) -> list[str]:
    """One line per week: label, bar, minutes."""
    top = max((w.minutes for w in weeks), default=0.0)
    return [f"  {w.label}  {bar(w.minutes, top, unicode=unicode):{CHART_WIDTH}}  "
            f"{round(w.minutes):>4} min" for w in weeks]


def stats_text(summary: Summary, names: dict[str, str], *, unicode: bool = True,
               empty: bool = False) -> str:
    """The `trainer stats` report."""
    if empty:
        return "No sessions yet. Start one with `trainer` or `trainer run ROUTINE`.\n"
    days = "day" if summary.streak == 1 else "days"
    lines = [f"Streak: {summary.streak} {days} (best {summary.best_streak})",
             f"This week: {round(summary.week_minutes)} min in {summary.week_sessions} "
             f"session{'s' * (summary.week_sessions != 1)}",
             "", f"Minutes per week (last {len(summary.weeks)} weeks)"]
    lines += week_chart(summary.weeks, unicode)
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


# -- trainer resume ------------------------------------------------------------------------


class CannotResume(Exception):
    """Nothing to resume, or the resume point no longer fits; the message says which."""

    exit_code = 1


@dataclass(frozen=True)
class ResumeTarget:
    """What `trainer resume` runs: the routine, where, and what to tell the person."""

    routine_id: str
    session_id: int
    start_index: int
    plan: ResumePlan
    point: ResumePoint
    check: ResumeCheck
    message: str


def resume_target(library: Library, *, store: History | None = None,
                  now: datetime | None = None) -> ResumeTarget:
    """The session to resume and how; raises CannotResume with a reason when there is none."""
    opened = _open(store)
    try:
        point = opened.resumable()
    finally:
        if store is None:
            opened.close()
    if point is None:
        raise CannotResume("nothing to resume: there is no interrupted session")
    timeline = library.timelines.get(point.routine_id)
    check = point.check(timeline, now)
    if not check.offer:
        hint = ""
        if timeline is None and library.problems:
            hint = " (`trainer validate` lists the library's problems)"
        raise CannotResume(f"cannot resume {point.routine_name}: {check.reason}{hint}")
    assert timeline is not None  # check() says "changed" without a timeline
    plan = point.plan(timeline)
    message = plan.message
    if check.verdict == "stale":
        message += f" It was interrupted {ago(point.age(now).total_seconds())}."
    return ResumeTarget(point.routine_id, point.session_id, plan.start_index, plan, point,
                        check, message)
