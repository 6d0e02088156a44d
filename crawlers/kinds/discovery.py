"""Discovery every kind shares: ``sitemap_urls`` (sitemap or sitemap index) and ``feed_urls`` (RSS/Atom).

Their entries are classified like links on a list page: only URLs matching ``allow`` become articles.
Sitemap indexes are followed to their child sitemaps within ``max_depth``.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.http import Response
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap

from crawlers.kinds import join_link, links_to_requests, listing_depth

if TYPE_CHECKING:
    from crawlers.spiders.pages import SourceSpider

MAX_DISCOVERY_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit for one file


def discovery_requests(spider: SourceSpider) -> Iterator[scrapy.Request]:
    for url in spider.source.sitemap_urls:
        request = spider.listing_request(url, 0, policywatch_role="sitemap")
        if request is not None:
            yield request
    for url in spider.source.feed_urls:
        request = spider.listing_request(url, 0, policywatch_role="feed")
        if request is not None:
            yield request


def parse_sitemap(spider: SourceSpider, response: Response) -> Iterator[scrapy.Request]:
    body = response.body
    if gzip_magic_number(response):
        try:
            body = gunzip(body, max_size=MAX_DISCOVERY_BYTES)
        except OSError as exc:
            spider.logger.warning("sitemap %s: cannot gunzip: %s", response.url, exc)
            return
    try:
        sitemap = Sitemap(body)
    except (StopIteration, SyntaxError) as exc:
        spider.logger.warning("sitemap %s: not a sitemap: %s", response.url, exc)
        return
    depth = listing_depth(response)
    entries = [entry for entry in sitemap if entry.get("loc")]
    if sitemap.type == "sitemapindex":
        if depth >= spider.source.max_depth:
            return
        for entry in entries:
            url = join_link(response.url, entry["loc"])
            request = spider.listing_request(url, depth + 1, policywatch_role="sitemap") if url else None
            if request is not None:
                yield request
        return
    urls: list[str] = []
    facts: dict[str, dict[str, Any]] = {}
    for entry in entries:
        url = join_link(response.url, entry["loc"])
        if url is None:
            continue
        urls.append(url)
        if entry.get("lastmod"):
            facts[url] = {"lastmod": entry["lastmod"]}
    yield from links_to_requests(spider, urls, depth, facts)


def parse_feed(spider: SourceSpider, response: Response) -> Iterator[scrapy.Request]:
    import feedparser  # ~30 ms of every crawl's start-up otherwise, and few sources have feed_urls

    parsed = feedparser.parse(response.body)
    if parsed.bozo and not parsed.entries:
        spider.logger.warning("feed %s: not a feed: %s", response.url, parsed.get("bozo_exception"))
        return
    urls: list[str] = []
    facts: dict[str, dict[str, Any]] = {}
    for entry in parsed.entries:
        link = entry.get("link")
        if not link:
            continue
        url = join_link(response.url, link)
        if url is None:
            continue
        urls.append(url)
        # dict.get: FeedParserDict.get("updated") would silently answer with "published" instead.
        found = {key: dict.get(entry, key) for key in ("title", "published", "updated") if dict.get(entry, key)}
        if found:
            facts[url] = found
    yield from links_to_requests(spider, urls, listing_depth(response), facts)
