"""`PlainStatsCollector`: Scrapy's stats collector without its per-attribute hook.

Scrapy 2.19's ``StatsCollector.__getattribute__`` wraps the stats methods to warn about a deprecated
``spider`` argument, and on every other attribute it reads (``self._stats`` inside each ``inc_value``)
it first raises and catches an AttributeError. A crawl counts several stats per request, and this hook
was the largest single item of an unchanged re-check's CPU in the crawl process (3% of its samples,
``bench/crawl_bench.py --profile``). Our code passes no ``spider`` argument, so nothing is lost.
"""
from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class PlainStatsCollector(MemoryStatsCollector):
    """The default collector (stats kept per spider after it closes), read with plain attribute lookup."""

    __getattribute__ = object.__getattribute__
