"""What the crawler keeps about a page between runs: validators, body hash, missing streak, aliases.

A mixin of ``Archive`` (kept in its own module because it is one concern: re-checking pages that are
already archived). Every method that writes does so in one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from storage.rows import insert_row, update_row
from storage.search import forget_page

if TYPE_CHECKING:
    from sqlite_utils import Database

    from storage.archive import Event


@dataclass(frozen=True, slots=True)
class PageState:
    """One archived page as the next re-check sees it."""

    id: int
    url: str
    source: str
    first_seen: str
    last_checked: str | None
    last_ok: str | None
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    missing_count: int
    removed_at: str | None
    version_count: int
    title: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> PageState:
        values = {f.name: row.get(f.name) for f in fields(cls)}
        values["missing_count"] = int(values["missing_count"] or 0)
        values["version_count"] = int(values["version_count"] or 0)
        return cls(**values)  # type: ignore[arg-type]


_STATE_COLUMNS = ", ".join(f.name for f in fields(PageState))


class CrawlStateMixin:
    db: Database

    def _insert_fetch(self, *args: Any) -> None: ...  # provided by Archive

    def _state_rows(self, where: str, args: list[Any]) -> list[PageState]:
        cursor = self.db.execute(f"select {_STATE_COLUMNS} from pages where {where}", args)
        columns = [c[0] for c in cursor.description]
        return [PageState.from_row(dict(zip(columns, row, strict=False))) for row in cursor.fetchall()]

    def page_state(self, url: str) -> PageState | None:
        rows = self._state_rows("url = ?", [url])
        return rows[0] if rows else None

    def page_states(self, source: str) -> dict[str, PageState]:
        """Every archived page of a source (with at least one version), by URL."""
        return {s.url: s for s in self._state_rows("source = ? and version_count > 0", [source])}

    def has_pages(self, source: str) -> bool:
        """Whether any page of ``source`` is archived (none: its first crawl, every page will be new)."""
        return self.db.execute("select 1 from pages where source = ? limit 1", [source]).fetchone() is not None

    def aliases(self, source: str) -> dict[str, str]:
        """Other URLs (redirect origins, non-canonical links, old locations) → the page's URL."""
        rows = self.db.execute(
            "select url_aliases.url, pages.url from url_aliases join pages on pages.id = url_aliases.page_id "
            "where pages.source = ?", [source]).fetchall()
        return dict(rows)

    def add_alias(self, url: str, page_url: str, *, reason: str, now: str) -> None:
        """Remember that ``url`` leads to the page at ``page_url`` (never aliases a page to itself)."""
        if url == page_url:
            return
        with self.write():
            page = self.db.execute("select id from pages where url = ?", [page_url]).fetchone()
            other = self.db.execute("select 1 from pages where url = ?", [url]).fetchone()
            if page is None or other is not None:
                return
            self.db.execute("insert or ignore into url_aliases (url, page_id, reason, recorded_at) "
                            "values (?, ?, ?, ?)", [url, page[0], reason, now])

    def mark_answered(self, url: str, *, fetched_at: str, etag: str | None, last_modified: str | None,
                      body_hash: str | None) -> str | None:
        """A check that got the page (200 or 304): store validators, end any missing streak.

        Returns when the page had been marked removed (so the caller can record its return), else None.
        """
        with self.write():
            row = self.db.execute("select id, removed_at from pages where url = ?", [url]).fetchone()
            if row is None:
                return None
            self.db.execute(
                "update pages set etag = ?, last_modified = ?, body_hash = ?, last_ok = ?, missing_count = 0, "
                "removed_at = null where id = ?", [etag, last_modified, body_hash, fetched_at, row[0]])
        return row[1]  # type: ignore[no-any-return]

    def record_missing(self, *, run_id: int | None, source: str, region: str | None, url: str, fetched_at: str,
                       status: int, size: int, elapsed_ms: float | None, removed_after: int) -> Event | None:
        """A known page answered 404/410: count the streak; at ``removed_after`` add one ``removed`` event."""
        with self.write():
            state = self.page_state(url)
            if state is None:
                raise ValueError(f"{url}: not an archived page")
            streak = state.missing_count + 1
            removing = streak >= removed_after and state.removed_at is None
            update_row(self.db, "pages", state.id, {
                "missing_count": streak, "last_checked": fetched_at, "last_status": status, "last_ok": fetched_at,
                **({"removed_at": fetched_at} if removing else {}),
            })
            self._insert_fetch(run_id, source, url, state.id, fetched_at, status, size, elapsed_ms,
                               "removed" if removing else "missing", f"HTTP {status}")
            if not removing:
                return None
            summary = f"Answered HTTP {status} on {streak} consecutive checks; its last version stays archived."
            return self.add_page_event(state.id, "removed", created_at=fetched_at, run_id=run_id, region=region,
                                       summary=summary)

    def add_page_event(self, page_id: int, kind: str, *, created_at: str, run_id: int | None, region: str | None,
                       summary: str, relevant: bool | None = None, diff_html: str | None = None) -> Event:
        """An event about a page that adds no version (removed, restored, moved, a changed attachment).

        It points at the page's latest version and is relevant when that version is (unless told).
        """
        from storage.archive import Event

        with self.write():
            page = self.db.execute("select url, source, title from pages where id = ?", [page_id]).fetchone()
            latest = self.db.execute(
                "select id, relevant from versions where page_id = ? order by number desc limit 1", [page_id]
            ).fetchone()
            seq = self.db.execute("select count(*) + 1 from events where page_id = ? and kind = ?",
                                  [page_id, kind]).fetchone()[0]
            is_relevant = bool(latest[1]) if relevant is None and latest else bool(relevant)
            event = {
                "guid": f"tag:policywatch,2026:page/{page_id}/{kind}/{seq}", "kind": kind, "created_at": created_at,
                "run_id": run_id, "page_id": page_id, "version_id": latest[0] if latest else None,
                "source": page[1], "region": region, "url": page[0], "title": page[2], "summary": summary,
                "excerpt": summary, "diff_html": diff_html, "relevant": int(is_relevant),
            }
            event_id = int(insert_row(self.db, "events", event))  # type: ignore[arg-type]
            if kind == "changed":
                update_row(self.db, "pages", page_id, {"last_changed": created_at})
        return Event(id=event_id, **{**event, "relevant": is_relevant})  # type: ignore[arg-type]

    def move_page(self, old_url: str, new_url: str, *, now: str) -> int:
        """The page at ``old_url`` now lives at ``new_url``: keep its history, alias the old address."""
        with self.write():
            row = self.db.execute("select id from pages where url = ?", [old_url]).fetchone()
            if row is None:
                raise ValueError(f"{old_url}: not an archived page")
            if self.db.execute("select 1 from pages where url = ?", [new_url]).fetchone():
                raise ValueError(f"{new_url}: already an archived page")
            self.db.execute("delete from url_aliases where url = ?", [new_url])
            self.db["pages"].update(row[0], {"url": new_url})
            self.db.execute("insert or replace into url_aliases (url, page_id, reason, recorded_at) "
                            "values (?, ?, 'moved', ?)", [old_url, row[0], now])
        return int(row[0])

    def absorb_new_page(self, old_url: str, new_url: str, *, run_id: int | None) -> bool:
        """Undo the "new" page at ``new_url`` archived in this run, because it is ``old_url`` moved.

        When a site moves its articles, the lists link the new addresses, so the new URL is archived
        (as new) before the old one is re-checked and found to redirect there. Its single version,
        its "new" event and its attachments fold back into the old page, which then moves. What the
        plan tables took from that version goes to the old page's latest version, which has the same
        text (``PlanStore.fold_version``: rows re-pointed, plan events that only repeat the old page
        dropped), and the search index forgets it. Returns False (and changes nothing) when the new
        page has any other history or its text is not the old page's latest.
        """
        from storage.plan_events import PlanEventStore
        from storage.plans import PlanStore

        with self.write():
            new = self.db.execute("select id, version_count from pages where url = ?", [new_url]).fetchone()
            old = self.db.execute("select id from pages where url = ?", [old_url]).fetchone()
            if new is None or old is None or new[1] != 1:
                return False
            new_id, old_id = new[0], old[0]
            other = self.db.execute("select count(*) from events where page_id = ? and not (kind = 'new' and "
                                    "run_id is ?)", [new_id, run_id]).fetchone()[0]
            versions = [self.db.execute("select id, content_hash from versions where page_id = ? "
                                        "order by number desc limit 1", [page_id]).fetchone()
                        for page_id in (new_id, old_id)]
            if other or None in versions or versions[0][1] != versions[1][1]:
                return False
            (absorbed, _), (kept, _) = versions
            repeated = PlanStore(self.db).fold_version(absorbed, kept, old_id)
            PlanEventStore(self.db).fold_version(absorbed, page_id=new_id, into_version=kept, into_page=old_id,
                                                 repeated=repeated)
            forget_page(self.db, new_id)
            self.db.execute("delete from events where page_id = ?", [new_id])
            self.db.execute("delete from versions where page_id = ?", [new_id])
            self.db.execute("update fetches set page_id = ?, outcome = 'unchanged' where page_id = ? and "
                            "outcome = 'new'", [old_id, new_id])
            self.db.execute("update fetches set page_id = ? where page_id = ?", [old_id, new_id])
            self.db.execute("delete from attachments where page_id = ? and url in "
                            "(select url from attachments where page_id = ?)", [new_id, old_id])
            self.db.execute("update attachments set page_id = ? where page_id = ?", [old_id, new_id])
            self.db.execute("delete from url_aliases where page_id = ? and url = ?", [new_id, old_url])
            self.db.execute("update url_aliases set page_id = ? where page_id = ?", [old_id, new_id])
            self.db.execute("delete from pages where id = ?", [new_id])
        return True
