"""MIIT buildstatic lists over several API pages.

The fixture column (tests/fixtures/kinds/miit-paging) is a script shell whose API answers 5 articles,
2 per page: each answer ends its ``data.html`` with ``<div class="pagination" count="5" pageNo="N"
rows="2">``; page N>1 is the same call with ``paramJson={"pageNo":N,"pageSize":2}``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import scrapy

from crawlers.kinds.miit_buildstatic import ApiPaging, api_paging, with_api_page
from tests.kindsite import FIXTURES, FixtureSite, crawl_once, fixture_response, materialise
from tests.kindsite import OFFLINE_BASE as B
from tests.test_kinds import paths, spider_for, split

SHELL = "zwgk/zcwj/wjfb/index.html"
API = "api-gateway/jpaas-publish-server/front/page/build/unit"
SOURCE = {"kind": "miit-buildstatic", "start_urls": [f"{B}/{SHELL}"],
          "allow": [r"/art/\d{4}/art_[0-9a-f]{32}\.html?$"]}


def param_json(request: scrapy.Request) -> dict[str, Any] | None:
    value = dict(parse_qsl(urlsplit(request.url).query)).get("paramJson")
    return json.loads(value) if value else None


def api_answer(request: scrapy.Request, page: int) -> Any:
    """The saved answer for API page ``page``, as if it answered ``request``."""
    name = "unit.json" if page == 1 else next(p.name for p in (FIXTURES / "miit-paging" / API).parent.glob(
        "unit@*") if f"%22pageNo%22%3A{page}%2C" in p.name)
    return fixture_response("miit-paging", f"{API.rsplit('/', 1)[0]}/{name}", url=request.url, **request.meta)


def test_the_api_is_paged_up_to_the_last_page_the_pagination_element_announces() -> None:
    spider = spider_for(**SOURCE)
    _, (first,) = split(spider.kind.parse_listing(spider, fixture_response("miit-paging", SHELL)))
    assert param_json(first) is None  # the page's querydata has no paging: the site's first page
    articles, (second,) = split(spider.kind.parse_listing(spider, api_answer(first, 1)))
    assert len(articles) == 2 and articles[0].meta["policywatch_meta"]["published"] == "2026-05-22"
    assert param_json(second) == {"pageNo": 2, "pageSize": 2}
    assert second.headers[b"Referer"] == f"{B}/{SHELL}".encode()  # the list page, as the site's script sends it
    assert second.url.startswith(f"{B}/{API}?parseType=buildstatic&webId=a1b2c3d4e5f6&")
    assert "paramJson=%7B%22pageNo%22%3A2%2C%22pageSize%22%3A2%7D" in second.url  # compact JSON
    articles, (third,) = split(spider.kind.parse_listing(spider, api_answer(second, 2)))
    assert paths(articles) == ["/zwgk/zcwj/wjfb/yj/art/2026/art_c3e6a9d2f5b8c1e4a7d0f3b6c9e2a5d8.html",
                               "/zwgk/zcwj/wjfb/tz/art/2026/art_d4f7b0e3a6c9d2f5b8e1a4d7c0f3b6e9.html"]
    assert param_json(third) == {"pageNo": 3, "pageSize": 2}
    articles, listings = split(spider.kind.parse_listing(spider, api_answer(third, 3)))
    assert len(articles) == 1 and listings == []  # count 5 / rows 2: page 3 is the last


def test_max_list_pages_and_max_depth_bound_the_api_pages() -> None:
    spider = spider_for(**SOURCE, options={"max_list_pages": 2})
    _, (first,) = split(spider.kind.parse_listing(spider, fixture_response("miit-paging", SHELL)))
    _, (second,) = split(spider.kind.parse_listing(spider, api_answer(first, 1)))
    assert split(spider.kind.parse_listing(spider, api_answer(second, 2)))[1] == []
    spider = spider_for(**SOURCE, max_depth=0)
    _, (first,) = split(spider.kind.parse_listing(spider, fixture_response("miit-paging", SHELL)))
    assert split(spider.kind.parse_listing(spider, api_answer(first, 1)))[1] == []


@pytest.mark.parametrize(("data", "html", "expected"), [
    ({}, '<ul></ul><div class="pagination" count="484" pageNo="1" rows="24"></div>', ApiPaging(1, 24, 21)),
    ({"data": {"total": "50", "pageNo": 2, "pageSize": 10}}, "<ul></ul>", ApiPaging(2, 10, 5)),
    ({"data": {"totalPage": 7, "currentPage": 3}}, "<ul></ul>", ApiPaging(3, None, 7)),
    ({"data": {"html": "x"}}, "<ul><li>only a list</li></ul>", None),
])
def test_paging_facts_from_the_pagination_element_or_the_json(data: Any, html: str,
                                                              expected: ApiPaging | None) -> None:
    assert api_paging(data, html) == expected


def test_a_page_size_without_a_total_pages_on_while_pages_come_full() -> None:
    spider = spider_for(**SOURCE)
    html = "<ul>" + "".join(f'<li><a href="/a/art/2026/art_{i:032x}.html">{i}</a></li>' for i in range(2)) + "</ul>"
    url = f"{B}/{API}?webId=w&paramJson=%7B%22pageNo%22%3A1%2C%22pageSize%22%3A2%7D"
    full = scrapy.http.TextResponse(url=url, encoding="utf-8", request=scrapy.Request(
        url, meta={"policywatch_role": "buildstatic-api"}), body=json.dumps(
        {"data": {"html": html, "pageSize": 2}}).encode())
    _, (more,) = split(spider.kind.parse_listing(spider, full))
    assert param_json(more) == {"pageNo": 2, "pageSize": 2}
    short = full.replace(body=json.dumps({"data": {"html": html, "pageSize": 3}}).encode())
    assert split(spider_for(**SOURCE).kind.parse_listing(spider, short))[1] == []


def test_with_api_page_keeps_other_param_json_keys_and_the_text_form() -> None:
    url = "http://a/unit?webId=w&paramJson=%7B%22pageNo%22%3A1%2C%22search%22%3A%22%7B%7D%22%7D"
    assert json.loads(dict(parse_qsl(urlsplit(with_api_page(url, 4, 24)).query))["paramJson"]) == {
        "pageNo": 4, "search": "{}", "pageSize": 24}
    text_form = with_api_page("http://a/unit?paramJson=pageNo%3D1%2CpageSize%3D24", 2, 24)
    assert dict(parse_qsl(urlsplit(text_form).query))["paramJson"] == "pageNo=2,pageSize=24"


# -- end to end --------------------------------------------------------------------------------------------------

def crawl(site: FixtureSite, tmp_path: Path) -> dict[str, Any]:
    return crawl_once({"name": "miit-paging", **SOURCE, "start_urls": [site.url(SHELL)], "language": "zh",
                       "recheck": {"new_every": "1h"}, "incremental": True}, tmp_path)


@pytest.mark.slow
def test_a_crawl_reads_every_api_page_and_an_incremental_rerun_stops_at_the_first(tmp_path: Path) -> None:
    with FixtureSite(tmp_path / "site") as site:
        materialise("miit-paging", site.root, site.base_url)
        first = crawl(site, tmp_path)
        api_calls = [r for r in site.requests if r.startswith(f"/{API}")]
        assert first["new"] == 5 and first["errors"] == 0, first
        assert len(api_calls) == 3 and "paramJson" not in api_calls[0]
        second = crawl(site, tmp_path)
        assert second["fetched"] == 0, second
        assert len([r for r in site.requests if r.startswith(f"/{API}")]) == 4  # page 1 only: all known and fresh
