"""Attachments of archived pages: the latest state of each linked file, per page (an ``Archive`` mixin)."""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database


@dataclass(frozen=True, slots=True)
class Attachment:
    id: int
    page_id: int
    source: str
    url: str
    title: str | None
    first_seen: str
    last_checked: str | None
    last_changed: str | None
    status: int | None
    size: int | None
    content_type: str | None
    content_hash: str | None
    etag: str | None
    last_modified: str | None
    text: str | None
    error: str | None


_COLUMNS = ", ".join(f.name for f in fields(Attachment))


class AttachmentsMixin:
    db: Database

    def attachment(self, page_id: int, url: str) -> Attachment | None:
        row = self.db.execute(f"select {_COLUMNS} from attachments where page_id = ? and url = ?",
                              [page_id, url]).fetchone()
        return Attachment(*row) if row else None

    def attachments(self, page_url: str) -> list[Attachment]:
        rows = self.db.execute(
            f"select {', '.join('attachments.' + f.name for f in fields(Attachment))} from attachments "
            "join pages on pages.id = attachments.page_id where pages.url = ? order by attachments.id",
            [page_url]).fetchall()
        return [Attachment(*row) for row in rows]

    def attachment_validators(self, source: str) -> dict[str, tuple[str | None, str | None]]:
        """ETag and Last-Modified of every attachment of a source, by URL, for conditional requests."""
        rows = self.db.execute("select url, etag, last_modified from attachments where source = ? and "
                               "content_hash is not null", [source]).fetchall()
        return {url: (etag, modified) for url, etag, modified in rows}

    def attachment_links(self, source: str) -> dict[str, list[tuple[str, str | None]]]:
        """Page URL → its archived attachments (URL, link title), to re-check behind a 304 page."""
        links: dict[str, list[tuple[str, str | None]]] = {}
        for page_url, url, title in self.db.execute(
                "select pages.url, attachments.url, attachments.title from attachments "
                "join pages on pages.id = attachments.page_id where attachments.source = ? order by attachments.id",
                [source]).fetchall():
            links.setdefault(page_url, []).append((url, title))
        return links

    def save_attachment(self, page_id: int, url: str, values: dict[str, Any], *, now: str) -> None:
        """Insert or update the attachment ``url`` of a page with ``values`` (columns of the table)."""
        with self.write():
            existing = self.attachment(page_id, url)
            if existing is None:
                self.db["attachments"].insert({"page_id": page_id, "url": url, "first_seen": now,
                                               "last_checked": now, **values})
            else:
                self.db["attachments"].update(existing.id, {"last_checked": now, **values})
