"""The ``hanweb`` kind: Hanweb jcms / TRS WCM column pages ``/col/colN/index.html`` (Zhejiang, Jiangsu, Shandong).

The list is not in the page's HTML but in a script block
``<script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&…">]]>
</nextgroup><recordset><record><![CDATA[<li><a href=…>…</a><span>2026-05-20</span></li>]]></record>…``
(some answers entity-encode it). Further pages come from that ``dataproxy.jsp`` with ``page=N``, whose
answer is the same ``<datastore>`` XML with a ``<totalpage>`` count.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import scrapy
from parsel import Selector
from scrapy.http import Response

from crawlers.kinds import ListKind, links_to_requests, listing_depth, option, page_links, register_kind

if TYPE_CHECKING:
    from crawlers.spiders.pages import SourceSpider

DEFAULT_MAX_LIST_PAGES = 3
_RECORD = re.compile(r"<record>(?:\s*<!\[CDATA\[)?([\s\S]*?)(?:\]\]>\s*)?</record>")
_NEXTGROUP = re.compile(r"<nextgroup>(?:\s*<!\[CDATA\[)?([\s\S]*?)(?:\]\]>\s*)?</nextgroup>")
_TOTAL_PAGES = re.compile(r"<totalpage>\s*(\d+)\s*</totalpage>")
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


def datastore_records(text: str) -> list[str]:
    if "<record>" not in text and "&lt;record&gt;" in text:
        text = html.unescape(text)
    return _RECORD.findall(text)


def dataproxy_template(text: str, page_url: str) -> str | None:
    """The ``dataproxy.jsp`` URL of a column, from the datastore's ``nextgroup`` link."""
    if "<nextgroup>" not in text and "&lt;nextgroup&gt;" in text:
        text = html.unescape(text)
    group = _NEXTGROUP.search(text)
    href = Selector(text=group.group(1)).css("a::attr(href)").get() if group else None
    return urljoin(page_url, html.unescape(href.strip())) if href else None


def with_page(url: str, page: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"]
    return urlunsplit(parts._replace(query=urlencode([("page", str(page)), *query])))


def total_pages(text: str) -> int | None:
    match = _TOTAL_PAGES.search(text)
    return int(match.group(1)) if match else None


@register_kind("hanweb")
class HanwebKind(ListKind):
    ARTICLE_META = ("ArticleTitle", "PubDate", "ContentSource")

    def parse_list_page(self, spider: SourceSpider, response: Response) -> Iterator[scrapy.Request]:
        depth = listing_depth(response)
        text = response.text if hasattr(response, "text") else response.body.decode("utf-8", "replace")
        records = datastore_records(text)
        if not records:  # a column page without a datastore: read it as plain HTML
            yield from links_to_requests(spider, page_links(spider, response), depth)
            return
        base = response.meta.get("policywatch_page", response.url)
        urls: list[str] = []
        facts: dict[str, dict[str, Any]] = {}
        for record in records:
            row = Selector(text=record)
            href = row.css("a::attr(href)").get()
            if not href:
                continue
            url = urljoin(base, href.strip())
            urls.append(url)
            link = row.css("a")[0]
            found = {"title": (link.attrib.get("title") or "".join(link.css("::text").getall())).strip()}
            date = _DATE.search("".join(row.css("::text").getall()).replace(" ", ""))
            if date:
                found["published"] = date.group(0)
            facts[url] = {k: v for k, v in found.items() if v}
        yield from links_to_requests(spider, urls, depth, facts)
        # Page 1 is the column page; pages 2… come from dataproxy.jsp, as long as <totalpage> allows
        # (unknown on the column page: then one more page is tried) and max_list_pages is not reached.
        page = response.meta.get("policywatch_dataproxy_page", 1)
        template = response.meta.get("policywatch_dataproxy") or dataproxy_template(text, response.url)
        total = total_pages(text)
        known_end = total if total is not None else (page + 1 if page == 1 else page)
        max_pages = option(spider, "max_list_pages", DEFAULT_MAX_LIST_PAGES)
        if template is None or page >= min(known_end, max_pages) or depth >= spider.source.max_depth:
            return
        request = spider.listing_request(with_page(template, page + 1), depth + 1, policywatch_role="dataproxy",
                                         policywatch_page=base, policywatch_dataproxy=template,
                                         policywatch_dataproxy_page=page + 1)
        if request is not None:
            yield request
