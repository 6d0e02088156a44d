"""The ``trs`` kind: TRS-built government sites (NDRC, MOST, many provinces).

The list is ``ul.u-list li a`` (option ``list_css``; all links when it matches nothing, logged as a
warning when ``list_css`` was given, since the list then holds the page's navigation too) and further
pages are ``index_1.html``, ``index_2.html``… whose count appears only in a script call
``createPageHTML(N, current, "index", "html")`` (or a ``countPage = N`` variable), not in links.
Pager links that are real ``<a>`` elements and match ``follow`` are followed too. Article pages carry
``<meta name="PubDate|ArticleTitle|ContentSource">``, kept with each version.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import scrapy
from scrapy.http import Response

from crawlers.kinds import ListKind, links_to_requests, listing_depth, option, page_links, register_kind

if TYPE_CHECKING:
    from crawlers.spiders.pages import SourceSpider

DEFAULT_LIST_CSS = "ul.u-list li a"
DEFAULT_MAX_LIST_PAGES = 5
_CREATE_PAGE = re.compile(r"""createPageHTML\(\s*['"]?(\d+)['"]?\s*,\s*['"]?(\d+)['"]?\s*,\s*['"]([\w-]+)['"]\s*,"""
                          r"""\s*['"](\w+)['"]""")
_COUNT_PAGE = re.compile(r"""\bcountPage\s*=\s*['"]?(\d+)""")


def pager_urls(script_text: str, page_url: str, max_pages: int) -> list[str]:
    """The other list pages a TRS pager script points at (page 0 is ``index.html`` itself)."""
    match = _CREATE_PAGE.search(script_text)
    if match:
        count, current, prefix, suffix = int(match[1]), int(match[2]), match[3], match[4]
    else:
        count_match = _COUNT_PAGE.search(script_text)
        if not count_match:
            return []
        count, current, prefix = int(count_match[1]), 0, "index"
        suffix = "htm" if page_url.endswith(".htm") else "html"
    if current != 0:  # only the first page announces the others, so a run reads them once
        return []
    return [urljoin(page_url, f"{prefix}_{n}.{suffix}") for n in range(1, min(count, max_pages))]


@register_kind("trs")
class TrsKind(ListKind):
    ARTICLE_META = ("PubDate", "ArticleTitle", "ContentSource")

    def parse_list_page(self, spider: SourceSpider, response: Response) -> Iterator[scrapy.Request]:
        all_links = page_links(spider, response)
        if not hasattr(response, "text"):
            return
        depth = listing_depth(response)
        configured = option(spider, "list_css", None)
        listed = page_links(spider, response, configured or DEFAULT_LIST_CSS)
        if not listed:
            # A configured list block that is gone is a layout change to fix; the default one is only a guess.
            log = spider.logger.warning if configured else spider.logger.info
            log("%s: list_css %r matched no link, reading all links of the page", response.url,
                configured or DEFAULT_LIST_CSS)
        # Articles from the list block (or the whole page); list pages from any link matching `follow`.
        yield from links_to_requests(spider, listed or all_links, depth)
        if depth >= spider.source.max_depth:
            return
        pagers = [u for u in all_links if spider.on_site(u) and spider.is_listing(u) and not spider.is_article(u)]
        scripts = "\n".join(response.css("script::text").getall())
        max_pages = option(spider, "max_list_pages", DEFAULT_MAX_LIST_PAGES)
        for url in pagers + pager_urls(scripts, response.url, max_pages):
            request = spider.listing_request(url, depth + 1)
            if request is not None:
                yield request
