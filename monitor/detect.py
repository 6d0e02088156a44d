"""From a fetched page to an archive decision: new, changed, unchanged or error.

``analyse_page`` is pure (bytes in, values out); ``record`` applies it against the archive. A fetch
that failed, answered with an error status or yielded no main text never becomes a version: a
failing source must not make pages look changed.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from monitor.decode import decode_html
from monitor.diff import TextDiff, diff_sentences, render_html
from monitor.errorpages import error_page_reason
from monitor.extract import ExtractionError, extract_page
from monitor.normalize import NoiseRules, content_hash, normalize_text
from monitor.relevance import is_relevant
from monitor.sources import Source
from storage import Archive, ArchiveError, Event, Version

logger = logging.getLogger(__name__)

MIN_TEXT_CHARS = 20
MAX_BODY_BYTES = 10 * 1024 * 1024
EXCERPT_CHARS = 600
UNREPORTED_KIND = "changed-unreported"  # a change kept out of feeds by the source's ``report`` setting


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
    error_page: str | None = None  # why the page is an error/login/challenge page rather than content


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: str  # "new" | "changed" | "unchanged" | "error"
    url: str
    event: Event | None = None
    error: str | None = None


STATUS_KEYS = ("is_expired", "is_abolished")


def comparison_text(title: str | None, text: str, meta: Mapping[str, Any] | None = None) -> str:
    """What two versions are compared on: the title line and the cleaned text (headline not twice).

    When the list marks a document expired or abolished (gkmlpt ``is_expired``/``is_abolished``), a
    ``[status] …`` line is added, so that a plan becoming abolished is a change users see.
    """
    first, _, rest = text.partition("\n")
    if title and normalize_text(first) == normalize_text(title):
        text = rest
    status = [key.removeprefix("is_") for key in STATUS_KEYS if _flag((meta or {}).get(key))]
    return f"{title or ''}\n{text}" + "".join(f"\n[status] {s}" for s in status)


def _stored_meta(archive: Archive, version_id: int) -> dict[str, Any]:
    row = archive.db.execute("select meta_json from versions where id = ?", [version_id]).fetchone()
    return json.loads(row[0]) if row and row[0] else {}


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, (int, str)) and str(value).strip().lower() in ("1", "true", "yes"))


def analyse_page(body: bytes, content_type: str | None, url: str, source: Source,
                 noise: NoiseRules | None = None, meta: Mapping[str, Any] | None = None) -> PageAnalysis:
    html, encoding = decode_html(body, content_type)
    extracted = extract_page(html, url, content_css=source.content_css, ignore_css=source.ignore_css,
                             language=source.language)
    noise = noise or NoiseRules(source.ignore_text)
    text = noise.clean(extracted.text)
    title = noise.clean(extracted.title or "") or None
    return PageAnalysis(
        title=title,
        text=text,
        published=extracted.published,
        language=extracted.language,
        encoding=encoding,
        content_hash=content_hash(normalize_text(comparison_text(title, text, meta))),
        relevant=is_relevant(f"{title or ''}\n{text}", source.topics),
        error_page=error_page_reason(title, text, html),
    )


@dataclass(frozen=True, slots=True)
class Comparison:
    """How a fetched page compares with the latest stored version: ``diff`` is None when unchanged."""

    diff: TextDiff | None


def compare_versions(previous_title: str | None, previous_text: str, previous_hash: str,
                     analysis: PageAnalysis, *, previous_meta: Mapping[str, Any] | None = None,
                     meta: Mapping[str, Any] | None = None) -> Comparison:
    """Changed or not, and what changed; pure, so the labelled corpus measures exactly this."""
    if previous_hash == analysis.content_hash:
        return Comparison(None)
    diff = diff_sentences(comparison_text(previous_title, previous_text, previous_meta),
                          comparison_text(analysis.title, analysis.text, meta))
    # Equal sentences under a different hash: only layout moved (a paragraph split or joined), or the
    # stored hash predates a normalisation rule. Neither is a change a reader should be told about.
    return Comparison(diff if diff.changes else None)


def report_change(diff: TextDiff, report: str) -> tuple[str, str, str]:
    """Event kind, summary and HTML diff of a change as the source wants it reported.

    With ``report: additions`` only added text is shown, and a change that only deletes is stored (the
    archive keeps every version) under ``UNREPORTED_KIND``, which feeds leave out.
    """
    if report == "additions":
        diff = diff.additions_only()
        if not diff.changes:
            return UNREPORTED_KIND, "text deleted only (this source reports additions)", ""
    return "changed", diff.summary(), render_html(diff)


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


def _compare_with_rereading(archive: Archive, previous: Version, previous_meta: Mapping[str, Any],
                            fetched: Fetched, source: Source, noise: NoiseRules | None, analysis: PageAnalysis,
                            diff: TextDiff) -> TextDiff | None:
    """Compare with the previous page as today's rules read it.

    The stored text came from the extractor and noise rules of its day. A source that gains an
    ``ignore_text`` rule, or a better extractor, must not announce every page as changed once; so the
    stored raw page is read again and that reading decides. If it cannot be read, the stored text does.
    """
    try:
        again = analyse_page(archive.raw_html(previous.id), fetched.content_type, fetched.url, source, noise,
                             previous_meta)
    except (ExtractionError, ArchiveError) as exc:
        logger.warning("%s: cannot re-read version %s (%s); comparing with its stored text", fetched.url,
                       previous.number, exc)
        return diff
    if again.error_page or len(again.text) < MIN_TEXT_CHARS:
        return diff
    return compare_versions(again.title, again.text, again.content_hash, analysis, previous_meta=previous_meta,
                            meta=fetched.meta).diff


def record(archive: Archive, source: Source, fetched: Fetched, *, run_id: int | None = None,
           noise: NoiseRules | None = None) -> Outcome:
    """Archive one fetched page and say what happened to it."""
    problem = _fetch_problem(fetched)
    analysis = None
    if problem is None:
        try:
            analysis = analyse_page(fetched.body, fetched.content_type, fetched.url, source, noise, fetched.meta)
        except ExtractionError as exc:
            problem = f"extraction failed: {exc}"
        else:
            if analysis.error_page:
                problem = analysis.error_page
            elif len(analysis.text) < MIN_TEXT_CHARS:
                problem = "no main text found"
    if problem is not None or analysis is None:
        logger.info("%s: %s", fetched.url, problem)
        archive.add_fetch(run_id=run_id, source=source.name, url=fetched.url, fetched_at=fetched.fetched_at,
                          status=fetched.status, size=len(fetched.body), elapsed_ms=fetched.elapsed_ms,
                          outcome="error", error=problem)
        return Outcome("error", fetched.url, error=problem)

    previous = archive.latest_version(fetched.url)
    kind, summary, diff_html = "new", None, None
    if previous is not None:
        previous_meta = _stored_meta(archive, previous.id)
        diff = compare_versions(previous.title, previous.text, previous.content_hash, analysis,
                                previous_meta=previous_meta, meta=fetched.meta).diff
        if diff is not None:
            diff = _compare_with_rereading(archive, previous, previous_meta, fetched, source, noise, analysis, diff)
        if diff is None:
            archive.add_fetch(run_id=run_id, source=source.name, url=fetched.url, fetched_at=fetched.fetched_at,
                              status=fetched.status, size=len(fetched.body), elapsed_ms=fetched.elapsed_ms,
                              outcome="unchanged")
            return Outcome("unchanged", fetched.url)
        kind, summary, diff_html = report_change(diff, source.report)
    event = archive.add_version(
        run_id=run_id, source=source.name, region=source.region, url=fetched.url,
        fetched_at=fetched.fetched_at, status=fetched.status or 200, raw_html=fetched.body,
        elapsed_ms=fetched.elapsed_ms, content_hash=analysis.content_hash, title=analysis.title,
        text=analysis.text, published=analysis.published, language=analysis.language,
        relevant=analysis.relevant, event_kind=kind, summary=summary, excerpt=excerpt(analysis.text),
        diff_html=diff_html, meta=fetched.meta,
    )
    logger.info("%s: %s (%s)", fetched.url, kind, summary or analysis.title)
    return Outcome(kind, fetched.url, event=event)
