"""The ``gkmlpt`` kind: the open-government platform of Guangdong, Guangzhou, Shenzhen and other cities.

``/gkmlpt/index`` is a JavaScript app whose ``window._CONFIG`` holds the site id (``SID: '2'``); lists
come from ``/gkmlpt/api/all/{category}?page=N&sid=SID`` as JSON ``{"total": …, "articles": [{"url", "title",
"document_number", "identifier", "publisher", "created_at", "attachment", "is_expired", "is_abolished"…}]}``.
Those facts are kept with each version; ``is_expired``/``is_abolished`` also count in the comparison,
so a plan that becomes abolished shows up as a change.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.http import Response

from crawlers.kinds import ListKind, join_link, json_body, links_to_requests, listing_depth, option, register_kind

if TYPE_CHECKING:
    from crawlers.spiders.pages import SourceSpider

DEFAULT_MAX_LIST_PAGES = 3
ARTICLE_FIELDS = ("title", "document_number", "identifier", "publisher", "created_at", "first_publish_time",
                  "is_expired", "is_abolished")
_SID = re.compile(r"""\bSID\s*:\s*['"]?(\w+)""")


def api_url(page_url: str, category: object, sid: str, page: int) -> str:
    """``…/gkmlpt/api/all/{category}?page=N&sid=SID`` under the same site prefix as the index page."""
    prefix = page_url.split("/gkmlpt/", 1)[0]
    return f"{prefix}/gkmlpt/api/all/{category}?page={page}&sid={sid}"


def article_facts(article: dict[str, Any]) -> dict[str, Any]:
    facts = {key: article[key] for key in ARTICLE_FIELDS if article.get(key) not in (None, "")}
    attachments = article.get("attachment")
    if isinstance(attachments, list) and attachments:
        facts["attachments"] = [{k: a.get(k) for k in ("name", "url", "link") if isinstance(a, dict) and a.get(k)}
                                for a in attachments[:50]]
    return facts


@register_kind("gkmlpt")
class GkmlptKind(ListKind):
    def start_listings(self, spider: SourceSpider, url: str) -> Iterator[scrapy.Request]:
        sid = option(spider, "sid", None)
        if sid is not None:  # with a configured site id the index page is not needed
            yield from self._api_requests(spider, url, str(sid), 0)
            return
        request = spider.listing_request(url, 0, policywatch_role="gkmlpt-index")
        if request is not None:
            yield request

    def _api_requests(self, spider: SourceSpider, page_url: str, sid: str, depth: int) -> Iterator[scrapy.Request]:
        for category in option(spider, "categories", []):
            request = spider.listing_request(api_url(page_url, category, sid, 1), depth, policywatch_role="gkmlpt-api",
                                             policywatch_api=(category, sid, 1, 0))
            if request is not None:
                yield request

    def parse_list_page(self, spider: SourceSpider, response: Response) -> Iterator[scrapy.Request]:
        depth = listing_depth(response)
        if response.meta.get("policywatch_role") == "gkmlpt-index":
            match = _SID.search(response.text) if hasattr(response, "text") else None
            if match is None:
                spider.logger.warning("%s: no SID in window._CONFIG; set options.sid", response.url)
                return
            yield from self._api_requests(spider, response.url, match.group(1), depth)
            return
        data = json_body(spider, response)
        articles = data.get("articles") if isinstance(data, dict) else None
        if not isinstance(data, dict) or not isinstance(articles, list):
            spider.logger.warning("%s: no 'articles' list in the answer", response.url)
            return
        urls: list[str] = []
        facts: dict[str, dict[str, Any]] = {}
        for article in articles:
            link = isinstance(article, dict) and (article.get("post_url") or article.get("url"))
            url = join_link(response.url, link) if isinstance(link, str) and link.strip() else None
            if url:
                urls.append(url)
                facts[url] = article_facts(article)
        yield from links_to_requests(spider, urls, depth, facts)
        category, sid, page, seen = response.meta.get("policywatch_api", (None, None, 1, 0))
        seen += len(articles)
        total = data.get("total") if isinstance(data.get("total"), int) else None
        more = bool(articles) and (total is None or seen < total)
        if category is not None and more and page < option(spider, "max_list_pages", DEFAULT_MAX_LIST_PAGES):
            request = spider.listing_request(api_url(response.url, category, sid, page + 1), depth,
                                             policywatch_role="gkmlpt-api",
                                             policywatch_api=(category, sid, page + 1, seen))
            if request is not None:
                yield request
