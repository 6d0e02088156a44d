"""`Archive`: pages, their versions, fetches, runs and change events in one SQLite file.

Writers keep transactions short (one per page) and the database runs in WAL mode, so a feed
server or Datasette reading the file never blocks a crawl writing it.
"""
from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from storage.attachments import AttachmentsMixin
from storage.content import load_body, load_text, store_body, store_text
from storage.crawl_state import CrawlStateMixin
from storage.listings import ListingsMixin
from storage.migrations import apply_migrations
from storage.rows import chunks, insert_row, update_row
from storage.search import index_queued, queue_latest_text

BUSY_TIMEOUT_MS = 30_000
SEARCH_BATCH_SECONDS = 10.0  # a queued page waits at most about this long for the search index
# The status of a run that reached nothing: no list page read, no article answered (``Archive.finish_run``).
# "failed" as storage/status.py reads it: a failure in a row.
NO_ANSWER = "failed: no list page answered"


@contextmanager
def write_transaction(db: Database) -> Iterator[None]:
    """One write transaction that takes SQLite's write lock first (``BEGIN IMMEDIATE``).

    A deferred transaction that reads before it writes fails at once with "database is locked"
    when another process (a second crawl, the daemon, a plans rebuild) wrote meanwhile: SQLite cannot
    wait on a stale snapshot. Taking the lock first makes it wait up to the busy timeout instead.
    Nested calls become savepoints.
    """
    if db.conn.in_transaction:
        with savepoint(db):
            yield
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.commit()


SAVEPOINT = "policywatch_write"


@contextmanager
def savepoint(db: Database) -> Iterator[None]:
    """A nested write that can fail alone, inside the open transaction.

    One fixed name (SQLite releases or rolls back the innermost savepoint of a name), not sqlite-utils'
    random one per call: a page's write opens about five, and each new name was a statement to compile.
    """
    db.conn.execute(f"SAVEPOINT {SAVEPOINT}")
    try:
        yield
    except BaseException:
        if db.conn.in_transaction:  # an error may already have ended the whole transaction
            db.conn.execute(f"ROLLBACK TO {SAVEPOINT}")
            db.conn.execute(f"RELEASE {SAVEPOINT}")
        raise
    db.conn.execute(f"RELEASE {SAVEPOINT}")


def version_event_guid(page_id: int, number: int, kind: str) -> str:
    """The GUID of the event written with version ``number`` of a page (``Archive.add_version``).

    Events written later about a page that add no version (``add_page_event``: a changed attachment, a
    restore) point at its latest version too, under GUIDs of another form; this one tells them apart.
    """
    return f"tag:policywatch,2026:page/{page_id}/v{number}/{kind}"


class ArchiveError(Exception):
    """The archive file cannot be opened or is not a policywatch archive."""


@dataclass(frozen=True, slots=True)
class Page:
    id: int
    url: str
    source: str
    first_seen: str
    last_checked: str | None
    last_changed: str | None
    last_status: int | None
    version_count: int
    title: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Page:
        return cls(**{k: row.get(k) for k in cls.__slots__})  # type: ignore[attr-defined,arg-type]


@dataclass(frozen=True, slots=True)
class Version:
    id: int
    page_id: int
    number: int
    fetched_at: str
    content_hash: str
    title: str | None
    text: str
    text_length: int
    published: str | None
    language: str | None
    relevant: bool

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Version:
        fields = {k: row[k] for k in cls.__slots__ if k in row}  # type: ignore[attr-defined]
        fields["relevant"] = bool(fields.get("relevant"))
        return cls(**fields)


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    guid: str
    kind: str
    created_at: str
    run_id: int | None
    page_id: int
    version_id: int | None
    source: str
    region: str | None
    url: str
    title: str | None
    summary: str | None
    excerpt: str | None
    diff_html: str | None
    relevant: bool


# Versions are read with their text hash in place of the text; ``_version`` loads it (storage/content.py).
_VERSION_FIELDS: tuple[str, ...] = Version.__slots__  # type: ignore[attr-defined]
_VERSION_COLUMNS = ", ".join(f"versions.{c}" if c != "text" else "versions.text_hash" for c in _VERSION_FIELDS)


