"""Faults a test puts into a real crawl child through its settings, where a bug would raise.

``FailingCallbacks`` (a spider middleware) makes the callback of every response whose URL matches
``POLICYWATCH_TEST_FAIL_CALLBACKS`` raise; ``FailingPipeline`` (an item pipeline) raises for every page
item whose URL matches ``POLICYWATCH_TEST_FAIL_ITEMS``. The child imports them from ``tests`` (its
PYTHONPATH holds the checkout), named in ``SPIDER_MIDDLEWARES`` / ``ITEM_PIPELINES`` given as JSON.
"""
from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

from scrapy.crawler import Crawler
from scrapy.http import Response

from crawlers.items import PageItem

NEVER = "$^"


class FailingCallbacks:
    def __init__(self, pattern: str) -> None:
        self.pattern = re.compile(pattern)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FailingCallbacks:
        return cls(crawler.settings.get("POLICYWATCH_TEST_FAIL_CALLBACKS", NEVER))

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        if self.pattern.search(response.url):
            raise RuntimeError(f"callback bug on {response.url}")
        async for output in result:
            yield output


class FailingPipeline:
    def __init__(self, pattern: str) -> None:
        self.pattern = re.compile(pattern)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FailingPipeline:
        return cls(crawler.settings.get("POLICYWATCH_TEST_FAIL_ITEMS", NEVER))

    def process_item(self, item: Any) -> Any:
        if isinstance(item, PageItem) and self.pattern.search(item.url):
            raise ValueError(f"pipeline bug on {item.url}")
        return item


def fault_settings(*, callbacks: str = NEVER, items: str = NEVER) -> dict[str, str]:
    """Crawl settings (strings, as ``--set`` passes them) that put both faults in, before the archive."""
    return {"SPIDER_MIDDLEWARES": json.dumps({f"{__name__}.FailingCallbacks": 1000}),
            "ITEM_PIPELINES": json.dumps({f"{__name__}.FailingPipeline": 100,
                                          "crawlers.pipelines.ArchivePipeline": 300}),
            "POLICYWATCH_TEST_FAIL_CALLBACKS": callbacks, "POLICYWATCH_TEST_FAIL_ITEMS": items}
