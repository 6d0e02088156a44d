"""Items are plain data: what was fetched, with no behaviour."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class PageItem:
    """One fetched article page (or a failed attempt at one)."""

    url: str
    source: str
    status: int | None
    body: bytes = field(repr=False)  # Scrapy logs an item that failed in the pipeline: not a whole page
    content_type: str | None
    fetched_at: str
    elapsed_ms: float | None = None
    error: str | None = None
    # Facts a list page or API gave about this article (document number, publisher, is_abolished…),
    # kept with the version so they can be compared and shown.
    meta: dict[str, Any] = field(default_factory=dict)
    # Validators the server sent (for the next conditional request) and, when a redirect or a
    # <link rel=canonical> led elsewhere, the URL that was asked for.
    etag: str | None = None
    last_modified: str | None = None
    requested_url: str | None = None


@dataclass(slots=True)
class AttachmentItem:
    """One fetched file linked from an article page (PDF, DOCX…), or a failed attempt at one."""

    page_url: str
    url: str
    title: str | None
    source: str
    status: int | None
    body: bytes = field(repr=False)
    content_type: str | None
    fetched_at: str
    elapsed_ms: float | None = None
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass(slots=True)
class ListingItem:
    """A list page read in full: its validators and the spider's calls it led to (``calls=None``: forget it)."""

    source: str
    url: str
    depth: int
    fingerprint: str
    fetched_at: str
    calls: list[Any] | None
    etag: str | None = None
    last_modified: str | None = None


@dataclass(slots=True)
class ListFetchItem:
    """One list page fetched (read in full, or answering 304): a ``fetches`` row of kind ``listing``."""

    source: str
    url: str
    status: int
    size: int
    fetched_at: str
    elapsed_ms: float | None
