"""``policywatch sources check``: fetch one list page and one article of a source and say what matched.

A real crawl in a child process (``python -m crawlers.check``) into a throw-away archive, with a spider
that fetches only one start URL (the first, or the one asked for, plus its API calls at the same level,
and the first sitemap and feed) and only the first article found, and records per list page: HTTP status,
candidate links, links matching ``allow`` (articles) and list pages found (and, for HTML, all ``<a href>``
on the page, so a script-built list shows up as a page with few anchors); for the article: status,
extracted title, text length, opening, the facts found (date, document number, issuer…) and the meta kept
with the version, and warnings (``content_css`` matching nothing, empty text). What the kinds, the spider
and Scrapy log meanwhile (warnings and errors, and the spider's notes) is in ``log``, one bounded line
each, and ``reason`` says why no article was found. ``run_check`` is the way to call it.
"""
from __future__ import annotations

import argparse
import json
import logging
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
MAX_LOG_ENTRIES = 30
MAX_LOG_CHARS = 300


class CheckSpider(SourceSpider):
    """A ``SourceSpider`` that stops after the first list level and the first article, and reports."""

    name = "source-check"
    conditional_listings = False  # it reports what a list holds: always read in full

    def __init__(self, source: Source, *args: Any, start_url: str | None = None, **kwargs: Any) -> None:
        first_only = {"start_urls": [start_url] if start_url else source.start_urls[:1],
                      "sitemap_urls": source.sitemap_urls[:1], "feed_urls": source.feed_urls[:1]}
        super().__init__(source.replace(**first_only), *args, **kwargs)
        self.report: dict[str, Any] = {"source": source.name, "kind": source.kind, "listings": [], "article": None}
        self._current: dict[str, Any] | None = None
        self._article_requested = False
        self._child_sitemap_requested = False

    def listing_request(self, url: str, depth: int, **meta: Any) -> scrapy.Request | None:
        if self._current is not None and not self.listing_seen(url, meta.get("formdata")):
            # a list page read already (a pager's link back to the first page) is not a further one
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
            _sample(self._current, "article_urls", self.page_url(url))  # as it would be archived
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

    def parse_article(self, response: Response) -> Iterator[PageItem | scrapy.Request]:
        article = self.report["article"] = describe_article(self.source, response)
        for output in super().parse_article(response):
            if isinstance(output, PageItem) and output.meta:
                article["meta"] = output.meta  # what the list and the page's <meta> tags give, as stored
            yield output

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


def pick_start_url(source: Source, wanted: str | None) -> str:
    """The start URL to check: the first, or ``wanted`` (one of the source's start URLs, or its number from 1).

    Only the source's own start URLs: the check says whether the configuration works, and a URL on another
    host would be checked against domains the source does not allow.
    """
    urls = source.start_urls
    if not wanted:
        if not urls:
            raise ValueError(f"source {source.name!r} has no start URLs")
        return urls[0]
    if wanted.isdigit():
        if 1 <= int(wanted) <= len(urls):
            return urls[int(wanted) - 1]
    elif wanted in urls:
        return wanted
    listed = "; ".join(f"{n}: {url}" for n, url in enumerate(urls, 1)) or "none"
    raise ValueError(f"{wanted!r} is not a start URL of source {source.name!r} (its start URLs: {listed})")


# Log lines the report states already, by logger and start of the message template: a failed fetch is in
# its list page's or the article's entry (retries and download errors are the same failure), a
# ``content_css`` that matched nothing is an article warning. A robots.txt that cannot be fetched does not
# stop a crawl (Scrapy goes on without it); when the host is down, the list page says so.
REPORTED_ELSEWHERE = (("scrapy.downloadermiddlewares.retry", ""), ("scrapy.core.scraper", "Error downloading"),
                      # crawlers.middlewares.ROBOTS_NOT_FETCHED: that module imports Twisted's reactor, so it
                      # cannot be imported before Scrapy installs its own
                      ("scrapy.downloadermiddlewares.robotstxt", "robots.txt not fetched, so not obeyed: "),
                      (CheckSpider.name, "fetch failed:"), ("monitor.extract", "content_css "))


class LogCollector(logging.Handler):
    """The warnings and errors logged while a check runs (kinds, spider, Scrapy's callback and pipeline
    errors), and the spider's own notes (INFO: a default selector that matched nothing).

    One line each, cut to ``MAX_LOG_CHARS`` (an item or a response in a message must not flood the
    report), repeated lines once, at most ``MAX_LOG_ENTRIES`` (``dropped`` counts the rest). Lines the
    report states already (``REPORTED_ELSEWHERE``) are left out.
    """

    def __init__(self, notes_from: str) -> None:
        super().__init__(logging.INFO)
        self.notes_from = notes_from
        self.entries: list[dict[str, str]] = []
        self.dropped = 0

    def emit(self, record: logging.LogRecord) -> None:
        if (record.levelno < logging.WARNING and record.name != self.notes_from) or record.name == "py.warnings":
            return
        template = str(record.msg)
        if any(record.name == name and template.startswith(start) for name, start in REPORTED_ELSEWHERE):
            return
        entry = {"level": record.levelname, "logger": record.name, "message": log_line(record)}
        if entry in self.entries:
            return
        if len(self.entries) >= MAX_LOG_ENTRIES:
            self.dropped += 1
            return
        self.entries.append(entry)


