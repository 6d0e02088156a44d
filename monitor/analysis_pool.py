"""Page analysis (decode, extract, clean, hash) in worker processes, so downloads and extraction use both cores.

``monitor.detect.analyse_page`` is pure and costs ~10-15 ms of CPU per page, five times what Scrapy
spends on the download; in the crawl process it stalls the reactor. ``AnalysisPool`` runs it in a
small ``concurrent.futures.ProcessPoolExecutor`` (``forkserver`` context: the crawl process holds a
reactor and SQLite connections that must not be forked). The archive writes stay in the crawl process.

A worker that dies (killed, out of memory, a crash in lxml) breaks the executor: the page is retried
once in a fresh pool, and if that fails too it becomes an ``AnalysisWorkerError``, an
``ExtractionError`` that ``record`` stores as a fetch error, never as a changed page.
"""
from __future__ import annotations

import json
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from functools import lru_cache
from typing import Any

from monitor.collector import settle_after_start_up
from monitor.extract import ExtractionError
from monitor.source import Source

logger = logging.getLogger(__name__)

WORKERS_ENV = "POLICYWATCH_EXTRACT_WORKERS"
DEFAULT_WORKERS = 1
MAX_DEFAULT_WORKERS = 2


def default_workers(cpus: int | None = None) -> int:
    """One core stays with the crawl process (downloads, archive writes); up to two workers use the rest.

    On 2 cores a second worker gained 17% (53 → 62 pages/s, bench/crawl_bench.py) but took the
    process tree to ~405 MB; with a core to spare each, two workers cost no crawl-process time."""
    cpus = cpus if cpus is not None else (os.cpu_count() or 1)
    return max(DEFAULT_WORKERS, min(MAX_DEFAULT_WORKERS, cpus - 1))


class AnalysisWorkerError(ExtractionError):
    """The worker process analysing a page died; the page is a fetch error of this run."""


def configured_workers(value: str | int | None = None) -> int:
    """Worker processes from a setting or ``POLICYWATCH_EXTRACT_WORKERS`` (0: analyse in the crawl process)."""
    raw = os.environ.get(WORKERS_ENV) if value is None or value == "" else value
    if raw is None or raw == "":
        return default_workers()
    try:
        workers = int(raw)
    except ValueError:
        raise ValueError(f"{WORKERS_ENV} / POLICYWATCH_EXTRACT_WORKERS setting must be an integer, got {raw!r}") \
            from None
    if workers < 0:
        raise ValueError(f"{WORKERS_ENV} must be 0 or more, got {workers}")
    return workers


@lru_cache(maxsize=64)
def _noise_rules(ignore_text: tuple[str, ...]) -> Any:
    from monitor.normalize import NoiseRules

    return NoiseRules(list(ignore_text))


def analyse_in_worker(body: bytes, content_type: str | None, url: str, source: Source,
                      meta: Mapping[str, Any] | None) -> Any:
    """The worker side: ``analyse_page`` with the source's noise rules compiled once per worker, and the
    plans the text names (the plan reading costs about half as much as the extraction, and the crawl
    process only has to link them)."""
    from monitor.detect import analyse_page

    analysis = analyse_page(body, content_type, url, source, _noise_rules(tuple(source.ignore_text)), meta)
    return replace(analysis, plans=_plan_records(analysis, url, source, meta))


def _plan_records(analysis: Any, url: str, source: Source, meta: Mapping[str, Any] | None) -> list[Any] | None:
    """``plans_for_version`` as it will read the stored version; None (read it later) if it fails."""
    from monitor.plans.records import plans_for_version

    try:
        stored_meta = json.loads(json.dumps(meta, ensure_ascii=False, sort_keys=True)) if meta else {}
        return plans_for_version(analysis.text, analysis.title, stored_meta, language=analysis.language,
                                 region=source.region, published=analysis.published)
    except Exception:  # noqa: BLE001 - the crawl process retries it after storing the page, and logs it
        logger.warning("%s: plan reading failed in the worker; the crawl process will redo it", url, exc_info=True)
        return None


# A page in the shape of the ones we archive, analysed once by every new worker (see ``_start_worker``).
_WARM_UP_PAGE = """<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>示例市未来产业行动方案</title>
<meta name="PubDate" content="2026-01-05 09:00"></head><body><div class="nav"><a href="/">首页</a></div>
<table class="info"><tr><td>发文机关：</td><td>示例市人民政府办公厅</td>
<td>发文字号：</td><td>示府办〔2026〕1号</td></tr></table>
<div class="TRS_Editor"><h1>示例市人民政府办公厅关于印发《示例市未来产业培育行动方案（2026—2028年）》的通知</h1>
<p>到2028年，全市人形机器人、量子科技和氢能产业规模达到500亿元，培育10家以上领军企业。</p>
<p>The Sample City Action Plan for Future Industries sets a target of 50 billion yuan by 2028.</p>
</div></body></html>""".encode()


