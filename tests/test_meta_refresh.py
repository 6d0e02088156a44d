"""Our ``MetaRefreshMiddleware`` follows exactly the refreshes Scrapy's follows, only without scanning pages
that cannot declare one."""
from __future__ import annotations

import random

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as ScrapyMetaRefreshMiddleware
from scrapy.http import HtmlResponse, TextResponse
from scrapy.utils.test import get_crawler

from crawlers.middlewares import META_REFRESH_SCAN, MetaRefreshMiddleware

REFRESHES = [
    '<meta http-equiv="refresh" content="0; url=/moved/post_1.html">',
    "<META HTTP-EQUIV='Refresh' CONTENT='3;URL=https://example.org/new'>",
    '<meta content="5; url=next.html" http-equiv="REFRESH">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',  # not a URL Scrapy can request
    '<meta http-equiv="refresh" content="600; url=/late.html">',  # over METAREFRESH_MAXDELAY
    '<noscript><meta http-equiv="refresh" content="0; url=/nojs.html"></noscript>',  # ignored tag
    '<meta name="description" content="refresh the page">',  # the word, but no refresh
]
FILLER = "<p>未来产业 行动方案 2027年 " + "量子科技与人形机器人" * 3 + "</p>\n"


def _page(head: str, filler_before: int) -> str:
    return f"<html><head><title>t</title>{FILLER * filler_before}{head}</head><body>{FILLER * 5}</body></html>"


def _outcome(middleware: ScrapyMetaRefreshMiddleware, body: str, encoding: str = "utf-8") -> str:
    request = Request("http://127.0.0.1/zwgk/post_1.html")
    response = HtmlResponse(request.url, body=body.encode(encoding), encoding=encoding, request=request)
    try:
        result = middleware.process_response(request, response)
    except ValueError as exc:  # Scrapy cannot build a request for some refresh targets
        return f"error {exc}"
    return f"redirect {result.url}" if isinstance(result, Request) else "kept"


@pytest.fixture(scope="module")
def middlewares() -> tuple[MetaRefreshMiddleware, ScrapyMetaRefreshMiddleware]:
    crawler = get_crawler()
    return MetaRefreshMiddleware.from_crawler(crawler), ScrapyMetaRefreshMiddleware.from_crawler(crawler)


def test_the_same_refreshes_as_scrapy_wherever_they_are(middlewares) -> None:
    ours, scrapys = middlewares
    rng = random.Random(7)
    outcomes = set()
    for head in REFRESHES + [""]:
        for filler in (0, 1, 10, 50, 80, rng.randrange(100)):  # before, across and after the first 4096 characters
            body = _page(head, filler)
            for encoding in ("utf-8", "gb18030"):
                expected = _outcome(scrapys, body, encoding)
                assert _outcome(ours, body, encoding) == expected, (head, filler, encoding)
                outcomes.add(expected)
    # the cases cover following, not following, and a refresh too far down to be read
    assert "redirect http://127.0.0.1/moved/post_1.html" in outcomes and "kept" in outcomes
    assert _outcome(ours, _page(REFRESHES[0], 0)) != _outcome(ours, _page(REFRESHES[0], 200))
    assert len(_page("", 200)) > META_REFRESH_SCAN


def test_pages_that_are_not_html_pass_through(middlewares) -> None:
    ours, _ = middlewares
    request = Request("http://127.0.0.1/api/list.json")
    response = TextResponse(request.url, body=b'{"refresh": "<meta http-equiv=refresh content=0;url=/x>"}',
                            encoding="utf-8", request=request)
    assert ours.process_response(request, response) is response
