"""Offline tests of each source kind on saved fixtures shaped like the real sites' lists and articles."""
from __future__ import annotations

import json
from typing import Any

import pytest
import scrapy

from crawlers.kinds import KINDS, get_kind, load_builtin_kinds
from crawlers.kinds.discovery import parse_feed, parse_sitemap
from crawlers.kinds.hanweb import datastore_records
from crawlers.kinds.miit_buildstatic import api_url
from crawlers.kinds.trs import pager_urls
from crawlers.spiders.pages import SourceSpider
from monitor.sources import KNOWN_KINDS, Source
from tests.kindsite import OFFLINE_BASE as B
from tests.kindsite import fixture_response


def spider_for(**fields: Any) -> SourceSpider:
    return SourceSpider(source=Source(**{"name": "kind-test", "start_urls": [f"{B}/"], **fields}))


def split(requests: Any) -> tuple[list[scrapy.Request], list[scrapy.Request]]:
    requests = list(requests)
    articles = [r for r in requests if not r.meta.get("policywatch_listing")]
    listings = [r for r in requests if r.meta.get("policywatch_listing")]
    return articles, listings


def paths(requests: list[scrapy.Request]) -> list[str]:
    return [r.url.removeprefix(B) for r in requests]


def test_known_kinds_in_monitor_equal_the_registered_kinds() -> None:
    load_builtin_kinds()
    assert set(KNOWN_KINDS) == set(KINDS)
    for name in KNOWN_KINDS:
        assert get_kind(name).name == name


# -- trs -------------------------------------------------------------------------------------------------------

TRS = {"kind": "trs", "start_urls": [f"{B}/xxgk/zcfb/tz/"], "allow": [r"/xxgk/zcfb/tz/\d{6}/t\d{8}_\d+\.html$"],
       "follow": [r"/xxgk/zcfb/tz/(index(_\d+)?\.html)?$"]}


def test_trs_reads_the_u_list_and_the_createpagehtml_pager() -> None:
    spider = spider_for(**TRS)
    response = fixture_response("trs", "xxgk/zcfb/tz/index.html")
    articles, listings = split(spider.kind.parse_listing(spider, response))
    # The sidebar also links an article that matches `allow`; only the list block counts.
    assert paths(articles) == ["/xxgk/zcfb/tz/202605/t20260520_1400001.html",
                               "/xxgk/zcfb/tz/202605/t20260512_1399870.html"]
    assert paths(listings) == ["/xxgk/zcfb/tz/index_1.html", "/xxgk/zcfb/tz/index_2.html"]
    assert all(r.meta["policywatch_depth"] == 1 for r in listings)


def test_trs_later_pages_do_not_announce_the_pager_again_and_max_list_pages_bounds_it() -> None:
    spider = spider_for(**TRS)
    later = fixture_response("trs", "xxgk/zcfb/tz/index_1.html", policywatch_depth=1)
    assert split(spider.kind.parse_listing(spider, later))[1] == []
    bounded = spider_for(**TRS, options={"max_list_pages": 2})
    first = fixture_response("trs", "xxgk/zcfb/tz/index.html")
    assert paths(split(bounded.kind.parse_listing(bounded, first))[1]) == ["/xxgk/zcfb/tz/index_1.html"]


@pytest.mark.parametrize(("script", "url", "expected"), [
    ('createPageHTML(4, 0, "index", "shtml");', "http://a/x/", ["index_1.shtml", "index_2.shtml", "index_3.shtml"]),
    ("createPageHTML('3','0','index','html')", "http://a/x/index.html", ["index_1.html", "index_2.html"]),
    ('createPageHTML(9, 2, "index", "html");', "http://a/x/index_2.html", []),
    ("var countPage = 3//共多少页", "http://a/tztg/index.htm", ["index_1.htm", "index_2.htm"]),
    ("createPageHTML(1, 0, 'index', 'html');", "http://a/x/", []),
    ("document.write('no pager here')", "http://a/x/", []),
])
def test_trs_pager_script_forms(script: str, url: str, expected: list[str]) -> None:
    assert [u.rsplit("/", 1)[1] for u in pager_urls(script, url, max_pages=10)] == expected


