"""The ``govcn-json`` kind: a static JSON list of articles, as gov.cn publishes for its policy columns.

``https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json`` is a top-level array of objects such as
``{"TITLE": …, "URL": …, "DOCRELPUBTIME": …, "SUB_TITLE": …}`` (field names and the path to the array
are options, so other JSON lists fit too). Title and publication time go into the article's meta;
gov.cn article pages add ``<meta name="firstpublishedtime|lastmodifiedtime|manuscriptId">``.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.http import Response

from crawlers.kinds import ListKind, dig, join_link, json_body, links_to_requests, listing_depth, option, register_kind

if TYPE_CHECKING:
    from crawlers.spiders.pages import SourceSpider


@register_kind("govcn-json")
class GovcnJsonKind(ListKind):
    ARTICLE_META = ("firstpublishedtime", "lastmodifiedtime", "manuscriptId")

    def parse_list_page(self, spider: SourceSpider, response: Response) -> Iterator[scrapy.Request]:
        data = json_body(spider, response)
        items = dig(data, option(spider, "items_path", ""))
        if not isinstance(items, list):
            spider.logger.warning("%s: no item list at %r", response.url, option(spider, "items_path", ""))
            return
        url_field = option(spider, "url_field", "URL")
        fields = {"title": option(spider, "title_field", "TITLE"),
                  "published": option(spider, "published_field", "DOCRELPUBTIME")}
        urls: list[str] = []
        facts: dict[str, dict[str, Any]] = {}
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get(url_field), str):
                continue
            url = join_link(response.url, item[url_field])
            if url is None:
                continue
            urls.append(url)
            facts[url] = {key: str(item[name]).strip() for key, name in fields.items() if item.get(name)}
        yield from links_to_requests(spider, urls, listing_depth(response), facts)
