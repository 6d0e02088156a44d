"""Hanweb columns whose further records come from form POSTs to dataproxy.jsp (the jpage pager's way).

The fixture column (tests/fixtures/kinds/hanweb-post) holds the first 4 of 10 records inline and
configures its pager (perPage 2 × groupSize 2, totalRecord 10, ajaxParam) in a script; the local
``JpageSite`` answers record windows to POSTs only, and 405 to a GET of dataproxy.jsp.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import scrapy
import yaml

from crawlers.kinds.hanweb import jpage_config
from monitor.sources import ConfigError, load_sources
from storage import Archive
from tests.kindsite import FIXTURES, JpageSite, crawl_once, fixture_response, materialise, record_elements
from tests.kindsite import OFFLINE_BASE as B
from tests.test_kinds import paths, spider_for, split

COLUMN = "col/col84242/index.html"
SOURCE = {"kind": "hanweb", "start_urls": [f"{B}/{COLUMN}"],
          "allow": [r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$"]}
FORM = {"webid": "1", "columnid": "84242", "unitid": "297589"}


def form_of(request: scrapy.Request) -> dict[str, str]:
    return dict(parse_qsl(request.body.decode()))


def window_of(request: scrapy.Request) -> tuple[str, str, str]:
    query = dict(parse_qsl(urlsplit(request.url).query))
    return query["startrecord"], query["endrecord"], query["perpage"]


def window_answer(request: scrapy.Request, first: int, last: int, total: int | None = 10) -> Any:
    """The datastore answer for records first..last of the fixture column, as the site sends it."""
    records = record_elements(FIXTURES / "hanweb-post" / JpageSite.RECORDS_FILE)[first - 1:last]
    count = "" if total is None else f"<totalrecord>{total}</totalrecord>"
    body = f"<datastore>{count}<recordset>{''.join(records)}</recordset></datastore>"
    return scrapy.http.XmlResponse(url=request.url, body=body.encode(), encoding="utf-8", request=request)


def test_the_pager_script_gives_the_post_form_and_the_record_windows() -> None:
    page = fixture_response("hanweb-post", COLUMN)
    config = jpage_config(page.text, page.url)
    assert config is not None
    assert config.proxy_url == f"{B}/module/web/jpage/dataproxy.jsp"
    assert (config.per_page, config.group_size, config.total) == (2, 2, 10)
    assert config.form == {"col": "1", "appid": "1", "webid": "1", "path": "/", "columnid": "84242",
                           "sourceContentType": "1", "unitid": "297589", "webname": "江苏省人民政府",
                           "permissiontype": "0"}


def test_column_page_reads_its_inline_records_then_posts_for_the_next_window() -> None:
    spider = spider_for(**SOURCE)
    articles, (post,) = split(spider.kind.parse_listing(spider, fixture_response("hanweb-post", COLUMN)))
    assert len(articles) == 4 and paths(articles)[0] == "/art/2026/5/21/art_84242_11804001.html"
    assert articles[0].meta["policywatch_meta"] == {"title": "江苏省人民政府关于加快培育人形机器人产业集群的意见",
                                                    "published": "2026-05-21"}
    assert post.method == "POST" and post.url.startswith(f"{B}/module/web/jpage/dataproxy.jsp?")
    assert window_of(post) == ("5", "8", "2")  # the 4 inline records are not asked for again
    assert FORM.items() <= form_of(post).items()
    assert post.headers[b"Content-Type"] == b"application/x-www-form-urlencoded"

    articles, (second,) = split(spider.kind.parse_listing(spider, window_answer(post, 5, 8)))
    assert paths(articles) == ["/art/2026/5/12/art_84242_11803897.html", "/art/2026/5/9/art_84242_11803860.html",
                               "/art/2026/5/7/art_84242_11803833.html", "/art/2026/5/5/art_84242_11803802.html"]
    assert window_of(second) == ("9", "12", "2") and form_of(second) == form_of(post)
    assert second.headers[b"Referer"] == f"{B}/{COLUMN}".encode()  # the column page, as the pager sends it

    articles, listings = split(spider.kind.parse_listing(spider, window_answer(second, 9, 12)))
    assert len(articles) == 2 and listings == []  # <totalrecord> 10 reached


def test_max_list_pages_counts_the_column_page_and_each_window() -> None:
    spider = spider_for(**SOURCE, options={"max_list_pages": 2})
    _, (post,) = split(spider.kind.parse_listing(spider, fixture_response("hanweb-post", COLUMN)))
    assert split(spider.kind.parse_listing(spider, window_answer(post, 5, 8)))[1] == []
    spider = spider_for(**SOURCE, options={"max_list_pages": 1})
    assert split(spider.kind.parse_listing(spider, fixture_response("hanweb-post", COLUMN)))[1] == []


def test_without_totalrecord_in_the_answer_the_pager_script_total_still_ends_the_paging() -> None:
    spider = spider_for(**SOURCE, options={"max_list_pages": 10, "records_per_request": 3})
    _, (post,) = split(spider.kind.parse_listing(spider, fixture_response("hanweb-post", COLUMN)))
    _, (second,) = split(spider.kind.parse_listing(spider, window_answer(post, 5, 7, total=None)))
    assert window_of(second) == ("8", "10", "2")
    assert split(spider.kind.parse_listing(spider, window_answer(second, 8, 10, total=None)))[1] == []


def test_an_empty_window_ends_the_paging_even_when_the_total_says_more() -> None:
    spider = spider_for(**SOURCE, options={"max_list_pages": 10})
    _, (post,) = split(spider.kind.parse_listing(spider, fixture_response("hanweb-post", COLUMN)))
    assert split(spider.kind.parse_listing(spider, window_answer(post, 50, 60, total=900))) == ([], [])


def test_options_choose_the_get_pages_or_give_the_form() -> None:
    spider = spider_for(**SOURCE, options={"dataproxy": "get"})
    _, (more,) = split(spider.kind.parse_listing(spider, fixture_response("hanweb-post", COLUMN)))
    assert more.method == "GET" and more.url.startswith(f"{B}/module/web/jpage/dataproxy.jsp?page=2&webid=1&")
    spider = spider_for(**SOURCE, options={"dataproxy_params": {"unitid": 555, "webname": "X"},
                                           "records_per_request": 45})
    _, (post,) = split(spider.kind.parse_listing(spider, fixture_response("hanweb-post", COLUMN)))
    assert form_of(post)["unitid"] == "555" and form_of(post)["webname"] == "X"
    assert window_of(post) == ("5", "49", "2")


def test_the_original_zhejiang_fixture_without_a_pager_script_keeps_the_get_pages() -> None:
    spider = spider_for(**{**SOURCE, "start_urls": [f"{B}/col/col1229019364/index.html"]})
    _, (more,) = split(spider.kind.parse_listing(spider, fixture_response("hanweb", "col/col1229019364/index.html")))
    assert more.method == "GET" and "page=2" in more.url
    # Told to POST, the same page gives the form from its nextgroup link and the column id from its URL.
    spider = spider_for(**{**SOURCE, "start_urls": [f"{B}/col/col1229019364/index.html"]},
                        options={"dataproxy": "post"})
    _, (post,) = split(spider.kind.parse_listing(spider, fixture_response("hanweb", "col/col1229019364/index.html")))
    assert post.method == "POST" and window_of(post) == ("3", "47", "15")
    assert {"webid": "3185", "columnid": "1229019364", "unitid": "7535405"}.items() <= form_of(post).items()


def test_a_pager_without_the_ids_falls_back_to_get_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    body = ('<div><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?'
            'page=1&webid=2"></a>]]></nextgroup><recordset><record><![CDATA[<li><a href="/art/2026/3/1/art_5_6.html">'
            'A</a></li>]]></record></recordset></datastore></script></div>'
            "<script>$('#list').jpage({perPage: 15});</script>")
    url = f"{B}/news/index.html"
    response = scrapy.http.HtmlResponse(url=url, body=body.encode(), encoding="utf-8", request=scrapy.Request(url))
    spider = spider_for(**SOURCE)
    _, (more,) = split(spider.kind.parse_listing(spider, response))
    assert more.method == "GET" and "lacks columnid, unitid" in caplog.text


@pytest.mark.parametrize(("options", "message"), [
    ({"dataproxy": "put"}, "option 'dataproxy' must be one of 'auto', 'post', 'get', not 'put'"),
    ({"dataproxy_params": {"unitid": [1]}}, "option 'dataproxy_params' must map names to strings or numbers"),
    ({"records_per_request": 0}, "option 'records_per_request' must be at least 1"),
])
def test_bad_dataproxy_options_are_config_errors(tmp_path: Path, options: dict[str, Any], message: str) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"sources": [{"name": "js", **SOURCE, "options": options}]}), encoding="utf-8")
    with pytest.raises(ConfigError, match="js") as error:
        load_sources(path)
    assert message in str(error.value)


# -- end to end: a real crawl against a site that answers POSTs only ------------------------------------------

def crawl(site: JpageSite, tmp_path: Path, **keys: Any) -> dict[str, Any]:
    return crawl_once({"name": "jiangsu-post", **SOURCE, "start_urls": [site.url(COLUMN)], "language": "zh",
                       "options": {"max_list_pages": 5}, **keys}, tmp_path)


@pytest.mark.slow
def test_all_records_of_both_post_windows_are_archived_and_incremental_runs_stop_paging(tmp_path: Path) -> None:
    with JpageSite(tmp_path / "site", FORM) as site:
        materialise("hanweb-post", site.root, site.base_url)
        keys = {"recheck": {"new_every": "1h"}, "incremental": True}
        first = crawl(site, tmp_path, **keys)
        assert first["new"] == 10 and first["errors"] == 0, first
        assert [(q["startrecord"], q["endrecord"]) for q, _ in site.posts] == [("5", "8"), ("9", "12")]
        assert not any(r.startswith(JpageSite.PROXY_PATH) for r in site.requests)  # no GET of dataproxy.jsp
        with Archive(tmp_path / "archive.db", readonly=True) as archive:
            urls = {row[0] for row in archive.db.execute("select url from pages")}
        assert len(urls) == 10 and site.url("/art/2026/4/24/art_84242_11803719.html") in urls

        second = crawl(site, tmp_path, **keys)  # the column page holds only known, fresh articles
        assert second["fetched"] == 0 and len(site.posts) == 2, second
