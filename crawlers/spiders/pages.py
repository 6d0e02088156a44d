"""`SourceSpider`: the one generic spider. A site is a ``Source`` entry, never a subclass.

Start URLs and pages matching ``follow`` are listing pages: their links are read, they are not
archived. Links matching ``allow`` are articles: fetched, handed to the pipeline, not followed.
"""
from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.items import PageItem
from crawlers.kinds import get_kind
from monitor.sources import Source


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class SourceSpider(scrapy.Spider):
    """Fetches a source's list pages through its kind and archives every article page found."""

    name = "source"

    def __init__(self, source: Source, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.source = source
        self.kind = get_kind(source.kind)
        self.allowed_domains = source.domains
        self._allow = [re.compile(p) for p in source.allow]
        self._follow = [re.compile(p) for p in source.follow]
        # Domains are checked on the host name here: LinkExtractor compares them with host:port.
        self._domains = tuple(d.lower().lstrip(".") for d in source.domains)
        self._articles: set[str] = set()
        self._listings: set[str] = set()

    def on_site(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return not self._domains or any(host == d or host.endswith("." + d) for d in self._domains)

    def is_article(self, url: str) -> bool:
        return any(p.search(url) for p in self._allow)

    def is_listing(self, url: str) -> bool:
        return any(p.search(url) for p in self._follow)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self.kind.start_requests(self):
            yield request

    def article_request(self, url: str, **meta: Any) -> scrapy.Request | None:
        """A request for an article page, or None when it was seen already or ``max_pages`` is reached."""
        if url in self._articles or len(self._articles) >= self.source.max_pages:
            return None
        self._articles.add(url)
        return scrapy.Request(url, callback=self.parse_article, errback=self.on_error,
                              meta={"handle_httpstatus_all": True, **meta})

    def listing_request(self, url: str, depth: int, **meta: Any) -> scrapy.Request | None:
        """A request for a list page (not archived), or None when it was seen already."""
        if url in self._listings:
            return None
        self._listings.add(url)
        return scrapy.Request(url, callback=self.parse_listing, errback=self.on_error,
                              meta={"policywatch_depth": depth, "policywatch_listing": True, **meta})

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        yield from self.kind.parse_listing(self, response)

    def parse_article(self, response: Response) -> Iterator[PageItem]:
        content_type = response.headers.get("Content-Type")
        yield PageItem(
            url=response.url,
            source=self.source.name,
            status=response.status,
            body=response.body,
            content_type=content_type.decode("latin-1") if content_type else None,
            fetched_at=utc_now(),
            elapsed_ms=_elapsed_ms(response),
            meta={**(response.meta.get("policywatch_meta") or {}), **self.kind.article_meta(response)},
        )

    def on_error(self, failure: Failure) -> Iterator[PageItem]:
        request = failure.request  # type: ignore[attr-defined]
        response = getattr(failure.value, "response", None)
        message = f"{type(failure.value).__name__}: {failure.getErrorMessage()}"
        self.logger.warning("fetch failed: %s: %s", request.url, message)
        yield PageItem(
            url=request.url, source=self.source.name,
            status=response.status if response is not None else None, body=b"", content_type=None,
            fetched_at=utc_now(), error=message,
        )


def _elapsed_ms(response: Response) -> float | None:
    latency = response.meta.get("download_latency")
    return round(latency * 1000, 1) if latency is not None else None
