"""`SourceSpider`: the one generic spider. A site is a ``Source`` entry, never a subclass.

Start URLs and pages matching ``follow`` are listing pages: their links are read, they are not
archived. Links matching ``allow`` are articles: fetched, handed to the pipeline, not followed.
The patterns are matched against a link's canonical URL (monitor/urls.py), the form its page is known
under, so ``#content`` or ``?from=timeline`` after a link does not hide it from an ``allow`` ending in ``$``.

Re-checks use what the archive knows: URLs are canonicalised (and old addresses mapped to their
page), an archived page is fetched only when its ``recheck`` policy says it is due, with the stored
ETag/Last-Modified as a conditional request, and archived pages the lists no longer link are
re-checked once the lists are done, so removals are seen. List pages are asked for conditionally too:
on ``304`` the links they gave last time are followed again (storage/listings.py).
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from functools import cached_property
from typing import Any
from urllib.parse import urlencode, urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawlers.items import AttachmentItem, ListFetchItem, ListingItem, PageItem
from crawlers.kinds import get_kind, listing_depth
from monitor.attachments import is_attachment_url, may_be_attachment_link, may_link_attachments
from monitor.detect import MISSING_STATUSES
from monitor.recheck import is_due
from monitor.source import Source
from monitor.urls import canonical_url, same_site
from storage import Archive, ArchiveError, PageState
from storage.listings import ListingState

# Answers an article request hands to parse_article instead of dropping: "not modified", and the
# client and server errors that detect.record tells apart (404/410 count towards removal).
# Redirects are not listed, so Scrapy follows them and the final URL is what gets archived (a chain
# ending in 404/410 is the first URL answering it: parse_article).
HANDLED_STATUSES = [304, *range(400, 600)]
DEFAULT_ATTACHMENT_MAXSIZE = 20 * 1024 * 1024
# Part of the listing fingerprint: raised when links are classified differently, since the calls a list
# page's last full read made are replayed on 304. 2: patterns matched against canonical URLs.
LINK_RULES = 2


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class SourceSpider(scrapy.Spider):
    """Fetches a source's list pages through its kind and archives every article page found."""

    name = "source"
    # List pages are asked for with the validators they last answered with, and a 304 replays the calls
    # their last full read made (``sources check`` reads lists in full: it reports what they hold).
    conditional_listings = True

    def __init__(self, source: Source, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.source = source
        self.kind = get_kind(source.kind)
        self.allowed_domains = source.domains
        self._allow = [re.compile(p) for p in source.allow]
        self._follow = [re.compile(p) for p in source.follow]
        self._deny = [re.compile(p) for p in source.deny]
        # Domains are checked on the host name here: LinkExtractor compares them with host:port.
        self._domains = tuple(d.lower().lstrip(".") for d in source.domains)
        self._articles: set[str] = set()
        self._listings: set[str] = set()
        self._known: dict[str, PageState] = {}
        self._aliases: dict[str, str] = {}
        self._attachment_validators: dict[str, tuple[str | None, str | None]] = {}
        self._attachments: set[tuple[str, str]] = set()
        self._page_attachments: dict[str, list[tuple[str, str | None]]] = {}
        self._listing_probe: list[bool] | None = None
        self._listing_states: dict[str, ListingState] = {}
        self._listing_calls: list[Any] | None = None  # the calls the list page being read makes
        self._listing_made: set[int] = set()  # ids of the requests those calls returned
        self._unlinked_scheduled = False
        self._now = datetime.now(timezone.utc)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SourceSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.recheck_unlinked, signal=signals.spider_idle)
        return spider

    def load_archive_state(self) -> None:
        """What the archive knows of this source's pages (one read at start, not one per URL)."""
        db_path = self.settings.get("POLICYWATCH_DB") if hasattr(self, "settings") else None
        if not db_path:
            return
        try:
            with Archive(db_path) as archive:
                self._known = archive.page_states(self.source.name)
                self._aliases = archive.aliases(self.source.name)
                self._attachment_validators = archive.attachment_validators(self.source.name)
                self._page_attachments = archive.attachment_links(self.source.name)
                if self.conditional_listings:
                    self._listing_states = archive.listing_states(self.source.name, self.listing_fingerprint)
        except ArchiveError as exc:
            self.logger.warning("cannot read archived pages, every page counts as new: %s", exc)
        self.alias_older_forms()

    def alias_older_forms(self) -> None:
        """Map today's canonical form of a URL archived in an older one to the archived page.

        ``canonical_url`` once kept default ports and ``;jsessionid=…``: such a page would otherwise
        come back as a new page under its shorter URL, and the old one would never be checked again.
        Only URLs with a port or a ``;`` can differ, so the others are not canonicalised again.
        """
        for url in self._known:
            if ";" in url or url.count(":") > 1:
                current = canonical_url(url)
                if current != url and current not in self._known:
                    self._aliases.setdefault(current, url)

    @cached_property
    def listing_fingerprint(self) -> str:
        """Which configuration and code read the lists: the links a list gave are only replayed under the same."""
        from crawlers.settings import _VERSION

        config = json.dumps([_VERSION, LINK_RULES, self.source.to_dict()], sort_keys=True, default=str)
        return hashlib.sha256(config.encode()).hexdigest()[:32]

    def on_site(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return not self._domains or any(host == d or host.endswith("." + d) for d in self._domains)

    def is_article(self, url: str) -> bool:
        """Whether a link leads to an article: ``allow`` matches its canonical URL and ``deny`` does not.

        The canonical URL is the one the page is archived under, so every link to a page is classified
        alike; ``article_request`` then finds it in ``canonical_url``'s cache.
        """
        page = canonical_url(url)
        return any(p.search(page) for p in self._allow) and not self._denies(page)

    def is_listing(self, url: str) -> bool:
        """Whether a link leads to a list page: ``follow`` matches its canonical URL with every parameter
        (the form list pages are known under: ``from`` may be an offset there) or without tracking ones
        (``index_1.html?from=timeline`` for ``index_\\d+\\.html$``), and ``deny`` does not."""
        key, page = canonical_url(url, strip_tracking=False), canonical_url(url)
        return (any(p.search(key) for p in self._follow)
                or (page != key and any(p.search(page) for p in self._follow))) and not self._denies(page)

    def is_denied(self, url: str) -> bool:
        """Whether ``deny`` matches the link's canonical URL (without tracking parameters)."""
        return self._denies(canonical_url(url)) if self._deny else False

    def _denies(self, page: str) -> bool:
        return any(p.search(page) for p in self._deny)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.load_archive_state()
        for request in self.kind.start_requests(self):
            yield request

    def page_url(self, url: str) -> str:
        """The URL a page is archived under: canonical form, old addresses mapped to the current one."""
        url = canonical_url(url)
        return self._aliases.get(url, url)

    def is_fresh(self, url: str) -> bool:
        """An archived page checked recently enough for its ``recheck`` policy (not due this run)."""
        state = self._known.get(url)
        if state is None:
            return False
        return not is_due(self.source.recheck, first_seen=state.first_seen, last_ok=state.last_ok,
                          missing_count=state.missing_count, now=self._now, removed=state.removed_at is not None)

    def article_request(self, url: str, *, unlinked: bool = False, **meta: Any) -> scrapy.Request | None:
        """A request for an article page, or None when it was seen already, is not due for a re-check
        or ``max_pages`` is reached (re-checks of ``unlinked`` archived pages are not counted)."""
        request = self._article_request(url, unlinked=unlinked, **meta)
        self._record_call(request, ["article", url, unlinked, meta])
        return request

    def _record_call(self, request: scrapy.Request | None, call: list[Any]) -> None:
        """While a list page is read: note a call it made, and the request that came of it."""
        if self._listing_calls is not None:
            self._listing_calls.append(call)
            if request is not None:
                self._listing_made.add(id(request))

    def _article_request(self, url: str, *, unlinked: bool = False, **meta: Any) -> scrapy.Request | None:
        url = self.page_url(url)
        fresh = self.is_fresh(url)
        if self._listing_probe is not None:
            self._listing_probe.append(fresh or (url in self._articles and url in self._known))
        if fresh and not unlinked and self._known[url].removed_at is not None:
            # A page marked removed that a list links again may be back: checked now, not at ``old_every``
            # (a false "Removed:" would stay in the feeds that long). Pages no list links keep that schedule.
            fresh = False
        if url in self._articles or fresh or (not unlinked and len(self._articles) >= self.source.max_pages):
            return None
        self._articles.add(url)
        state = self._known.get(url)
        headers = _conditional_headers(state.etag, state.last_modified) if state else {}
        # dont_filter: URLs are deduplicated here already, and a redirect from an old address to a page
        # fetched earlier in this run must reach parse_article (that is how a move is seen).
        return scrapy.Request(url, headers=headers, callback=self.parse_article, errback=self.on_error,
                              dont_filter=True, meta={"handle_httpstatus_list": HANDLED_STATUSES, **meta})

    @property
    def attachment_maxsize(self) -> int:
        settings = getattr(self, "settings", None)  # absent when a test builds the spider without a crawler
        return settings.getint("POLICYWATCH_ATTACHMENT_MAXSIZE", DEFAULT_ATTACHMENT_MAXSIZE) if settings \
            else DEFAULT_ATTACHMENT_MAXSIZE

    def attachment_requests(self, response: Response, page_url: str) -> Iterator[scrapy.Request]:
        """Requests for the files an article page links (bounded in size, after the pages).

        A page that answered 304 has no links to read: its archived attachments are re-checked
        instead, so a revised PDF behind an unchanged page is still seen.
        """
        if not self.source.attachments:
            return
        if response.status == 304:
            for url, title in self._page_attachments.get(page_url, []):
                request = self.attachment_request(page_url, url, title)
                if request is not None:
                    yield request
            return
        if response.status != 200 or not isinstance(response, TextResponse) \
                or not may_link_attachments(response.text, response.url):
            return
        # The parsed tree's href strings, not a Selector per link (what ``css("a[href]")`` builds): a page
        # has a hundred menu links for each file, and the wrappers were 7% of a first crawl's CPU here.
        # Same links and titles as the CSS form on every extraction-corpus page (tests/test_attachments.py).
        for value in response.selector.root.xpath("descendant-or-self::a/@href"):
            href = value.strip()
            if not href or href.startswith(("javascript:", "mailto:")) or not may_be_attachment_link(href):
                continue
            try:
                url = canonical_url(response.urljoin(href), encoding=response.encoding)
            except ValueError:
                continue  # a malformed link (http://[x): not a file we could fetch
            if is_attachment_url(url) and self.on_site(url):
                title = " ".join("".join(value.getparent().itertext()).split())[:300] or None
                request = self.attachment_request(page_url, url, title)
                if request is not None:
                    yield request

    def attachment_request(self, page_url: str, url: str, title: str | None) -> scrapy.Request | None:
        if (page_url, url) in self._attachments:
            return None
        self._attachments.add((page_url, url))
        headers = _conditional_headers(*self._attachment_validators.get(url, (None, None)))
        return scrapy.Request(
            url, headers=headers, priority=-10, callback=self.parse_attachment, errback=self.on_attachment_error,
            meta={"handle_httpstatus_list": HANDLED_STATUSES, "policywatch_page": page_url,
                  "policywatch_title": title, "download_maxsize": self.attachment_maxsize},
        )

    def parse_attachment(self, response: Response) -> Iterator[AttachmentItem]:
        yield AttachmentItem(
            page_url=response.meta["policywatch_page"], url=canonical_url(_requested_url(response)),
            title=response.meta.get("policywatch_title"), source=self.source.name, status=response.status,
            body=response.body, content_type=_header(response, "Content-Type"), fetched_at=utc_now(),
            elapsed_ms=_elapsed_ms(response), etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
        )

    def on_attachment_error(self, failure: Failure) -> Iterator[AttachmentItem]:
        request = failure.request  # type: ignore[attr-defined]
        response = getattr(failure.value, "response", None)
        self.logger.warning("attachment fetch failed: %s: %s", request.url, failure.getErrorMessage())
        yield AttachmentItem(
            page_url=request.meta["policywatch_page"], url=canonical_url(request.url),
            title=request.meta.get("policywatch_title"), source=self.source.name,
            status=response.status if response is not None else None, body=b"", content_type=None,
            fetched_at=utc_now(), error=f"{type(failure.value).__name__}: {failure.getErrorMessage()}",
        )

    def recheck_unlinked(self) -> None:
        """Once the lists are done, re-check the due archived pages they no longer link (removals)."""
        if self._unlinked_scheduled:
            return
        self._unlinked_scheduled = True
        requests = [r for url in sorted(self._known) if (r := self.article_request(url, unlinked=True))]
        for request in requests:
            self.crawler.engine.crawl(request)
        if requests:
            self.logger.info("re-checking %d archived pages no list links", len(requests))
            raise DontCloseSpider

    def listing_request(self, url: str, depth: int, *, formdata: dict[str, str] | None = None,
                        headers: dict[str, str] | None = None, **meta: Any) -> scrapy.Request | None:
        """A request for a list page (not archived), or None when it was seen already.

        The canonical form only recognises a list seen before; the request keeps the URL as the site
        wrote it (APIs may care about parameter order, list pages may use ``from`` as an offset).
        With ``formdata`` the list is asked for by a form POST (list APIs such as Hanweb's dataproxy.jsp);
        the form is part of what makes two such lists the same. ``headers`` are sent as given (a list
        API's further pages send the list page as Referer, as the site's own script does).
        """
        request = self._listing_request(url, depth, formdata=formdata, headers=headers, **meta)
        self._record_call(request, ["listing", url, depth, formdata, headers, meta])
        return request

    @staticmethod
    def _listing_key(url: str, formdata: dict[str, str] | None) -> str:
        key = canonical_url(url, strip_tracking=False)
        return key if formdata is None else key + "\n" + urlencode(sorted(formdata.items()))

    def listing_seen(self, url: str, formdata: dict[str, str] | None = None) -> bool:
        """Whether this list page (this form, for a POSTed one) was asked for already in this run."""
        return self._listing_key(url, formdata) in self._listings

    def _listing_request(self, url: str, depth: int, *, formdata: dict[str, str] | None = None,
                         headers: dict[str, str] | None = None, **meta: Any) -> scrapy.Request | None:
        key = self._listing_key(url, formdata)
        if key in self._listings:
            return None
        self._listings.add(key)
        meta = {"policywatch_depth": depth, "policywatch_listing": True, "policywatch_listing_key": key, **meta}
        state = self._listing_states.get(key) if formdata is None else None
        if state is not None and state.depth == depth:
            headers = {**_conditional_headers(state.etag, state.last_modified), **(headers or {})}
            meta["handle_httpstatus_list"] = [304]
        if formdata is not None:
            return scrapy.FormRequest(url.split("#", 1)[0], formdata=formdata, headers=headers,
                                      callback=self.parse_listing, errback=self.on_error, meta=meta)
        return scrapy.Request(url.split("#", 1)[0], headers=headers, callback=self.parse_listing,
                              errback=self.on_error, meta=meta)

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request | ListingItem | ListFetchItem]:
        key = response.meta.get("policywatch_listing_key")
        yield ListFetchItem(source=self.source.name, url=response.url, status=response.status,
                            size=len(response.body), fetched_at=utc_now(), elapsed_ms=_elapsed_ms(response))
        self._listing_probe, self._listing_calls, self._listing_made = [], [], set()
        try:
            if response.status == 304:
                requests = list(self.replay_listing(response, self._listing_states.get(key)))
            else:
                requests = list(self.kind.parse_listing(self, response))
            probe, calls = self._listing_probe, self._listing_calls
        finally:
            self._listing_probe = self._listing_calls = None
        stop = self.source.incremental and bool(probe) and all(probe)
        if stop:
            # Incremental mode: this whole list page is known and recently checked, so later pages are too.
            waiting = len(response.meta.get("policywatch_then", ()))
            self.logger.info("incremental: %s holds only known articles, not paging further%s", response.url,
                             f" ({waiting} more pages announced)" if waiting else "")
            requests = [r for r in requests if not r.meta.get("policywatch_listing")]
        if response.status != 304 and key and self.conditional_listings:
            item = self.listing_item(response, key, calls, requests)
            if item is not None:
                yield item
        if self.source.incremental and not stop:
            requests = pages_in_turn(requests, response.meta.get("policywatch_then", ()))
        yield from requests

    def replay_listing(self, response: Response, state: ListingState | None) -> Iterator[scrapy.Request]:
        """The requests a list page's last full read made: it answered 304, so it links the same pages."""
        if state is None:
            self.logger.warning("%s answered 304 to a request without validators; no links read", response.url)
            return
        for call in state.calls:
            if call[0] == "article":
                _, url, unlinked, meta = call
                request = self.article_request(url, unlinked=unlinked, **meta)
            else:
                _, url, depth, formdata, headers, meta = call
                request = self.listing_request(url, depth, formdata=formdata, headers=headers, **meta)
            if request is not None:
                yield request

    def listing_item(self, response: Response, key: str, calls: list[Any] | None,
                     requests: list[Any]) -> ListingItem | None:
        """What to keep of a list page read in full (None: nothing kept before, nothing to keep now).

        Its calls are kept only when they alone made every request of the page (a kind that builds a
        request itself, such as an API call, cannot be replayed) and are plain JSON data, and only for a
        page fetched with GET that sent a validator.
        """
        etag, modified = _header(response, "ETag"), _header(response, "Last-Modified")
        replayable = (response.request is not None and response.request.method == "GET" and calls is not None
                      and all(id(r) in self._listing_made for r in requests) and bool(etag or modified)
                      and _is_json_data(calls))
        if not replayable and key not in self._listing_states:
            return None
        return ListingItem(source=self.source.name, url=key, depth=listing_depth(response),
                           fingerprint=self.listing_fingerprint, fetched_at=utc_now(),
                           calls=calls if replayable else None, etag=etag, last_modified=modified)

    def canonical_link(self, response: TextResponse) -> str | None:
        """The page's ``<link rel=canonical>`` as a page URL, or None (absent, empty or malformed)."""
        href = response.css("link[rel=canonical]::attr(href)").get()
        if not href or not href.strip():
            return None
        try:
            return self.page_url(response.urljoin(href.strip()))
        except ValueError:
            self.logger.info("%s: ignoring a malformed canonical link %r", response.url, href[:200])
            return None

    def parse_article(self, response: Response) -> Iterator[PageItem | scrapy.Request]:
        requested = self.page_url(_requested_url(response))
        url = self.page_url(response.url)
        if url != requested and response.status in MISSING_STATUSES:
            # A deleted article sent to the site's "not found" page (302, then 404): the article answered 404,
            # whatever that page's URL, so it counts towards removal (a home page answering 200 does not).
            url = requested
        if response.status == 200 and isinstance(response, TextResponse) and may_name_canonical(response.text):
            canonical = self.canonical_link(response)
            if canonical and same_site(canonical, url) and self.is_article(canonical):
                url = canonical
        if url != requested and not self.is_article(url):
            # A removed article redirected to a home page is not a new article (nor a removal yet).
            yield self.failed_item(requested, response.status, f"redirected to {url}, not an article of this source")
            return
        item = PageItem(
            url=url,
            source=self.source.name,
            status=response.status,
            body=response.body,
            content_type=_header(response, "Content-Type"),
            fetched_at=utc_now(),
            elapsed_ms=_elapsed_ms(response),
            meta={**(response.meta.get("policywatch_meta") or {}), **self.kind.article_meta(response)},
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
            requested_url=requested if requested != url else None,
        )
        attachments = list(self.attachment_requests(response, url))
        release_parsed_page(response)
        yield item
        yield from attachments

    def failed_item(self, url: str, status: int | None, message: str) -> PageItem:
        return PageItem(url=url, source=self.source.name, status=status, body=b"", content_type=None,
                        fetched_at=utc_now(), error=message)

    def on_error(self, failure: Failure) -> Iterator[PageItem | scrapy.Request]:
        request = failure.request  # type: ignore[attr-defined]
        response = getattr(failure.value, "response", None)
        message = f"{type(failure.value).__name__}: {failure.getErrorMessage()}"
        self.logger.warning("fetch failed: %s: %s", request.url, message)
        # A list page that failed says nothing about the pages after it: the next one is still asked for.
        yield from pages_in_turn([], request.meta.get("policywatch_then", ()))
        yield PageItem(
            url=request.url, source=self.source.name,
            status=response.status if response is not None else None, body=b"", content_type=None,
            fetched_at=utc_now(), error=message,
        )


