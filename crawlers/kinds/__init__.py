"""Source kinds: how a source's list pages are read. A kind is a small declarative adapter.

``html`` follows links (``allow`` = articles, ``follow`` = more list pages). Other kinds read lists
that are not plain links (JSON APIs, script-built pagers) and hand article URLs back to the spider,
which fetches and archives them all the same way. Register a kind with ``@register_kind``.

Every kind inherits ``ListKind``: start URLs are read as list pages, and ``sitemap_urls`` /
``feed_urls`` of the source are read as extra discovery, whatever the kind. Facts a list gives about an
article (publisher, document number, is_abolished…) travel in the request meta ``policywatch_meta``
and end up in ``PageItem.meta``.
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urljoin, urlparse

import scrapy
from scrapy.http import Response, TextResponse

from monitor.urls import canonical_url

if TYPE_CHECKING:
    from crawlers.spiders.pages import SourceSpider

LINKS_STAT = "policywatch/listing/links"


class Kind(Protocol):
    name: str

    def start_requests(self, spider: SourceSpider) -> Iterable[scrapy.Request]: ...

    def parse_listing(self, spider: SourceSpider, response: Response) -> Iterable[scrapy.Request]: ...

    def article_meta(self, response: Response) -> dict[str, Any]: ...


KINDS: dict[str, Callable[[], Any]] = {}


def register_kind(name: str) -> Callable[[type], type]:
    def decorate(cls: type) -> type:
        cls.name = name  # type: ignore[attr-defined]
        KINDS[name] = cls
        return cls

    return decorate


def load_builtin_kinds() -> None:
    from crawlers.kinds import gkmlpt, govcn_json, hanweb, html, miit_buildstatic, trs  # noqa: F401


def get_kind(name: str) -> Kind:
    load_builtin_kinds()
    try:
        return KINDS[name]()  # type: ignore[no-any-return]
    except KeyError:
        raise ValueError(f"unknown source kind {name!r} (known: {', '.join(sorted(KINDS))})") from None


def option(spider: SourceSpider, key: str, default: Any) -> Any:
    """A kind option of the spider's source (validated when sources.yaml was loaded)."""
    return spider.source.options.get(key, default)


def count_links(spider: SourceSpider, n: int) -> None:
    """Count candidate links a list gave (read back by ``policywatch sources check``)."""
    crawler = getattr(spider, "crawler", None)
    if crawler is not None and crawler.stats is not None:
        crawler.stats.inc_value(LINKS_STAT, n)


MAX_FACT_CHARS = 1000


def bounded(value: Any, depth: int = 0) -> Any:
    """A list's facts about an article with long strings cut and nesting limited: list answers are hostile."""
    if isinstance(value, str):
        return value[:MAX_FACT_CHARS]
    if isinstance(value, dict) and depth < 3:
        return {str(k)[:100]: bounded(v, depth + 1) for k, v in list(value.items())[:50]}
    if isinstance(value, list) and depth < 3:
        return [bounded(v, depth + 1) for v in value[:50]]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)[:MAX_FACT_CHARS]


def listing_depth(response: Response) -> int:
    return int(response.meta.get("policywatch_depth", 0))


def join_link(base: str, href: str) -> str | None:
    """``href`` made absolute against ``base``, or None for a link no URL parser accepts (``http://[x``).

    Links come from hostile pages and JSON answers: one malformed link must not lose the rest of its list.
    """
    try:
        return urljoin(base, href.strip())
    except ValueError:
        return None


def links_to_requests(spider: SourceSpider, urls: Iterable[str], depth: int,
                      article_meta: dict[str, dict[str, Any]] | None = None) -> Iterator[scrapy.Request]:
    """Classify discovered URLs by the source's patterns (``deny``, ``allow``, ``follow``, matched against
    canonical URLs: ``SourceSpider.is_article``) and turn them into requests.

    ``article_meta`` maps a URL, as given, to the facts its list gave about it (stored with the article).
    """
    urls = [url for url in urls if not _malformed(spider, url)]
    if spider.source.deny:
        urls = [url for url in urls if not spider.is_denied(url)]
    count_links(spider, len(urls))
    for url in urls:
        if not spider.on_site(url):
            continue
        if spider.is_article(url):
            facts = bounded((article_meta or {}).get(url))
            request = spider.article_request(url, policywatch_meta=facts) if facts else spider.article_request(url)
            if request is not None:
                yield request
        elif depth < spider.source.max_depth and spider.is_listing(url):
            listing = spider.listing_request(url, depth + 1)
            if listing is not None:
                yield listing


def _malformed(spider: SourceSpider, url: str) -> bool:
    """Whether ``url`` has no canonical form (a port out of range, a broken IPv6 host): skipped, logged."""
    try:
        canonical_url(url)
    except ValueError as exc:
        spider.logger.info("skipping a malformed link %r: %s", url[:200], exc)
        return True
    return False


