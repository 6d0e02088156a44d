"""Schema of the archive as named migrations, applied in order on open.

Every table is meant to be read by people in Datasette, so columns are plain and named for what they
hold. ``PRAGMA user_version`` mirrors the number of applied migrations (the schema version).
"""
from __future__ import annotations

import gzip

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from storage.blobs import BLOB_COLUMNS, TABLES
from storage.content import load_text, store_body, store_text

migrations = Migrations("policywatch")


@migrations()
def m001_initial(db: Database) -> None:
    db["sources"].create(
        {"name": str, "title": str, "region": str, "language": str, "updated_at": str},
        pk="name",
    )
    db["runs"].create(
        {
            "id": int, "source": str, "started_at": str, "finished_at": str, "status": str,
            "fetched": int, "new": int, "changed": int, "unchanged": int, "errors": int, "error": str,
        },
        pk="id",
    )
    db["pages"].create(
        {
            "id": int, "url": str, "source": str, "first_seen": str, "last_checked": str,
            "last_changed": str, "last_status": int, "version_count": int, "title": str,
        },
        pk="id",
    )
    db["pages"].create_index(["url"], unique=True)
    db["pages"].create_index(["source"])
    db["versions"].create(
        {
            "id": int, "page_id": int, "number": int, "fetched_at": str, "content_hash": str,
            "title": str, "text": str, "text_length": int, "published": str, "language": str,
            "relevant": int, "meta_json": str, "html_gz": bytes, "html_bytes": int,
        },
        pk="id",
        foreign_keys=[("page_id", "pages", "id")],
    )
    db["versions"].create_index(["page_id", "number"], unique=True)
    db["fetches"].create(
        {
            "id": int, "run_id": int, "source": str, "url": str, "page_id": int, "fetched_at": str,
            "status": int, "bytes": int, "elapsed_ms": float, "outcome": str, "error": str,
        },
        pk="id",
        foreign_keys=[("run_id", "runs", "id"), ("page_id", "pages", "id")],
    )
    db["fetches"].create_index(["url"])
    db["events"].create(
        {
            "id": int, "guid": str, "kind": str, "created_at": str, "run_id": int, "page_id": int,
            "version_id": int,
            "source": str, "region": str, "url": str, "title": str, "summary": str, "excerpt": str,
            "diff_html": str, "relevant": int,
        },
        pk="id",
        foreign_keys=[("run_id", "runs", "id"), ("page_id", "pages", "id"), ("version_id", "versions", "id")],
    )
    db["events"].create_index(["guid"], unique=True)
    db["events"].create_index(["created_at"])


@migrations()
def m002_crawl_state(db: Database) -> None:
    """What a re-check needs to know about a page: validators, body hash, missing streak, moves."""
    db["pages"].add_column("etag", str)
    db["pages"].add_column("last_modified", str)
    db["pages"].add_column("body_hash", str)
    db["pages"].add_column("last_ok", str)  # last fetch that answered (200, 304, 404/410): errors do not count
    db["pages"].add_column("missing_count", int, not_null_default=0)
    db["pages"].add_column("removed_at", str)
    db["url_aliases"].create(
        {"url": str, "page_id": int, "reason": str, "recorded_at": str},
        pk="url",
        foreign_keys=[("page_id", "pages", "id")],
    )
    db["url_aliases"].create_index(["page_id"])



@migrations()
def m003_crawl_metadata(db: Database) -> None:
    """Document facts a page states (info table, meta tags): see monitor/metadata.py."""
    for column in ("issuer", "document_number", "index_number", "written_date", "modified", "subject"):
        db["versions"].add_column(column, str)


@migrations()
def m004_crawl_attachments(db: Database) -> None:
    """Files a page links (PDF, DOC/DOCX, WPS, XLS/XLSX, OFD): the latest state of each, per page."""
    db["attachments"].create(
        {
            "id": int, "page_id": int, "source": str, "url": str, "title": str, "first_seen": str,
            "last_checked": str, "last_changed": str, "status": int, "size": int, "content_type": str,
            "content_hash": str, "etag": str, "last_modified": str, "text": str, "error": str,
        },
        pk="id",
        foreign_keys=[("page_id", "pages", "id")],
    )
    db["attachments"].create_index(["page_id", "url"], unique=True)
    db["attachments"].create_index(["url"])


