"""Scrapy settings: polite by default (robots.txt, per-domain limits, AutoThrottle, honest UA)."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    _VERSION = version("policywatch")
except PackageNotFoundError:  # running from a source tree that was not installed
    _VERSION = "0.0"

BOT_NAME = "policywatch"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

# Who we are and how to reach us: override POLICYWATCH_CONTACT_URL for your own deployment.
POLICYWATCH_CONTACT_URL = "https://github.com/policywatch/policywatch"
USER_AGENT = f"policywatch/{_VERSION} (+{POLICYWATCH_CONTACT_URL}; government policy change monitor)"

ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

ITEM_PIPELINES = {
    "crawlers.pipelines.ArchivePipeline": 300,
}

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
