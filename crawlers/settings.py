"""Scrapy settings: polite by default (robots.txt, per-domain limits, AutoThrottle, honest UA)."""
from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version

from scrapy.settings import default_settings as _defaults

try:
    _VERSION = version("policywatch")
except PackageNotFoundError:  # running from a source tree that was not installed
    _VERSION = "0.0"

BOT_NAME = "policywatch"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

DEFAULT_CONTACT_URL = "https://github.com/policywatch/policywatch"


def user_agent(contact_url: str) -> str:
    """Who we are and how to reach us, as site operators see it in their logs."""
    return f"policywatch/{_VERSION} (+{contact_url}; government policy change monitor)"


# Set the environment variable POLICYWATCH_CONTACT_URL (or the setting of the same name) to a page or
# mailto: address of your own deployment, so a site operator can reach whoever runs the crawler.
POLICYWATCH_CONTACT_URL = os.environ.get("POLICYWATCH_CONTACT_URL") or DEFAULT_CONTACT_URL
USER_AGENT = user_agent(POLICYWATCH_CONTACT_URL)

ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Items of one response are handled one after another: our pipeline is synchronous, and Scrapy's
# default of 100 concurrent tasks per response only costs CPU (bench/crawl_bench.py --fetch-only).
CONCURRENT_ITEMS = 1
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
POLICYWATCH_ATTACHMENT_MAXSIZE = 20 * 1024 * 1024  # larger attachments are recorded as errors, not fetched
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Retries after 5xx/429/timeouts/dropped connections wait 1 s, 2 s, … (at most 60 s, or what Retry-After asks):
# crawlers/middlewares.py
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 60.0
# Components we do not use are removed from Scrapy's *_BASE lists, not just set to None: Scrapy imports
# every listed component, None or not, to normalise the keys (Settings.getwithbase), and RemoteControl
# alone imports aiohttp (~0.3 s of a crawl's start-up; bench/crawl_bench.py --profile). Filtering the
# defaults, instead of restating them, keeps any component a newer Scrapy adds.
_UNUSED_DOWNLOADER_MIDDLEWARES = (
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",  # COOKIES_ENABLED = False
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware",  # no site needs credentials
    # the same, after a quick test for the word "refresh" (crawlers/middlewares.py)
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware",
    # the same, with a robots.txt that cannot be fetched logged in one line (crawlers/middlewares.py)
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware",
)
_UNUSED_EXTENSIONS = (
    "scrapy.extensions.remote_control.RemoteControl",  # an HTTP control server: never in a crawl child
    "scrapy.extensions.telnet.TelnetConsole",
    "scrapy.extensions.memdebug.MemoryDebugger",
    "scrapy.extensions.feedexport.FeedExporter",  # items go to the archive, never to -o feeds
    "scrapy.extensions.spiderstate.SpiderState",  # no JOBDIR
)
# Each spider middleware wraps every callback's output in one more async generator: ~5% of an unchanged
# re-check's CPU for these two (bench/crawl_bench.py --profile). List depth is ``policywatch_depth``
# (bounded by a source's ``max_depth``), and no request copies a response's meta.
_UNUSED_SPIDER_MIDDLEWARES = (
    "scrapy.spidermiddlewares.depth.DepthMiddleware",  # DEPTH_LIMIT unused: kinds bound list depth themselves
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware",  # a development-time warning
)
SPIDER_MIDDLEWARES_BASE = {k: v for k, v in _defaults.SPIDER_MIDDLEWARES_BASE.items()
                           if k not in _UNUSED_SPIDER_MIDDLEWARES}
DOWNLOADER_MIDDLEWARES_BASE = {k: v for k, v in _defaults.DOWNLOADER_MIDDLEWARES_BASE.items()
                               if k not in _UNUSED_DOWNLOADER_MIDDLEWARES}
DOWNLOADER_MIDDLEWARES = {
    "crawlers.middlewares.RetryBackoffMiddleware": 560,
    # HTML read in the encoding monitor/decode.py finds (a header's charset may lie): after decompression
    # (590), before anything reads the text (MetaRefreshMiddleware, 580)
    "crawlers.middlewares.DecodeMiddleware": 585,
    "crawlers.middlewares.MetaRefreshMiddleware":
        _defaults.DOWNLOADER_MIDDLEWARES_BASE["scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware"],
    "crawlers.middlewares.RobotsTxtMiddleware":
        _defaults.DOWNLOADER_MIDDLEWARES_BASE["scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware"],
}
EXTENSIONS_BASE = {k: v for k, v in _defaults.EXTENSIONS_BASE.items() if k not in _UNUSED_EXTENSIONS}
EXTENSIONS: dict[str, int | None] = {}
COOKIES_ENABLED = False
# Stats read with plain attribute lookup (crawlers/stats.py: Scrapy's hook cost ~8 µs per count here), and
# none of the downloader's byte counts: each builds the request's HTTP text to measure it, and the archive
# already records every fetch's status, size and time.
STATS_CLASS = "crawlers.stats.PlainStatsCollector"
DOWNLOADER_STATS = False
# Scrapy parses each callback's source (inspect + tokenize) to warn about ``return value`` in generators:
# ~0.1 s of every crawl's start-up for a check that tests/test_spider*.py already cover.
WARN_ON_GENERATOR_RETURN_VALUE = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

ITEM_PIPELINES = {
    "crawlers.pipelines.ArchivePipeline": 300,
}

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"

# Worker processes that extract pages while this one downloads (monitor/analysis_pool.py): None reads
# $POLICYWATCH_EXTRACT_WORKERS (default 1); 0 extracts in the crawl process. The pool starts once
# POLICYWATCH_EXTRACT_POOL_AFTER pages were extracted in-process (a small re-check never starts it).
POLICYWATCH_EXTRACT_WORKERS = None
POLICYWATCH_EXTRACT_POOL_AFTER = 20
# Archive writes are committed in groups of at most this many items or seconds (storage/commit_groups.py),
# and at once when no other page is on its way; 1 commits every page in its own transaction.
POLICYWATCH_COMMIT_PAGES = 20
POLICYWATCH_COMMIT_SECONDS = 0.25
# With this many pages waiting for the analysis worker, the crawl process analyses the next one itself
# (crawlers/pipelines.py); 0 never does.
POLICYWATCH_ANALYSE_HERE_AFTER = 96
