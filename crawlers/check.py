"""``policywatch sources check``: fetch one list page and one article of a source and say what matched.

A real crawl in a child process (``python -m crawlers.check``) into a throw-away archive, with a spider
that fetches only the first start URL (plus its API calls at the same level, and the first sitemap and
feed) and only the first article found, and records per list page: HTTP status, candidate links, links
matching ``allow`` (articles) and list pages found (and, for HTML, all ``<a href>`` on the page, so a
script-built list shows up as a page with few anchors); for the article: status, extracted title, text length,
opening, and warnings (``content_css`` matching nothing, empty text). ``run_check`` is the way to call it.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import HtmlResponse, Response
from twisted.python.failure import Failure

from crawlers.items import PageItem
from crawlers.kinds import LINKS_STAT
from crawlers.runner import CrawlError, child_env
from crawlers.spiders.pages import SourceSpider
from monitor.source import Source

OPENING_CHARS = 200
SAMPLE_URLS = 3


class CheckSpider(SourceSpider):
    """A ``SourceSpider`` that stops after the first list level and the first article, and reports."""

    name = "source-check"
    conditional_listings = False  # it reports what a list holds: always read in full

    def __init__(self, source: Source, *args: Any, **kwargs: Any) -> None:
        first_only = {"start_urls": source.start_urls[:1], "sitemap_urls": source.sitemap_urls[:1],
                      "feed_urls": source.feed_urls[:1]}
        super().__init__(source.replace(**first_only), *args, **kwargs)
        self.report: dict[str, Any] = {"source": source.name, "kind": source.kind, "listings": [], "article": None}
        self._current: dict[str, Any] | None = None
        self._article_requested = False
        self._child_sitemap_requested = False

    def listing_request(self, url: str, depth: int, **meta: Any) -> scrapy.Request | None:
        if self._current is not None:
            self._current["list_pages"] += 1
            _sample(self._current, "list_page_urls", url)
        # Deeper list pages (pagers, dataproxy pages) and further pages of the same API are counted,
        # not fetched; an API call a list page makes (gkmlpt, miit-buildstatic) is fetched, and so is the
        # first child sitemap of a sitemap index.
        role = meta.get("policywatch_role") or "list"
        same_role = self._current is not None and self._current["role"] == role
        first_child_sitemap = role == "sitemap" and not self._child_sitemap_requested
        if (depth > 0 or same_role) and not first_child_sitemap:
            return None
        self._child_sitemap_requested |= role == "sitemap" and depth > 0
        return super().listing_request(url, depth, **meta)

    def article_request(self, url: str, **meta: Any) -> scrapy.Request | None:
        if self._current is not None:
            self._current["allow"] += 1
            _sample(self._current, "article_urls", url)
        if self._article_requested:
            return None
        request = super().article_request(url, **meta)
        self._article_requested = request is not None
        return request

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        entry = {"url": response.url, "status": response.status, "bytes": len(response.body),
                 "role": response.meta.get("policywatch_role") or "list", "links": 0, "allow": 0, "list_pages": 0,
                 "anchors": len(response.css("a[href]")) if isinstance(response, HtmlResponse) else None}
        self.report["listings"].append(entry)
        stats = self.crawler.stats
        before = stats.get_value(LINKS_STAT, 0) if stats is not None else 0
        self._current = entry
        try:
            requests = list(self.kind.parse_listing(self, response))  # all links counted before anything runs
        finally:
            self._current = None
        entry["links"] = (stats.get_value(LINKS_STAT, 0) if stats is not None else 0) - before
        yield from requests

    def parse_article(self, response: Response) -> Iterator[PageItem]:
        self.report["article"] = describe_article(self.source, response)
        yield from super().parse_article(response)

    def on_error(self, failure: Failure) -> Iterator[PageItem]:
        request = failure.request  # type: ignore[attr-defined]
        response = getattr(failure.value, "response", None)
        entry = {"url": request.url, "status": response.status if response is not None else None,
                 "error": f"{type(failure.value).__name__}: {failure.getErrorMessage()}"}
        if request.meta.get("policywatch_listing"):
            self.report["listings"].append({**entry, "role": request.meta.get("policywatch_role") or "list",
                                            "links": 0, "allow": 0, "list_pages": 0})
        else:
            self.report["article"] = {**entry, "warnings": ["the article could not be fetched"]}
        yield from super().on_error(failure)


def _sample(entry: dict[str, Any], key: str, url: str) -> None:
    samples = entry.setdefault(key, [])
    if len(samples) < SAMPLE_URLS:
        samples.append(url)


def describe_article(source: Source, response: Response) -> dict[str, Any]:
    """Status, extracted title and text of one article page, and what looks wrong with them."""
    from monitor.detect import analyse_page
    from monitor.extract import ExtractionError, content_css_text

    content_type = response.headers.get("Content-Type")
    report: dict[str, Any] = {"url": response.url, "status": response.status, "bytes": len(response.body),
                              "title": None, "text_length": 0, "opening": "", "warnings": []}
    warnings: list[str] = report["warnings"]
    if response.status != 200:
        warnings.append(f"HTTP {response.status}")
        return report
    # The reason extraction itself finds for not using the regions (monitor.extract.content_css_text).
    missing = content_css_text(response.selector.root, source.content_css)[1] \
        if source.content_css and hasattr(response, "selector") else None
    if missing:
        matched = "nothing on the page" if missing == "nothing" else "only elements without text"
        warnings.append(f"content_css {source.content_css!r} matched {matched} "
                        "(the text below is trafilatura's automatic guess)")
    try:
        analysis = analyse_page(response.body, content_type.decode("latin-1") if content_type else None,
                                response.url, source)
    except ExtractionError as exc:
        warnings.append(f"extraction failed: {exc}")
        return report
    report.update(title=analysis.title, text_length=len(analysis.text), opening=analysis.text[:OPENING_CHARS],
                  published=analysis.published, encoding=analysis.encoding)
    if not analysis.text.strip():
        warnings.append("the extracted text is empty")
    return report


def run_check(sources_path: str | Path, name: str, *, settings: Mapping[str, Any] | None = None,
              timeout: float | None = 120, log_level: str = "ERROR") -> dict[str, Any]:
    """Check one source in a child process; return its report (see the module docstring)."""
    with tempfile.TemporaryDirectory(prefix="policywatch-check-") as work:
        command = [sys.executable, "-m", "crawlers.check", "--sources", str(sources_path), "--source", name,
                   "--db", str(Path(work) / "check.db")]
        for key, value in {"LOG_LEVEL": log_level, **(settings or {})}.items():
            command += ["--set", f"{key}={value}"]
        try:
            completed = subprocess.run(command, capture_output=True, text=True,
                                       timeout=timeout, env=child_env(), check=False)
        except subprocess.TimeoutExpired as exc:
            raise CrawlError(f"source check did not finish within {timeout} s") from exc
    if completed.returncode != 0:
        raise CrawlError(f"source check failed (status {completed.returncode}): {completed.stderr.strip()[-2000:]}")
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise CrawlError("source check printed no report")
    return json.loads(lines[-1])  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    from scrapy.crawler import CrawlerProcess

    from crawlers.crawl import crawl_settings
    from monitor.sources import ConfigError, load_sources

    parser = argparse.ArgumentParser(prog="python -m crawlers.check")
    parser.add_argument("--sources", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    try:
        (source,) = load_sources(args.sources, [args.source])
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    process = CrawlerProcess(crawl_settings(args.db, args.set))
    crawler = process.create_crawler(CheckSpider)
    process.crawl(crawler, source=source)
    process.start()
    spider = crawler.spider
    report = dict(spider.report)  # type: ignore[union-attr]
    report["run"] = getattr(spider, "run_summary", None)
    print(json.dumps(report, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
