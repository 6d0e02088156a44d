"""`RetryBackoffMiddleware`: wait longer before each retry of an overloaded or slow server.

Scrapy's ``RetryMiddleware`` re-queues a failed request at once. A government server answering
503, timing out or dropping the connection mid-answer is usually overloaded, and hitting it again
immediately makes that worse, so a retry after a 5xx/429 answer, a timeout or a lost connection waits
``RETRY_BACKOFF_BASE * 2**(n-1)`` seconds (capped at ``RETRY_BACKOFF_MAX``, or the server's
``Retry-After`` when it asks for longer), without blocking the reactor: other requests go on
meanwhile. Connection refused / DNS failures are retried as Scrapy does (no server to spare).

`MetaRefreshMiddleware`: Scrapy's, after a quick test that the page can declare a refresh at all.

`RobotsTxtMiddleware`: Scrapy's, whose failures to fetch a robots.txt are one WARNING line, not a traceback.

`DecodeMiddleware`: an HTML page is read in the encoding ``monitor.decode`` finds, not the one its HTTP
header claims.
"""
from __future__ import annotations

import logging
import re

from scrapy import Request, Spider
from scrapy import exceptions as scrapy_exceptions
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares import robotstxt as scrapy_robotstxt
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as ScrapyMetaRefreshMiddleware
from scrapy.http import HtmlResponse, Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import defer, error, reactor
from twisted.internet.task import deferLater
from twisted.web.client import ResponseFailed, ResponseNeverReceived
from w3lib.encoding import read_bom

from monitor.decode import decode_html

logger = logging.getLogger(__name__)

# What a busy server does to a request: time out, or drop the connection before or while answering. Recent
# Scrapy (2.19 here) raises its own exceptions for these, wrapping Twisted's; older ones (pyproject allows
# 2.11) pass Twisted's through. All are retried by RetryMiddleware; refused connections and DNS failures
# are not here on purpose.
BACKOFF_EXCEPTIONS: tuple[type[BaseException], ...] = (
    *(getattr(scrapy_exceptions, name) for name in ("DownloadTimeoutError", "DownloadFailedError",
                                                    "ResponseDataLossError") if hasattr(scrapy_exceptions, name)),
    defer.TimeoutError, error.TimeoutError, error.TCPTimedOutError, error.ConnectionLost, error.ConnectionDone,
    ResponseFailed, ResponseNeverReceived,
)
# Request meta: why the request failed and the server's Retry-After (seconds or None); set on the failed
# request, copied by RetryMiddleware into its retry, read (and dropped) when the retry is about to go out.
BACKOFF_FLAG = "policywatch_backoff"


def backoff_delay(retry_times: int, base: float, maximum: float, retry_after: float | None = None) -> float:
    """Seconds to wait before retry number ``retry_times`` (1, 2, …)."""
    if retry_times < 1 or base <= 0:
        return 0.0
    delay = min(base * 2 ** (retry_times - 1), maximum)
    if retry_after is not None:
        delay = max(delay, min(retry_after, maximum))
    return delay


def _retry_after(response: Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value.decode("latin-1")) if value else None
    except ValueError:  # an HTTP date: not worth parsing for a capped wait
        return None


class RetryBackoffMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.maximum = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)
        self.codes = {int(c) for c in settings.getlist("RETRY_HTTP_CODES")}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryBackoffMiddleware:
        return cls(crawler)

    def retry_delay(self, request: Request) -> tuple[float, str] | None:
        """Seconds a retry waits before it goes out, and why; None for a request that is no such retry.

        Dropped from the meta, so a redirect of the retry's answer (which copies the meta) does not wait again.
        """
        flag = request.meta.pop(BACKOFF_FLAG, None)
        if flag is None:
            return None
        reason, retry_after = flag
        return backoff_delay(request.meta.get("retry_times", 0), self.base, self.maximum, retry_after), reason

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        wait = self.retry_delay(request)
        if wait is not None and wait[0] > 0:
            logger.debug("waiting %.1f s before retry %d of %s (%s)", wait[0], request.meta.get("retry_times", 0),
                         request.url, wait[1])
            await maybe_deferred_to_future(deferLater(reactor, wait[0], lambda: None))  # type: ignore[arg-type]
        return None

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        # Runs before RetryMiddleware's (higher order), which copies this meta into the retry request.
        if response.status in self.codes:
            request.meta[BACKOFF_FLAG] = (f"HTTP {response.status}", _retry_after(response))
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> None:
        # Runs before RetryMiddleware's too (process_exception goes from the highest order down).
        if isinstance(exception, BACKOFF_EXCEPTIONS):
            request.meta[BACKOFF_FLAG] = (type(exception).__name__, None)
        return None