def test_trs_article_meta_comes_from_the_page_meta_tags() -> None:
    response = fixture_response("trs", "xxgk/zcfb/tz/202605/t20260520_1400001.html")
    assert get_kind("trs").article_meta(response) == {
        "PubDate": "2026-05-20 10:30", "ArticleTitle": "关于推动人形机器人产业高质量发展的通知",
        "ContentSource": "国家发展改革委"}


def test_trs_falls_back_to_all_links_when_the_list_block_is_missing() -> None:
    spider = spider_for(**TRS, options={"list_css": "div.no-such-list a"})
    response = fixture_response("trs", "xxgk/zcfb/tz/index.html")
    articles, _ = split(spider.kind.parse_listing(spider, response))
    assert "/xxgk/zcfb/tz/202604/t20260415_1399208.html" in paths(articles)  # the sidebar link now counts
    assert len(articles) == 3


# -- govcn-json ------------------------------------------------------------------------------------------------

GOVCN = {"kind": "govcn-json", "start_urls": [f"{B}/zhengce/zuixin/ZUIXINZHENGCE.json"],
         "allow": [r"/zhengce/.*content_\d+\.htm$"]}


def test_govcn_json_list_gives_articles_with_title_and_date() -> None:
    spider = spider_for(**GOVCN)
    response = fixture_response("govcn-json", "zhengce/zuixin/ZUIXINZHENGCE.json")
    articles, listings = split(spider.kind.parse_listing(spider, response))
    assert listings == []
    # The third item is news (/yaowen/), not matched by `allow`; the second URL was site-relative.
    assert paths(articles) == ["/zhengce/content/202605/content_7010001.htm",
                               "/zhengce/zhengceku/202605/content_7009876.htm"]
    assert articles[0].meta["policywatch_meta"] == {"title": "国务院办公厅关于加快培育未来产业的指导意见",
                                                    "published": "2026-05-21"}


def test_govcn_json_field_options_and_bad_json() -> None:
    spider = spider_for(**GOVCN, options={"items_path": "data.list", "url_field": "link", "title_field": "name"})
    body = b'{"data": {"list": [{"link": "/zhengce/content/2026/content_1.htm", "name": "A"}]}}'
    response = scrapy.http.TextResponse(url=f"{B}/x.json", body=body, encoding="utf-8",
                                        request=scrapy.Request(f"{B}/x.json"))
    articles, _ = split(spider.kind.parse_listing(spider, response))
    assert paths(articles) == ["/zhengce/content/2026/content_1.htm"]
    assert articles[0].meta["policywatch_meta"] == {"title": "A"}
    broken = scrapy.http.TextResponse(url=f"{B}/y.json", body=b"<html>busy</html>", encoding="utf-8",
                                      request=scrapy.Request(f"{B}/y.json"))
    assert list(spider.kind.parse_listing(spider, broken)) == []


@pytest.mark.parametrize("bad", ["http://[broken/zhengce/content/2026/content_9.htm",
                                 f"{B}:99999/zhengce/content/2026/content_8.htm"])
def test_a_malformed_url_in_a_json_list_is_skipped_not_fatal(bad: str) -> None:
    spider = spider_for(**GOVCN)
    items = [{"URL": "/zhengce/content/2026/content_1.htm"}, {"URL": bad},
             {"URL": "/zhengce/content/2026/content_2.htm"}]
    body = json.dumps(items).encode()
    response = scrapy.http.TextResponse(url=f"{B}/z.json", body=body, encoding="utf-8",
                                        request=scrapy.Request(f"{B}/z.json"))
    articles, _ = split(spider.kind.parse_listing(spider, response))
    assert paths(articles) == ["/zhengce/content/2026/content_1.htm", "/zhengce/content/2026/content_2.htm"]


def test_govcn_article_meta() -> None:
    response = fixture_response("govcn-json", "zhengce/content/202605/content_7010001.htm")
    assert get_kind("govcn-json").article_meta(response) == {
        "firstpublishedtime": "2026-05-21-17:05:12", "lastmodifiedtime": "2026-05-21-17:05:12",
        "manuscriptId": "7010001"}


