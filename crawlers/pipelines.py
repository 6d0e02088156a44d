"""`ArchivePipeline`: hands each fetched page to ``monitor.detect.record`` and counts outcomes.

Pages that need extraction are analysed in a worker process first (``monitor.analysis_pool``, one
pool per crawl process, ``POLICYWATCH_EXTRACT_WORKERS`` workers; 0 analyses in this process), so the
reactor keeps downloading meanwhile. When the worker already has ``POLICYWATCH_ANALYSE_HERE_AFTER``
pages queued, this process analyses the next page itself (a first crawl on 2 cores). The archive
writes stay here, one page at a time, committed in short groups (``storage.commit_groups``,
``POLICYWATCH_COMMIT_PAGES`` pages at most; 1 commits every page). Scrapy's scraper slot bounds how
many responses wait for their analysis (``SCRAPER_SLOT_MAX_ACTIVE_SIZE``).
"""
from __future__ import annotations

import asyncio
import logging
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from twisted.python.failure import Failure

from crawlers.items import AttachmentItem, ListFetchItem, ListingItem, PageItem
from crawlers.spiders.pages import utc_now
from monitor.analysis_pool import AnalysisPool, configured_workers
from monitor.attachments import record_attachment
from monitor.detect import needs_analysis, record
from monitor.normalize import NoiseRules
from monitor.source import Source
from storage import Archive, ArchiveError
from storage.commit_groups import DEFAULT_PAGES, DEFAULT_SECONDS, CommitGroup

logger = logging.getLogger(__name__)

POOL_AFTER_PAGES = 20
SHARE_AFTER = 96  # ~0.4 s of queued work for the worker at ~4 ms a page (README, session 7: 96 beat 32)
SEARCH_BATCH = 50


class _SharedPool:
    """One analysis pool for all the crawlers of a process, closed when the last pipeline closes."""

    pool: AnalysisPool | None = None
    users = 0

    @classmethod
    def acquire(cls, workers: int) -> AnalysisPool:
        if cls.pool is None:
            cls.pool = AnalysisPool(workers)
        cls.users += 1
        return cls.pool

    @classmethod
    def release(cls) -> None:
        cls.users -= 1
        if cls.users <= 0 and cls.pool is not None:
            cls.pool.close()
            cls.pool, cls.users = None, 0


def start_analysis_before_crawl(db_path: str, sources: Sequence[Source], workers_setting: Any,
                                reactor: str | None) -> bool:
    """Start the process's analysis worker now, before Scrapy's start-up, when a source has no archived page.

    A first crawl analyses every page, and a new worker needs ~0.6 s of CPU (imports, then its sample page)
    before it takes the first one. Started from ``open_spider`` it became ready ~0.6 s after the first
    articles arrived; started here, it gets ready on the other core while this process starts Scrapy (~0.7 s).
    The pipelines use this pool (``_SharedPool``); ``release_analysis_started_before`` drops this hold.
    """
    workers = configured_workers(workers_setting)
    if workers <= 0 or not (reactor or "").endswith("AsyncioSelectorReactor"):
        return False  # analysis in this process, or a reactor the pipeline will not await the pool with
    try:
        with Archive(db_path, readonly=True) as archive:
            first = any(not archive.has_pages(source.name) for source in sources)
    except ArchiveError:  # no archive yet; one that cannot be read is reported by the pipeline
        first = True
    if first:
        _SharedPool.acquire(workers).start()
        logger.info("first crawl: analysis worker started before the crawl")
    return first


def release_analysis_started_before() -> None:
    _SharedPool.release()