# Scrapy looks for a refresh in the first 4096 characters of a page's text (scrapy.utils.response.get_meta_refresh)
# and only in the attributes of a <meta> element that hold the word, in any case.
META_REFRESH_SCAN = 4096
_REFRESH = re.compile("refresh", re.IGNORECASE)


class MetaRefreshMiddleware(ScrapyMetaRefreshMiddleware):
    """Scrapy's ``MetaRefreshMiddleware``, which first tests whether the word "refresh" occurs where a refresh
    would be read: on a page without it (nearly all), the scan of its <meta> elements (1.5% of a first crawl's
    CPU in the crawl process, bench/crawl_bench.py --profile) cannot find one and is skipped.
    """

    def process_response(self, request: Request, response: Response,  # type: ignore[override]
                         spider: Spider | None = None) -> Request | Response:
        if isinstance(response, HtmlResponse) and _REFRESH.search(response.text, 0, META_REFRESH_SCAN) is None:
            return response
        return super().process_response(request, response)  # type: ignore[no-any-return]


ROBOTS_NOT_FETCHED = "robots.txt not fetched, so not obeyed: "


class _RobotsFailureInOneLine(logging.Filter):
    """Turns the ERROR with traceback Scrapy's ``RobotsTxtMiddleware`` logs when a robots.txt cannot be
    downloaded into one WARNING line naming the robots.txt and the reason.

    A server that refuses connections otherwise put ~70 lines of Twisted traceback into every run's log,
    for a case that is no bug: the request's own failure is logged (and recorded) anyway. Only records that
    carry a traceback and the request they were about are changed; any other passes as Scrapy wrote it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if record.exc_info and isinstance(args, dict) and isinstance(args.get("request"), Request):
            where = urlparse_cached(args["request"])
            problem = args.get("f_exception")
            record.msg = ROBOTS_NOT_FETCHED + "%s: %s: %s"
            record.args = (f"{where.scheme}://{where.netloc}/robots.txt", type(problem).__name__, problem)
            record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
            record.exc_info = record.exc_text = None
        return True


class RobotsTxtMiddleware(scrapy_robotstxt.RobotsTxtMiddleware):
    """Scrapy's ``RobotsTxtMiddleware`` (a robots.txt that cannot be fetched allows everything, as there),
    logging that failure in one line (``_RobotsFailureInOneLine``).

    A filter on Scrapy's logger rather than a copy of its download code: that code is private and changes
    between Scrapy versions, its log message has not. Replaces Scrapy's in DOWNLOADER_MIDDLEWARES
    (crawlers/settings.py), so the filter is there whenever robots.txt is obeyed.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        robots_logger = scrapy_robotstxt.logger
        if not any(isinstance(f, _RobotsFailureInOneLine) for f in robots_logger.filters):
            robots_logger.addFilter(_RobotsFailureInOneLine())


class DecodeMiddleware:
    """Gives every HTML answer the encoding ``monitor.decode.decode_html`` finds, so that each later ``.text``,
    ``.css`` and ``.encoding`` of the crawl (links, attachment titles, ``<meta>`` facts) reads what the
    extracted text reads.

    Scrapy believes the HTTP charset over the page's own ``<meta>``; many government servers send
    ``charset=utf-8`` for GBK pages, which made attachment titles and meta facts garbage and Chinese file
    names in links unreachable. The text decoded here is handed to the response, which Scrapy would decode
    anyway (``MetaRefreshMiddleware`` reads every page's text): no page is decoded twice. A 304 has no body.
    Placed between ``HttpCompressionMiddleware`` (590) and ``MetaRefreshMiddleware`` (580).
    """

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        if isinstance(response, HtmlResponse) and response.status != 304 and response.body:
            return decoded(response)
        return response


def decoded(response: HtmlResponse) -> HtmlResponse:
    """``response`` with the encoding ``decode_html`` finds and the text it decoded."""
    content_type = response.headers.get(b"Content-Type")
    text, encoding = decode_html(response.body, content_type.decode("latin-1") if content_type else None)
    if text.startswith("\ufeff") or encoding.startswith("utf-16"):
        # As Scrapy reads a BOM: not part of the text, and a codec named without one (the codec escapes
        # link queries: no BOM in a URL). decode_html's plain "utf-8" keeps a UTF-8 BOM as a character.
        text, encoding = text.removeprefix("\ufeff"), read_bom(response.body)[0] or encoding
    result = response.replace(encoding=encoding)
    result._cached_ubody = text  # noqa: SLF001 - what Scrapy's .text caches; decoding the page again costs as much
    return result
