"""How each source is doing, from the ``runs`` table, and the run bookkeeping a supervisor needs.

The daemon keeps no state of its own: when a source last ran, whether it failed and how often in a
row all live in the archive, so ``policywatch status``, ``/health`` and a restarted daemon read the
same truth. The few writes here close runs whose crawl process died before it could close them.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from storage.archive import Archive, Event

RUNNING = "running"
FAILED_PREFIX = "failed"
STOPPED_PREFIX = "stopped"


def is_failure(status: str | None) -> bool:
    return bool(status) and str(status).startswith(FAILED_PREFIX)


@dataclass(frozen=True, slots=True)
class SourceStatus:
    source: str
    last_run: dict[str, Any] | None
    consecutive_failures: int
    running: bool

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "last_run": self.last_run,
                "consecutive_failures": self.consecutive_failures, "running": self.running}


def _rows(archive: Archive, sql: str, args: list[Any]) -> list[dict[str, Any]]:
    cursor = archive.db.execute(sql, args)
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, row, strict=False)) for row in cursor.fetchall()]


def known_sources(archive: Archive) -> list[str]:
    """Every source the archive has heard of (from the sources table or a run)."""
    rows = archive.db.execute("select name from sources union select source from runs order by 1").fetchall()
    return [r[0] for r in rows if r[0]]


def source_status(archive: Archive, source: str, history: int = 50) -> SourceStatus:
    """Last run (the newest finished one, else the running one) and failures in a row.

    Runs that were stopped (``stopped: …``, e.g. by a daemon shutdown) say nothing about the source:
    they neither count as failures nor end a streak of them.
    """
    runs = _rows(archive, "select * from runs where source = ? order by id desc limit ?", [source, history])
    finished = [r for r in runs if r["status"] != RUNNING]
    failures = 0
    for run in finished:
        if str(run["status"]).startswith(STOPPED_PREFIX):
            continue
        if not is_failure(run["status"]):
            break
        failures += 1
    running = any(r["status"] == RUNNING for r in runs[:1])
    last = finished[0] if finished else (runs[0] if runs else None)
    return SourceStatus(source=source, last_run=last, consecutive_failures=failures, running=running)


def source_statuses(archive: Archive, names: list[str] | None = None) -> list[SourceStatus]:
    """One status per source: ``names`` in that order, or every source the archive knows."""
    return [source_status(archive, name) for name in (names if names is not None else known_sources(archive))]


def last_started(archive: Archive, source: str) -> str | None:
    """When the source's newest run started (any result): the anchor of its schedule."""
    rows = archive.db.execute("select max(started_at) from runs where source = ?", [source]).fetchall()
    return rows[0][0] if rows else None


def max_run_id(archive: Archive) -> int:
    return int(archive.db.execute("select coalesce(max(id), 0) from runs").fetchall()[0][0])


def events_for_region(archive: Archive, region: str, *, limit: int = 200) -> list[Event]:
    """Newest relevant events of pages in ``region``, newest first."""
    return list(archive._events("select * from events where relevant = 1 and region = ? "
                                "order by created_at desc, id desc limit ?", [region, limit]))


def known_regions(archive: Archive) -> list[str]:
    rows = archive.db.execute("select distinct region from events where region is not null and region != '' "
                              "union select region from sources where region is not null and region != '' "
                              "order by 1").fetchall()
    return [r[0] for r in rows]


# -- closing runs a dead crawl process left open -------------------------------------------------

@contextmanager
def write_transaction(archive: Archive) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` (see ``Archive.write``)."""
    with archive.write():
        yield


def close_unfinished_runs(archive: Archive, source: str, *, after_id: int, status: str, now: str) -> list[int]:
    """Close the ``running`` rows of ``source`` newer than ``after_id`` as ``status``; return their ids.

    Their counts come from the fetches the crawl did record, so nothing it stored is lost.
    """
    with write_transaction(archive):
        ids = [int(r[0]) for r in archive.db.execute(
            "select id from runs where source = ? and id > ? and status = ?", [source, after_id, RUNNING]).fetchall()]
        for run_id in ids:
            archive.finish_run(run_id, status=status, now=now, error=status)
    return ids


def record_failed_run(archive: Archive, source: str, *, status: str, started_at: str, now: str) -> int:
    """A run row (``status`` failed or stopped) for a crawl that died before it could write one itself."""
    with write_transaction(archive):
        run_id = archive.start_run(source, started_at)
        archive.finish_run(run_id, status=status, now=now, error=status)
    return run_id


def has_run_since(archive: Archive, source: str, after_id: int) -> bool:
    # fetchall, not fetchone: an unfinished SELECT keeps a read snapshot open, and a write after it
    # fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT) instead of waiting its turn.
    return bool(archive.db.execute("select 1 from runs where source = ? and id > ? limit 1",
                                   [source, after_id]).fetchall())


def close_abandoned_runs(archive: Archive, *, started_before: str, status: str, now: str) -> list[int]:
    """Close ``running`` rows started before ``started_before``: no crawl the daemon starts lives that long."""
    with write_transaction(archive):
        ids = [int(r[0]) for r in archive.db.execute(
            "select id from runs where status = ? and started_at < ?", [RUNNING, started_before]).fetchall()]
        for run_id in ids:
            archive.finish_run(run_id, status=status, now=now, error=status)
    return ids
