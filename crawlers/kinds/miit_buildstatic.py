"""The ``miit-buildstatic`` kind: list pages whose list is fetched by a script (MIIT).

The page carries ``<script parseType="buildstatic" url="/api-path" querydata="{'k': 'v'}">``; a GET of
``url?querydata`` answers JSON holding the list HTML under ``data.html`` (``ul li`` with ``a[title]``
and a date in ``.fr`` or ``span``). Links already in the page itself (the MIIT home page has many)
are read too. Scrapy's Referer middleware sends the list page as Referer, as the site's script does.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urljoin

import scrapy
from parsel import Selector
from scrapy.http import Response

from crawlers.kinds import ListKind, dig, json_body, links_to_requests, listing_depth, option, page_links, register_kind

if TYPE_CHECKING:
    from crawlers.spiders.pages import SourceSpider

DEFAULT_SCRIPT_CSS = "script[parseType=buildstatic]"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


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
        for script in response.css(option(spider, "script_css", DEFAULT_SCRIPT_CSS)):
            path = script.attrib.get("url")
            if not path:
                continue
            request = spider.listing_request(api_url(response.url, path, script.attrib.get("querydata")), depth,
                                             policywatch_role="buildstatic-api", policywatch_page=response.url)
            if request is not None:
                yield request

    def _parse_api(self, spider: SourceSpider, response: Response, depth: int) -> Iterator[scrapy.Request]:
        html = dig(json_body(spider, response), option(spider, "html_path", "data.html"))
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
                url = urljoin(base, link.attrib["href"].strip())
                urls.append(url)
                found = {"title": (link.attrib.get("title") or link.css("::text").get() or "").strip()}
                date = _DATE.search(" ".join(row.css(".fr::text, span::text").getall()))
                if date:
                    found["published"] = date.group(0)
                facts[url] = {k: v for k, v in found.items() if v}
        yield from links_to_requests(spider, urls, depth, facts)
