"""RSS 2.0 and Atom 1.0 feeds of change events, written atomically.

Every string that reaches the XML passes ``xml_safe`` (scraped text may hold control characters
that make a feed unparseable), and every piece of HTML is built here from escaped text: no markup
from a scraped page ever reaches a subscriber.
"""
from __future__ import annotations

import html
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from feedgen.feed import FeedGenerator

from storage import Archive, Event

DEFAULT_LIMIT = 200
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
KIND_LABELS = {"new": "New", "changed": "Changed", "removed": "Removed", "restored": "Restored", "moved": "Moved"}


def xml_safe(text: str | None, limit: int | None = None) -> str:
    """Text with the code points XML 1.0 forbids removed, optionally bounded in length."""
    text = _XML_INVALID.sub("", text or "")
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


@dataclass(frozen=True, slots=True)
class FeedInfo:
    title: str = "policywatch — new and changed future-industry plans"
    link: str = "http://127.0.0.1/"
    description: str = "New and changed government plans on future industries, with the changed words marked."


def entry_title(event: Event) -> str:
    label = KIND_LABELS.get(event.kind, event.kind.capitalize())
    return xml_safe(f"{label}: {event.title or event.url}", 300)


def entry_html(event: Event) -> str:
    """The entry body: an excerpt for new pages, the marked-up diff for changed ones, a line for removals."""
    parts: list[str] = []
    if event.kind == "changed":
        if event.summary:
            parts.append(f"<p><strong>{html.escape(event.summary)}</strong></p>")
        parts.append(event.diff_html or "")  # built from escaped text by monitor.diff.render_html
    elif event.kind in ("removed", "restored", "moved"):  # no new text: say what happened to the page
        parts.append(f"<p><strong>{html.escape(event.summary or '')}</strong></p>")
    else:
        parts.extend(f"<p>{html.escape(p)}</p>" for p in (event.excerpt or "").splitlines() if p.strip())
    meta = f"Source: {event.source}" + (f" · Region: {event.region}" if event.region else "")
    parts.append(f"<p><small>{html.escape(meta)} · <a href=\"{html.escape(event.url, quote=True)}\">"
                 f"{html.escape(event.url)}</a></small></p>")
    return xml_safe("\n".join(parts), 200_000)


def _time(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def build_feed(events: list[Event], info: FeedInfo = FeedInfo()) -> FeedGenerator:
    """A feed of ``events`` (newest first); its dates come from the events, so it is reproducible."""
    fg = FeedGenerator()
    fg.id(info.link)
    fg.title(xml_safe(info.title))
    fg.link(href=info.link, rel="alternate")
    fg.description(xml_safe(info.description))
    fg.language("mul")
    fg.generator("policywatch")
    latest = max((_time(e.created_at) for e in events), default=datetime(2000, 1, 1, tzinfo=timezone.utc))
    fg.updated(latest)
    fg.lastBuildDate(latest)
    for event in events:
        entry = fg.add_entry(order="append")
        entry.id(event.guid)
        entry.guid(event.guid, permalink=False)
        entry.title(entry_title(event))
        entry.link(href=xml_safe(event.url))
        moment = _time(event.created_at)
        entry.published(moment)
        entry.updated(moment)
        for term in (event.kind, event.source, event.region):
            if term:
                entry.category(term=xml_safe(term, 100))
        body = entry_html(event)
        entry.description(body)
        entry.content(body, type="html")
    return fg


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_feeds(archive: Archive, out_dir: str | Path, *, limit: int = DEFAULT_LIMIT,
                info: FeedInfo = FeedInfo(), source: str | None = None) -> dict[str, Path]:
    """Write ``rss.xml`` and ``atom.xml`` of the last ``limit`` relevant events into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    events = archive.events(limit=limit, relevant_only=True, source=source)
    fg = build_feed(events, info)
    paths = {"rss": out / "rss.xml", "atom": out / "atom.xml"}
    _write_atomic(paths["rss"], fg.rss_str(pretty=True))
    _write_atomic(paths["atom"], fg.atom_str(pretty=True))
    return paths
