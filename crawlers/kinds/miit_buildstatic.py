"""The ``miit-buildstatic`` kind: list pages whose list is fetched by a script (MIIT).

The page carries ``<script parseType="buildstatic" url="/api-path" querydata="{'k': 'v'}">``; a GET of
``url?querydata`` answers JSON holding the list HTML under ``data.html`` (``ul li`` with ``a[title]``
and a date in ``.fr`` or ``span``). Links already in the page itself (the MIIT home page has many)
are read too. Scrapy's Referer middleware sends the list page as Referer, as the site's script does.

The answer says where it is in the list: ``<div class="pagination" count="484" pageNo="1" rows="24">``
at the end of ``data.html`` (or ``total``/``totalPage``/``pageNo``/``pageSize``-style fields next to it in
``data``). Further API pages are the same call with ``paramJson={"pageNo":2,"pageSize":24}`` (compact
JSON, as the site's script sends it), followed up to ``max_list_pages`` (the first API page included),
the source's ``max_depth`` and the last page the answer announces.
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import scrapy
from parsel import Selector
from scrapy.http import Response

from crawlers.kinds import (
    ListKind,
    dig,
    join_link,
    json_body,
    links_to_requests,
    listing_depth,
    option,
    page_links,
    register_kind,
)

if TYPE_CHECKING:
    from crawlers.spiders.pages import SourceSpider

DEFAULT_SCRIPT_CSS = "script[parseType=buildstatic]"
DEFAULT_MAX_LIST_PAGES = 3
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PAGE_NO = re.compile(r"(pageNo['\"]?\s*[=:]\s*['\"]?)\d+")
# Names the paging facts go by: the pagination element's attributes, then JSON fields beside data.html.
_TOTAL_NAMES = ("count", "total", "totalCount", "totalRecord")
_PAGE_NAMES = ("pageNo", "pageIndex", "currentPage", "page")
_SIZE_NAMES = ("rows", "pageSize", "size")
_PAGES_NAMES = ("totalPage", "totalPages", "pageCount", "pages")


@dataclass(frozen=True, slots=True)
class ApiPaging:
    """Where one API answer is in its list: page number, page size and the last page (None: unknown)."""

    page: int | None
    page_size: int | None
    last_page: int | None


def _first_int(found: dict[str, Any], names: tuple[str, ...]) -> int | None:
    lowered = {str(k).lower(): v for k, v in found.items()}
    for name in names:
        value = lowered.get(name.lower())
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
    return None


def api_paging(data: Any, list_html: str) -> ApiPaging | None:
    """The paging facts of a buildstatic answer, or None when it gives none."""
    pager = Selector(text=list_html).css(".pagination[count], .pagination[rows], [pageno][count]")
    facts: dict[str, Any] = dict(pager[0].attrib) if pager else {}
    inner = data.get("data") if isinstance(data, dict) else None
    if isinstance(inner, dict):
        facts = {**{k: v for k, v in inner.items() if k != "html"}, **facts}
    page, size = _first_int(facts, _PAGE_NAMES), _first_int(facts, _SIZE_NAMES)
    total, last = _first_int(facts, _TOTAL_NAMES), _first_int(facts, _PAGES_NAMES)
    if last is None and total is not None and size:
        last = math.ceil(total / size)
    if page is None and size is None and last is None:
        return None
    return ApiPaging(page, size, last)


def with_api_page(url: str, page: int, page_size: int | None) -> str:
    """The API URL asking for ``page``: ``paramJson`` updated (a JSON object, or ``pageNo=N,…`` text) or added."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    current = next((v for k, v in query if k == "paramJson"), None)
    try:
        params = json.loads(current) if current else {}
    except ValueError:
        params = None
    if isinstance(params, dict):
        params = {**params, "pageNo": page, **({"pageSize": page_size} if page_size else {})}
        value = json.dumps(params, ensure_ascii=False, separators=(",", ":"))
    else:
        value = _PAGE_NO.sub(lambda m: f"{m.group(1)}{page}", current or "")
    query = [(k, v) for k, v in query if k != "paramJson"] + [("paramJson", value)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def api_url(page_url: str, path: str, querydata: str | None) -> str:
    """The list API a buildstatic script calls; ``querydata`` is JSON written with single quotes."""
    url = urljoin(page_url, path)
    if not querydata:
        return url
    try:
        params = json.loads(querydata.replace("'", '"'))
    except ValueError:
        return url
    if not isinstance(params, dict):
        return url
    query = urlencode({k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()})
    return f"{url}{'&' if '?' in url else '?'}{query}"


@register_kind("miit-buildstatic")
class MiitBuildstaticKind(ListKind):
    ARTICLE_META = ("ArticleTitle", "PubDate", "ContentSource")

    def parse_list_page(self, spider: SourceSpider, response: Response) -> Iterator[scrapy.Request]:
        depth = listing_depth(response)
        if response.meta.get("policywatch_role") == "buildstatic-api":
            yield from self._parse_api(spider, response, depth)
            return
        yield from links_to_requests(spider, page_links(spider, response), depth)
        if not hasattr(response, "css"):
            return
        configured = option(spider, "script_css", None)
        scripts = [s for s in response.css(configured or DEFAULT_SCRIPT_CSS) if s.attrib.get("url")]
        if not scripts:
            # Without the script only the page's own links are read: fine for a home page, a layout change
            # for a list page whose configured script is gone.
            log = spider.logger.warning if configured else spider.logger.info
            log("%s: script_css %r matched no script with a url; only the page's own links were read",
                response.url, configured or DEFAULT_SCRIPT_CSS)
        for script in scripts:
            path = script.attrib["url"]
            request = spider.listing_request(api_url(response.url, path, script.attrib.get("querydata")), depth,
                                             policywatch_role="buildstatic-api", policywatch_page=response.url)
            if request is not None:
                yield request

    def _parse_api(self, spider: SourceSpider, response: Response, depth: int) -> Iterator[scrapy.Request]:
        data = json_body(spider, response)
        html = dig(data, option(spider, "html_path", "data.html"))
        if not isinstance(html, str):
            spider.logger.warning("%s: no list HTML at %r", response.url, option(spider, "html_path", "data.html"))
            return
        base = response.meta.get("policywatch_page", response.url)
        urls: list[str] = []
        facts: dict[str, dict[str, Any]] = {}
        selector = Selector(text=html)
        rows = selector.css("li") or [selector]
        for row in rows:
            for link in row.css("a[href]"):
                url = join_link(base, link.attrib["href"])
                if url is None:
                    continue
                urls.append(url)
                found = {"title": (link.attrib.get("title") or link.css("::text").get() or "").strip()}
                date = _DATE.search(" ".join(row.css(".fr::text, span::text").getall()))
                if date:
                    found["published"] = date.group(0)
                facts[url] = {k: v for k, v in found.items() if v}
        yield from links_to_requests(spider, urls, depth, facts)
        if urls:
            yield from self._next_api_page(spider, response, api_paging(data, html), len(rows), base, depth)

    def _next_api_page(self, spider: SourceSpider, response: Response, paging: ApiPaging | None, rows: int,
                       base: str, depth: int) -> Iterator[scrapy.Request]:
        """The next page of the same API list, while the answer says there is one and the bounds allow:
        up to its last page, or while pages come full when it gives only a page size."""
        asked = response.meta.get("policywatch_api_page", 1)
        if paging is None or depth >= spider.source.max_depth:
            return
        current = paging.page or asked
        if paging.last_page is not None and current >= paging.last_page:
            return
        if paging.last_page is None and (paging.page_size is None or rows < paging.page_size):
            return  # no way to tell, or a short page: the last one
        if asked >= option(spider, "max_list_pages", DEFAULT_MAX_LIST_PAGES):
            return
        request = spider.listing_request(with_api_page(response.url, current + 1, paging.page_size), depth + 1,
                                         headers={"Referer": base}, policywatch_role="buildstatic-api",
                                         policywatch_page=base, policywatch_api_page=asked + 1)
        if request is not None:
            yield request
