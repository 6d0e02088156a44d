"""Full-text search over the latest text of every page.

Why trigrams (SQLite FTS5 ``tokenize='trigram'``) rather than word segmentation: Chinese has no spaces
and a segmenter decides the words at index time, so 智能 is not found inside a page segmented as
人工智能 (bench/search_recall.py measures recall and index size of both). Trigrams find any substring
of three or more characters, the way an analyst expects a search box to work, in Chinese and in German
compounds (Wasserstoff inside Wasserstoffstrategie) alike, case-insensitively. Consequences:

- a term of one or two characters (量子, 6G, AI) has no trigram of its own: it is looked up as every
  indexed trigram that starts with it (``pages_fts_terms``, the index's vocabulary), so it is found
  wherever another character follows it, which in running text is everywhere but the very last word;
- English words are matched as substrings after a light suffix strip (``robots`` → ``robot``,
  ``industries`` → ``industr``), which gives the effect of stemming and prefix matching together.

The index is contentless (the text lives once, compressed, in ``texts``), so snippets are cut from the
few hits' texts in Python. ``Archive.add_version`` keeps it current: it queues the page (``search_queue``,
in the version's transaction) and ``index_queued`` indexes the queue, at once or, in a crawl, every few
dozen pages (``Archive(search_batch=…)``). Why batches: FTS5 writes one index segment per transaction (and
per savepoint), and one segment per stored page was a quarter of a first crawl's cost of storing a page
(bench/record_cost.py). The queue is a table, so pages queued by a crawl that was killed are indexed
when the archive is next opened for writing; until then a search does not find them.

Attachment text (PDF, DOCX) has an index of its own built the same way, ``attachments_fts`` (migration
m012): a hit there names the page and the attachment. Its text stays in ``attachments`` and triggers keep
the index in step (attachments are few beside pages, so there is no queue). ``search`` asks both indexes
and merges the hits: newest pages first (a page's own hit before its attachments'), or by BM25 score.
"""
from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from sqlite_utils import Database

from storage.content import load_text

MIN_INDEXED_CHARS = 3
MAX_SHORT_TERM_TRIGRAMS = 5000
ORDERS = {"relevance": "bm25(pages_fts, 5.0, 1.0), pages_fts.rowid", "newest": "pages_fts.rowid desc"}
SNIPPET_BEFORE = 40
SNIPPET_AFTER = 100
_LATIN_WORD = re.compile(r"[a-z]+", re.ASCII)
_TERMS = re.compile(r'"([^"]*)"|(\S+)')


class SearchError(ValueError):
    """The query cannot be run (empty, or a filter value that is not a date)."""


@dataclass(frozen=True, slots=True)
class SearchHit:
    page_id: int
    url: str
    source: str
    region: str | None
    title: str | None
    last_changed: str | None
    version_count: int
    snippet: str
    attachment_url: str | None = None  # set when the hit is in the text of this attachment of the page
    attachment_title: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def index_latest_text(db: Database, page_id: int, title: str | None, text: str,
                      replaces: tuple[str | None, str] | None = None) -> None:
    """Make ``pages_fts`` index this page's newest title and text (inside the writer's transaction).

    ``replaces`` is the (title, text) indexed so far for the page: a contentless index can only
    forget a row when told exactly what it held.
    """
    if replaces is not None:
        _forget(db, page_id, replaces)
    db.execute("insert into pages_fts (rowid, title, text) values (?, ?, ?)", [page_id, title or "", text])


def _forget(db: Database, page_id: int, indexed: tuple[str | None, str]) -> None:
    db.execute("insert into pages_fts (pages_fts, rowid, title, text) values ('delete', ?, ?, ?)",
               [page_id, indexed[0] or "", indexed[1]])


def forget_page(db: Database, page_id: int) -> None:
    """Take a page about to be deleted out of the index and its queue (inside the writer's transaction).

    Its id may be given to the next page created (``pages.id`` is a plain rowid), which must not find
    the deleted page's text under its rowid. Call while the page's versions are still stored.
    """
    queued = db.execute("select indexed_title, indexed_text_hash from search_queue where page_id = ?",
                        [page_id]).fetchone()
    if queued is not None:
        db.execute("delete from search_queue where page_id = ?", [page_id])
        indexed = queued if queued[1] is not None else None
    else:
        indexed = db.execute("select title, text_hash from versions where page_id = ? order by number desc limit 1",
                             [page_id]).fetchone()
    if indexed is not None:
        _forget(db, page_id, (indexed[0], load_text(db, indexed[1])))


