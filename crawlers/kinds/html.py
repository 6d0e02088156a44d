"""The ``html`` kind: list pages are HTML whose links lead to articles and further list pages."""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import scrapy
from scrapy.http import Response

from crawlers.kinds import ListKind, links_to_requests, listing_depth, page_links, register_kind

if TYPE_CHECKING:
    from crawlers.spiders.pages import SourceSpider


@register_kind("html")
class HtmlKind(ListKind):
    def parse_list_page(self, spider: SourceSpider, response: Response) -> Iterator[scrapy.Request]:
        yield from links_to_requests(spider, page_links(spider, response), listing_depth(response))
