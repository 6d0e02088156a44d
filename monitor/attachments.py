"""Attachments of policy pages: the plan itself is often the linked PDF or DOCX, not the HTML page.

``record_attachment`` stores the latest state of each attachment of an archived page and turns an
added or changed attachment into a ``changed`` event of the page, naming the file. Text is extracted
from PDF (pypdf) and DOCX (python-docx) so it can be searched and diffed, and a PDF or DOCX is changed
only when its text is; other formats (DOC, WPS, XLS/XLSX, OFD) are tracked by hash and size only.
"""
from __future__ import annotations

import hashlib
import io
import logging
import re
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from monitor.diff import diff_paragraphs, render_html
from monitor.source import Source
from storage import Archive, Page

logger = logging.getLogger(__name__)

ATTACHMENT_EXTENSIONS = ("pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ofd")
_ATTACHMENT_PATH = re.compile(r"\.(" + "|".join(ATTACHMENT_EXTENSIONS) + r")$", re.IGNORECASE)
MAX_TEXT_CHARS = 500_000
MAX_PDF_PAGES = 300


class FetchedAttachment(Protocol):
    """What a crawler hands over for one attachment (``crawlers.items.AttachmentItem`` fits)."""

    page_url: str
    url: str
    title: str | None
    source: str
    status: int | None
    body: bytes
    content_type: str | None
    fetched_at: str
    elapsed_ms: float | None
    error: str | None
    etag: str | None
    last_modified: str | None


def is_attachment_url(url: str) -> bool:
    return bool(_ATTACHMENT_PATH.search(urlsplit(url).path))


_ATTACHMENT_SUFFIXES = tuple(f".{ext}" for ext in ATTACHMENT_EXTENSIONS)
_ANY_SUFFIX = re.compile(r"\.(?:" + "|".join(ATTACHMENT_EXTENSIONS) + ")", re.IGNORECASE)
_ESCAPED_DOT_OR_LETTER = re.compile("%(?:2e|[4-7][0-9a-f])", re.IGNORECASE)


def may_be_attachment_link(href: str) -> bool:
    """False only for an href that cannot resolve to an attachment URL, whatever page it is on.

    A page links a hundred menus and articles for every file; joining and canonicalising each link
    was a third of a first crawl's CPU in the crawl process. An attachment's path ends in ``.pdf`` and
    the like, so its href holds that suffix (maybe percent-escaped), unless it has no path of its own.
    """
    if href[:1] in ("?", "#"):
        return True
    lowered = unquote(href).lower()
    return any(suffix in lowered for suffix in _ATTACHMENT_SUFFIXES)


def may_link_attachments(html: str, page_url: str) -> bool:
    """False only for a page none of whose links can pass ``may_be_attachment_link`` and resolve to an
    attachment, so its links need not be read at all (parsing it is most of what they cost).

    A link that does holds a suffix such as ``.pdf`` once percent-unescaped and lowercased: so the text
    holds the suffix in any case, or a percent escape of its dot or of a letter; or the link has no
    path of its own and the page's (or its ``<base>``'s, which is in the text) is an attachment path.
    A numeric character reference may spell the suffix in an attribute, so a page with one is read.
    Three scans of the text cost a sixth of parsing it (unescaping the whole text cost as much).
    """
    return ("&#" in html or is_attachment_url(page_url) or _ANY_SUFFIX.search(html) is not None
            or _ESCAPED_DOT_OR_LETTER.search(html) is not None)


def file_name(url: str) -> str:
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or url


@dataclass(frozen=True, slots=True)
class Extraction:
    """What reading an attachment's text gave.

    ``text`` is None for a format without text (DOC, WPS, XLS, OFD), a PDF or DOCX holding no text (a scan),
    or one that could not be read; ``error`` says why a file that should be a PDF or DOCX could not be read.
    ``complete`` is False when the page or character limit cut the text short: then equal texts do not
    show the files hold the same words.
    """

    text: str | None
    error: str | None = None
    complete: bool = True


def attachment_text(body: bytes, url: str) -> str | None:
    """Plain text of a PDF or DOCX body (None for other formats, files without text or that cannot be read)."""
    return extract_text(body, url).text


def extract_text(body: bytes, url: str) -> Extraction:
    """Read the text of a PDF (pypdf) or DOCX (python-docx, paragraphs and table rows in document order)."""
    kind = _kind(body, url)
    complete = True
    try:
        if kind == "pdf":
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(body))
            complete = len(reader.pages) <= MAX_PDF_PAGES
            text = "\n".join((page.extract_text() or "").strip() for page in reader.pages[:MAX_PDF_PAGES])
        elif kind == "docx":
            text = _docx_text(body)
        elif urlsplit(url).path.lower().endswith((".pdf", ".docx")):  # an error page served for the file
            return Extraction(None, f"not a {urlsplit(url).path.rsplit('.', 1)[-1].upper()} file "
                                    f"(it starts with {body[:12]!r})")
        else:
            return Extraction(None)
    except Exception as exc:  # noqa: BLE001 - a broken file is recorded, never fatal
        logger.info("%s: cannot read %s text: %s", url, kind, exc)
        return Extraction(None, f"cannot read the {kind} text: {type(exc).__name__}: {exc}"[:500])
    text = "\n".join(line for line in (ln.strip() for ln in text.splitlines()) if line)
    return Extraction(text[:MAX_TEXT_CHARS] or None, complete=complete and len(text) <= MAX_TEXT_CHARS)


