"""The ``hanweb`` kind: Hanweb jcms / TRS WCM column pages ``/col/colN/index.html`` (Zhejiang, Jiangsu, Shandong).

The list is not in the page's HTML but in a script block
``<script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&…">]]>
</nextgroup><recordset><record><![CDATA[<li><a href=…>…</a><span>2026-05-20</span></li>]]></record>…``
(some answers entity-encode it). Further records come from ``dataproxy.jsp`` in one of two ways:

* POST (what the jpage pager script of most columns does): the page configures the pager in a script,
  ``$('#7535405').jpage({perPage: 15, groupSize: 3, totalRecord: 120, proxyUrl: '/module/web/jpage/dataproxy.jsp',
  ajaxParam: {col: 1, webid: 3185, columnid: 1229019364, unitid: 7535405, …}})``, and the pager POSTs the
  ``ajaxParam`` fields as a form to ``dataproxy.jsp?startrecord=46&endrecord=90&perpage=15``, one window of
  ``perPage × groupSize`` records at a time. The answer is the same ``<datastore>`` XML with ``<totalrecord>``.
* GET: ``dataproxy.jsp?page=N&…`` from the datastore's ``nextgroup`` link, answering with ``<totalpage>``.

With option ``dataproxy: auto`` (the default) the POST windows are used when the page configures a jpage
pager (or ``dataproxy_params`` gives the form fields) and the form has ``webid``, ``columnid`` and ``unitid``;
otherwise the GET pages. Both are bounded by ``max_list_pages`` (the column page is list page 1) and the
source's ``max_depth``, and stop at the total the site announces.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import scrapy
from parsel import Selector
from scrapy.http import Response

from crawlers.kinds import ListKind, join_link, links_to_requests, listing_depth, option, page_links, register_kind

if TYPE_CHECKING:
    from crawlers.spiders.pages import SourceSpider

DEFAULT_MAX_LIST_PAGES = 3
DEFAULT_PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
DEFAULT_PER_PAGE = 15
DEFAULT_GROUP_SIZE = 3
# Form fields the jpage pager sends besides the ids, with the values public scrapers send.
FORM_DEFAULTS = {"col": "1", "appid": "1", "path": "/", "sourceContentType": "1", "permissiontype": "0"}
REQUIRED_FORM_FIELDS = ("webid", "columnid", "unitid")
MAX_FORM_FIELDS = 30  # the page is hostile: a bounded form
MAX_FORM_VALUE = 200

_RECORD = re.compile(r"<record>(?:\s*<!\[CDATA\[)?([\s\S]*?)(?:\]\]>\s*)?</record>")
_NEXTGROUP = re.compile(r"<nextgroup>(?:\s*<!\[CDATA\[)?([\s\S]*?)(?:\]\]>\s*)?</nextgroup>")
_TOTAL_PAGES = re.compile(r"<totalpage>\s*(\d+)\s*</totalpage>")
_TOTAL_RECORDS = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>")
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_SCRIPT = re.compile(r"<script\b([^>]*)>([\s\S]*?)</script>", re.IGNORECASE)
_PAGER_ID = re.compile(r"""\$\(\s*['"]#(\w+)['"]\s*\)\s*\.jpage\s*\(""")
_AJAX_PARAM = re.compile(r"\bajaxParam\s*:\s*\{([^{}]*)\}")
_KEY_VALUE = re.compile(r"""['"]?(\w+)['"]?\s*:\s*(?:'([^']*)'|"([^"]*)"|([^,\s}]+))""")
_PROXY_URL = re.compile(r"""\bproxyUrl\s*:\s*['"]([^'"]+)['"]""")
_DIV_ID = re.compile(r"""<div\b[^>]*\bid\s*=\s*['"]?(\d{3,})['"]?[^>]*>\s*<script\b[^>]*text/xml""", re.IGNORECASE)
_COLUMN_URL = re.compile(r"/col/col(\d+)/")


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
    return join_link(page_url, html.unescape(href)) if href else None


def with_page(url: str, page: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"]
    return urlunsplit(parts._replace(query=urlencode([("page", str(page)), *query])))


def total_pages(text: str) -> int | None:
    match = _TOTAL_PAGES.search(text)
    return int(match.group(1)) if match else None


def total_records(text: str) -> int | None:
    match = _TOTAL_RECORDS.search(text)
    return int(match.group(1)) if match else None


def _number(script: str, name: str) -> int | None:
    match = re.search(rf"""\b{name}\s*:\s*['"]?(\d+)""", script)
    return int(match.group(1)) if match else None


@dataclass(slots=True)
class JpageConfig:
    """What a column page's jpage pager script says: where to POST, which form, how many records."""

    proxy_url: str
    form: dict[str, str]
    per_page: int | None = None
    group_size: int | None = None
    total: int | None = None


def jpage_config(text: str, page_url: str, *, need_script: bool = True) -> JpageConfig | None:
    """The pager configuration of a column page, or None when no script configures a jpage pager
    (and ``need_script``).

    The form is the script's ``ajaxParam`` object; ids it lacks are taken from the ``nextgroup`` link,
    the pager's element id (``$('#unitid').jpage``, or a numeric ``<div id>`` around the datastore) and
    ``/col/colN/`` in the page URL.
    """
    script = next((body for attrs, body in _SCRIPT.findall(text)
                   if "text/xml" not in attrs.lower() and ("jpage(" in body or "proxyUrl" in body
                                                            or "ajaxParam" in body)), None)
    if script is None:
        if need_script:
            return None
        script = ""
    form: dict[str, str] = {}
    template = dataproxy_template(text, page_url)
    if template:
        form.update((k, v) for k, v in parse_qsl(urlsplit(template).query) if k != "page")
    params = _AJAX_PARAM.search(script)
    for key, *values in _KEY_VALUE.findall(params.group(1) if params else ""):
        form[key] = next((v for v in values if v), "")
    pager_ids = [m.group(1) for m in (_PAGER_ID.search(script), _DIV_ID.search(text)) if m and m.group(1).isdigit()]
    if "unitid" not in form and pager_ids:
        form["unitid"] = pager_ids[0]
    column = _COLUMN_URL.search(urlsplit(page_url).path)
    if "columnid" not in form and column:
        form["columnid"] = column.group(1)
    proxy = _PROXY_URL.search(script)
    fields = list({**FORM_DEFAULTS, **form}.items())[:MAX_FORM_FIELDS]
    return JpageConfig(urljoin(page_url, proxy.group(1) if proxy else DEFAULT_PROXY_PATH),
                       {key[:50]: value[:MAX_FORM_VALUE] for key, value in fields},
                       _number(script, "perPage"), _number(script, "groupSize"), _number(script, "totalRecord"))


def window_url(proxy_url: str, start: int, end: int, per_page: int) -> str:
    parts = urlsplit(proxy_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k not in ("startrecord", "endrecord", "perpage")]
    window = [("startrecord", str(start)), ("endrecord", str(end)), ("perpage", str(per_page))]
    return urlunsplit(parts._replace(query=urlencode(window + query)))


@register_kind("hanweb")
class HanwebKind(ListKind):
    ARTICLE_META = ("ArticleTitle", "PubDate", "ContentSource")

    def parse_list_page(self, spider: SourceSpider, response: Response) -> Iterator[scrapy.Request]:
        depth = listing_depth(response)
        text = response.text if hasattr(response, "text") else response.body.decode("utf-8", "replace")
        role = response.meta.get("policywatch_role")
        records = datastore_records(text)
        base = response.meta.get("policywatch_page", response.url)
        if records:
            yield from self._records(spider, records, base, depth)
        elif role is None:  # a column page without a datastore: read it as plain HTML
            yield from links_to_requests(spider, page_links(spider, response), depth)
        if depth >= spider.source.max_depth:
            return
        if role == "dataproxy-post":
            window = response.meta["policywatch_window"]
            total = total_records(text)
            yield from self._next_window(spider, window, len(records), window["total"] if total is None else total,
                                         base, depth)
        elif role == "dataproxy":
            if records:
                yield from self._next_get(spider, response, text, base, depth)
        elif (config := self._post_form(spider, text, response.url)) is not None:
            yield from self._first_window(spider, config, response.url, len(records), depth)
        elif records:
            yield from self._next_get(spider, response, text, base, depth)

    def _records(self, spider: SourceSpider, records: list[str], base: str, depth: int) -> Iterator[scrapy.Request]:
        urls: list[str] = []
        facts: dict[str, dict[str, Any]] = {}
        for record in records:
            row = Selector(text=record)
            href = row.css("a::attr(href)").get()
            if not href:
                continue
            url = join_link(base, href)
            if url is None:
                continue
            urls.append(url)
            link = row.css("a")[0]
            found = {"title": (link.attrib.get("title") or "".join(link.css("::text").getall())).strip()}
            date = _DATE.search("".join(row.css("::text").getall()).replace(" ", ""))
            if date:
                found["published"] = date.group(0)
            facts[url] = {k: v for k, v in found.items() if v}
        yield from links_to_requests(spider, urls, depth, facts)

    def _post_form(self, spider: SourceSpider, text: str, page_url: str) -> JpageConfig | None:
        """The jpage configuration to POST with, or None when the GET pages are to be used."""
        mode = option(spider, "dataproxy", "auto")
        if mode == "get":
            return None
        params = {str(k): str(v) for k, v in option(spider, "dataproxy_params", {}).items()}
        config = jpage_config(text, page_url, need_script=mode == "auto" and not params)
        if config is None:
            return None
        config.form.update(params)
        missing = [f for f in REQUIRED_FORM_FIELDS if not config.form.get(f)]
        if missing:
            spider.logger.warning("%s: the jpage pager form lacks %s (set options.dataproxy_params); "
                                  "trying the GET pages", page_url, ", ".join(missing))
            return None
        return config

    def _first_window(self, spider: SourceSpider, config: JpageConfig, page_url: str, listed: int,
                      depth: int) -> Iterator[scrapy.Request]:
        per_page = config.per_page or DEFAULT_PER_PAGE
        size = option(spider, "records_per_request", per_page * (config.group_size or DEFAULT_GROUP_SIZE))
        window = {"proxy": config.proxy_url, "form": config.form, "start": listed + 1, "size": size,
                  "per_page": per_page, "page": 1, "total": config.total}
        yield from self._next_window(spider, window, listed, config.total, page_url, depth, first=True)

    def _next_window(self, spider: SourceSpider, window: dict[str, Any], got: int, total: int | None, base: str,
                     depth: int, *, first: bool = False) -> Iterator[scrapy.Request]:
        """The POST for the records after ``window`` (or ``window`` itself on the column page)."""
        start = window["start"] if first else window["start"] + window["size"]
        page = window["page"] + 1
        if not first and got == 0:
            return  # an empty window: the column has no more records
        if page > option(spider, "max_list_pages", DEFAULT_MAX_LIST_PAGES) or (total is not None and start > total):
            return
        nxt = {**window, "start": start, "page": page}
        request = spider.listing_request(window_url(window["proxy"], start, start + window["size"] - 1,
                                                    window["per_page"]), depth + 1, formdata=window["form"],
                                         headers={"Referer": base}, policywatch_role="dataproxy-post",
                                         policywatch_page=base, policywatch_window=nxt)
        if request is not None:
            yield request

    def _next_get(self, spider: SourceSpider, response: Response, text: str, base: str,
                  depth: int) -> Iterator[scrapy.Request]:
        """Page N+1 of the GET pages, as long as ``<totalpage>`` allows (unknown on the column page: then one
        more page is tried) and max_list_pages is not reached."""
        page = response.meta.get("policywatch_dataproxy_page", 1)
        template = response.meta.get("policywatch_dataproxy") or dataproxy_template(text, response.url)
        total = total_pages(text)
        known_end = total if total is not None else (page + 1 if page == 1 else page)
        if template is None or page >= min(known_end, option(spider, "max_list_pages", DEFAULT_MAX_LIST_PAGES)):
            return
        request = spider.listing_request(with_page(template, page + 1), depth + 1, policywatch_role="dataproxy",
                                         policywatch_page=base, policywatch_dataproxy=template,
                                         policywatch_dataproxy_page=page + 1)
        if request is not None:
            yield request