@migrations()
def m005_crawl_run_removals(db: Database) -> None:
    """Runs count pages answering 404/410 (missing) and pages marked removed, beside errors."""
    db["runs"].add_column("missing", int, not_null_default=0)
    db["runs"].add_column("removed", int, not_null_default=0)


@migrations()
def m006_query_compact_storage_and_search(db: Database) -> None:
    """Texts and fetched pages stored once per content, compressed (storage/blobs.py), and a full-text index.

    ``versions.text`` and ``versions.html_gz`` move to ``texts`` and ``bodies`` (``versions.text_hash``,
    ``versions.html_hash``). ``pages_fts`` indexes the latest title and text of every page (rowid =
    ``pages.id``) in trigrams, so Chinese (no spaces) and German compounds match on any substring of
    3+ characters; it is contentless (the texts are in ``texts``) and ``pages_fts_terms`` lists its
    trigrams, which is how storage/search.py finds terms of one or two characters.
    """
    for table in TABLES:
        db[table].create(BLOB_COLUMNS, pk="hash")
    db["html_roots"].create({"source": str, "hash": str}, pk="source")
    db["versions"].add_column("text_hash", str)
    db["versions"].add_column("html_hash", str)
    previous: dict[int, tuple[str, str]] = {}
    ids = [row[0] for row in db.execute("select id from versions order by id").fetchall()]
    for version_id in ids:  # one row at a time: an old archive's texts and pages need not fit in memory
        page_id, source, text, html_gz = db.execute(
            "select v.page_id, p.source, v.text, v.html_gz from versions v join pages p on p.id = v.page_id "
            "where v.id = ?", [version_id]).fetchone()
        prev_text, prev_body = previous.get(page_id, (None, None))
        text_key = store_text(db, text or "", previous=prev_text)
        body_key = store_body(db, gzip.decompress(html_gz) if html_gz else b"", source=source, previous=prev_body)
        previous[page_id] = (text_key, body_key)
        db.execute("update versions set text_hash = ?, html_hash = ? where id = ?", [text_key, body_key, version_id])
    db.execute("ALTER TABLE versions DROP COLUMN text")
    db.execute("ALTER TABLE versions DROP COLUMN html_gz")
    db["versions"].create_index(["text_hash"])
    db.execute("create virtual table pages_fts using fts5(title, text, tokenize = 'trigram', content = '')")
    db.execute("create virtual table pages_fts_terms using fts5vocab(pages_fts, row)")
    for page_id, title, digest in db.execute(
        "select page_id, title, text_hash from versions v where number = "
        "(select max(number) from versions where page_id = v.page_id)"
    ).fetchall():
        db.execute("insert into pages_fts (rowid, title, text) values (?, ?, ?)",
                   [page_id, title or "", load_text(db, digest)])

def apply_migrations(db: Database) -> int:
    """Bring the schema up to date; return the schema version."""
    migrations.apply(db)
    version = len(migrations.applied(db))
    db.execute(f"PRAGMA user_version = {version}")
    return version


