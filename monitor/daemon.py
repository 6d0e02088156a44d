"""The long-running daemon: crawl each source on its schedule, keep the feeds fresh, survive anything.

Design
------
* **One subprocess per crawl run** (``crawlers.runner``, as Scrapyd does). Scrapy's Twisted reactor
  cannot be restarted inside a process; a fresh interpreter per run also returns all memory when
  the run ends, lets the daemon kill a crawl that hangs past its timeout, and means a crash in a
  parser or an extraction library ends one run, not the daemon. The cost is a fixed few seconds per
  run (``bench/crawl_process_overhead.py``: a whole run of a one-article source, median 4.5 s on a
  busy 2-core machine), nothing against schedules measured in hours.
* **APScheduler 3 ``BackgroundScheduler``** in UTC, one job per source with the id ``crawl:NAME``,
  ``replace_existing=True`` (jobs are recreated from ``sources.yaml`` at start and on reload),
  ``max_instances=1`` (never two runs of one source at once), ``coalesce=True`` and a
  ``misfire_grace_time`` (a backlog of missed slots becomes one run), and jitter (many sources do not
  fire in the same second). Sources without a ``schedule`` use ``DEFAULT_SCHEDULE``. The main thread
  only waits for signals, so SIGTERM/SIGINT/SIGHUP are handled promptly.
* **No job store: the archive is the schedule state.** At start-up the next run of each source is
  derived from its newest row in ``runs`` (``monitor.schedule.first_due``): a slot missed while the
  daemon was down runs once, now, if it is within the grace time. A second copy of the state (an
  SQLAlchemy job store) could disagree with the archive; this cannot, and it needs no dependency.
* **Failures are runs too.** A crawl that crashes, is killed, or times out (``timeout:`` of the
  source, else ``--timeout``) is recorded in ``runs`` as ``failed: …``; rows the dead child left
  ``running`` are closed with the counts of what it did store (each page is its own transaction, so
  there is no half-written version). The source simply runs again at its next slot.
* **Config reloads are all-or-nothing.** SIGHUP re-reads ``sources.yaml``; if it is invalid the error is
  logged and the previous schedule keeps running. Children always read a private snapshot of the last
  valid config, so a half-edited file never reaches a crawl.
* After every run the feeds are regenerated (``monitor.feeds.write_feed_set``, atomic file
  replacement), so ``monitor.serve`` and any static web server always see complete files.
"""
from __future__ import annotations

import fcntl
import logging
import os
import random
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from monitor.feeds import FeedInfo, write_feed_set
from monitor.schedule import DEFAULT_SCHEDULE, Schedule, first_due, parse_schedule
from monitor.sources import ConfigError, Source, parse_sources
from storage import Archive
from storage.status import (
    close_abandoned_runs,
    close_unfinished_runs,
    has_run_since,
    last_started,
    max_run_id,
    record_failed_run,
)

logger = logging.getLogger(__name__)

JOB_PREFIX = "crawl:"
UPKEEP_JOB = "upkeep:optimize"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def source_schedule(source: Source, default: str = DEFAULT_SCHEDULE) -> Schedule:
    return parse_schedule(source.schedule or default)


@dataclass
class DaemonOptions:
    sources_path: Path
    db_path: Path
    feeds_dir: Path
    default_schedule: str = DEFAULT_SCHEDULE
    timeout: float = 3600.0            # seconds a crawl may run, unless the source sets `timeout:`
    stop_grace: float = 5.0            # seconds between SIGTERM and SIGKILL for a crawl child
    misfire_grace: float = 3600.0      # how late a missed slot may still run (once)
    jitter: float = 30.0               # at most this many seconds (and a tenth of the period)
    max_parallel: int = 1              # crawls at the same time (see the README before raising it)
    crawl_settings: dict[str, Any] = field(default_factory=dict)
    crawl_log_level: str = "WARNING"
    feed_info: FeedInfo = field(default_factory=FeedInfo)
    optimize_every: float = 86400.0    # seconds between archive upkeeps (storage/maintenance.py); 0: never
    feed_coverage: bool = False        # coverage entries in the main feed too (--coverage)


class DaemonError(Exception):
    """The daemon cannot start (another daemon already runs on this archive)."""


