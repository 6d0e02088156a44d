"""When an archived page is due for another fetch: new pages often, old pages rarely.

A plan published last week is revised far more often than one from three years ago, so an archive
of 10,000 pages should not be fully re-fetched every run. A page's age counts from when the archive
first saw it. Pure functions: the clock is passed in.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(value: str | int | float) -> float:
    """Seconds from ``90``, ``"30m"``, ``"6h"``, ``"7d"``, ``"2w"`` (``0`` = every run)."""
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(value)
        if not match:
            raise ValueError(f"not a duration: {value!r} (use a number of seconds or e.g. '30m', '6h', '7d', '2w')")
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds < 0:
        raise ValueError(f"a duration cannot be negative: {value!r}")
    return seconds


@dataclass(frozen=True, kw_only=True)
class RecheckPolicy:
    """``recheck: {new_days: 30, new_every: 0, old_every: 7d}`` in a source.

    A page first seen less than ``new_days`` ago is re-fetched when its last answered check is at least
    ``new_every`` old (0: every run); an older page when it is at least ``old_every`` old. Durations may
    be given as in the sources file (``"6h"``); they are kept in seconds.
    """

    new_days: float = 30.0
    new_every: float = 0.0
    old_every: float = 7 * 86400.0

    def __post_init__(self) -> None:
        if isinstance(self.new_days, bool) or not isinstance(self.new_days, int | float) or self.new_days < 0:
            raise ValueError(f"new_days must be a number of days, at least 0, not {self.new_days!r}")
        for name in ("new_every", "old_every"):
            object.__setattr__(self, name, parse_duration(getattr(self, name)))


def parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def is_due(policy: RecheckPolicy, *, first_seen: str, last_ok: str | None, missing_count: int,
           now: datetime, removed: bool = False) -> bool:
    """Whether an archived page should be fetched in this run.

    A page with no answered check yet (only errors) or with a running 404 streak is always due, so
    failures are retried and removals are confirmed on the next run. A page already marked removed
    is checked like an old page, to notice when it comes back.
    """
    if last_ok is None or (missing_count > 0 and not removed):
        return True
    is_new = now - parse_time(first_seen) < timedelta(days=policy.new_days)
    interval = policy.old_every if removed or not is_new else policy.new_every
    return (now - parse_time(last_ok)).total_seconds() >= interval