@migrations()
def m007_plans_schema(db: Database) -> None:
    """Plans seen across pages: one row per plan, the page versions that name it, the targets they state."""
    db.table("plans").create(
        {
            "id": str, "title": str, "title_rank": int, "type": str, "region": str, "issuer": str,
            "doc_number": str, "status": str, "sectors": str, "first_seen": str, "last_seen": str,
            "source_count": int,
        },
        pk="id",
    )
    db.table("plans").create_index(["region"])
    db.table("plan_keys").create({"key": str, "plan_id": str, "language": str}, pk="key",
                           foreign_keys=[("plan_id", "plans", "id")])
    db.table("plan_sources").create(
        {
            "id": int, "plan_id": str, "page_id": int, "version_id": int, "url": str, "source": str,
            "role": str, "status": str, "title_as_written": str, "language": str, "seen_at": str,
            "dates_json": str,
        },
        pk="id",
        foreign_keys=[("plan_id", "plans", "id"), ("page_id", "pages", "id"), ("version_id", "versions", "id")],
    )
    db.table("plan_sources").create_index(["plan_id", "version_id"], unique=True)
    db.table("plan_targets").create(
        {
            "id": int, "plan_id": str, "version_id": int, "seen_at": str, "year": int, "quantity": float,
            "kind": str, "unit": str, "unit_text": str, "subject": str, "qualifier": str, "text": str,
        },
        pk="id",
        foreign_keys=[("plan_id", "plans", "id"), ("version_id", "versions", "id")],
    )
    db.table("plan_targets").create_index(["plan_id", "year"])
    # Views for Datasette: "targets for 2030 by region" is plan_targets_by_region filtered on year = 2030.
    db.create_view("plan_targets_by_region", """
        select plans.region, plan_targets.year, plans.title, plan_targets.quantity, plan_targets.kind,
               plan_targets.unit, plan_targets.subject, plan_sources.role, plan_sources.url,
               plan_targets.seen_at, plans.id as plan_id
        from plan_targets join plans on plans.id = plan_targets.plan_id
        left join plan_sources on plan_sources.plan_id = plan_targets.plan_id
             and plan_sources.version_id = plan_targets.version_id
        order by plans.region, plan_targets.year, plans.title""")
    db.create_view("plans_per_sector_per_year", """
        select sector.value as sector, substr(plans.first_seen, 1, 4) as year, count(*) as plans
        from plans, json_each(plans.sectors) as sector
        group by sector.value, substr(plans.first_seen, 1, 4)
        order by year, plans desc""")


@migrations()
def m008_planfeed_events(db: Database) -> None:
    """Plan events (plan-new, plan-changed, plan-status, coverage) beside the page events.

    A table of their own rather than rows in ``events``: a plan event belongs to a plan, not to one page
    (``events.page_id`` is the page the event is about, and every existing reader of ``events`` — status,
    per-source feeds, run summaries — counts page changes); ``version_id`` ties a plan event to the page
    version that caused it, which is how feeds drop the page event that would repeat the same change.
    """
    db.table("plan_events").create(
        {
            "id": int, "guid": str, "kind": str, "plan_id": str, "created_at": str, "run_id": int,
            "page_id": int, "version_id": int, "source": str, "url": str, "region": str, "title": str,
            "summary": str, "details_json": str, "diff_html": str,
        },
        pk="id",
        # no foreign key to plans: ``policywatch plans --rebuild`` re-creates the plan rows, the events stay
        foreign_keys=[("page_id", "pages", "id"), ("version_id", "versions", "id")],
    )
    db.table("plan_events").create_index(["guid"], unique=True)
    db.table("plan_events").create_index(["plan_id", "created_at"])
    db.table("plan_events").create_index(["version_id"])


@migrations()
def m009_plan_description_clues(db: Database) -> None:
    """Reports that describe a plan of a region no known plan fits yet (monitor/plans/descriptions.py).

    One row per page and region, from the page's latest version that described plans there: when a plan
    of that region appears later (crawl order is up to the crawler), the report is linked to it then.
    """
    db.table("plan_clues").create(
        {"id": int, "page_id": int, "version_id": int, "region": str, "url": str, "source": str, "seen_at": str,
         "role": str, "status": str, "language": str, "clues_json": str},
        pk="id",
        # no foreign keys: a row only waits; moving or absorbing a page (storage/crawl_state.py) must not be
        # blocked by it, and a row whose version is gone is skipped and dropped when read
    )
    db.table("plan_clues").create_index(["region"])
    db.table("plan_clues").create_index(["page_id", "region"], unique=True)