class _ArchiveWriter:
    """The archive connection, commit group and count of pages on their way, of all the crawlers of a process
    that write one archive file.

    The crawlers of a process share one thread (the reactor's). With a connection each, one crawler's
    open commit group would make another's ``BEGIN IMMEDIATE`` wait for SQLite's lock, blocking the very
    thread that would commit the group, until the busy timeout failed it.
    """

    _open: dict[str, _ArchiveWriter] = {}

    def __init__(self, path: str, *, search_batch: int, commit_pages: int, commit_seconds: float) -> None:
        self.path = path
        self.key = self.key_of(path)
        self.archive = Archive(path, search_batch=search_batch)
        self.commits = CommitGroup(self.archive, max_pages=commit_pages, max_seconds=commit_seconds,
                                   schedule=_event_loop_timer())
        # pages between their arrival at a pipeline and their write: awaiting their analysis, or analysed and
        # not yet resumed (the pool's ``pending`` no longer counts those, but they will write soon)
        self.on_the_way = 0
        self.users = 0
        logger.debug("%s: commits of up to %d items or %.2f s%s", path, commit_pages, commit_seconds,
                     "" if self.commits.schedule else " (no event loop: committed with the next item)")

    @staticmethod
    def key_of(path: str) -> str:
        return str(Path(path).resolve())

    @classmethod
    def acquire(cls, path: str, **options: Any) -> _ArchiveWriter:
        key = cls.key_of(path)
        writer = cls._open.get(key)
        if writer is None:
            writer = cls._open[key] = cls(path, **options)
        writer.users += 1
        return writer

    @contextmanager
    def item(self, crawler: Crawler) -> Iterator[None]:
        """One item's writes in the open commit group, committed when due (also after a failed write)."""
        try:
            with self.commits.page():
                yield
        finally:
            self.commits.done(idle=self.on_the_way == 0 and not _responses_on_the_way(crawler))

    def release(self) -> None:
        """Commit what is open (the run's own rows included) and close the archive after its last crawler."""
        self.commits.commit()
        self.users -= 1
        if self.users <= 0:
            logger.info("%s: %d items written in %d commits", self.path, self.commits.written, self.commits.commits)
            self.archive.close()
            self._open.pop(self.key, None)


class ArchivePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.db_path = crawler.settings.get("POLICYWATCH_DB")
        if not self.db_path:
            raise ValueError("setting POLICYWATCH_DB (the archive path) is required")
        self.archive: Archive | None = None
        self.run_id: int | None = None
        self.workers = configured_workers(crawler.settings.get("POLICYWATCH_EXTRACT_WORKERS"))
        # Pages analysed here before the pool starts: a worker costs ~1 s of CPU to start, more than a
        # small re-check's few changed pages cost to extract in-process.
        self.pool_after = crawler.settings.getint("POLICYWATCH_EXTRACT_POOL_AFTER", POOL_AFTER_PAGES)
        self.analysed_here = 0
        self.pool: AnalysisPool | None = None
        # Pages stored before the search index takes them in, in one go (storage/search.py): per page, that
        # index cost a quarter of storing a page; closing the spider indexes the rest.
        self.search_batch = crawler.settings.getint("POLICYWATCH_SEARCH_BATCH", SEARCH_BATCH)
        # With this many pages already waiting for the worker, the next one is analysed here (0: never).
        self.share_after = crawler.settings.getint("POLICYWATCH_ANALYSE_HERE_AFTER", SHARE_AFTER)
        self.shared_here = 0
        self.taken_back = 0  # pages taken back from the worker's queue once nothing was left to download
        self.commit_pages = crawler.settings.getint("POLICYWATCH_COMMIT_PAGES", DEFAULT_PAGES)
        self.commit_seconds = crawler.settings.getfloat("POLICYWATCH_COMMIT_SECONDS", DEFAULT_SECONDS)
        self.writer: _ArchiveWriter | None = None
        self.item_errors: Counter[str] = Counter()  # exceptions the item pipelines raised, by type

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.item_failed, signal=signals.item_error)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def item_failed(self, item: Any, response: Any, spider: Spider, failure: Failure) -> None:
        """An item pipeline (this one or another) raised: the page is not recorded, so the run must say so."""
        self.item_errors[type(failure.value).__name__] += 1

    def open_spider(self, spider: Spider | None = None) -> None:
        spider = spider or self.crawler.spider
        source = spider.source  # type: ignore[union-attr]
        self.noise = NoiseRules(source.ignore_text)
        self.writer = _ArchiveWriter.acquire(self.db_path, search_batch=self.search_batch,
                                             commit_pages=self.commit_pages, commit_seconds=self.commit_seconds)
        self.archive = self.writer.archive
        now = utc_now()
        self.archive.upsert_source(source.name, title=source.title, region=source.region,
                                   language=source.language, now=now)
        self.run_id = self.archive.start_run(source.name, now)
        if self.workers > 0 and not self.archive.has_pages(source.name) and asyncio_reactor():
            # A first crawl: every page will need analysis, so the worker imports its extraction stack
            # (~1 s of CPU) on the other core while this process starts up, instead of after 20 pages.
            self.pool = _SharedPool.acquire(self.workers)
            self.pool.start()
            logger.info("%s: first crawl, analysis worker started at once", source.name)

    async def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        spider = spider or self.crawler.spider
        if isinstance(item, PageItem) and self.archive is not None:
            analysis = None
            if self.workers > 0 and needs_analysis(self.archive, item) and self._use_pool() \
                    and not self._analyse_here():
                assert self.pool is not None
                assert self.writer is not None
                self.writer.on_the_way += 1
                try:
                    analysis = await asyncio.wrap_future(
                        self.pool.submit(item.body, item.content_type, item.url, spider.source, item.meta))  # type: ignore[union-attr]
                except Exception as exc:  # noqa: BLE001 - handed to record, which decides what it means
                    analysis = exc
                finally:
                    self.writer.on_the_way -= 1
            if self.archive is None or self.writer is None:  # the spider closed while the page was analysed
                return item
            with self.writer.item(self.crawler):
                outcome = record(self.archive, spider.source, item, run_id=self.run_id,  # type: ignore[union-attr]
                                 noise=self.noise, analysis=analysis)
            self.crawler.stats.inc_value(f"policywatch/outcome/{outcome.kind}")
            self._take_back_queued_page()
        elif isinstance(item, AttachmentItem) and self.archive is not None and self.writer is not None:
            with self.writer.item(self.crawler):
                result = record_attachment(self.archive, spider.source, item, run_id=self.run_id)  # type: ignore[union-attr]
            self.crawler.stats.inc_value(f"policywatch/attachment/{result}")
        elif isinstance(item, ListingItem) and self.archive is not None and self.writer is not None:
            with self.writer.item(self.crawler):
                kept = self.archive.save_listing_state(
                    item.source, item.url, fingerprint=item.fingerprint, depth=item.depth, etag=item.etag,
                    last_modified=item.last_modified, calls=item.calls, checked_at=item.fetched_at)
            self.crawler.stats.inc_value(f"policywatch/listing/{'kept' if kept else 'not kept'}")
        elif isinstance(item, ListFetchItem) and self.archive is not None and self.writer is not None:
            with self.writer.item(self.crawler):
                self.archive.add_other_fetch(
                    "listing", run_id=self.run_id, source=item.source, url=item.url, page_id=None,
                    fetched_at=item.fetched_at, status=item.status, size=item.size, elapsed_ms=item.elapsed_ms,
                    outcome="not modified" if item.status == 304 else "read")
        return item

    def _analyse_here(self) -> bool:
        """Whether this page is analysed in this process because the worker already has a queue.

        When the worker is the bottleneck (a first crawl on 2 cores), this process still has spare time
        between downloads and writes; a page analysed here then costs nothing in waiting, and the share
        it takes settles by itself: the queue shrinks below ``share_after`` as soon as it takes too many.
        """
        if self.share_after <= 0 or self.pool is None or self.pool.pending < self.share_after:
            return False
        self.shared_here += 1
        return True

    def _take_back_queued_page(self) -> None:
        """With nothing left to download, analyse here one of the pages still queued for the worker.

        The end of a first crawl: the worker has a queue (up to ``share_after`` pages) and this process
        only writes what it returns, so one core idles. Each page taken back resumes its own
        ``process_item``, which then takes the next, until the worker's queue is empty. Only in a process
        that has analysed pages already: the first analysis here loads the extraction stack (~0.5 s of CPU,
        the worker's time for ~70 pages), which the end of a small crawl would not repay.
        """
        if self.pool is None or self.pool.pending < 2 or not _analysis_loaded_here() \
                or not _nothing_left_to_fetch(self.crawler):
            return
        if self.pool.analyse_one_here():
            self.taken_back += 1

    def _use_pool(self) -> bool:
        if self.pool is None:
            if self.analysed_here < self.pool_after or not asyncio_reactor():
                self.analysed_here += 1
                return False
            self.pool = _SharedPool.acquire(self.workers)
        return True

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Close the run with the crawl's outcome, once every item is through (Scrapy's ``spider_closed``).

        Not in ``close_spider``: Scrapy closes the pipelines before it sends this signal and before it sets
        the ``finish_reason`` stat, so there a crawl stopped by SIGTERM (``shutdown``) or by the memory
        limit (``memusage_exceeded``) looked finished and was recorded ``ok``. The signal carries the reason.
        """
        if self.archive is None or self.run_id is None:
            return
        exceptions, error = self.exceptions()
        status = "ok" if reason == "finished" else f"stopped: {reason}"
        if exceptions and reason == "finished":
            status = f"errors: {exceptions} exception{'' if exceptions == 1 else 's'}"
        assert self.writer is not None
        if self.shared_here or self.taken_back:
            logger.info("%s: %d pages analysed in the crawl process while the worker had %d or more queued, "
                        "%d taken back from its queue at the end", spider.source.name,  # type: ignore[attr-defined]
                        self.shared_here, self.share_after, self.taken_back)
        spider.run_summary = self.archive.finish_run(  # type: ignore[attr-defined]
            self.run_id, status=status, now=utc_now(), error=error, exceptions=exceptions,
            fail_unanswered=reason == "finished")
        self.writer.release()
        self.archive, self.writer = None, None
        if self.pool is not None:
            self.pool = None
            _SharedPool.release()

    def exceptions(self) -> tuple[int, str | None]:
        """How many exceptions spider callbacks (Scrapy's ``spider_exceptions/*`` stats) and item pipelines
        raised, and a line naming them (None when there were none).

        A page whose callback or pipeline raised leaves no fetch behind, so without this count a run in
        which every page failed so looked like a run that found nothing to do.
        """
        stats = self.crawler.stats.get_stats() if self.crawler.stats is not None else {}
        prefix = "spider_exceptions/"
        in_callbacks = {key[len(prefix):]: n for key, n in stats.items()
                        if key.startswith(prefix) and key != prefix + "count"}
        parts, total = [], 0
        for where, counted in (("spider callbacks", in_callbacks), ("item pipeline", self.item_errors)):
            here = sum(counted.values())
            if here:
                kinds = ", ".join(f"{name} ×{n}" for name, n in sorted(counted.items()))
                parts.append(f"{here} in {where} ({kinds})")
                total += here
        return total, ("exceptions: " + "; ".join(parts)) if parts else None


def _responses_on_the_way(crawler: Crawler) -> bool:
    """Whether the crawler is downloading or has other responses to scrape: their items will follow soon.

    Without this, a re-check (304s, nothing for the analysis worker) committed every page alone, and the
    commits were ~4% of its CPU samples (bench/crawl_bench.py --profile). The group's timer still commits
    within ``max_seconds``, so a slow site does not keep the lock. Read defensively: without Scrapy's
    attributes, items are taken as the last.
    """
    engine = crawler.engine
    if engine is None:
        return False
    if getattr(engine.downloader, "active", None):
        return True
    slot = getattr(engine.scraper, "slot", None)
    return slot is not None and (len(getattr(slot, "active", ())) > 1 or bool(getattr(slot, "queue", None)))


def _analysis_loaded_here() -> bool:
    """Whether this process has analysed a page: trafilatura is imported by the first analysis only
    (``monitor.extract.parse_html``), along with the plan data and patterns it loads."""
    return "trafilatura" in sys.modules


def _nothing_left_to_fetch(crawler: Crawler) -> bool:
    """Whether the crawler has no download running, no request waiting and no response waiting to be scraped.

    Read defensively, as ``_responses_on_the_way``: without Scrapy's attributes, more is taken to come.
    """
    engine = crawler.engine
    if engine is None or getattr(engine.downloader, "active", True):
        return False
    slot = getattr(engine.scraper, "slot", None)
    if slot is None or getattr(slot, "queue", True):
        return False
    scheduler = getattr(getattr(engine, "_slot", None), "scheduler", None)
    has_pending = getattr(scheduler, "has_pending_requests", None)
    return has_pending is not None and not has_pending()


def _event_loop_timer() -> Callable[[float, Callable[[], None]], object] | None:
    """The running asyncio loop's ``call_later`` (Scrapy's asyncio reactor), to commit a group no page closes."""
    if not asyncio_reactor():
        return None
    try:
        return asyncio.get_running_loop().call_later
    except RuntimeError:  # open_spider is called from the reactor's loop; no loop means no timer is needed
        return None


def asyncio_reactor() -> bool:
    """Awaiting the pool's futures needs Scrapy's asyncio reactor (its default); otherwise analyse in-process."""
    from scrapy.utils.reactor import is_asyncio_reactor_installed

    try:
        return is_asyncio_reactor_installed()
    except Exception:  # noqa: BLE001 - no reactor installed yet
        return False
