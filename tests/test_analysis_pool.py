"""Page analysis in worker processes: same result as in-process, a dying worker is a fetch error."""
from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from monitor.analysis_pool import (
    AnalysisPool,
    AnalysisWorkerError,
    analyse_in_worker,
    configured_workers,
    default_workers,
)
from monitor.collector import GC_THRESHOLD
from monitor.demo import DEMO_CRAWL_SETTINGS, write_demo_sources
from monitor.detect import analyse_page, needs_analysis, record
from monitor.plans.records import plans_for_version
from monitor.siteserver import SiteServer
from monitor.sources import Source
from storage import Archive
from tests.conftest import DEMO_SITE, FakeFetch, page_html

URL = "http://127.0.0.1/gd/content/post_7.html"
TEXT = "省政府印发量子科技产业发展行动计划，提出到2028年建成3个量子计算公共服务平台，培育20家骨干企业。"
CRASH_MARKER = b"<!-- crash the analysing worker -->"


def crash_on_marker(body: bytes, content_type: str | None, url: str, source: Source, meta: Any) -> Any:
    """Module level so a worker can import it: dies like a segfaulting parser on marked pages."""
    if CRASH_MARKER in body:
        os._exit(3)
    return analyse_in_worker(body, content_type, url, source, meta)


def wait_for_fifo(body: bytes, content_type: str | None, url: str, source: Source, meta: Any) -> Any:
    """Blocks until the test writes to the FIFO named by ``url``: a page whose analysis is still running."""
    with open(url, encoding="utf-8") as fifo:
        return fifo.read()


def collector_state(body: bytes, content_type: str | None, url: str, source: Source, meta: Any) -> Any:
    import gc
    import sys

    return gc.get_threshold()[0], gc.get_freeze_count(), "monitor.plans.records" in sys.modules


def test_workers_start_with_the_extraction_stack_loaded_and_frozen_out_of_collections(source: Source) -> None:
    pool = AnalysisPool(1, function=collector_state)
    try:
        threshold, frozen, loaded = pool.submit(b"", None, "http://a.cn/", source, {}).result(timeout=60)
    finally:
        pool.close()
    assert threshold == GC_THRESHOLD and frozen > 10_000 and loaded


def warm_state(body: bytes, content_type: str | None, url: str, source: Source, meta: Any) -> Any:
    import sys

    from monitor.plans.data import load_yaml

    return "trafilatura" in sys.modules, load_yaml.cache_info().currsize


def test_a_new_worker_has_analysed_its_sample_page_before_the_first_real_one(source: Source) -> None:
    pool = AnalysisPool(1, function=warm_state)
    try:
        trafilatura_loaded, data_files_read = pool.submit(b"", None, "http://a.cn/", source, {}).result(timeout=60)
    finally:
        pool.close()
    assert trafilatura_loaded and data_files_read >= 3  # issuers, regions, sectors (and plan terms)


def page(text: str = TEXT, marker: bytes = b"", title: str = "广东省量子科技产业发展行动计划") -> bytes:
    return page_html(title, text).encode("utf-8") + marker


def test_worker_analysis_equals_in_process(source: Source) -> None:
    pool = AnalysisPool(1)
    try:
        remote = pool.submit(page(), "text/html; charset=utf-8", URL, source, {}).result(timeout=60)
    finally:
        pool.close()
    local = analyse_page(page(), "text/html; charset=utf-8", URL, source, None, {})
    assert replace(remote, plans=None) == local
    assert TEXT in remote.text
    # the worker also read the plans, exactly as the crawl process would read the stored version
    assert remote.plans == plans_for_version(local.text, local.title, {}, language=local.language,
                                             region=source.region, published=local.published)
    assert [r.mention.title for r in remote.plans] == ["广东省量子科技产业发展行动计划"]


def plan_tables(archive: Archive) -> dict[str, list[tuple]]:
    tables = {"plans": "id, title, region, type, sectors, source_count",
              "plan_sources": "plan_id, url, role, status, title_as_written",
              "plan_targets": "plan_id, year, quantity, unit, subject",
              "plan_events": "plan_id, kind, guid, summary"}
    return {table: archive.db.execute(f"select {cols} from {table} order by 1, 2, 3").fetchall()
            for table, cols in tables.items()}