def _docx_text(body: bytes) -> str:
    """Paragraphs, and each table row as its cells joined by " | ": a guide's amounts and dates are often
    in a table, and a file whose table changed must not read as the same text."""
    from docx import Document
    from docx.table import Table

    lines: list[str] = []
    for block in Document(io.BytesIO(body)).iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                seen: list[object] = []
                for cell in row.cells:  # a merged cell comes once per grid column: keep it once
                    if any(cell._tc is tc for tc in seen):
                        continue
                    seen.append(cell._tc)
                    text = " ".join(cell.text.split())
                    if text:
                        cells.append(text)
                if cells:
                    lines.append(" | ".join(cells))
        elif block.text.strip():
            lines.append(block.text.strip())
    return "\n".join(lines)


def _kind(body: bytes, url: str) -> str | None:
    if body.startswith(b"%PDF"):
        return "pdf"
    if body.startswith(b"PK") and urlsplit(url).path.lower().endswith(".docx"):
        return "docx"
    return None


def record_attachment(archive: Archive, source: Source, fetched: FetchedAttachment, *,
                      run_id: int | None = None) -> str:
    """Store one attachment fetch; return "new", "added", "changed", "same text", "unreadable", "unchanged",
    "error" or "skipped".

    An attachment seen together with its page's first version is part of that "new" page; one that
    appears later is "added", one whose bytes differ is "changed": both make a ``changed`` event of
    the page. A PDF or DOCX whose bytes differ but whose text does not ("same text": a download script
    that stamps each copy with a new time or id) and one whose text was read before but cannot be read
    now ("unreadable": an error page or a broken copy) make no event: its new hash is kept, so it is not
    compared again, and so is the text last read, so the next readable copy is compared with that. A failed
    fetch changes nothing but the attachment's status and error.
    """
    with archive.write():
        page = archive.page(fetched.page_url)
        outcome, note = _record_attachment(archive, source, fetched, run_id, page)
        # the attachments row keeps only the last status and error: the fetch row keeps each of them
        archive.add_other_fetch(
            "attachment", run_id=run_id, source=source.name, url=fetched.url, page_id=page.id if page else None,
            fetched_at=fetched.fetched_at, status=fetched.status, size=len(fetched.body),
            elapsed_ms=fetched.elapsed_ms, outcome=outcome,
            error=fetched.error or (f"HTTP {fetched.status}" if outcome == "error" else note))
        return outcome


def _record_attachment(archive: Archive, source: Source, fetched: FetchedAttachment, run_id: int | None,
                       page: Page | None) -> tuple[str, str | None]:
    """The outcome, and why the file's text could not be read when it could not."""
    if page is None or page.version_count == 0:
        return "skipped", None
    existing = archive.attachment(page.id, fetched.url)
    values: dict[str, Any] = {"source": source.name, "status": fetched.status, "title": fetched.title
                              or (existing.title if existing else None)}
    if fetched.error or fetched.status not in (200, 304) or (fetched.status == 304 and existing is None):
        error = fetched.error or f"HTTP {fetched.status}"
        archive.save_attachment(page.id, fetched.url, {**values, "error": error}, now=fetched.fetched_at)
        return "error", None
    if fetched.status == 304:
        archive.save_attachment(page.id, fetched.url, {**values, "error": None}, now=fetched.fetched_at)
        return "unchanged", None
    digest = hashlib.sha256(fetched.body).hexdigest()
    values.update(error=None, etag=fetched.etag, last_modified=fetched.last_modified)
    if existing is not None and existing.content_hash == digest:
        archive.save_attachment(page.id, fetched.url, values, now=fetched.fetched_at)
        return "unchanged", None
    extraction = extract_text(fetched.body, fetched.url)
    text = extraction.text
    values.update(size=len(fetched.body), content_type=fetched.content_type, content_hash=digest)
    old_text = (existing.text or None) if existing is not None and existing.content_hash is not None else None
    if old_text is not None and text == old_text and extraction.complete:
        archive.save_attachment(page.id, fetched.url, values, now=fetched.fetched_at)
        logger.debug("%s: %s has new bytes, the same text", fetched.page_url, fetched.url)
        return "same text", None
    if old_text is not None and extraction.error is not None:
        archive.save_attachment(page.id, fetched.url, {**values, "error": extraction.error}, now=fetched.fetched_at)
        logger.warning("%s: %s changed and its text cannot be read (%s); its last text is kept",
                       fetched.page_url, fetched.url, extraction.error)
        return "unreadable", extraction.error
    values.update(text=text, last_changed=fetched.fetched_at)
    archive.save_attachment(page.id, fetched.url, values, now=fetched.fetched_at)
    name = values["title"] or file_name(fetched.url)
    if existing is None or existing.content_hash is None:
        if _page_is_new_in_run(archive, page.id, run_id):
            return "new", extraction.error
        summary, diff_html, outcome = f"Attachment added: {name}", None, "added"
    else:
        summary, diff_html, outcome = f"Attachment changed: {name}", None, "changed"
        if old_text is not None and text is not None:
            diff = diff_paragraphs(old_text, text)
            summary += f" ({diff.summary()})"
            diff_html = render_html(diff)
        elif old_text is not None:  # read, and it holds no text now (a scan): not "all text removed"
            summary += " (no text in the new file)"
    archive.add_page_event(page.id, "changed", created_at=fetched.fetched_at, run_id=run_id, region=source.region,
                           summary=summary, diff_html=diff_html)
    logger.info("%s: %s", fetched.page_url, summary)
    return outcome, extraction.error


def _page_is_new_in_run(archive: Archive, page_id: int, run_id: int | None) -> bool:
    row = archive.db.execute("select 1 from events where page_id = ? and kind = 'new' and run_id is ?",
                             [page_id, run_id]).fetchone()
    return row is not None
