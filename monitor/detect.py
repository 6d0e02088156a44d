"""From a fetched page to an archive decision: new, changed, unchanged or error.

``analyse_page`` is pure (bytes in, values out); ``record`` applies it against the archive. A fetch
that failed, answered with an error status or yielded no main text never becomes a version: a
failing source must not make pages look changed.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any, Protocol

from monitor.decode import decode_html
from monitor.diff import diff_paragraphs, render_html
from monitor.extract import ExtractionError, extract_page
from monitor.metadata import PageMetadata, extract_metadata
from monitor.normalize import NoiseRules, content_hash, normalize_text
from monitor.relevance import is_relevant
from monitor.sources import Source
from storage import Archive, Event

logger = logging.getLogger(__name__)

MIN_TEXT_CHARS = 20
MAX_BODY_BYTES = 10 * 1024 * 1024
EXCERPT_CHARS = 600
MISSING_STATUSES = (404, 410)


class Fetched(Protocol):
    """What a crawler hands over for one URL (``crawlers.items.PageItem`` fits)."""

    url: str
    source: str
    status: int | None
    body: bytes
    content_type: str | None
    fetched_at: str
    elapsed_ms: float | None
    error: str | None
    meta: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PageAnalysis:
    title: str | None
    text: str
    published: str | None
    language: str | None
    encoding: str
    content_hash: str
    relevant: bool
    facts: PageMetadata = PageMetadata()


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: str  # "new" | "changed" | "unchanged" | "error" | "missing" | "removed" | "restored"
    url: str
    event: Event | None = None
    error: str | None = None


def comparison_text(title: str | None, text: str) -> str:
    """What two versions are compared on: the title line and the cleaned text."""
    return f"{title or ''}\n{text}"


def analyse_page(body: bytes, content_type: str | None, url: str, source: Source,
                 noise: NoiseRules | None = None) -> PageAnalysis:
    html, encoding = decode_html(body, content_type)
    extracted = extract_page(html, url, content_css=source.content_css, ignore_css=source.ignore_css,
                             language=source.language)
    noise = noise or NoiseRules(source.ignore_text)
    text = noise.clean(extracted.text)
    title = noise.clean(extracted.title or "") or None
    facts = extract_metadata(html, url, htmldate_fallback=False)  # trafilatura already ran htmldate
    return PageAnalysis(
        title=title,
        text=text,
        published=facts.published or extracted.published,
        language=extracted.language,
        encoding=encoding,
        content_hash=content_hash(normalize_text(comparison_text(title, text))),
        relevant=is_relevant(f"{title or ''}\n{text}", source.topics),
        facts=facts,
    )


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The opening paragraphs, cut at a paragraph end when one falls inside the limit."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit)
    return (text[:cut] if cut > limit // 3 else text[:limit]).rstrip() + " …"


def _fetch_problem(fetched: Fetched) -> str | None:
    if fetched.error:
        return fetched.error
    if fetched.status != 200:
        return f"HTTP {fetched.status}"
    if len(fetched.body) > MAX_BODY_BYTES:
        return f"body of {len(fetched.body)} bytes exceeds {MAX_BODY_BYTES}"
    ctype = (fetched.content_type or "text/html").split(";")[0].strip().lower()
    if ctype and "html" not in ctype and ctype != "text/plain":
        return f"not an HTML page (content type {ctype})"
    return None


def body_hash(body: bytes) -> str:
    """Hash of the raw bytes: an identical body needs no extraction to be known unchanged."""
    return hashlib.sha256(body).hexdigest()


def record(archive: Archive, source: Source, fetched: Fetched, *, run_id: int | None = None,
           noise: NoiseRules | None = None) -> Outcome:
    """Archive one fetched page and say what happened to it.

    Besides new/changed/unchanged/error: a 304 is "unchanged" without extraction; a known page
    answering 404/410 is "missing" until ``source.removed_after`` answers in a row make it "removed"
    (one event); a removed page that answers again is "restored" (and "changed" if its text differs).
    Everything one page writes is one transaction (one commit: re-checks are dominated by commits);
    extraction runs before it, so no write lock is held meanwhile.
    """
    state = archive.page_state(fetched.url)
    known = state is not None and state.version_count > 0
    if not fetched.error and fetched.status == 304 and known:
        return _not_modified(archive, source, fetched, run_id)
    if not fetched.error and fetched.status in MISSING_STATUSES and known:
        event = archive.record_missing(
            run_id=run_id, source=source.name, region=source.region, url=fetched.url,
            fetched_at=fetched.fetched_at, status=fetched.status, size=len(fetched.body),
            elapsed_ms=fetched.elapsed_ms, removed_after=source.removed_after)
        logger.info("%s: HTTP %s (%s)", fetched.url, fetched.status, "removed" if event else "missing")
        return Outcome("removed" if event else "missing", fetched.url, event=event)

    problem = _fetch_problem(fetched)
    raw_hash = body_hash(fetched.body)
    redirected = bool(getattr(fetched, "requested_url", None))  # may be a move: needs the full path
    if problem is None and known and state is not None and state.body_hash == raw_hash and not redirected:
        with archive.db.atomic():
            archive.add_fetch(run_id=run_id, source=source.name, url=fetched.url, fetched_at=fetched.fetched_at,
                              status=fetched.status, size=len(fetched.body), elapsed_ms=fetched.elapsed_ms,
                              outcome="unchanged")
            return _answered(archive, source, fetched, run_id, raw_hash, Outcome("unchanged", fetched.url))
    analysis = None
    if problem is None:
        try:
            analysis = analyse_page(fetched.body, fetched.content_type, fetched.url, source, noise)
        except ExtractionError as exc:
            problem = f"extraction failed: {exc}"
        else:
            if len(analysis.text) < MIN_TEXT_CHARS:
                problem = "no main text found"
    if problem is not None or analysis is None:
        logger.info("%s: %s", fetched.url, problem)
        archive.add_fetch(run_id=run_id, source=source.name, url=fetched.url, fetched_at=fetched.fetched_at,
                          status=fetched.status, size=len(fetched.body), elapsed_ms=fetched.elapsed_ms,
                          outcome="error", error=problem)
        return Outcome("error", fetched.url, error=problem)
    with archive.db.atomic():
        return _store(archive, source, fetched, analysis, run_id, raw_hash)


def _store(archive: Archive, source: Source, fetched: Fetched, analysis: PageAnalysis, run_id: int | None,
           raw_hash: str) -> Outcome:
    """The writes for a page whose text was extracted: a move, then unchanged, new or changed."""
    _follow_move(archive, source, fetched, analysis, run_id)
    previous = archive.latest_version(fetched.url)
    if previous is not None and previous.content_hash == analysis.content_hash:
        archive.add_fetch(run_id=run_id, source=source.name, url=fetched.url, fetched_at=fetched.fetched_at,
                          status=fetched.status, size=len(fetched.body), elapsed_ms=fetched.elapsed_ms,
                          outcome="unchanged")
        return _answered(archive, source, fetched, run_id, raw_hash, Outcome("unchanged", fetched.url))

    if previous is None:
        kind, summary, diff_html = "new", None, None
    else:
        kind = "changed"
        diff = diff_paragraphs(comparison_text(previous.title, previous.text),
                               comparison_text(analysis.title, analysis.text))
        summary, diff_html = diff.summary(), render_html(diff)
    event = archive.add_version(
        run_id=run_id, source=source.name, region=source.region, url=fetched.url,
        fetched_at=fetched.fetched_at, status=fetched.status or 200, raw_html=fetched.body,
        elapsed_ms=fetched.elapsed_ms, content_hash=analysis.content_hash, title=analysis.title,
        text=analysis.text, published=analysis.published, language=analysis.language,
        relevant=analysis.relevant, event_kind=kind, summary=summary, excerpt=excerpt(analysis.text),
        diff_html=diff_html, meta=fetched.meta,
        facts={k: v for k, v in analysis.facts.as_dict().items() if k != "published"},
    )
    logger.info("%s: %s (%s)", fetched.url, kind, summary or analysis.title)
    return _answered(archive, source, fetched, run_id, raw_hash, Outcome(kind, fetched.url, event=event))


def _not_modified(archive: Archive, source: Source, fetched: Fetched, run_id: int | None) -> Outcome:
    """A 304: checked and unchanged by the server's word, without a body to extract."""
    with archive.db.atomic():
        return _store_not_modified(archive, source, fetched, run_id)