# -- miit-buildstatic ------------------------------------------------------------------------------------------

MIIT = {"kind": "miit-buildstatic", "start_urls": [f"{B}/zwgk/zcwj/wjfb/index.html"],
        "allow": [r"/art/\d{4}/art_[0-9a-f]{32}\.html?$"]}


def test_miit_list_page_calls_the_buildstatic_api_with_its_querydata() -> None:
    spider = spider_for(**MIIT)
    response = fixture_response("miit-buildstatic", "zwgk/zcwj/wjfb/index.html")
    articles, listings = split(spider.kind.parse_listing(spider, response))
    assert articles == []  # the shell has no article links of its own
    (api,) = listings
    assert api.url.startswith(f"{B}/api-gateway/jpaas-publish-server/front/page/build/unit?webId=a1b2c3d4e5f6&")
    assert "parseType=buildstatic" in api.url and "paramJson=pageNo%3D1%2CpageSize%3D24" in api.url
    assert api.meta["policywatch_role"] == "buildstatic-api"


def test_miit_api_answer_lists_articles_from_data_html() -> None:
    spider = spider_for(**MIIT)
    response = fixture_response("miit-buildstatic", "api-gateway/jpaas-publish-server/front/page/build/unit.json",
                                policywatch_role="buildstatic-api", policywatch_page=f"{B}/zwgk/zcwj/wjfb/index.html")
    articles, _ = split(spider.kind.parse_listing(spider, response))
    assert paths(articles) == ["/zwgk/zcwj/wjfb/tz/art/2026/art_3f8a2c1d9b7e4a6f8c0d1e2f3a4b5c6d.html",
                               "/zwgk/zcwj/wjfb/yj/art/2026/art_9c1b2a3d4e5f60718293a4b5c6d7e8f9.html"]
    assert articles[1].meta["policywatch_meta"] == {"title": "关于公开征求《6G技术试验工作方案》意见的通知",
                                                    "published": "2026-05-08"}


def test_miit_api_url_keeps_a_path_without_querydata() -> None:
    assert api_url("http://a/b/index.html", "/api/x", None) == "http://a/api/x"
    assert api_url("http://a/b/index.html", "/api/x?y=1", "{'k': 2}") == "http://a/api/x?y=1&k=2"
    assert api_url("http://a/b/index.html", "/api/x", "not json") == "http://a/api/x"


# -- gkmlpt ----------------------------------------------------------------------------------------------------

GKMLPT = {"kind": "gkmlpt", "start_urls": [f"{B}/gkmlpt/index"],
          "allow": [r"/gkmlpt/content/\d+/\d+/m*post_\d+\.html$"], "options": {"categories": [5]}}


def test_gkmlpt_reads_the_site_id_from_config_then_pages_the_api() -> None:
    spider = spider_for(**GKMLPT)
    index = fixture_response("gkmlpt", "gkmlpt/index.html", url=f"{B}/gkmlpt/index", policywatch_role="gkmlpt-index")
    _, (api,) = split(spider.kind.parse_listing(spider, index))
    assert api.url == f"{B}/gkmlpt/api/all/5?page=1&sid=2"
    page1 = fixture_response("gkmlpt", "gkmlpt/api/all/5@page=1.json", url=api.url, **api.meta)
    articles, (page2,) = split(spider.kind.parse_listing(spider, page1))
    assert paths(articles) == ["/gkmlpt/content/0/963/post_963149.html", "/gkmlpt/content/0/962/post_962880.html"]
    facts = articles[1].meta["policywatch_meta"]
    assert facts["document_number"] == "粤府办〔2026〕9号" and facts["publisher"] == "广东省人民政府办公厅"
    assert facts["identifier"] == "006939748/2026-00098" and facts["is_abolished"] == 0
    assert facts["attachments"] == [{"name": "补贴标准.xlsx",
                                     "url": f"{B}/attachment/0/962/962881/补贴标准.xlsx"}]
    assert page2.url == f"{B}/gkmlpt/api/all/5?page=2&sid=2"
    last = fixture_response("gkmlpt", "gkmlpt/api/all/5@page=2.json", url=page2.url, **page2.meta)
    articles, listings = split(spider.kind.parse_listing(spider, last))
    assert paths(articles) == ["/gkmlpt/content/0/955/post_955412.html"] and listings == []  # total 3 reached


