"""`ArchivePipeline`: hands each fetched page to ``monitor.detect.record`` and counts outcomes."""
from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler

from crawlers.items import AttachmentItem, PageItem
from crawlers.spiders.pages import utc_now
from monitor.attachments import record_attachment
from monitor.detect import record
from monitor.normalize import NoiseRules
from storage import Archive

logger = logging.getLogger(__name__)


class ArchivePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.db_path = crawler.settings.get("POLICYWATCH_DB")
        if not self.db_path:
            raise ValueError("setting POLICYWATCH_DB (the archive path) is required")
        self.archive: Archive | None = None
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    def open_spider(self, spider: Spider | None = None) -> None:
        spider = spider or self.crawler.spider
        source = spider.source  # type: ignore[union-attr]
        self.noise = NoiseRules(source.ignore_text)
        self.archive = Archive(self.db_path)
        now = utc_now()
        self.archive.upsert_source(source.name, title=source.title, region=source.region,
                                   language=source.language, now=now)
        self.run_id = self.archive.start_run(source.name, now)

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        spider = spider or self.crawler.spider
        if isinstance(item, PageItem) and self.archive is not None:
            outcome = record(self.archive, spider.source, item, run_id=self.run_id,  # type: ignore[union-attr]
                             noise=self.noise)
            self.crawler.stats.inc_value(f"policywatch/outcome/{outcome.kind}")
        elif isinstance(item, AttachmentItem) and self.archive is not None:
            result = record_attachment(self.archive, spider.source, item, run_id=self.run_id)  # type: ignore[union-attr]
            self.crawler.stats.inc_value(f"policywatch/attachment/{result}")
        return item

    def close_spider(self, spider: Spider | None = None) -> None:
        spider = spider or self.crawler.spider
        if self.archive is None or self.run_id is None:
            return
        reason = self.crawler.stats.get_value("finish_reason") or "finished"
        status = "ok" if reason == "finished" else f"stopped: {reason}"
        spider.run_summary = self.archive.finish_run(self.run_id, status=status, now=utc_now())  # type: ignore[union-attr]
        self.archive.close()
