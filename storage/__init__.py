"""The SQLite archive of fetched pages, their versions and change events.

Knows nothing of Scrapy or extraction: it stores what it is given.
"""
from storage.archive import Archive, ArchiveError, Event, Page, Version
from storage.crawl_state import PageState

__all__ = ["Archive", "ArchiveError", "Event", "Page", "PageState", "Version"]