def test_gkmlpt_with_a_configured_sid_starts_at_the_api() -> None:
    spider = spider_for(**{**GKMLPT, "start_urls": [f"{B}/sub/gkmlpt/index"], "options": {"categories": [5, 7],
                                                                                         "sid": 755031}})
    starts = list(spider.kind.start_requests(spider))
    assert [r.url for r in starts] == [f"{B}/sub/gkmlpt/api/all/5?page=1&sid=755031",
                                       f"{B}/sub/gkmlpt/api/all/7?page=1&sid=755031"]


# -- hanweb ----------------------------------------------------------------------------------------------------

HANWEB = {"kind": "hanweb", "start_urls": [f"{B}/col/col1229019364/index.html"],
          "allow": [r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$"]}


def test_hanweb_reads_records_inside_the_datastore_script_and_asks_dataproxy_for_page_2() -> None:
    spider = spider_for(**HANWEB)
    response = fixture_response("hanweb", "col/col1229019364/index.html")
    articles, (more,) = split(spider.kind.parse_listing(spider, response))
    assert paths(articles) == ["/art/2026/5/18/art_1229019365_2600101.html",
                               "/art/2026/5/6/art_1229019365_2599870.html"]
    assert articles[0].meta["policywatch_meta"] == {"title": "浙江省人民政府关于加快建设未来产业先导区的实施意见",
                                                    "published": "2026-05-18"}
    assert more.url.startswith(f"{B}/module/web/jpage/dataproxy.jsp?page=2&webid=3185&")
    assert "columnid=1229019364" in more.url and more.meta["policywatch_role"] == "dataproxy"
    answer = fixture_response("hanweb", "module/web/jpage/dataproxy.jsp@page=2.xml", url=more.url, **more.meta)
    articles, listings = split(spider.kind.parse_listing(spider, answer))
    assert paths(articles) == ["/art/2026/4/20/art_1229019365_2599321.html"] and listings == []  # totalpage 2


def test_hanweb_entity_encoded_datastore_and_max_list_pages() -> None:
    encoded = ("&lt;datastore&gt;&lt;recordset&gt;&lt;record&gt;&lt;![CDATA[&lt;li&gt;&lt;a href=&quot;/art/2026/1/2/"
               "art_1_2.html&quot;&gt;T&lt;/a&gt;&lt;/li&gt;]]&gt;&lt;/record&gt;&lt;/recordset&gt;&lt;/datastore&gt;")
    assert datastore_records(encoded) == ['<li><a href="/art/2026/1/2/art_1_2.html">T</a></li>']
    spider = spider_for(**HANWEB, options={"max_list_pages": 1})
    response = fixture_response("hanweb", "col/col1229019364/index.html")
    assert split(spider.kind.parse_listing(spider, response))[1] == []


def test_hanweb_column_page_without_datastore_is_read_as_html() -> None:
    spider = spider_for(**HANWEB)
    body = b'<html><body><ul><li><a href="/art/2026/3/1/art_5_6.html">A</a></li></ul></body></html>'
    response = scrapy.http.HtmlResponse(url=f"{B}/col/col5/index.html", body=body, encoding="utf-8",
                                        request=scrapy.Request(f"{B}/col/col5/index.html"))
    articles, listings = split(spider.kind.parse_listing(spider, response))
    assert paths(articles) == ["/art/2026/3/1/art_5_6.html"] and listings == []


def test_list_facts_are_bounded() -> None:
    spider = spider_for(**GOVCN)
    body = ('[{"URL": "/zhengce/content/2026/content_9.htm", "TITLE": "' + "长" * 5000 + '"}]').encode()
    response = scrapy.http.TextResponse(url=f"{B}/z.json", body=body, encoding="utf-8",
                                        request=scrapy.Request(f"{B}/z.json"))
    (article,) = spider.kind.parse_listing(spider, response)
    assert len(article.meta["policywatch_meta"]["title"]) == 1000


# -- discovery: sitemaps and feeds, for every kind ---------------------------------------------------------------

NEWS = {"kind": "html", "start_urls": [f"{B}/"], "allow": [r"/a/\d{6}/\d{2}/WS\w+\.html$"]}


def test_sitemap_index_leads_to_child_sitemaps_whose_urls_are_classified_by_allow() -> None:
    spider = spider_for(**NEWS, sitemap_urls=[f"{B}/sitemap_index.xml"])
    index = fixture_response("discovery", "sitemap_index.xml", policywatch_role="sitemap", policywatch_depth=0)
    (child,) = list(parse_sitemap(spider, index))
    assert child.url == f"{B}/sitemaps/news-2026-05.xml" and child.meta["policywatch_role"] == "sitemap"
    urlset = fixture_response("discovery", "sitemaps/news-2026-05.xml", url=child.url, **child.meta)
    articles, listings = split(parse_sitemap(spider, urlset))
    assert paths(articles) == ["/a/202605/20/WS0001.html", "/a/202605/18/WS0002.html"] and listings == []
    assert articles[0].meta["policywatch_meta"] == {"lastmod": "2026-05-20T08:00:00+08:00"}


def test_feed_items_become_articles_with_title_and_date() -> None:
    spider = spider_for(**NEWS, feed_urls=[f"{B}/feed.xml"])
    feed = fixture_response("discovery", "feed.xml", policywatch_role="feed")
    articles, _ = split(parse_feed(spider, feed))
    assert paths(articles) == ["/a/202605/15/WS0003.html", "/a/202605/18/WS0002.html"]
    assert articles[0].meta["policywatch_meta"]["title"] == "Hydrogen truck corridor links three cities"
    assert "15 May 2026" in articles[0].meta["policywatch_meta"]["published"]


def test_every_kind_starts_sitemap_and_feed_discovery() -> None:
    for kind in KNOWN_KINDS:
        options = {"categories": [1]} if kind == "gkmlpt" else {}
        spider = spider_for(kind=kind, allow=["/a/"], sitemap_urls=[f"{B}/s.xml"], feed_urls=[f"{B}/f.xml"],
                            options=options)
        roles = [r.meta.get("policywatch_role") for r in spider.kind.start_requests(spider)]
        assert roles[-2:] == ["sitemap", "feed"], kind


# -- classification --------------------------------------------------------------------------------------------

def test_links_are_classified_by_their_canonical_url() -> None:
    spider = spider_for(kind="html", allow=[r"/post_\d+\.html$"], deny=[r"/post_9\.html$"],
                        follow=[r"/index_\d+\.html$", r"/list\?from=\d+$"])
    assert spider.is_article(f"{B}/post_1.html?from=timeline&isappinstalled=0#content")
    assert not spider.is_article(f"{B}/post_9.html?utm_source=wechat")  # deny sees the canonical URL too
    assert spider.is_listing(f"{B}/index_2.html?from=timeline#top")  # tracking dropped for `follow`…
    assert spider.is_listing(f"{B}/list?from=40")  # …and kept: on list pages `from` may be an offset
    assert not spider.is_listing(f"{B}/index_2.html?page=3")
    # deny applies to links from every kind of list, not only to an HTML page's <a href>
    body = f'[{{"URL": "{B}/post_9.html"}}, {{"URL": "{B}/post_1.html#x"}}]'.encode()
    response = scrapy.http.TextResponse(url=f"{B}/z.json", body=body, encoding="utf-8",
                                        request=scrapy.Request(f"{B}/z.json"))
    spider = spider_for(**{**GOVCN, "allow": [r"/post_\d+\.html$"], "deny": [r"/post_9\.html$"]})
    articles, _ = split(spider.kind.parse_listing(spider, response))
    assert paths(articles) == ["/post_1.html"]
