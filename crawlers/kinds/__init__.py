"""Source kinds: how a source's list pages are read. A kind is a small declarative adapter.

``html`` follows links (``allow`` = articles, ``follow`` = more list pages). Other kinds read lists
that are not plain links (JSON APIs, script-built pagers) and hand article URLs back to the spider,
which fetches and archives them all the same way. Register a kind with ``@register_kind``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

import scrapy
from scrapy.http import Response

if TYPE_CHECKING:
    from crawlers.spiders.pages import SourceSpider


class Kind(Protocol):
    name: str

    def start_requests(self, spider: SourceSpider) -> Iterable[scrapy.Request]: ...

    def parse_listing(self, spider: SourceSpider, response: Response) -> Iterable[scrapy.Request]: ...


KINDS: dict[str, Callable[[], Any]] = {}


def register_kind(name: str) -> Callable[[type], type]:
    def decorate(cls: type) -> type:
        cls.name = name  # type: ignore[attr-defined]
        KINDS[name] = cls
        return cls

    return decorate


def get_kind(name: str) -> Kind:
    from crawlers.kinds import html  # noqa: F401  - registers the built-in kinds

    try:
        return KINDS[name]()  # type: ignore[no-any-return]
    except KeyError:
        raise ValueError(f"unknown source kind {name!r} (known: {', '.join(sorted(KINDS))})") from None


def links_to_requests(spider: SourceSpider, urls: Iterable[str], depth: int) -> Iterator[scrapy.Request]:
    """Classify discovered URLs by the source's patterns and turn them into requests."""
    for url in urls:
        if not spider.on_site(url):
            continue
        if spider.is_article(url):
            request = spider.article_request(url)
            if request is not None:
                yield request
        elif spider.is_listing(url) and depth < spider.source.max_depth:
            listing = spider.listing_request(url, depth + 1)
            if listing is not None:
                yield listing
