"""The crawl child's Scrapy settings: components we removed are neither enabled nor even imported."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PROBE = """
import json, os, sys
os.environ["SCRAPY_SETTINGS_MODULE"] = "crawlers.settings"
from scrapy import Spider
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

settings = get_project_settings()
settings.set("ITEM_PIPELINES", {})
class Probe(Spider):
    name = "probe"
    async def start(self):
        return
        yield
process = CrawlerProcess(settings, install_root_handler=False)
crawler = process.create_crawler(Probe)
process.crawl(crawler)
process.start()
crawler.stats.inc_value("probe/count", 2)
crawler.stats.inc_value("probe/count")
print(json.dumps({
    "stats_class": type(crawler.stats).__name__,
    "counted": crawler.stats.get_value("probe/count"),
    "finish_reason": crawler.stats.get_value("finish_reason"),
    "extensions": [type(e).__name__ for e in crawler.extensions.middlewares],
    "downloader": [f"{type(m).__module__}.{type(m).__name__}"
                   for m in crawler.engine.downloader.middleware.middlewares],
    "spider": [type(m).__name__ for m in crawler.engine.scraper.spidermw.middlewares],
    "imported": [m for m in ("aiohttp", "scrapy.extensions.remote_control", "scrapy.extensions.telnet",
                             "scrapy.downloadermiddlewares.cookies") if m in sys.modules],
}))
"""


def test_unused_scrapy_components_are_not_loaded() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert "RemoteControl" not in loaded["extensions"] and "TelnetConsole" not in loaded["extensions"]
    assert "CoreStats" in loaded["extensions"]  # Scrapy's other defaults are kept
    downloader = [name.rsplit(".", 1)[-1] for name in loaded["downloader"]]
    assert "CookiesMiddleware" not in downloader
    assert {"RetryBackoffMiddleware", "HttpCompressionMiddleware", "RedirectMiddleware"} <= set(downloader)
    # Scrapy's meta refresh handling is replaced by ours, at the same place in the chain
    assert "crawlers.middlewares.MetaRefreshMiddleware" in loaded["downloader"]
    assert downloader.count("MetaRefreshMiddleware") == 1
    assert downloader.index("MetaRefreshMiddleware") < downloader.index("RedirectMiddleware")
    # so is its robots.txt handling (failures logged in one line), after the offsite check as Scrapy's
    assert loaded["downloader"][:2] == ["scrapy.downloadermiddlewares.offsite.OffsiteMiddleware",
                                        "crawlers.middlewares.RobotsTxtMiddleware"]
    assert downloader.count("RobotsTxtMiddleware") == 1
    assert "DepthMiddleware" not in loaded["spider"] and "MetaCopyDetectionMiddleware" not in loaded["spider"]
    assert {"HttpErrorMiddleware", "RefererMiddleware", "UrlLengthMiddleware"} <= set(loaded["spider"])
    assert loaded["imported"] == []
    # no byte counts per request (the archive records each fetch); stats still counted, without Scrapy's hook
    assert "DownloaderStats" not in downloader
    assert loaded["stats_class"] == "PlainStatsCollector"
    assert (loaded["counted"], loaded["finish_reason"]) == (3, "finished")
