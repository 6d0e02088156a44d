"""From a fetched page to an archive decision: new, changed, unchanged or error.

``analyse_page`` is pure (bytes in, values out); ``record`` applies it against the archive. A fetch
that failed, answered with an error status or yielded no main text never becomes a version: a
failing source must not make pages look changed.
"""
from __future__ import annotations

import copy
import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from monitor.decode import decode_html
from monitor.diff import TextDiff, diff_sentences, render_html
from monitor.errorpages import error_page_reason
from monitor.extract import ExtractionError, extract_page, parse_html
from monitor.metadata import PageMetadata, extract_metadata, page_date
from monitor.normalize import NoiseRules, content_hash, normalize_text
from monitor.relevance import is_relevant
from monitor.source import Source
from storage import Archive, ArchiveError, Event, PageState, Version

logger = logging.getLogger(__name__)

MIN_TEXT_CHARS = 20
MAX_BODY_BYTES = 10 * 1024 * 1024
EXCERPT_CHARS = 600
UNREPORTED_KIND = "changed-unreported"  # a change kept out of feeds by the source's ``report`` setting
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
    error_page: str | None = None  # why the page is an error/login/challenge page rather than content
    facts: PageMetadata = PageMetadata()
    # The plans the text names (monitor.plans.records.PlanRecord), when a worker read them too;
    # None: read in the crawl process after the version is stored.
    plans: list[Any] | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: str  # "new" | "changed" | "unchanged" | "error" | "missing" | "removed" | "restored"
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
    status = [key.removeprefix("is_") for key in _status_facts(meta)]
    return f"{title or ''}\n{text}" + "".join(f"\n[status] {s}" for s in status)


def _status_facts(meta: Mapping[str, Any] | None) -> tuple[str, ...]:
    return tuple(key for key in STATUS_KEYS if _flag((meta or {}).get(key)))


@dataclass(slots=True)
class _Refetched:
    """A stored page handed to ``record`` again (see the 304 branch there)."""

    url: str
    source: str
    status: int | None
    body: bytes
    content_type: str | None
    fetched_at: str
    elapsed_ms: float | None
    error: str | None
    meta: dict[str, Any]


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, (int, str)) and str(value).strip().lower() in ("1", "true", "yes"))


