"""``RetryBackoffMiddleware``: which failures make a retry wait and how long, decided without a reactor or a
clock (tests/test_crawl_behaviour.py sees the waits in real crawls, after a 503 and after a timeout)."""
from __future__ import annotations

import pytest
from scrapy import Request, Spider
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    ResponseDataLossError,
)
from scrapy.http import Response
from scrapy.utils.test import get_crawler
from twisted.internet import error

from crawlers import settings as crawl_settings
from crawlers.middlewares import RetryBackoffMiddleware

SETTINGS = {"RETRY_TIMES": 2, "RETRY_HTTP_CODES": crawl_settings.RETRY_HTTP_CODES, "RETRY_BACKOFF_BASE": 1.0,
            "RETRY_BACKOFF_MAX": 60.0}


def middlewares() -> tuple[RetryBackoffMiddleware, RetryMiddleware]:
    crawler = get_crawler(Spider, SETTINGS)
    crawler.spider = crawler._create_spider("s")  # noqa: SLF001 - what Crawler.crawl does
    return RetryBackoffMiddleware(crawler), RetryMiddleware.from_crawler(crawler)


def retries(failure: Exception | Response) -> list[tuple[float, str] | None]:
    """The waits of the retries of a request that fails the same way every time, in the middlewares'
    order (ours, order 560, sees an answer or exception before RetryMiddleware, 550, makes the retry)."""
    backoff, retry = middlewares()
    request, waits = Request("http://a.cn/x"), []
    while True:
        if isinstance(failure, Response):
            answer = failure.replace(request=request)
            backoff.process_response(request, answer)
            request = retry.process_response(request, answer)
        else:
            backoff.process_exception(request, failure)
            request = retry.process_exception(request, failure)
        if not isinstance(request, Request):
            return waits
        waits.append(backoff.retry_delay(request))


@pytest.mark.parametrize("exception", [
    DownloadTimeoutError("Getting http://a.cn/x took longer than 30 seconds."),
    DownloadFailedError("Connection was closed cleanly."), ResponseDataLossError(),
    error.TimeoutError(), error.TCPTimedOutError(), error.ConnectionLost(),
])
def test_timeouts_and_dropped_connections_wait_one_then_two_seconds(exception: Exception) -> None:
    name = type(exception).__name__
    assert retries(exception) == [(1.0, name), (2.0, name)]


@pytest.mark.parametrize("exception", [DownloadConnectionRefusedError(), CannotResolveHostError()])
def test_refused_connections_and_dns_failures_are_retried_at_once(exception: Exception) -> None:
    assert retries(exception) == [None, None]


def test_server_errors_wait_and_retry_after_can_ask_for_longer() -> None:
    assert retries(Response("http://a.cn/x", status=503)) == [(1.0, "HTTP 503"), (2.0, "HTTP 503")]
    assert retries(Response("http://a.cn/x", status=429, headers={"Retry-After": "5"})) == [
        (5.0, "HTTP 429"), (5.0, "HTTP 429")]


def test_the_wait_is_taken_once() -> None:
    """A redirect of the retry's answer copies its meta: it must not wait again."""
    backoff, _ = middlewares()
    request = Request("http://a.cn/x", meta={"retry_times": 1})
    backoff.process_exception(request, DownloadTimeoutError())
    assert backoff.retry_delay(request) == (1.0, "DownloadTimeoutError")
    assert backoff.retry_delay(request.copy()) is None