def test_plans_read_in_the_worker_link_like_plans_read_after_storing(tmp_path: Path, source: Source) -> None:
    pool = AnalysisPool(1)
    pages = [page(), page(TEXT.replace("3个", "5个")),
             page("广东省印发未来材料产业集群行动计划，提出到2030年培育10家领军企业。",
                  title="广东省未来材料产业集群行动计划")]
    archives = {"worker": Archive(tmp_path / "worker.db"), "here": Archive(tmp_path / "here.db")}
    try:
        for number, body in enumerate(pages):
            url = URL if number < 2 else URL.replace("post_7", "post_8")
            fetched = FakeFetch(url=url, body=body)
            analysis = pool.submit(fetched.body, fetched.content_type, url, source, {}).result(timeout=60)
            assert analysis.plans
            record(archives["worker"], source, fetched, analysis=analysis)
            record(archives["here"], source, fetched)
        worker, here = (plan_tables(archive) for archive in archives.values())
    finally:
        pool.close()
        for archive in archives.values():
            archive.close()
    assert worker == here
    assert len(worker["plans"]) == 2 and {e[1] for e in worker["plan_events"]} >= {"plan-new", "plan-changed"}


def test_a_dying_worker_is_a_fetch_error_and_the_pool_recovers(archive: Archive, source: Source) -> None:
    pool = AnalysisPool(1, function=crash_on_marker)
    try:
        doomed = pool.submit(page(marker=CRASH_MARKER), None, URL, source, {})
        with pytest.raises(AnalysisWorkerError):
            doomed.result(timeout=60)
        healthy = pool.submit(page(), None, URL, source, {}).result(timeout=60)
    finally:
        pool.close()
    assert TEXT in healthy.text
    failed = FakeFetch(url=URL, body=page(marker=CRASH_MARKER))
    outcome = record(archive, source, failed, analysis=AnalysisWorkerError("analysis worker died on this page"))
    assert outcome.kind == "error" and outcome.error and "worker died" in outcome.error
    assert archive.versions(URL) == [] and archive.events() == []


def test_the_pool_counts_pages_whose_analysis_has_not_finished(tmp_path: Path, source: Source) -> None:
    """``pending`` is what the pipeline reads to analyse a page itself when the worker has a queue."""
    fifos = [tmp_path / f"page-{n}" for n in range(3)]
    for fifo in fifos:
        os.mkfifo(fifo)
    pool = AnalysisPool(1, function=wait_for_fifo)
    try:
        futures = [pool.submit(b"", None, str(fifo), source, {}) for fifo in fifos]
        assert pool.pending == 3
        for n, (fifo, future) in enumerate(zip(fifos, futures, strict=True)):
            fifo.write_text(f"page {n} analysed", encoding="utf-8")
            assert future.result(timeout=60) == f"page {n} analysed"
            assert pool.pending == 2 - n  # counted down before the future is done
    finally:
        pool.close()


def test_pages_no_worker_has_started_can_be_taken_back_and_analysed_here(tmp_path: Path, source: Source) -> None:
    """The end of a crawl: the crawl process analyses queued pages itself instead of waiting for the worker."""
    first = tmp_path / "page-0"
    os.mkfifo(first)  # the worker blocks on it: every later page waits in the executor's queues
    files = [first]
    for n in range(1, 5):
        files.append(tmp_path / f"page-{n}")
        files[-1].write_text(f"page {n} analysed", encoding="utf-8")
    pool = AnalysisPool(1, function=wait_for_fifo)
    try:
        futures = [pool.submit(b"", None, str(path), source, {}) for path in files]
        # pages 0-2 may be with the worker or in its call queue already; 3 and 4 cannot be yet
        assert pool.analyse_one_here() and futures[4].done() and futures[4].result() == "page 4 analysed"
        assert pool.analyse_one_here() and futures[3].result() == "page 3 analysed"
        assert pool.pending == 3
        first.write_text("page 0 analysed", encoding="utf-8")
        assert [f.result(timeout=60) for f in futures] == [f"page {n} analysed" for n in range(5)]
        assert pool.pending == 0 and not pool.analyse_one_here()
    finally:
        pool.close()


