"""When the next reminder is due: every so long, within the hours and days allowed (pure).

The rules, for `trainer remind` and its tests alike (the clock is always passed in):

- A reminder is due one interval after the latest of: when reminding began, the last reminder
  (answered or not) and the end of the last session. So a session done within the interval
  means no reminder: the next one comes one interval after that session.
- Reminders come only within the hours (`between`, which may run past midnight: 22:00-02:00 is
  one stretch belonging to the day it starts on) and on the days (`days`). When a due time falls
  outside them, the count starts again as they open: the first reminder of a day comes one
  interval after the hours begin, not the moment they do. Hours shorter than one interval get a
  single reminder as they begin.
- A snooze (SNOOZE, 10 minutes) puts the next reminder at the moment asked for, even if that is
  just past the end of the hours: it was asked for. A skip is answered like a reminder taken: the
  next one is one interval later.
- A due time found more than LATE in the past (the computer was asleep) is not sent: the time
  away counts as a break, and the count starts again from now.

Time arithmetic and comparisons are done in UTC, so an interval is that many real seconds
across a change to or from summer time (Python compares and subtracts two datetimes of the same
zone by their wall clocks); hours and days are read on the local wall clock of `now`'s zone.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path

from trainer.config import Reminders

SNOOZE = timedelta(minutes=10)
LATE = timedelta(minutes=5)  # later than this, a due time was slept through, not just reached
_LOOKAHEAD_DAYS = 15  # two weeks of days is enough to find the next allowed one (one is always)


def local_zone() -> tzinfo:
    """The system's time zone: a zoneinfo zone when it can be named (it knows summer time)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:  # /etc/localtime -> /usr/share/zoneinfo/Europe/Berlin
        target = str(Path("/etc/localtime").resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if name and not name.startswith("/"):
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    fixed = datetime.now().astimezone().tzinfo  # an offset only: right until the next change
    return fixed if fixed is not None else UTC


def after(moment: datetime, seconds: float) -> datetime:
    """`seconds` of real time after `moment`, in `moment`'s zone (wall clocks may jump)."""
    zone = moment.tzinfo
    return (moment.astimezone(UTC) + timedelta(seconds=seconds)).astimezone(zone)


def seconds_until(later: datetime, earlier: datetime) -> float:
    """Real seconds from `earlier` to `later` (negative if it is before)."""
    return (later.astimezone(UTC) - earlier.astimezone(UTC)).total_seconds()


def _at(day: date, clock: time, zone: tzinfo | None) -> datetime:
    """A wall-clock time on a day, in UTC; a time skipped by summer time lands after the jump."""
    if zone is None:
        return datetime.combine(day, clock).astimezone().astimezone(UTC)
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def periods(settings: Reminders, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """The stretches of time reminders may come in (in UTC), from the one holding `start` on."""
    zone = start.tzinfo
    first = start.astimezone(zone).date() - timedelta(days=1)  # a stretch past midnight
    pending: tuple[datetime, datetime] | None = None
    for offset in range(_LOOKAHEAD_DAYS * 2):
        day = first + timedelta(days=offset)
        if day.weekday() not in settings.days:
            continue
        if settings.between is None:
            opens, closes = _at(day, time(0), zone), _at(day + timedelta(days=1), time(0), zone)
        else:
            begin, end = settings.between
            opens = _at(day, begin, zone)
            closes = _at(day + timedelta(days=1) if end <= begin else day, end, zone)
        if pending is not None and pending[1] >= opens:  # back to back: one stretch
            pending = (pending[0], max(pending[1], closes))
            continue
        if pending is not None and pending[1] > start:
            yield pending
        pending = (opens, closes)
    if pending is not None and pending[1] > start:
        yield pending


def allowed(settings: Reminders, moment: datetime) -> bool:
    """True if a reminder may come at this moment (within the hours, on a day allowed)."""
    instant = moment.astimezone(UTC)
    for opens, closes in periods(settings, moment):
        return opens <= instant < closes
    return False


def next_due(settings: Reminders, now: datetime, *, since: datetime,
             last_session: datetime | None = None,
             snoozed_until: datetime | None = None) -> datetime | None:
    """When the next reminder is due (in `now`'s zone); None if no day is allowed at all.

    `since` is when reminding began or the last reminder was sent or answered; `last_session`
    the end of the latest session (a running one: now); `snoozed_until` a snooze's end. The
    time may be past (see `slept_through`): it is what the rules say, not clamped to now.
    """
    zone = now.tzinfo
    since = since.astimezone(UTC)
    last = None if last_session is None else last_session.astimezone(UTC)
    snooze = None if snoozed_until is None else snoozed_until.astimezone(UTC)
    if snooze is not None and snooze > since and (last is None or last < snooze - SNOOZE):
        return snooze.astimezone(zone)
    base = since if last is None else max(since, last)
    for opens, closes in periods(settings, base.astimezone(zone)):
        if base >= opens:
            due = after(base, settings.every)
        else:  # the hours open after the count began: it starts again as they do
            due = after(opens, settings.every)
            if due >= closes:
                due = opens  # hours shorter than one interval: one reminder as they begin
        if due < closes:
            return due.astimezone(zone)
    return None


def slept_through(due: datetime, now: datetime) -> bool:
    """True if `due` went by more than LATE ago (asleep, suspended): it is not sent late."""
    return seconds_until(now, due) > LATE.total_seconds()


def describe(settings: Reminders) -> str:
    """The settings in a few words: 'every 1h, 09:00-18:00, mon-fri'."""
    from trainer.config import WEEKDAYS

    minutes = round(settings.every / 60)
    every = f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"
    hours = "any hour" if settings.between is None else "-".join(
        t.strftime("%H:%M") for t in settings.between)
    days = sorted(settings.days)
    if not days:
        names = "no day"
    elif len(days) == 7:
        names = "daily"
    elif days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
        names = f"{WEEKDAYS[days[0]]}-{WEEKDAYS[days[-1]]}"
    else:
        names = ",".join(WEEKDAYS[d] for d in days)
    return f"every {every}, {hours}, {names}"