class Archive(CrawlStateMixin, AttachmentsMixin, ListingsMixin):
    """Open (and create or migrate) the archive at ``path``.

    ``readonly=True`` opens with ``mode=ro`` so that a query can never change the archive.
    """

    def __init__(self, path: str | Path, *, readonly: bool = False, search_batch: int = 1) -> None:
        self.path = Path(path)
        self.readonly = readonly
        # Pages whose text waits for the search index (storage/search.py) before it is brought up to date:
        # 1 indexes each page with its version; a crawl passes more (crawlers/pipelines.py).
        self.search_batch = search_batch
        self._queued_texts: dict[str, str] = {}
        self._queued_since = 0.0
        try:
            if readonly:
                if not self.path.exists():
                    raise ArchiveError(f"{self.path}: no such archive")
                conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
            else:
                if self.path.parent and not self.path.parent.exists():
                    raise ArchiveError(f"{self.path}: directory {self.path.parent} does not exist")
                conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # sqlite-utils plugins installed for other work stay out of the archive (and out of every crawl
            # process: finding them scans every installed package's entry points, ~2% of a crawl's start-up)
            self.db = Database(conn, execute_plugins=False)
            if readonly:
                if not self.db["pages"].exists():
                    raise ArchiveError(f"{self.path}: not a policywatch archive (no pages table)")
                if not self.db["texts"].exists():
                    raise ArchiveError(f"{self.path}: archive schema is out of date; open it once for writing "
                                       "(for example with `policywatch crawl`) to migrate it")
            else:
                self.db.enable_wal()
                # WAL + NORMAL cannot corrupt the file (a power cut may lose the last commits, which the
                # next crawl re-fetches); FULL fsyncs every page's commit and made re-checks ~8x slower here.
                self.db.execute("PRAGMA synchronous = NORMAL")
                self.db.execute("PRAGMA foreign_keys = ON")
                self.schema_version = apply_migrations(self.db)
                self.index_queued()  # left by a crawl that was stopped before it indexed them
        except sqlite3.DatabaseError as exc:
            raise ArchiveError(f"{self.path}: cannot open archive: {exc}") from exc

    def close(self) -> None:
        if not self.readonly and not self.db.conn.in_transaction:  # a broken write is left to the next opener
            self.index_queued()
        self.db.close()

    def index_queued(self) -> int:
        """Bring the search index up to date with the queued pages (see ``search_batch``); how many there were."""
        self._queued_since = 0.0
        texts, self._queued_texts = self._queued_texts, {}
        if self.db.execute("select 1 from search_queue limit 1").fetchone() is None:
            return 0
        with self.write():
            return index_queued(self.db, texts)

    def write(self) -> AbstractContextManager[None]:
        """One write transaction that takes SQLite's write lock first (see ``write_transaction``)."""
        return write_transaction(self.db)

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- sources and runs ------------------------------------------------------------------

    def upsert_source(self, name: str, *, title: str | None, region: str | None,
                      language: str | None, now: str) -> None:
        with self.write():
            self.db["sources"].upsert(
                {"name": name, "title": title, "region": region, "language": language, "updated_at": now},
                pk="name",
            )

    def start_run(self, source: str, now: str) -> int:
        with self.write():
            table = self.db["runs"].insert(
                {"source": source, "started_at": now, "status": "running",
                 "fetched": 0, "new": 0, "changed": 0, "unchanged": 0, "errors": 0}
            )
        return int(table.last_pk)

    def finish_run(self, run_id: int, *, status: str, now: str, error: str | None = None,
                   exceptions: int = 0, fail_unanswered: bool = False) -> dict[str, Any]:
        """Close a run, counting its outcomes from the page fetches it recorded.

        List pages and attachments have fetch rows of their own kind (``fetches.kind``), not counted here:
        ``fetched``, ``new``, ``changed``, ``unchanged`` and ``errors`` are about article pages (a list page
        that failed is recorded as a page that failed, as before list pages had rows). A page whose text was
        unchanged but which got a ``changed`` event in the run (an attachment added or changed:
        monitor/attachments.py) counts as changed, so the counts agree with the events.
        ``exceptions``: failures the crawl met that left no fetch row (a page whose processing raised);
        they count as errors, since nothing else in the run would show them.
        ``restored`` counts the run's ``restored`` events: a page that answers again has the fetch row of
        what its text did (unchanged or changed), so a run whose only news is a return would show none.
        ``fail_unanswered``: a run with failed fetches in which no list page was read (no ``listing`` row)
        and no article page answered is recorded as ``failed: no list page answered (N errors)`` instead of
        ``status``, with its last fetch error as ``error`` when none is given: a site that is down or
        refuses every request must count as a failure in a row (storage/status.py), not as a run that
        found nothing new. Not with ``exceptions``: a callback that raised had an answer to read, and its
        rows are missing because of our code, not the site. A crawl that ended normally passes True; a
        stopped one keeps its ``stopped``.
        """
        counts = {"fetched": 0, "new": 0, "changed": 0, "unchanged": 0, "errors": exceptions, "missing": 0,
                  "removed": 0, "restored": 0}
        lists_read = answered = 0
        for kind, outcome, n in self.db.execute(
            "select kind, outcome, count(*) from fetches where run_id = ? and kind in ('page', 'listing') "
            "group by kind, outcome", [run_id]
        ).fetchall():
            if kind == "listing":
                lists_read += n
                continue
            counts["fetched"] += n
            if outcome == "error":
                counts["errors"] += n
                continue
            answered += n
            if outcome in ("new", "changed", "unchanged", "missing", "removed"):
                counts[outcome] += n
        if counts["unchanged"]:
            changed_otherwise = self.db.execute(
                "select count(distinct page_id) from events where run_id = ? and kind = 'changed' and page_id in "
                "(select page_id from fetches where run_id = ? and outcome = 'unchanged')", [run_id, run_id]
            ).fetchone()[0]
            counts["changed"] += changed_otherwise
            counts["unchanged"] -= changed_otherwise
        if counts["fetched"]:
            counts["restored"] = self.db.execute(
                "select count(*) from events where run_id = ? and kind = 'restored'", [run_id]).fetchone()[0]
        if fail_unanswered and counts["errors"] and not exceptions and not lists_read and not answered:
            status = f"{NO_ANSWER} ({counts['errors']} error{'' if counts['errors'] == 1 else 's'})"
            if error is None:
                # newest first: a run's rows are the newest, and fetches has no index on run_id
                last = self.db.execute("select error from fetches where run_id = ? and outcome = 'error' "
                                       "order by id desc limit 1", [run_id]).fetchall()
                error = last[0][0] if last else None
        with self.write():
            self.db["runs"].update(run_id, {**counts, "status": status, "finished_at": now, "error": error})
        return dict(self.db["runs"].get(run_id))

    def runs(self, source: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        where, args = ("where source = ?", [source]) if source else ("", [])
        cursor = self.db.execute(f"select * from runs {where} order by id desc limit ?", [*args, limit])
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=False)) for row in cursor.fetchall()]

    # -- pages and versions ----------------------------------------------------------------

    def page(self, url: str) -> Page | None:
        rows = list(self.db["pages"].rows_where("url = ?", [url], limit=1))
        return Page.from_row(rows[0]) if rows else None

    def page_by_id(self, page_id: int) -> Page | None:
        rows = list(self.db["pages"].rows_where("id = ?", [page_id], limit=1))
        return Page.from_row(rows[0]) if rows else None

    def find_page(self, ref: str, canonical: Callable[[str], str] | None = None) -> Page | None:
        """The page with URL ``ref``, with id ``ref`` when it is a number (as the CLI accepts both), or the
        page an old address of it (``url_aliases``: a move, a redirect) leads to.

        ``canonical`` puts a URL in the form pages are stored under (``monitor.urls.canonical_url``; the
        URL rules live there, not in storage), so a link copied with ``#top`` or ``?utm_source=…`` finds
        its page too: ``ref`` is tried as given, then in that form, each as a page URL and as an alias.
        """
        ref = ref.strip()
        page = self.page(ref)
        if page is None and ref.isdigit():
            page = self.page_by_id(int(ref))
        if page is not None:
            return page
        forms = [ref]
        if canonical is not None:
            try:
                forms.append(canonical(ref))
            except ValueError:  # not a URL at all (an unclosed "[" host, a port out of range)
                pass
        forms = list(dict.fromkeys(forms))
        for form in forms[1:]:
            if (page := self.page(form)) is not None:
                return page
        for form in forms:
            row = self.db.execute("select page_id from url_aliases where url = ?", [form]).fetchone()
            if row is not None:
                return self.page_by_id(row[0])
        return None

    def latest_version(self, url: str) -> Version | None:
        row = self.db.execute(
            f"select {_VERSION_COLUMNS} from versions join pages on pages.id = versions.page_id "
            "where pages.url = ? order by versions.number desc limit 1",
            [url],
        ).fetchone()
        return self._version(row)

    def latest_meta(self, url: str) -> dict[str, Any] | None:
        """The list facts stored with a page's latest version (None without a version), without its text:
        a 304 re-check needs only these."""
        row = self.db.execute(
            "select versions.meta_json from versions join pages on pages.id = versions.page_id "
            "where pages.url = ? order by versions.number desc limit 1", [url]).fetchone()
        if row is None:
            return None
        return json.loads(row[0]) if row[0] else {}

    def version_meta(self, version_id: int) -> dict[str, Any]:
        """The list facts stored with one version (empty when there are none): what it was compared on
        besides its text (``monitor.detect.comparison_text``), so a diff of two stored versions agrees with
        the event that recorded the change."""
        row = self.db.execute("select meta_json from versions where id = ?", [version_id]).fetchone()
        return json.loads(row[0]) if row and row[0] else {}

    def version(self, url: str, number: int) -> Version | None:
        row = self.db.execute(
            f"select {_VERSION_COLUMNS} from versions join pages on pages.id = versions.page_id "
            "where pages.url = ? and versions.number = ?",
            [url, number],
        ).fetchone()
        return self._version(row)

    def versions(self, url: str) -> list[Version]:
        rows = self.db.execute(
            f"select {_VERSION_COLUMNS} from versions join pages on pages.id = versions.page_id "
            "where pages.url = ? order by versions.number",
            [url],
        ).fetchall()
        return [v for v in map(self._version, rows) if v is not None]

    def raw_html(self, version_id: int) -> bytes:
        """The body as fetched, for re-running extraction later."""
        row = self.db.execute("select html_hash from versions where id = ?", [version_id]).fetchone()
        if row is None:
            raise ArchiveError(f"no version with id {version_id}")
        return load_body(self.db, row[0])

    def _version(self, row: tuple | None) -> Version | None:
        if row is None:
            return None
        fields = dict(zip(_VERSION_FIELDS, row, strict=False))
        fields["text"] = load_text(self.db, fields["text"])
        return Version.from_row(fields)

    def _page_id(self, url: str, source: str, now: str) -> tuple[int, bool]:
        """The page's id, created if needed; and whether it was created just now."""
        row = self.db.execute("select id from pages where url = ?", [url]).fetchone()
        if row:
            return int(row[0]), False
        return int(insert_row(self.db, "pages", {"url": url, "source": source, "first_seen": now,  # type: ignore[arg-type]
                                                 "version_count": 0})), True

    def add_fetch(self, *, run_id: int | None, source: str, url: str, fetched_at: str, status: int | None,
                  size: int, elapsed_ms: float | None, outcome: str, error: str | None = None) -> None:
        """Record one fetch and, when the page is known or answered, mark it checked."""
        # Plain SQL: this runs once per fetched page, and sqlite-utils' insert/update re-read the schema
        # and the row each time (a third of a re-check's archive time, bench/crawl_bench.py --profile).
        with self.write():
            page_id = None
            known = self.db.execute("select id from pages where url = ?", [url]).fetchone()
            if outcome != "error" or known is not None:
                page_id = int(known[0]) if known else self._page_id(url, source, fetched_at)[0]
                self.db.execute("update pages set last_checked = ?, last_status = ? where id = ?",
                                [fetched_at, status, page_id])
            self._insert_fetch(run_id, source, url, page_id, fetched_at, status, size, elapsed_ms, outcome, error)

    def add_other_fetch(self, kind: str, *, run_id: int | None, source: str, url: str, page_id: int | None,
                        fetched_at: str, status: int | None, size: int, elapsed_ms: float | None, outcome: str,
                        error: str | None = None) -> None:
        """Record the fetch of a list page (``kind='listing'``) or an attachment (``'attachment'``): one
        insert, no page row touched, and not counted in the run's page counts (see ``finish_run``)."""
        with self.write():
            self._insert_fetch(run_id, source, url, page_id, fetched_at, status, size, elapsed_ms, outcome, error,
                               kind=kind)

    def _insert_fetch(self, run_id: int | None, source: str, url: str, page_id: int | None, fetched_at: str,
                      status: int | None, size: int, elapsed_ms: float | None, outcome: str,
                      error: str | None, *, kind: str = "page") -> None:
        self.db.execute(
            "insert into fetches (run_id, source, url, page_id, fetched_at, status, bytes, elapsed_ms, outcome, "
            "error, kind) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [run_id, source, url, page_id, fetched_at, status, size, elapsed_ms, outcome, error, kind])

    def add_version(self, *, run_id: int | None, source: str, region: str | None, url: str, fetched_at: str,
                    status: int, raw_html: bytes, elapsed_ms: float | None, content_hash: str,
                    title: str | None, text: str, published: str | None, language: str | None,
                    relevant: bool, event_kind: str, summary: str | None, excerpt: str | None,
                    diff_html: str | None, meta: dict[str, Any] | None = None,
                    facts: dict[str, str | None] | None = None) -> Event:
        """Store a new version of a page, its fetch and its event in one transaction.

        ``facts``: document facts the page states (issuer, document_number, index_number,
        written_date, modified, subject), each in its own column.
        """
        with self.write():
            page_id, created = self._page_id(url, source, fetched_at)
            # the latest version (none for a page created just now: its versions would have gone with it)
            latest = None if created else self.db.execute(
                "select number, title, text_hash, html_hash from versions where page_id = ? "
                "order by number desc limit 1", [page_id]).fetchone()
            number = latest[0] + 1 if latest else 1
            previous = latest[1:] if latest else None
            text_key = store_text(self.db, text, previous=previous[1] if previous else None)
            body_key = store_body(self.db, raw_html, source=source, previous=previous[2] if previous else None)
            queue_latest_text(self.db, page_id, (previous[0], previous[1]) if previous else None)
            version_id = int(insert_row(self.db, "versions",  # type: ignore[arg-type]
                {"page_id": page_id, "number": number, "fetched_at": fetched_at,
                 "content_hash": content_hash, "title": title, "text_hash": text_key, "text_length": len(text),
                 "published": published, "language": language, "relevant": int(relevant),
                 "meta_json": json.dumps(meta, ensure_ascii=False, sort_keys=True) if meta else None,
                 "html_hash": body_key, "html_bytes": len(raw_html), **(facts or {})}))
            update_row(self.db, "pages", page_id, {
                "last_checked": fetched_at, "last_changed": fetched_at, "last_status": status,
                "version_count": number, "title": title,
            })
            self._insert_fetch(run_id, source, url, page_id, fetched_at, status, len(raw_html), elapsed_ms,
                               event_kind, None)
            event = {
                "guid": version_event_guid(page_id, number, event_kind),
                "kind": event_kind, "created_at": fetched_at, "run_id": run_id, "page_id": page_id,
                "version_id": version_id,
                "source": source, "region": region, "url": url, "title": title, "summary": summary,
                "excerpt": excerpt, "diff_html": diff_html, "relevant": int(relevant),
            }
            event_id = int(insert_row(self.db, "events", event))  # type: ignore[arg-type]
            self._queued(text_key, text)
        return Event(id=event_id, **{**event, "relevant": relevant})  # type: ignore[arg-type]

    def _queued(self, text_key: str, text: str) -> None:
        """A page was queued for the search index: index the queue when the batch is full or old enough."""
        now = time.monotonic()
        self._queued_texts[text_key] = text
        self._queued_since = self._queued_since or now
        if len(self._queued_texts) >= self.search_batch or now - self._queued_since >= SEARCH_BATCH_SECONDS:
            self.index_queued()

    # -- events ----------------------------------------------------------------------------

    def events(self, *, limit: int = 200, relevant_only: bool = True, source: str | None = None) -> list[Event]:
        """Newest first."""
        clauses, args = [], []
        if relevant_only:
            clauses.append("relevant = 1")
        if source:
            clauses.append("source = ?")
            args.append(source)
        where = f"where {' and '.join(clauses)}" if clauses else ""
        return list(self._events(f"select * from events {where} order by created_at desc, id desc limit ?",
                                 [*args, limit]))

    def recording_events(self, events: Iterable[Event]) -> set[int]:
        """The ids of those of ``events`` that were written with the version they point at (the page's new
        or changed text), not later about it (an attachment added or changed, a restore, a move)."""
        events = [e for e in events if e.version_id is not None]
        numbers: dict[int, int] = {}
        for chunk in chunks(sorted({e.version_id for e in events if e.version_id is not None})):
            numbers.update(self.db.execute(
                f"select id, number from versions where id in ({', '.join('?' * len(chunk))})", chunk).fetchall())
        return {e.id for e in events if e.version_id in numbers
                and e.guid == version_event_guid(e.page_id, numbers[e.version_id], e.kind)}

    def page_events(self, page_id: int) -> list[Event]:
        """Every event of one page, oldest first: with its versions, and those written later about its
        latest version (an attachment added or changed, a removal, a restoration, a move), which no version
        stands for."""
        return list(self._events("select * from events where page_id = ? order by created_at, id", [page_id]))

    def run_events(self, run_ids: list[int]) -> list[Event]:
        """Events found by the given crawl runs, in the order they were found."""
        if not run_ids:
            return []
        marks = ",".join("?" * len(run_ids))
        return list(self._events(f"select * from events where run_id in ({marks}) order by id", list(run_ids)))

    def _events(self, sql: str, args: list[Any]) -> Iterator[Event]:
        cursor = self.db.execute(sql, args)
        columns = [c[0] for c in cursor.description]
        for row in cursor.fetchall():
            data = dict(zip(columns, row, strict=False))
            data["relevant"] = bool(data["relevant"])
            yield Event(**data)