def test_a_page_taken_back_that_fails_fails_as_in_a_worker(tmp_path: Path, source: Source) -> None:
    first = tmp_path / "page-0"
    os.mkfifo(first)
    pool = AnalysisPool(1, function=wait_for_fifo)
    try:
        futures = [pool.submit(b"", None, str(first), source, {})]
        futures += [pool.submit(b"", None, str(tmp_path / f"missing-{n}"), source, {}) for n in range(3)]
        assert pool.analyse_one_here()
        with pytest.raises(FileNotFoundError):
            futures[3].result(timeout=0)
        first.write_text("page 0 analysed", encoding="utf-8")
        assert futures[0].result(timeout=60) == "page 0 analysed"
        for future in futures[1:3]:
            with pytest.raises(FileNotFoundError):
                future.result(timeout=60)
        assert pool.pending == 0
    finally:
        pool.close()


def test_the_pipeline_takes_pages_back_only_with_nothing_to_fetch_and_the_extraction_stack_loaded(
        tmp_path: Path, source: Source, monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from crawlers import pipelines

    scheduler = SimpleNamespace(pending=True, has_pending_requests=lambda: scheduler.pending)
    engine = SimpleNamespace(downloader=SimpleNamespace(active=set()), scraper=SimpleNamespace(slot=SimpleNamespace(
        queue=[], active=set())), _slot=SimpleNamespace(scheduler=scheduler))
    first = tmp_path / "page-0"
    os.mkfifo(first)
    pool = AnalysisPool(1, function=wait_for_fifo)
    pipeline = object.__new__(pipelines.ArchivePipeline)  # only what taking back reads
    pipeline.crawler, pipeline.pool, pipeline.taken_back = SimpleNamespace(engine=engine), pool, 0
    try:
        futures = [pool.submit(b"", None, str(first), source, {})]
        for n in range(1, 5):
            (tmp_path / f"page-{n}").write_text(f"page {n} analysed", encoding="utf-8")
            futures.append(pool.submit(b"", None, str(tmp_path / f"page-{n}"), source, {}))
        monkeypatch.setattr(pipelines, "_analysis_loaded_here", lambda: True)
        pipeline._take_back_queued_page()
        assert pipeline.taken_back == 0  # a request still waits in the scheduler
        scheduler.pending = False
        engine.downloader.active = {"a download"}
        pipeline._take_back_queued_page()
        assert pipeline.taken_back == 0
        engine.downloader.active = set()
        monkeypatch.setattr(pipelines, "_analysis_loaded_here", lambda: False)
        pipeline._take_back_queued_page()
        assert pipeline.taken_back == 0  # the first analysis here would cost more than the queue's end saves
        monkeypatch.setattr(pipelines, "_analysis_loaded_here", lambda: True)
        pipeline._take_back_queued_page()
        assert pipeline.taken_back == 1 and futures[4].result(timeout=0) == "page 4 analysed"
        first.write_text("page 0 analysed", encoding="utf-8")
        assert [f.result(timeout=60) for f in futures] == [f"page {n} analysed" for n in range(5)]
    finally:
        pool.close()


def test_a_first_crawl_starts_the_worker_before_scrapy_and_a_re_check_does_not(tmp_path: Path,
                                                                                source: Source) -> None:
    from crawlers.pipelines import _SharedPool, release_analysis_started_before, start_analysis_before_crawl

    asyncio_reactor = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
    db = tmp_path / "archive.db"
    assert not start_analysis_before_crawl(str(db), [source], 0, asyncio_reactor)  # analysis in-process
    assert not start_analysis_before_crawl(str(db), [source], 1, "twisted.internet.epollreactor.EPollReactor")
    assert _SharedPool.pool is None
    assert start_analysis_before_crawl(str(db), [source], 1, asyncio_reactor)  # no archive yet
    try:
        assert _SharedPool.pool is not None and _SharedPool.users == 1
    finally:
        release_analysis_started_before()
    assert _SharedPool.pool is None  # the last hold closed it
    with Archive(db) as archive:
        record(archive, source, FakeFetch(url=URL, body=page()), run_id=None)
    assert not start_analysis_before_crawl(str(db), [source], 1, asyncio_reactor)  # its pages are archived
    other = replace(source, name="new-source")
    assert start_analysis_before_crawl(str(db), [source, other], 1, asyncio_reactor)  # one source is new
    release_analysis_started_before()
    assert _SharedPool.pool is None


def test_precomputed_analysis_is_used_only_when_the_page_needs_one(archive: Archive, source: Source) -> None:
    fetched = FakeFetch(url=URL, body=page())
    assert needs_analysis(archive, fetched)
    analysis = analyse_page(fetched.body, None, URL, source, None, {})
    assert record(archive, source, fetched, analysis=analysis).kind == "new"
    again = FakeFetch(url=URL, body=page(), fetched_at="2026-01-02T00:00:00Z")
    assert not needs_analysis(archive, again)  # identical body: the raw-body hash decides
    # A stale answer is harmless: record decides on the archive as it is, and skips the analysis.
    assert record(archive, source, again, analysis=RuntimeError("must not be looked at")).kind == "unchanged"
    assert not needs_analysis(archive, FakeFetch(url=URL, body=b"", status=503))


def test_worker_count_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POLICYWATCH_EXTRACT_WORKERS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert configured_workers(None) == 1  # the other core is the crawl process's
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert configured_workers(None) == 2  # bounded: memory grows by ~95 MB a worker
    assert [default_workers(n) for n in (1, 2, 3, 4, 16)] == [1, 1, 2, 2, 2]
    assert configured_workers("0") == 0
    monkeypatch.setenv("POLICYWATCH_EXTRACT_WORKERS", "2")
    assert configured_workers(None) == 2
    with pytest.raises(ValueError, match="integer"):
        configured_workers("two")


@pytest.mark.slow
def test_a_crawl_through_the_pool_detects_what_an_in_process_crawl_does(tmp_path: Path) -> None:
    from crawlers.runner import run_crawl

    outcomes = {}
    # "shared": the crawl process analyses any page that finds another one waiting for the worker
    for workers, share_after in (("0", "0"), ("1", "0"), ("shared", "1")):
        work = tmp_path / f"workers-{workers}"
        work.mkdir()
        db = work / "archive.db"
        settings = {**DEMO_CRAWL_SETTINGS, "POLICYWATCH_EXTRACT_WORKERS": "1" if workers == "shared" else workers,
                    "POLICYWATCH_EXTRACT_POOL_AFTER": "0", "POLICYWATCH_ANALYSE_HERE_AFTER": share_after}
        counts = []
        with SiteServer(DEMO_SITE / "state1") as site:
            sources = write_demo_sources(DEMO_SITE / "sources.yaml", site.base_url, work / "sources.yaml")
            for state in ("state1", "state2"):
                site.root = DEMO_SITE / state
                counts += [{k: s[k] for k in ("source", "new", "changed", "unchanged", "errors")}
                           for s in run_crawl(sources, db, settings=settings)]
        with Archive(db) as archive:
            runs = [row[0] for row in archive.db.execute("select id from runs")]
            events = sorted((e.kind, e.url.split("/", 3)[3]) for e in archive.run_events(runs))
        outcomes[workers] = (counts, events)
    assert outcomes["1"] == outcomes["0"] == outcomes["shared"]
    assert any(c["new"] for c in outcomes["1"][0]) and any(c["changed"] for c in outcomes["1"][0])


def test_a_first_crawl_starts_its_worker_at_once_and_a_re_check_does_not(
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    from crawlers.runner import run_crawl

    settings = {**DEMO_CRAWL_SETTINGS, "POLICYWATCH_EXTRACT_POOL_AFTER": "1000"}
    logs = []
    with SiteServer(DEMO_SITE / "state1") as site:
        sources = write_demo_sources(DEMO_SITE / "sources.yaml", site.base_url, tmp_path / "sources.yaml")
        for _ in range(2):
            capfd.readouterr()
            summaries = run_crawl(sources, tmp_path / "archive.db", ["gd-demo"], settings=settings, log_level="INFO")
            assert summaries[0]["errors"] == 0
            logs.append(capfd.readouterr().err)
    assert "gd-demo: first crawl, analysis worker started at once" in logs[0]
    assert "analysis worker started" not in logs[1]