_PAGE_SUFFIX = re.compile(r"_(\d+)(?=\.[A-Za-z]+$)")
_DIGITS = re.compile(r"\d+")


def pager_series(url: str) -> str:
    """What the pages of one paged list share: ``index_3.html`` and ``index_7.html`` give ``index.html``,
    ``?page=2&sid=5`` and ``?page=9&sid=5`` give ``?page=#&sid=#``; another column's path stays apart."""
    parts = urlsplit(url)
    return f"{parts.netloc}{_PAGE_SUFFIX.sub('', parts.path)}?{_DIGITS.sub('#', parts.query)}"


def _page_number(url: str) -> int:
    parts = urlsplit(url)
    match = _PAGE_SUFFIX.search(parts.path) or _DIGITS.search(parts.query)
    return int(match.group(match.lastindex or 0)) if match else 0


def pages_in_turn(requests: list[Any], then: tuple[scrapy.Request, ...] | list[scrapy.Request]) -> list[Any]:
    """Incremental mode: the further pages of one list are asked for one after the other, each carrying
    the rest (``policywatch_then``), so a page holding only known articles stops the pages after it.

    A TRS pager script or a numbered pager announces every page at once from page 0; asked for side by
    side, they would all be fetched before the first of them could say that paging should stop. Only GET
    list pages of one series (``pager_series``) are chained; other lists and articles go as they came.
    ``then`` is the rest of the series the page being parsed belongs to: its next page comes next.
    """
    others: list[Any] = []
    series: dict[str, list[scrapy.Request]] = {}
    for request in requests:
        if isinstance(request, scrapy.Request) and request.meta.get("policywatch_listing") \
                and request.method == "GET":
            series.setdefault(pager_series(request.url), []).append(request)
        else:
            others.append(request)
    if then:  # pages this page announced join the rest of its own series, in page order
        series.setdefault(pager_series(then[0].url), []).extend(then)
    for members in series.values():
        first, *rest = sorted(members, key=lambda r: _page_number(r.url))
        if rest:
            first.meta["policywatch_then"] = tuple(rest)
        others.append(first)
    return others