def _store_not_modified(archive: Archive, source: Source, fetched: Fetched, run_id: int | None) -> Outcome:
    archive.add_fetch(run_id=run_id, source=source.name, url=fetched.url, fetched_at=fetched.fetched_at,
                      status=304, size=len(fetched.body), elapsed_ms=fetched.elapsed_ms, outcome="unchanged")
    state = archive.page_state(fetched.url)
    assert state is not None
    # A 304 may omit the validators: the stored ones stay valid then.
    validators = {"etag": getattr(fetched, "etag", None) or state.etag,
                  "last_modified": getattr(fetched, "last_modified", None) or state.last_modified}
    return _answered(archive, source, fetched, run_id, state.body_hash, Outcome("unchanged", fetched.url),
                     validators=validators)


def _answered(archive: Archive, source: Source, fetched: Fetched, run_id: int | None, raw_hash: str | None,
              outcome: Outcome, validators: dict[str, str | None] | None = None) -> Outcome:
    """Store the validators of a check that got the page; a page that was removed is restored."""
    validators = validators or {"etag": getattr(fetched, "etag", None),
                                "last_modified": getattr(fetched, "last_modified", None)}
    removed_at = archive.mark_answered(fetched.url, fetched_at=fetched.fetched_at, body_hash=raw_hash, **validators)
    requested = getattr(fetched, "requested_url", None)
    if requested and requested != fetched.url:
        archive.add_alias(requested, fetched.url, reason="redirect or canonical link", now=fetched.fetched_at)
    if removed_at is None:
        return outcome
    state = archive.page_state(fetched.url)
    assert state is not None
    event = archive.add_page_event(
        state.id, "restored", created_at=fetched.fetched_at, run_id=run_id, region=source.region,
        summary=f"Answers again after being marked removed on {removed_at}.")
    logger.info("%s: restored", fetched.url)
    return outcome if outcome.kind in ("new", "changed") else Outcome("restored", fetched.url, event=event)


def _follow_move(archive: Archive, source: Source, fetched: Fetched, analysis: PageAnalysis,
                 run_id: int | None) -> None:
    """A redirect (or canonical link) from an archived page to an unknown URL with the same text is a move."""
    requested = getattr(fetched, "requested_url", None)
    if not requested or requested == fetched.url:
        return
    old = archive.latest_version(requested)
    if old is None or old.content_hash != analysis.content_hash:
        return
    current = archive.latest_version(fetched.url)
    if current is not None and not (current.content_hash == old.content_hash
                                    and archive.absorb_new_page(requested, fetched.url, run_id=run_id)):
        return  # the target is a page with a history of its own: only the alias is recorded
    page_id = archive.move_page(requested, fetched.url, now=fetched.fetched_at)
    archive.add_page_event(page_id, "moved", created_at=fetched.fetched_at, run_id=run_id, region=source.region,
                           summary=f"Moved from {requested} to {fetched.url} with the same text.", relevant=False)
    logger.info("%s: moved from %s", fetched.url, requested)