def analyse_page(body: bytes, content_type: str | None, url: str, source: Source,
                 noise: NoiseRules | None = None, meta: Mapping[str, Any] | None = None) -> PageAnalysis:
    html, encoding = decode_html(body, content_type)
    tree = parse_html(html)  # one parse for both readings, each of which changes its tree
    facts_tree = copy.deepcopy(tree)
    facts = extract_metadata(html, url, htmldate_fallback=False, tree=facts_tree)  # htmldate: below
    extracted = extract_page(tree, url, content_css=source.content_css, ignore_css=source.ignore_css,
                             language=source.language, with_date=facts.published is None)
    noise = noise or NoiseRules(source.ignore_text)
    text = noise.clean(extracted.text)
    title = noise.clean(extracted.title or "") or None
    return PageAnalysis(
        title=title,
        text=text,
        published=facts.published or page_date(html, url, facts_tree, extracted.published),
        language=extracted.language,
        encoding=encoding,
        content_hash=content_hash(normalize_text(comparison_text(title, text, meta))),
        relevant=is_relevant(f"{title or ''}\n{text}", source.topics),
        error_page=error_page_reason(title, text, html),
        facts=facts,
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


def body_hash(body: bytes) -> str:
    """Hash of the raw bytes: an identical body needs no extraction to be known unchanged."""
    return hashlib.sha256(body).hexdigest()


def needs_analysis(archive: Archive, fetched: Fetched) -> bool:
    """Whether ``record`` will extract this page's body (not for errors, 304s, 404s, identical bodies).

    Cheap (one indexed read), so a crawler can analyse the page elsewhere first and hand the result
    to ``record``; ``record`` decides again on the archive as it is then, so a stale answer only costs
    a wasted or an in-process analysis, never a wrong outcome.
    """
    if _fetch_problem(fetched) is not None:
        return False
    state = archive.page_state(fetched.url)
    known = state is not None and state.version_count > 0
    return not (known and state is not None and state.body_hash == _raw_hash(fetched))


def _raw_hash(fetched: Fetched) -> str:
    # The list's status facts count with the body: "abolished" on an unchanged page is still news.
    return body_hash(fetched.body + repr(_status_facts(fetched.meta)).encode())


def _analysis(fetched: Fetched, source: Source, noise: NoiseRules | None,
              precomputed: PageAnalysis | BaseException | None) -> PageAnalysis:
    if precomputed is None:
        return analyse_page(fetched.body, fetched.content_type, fetched.url, source, noise, fetched.meta)
    if isinstance(precomputed, BaseException):
        raise precomputed
    return precomputed


def record(archive: Archive, source: Source, fetched: Fetched, *, run_id: int | None = None,
           noise: NoiseRules | None = None, analysis: PageAnalysis | BaseException | None = None) -> Outcome:
    """Archive one fetched page and say what happened to it.

    Besides new/changed/unchanged/error: a 304 is "unchanged" without extraction; a known page
    answering 404/410 is "missing" until ``source.removed_after`` answers in a row make it "removed"
    (one event); a removed page that answers again is "restored" (and "changed" if its text differs).
    Everything one page writes is one transaction (one commit: re-checks are dominated by commits);
    extraction runs before it, so no write lock is held meanwhile.

    ``analysis`` is ``analyse_page`` of this very body, done beforehand (in a worker process, see
    ``monitor.analysis_pool``), or the ``ExtractionError`` it raised; it is used only if the page needs it.
    """
    precomputed = analysis
    state = archive.page_state(fetched.url)
    known = state is not None and state.version_count > 0
    if not fetched.error and fetched.status == 304 and known and state is not None:
        previous_meta = archive.latest_meta(fetched.url)
        previous = None if previous_meta is None or _status_facts(fetched.meta) == _status_facts(previous_meta) \
            else archive.latest_version(fetched.url)
        if previous is None:
            return _not_modified(archive, source, fetched, run_id, state)
        # The page is unchanged but the list now says it expired or was abolished: compare the stored
        # page under the new status, as if it had been sent again.
        fetched = _Refetched(url=fetched.url, source=fetched.source, status=200, body=archive.raw_html(previous.id),
                             content_type=None, fetched_at=fetched.fetched_at, elapsed_ms=fetched.elapsed_ms,
                             error=None, meta=dict(fetched.meta))
        precomputed = None  # an analysis of another body than this one
    if not fetched.error and fetched.status in MISSING_STATUSES and known:
        event = archive.record_missing(
            run_id=run_id, source=source.name, region=source.region, url=fetched.url,
            fetched_at=fetched.fetched_at, status=fetched.status, size=len(fetched.body),
            elapsed_ms=fetched.elapsed_ms, removed_after=source.removed_after)
        logger.info("%s: HTTP %s (%s)", fetched.url, fetched.status, "removed" if event else "missing")
        return Outcome("removed" if event else "missing", fetched.url, event=event)

    problem = _fetch_problem(fetched)
    raw_hash = _raw_hash(fetched)
    redirected = bool(getattr(fetched, "requested_url", None))  # may be a move: needs the full path
    if problem is None and known and state is not None and state.body_hash == raw_hash and not redirected:
        with archive.write():
            return _unchanged(archive, source, fetched, run_id, raw_hash)
    analysis = None
    if problem is None:
        try:
            analysis = _analysis(fetched, source, noise, precomputed)
        except ExtractionError as exc:
            problem = f"extraction failed: {exc}"
        else:
            if analysis.error_page:
                problem = analysis.error_page
            elif len(analysis.text) < MIN_TEXT_CHARS:
                problem = "no main text found"
    if problem is not None or analysis is None:
        logger.info("%s: %s", fetched.url, problem)
        _add_fetch(archive, source, fetched, run_id, "error", error=problem)
        return Outcome("error", fetched.url, error=problem)
    with archive.write():
        return _store(archive, source, fetched, analysis, run_id, raw_hash, noise)


def _store(archive: Archive, source: Source, fetched: Fetched, analysis: PageAnalysis, run_id: int | None,
           raw_hash: str, noise: NoiseRules | None) -> Outcome:
    """The writes for a page whose text was extracted: a move, then unchanged, new or changed."""
    if getattr(fetched, "requested_url", None):  # a redirect or canonical link: no savepoint for the others
        _try_move(archive, source, fetched, analysis, run_id)
    previous = archive.latest_version(fetched.url)
    kind, summary, diff_html = "new", None, None
    if previous is not None:
        previous_meta = archive.version_meta(previous.id)
        diff = compare_versions(previous.title, previous.text, previous.content_hash, analysis,
                                previous_meta=previous_meta, meta=fetched.meta).diff
        if diff is not None:
            diff = _compare_with_rereading(archive, previous, previous_meta, fetched, source, noise, analysis, diff)
        if diff is None:
            return _unchanged(archive, source, fetched, run_id, raw_hash)
        kind, summary, diff_html = report_change(diff, source.report)
    event = archive.add_version(
        run_id=run_id, source=source.name, region=source.region, url=fetched.url,
        fetched_at=fetched.fetched_at, status=fetched.status or 200, raw_html=fetched.body,
        elapsed_ms=fetched.elapsed_ms, content_hash=analysis.content_hash, title=analysis.title,
        text=analysis.text, published=analysis.published, language=analysis.language,
        relevant=analysis.relevant, event_kind=kind, summary=summary,
        # Only a new page's entry shows its opening; a change shows the diff. Storing the opening with
        # every change cost a tenth of the archive (bench/archive_bench.py).
        excerpt=excerpt(analysis.text) if kind == "new" else None,
        diff_html=diff_html, meta=fetched.meta,
        facts={k: v for k, v in analysis.facts.as_dict().items() if k != "published"},
    )
    logger.info("%s: %s (%s)", fetched.url, kind, summary or analysis.title)
    _plan_events(archive, event, analysis.plans)
    return _answered(archive, source, fetched, run_id, raw_hash, Outcome(kind, fetched.url, event=event))


def _plan_events(archive: Archive, event: Event, records: list[Any] | None = None) -> None:
    """Link the new version to its plans and record plan events, in the page's transaction.

    Plan analysis is a reading of a stored version: if it fails, the version stays (the failure is
    logged with the URL, and ``policywatch plans --rebuild`` can redo it), so no page is lost to it.
    """
    from monitor.plans.events import record_plan_events

    try:
        with archive.write():  # a savepoint in the page's transaction: a failure undoes only the plan rows
            record_plan_events(archive, event, records)
    except Exception:
        logger.exception("%s: plan analysis of version %s failed; the version is stored", event.url,
                         event.version_id)


def _add_fetch(archive: Archive, source: Source, fetched: Fetched, run_id: int | None, outcome: str, *,
               error: str | None = None, status: int | None = None) -> None:
    """The fetch row of this page's check (``status`` overrides the fetched one, e.g. a 304)."""
    archive.add_fetch(run_id=run_id, source=source.name, url=fetched.url, fetched_at=fetched.fetched_at,
                      status=status if status is not None else fetched.status, size=len(fetched.body),
                      elapsed_ms=fetched.elapsed_ms, outcome=outcome, error=error)


def _unchanged(archive: Archive, source: Source, fetched: Fetched, run_id: int | None, raw_hash: str) -> Outcome:
    """A check that found the same text: its fetch row, validators and a possible restore."""
    _add_fetch(archive, source, fetched, run_id, "unchanged")
    return _answered(archive, source, fetched, run_id, raw_hash, Outcome("unchanged", fetched.url))


def _not_modified(archive: Archive, source: Source, fetched: Fetched, run_id: int | None,
                  state: PageState) -> Outcome:
    """A 304: checked and unchanged by the server's word, without a body to extract."""
    with archive.write():
        return _store_not_modified(archive, source, fetched, run_id, state)


def _store_not_modified(archive: Archive, source: Source, fetched: Fetched, run_id: int | None,
                        state: PageState) -> Outcome:
    """``state``: the page as read just before, in this process (the crawl's only writer)."""
    _add_fetch(archive, source, fetched, run_id, "unchanged", status=304)
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


def _try_move(archive: Archive, source: Source, fetched: Fetched, analysis: PageAnalysis, run_id: int | None) -> None:
    """``_follow_move`` in a savepoint of the page's transaction: if it fails, its writes are undone, the
    old page stays as it was and the check is stored at the URL that answered, so a broken move never
    costs the page its fetch row or leaves the archive half moved (``_plan_events`` does the same)."""
    try:
        with archive.write():
            _follow_move(archive, source, fetched, analysis, run_id)
    except Exception:
        if not archive.db.conn.in_transaction:  # SQLite ended the whole transaction: nothing can be stored
            raise
        logger.exception("%s: could not follow the move from %s; stored without it", fetched.url,
                         getattr(fetched, "requested_url", None))


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
