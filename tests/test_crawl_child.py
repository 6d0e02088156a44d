"""The crawl child process (``python -m crawlers.crawl``): its imports are inside ``main`` and it tunes
the garbage collector for a short-lived process, so check the real process end to end."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crawlers.runner import CrawlError, child_env, crawl_command, parse_summaries, prepared_crawl
from monitor.collector import GC_THRESHOLD
from monitor.demo import DEMO_CRAWL_SETTINGS, write_demo_sources
from monitor.siteserver import SiteServer
from storage import Archive
from tests.conftest import DEMO_SITE

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]

# crawlers.crawl.main in a process of its own, reporting the collector's state once the crawl is done
# and whether a module imported only on demand was imported.
PROBE = """
import gc, json, logging, sys
from crawlers.crawl import main
made = []
record = logging.getLogRecordFactory()
logging.setLogRecordFactory(lambda *a, **k: made.append((a[1], a[0])) or record(*a, **k))  # (level, logger name)
status = main(sys.argv[1:])
print("collector", json.dumps({"status": status, "enabled": gc.isenabled(), "frozen": gc.get_freeze_count(),
                               "threshold": gc.get_threshold()[0], "feedparser": "feedparser" in sys.modules,
                               "validation": sorted({"pydantic", "apscheduler"} & set(sys.modules)),
                               "extraction": "trafilatura" in sys.modules,
                               "per_request_debug": sum(name in ("scrapy.core.engine", "scrapy.core.scraper")
                                                        for level, name in made if level == logging.DEBUG)}))
"""


def test_crawl_child_archives_the_site_with_the_collector_tuned(tmp_path: Path, demo_site: SiteServer) -> None:
    sources = write_demo_sources(DEMO_SITE / "sources.yaml", demo_site.base_url, tmp_path / "sources.yaml")
    db = tmp_path / "archive.db"
    command, sources_json = prepared_crawl(sources, db, settings=DEMO_CRAWL_SETTINGS)  # as the CLI and daemon do
    arguments = command[3:]  # after `python -m crawlers.crawl`
    done = subprocess.run([sys.executable, "-c", PROBE, *arguments], cwd=tmp_path, env=child_env(),
                          input=sources_json, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    summaries = parse_summaries(done.stdout)
    assert summaries and all(s["status"] == "ok" for s in summaries), summaries
    new = sum(s["new"] for s in summaries)
    assert new > 0
    with Archive(db, readonly=True) as archive:
        assert archive.db.execute("select count(*) from pages").fetchone()[0] == new

    collector = json.loads(done.stdout.strip().splitlines()[-1].removeprefix("collector "))
    assert collector["status"] == 0
    assert collector["enabled"]  # switched off for start-up only
    assert collector["threshold"] == GC_THRESHOLD
    assert collector["frozen"] > 10_000  # start-up's modules and Scrapy's components, then everything at exit
    assert collector["validation"] == []  # the sources came validated, as JSON: no pydantic, no cron parsing
    assert not collector["feedparser"]  # imported only to read a source's feed_urls, which the demo has none of
    # a first crawl analyses its pages in the worker, which it starts at once; a crawl this small leaves the worker
    # no queue long enough for this process to share it, and does not take pages back at the end either
    assert not collector["extraction"]
    # the crawl logs at WARNING (crawlers/runner.py): no record is made of Scrapy's per-request DEBUG lines
    assert collector["per_request_debug"] == 0


def test_crawl_child_logs_debug_lines_when_asked(tmp_path: Path, demo_site: SiteServer) -> None:
    sources = write_demo_sources(DEMO_SITE / "sources.yaml", demo_site.base_url, tmp_path / "sources.yaml")
    command = crawl_command(sources, tmp_path / "archive.db", settings=DEMO_CRAWL_SETTINGS, log_level="DEBUG")
    done = subprocess.run(command, cwd=tmp_path, env=child_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "DEBUG: Crawled (200)" in done.stderr


def test_crawl_child_rejects_a_bad_sources_file_naming_it(tmp_path: Path) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  - name: Bad Name\n    start_urls: ['http://127.0.0.1/']\n    allow: ['x']\n",
                       encoding="utf-8")
    db = tmp_path / "archive.db"
    done = subprocess.run(crawl_command(sources, db), cwd=tmp_path, env=child_env(), capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert f"{sources}:2: source 'Bad Name': key 'name'" in done.stderr
    assert not db.exists()  # nothing was crawled


def test_runner_reports_a_bad_sources_file_before_starting_a_child(tmp_path: Path) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  - name: ok\n    start_urls: ['http://127.0.0.1/']\n    allow: ['x']\n"
                       "    max_pages: 0\n", encoding="utf-8")
    with pytest.raises(CrawlError, match=rf"{sources}:5: source 'ok': key 'max_pages': .*greater than or equal to 1"):
        prepared_crawl(sources, tmp_path / "archive.db")
    assert not (tmp_path / "archive.db").exists()


def test_crawl_child_rejects_sources_json_that_is_not_a_list_of_sources(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    for payload in ('{"name": "x"}', '[{"name": "x", "start_urls": ["http://127.0.0.1/"], "colour": 1}]', "[1"):
        done = subprocess.run([sys.executable, "-m", "crawlers.crawl", "--sources-json", "-", "--db", str(db)],
                              input=payload, cwd=tmp_path, env=child_env(), capture_output=True, text=True, timeout=60)
        assert done.returncode == 2, payload
        assert "standard input: not a JSON list of validated sources" in done.stderr, done.stderr
    valid = '[{"name": "x", "start_urls": ["http://127.0.0.1/"], "allow": ["/a/"]}]'
    done = subprocess.run([sys.executable, "-m", "crawlers.crawl", "--sources-json", "-", "--db", str(db),
                           "--source", "y"], input=valid, cwd=tmp_path, env=child_env(), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and "standard input: no source named 'y'" in done.stderr, done.stderr
    assert not db.exists()


_STACK_PROBE = """
import inspect, json, sys
calls = []
real_getframeinfo = inspect.getframeinfo
inspect.getframeinfo = lambda *a, **k: calls.append(1) or real_getframeinfo(*a, **k)
real_stack = inspect.stack
if sys.argv[1] == "early":
    from crawlers.crawl import import_tls_modules_without_stack_walks
    import_tls_modules_without_stack_walks()
