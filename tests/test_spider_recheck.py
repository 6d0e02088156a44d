"""The spider's re-check decisions, offline: responses built by hand, archive state set directly."""
from __future__ import annotations

from datetime import datetime, timezone

from scrapy.http import HtmlResponse, Request

from crawlers.items import PageItem
from crawlers.spiders.pages import SourceSpider
from monitor.recheck import RecheckPolicy
from monitor.sources import Source
from storage import PageState

SOURCE = Source(name="s", start_urls=["http://a.cn/list/"], allow=["/content/"],
                recheck=RecheckPolicy(new_every="6h", old_every="7d"))


def state(url: str, *, last_ok: str | None, etag: str | None = None, modified: str | None = None,
          missing: int = 0) -> PageState:
    return PageState(id=1, url=url, source="s", first_seen="2026-05-30T00:00:00Z", last_checked=last_ok,
                     last_ok=last_ok, etag=etag, last_modified=modified, body_hash=None, missing_count=missing,
                     removed_at=None, version_count=1, title="t")


def spider_with(*states: PageState, aliases: dict[str, str] | None = None) -> SourceSpider:
    spider = SourceSpider(source=SOURCE)
    spider._now = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
    spider._known = {s.url: s for s in states}
    spider._aliases = aliases or {}
    return spider


def response(url: str, body: str) -> HtmlResponse:
    return HtmlResponse(url=url, body=body.encode(), encoding="utf-8", request=Request(url))


def test_due_pages_get_the_stored_validators_and_fresh_ones_are_skipped() -> None:
    spider = spider_with(
        state("http://a.cn/content/1.html", last_ok="2026-06-01T01:00:00Z", etag='"e1"',
              modified="Tue, 05 Mar 2024 08:00:00 GMT"),
        state("http://a.cn/content/2.html", last_ok="2026-06-01T11:00:00Z"),
        state("http://a.cn/content/3.html", last_ok="2026-06-01T11:00:00Z", missing=1),
    )
    due = spider.article_request("http://a.cn/content/1.html#top")
    assert due is not None and due.headers.get("If-None-Match") == b'"e1"'
    assert due.headers.get("If-Modified-Since") == b"Tue, 05 Mar 2024 08:00:00 GMT"
    assert spider.article_request("http://a.cn/content/2.html") is None  # checked an hour ago
    assert spider.article_request("http://a.cn/content/3.html") is not None  # confirm the 404
    new = spider.article_request("http://a.cn/content/4.html?utm_source=x")
    assert new is not None and new.url == "http://a.cn/content/4.html" and not new.headers.get("If-None-Match")


def test_old_addresses_map_to_the_page_and_are_fetched_once() -> None:
    spider = spider_with(aliases={"http://a.cn/content/old.html": "http://a.cn/content/new.html"})
    first = spider.article_request("http://a.cn/content/old.html?from=timeline")
    assert first is not None and first.url == "http://a.cn/content/new.html"
    assert spider.article_request("http://a.cn/content/new.html") is None


def test_pages_archived_with_a_default_port_or_session_id_keep_their_address() -> None:
    with_port, with_session = "http://a.cn:80/content/1.html", "http://a.cn/content/2.jsp;jsessionid=A1"
    spider = spider_with(state(with_port, last_ok=None), state(with_session, last_ok=None),
                         state("http://a.cn/content/3.html", last_ok=None))
    spider.alias_older_forms()
    assert spider._aliases == {"http://a.cn/content/1.html": with_port, "http://a.cn/content/2.jsp": with_session}
    first = spider.article_request("http://a.cn/content/1.html#top")
    assert first is not None and first.url == with_port
    assert spider.article_request(with_port) is None and spider.article_request("http://a.cn:80/content/1.html") is None
    assert spider.article_request("http://a.cn/content/2.jsp;jsessionid=B2").url == with_session


def test_canonical_links_are_honoured_on_the_same_site_only() -> None:
    spider = spider_with()
    head = '<link rel="canonical" href="{}">'
    same = response("http://a.cn/content/print.html?id=3", head.format("/content/3.html") + "<p>x</p>")
    [item] = spider.parse_article(same)
    assert isinstance(item, PageItem)
    assert item.url == "http://a.cn/content/3.html" and item.requested_url == "http://a.cn/content/print.html?id=3"
    other = response("http://a.cn/content/4.html", head.format("http://b.cn/content/4.html") + "<p>x</p>")
    [item] = spider.parse_article(other)
    assert isinstance(item, PageItem) and item.url == "http://a.cn/content/4.html" and item.requested_url is None


def test_attachment_links_become_bounded_requests_once_per_page() -> None:
    spider = spider_with()
    body = ('<p>正文</p><a href="/att/guide.pdf">申报 指南</a><a href="/att/guide.pdf#p2">again</a>'
            '<a href="http://elsewhere.cn/x.pdf">offsite</a><a href="/content/5.html">not a file</a>'
            '<a href="javascript:void(0)">js</a>')
    item, *requests = spider.parse_article(response("http://a.cn/content/5.html", body))
    assert isinstance(item, PageItem)
    assert [(r.url, r.meta["policywatch_title"]) for r in requests] == [("http://a.cn/att/guide.pdf", "申报 指南")]
    assert requests[0].meta["download_maxsize"] == 20 * 1024 * 1024 and requests[0].priority < 0
    spider_off = SourceSpider(source=SOURCE.replace(attachments=False))
    assert list(spider_off.parse_article(response("http://a.cn/content/5.html", body)))[1:] == []


def test_a_304_page_re_checks_its_archived_attachments() -> None:
    spider = spider_with(state("http://a.cn/content/6.html", last_ok="2026-05-01T00:00:00Z", etag='"p"'))
    spider._page_attachments = {"http://a.cn/content/6.html": [("http://a.cn/att/6.pdf", "附件")]}
    spider._attachment_validators = {"http://a.cn/att/6.pdf": ('"a6"', None)}
    request = Request("http://a.cn/content/6.html")
    not_modified = HtmlResponse(url=request.url, status=304, body=b"", request=request)
    item, attachment = spider.parse_article(not_modified)
    assert isinstance(item, PageItem) and item.status == 304
    assert isinstance(attachment, Request) and attachment.url == "http://a.cn/att/6.pdf"
    assert attachment.headers.get("If-None-Match") == b'"a6"' and attachment.meta["policywatch_title"] == "附件"


def test_an_article_response_keeps_no_parsed_tree_while_its_item_waits_for_the_pipeline() -> None:
    spider = spider_with()
    body = ('<link rel="canonical" href="/content/7.html"><p>正文</p>'
            '<a href="/att/plan.pdf">附件</a>' + '<a href="/nav/x.html">栏目</a>' * 50)
    page = response("http://a.cn/content/7.html?from=list", body)
    outputs = spider.parse_article(page)
    item = next(outputs)  # the pipeline gets the item here, and may hold the response for a while
    assert isinstance(item, PageItem) and item.url == "http://a.cn/content/7.html"
    assert page._cached_selector is None and page._cached_ubody is None  # read, then released
    assert [r.url for r in outputs] == ["http://a.cn/att/plan.pdf"]  # the links were read before
    assert page.css("p::text").get() == "正文"  # and Scrapy can still parse it again
