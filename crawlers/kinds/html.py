"""The ``html`` kind: list pages are HTML whose links lead to articles and further list pages."""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import scrapy
from scrapy.http import Response
from scrapy.linkextractors import LinkExtractor

from crawlers.kinds import links_to_requests, register_kind

if TYPE_CHECKING:
    from crawlers.spiders.pages import SourceSpider


@register_kind("html")
class HtmlKind:
    name = "html"

    def start_requests(self, spider: SourceSpider) -> Iterator[scrapy.Request]:
        for url in spider.source.start_urls:
            request = spider.article_request(url) if spider.is_article(url) else spider.listing_request(url, 0)
            if request is not None:
                yield request

    def parse_listing(self, spider: SourceSpider, response: Response) -> Iterator[scrapy.Request]:
        if not hasattr(response, "text"):
            spider.logger.warning("listing %s is not text (%s)", response.url, response.headers.get("Content-Type"))
            return
        links = LinkExtractor(deny=spider.source.deny, unique=True).extract_links(response)
        yield from links_to_requests(spider, (link.url for link in links), response.meta.get("policywatch_depth", 0))