@migrations()
def m010_plan_title_rank_by_language(db: Database) -> None:
    """Plan title ranks now also say the title's language (monitor/plans/archive.py: rank × 2, + 1 for a
    translation). Ranks stored before cannot say which it was; counting them as translations lets a title
    in the plan's own language of the same kind replace them, as it would have under the new ranks."""
    db.execute("update plans set title_rank = title_rank * 2 + 1 where title_rank is not null")


@migrations()
def m011_crawl_listing_states(db: Database) -> None:
    """List pages' validators and the links they gave, for conditional list requests (storage/listings.py)."""
    db["listings"].create(
        {"source": str, "url": str, "fingerprint": str, "depth": int, "etag": str, "last_modified": str,
         "calls_json": str, "checked_at": str},
        pk=("source", "url"),
    )


@migrations()
def m011_record_cost_plan_keys_by_plan(db: Database) -> None:
    """Linking a stored version to its plans reads every key of the plans it may name
    (``PlanStore.keys_near``: ``plan_keys where plan_id in …``); without this index that read scanned
    all keys of the archive for every stored page, a cost that grew with the archive."""
    db.table("plan_keys").create_index(["plan_id"], if_not_exists=True)


@migrations()
def m011_record_cost_search_queue(db: Database) -> None:
    """Pages whose newest text the search index does not hold yet (storage/search.py ``index_queued``), with
    what it holds for them (title and text hash, empty for nothing): a contentless index can only forget a
    row when told exactly what it held."""
    db["search_queue"].create({"page_id": int, "indexed_title": str, "indexed_text_hash": str}, pk="page_id")


@migrations()
def m012_query_attachment_search(db: Database) -> None:
    """Attachment text (PDF, DOCX) searchable as page text is: ``attachments_fts`` indexes each attachment's
    ``text`` in trigrams, ``attachments_fts_terms`` lists its trigrams (for terms of one or two characters).

    The text stays in ``attachments`` (an external-content index reads it from there), and triggers keep the
    index in step with every insert, change of text and delete of an attachment, whoever makes it; an update
    that leaves the text as it was (a re-check) does not touch the index. Attachments already archived are
    indexed here.
    """
    db.execute("create virtual table attachments_fts using fts5(text, tokenize = 'trigram', "
               "content = 'attachments', content_rowid = 'id')")
    db.execute("create virtual table attachments_fts_terms using fts5vocab(attachments_fts, row)")
    db.execute("create trigger attachments_fts_insert after insert on attachments begin "
               "insert into attachments_fts (rowid, text) values (new.id, new.text); end")
    db.execute("create trigger attachments_fts_delete after delete on attachments begin "
               "insert into attachments_fts (attachments_fts, rowid, text) values ('delete', old.id, old.text); end")
    db.execute("create trigger attachments_fts_update after update of text on attachments "
               "when old.text is not new.text begin "
               "insert into attachments_fts (attachments_fts, rowid, text) values ('delete', old.id, old.text); "
               "insert into attachments_fts (rowid, text) values (new.id, new.text); end")
    db.execute("insert into attachments_fts (attachments_fts) values ('rebuild')")


@migrations()
def m013_crawl_fetch_kinds(db: Database) -> None:
    """``fetches.kind``: what was fetched, ``page`` (an article page: the run's counts come from these rows
    alone), ``listing`` (a list page read in full or answering 304) or ``attachment`` (a linked file, with
    what recording it gave: new, added, changed, unchanged, error, skipped). Rows before this are pages."""
    db["fetches"].add_column("kind", str, not_null_default="page")


@migrations()
def m014_crawl_run_restores(db: Database) -> None:
    """Runs count the pages marked removed that answered again (their ``restored`` events), beside removals."""
    db["runs"].add_column("restored", int, not_null_default=0)


@migrations()
def m015_history_events_by_page(db: Database) -> None:
    """Index ``events`` by page: ``policywatch history`` and ``diff`` read a page's events (its attachment
    changes), and recording an attachment looks up its page's events; without it each scanned every event."""
    db["events"].create_index(["page_id", "created_at"], if_not_exists=True)