def log_line(record: logging.LogRecord) -> str:
    """A log record as one line: its message's first line and, with an exception, its type and first line.

    An item in the message (Scrapy's "Error processing %(item)s") is named by its type and URL, and the
    exception keeps its place when the message is cut.
    """
    args = record.args
    try:
        if isinstance(args, Mapping) and hasattr(args.get("item"), "url"):
            item = args["item"]
            message = str(record.msg) % {**args, "item": f"<{type(item).__name__} {item.url}>"}
        else:
            message = record.getMessage()
    except Exception:  # noqa: BLE001 - a broken format string still says something
        message = str(record.msg)
    line = (message.strip().splitlines() or [""])[0]
    exc = record.exc_info[1] if record.exc_info else None
    suffix = ""
    if exc is not None:
        detail = (str(exc).strip().splitlines() or [""])[0]
        suffix = _cut(f" ({type(exc).__name__})" if detail in line else f": {type(exc).__name__}: {detail}",
                      MAX_LOG_CHARS // 2)
    return _cut(line, MAX_LOG_CHARS - len(suffix)) + suffix


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def none_found_reason(report: Mapping[str, Any]) -> str:
    """Why a check found no article, from what its list pages did (the first cause that applies)."""
    listings = report.get("listings") or []
    warned = any(entry["level"] in ("WARNING", "ERROR", "CRITICAL") for entry in report.get("log") or [])
    see_log = " (see the warnings above)" if warned else ""
    if not listings:
        return f"no list page was read{see_log}"
    failed = [entry for entry in listings if entry.get("error") or entry.get("status") != 200]
    links = sum(entry.get("links") or 0 for entry in listings)
    allow = sum(entry.get("allow") or 0 for entry in listings)
    if failed and not allow:
        entry = failed[0]
        if entry.get("status") is None:
            return f"the list page {entry['url']} did not answer: {entry.get('error')}"
        return f"the list page {entry['url']} answered HTTP {entry['status']}"
    if not links:
        return f"the list pages gave no links{see_log}"
    if not allow and warned:
        return "no link matched `allow`; the warnings above say what the kind could not read"
    if not allow:
        return "no link matched `allow` (check the allow regex, the list options and the kind)"
    return f"links matched `allow` but no article was fetched{see_log}"


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
                  published=analysis.published, encoding=analysis.encoding,
                  facts={key: value for key, value in analysis.facts.as_dict().items() if value})
    if not analysis.text.strip():
        warnings.append("the extracted text is empty")
    return report


def run_check(sources_path: str | Path, name: str, *, settings: Mapping[str, Any] | None = None,
              timeout: float | None = 120, log_level: str = "ERROR", start_url: str | None = None) -> dict[str, Any]:
    """Check one source in a child process; return its report (see the module docstring).

    ``start_url``: which start URL to check (one of the source's, or its number from 1); the first by default.
    """
    with tempfile.TemporaryDirectory(prefix="policywatch-check-") as work:
        command = [sys.executable, "-m", "crawlers.check", "--sources", str(sources_path), "--source", name,
                   "--db", str(Path(work) / "check.db")]
        if start_url:
            command += ["--start-url", start_url]
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
    parser.add_argument("--start-url", help="the start URL to check (or its number from 1); default the first")
    args = parser.parse_args(argv)
    try:
        (source,) = load_sources(args.sources, [args.source])
        start_url = pick_start_url(source, args.start_url)
    except (ConfigError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    process = CrawlerProcess(crawl_settings(args.db, args.set))
    collector = LogCollector(notes_from=CheckSpider.name)  # the spider's logger is named after the spider
    logging.root.addHandler(collector)  # after CrawlerProcess: Scrapy's logging set-up replaces only its own
    try:
        crawler = process.create_crawler(CheckSpider)
        process.crawl(crawler, source=source, start_url=start_url)
        process.start()
    finally:
        logging.root.removeHandler(collector)
    spider = crawler.spider
    report = dict(spider.report)  # type: ignore[union-attr]
    report["start_url"] = start_url
    report["log"] = collector.entries
    report["log_dropped"] = collector.dropped
    report["run"] = getattr(spider, "run_summary", None)
    if report.get("article") is None:
        report["reason"] = none_found_reason(report)
    print(json.dumps(report, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