class ListKind:
    """What every kind shares: start URLs, sitemap/feed discovery, article ``<meta>`` facts.

    Subclasses implement ``parse_list_page`` and may name ``ARTICLE_META``: ``<meta name=…>`` tags of
    the article page whose content is kept in ``PageItem.meta``.
    """

    name = "list"
    ARTICLE_META: tuple[str, ...] = ()

    def start_requests(self, spider: SourceSpider) -> Iterator[scrapy.Request]:
        for url in spider.source.start_urls:
            if spider.is_article(url):
                request = spider.article_request(url)
                if request is not None:
                    yield request
            else:
                yield from self.start_listings(spider, url)
        from crawlers.kinds.discovery import discovery_requests

        yield from discovery_requests(spider)

    def start_listings(self, spider: SourceSpider, url: str) -> Iterator[scrapy.Request]:
        request = spider.listing_request(url, 0)
        if request is not None:
            yield request

    def parse_listing(self, spider: SourceSpider, response: Response) -> Iterator[scrapy.Request]:
        from crawlers.kinds.discovery import parse_feed, parse_sitemap

        role = response.meta.get("policywatch_role")
        if role == "sitemap":
            yield from parse_sitemap(spider, response)
        elif role == "feed":
            yield from parse_feed(spider, response)
        else:
            yield from self.parse_list_page(spider, response)

    def parse_list_page(self, spider: SourceSpider, response: Response) -> Iterator[scrapy.Request]:
        raise NotImplementedError

    def article_meta(self, response: Response) -> dict[str, Any]:
        if not self.ARTICLE_META or not hasattr(response, "css"):
            return {}
        found = {}
        for name in self.ARTICLE_META:
            value = response.css(f'meta[name="{name}"]::attr(content)').get()
            if value and value.strip():
                found[name] = value.strip()[:500]
        return found


_LINK_HREFS = "//a/@href | //area/@href"
_LINK_SCHEMES = ("http", "https", "file", "ftp")


@lru_cache(maxsize=256)
def _deny_patterns(deny: tuple[str, ...]) -> list[re.Pattern[str]]:
    return [re.compile(pattern) for pattern in deny]


def page_links(spider: SourceSpider, response: Response, css: str | None = None) -> list[str]:
    """Absolute URLs of the links in an HTML response (inside ``css`` when given), in page order.

    ``deny`` is not applied here but where links are classified (``links_to_requests``): against the
    canonical URL, and for links from every kind of list alike.
    """
    if not isinstance(response, TextResponse):
        spider.logger.warning("listing %s is not text (%s)", response.url, response.headers.get("Content-Type"))
        return []
    if css is not None:
        from scrapy.utils.response import get_base_url

        base = get_base_url(response)
        joined = (join_link(base, href) for href in response.css(f"{css}::attr(href)").getall() if href.strip())
        return [url for url in joined if url]
    return link_urls(response)


def link_urls(response: TextResponse, deny: Iterable[str] = ()) -> list[str]:
    """What ``LinkExtractor(deny=deny, unique=True)`` extracts, as URLs.

    The same rules (``<a>``/``<area>`` hrefs against the base URL, web schemes only, no links to files
    Scrapy ignores, ``deny`` regexes, each URL once) without building a ``Link`` with its anchor text per
    link: list pages of government sites carry hundreds of navigation links, and the extractor was a
    tenth of a re-check's CPU (bench/crawl_bench.py --profile). tests/test_kinds.py compares the two.
    """
    from scrapy.utils.response import get_base_url
    from w3lib.html import strip_html5_whitespace

    base, encoding = get_base_url(response), response.encoding
    deny = tuple(deny)
    seen: set[str] = set()
    urls = []
    for href in response.xpath(_LINK_HREFS).getall():
        try:
            joined = urljoin(base, strip_html5_whitespace(href))
        except ValueError:
            continue  # a bogus link
        link = _link_url(joined, encoding, deny)
        if link is None or link[0] in seen:
            continue
        url, extracted = link
        seen.add(url)
        if extracted:
            urls.append(url)
    return urls


@lru_cache(maxsize=8192)
def _link_url(joined: str, encoding: str, deny: tuple[str, ...]) -> tuple[str, bool] | None:
    """The escaped URL of a link already joined with its base, and whether it is extracted (a scheme, file
    type or ``deny`` regex can rule it out; it still counts as seen); None when it is not a URL.

    Remembered: the list pages of a site repeat the same navigation and pager links on every page, and
    escaping, parsing and matching each one again was most of the cost of reading a list page.
    """
    from scrapy.linkextractors import IGNORED_EXTENSIONS
    from w3lib.url import safe_url_string

    try:
        url = safe_url_string(joined, encoding=encoding)
    except ValueError:
        return None  # a bogus link
    parts = urlparse(url)
    if parts.scheme not in _LINK_SCHEMES or any(p.search(url) for p in _deny_patterns(deny)):
        return url, False
    return url, posixpath.splitext(parts.path)[1].lower() not in _ignored_extensions(tuple(IGNORED_EXTENSIONS))


@lru_cache(maxsize=4)
def _ignored_extensions(extensions: tuple[str, ...]) -> frozenset[str]:
    return frozenset(f".{extension}" for extension in extensions)


def json_body(spider: SourceSpider, response: Response) -> Any | None:
    """The JSON of an API answer, or None (logged, counted) when it is not JSON."""
    import json

    try:
        return json.loads(response.body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        spider.logger.warning("%s: HTTP %s answer is not JSON: %s", response.url, response.status, exc)
        crawler = getattr(spider, "crawler", None)
        if crawler is not None and crawler.stats is not None:
            crawler.stats.inc_value("policywatch/listing/bad_json")
        return None


def dig(data: Any, path: str) -> Any:
    """``dig({"data": {"html": x}}, "data.html") == x``; None when a step is missing."""
    for step in filter(None, path.split(".")):
        if isinstance(data, dict):
            data = data.get(step)
        elif isinstance(data, list) and step.isdigit() and int(step) < len(data):
            data = data[int(step)]
        else:
            return None
    return data