def _conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """Send the server's own strings back: nginx matches If-Modified-Since exactly."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def may_name_canonical(html: str) -> bool:
    """False only for a page without a ``<link rel=canonical>``: the attribute value is matched exactly,
    so the word is in the text, unless a numeric character reference spells it. Most government
    pages have none, and looking for it parsed every article page in the crawl process."""
    return "canonical" in html or "&#" in html


def release_parsed_page(response: Response) -> None:
    """Drop the parsed tree and decoded text a response caches once its links and facts are read.

    Scrapy keeps a response until the items of its callback are through the pipeline, and ours waits
    for the analysis worker: a few hundred responses at a time, each with an lxml tree ten times its
    body, were most of a first crawl's memory. The body stays (the item carries it)."""
    if isinstance(response, TextResponse):
        response._cached_selector = None  # noqa: SLF001 - Scrapy rebuilds both on the next access
        response._cached_ubody = None  # noqa: SLF001


def _requested_url(response: Response) -> str:
    """The URL first asked for (before redirects); offline test responses may have no request."""
    meta = getattr(response, "meta", None) or {}
    return (meta.get("redirect_urls") or [response.url])[0]  # type: ignore[no-any-return]


def _is_json_data(value: Any) -> bool:
    """Whether ``value`` comes back from JSON as it is (no tuples, no objects): what can be replayed."""
    try:
        return json.loads(json.dumps(value)) == value  # type: ignore[no-any-return]
    except (TypeError, ValueError):
        return False


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _elapsed_ms(response: Response) -> float | None:
    latency = response.meta.get("download_latency")
    return round(latency * 1000, 1) if latency is not None else None