def _start_worker() -> None:
    """Get a new worker ready before the first page arrives, then settle its collector as in the crawl
    process (monitor/collector.py).

    Importing the extraction stack is not all: the first page also imported trafilatura, read the plan data
    files and compiled a few hundred patterns (~0.2 s). A first crawl starts its worker while its own
    start-up and first list pages take ~1 s, so analysing a sample page here does that work while the worker
    would wait anyway, instead of on the first real page. A failure here is left to the real pages.
    """
    import monitor.detect  # noqa: F401
    import monitor.plans.records  # noqa: F401
    from monitor.source import Source

    try:
        analyse_in_worker(_WARM_UP_PAGE, "text/html; charset=utf-8", "http://warm-up.invalid/a.html",
                          Source(name="warm-up", start_urls=["http://warm-up.invalid/"], region="guangdong"), None)
    except Exception:  # noqa: BLE001 - a warm-up only: the page that fails the same way will report it
        logger.warning("analysis worker: warm-up page failed", exc_info=True)
    settle_after_start_up()


def _started() -> None:
    """A no-op task: submitting it makes the pool start its workers (which run ``_start_worker``)."""


class AnalysisPool:
    """A lazily started process pool for ``analyse_page``; ``submit`` returns a concurrent future."""

    def __init__(self, workers: int = DEFAULT_WORKERS, *,
                 function: Callable[..., Any] = analyse_in_worker) -> None:
        if workers < 1:
            raise ValueError("an AnalysisPool needs at least one worker")
        self.workers = workers
        self.function = function
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()  # futures finish in the executor's own thread
        # every page submitted whose analysis has not finished: its future -> (the executor's future, arguments)
        self._queued: dict[Future[Any], tuple[Future[Any], tuple[Any, ...]]] = {}

    @property
    def pending(self) -> int:
        """Pages submitted whose analysis has not finished (read without the lock: a hint)."""
        return len(self._queued)

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                context = multiprocessing.get_context("forkserver")
                self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=context,
                                                     initializer=_start_worker)
            return self._executor

    def start(self) -> None:
        """Start the workers now (they import trafilatura while the first pages download)."""
        self._pool().submit(_started)

    def submit(self, body: bytes, content_type: str | None, url: str, source: Source,
               meta: Mapping[str, Any] | None) -> Future[Any]:
        """Analyse one page; the future's result is a ``PageAnalysis`` or its ``ExtractionError``."""
        outer: Future[Any] = Future()
        self._submit(outer, (body, content_type, url, source, dict(meta or {})), retries=1)
        return outer

    def _submit(self, outer: Future[Any], args: tuple[Any, ...], retries: int) -> None:
        try:
            inner = self._pool().submit(self.function, *args)
        except BrokenProcessPool:
            self._reset()
            inner = self._pool().submit(self.function, *args)
        with self._lock:
            self._queued[outer] = (inner, args)
        inner.add_done_callback(lambda done: self._finished(outer, args, done, retries))

    def _finished(self, outer: Future[Any], args: tuple[Any, ...], inner: Future[Any], retries: int) -> None:
        if inner.cancelled():  # taken back by analyse_one_here, which finishes the page itself
            return
        error = inner.exception()
        if isinstance(error, BrokenProcessPool):
            url = args[2]
            if retries > 0:
                logger.warning("%s: analysis worker died; retrying the page in a fresh worker", url)
                self._reset()
                self._submit(outer, args, retries - 1)
                return
            error = AnalysisWorkerError(f"analysis worker died on this page: {error}")
        self._done(outer, error, None if error is not None else inner.result())

    def analyse_one_here(self) -> bool:
        """Take back the newest page no worker has started, and analyse it in this process; False if none.

        For a crawl with nothing left to download: the pages queued for the worker would otherwise be
        analysed one after another on one core while this process only writes them (a first crawl ends
        with up to ``POLICYWATCH_ANALYSE_HERE_AFTER`` of them queued). The newest goes first, since the
        worker takes the oldest next. The page's future gets the same result or exception as from a worker.
        """
        with self._lock:
            queued = list(self._queued.items())
        for outer, (inner, args) in reversed(queued):
            if not inner.cancel():  # running, or passed to a worker already
                continue
            try:
                result = self.function(*args)
            except Exception as exc:  # noqa: BLE001 - handed to the page's future, as a worker's would be
                self._done(outer, exc)
            else:
                self._done(outer, None, result)
            return True
        return False

    def _done(self, outer: Future[Any], error: BaseException | None, result: Any = None) -> None:
        with self._lock:  # before the page's future is done, so its waiter sees the count without it
            self._queued.pop(outer, None)
        if error is not None:
            outer.set_exception(error)
        else:
            outer.set_result(result)

    def _reset(self) -> None:
        """Drop a broken executor (once, however many of its futures report it)."""
        with self._lock:
            executor = self._executor
            if executor is None or not getattr(executor, "_broken", False):
                return
            self._executor = None
        executor.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
