"""What a list page gave last time, so an unchanged list page can be asked for conditionally.

A source's list pages are re-read on every run, and on a steady site they are most of the requests a
re-check makes once its articles are not yet due again. When a list page answered with a validator
(ETag or Last-Modified), the crawler keeps the validator and the links the page gave (as the calls the
spider made while reading it); next run it sends the validator back and, on ``304 Not Modified``, makes
the same calls again instead of downloading and parsing the page.

The calls are only valid for the source configuration and code that made them: ``fingerprint`` says
which, and a state with another fingerprint is never used. A mixin of ``Archive``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database

MAX_CALLS_JSON = 2 * 1024 * 1024  # a list page of ~10,000 links; a bigger record is not kept


@dataclass(frozen=True, slots=True)
class ListingState:
    """One list page as its last full read left it."""

    url: str  # the spider's key for the list page (canonical URL)
    depth: int  # the list depth it was read at (what it links depends on it)
    etag: str | None
    last_modified: str | None
    calls: list[Any]  # JSON data: the spider's requests for articles and further list pages
    checked_at: str


class ListingsMixin:
    db: Database

    def write(self) -> Any: ...  # provided by Archive

    def listing_states(self, source: str, fingerprint: str) -> dict[str, ListingState]:
        """The list pages of ``source`` read under ``fingerprint``, by URL (others are stale: ignored)."""
        rows = self.db.execute(
            "select url, depth, etag, last_modified, calls_json, checked_at from listings "
            "where source = ? and fingerprint = ?", [source, fingerprint]).fetchall()
        states = {}
        for url, depth, etag, modified, calls_json, checked_at in rows:
            try:
                calls = json.loads(calls_json)
            except (TypeError, ValueError):
                continue  # unreadable: the page is fetched in full again and the row replaced
            states[url] = ListingState(url, int(depth), etag, modified, calls, checked_at)
        return states

    def save_listing_state(self, source: str, url: str, *, fingerprint: str, depth: int, etag: str | None,
                           last_modified: str | None, calls: list[Any] | None, checked_at: str) -> bool:
        """Keep what a list page gave; ``calls=None`` (or no validator, or too big) forgets it instead.

        Returns whether a state is now stored.
        """
        calls_json = json.dumps(calls, ensure_ascii=False, separators=(",", ":")) if calls is not None else None
        keep = calls_json is not None and len(calls_json) <= MAX_CALLS_JSON and bool(etag or last_modified)
        with self.write():
            if not keep:
                self.db.execute("delete from listings where source = ? and url = ?", [source, url])
                return False
            self.db.execute(
                "insert or replace into listings (source, url, fingerprint, depth, etag, last_modified, calls_json, "
                "checked_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
                [source, url, fingerprint, depth, etag, last_modified, calls_json, checked_at])
        return True