def queue_latest_text(db: Database, page_id: int, indexed: tuple[str | None, str] | None) -> None:
    """Queue a page whose newest title and text the index does not hold yet (inside the writer's transaction).

    ``indexed``: the (title, text hash) the index holds for the page now, None for nothing. A page already
    queued keeps what was recorded first: the index still holds that.
    """
    db.execute("insert or ignore into search_queue (page_id, indexed_title, indexed_text_hash) values (?, ?, ?)",
               [page_id, *(indexed or (None, None))])


def index_queued(db: Database, texts: Mapping[str, str] | None = None) -> int:
    """Index the newest title and text of every queued page and empty the queue; returns how many pages.

    Call inside a write transaction. The newest version is read from the archive, not remembered, so a
    version rolled back after it was queued is never indexed; ``texts`` (text hash → text) only spares
    decompressing texts the caller still holds.
    """
    rows = db.execute(
        "select q.page_id, q.indexed_title, q.indexed_text_hash, v.title, v.text_hash from search_queue q "
        "left join versions v on v.page_id = q.page_id "
        "and v.number = (select max(number) from versions where page_id = q.page_id)").fetchall()
    if not rows:
        return 0

    def text_of(digest: str) -> str:
        return texts[digest] if texts is not None and digest in texts else load_text(db, digest)

    for page_id, indexed_title, indexed_hash, title, text_hash in rows:
        replaces = (indexed_title, text_of(indexed_hash)) if indexed_hash is not None else None
        if text_hash is not None:
            index_latest_text(db, page_id, title, text_of(text_hash), replaces=replaces)
        elif replaces is not None:  # the page no longer has a version: the index forgets it
            _forget(db, page_id, replaces)
    db.execute("delete from search_queue")
    return len(rows)


def optimize_index(db: Database | sqlite3.Connection) -> None:
    """Merge the index's segments into one (after many updates; VACUUM afterwards returns the space)."""
    db.execute("insert into pages_fts (pages_fts) values ('optimize')")


def light_stem(word: str) -> str:
    """Strip a common English inflection so the substring match also finds the other forms."""
    if not _LATIN_WORD.fullmatch(word) or len(word) < 5 or word.endswith("ss"):
        return word
    if word.endswith("ies"):
        return word[:-3] if len(word) >= 7 else word
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    for suffix in ("ing", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def query_terms(query: str) -> list[str]:
    """Split a query into terms: whitespace separates them, "double quotes" keep a phrase together."""
    terms = []
    for phrase, word in _TERMS.findall(query):
        term = (phrase or word).strip().strip("*").lower()
        if term:
            terms.append(term if phrase else light_stem(term))
    return terms


def _fts_string(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _short_term_group(db: Database | sqlite3.Connection, term: str, index: str = "pages_fts") -> str | None:
    """An OR of the trigrams of ``index`` that start with ``term`` (one or two characters), or None."""
    rows = db.execute(
        f"select term from {index}_terms where term >= ? and term < ? limit ?",
        [term, term + "\U0010ffff", MAX_SHORT_TERM_TRIGRAMS + 1],
    ).fetchall()
    if len(rows) > MAX_SHORT_TERM_TRIGRAMS:
        raise SearchError(f"{term!r} is too short to search on its own: add characters or another term")
    return "(" + " OR ".join(_fts_string(row[0]) for row in rows) + ")" if rows else None


def _day_after(value: str) -> str:
    try:
        return (date.fromisoformat(value) + timedelta(days=1)).isoformat()
    except ValueError as exc:
        raise SearchError(f"--until {value!r} is not a date (YYYY-MM-DD) or timestamp") from exc


def _check_date(option: str, value: str) -> str:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ][0-9:.]+Z?([+-]\d{2}:?\d{2})?)?", value):
        raise SearchError(f"{option} {value!r} is not a date (YYYY-MM-DD) or ISO timestamp")
    return value


def snippet(text: str, terms: list[str], *, mark: tuple[str, str] = ("**", "**")) -> str:
    """The text around the first hit, every hit inside it wrapped in ``mark``."""
    if not terms:
        return text[: SNIPPET_BEFORE + SNIPPET_AFTER]
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, first.start() - SNIPPET_BEFORE) if first else 0
    end = min(len(text), (first.end() if first else 0) + SNIPPET_AFTER)
    window = " ".join(text[start:end].split())
    marked = pattern.sub(lambda m: f"{mark[0]}{m.group(0)}{mark[1]}", window)
    return ("…" if start > 0 else "") + marked + ("…" if end < len(text) else "")