from scrapy.core.downloader import contextfactory as cf, tls
import scrapy.core.downloader.handlers.http11
print(json.dumps({"source_lookups": len(calls), "stack_restored": inspect.stack is real_stack,
                  "modules": [tls.ScrapyClientTLSOptions.__module__, cf.ScrapyClientContextFactory.__module__],
                  "alias_is_subclass": issubclass(cf._ScrapyClientContextFactory, cf.ScrapyClientContextFactory)}))
"""


@pytest.mark.parametrize("mode", ["early", "plain"])
def test_tls_modules_are_imported_without_reading_the_stack_s_source(mode: str) -> None:
    """Scrapy's deprecated TLS aliases look up their module with ``inspect.stack()``, which reads every
    frame's source; imported early by the crawl child, they get the same module names without that."""
    done = subprocess.run([sys.executable, "-c", _STACK_PROBE, mode], capture_output=True, text=True,
                          env=child_env(), check=True)
    probe = json.loads(done.stdout)
    assert probe["modules"] == ["scrapy.core.downloader.tls", "scrapy.core.downloader.contextfactory"]
    assert probe["stack_restored"] and probe["alias_is_subclass"]
    if mode == "early":
        assert probe["source_lookups"] == 0
    else:  # what the early import avoids: one frame-info lookup per frame of the import chain, per alias
        assert probe["source_lookups"] > 20


_IDNA_PROBE = """
import json
from crawlers.crawl import remember_hostname_encodings
remember_hostname_encodings()
from scrapy.core.downloader._idna_patch import _install_twisted_idna_fallbacks
_install_twisted_idna_fallbacks()  # what Scrapy's HTTP/1.1 handler does when it starts
from twisted.internet import endpoints
encoded = [endpoints._idnaBytes(host).decode() for host in
           ("www.gd.gov.cn", "www.gd.gov.cn", "工信部.中国", "my_host.example", "my_host.example")]
try:
    endpoints._idnaBytes("bad host:1")
    refused = False
except UnicodeError:
    refused = True
info = endpoints._idnaBytes.cache_info()
print(json.dumps({"encoded": encoded, "refused": refused, "hits": info.hits, "misses": info.misses}))
"""


def test_hostnames_are_encoded_once_per_crawl_with_scrapy_s_fallback_kept() -> None:
    done = subprocess.run([sys.executable, "-c", _IDNA_PROBE], capture_output=True, text=True, env=child_env(),
                          check=True)
    probe = json.loads(done.stdout)
    # the same answers as uncached: IDNA for Chinese names, Scrapy's fallback for an underscore
    assert probe["encoded"] == ["www.gd.gov.cn", "www.gd.gov.cn", "工信部.中国".encode("idna").decode(),
                                "my_host.example", "my_host.example"]
    assert probe["refused"]  # an invalid name still raises, every time (failures are not cached)
    assert probe["hits"] == 2 and probe["misses"] == 4


def test_a_crawl_that_cannot_start_says_why_in_its_summary(tmp_path: Path) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  - name: one\n    start_urls: ['http://127.0.0.1:9/a/']\n    allow: ['x']\n"
                       "  - name: two\n    start_urls: ['http://127.0.0.1:9/b/']\n    allow: ['x']\n", encoding="utf-8")
    broken = json.dumps({"crawlers.no_such_module.Pipeline": 100})  # a component that cannot be loaded
    settings = {**DEMO_CRAWL_SETTINGS, "ITEM_PIPELINES": broken}
    command = crawl_command(sources, tmp_path / "archive.db", settings=settings)
    done = subprocess.run(command, cwd=tmp_path, env=child_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    summaries = {s["source"]: s["status"] for s in parse_summaries(done.stdout)}
    # both sources share a host: the second runs after the first failed, and fails for the same reason
    assert summaries == {name: "failed: ModuleNotFoundError: No module named 'crawlers.no_such_module'"
                         for name in ("one", "two")}, done.stderr[-2000:]
    assert "one: the crawl failed: ModuleNotFoundError" in done.stderr
