"""A source's ``schedule``: a five-field cron expression or ``every N`` with a unit (s, m, h, d).

Parsed when the sources file loads (a typo is a config error naming the source and line, not a
daemon that silently never crawls), and turned into an APScheduler trigger by the daemon. All
times are UTC: a crawl schedule should not jump with daylight saving time.

When is a source due? The archive's ``runs`` table remembers when each source last ran, so the
daemon needs no job store of its own: after a restart, ``first_due`` derives the next run from the
last one, and a run missed while the daemon was down happens once, at start-up, if it is not older
than the misfire grace time.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

DEFAULT_SCHEDULE = "every 6h"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_EVERY = re.compile(r"^\s*every\s+(.+)$", re.IGNORECASE)
_EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)


def parse_duration(text: str) -> float:
    """``"45s"``, ``"30m"``, ``"6h"``, ``"1d"`` → seconds (> 0)."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"not a duration {text!r} (use a number with a unit s, m, h or d, e.g. 30m)")
    seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if seconds <= 0:
        raise ValueError(f"duration {text!r} must be more than zero")
    return seconds


@dataclass(frozen=True, slots=True)
class Schedule:
    """One parsed schedule: ``interval`` seconds, or a ``cron`` expression (minute hour day month weekday)."""

    text: str
    interval: float | None = None
    cron: str | None = None

    def trigger(self, *, jitter: float = 0.0, anchor: datetime | None = None) -> BaseTrigger:
        """The APScheduler trigger; an interval's slots are counted from ``anchor`` (the last run).

        Jitter is capped at a tenth of the period, so ``every 2s`` stays every two seconds or so.
        """
        jitter_s = int(min(jitter, self.period() / 10)) or None
        if self.interval is not None:
            return IntervalTrigger(seconds=self.interval, start_date=anchor, timezone=timezone.utc,
                                   jitter=jitter_s)
        return CronTrigger(**_cron_fields(self.cron or ""), timezone=timezone.utc, jitter=jitter_s)

    def next_after(self, moment: datetime) -> datetime:
        """The first slot strictly after ``moment`` (no jitter)."""
        if self.interval is not None:
            return moment + timedelta(seconds=self.interval)
        trigger = CronTrigger(**_cron_fields(self.cron or ""), timezone=timezone.utc)
        found = trigger.get_next_fire_time(None, moment + timedelta(seconds=1))
        assert found is not None  # a valid crontab always fires again
        return found

    def period(self) -> float:
        """Nominal seconds between runs (for cron: the gap between the next two slots after 2000-01-01)."""
        if self.interval is not None:
            return self.interval
        first = self.next_after(_EPOCH)
        return (self.next_after(first) - first).total_seconds()


_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_WEEKDAY_RANGE = re.compile(r"^(\*|\d+)(?:-(\d+))?(?:/(\d+))?$")


def _weekday_names(field: str) -> str:
    """Cron counts weekdays from Sunday = 0 (7 is Sunday too); APScheduler 3 from Monday = 0.

    Numbers are rewritten as day names, which both read the same way.
    """
    names: list[str] = []
    for token in field.split(","):
        match = _WEEKDAY_RANGE.match(token)
        if not match or (match.group(1) == "*" and not match.group(3)):
            names.append(token)
            continue
        start = 0 if match.group(1) == "*" else int(match.group(1))
        end = int(match.group(2)) if match.group(2) else (6 if match.group(1) == "*" or match.group(3) else start)
        step = int(match.group(3) or 1)
        if start > 7 or end > 7 or step < 1:
            raise ValueError(f"weekday {token!r} out of range 0-7")
        names.extend(_WEEKDAYS[day % 7] for day in range(start, end + 1, step))
    return ",".join(dict.fromkeys(names))


def _cron_fields(expression: str) -> dict[str, str]:
    minute, hour, day, month, day_of_week = expression.split()
    return {"minute": minute, "hour": hour, "day": day, "month": month,
            "day_of_week": _weekday_names(day_of_week)}


def parse_schedule(text: str) -> Schedule:
    """Validate ``text``; raise ``ValueError`` with a message fit for a config error."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("schedule is empty (use a cron expression like '0 */6 * * *' or 'every 6h')")
    every = _EVERY.match(text)
    if every:
        return Schedule(text=text, interval=parse_duration(every.group(1)))
    fields = text.split()
    if len(fields) != 5:
        raise ValueError(f"not a schedule {text!r}: use 'every N' with a unit s, m, h or d (e.g. 'every 6h') "
                         f"or a five-field cron expression (minute hour day month weekday), e.g. '0 */6 * * *'")
    try:
        CronTrigger(**_cron_fields(text), timezone=timezone.utc)
    except ValueError as exc:
        raise ValueError(f"not a valid cron expression {text!r}: {exc}") from None
    return Schedule(text=text, cron=" ".join(fields))


def first_due(schedule: Schedule, last_run: datetime | None, now: datetime, grace: float) -> datetime | None:
    """When a source should first run after the daemon starts.

    Never run: now. Its next slot after the last run is still ahead: that slot. The slot passed
    while the daemon was down: now (once, however many slots were missed) if it is at most ``grace``
    seconds late, else ``None`` (wait for the trigger's next regular slot).
    """
    if last_run is None:
        return now
    due = schedule.next_after(last_run)
    if due > now:
        return due
    return now if (now - due).total_seconds() <= grace else None