def _match(db: Database | sqlite3.Connection, terms: list[str], index: str) -> str | None:
    """The FTS5 query for ``terms`` in ``index``, or None when a short term occurs nowhere in it."""
    groups = []
    for term in terms:
        group = _fts_string(term) if len(term) >= MIN_INDEXED_CHARS else _short_term_group(db, term, index)
        if group is None:
            return None
        groups.append(group)
    return " AND ".join(groups)


def _has_attachment_index(db: Database | sqlite3.Connection) -> bool:
    """False on an archive a reader opened before migration m012 ran: its attachments are not searchable yet."""
    return db.execute("select 1 from sqlite_master where name = 'attachments_fts'").fetchone() is not None


_PAGE_COLUMNS = "p.id, p.url, p.source, s.region, p.title, p.last_changed, p.version_count"


def search(db: Database | sqlite3.Connection, query: str, *, source: str | None = None, region: str | None = None,
           since: str | None = None, until: str | None = None, limit: int = 20,
           mark: tuple[str, str] = ("**", "**"), order: str = "newest") -> list[SearchHit]:
    """Pages whose latest title or text, and attachments whose text, contain every term of ``query``.

    ``order`` is ``newest`` (most recently discovered pages first: the index yields matches in that
    order and the query stops after ``limit``, so it stays fast however many pages match) or
    ``relevance`` (BM25, title matches weigh five times more: every match is ranked, so a common term
    in a large archive takes hundreds of milliseconds; see bench/archive_bench.py). ``since`` and
    ``until`` bound the time the page last changed (dates are whole UTC days). Filters apply to an
    attachment's page.
    """
    if order not in ORDERS:
        raise SearchError(f"unknown order {order!r}: choose one of {', '.join(ORDERS)}")
    terms = query_terms(query)
    if not terms:
        raise SearchError("empty query: give at least one word or phrase")
    clauses, args = [], []
    if source:
        clauses.append("p.source = ?")
        args.append(source)
    if region:
        clauses.append("lower(s.region) = lower(?)")
        args.append(region)
    if since:
        clauses.append("p.last_changed >= ?")
        args.append(_check_date("--since", since))
    if until:
        until = _check_date("--until", until)
        clauses.append("p.last_changed < ?")
        args.append(_day_after(until) if len(until) == 10 else until)
    ranked: list[tuple[tuple[Any, ...], SearchHit]] = []
    if (match := _match(db, terms, "pages_fts")) is not None:
        sql = (
            f"select {_PAGE_COLUMNS}, {'bm25(pages_fts, 5.0, 1.0)' if order == 'relevance' else 'null'}, "
            "(select text_hash from versions where page_id = p.id order by number desc limit 1) "
            "from pages_fts join pages p on p.id = pages_fts.rowid left join sources s on s.name = p.source "
            f"where {' and '.join(['pages_fts match ?', *clauses])} order by {ORDERS[order]} limit ?"
        )
        for row in db.execute(sql, [match, *args, int(limit)]).fetchall():
            text = load_text(db, row[8]) if row[8] else ""
            hit = SearchHit(*row[:7], snippet=snippet(text, terms, mark=mark))  # type: ignore[arg-type]
            ranked.append(((row[7], row[0], 0) if order == "relevance" else (-row[0], 0), hit))
    if _has_attachment_index(db) and (match := _match(db, terms, "attachments_fts")) is not None:
        rank = "bm25(attachments_fts)" if order == "relevance" else "null"
        sql = (
            f"select {_PAGE_COLUMNS}, {rank}, a.id, a.url, a.title, a.text from attachments_fts "
            "join attachments a on a.id = attachments_fts.rowid join pages p on p.id = a.page_id "
            "left join sources s on s.name = p.source "
            f"where {' and '.join(['attachments_fts match ?', *clauses])} "
            f"order by {rank + ', ' if order == 'relevance' else ''}p.id desc, a.id limit ?"
        )
        for row in db.execute(sql, [match, *args, int(limit)]).fetchall():
            hit = SearchHit(*row[:7], snippet=snippet(row[11] or "", terms, mark=mark),  # type: ignore[arg-type]
                            attachment_url=row[9], attachment_title=row[10])
            ranked.append(((row[7], row[0], 1 + row[8]) if order == "relevance" else (-row[0], 1 + row[8]), hit))
    ranked.sort(key=lambda pair: pair[0])
    return [hit for _, hit in ranked[:limit]]