class Daemon:
    """``Daemon(options).run()`` blocks until SIGTERM/SIGINT; ``start``/``stop`` for embedding and tests."""

    def __init__(self, options: DaemonOptions) -> None:
        self.options = options
        self.sources: dict[str, Source] = {}
        self.scheduler = BackgroundScheduler(
            timezone=timezone.utc, executors={"default": ThreadPoolExecutor(max(1, options.max_parallel))})
        self._lock = threading.Lock()
        self._feeds_lock = threading.Lock()
        self._running: dict[str, Any] = {}
        self._stopping = False
        self._wake = threading.Event()
        self._stop_requested = False
        self._reload_requested = False
        # Made by the first config load and removed by stop(): a daemon that never loads leaves nothing behind.
        self._workdir: Path | None = None
        self._lock_file: IO[str] | None = None

    # -- config ------------------------------------------------------------------------------

    def load_config(self) -> dict[str, Source]:
        """Validate ``sources.yaml`` (and every schedule in it); snapshot it for the crawl children."""
        path = self.options.sources_path
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read sources file: {exc}") from None
        sources = parse_sources(text, str(path))
        try:
            parse_schedule(self.options.default_schedule)
        except ValueError as exc:
            raise ConfigError(f"--default-schedule: {exc}") from None
        if self._workdir is None:
            self._workdir = Path(tempfile.mkdtemp(prefix="policywatch-daemon-"))
        tmp = self._workdir / "sources.yaml.new"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, self.snapshot_path)
        return {s.name: s for s in sources}

    @property
    def snapshot_path(self) -> Path:
        """The copy of the sources file the crawl children read (stable while the user edits the original)."""
        if self._workdir is None:
            raise RuntimeError("no config loaded yet: call load_config() or start() first")
        return self._workdir / "sources.yaml"

    def reload(self) -> bool:
        """Re-read the sources file; on any error keep the old schedule and say why."""
        try:
            sources = self.load_config()
        except ConfigError as exc:
            logger.error("config reload rejected, keeping the previous schedule of %d sources:\n%s",
                         len(self.sources), exc)
            return False
        self._schedule(sources)
        logger.info("config reloaded: %d sources", len(sources))
        return True

    # -- scheduling --------------------------------------------------------------------------

    def _schedule(self, sources: dict[str, Source]) -> None:
        now = utc_now()
        with Archive(self.options.db_path) as archive:
            last = {name: parse_iso(last_started(archive, name)) for name in sources}
        for job in self.scheduler.get_jobs():
            if job.id.startswith(JOB_PREFIX) and job.id[len(JOB_PREFIX):] not in sources:
                job.remove()
                logger.info("source %s removed from the schedule", job.id[len(JOB_PREFIX):])
        self.sources = sources
        for name, source in sources.items():
            schedule = source_schedule(source, self.options.default_schedule)
            trigger = schedule.trigger(jitter=self.options.jitter, anchor=last[name] or now)
            kwargs: dict[str, Any] = {}
            first = first_due(schedule, last[name], now, self.options.misfire_grace)
            if first is not None:
                spread = min(self.options.jitter, schedule.period() / 10)
                kwargs["next_run_time"] = first + timedelta(seconds=random.uniform(0, spread))
            job = self.scheduler.add_job(
                self.run_source, trigger, args=[name], id=JOB_PREFIX + name, name=f"crawl {name}",
                replace_existing=True, max_instances=1, coalesce=True,
                misfire_grace_time=int(self.options.misfire_grace), **kwargs)
            logger.info("source %s: schedule %r, next run %s", name, schedule.text,
                        iso(job.next_run_time) if job.next_run_time else "?")

    def _schedule_upkeep(self) -> None:
        if self.options.optimize_every <= 0:
            return
        self.scheduler.add_job(self.optimize, "interval", seconds=self.options.optimize_every, id=UPKEEP_JOB,
                               name="optimize the archive", replace_existing=True, max_instances=1, coalesce=True,
                               misfire_grace_time=int(self.options.misfire_grace))

    def optimize(self) -> None:
        """The upkeep job: merge the search index etc. A failure is logged; crawls and feeds go on."""
        from storage.maintenance import optimize_archive

        try:
            with Archive(self.options.db_path) as archive:
                optimize_archive(archive)
        except Exception:
            logger.exception("optimizing the archive %s failed; retrying at the next upkeep", self.options.db_path)

    # -- one run -----------------------------------------------------------------------------

    def run_source(self, name: str) -> list[dict[str, Any]]:
        """The job: crawl one source in a child process and make sure the archive says how it went.

        This is the per-source boundary: whatever goes wrong is logged here and never reaches the
        scheduler, so one broken source cannot stop the others.
        """
        try:
            runs = self._crawl(name)
        except Exception:
            logger.exception("run of %s failed in the daemon itself; retrying at its next slot", name)
            runs = []
        self.write_feeds()
        return runs

    def _crawl(self, name: str) -> list[dict[str, Any]]:
        from crawlers.runner import CrawlError, start_crawl  # the only place the daemon reaches into crawlers

        source = self.sources.get(name)
        if source is None:
            return []
        timeout = source.timeout or self.options.timeout
        with Archive(self.options.db_path) as archive:
            before = max_run_id(archive)
        started = utc_now()
        clock = time.monotonic()
        with self._lock:
            if self._stopping:
                return []
            child = start_crawl(self.snapshot_path, self.options.db_path, [name],
                                settings=self.options.crawl_settings, log_level=self.options.crawl_log_level,
                                log_as=f"crawl.{name}")
            self._running[name] = child
        logger.info("crawl %s started (pid %d, timeout %g s)", name, child.pid, timeout)
        error = None
        try:
            child.wait(timeout, self.options.stop_grace)
        except CrawlError as exc:
            error = str(exc)
        finally:
            with self._lock:
                self._running.pop(name, None)
        runs = self._settle_runs(name, before, started, error)
        seconds = time.monotonic() - clock
        for run in runs:
            log = logger.warning if str(run.get("status", "")).startswith("failed") else logger.info
            log("run %s #%s %s: fetched=%s new=%s changed=%s unchanged=%s errors=%s (%.1f s)", name, run.get("id"),
                run.get("status"), run.get("fetched"), run.get("new"), run.get("changed"), run.get("unchanged"),
                run.get("errors"), seconds)
        return runs

    def _settle_runs(self, name: str, before: int, started: datetime, error: str | None) -> list[dict[str, Any]]:
        """Close what the child left open; record a failed run if it never wrote one; return the runs.

        A crawl ended by the daemon's own shutdown is "stopped", not "failed": it says nothing about
        the source, so it does not count as a failure in a row.
        """
        prefix = "stopped" if self._stopping else "failed"
        status = f"{prefix}: {error or 'crawl process ended without closing its run'}"
        now = iso(utc_now())
        with Archive(self.options.db_path) as archive:
            close_unfinished_runs(archive, name, after_id=before, status=status, now=now)
            if not has_run_since(archive, name, before):
                status = f"{prefix}: {error or 'crawl process recorded no run'}"
                record_failed_run(archive, name, status=status, started_at=iso(started), now=now)
            rows = [dict(r) for r in archive.db["runs"].rows_where("source = ? and id > ?", [name, before],
                                                                    order_by="id")]
        return rows

    def write_feeds(self) -> None:
        """Regenerate every feed; a failure here is logged and retried after the next run."""
        try:
            with self._feeds_lock, Archive(self.options.db_path, readonly=True) as archive:
                write_feed_set(archive, self.options.feeds_dir, sources=sorted(self.sources),
                               info=self.options.feed_info, coverage=self.options.feed_coverage)
        except Exception:
            logger.exception("writing the feeds into %s failed", self.options.feeds_dir)

    # -- life cycle --------------------------------------------------------------------------

    def _take_lock(self) -> None:
        """One daemon per archive: a second one would run every crawl twice (``flock`` on a side file)."""
        path = Path(f"{self.options.db_path}.daemon.lock")
        handle = open(path, "a+", encoding="utf-8")  # held open (and locked) for the daemon's life
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            handle.close()
            raise DaemonError(f"{self.options.db_path}: another policywatch daemon (pid {holder}) is running "
                              f"on this archive (lock {path})") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._lock_file = handle

    def start(self) -> None:
        """Validate the config (raises ``ConfigError``), tidy the archive, write feeds, start the scheduler."""
        sources = self.load_config()
        try:
            self._take_lock()
        except BaseException:
            self._remove_workdir()
            raise
        longest = max([self.options.timeout, *(s.timeout or 0 for s in sources.values())])
        with Archive(self.options.db_path) as archive:  # creates or migrates it
            cutoff = iso(utc_now() - timedelta(seconds=longest + self.options.stop_grace + 60))
            closed = close_abandoned_runs(archive, started_before=cutoff, now=iso(utc_now()),
                                          status="failed: abandoned (its crawl process is gone)")
        if closed:
            logger.warning("closed %d run(s) left 'running' by a crawl that is gone: %s", len(closed), closed)
        self.sources = sources
        self.write_feeds()
        self.scheduler.start()
        self._schedule(sources)
        self._schedule_upkeep()

    def stop(self) -> None:
        """Stop scheduling, stop running crawls (SIGTERM, then SIGKILL after the grace), record them."""
        with self._lock:
            self._stopping = True
            children = dict(self._running)
        if self.scheduler.running:
            self.scheduler.pause()
        threads = [threading.Thread(target=child.stop, args=("stopped by daemon shutdown", self.options.stop_grace))
                   for child in children.values()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)  # the jobs record their stopped runs, then return
        self._remove_workdir()
        if self._lock_file is not None:
            self._lock_file.close()  # releases the flock
            self._lock_file = None
        logger.info("daemon stopped")

    def _remove_workdir(self) -> None:
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def request_stop(self, *_: Any) -> None:
        self._stop_requested = True
        self._wake.set()

    def request_reload(self, *_: Any) -> None:
        self._reload_requested = True
        self._wake.set()

    def run(self) -> None:
        """Start, then serve signals on the main thread until SIGTERM or SIGINT."""
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        signal.signal(signal.SIGHUP, self.request_reload)
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        logger.info("daemon running: %d sources, archive %s, feeds %s (pid %d)", len(self.sources),
                    self.options.db_path, self.options.feeds_dir, os.getpid())
        try:
            while not self._stop_requested:
                self._wake.wait(1.0)
                self._wake.clear()
                if self._reload_requested and not self._stop_requested:
                    self._reload_requested = False
                    self.reload()
        finally:
            logger.info("stopping")
            self.stop()
