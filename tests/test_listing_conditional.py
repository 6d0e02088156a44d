"""Conditional list pages: a list that answers 304 is not downloaded again, the links it gave last time are.

The offline tests build responses by hand; the crawl tests run the real crawler against a scripted
server on 127.0.0.1 and read the requests it saw and the archive.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import scrapy
from scrapy.http import HtmlResponse

from crawlers.items import ListingItem
from crawlers.spiders.pages import SourceSpider
from monitor.sources import Source
from storage import Archive
from storage.listings import ListingState
from tests.scripted_site import Answer, ScriptedSite
from tests.test_crawl_behaviour import TEXT_A, TEXT_B, TEXT_C, article, crawl, fetches

SOURCE = Source(name="s", start_urls=["http://a.cn/list/index.html"], allow=["/content/"],
                follow=[r"/list/index_\d+\.html$"])
LIST_HTML = ('<html><body><ul><li><a href="/content/1.html">one</a></li><li><a href="/content/2.html?utm_source=x">'
             'two</a></li></ul><a href="/list/index_1.html">next</a></body></html>')


def list_answer(*paths: str, etag: str) -> Answer:
    links = "".join(f'<li><a href="{p}">{p}</a></li>' for p in paths)
    return Answer(f"<html><body><ul>{links}</ul></body></html>".encode(), etag=etag)


def read_list(spider: SourceSpider, request: scrapy.Request, *, status: int = 200, body: str = LIST_HTML,
              headers: dict[str, str] | None = None) -> list[Any]:
    response = HtmlResponse(url=request.url, status=status, body=body.encode(), encoding="utf-8",
                            headers=headers or {}, request=request)
    return list(spider.parse_listing(response))


def urls(outputs: list[Any]) -> list[str]:
    return [o.url for o in outputs if isinstance(o, scrapy.Request)]


def test_a_list_read_in_full_is_kept_and_a_304_makes_the_same_requests() -> None:
    first = SourceSpider(source=SOURCE)
    request = first.listing_request("http://a.cn/list/index.html", 0)
    assert request is not None and "If-None-Match" not in request.headers
    outputs = read_list(first, request, headers={"ETag": '"l1"'})
    [item] = [o for o in outputs if isinstance(o, ListingItem)]
    assert item.etag == '"l1"' and item.url == "http://a.cn/list/index.html" and item.depth == 0
    assert item.fingerprint == first.listing_fingerprint and item.calls

    second = SourceSpider(source=SOURCE)
    second._listing_states = {item.url: ListingState(item.url, item.depth, item.etag, item.last_modified,
                                                     item.calls, item.fetched_at)}
    again = second.listing_request("http://a.cn/list/index.html", 0)
    assert again is not None and again.headers.get("If-None-Match") == b'"l1"'
    assert 304 in again.meta["handle_httpstatus_list"]
    replayed = read_list(second, again, status=304, body="")
    assert urls(replayed) == urls(outputs) == ["http://a.cn/content/1.html", "http://a.cn/content/2.html",
                                               "http://a.cn/list/index_1.html"]
    assert not [o for o in replayed if isinstance(o, ListingItem)]  # a 304 keeps what was kept


def test_a_list_read_at_another_depth_or_under_another_configuration_is_fetched_in_full() -> None:
    spider = SourceSpider(source=SOURCE)
    state = ListingState("http://a.cn/list/index_1.html", 1, '"l1"', None, [], "2026-11-22T00:00:00Z")
    spider._listing_states = {state.url: state}
    deeper = spider.listing_request("http://a.cn/list/index_1.html", 2)
    assert deeper is not None and "If-None-Match" not in deeper.headers
    other = SourceSpider(source=SOURCE.replace(allow=["/content/", "/article/"]))
    assert other.listing_fingerprint != spider.listing_fingerprint


class ApiCallingKind:
    """Like a kind that calls a list API with a request it builds itself: that cannot be replayed."""

    def __init__(self, kind: Any) -> None:
        self.kind = kind

    def parse_listing(self, spider: SourceSpider, response: Any) -> Any:
        yield from self.kind.parse_listing(spider, response)
        yield scrapy.Request("http://a.cn/api/list?page=2", callback=spider.parse_listing)


def test_lists_that_cannot_be_replayed_are_not_kept() -> None:
    spider = SourceSpider(source=SOURCE)
    request = spider.listing_request("http://a.cn/list/index.html", 0)
    assert request is not None
    no_validator = read_list(spider, request)
    assert not [o for o in no_validator if isinstance(o, ListingItem)]

    own = SourceSpider(source=SOURCE)
    own.kind = ApiCallingKind(own.kind)  # type: ignore[assignment]
    request = own.listing_request("http://a.cn/list/index.html", 0)
    assert request is not None
    outputs = read_list(own, request, headers={"ETag": '"l1"'})
    assert "http://a.cn/api/list?page=2" in urls(outputs)
    assert not [o for o in outputs if isinstance(o, ListingItem)]

    # A list kept before that can no longer be replayed is forgotten, not left stale.
    own._listing_states = {"http://a.cn/list/index.html": ListingState(
        "http://a.cn/list/index.html", 0, '"l0"', None, [], "2026-11-22T00:00:00Z")}
    own._listings.clear()
    request = own.listing_request("http://a.cn/list/index.html", 0)
    assert request is not None
    [forget] = [o for o in read_list(own, request, headers={"ETag": '"l1"'}) if isinstance(o, ListingItem)]
    assert forget.calls is None


def test_posted_lists_are_never_asked_for_conditionally() -> None:
    spider = SourceSpider(source=SOURCE)
    key = "http://a.cn/list/data.jsp\ncol=1"
    spider._listing_states = {key: ListingState(key, 0, '"l1"', None, [], "2026-11-22T00:00:00Z")}
    request = spider.listing_request("http://a.cn/list/data.jsp", 0, formdata={"col": "1"})
    assert request is not None and request.method == "POST" and "If-None-Match" not in request.headers


def test_the_archive_keeps_one_state_per_list_and_forgets_on_request(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        calls = [["article", "http://a.cn/content/1.html", False, {}]]
        assert archive.save_listing_state("s", "http://a.cn/l", fingerprint="f1", depth=0, etag='"e"',
                                          last_modified=None, calls=calls, checked_at="t1")
        assert archive.save_listing_state("s", "http://a.cn/l", fingerprint="f1", depth=0, etag='"e2"',
                                          last_modified=None, calls=calls, checked_at="t2")
        [state] = archive.listing_states("s", "f1").values()
        assert (state.etag, state.calls, state.checked_at) == ('"e2"', calls, "t2")
        assert archive.listing_states("s", "f2") == {} and archive.listing_states("other", "f1") == {}
        assert not archive.save_listing_state("s", "http://a.cn/l", fingerprint="f1", depth=0, etag=None,
                                              last_modified=None, calls=calls, checked_at="t3")
        assert archive.listing_states("s", "f1") == {}


@pytest.mark.slow
def test_unchanged_lists_answer_304_and_their_articles_are_still_checked(tmp_path: Path) -> None:
    with ScriptedSite() as site:
        site.answers["/list/index.html"] = list_answer("/content/a.html", "/list/index_1.html", etag='"i-v1"')
        site.answers["/list/index_1.html"] = list_answer("/content/b.html", etag='"i1-v1"')
        site.answers["/content/a.html"] = Answer(article("人形机器人行动方案", TEXT_A), etag='"a-v1"')
        site.answers["/content/b.html"] = Answer(article("脑机接口若干措施", TEXT_B), etag='"b-v1"')
        assert crawl(site, tmp_path)["new"] == 2
        second = crawl(site, tmp_path)
        assert [s.status for s in site.requests_for("/list/index.html")] == [200, 304]
        assert [s.status for s in site.requests_for("/list/index_1.html")] == [200, 304]
        assert site.requests_for("/list/index.html")[-1].headers.get("If-None-Match") == '"i-v1"'
        assert second["unchanged"] == 2 and second["new"] == 0 and second["errors"] == 0
        # each list fetch has its row, of its own kind: the run's counts are about the article pages
        assert second["fetched"] == 2 and fetches(tmp_path, second["id"]) == {
            "a.html": (304, "unchanged"), "b.html": (304, "unchanged")}
        assert fetches(tmp_path, second["id"], "listing") == {"index.html": (304, "not modified"),
                                                              "index_1.html": (304, "not modified")}
        assert [s.status for s in site.requests_for("/content/b.html")] == [200, 304]  # found through the replay

        site.answers["/list/index.html"] = list_answer("/content/c.html", "/content/a.html", "/list/index_1.html",
                                                       etag='"i-v2"')
        site.answers["/content/c.html"] = Answer(article("6G与量子科技培育计划", TEXT_C))
        third = crawl(site, tmp_path)
        assert third["new"] == 1 and third["unchanged"] == 2 and third["fetched"] == 3
        assert fetches(tmp_path, third["id"], "listing") == {"index.html": (200, "read"),
                                                             "index_1.html": (304, "not modified")}
        assert [s.status for s in site.requests_for("/list/index.html")] == [200, 304, 200]
        assert [s.status for s in site.requests_for("/list/index_1.html")][-1] == 304

        incremental = {"recheck": "{new_every: 1h}", "incremental": "true"}
        crawl(site, tmp_path, **incremental)  # a new configuration: lists are read in full once
        before = len(site.requests_for("/list/index_1.html"))
        quiet = crawl(site, tmp_path, **incremental)
        assert quiet["fetched"] == 0 and fetches(tmp_path, quiet["id"], "listing") == {
            "index.html": (304, "not modified")}
        assert site.requests_for("/list/index.html")[-1].status == 304
        assert len(site.requests_for("/list/index_1.html")) == before  # the replayed page was all known: stop
    with Archive(tmp_path / "archive.db", readonly=True) as archive:
        kept = archive.db.execute("select url, etag from listings order by url").fetchall()
    assert [(url.rsplit("/", 1)[-1], etag) for url, etag in kept] == [("index.html", '"i-v2"'),
                                                                      ("index_1.html", '"i1-v1"')]
