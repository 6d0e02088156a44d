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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from feedgen.feed import FeedGenerator

from storage import Archive, Event

DEFAULT_LIMIT = 200
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
KIND_LABELS = {"new": "New", "changed": "Changed", "removed": "Removed", "restored": "Restored", "moved": "Moved"}
# Changes stored for the record but not announced (see monitor.detect.report_change).
UNREPORTED_KINDS = frozenset({"changed-unreported"})


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


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One feed entry, whatever it is about (a page event or a plan event); ``body_html`` is built
    from escaped text by the code that makes the item."""

    guid: str
    title: str
    link: str
    created_at: str
    categories: tuple[str, ...]
    body_html: str


def page_item(event: Event) -> FeedItem:
    return FeedItem(guid=event.guid, title=entry_title(event), link=event.url, created_at=event.created_at,
                    categories=tuple(t for t in (event.kind, event.source, event.region) if t),
                    body_html=entry_html(event))


def build_feed(events: Sequence[Event | FeedItem], info: FeedInfo = FeedInfo()) -> FeedGenerator:
    """A feed of ``events`` (newest first); its dates come from the events, so it is reproducible."""
    items = [e if isinstance(e, FeedItem) else page_item(e) for e in events]
    fg = FeedGenerator()
    fg.id(info.link)
    fg.title(xml_safe(info.title))
    fg.link(href=info.link, rel="alternate")
    fg.description(xml_safe(info.description))
    fg.language("mul")
    fg.generator("policywatch")
    latest = max((_time(e.created_at) for e in items), default=datetime(2000, 1, 1, tzinfo=timezone.utc))
    fg.updated(latest)
    fg.lastBuildDate(latest)
    for item in items:
        entry = fg.add_entry(order="append")
        entry.id(item.guid)
        entry.guid(item.guid, permalink=False)
        entry.title(xml_safe(item.title, 300))
        entry.link(href=xml_safe(item.link))
        moment = _time(item.created_at)
        entry.published(moment)
        entry.updated(moment)
        for term in item.categories:
            entry.category(term=xml_safe(term, 100))
        body = xml_safe(item.body_html, 200_000)
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
                info: FeedInfo = FeedInfo(), source: str | None = None, coverage: bool = False) -> dict[str, Path]:
    """Write ``rss.xml`` and ``atom.xml`` of the last ``limit`` alerts into ``out_dir``.

    The whole archive's feed speaks in plans (``monitor.planfeeds.main_items``: plan events, and page
    events that no plan event repeats); a ``source`` feed lists that source's relevant page events.
    ``coverage``: the main feed also announces each new source naming a known plan (off by default:
    for a watched plan that is one entry per news report).
    """
    from monitor.planfeeds import main_items

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    items: list[Event | FeedItem]
    if source is None:
        items = list(main_items(archive, limit=limit, coverage=coverage))
    else:
        items = [e for e in archive.events(limit=limit, relevant_only=True, source=source)
                 if e.kind not in UNREPORTED_KINDS]
    fg = build_feed(items, info)
    paths = {"rss": out / "rss.xml", "atom": out / "atom.xml"}
    _write_atomic(paths["rss"], fg.rss_str(pretty=True))
    _write_atomic(paths["atom"], fg.atom_str(pretty=True))
    return paths


# -- feeds per source, region and topic --------------------------------------------------------

# Topic feeds: a subscriber follows "quantum" without reading every plan. Keywords in zh/en/de,
# matched like the relevance filter (monitor.relevance) against an event's title and text.
FEED_TOPICS: dict[str, tuple[str, ...]] = {
    "humanoid-robots": ("人形机器人", "具身智能", "humanoid robot", "embodied ai", "embodied intelligence",
                        "humanoide roboter"),
    "brain-computer-interfaces": ("脑机接口", "类脑", "brain-computer", "brain–computer", "brain computer interface",
                                  "gehirn-computer", "hirn-maschine"),
    "6g": ("6G", "未来网络", "future network"),
    "quantum": ("量子", "quantum", "quanten"),
    "artificial-intelligence": ("人工智能", "通用人工智能", "artificial intelligence", "general ai",
                                "künstliche intelligenz"),
    "synthetic-biology": ("合成生物", "生物制造", "synthetic biology", "synthetische biologie", "biomanufacturing"),
    "gene-technology": ("细胞与基因", "细胞和基因", "基因技术", "gene therapy", "cell and gene", "gentechnologie",
                        "zell- und gen"),
    "hydrogen-and-energy": ("氢能", "新型储能", "核聚变", "先进核能", "hydrogen", "energy storage", "nuclear fusion",
                            "advanced nuclear", "wasserstoff"),
    "deep-sea": ("深海", "deep sea", "deep-sea", "tiefsee"),
    "space": ("空天", "商业航天", "卫星互联网", "aerospace", "commercial space", "raumfahrt", "weltraum"),
    "low-altitude-economy": ("低空经济", "low-altitude economy", "evtol", "电动垂直起降"),
    "metaverse": ("元宇宙", "metaverse"),
}


def feed_slug(name: str) -> str:
    """A file name for a region or source: lower-case ASCII words joined by '-'.

    Names with no ASCII letters (``广东``) get a stable hash-based slug instead of an empty one.
    """
    import hashlib
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:80]
    return slug if slug else "x-" + hashlib.sha256(name.encode()).hexdigest()[:10]


def _event_text(event: Event) -> str:
    return " ".join(filter(None, (event.title, event.summary, event.excerpt, event.diff_html)))


def topic_events(events: list[Event], keywords: tuple[str, ...]) -> list[Event]:
    from monitor.relevance import matched_topics

    return [e for e in events if matched_topics(_event_text(e), keywords)]


def write_feed_set(archive: Archive, out_dir: str | Path, *, sources: list[str] | None = None,
                   limit: int = DEFAULT_LIMIT, info: FeedInfo = FeedInfo(),
                   topics: dict[str, tuple[str, ...]] | None = None, coverage: bool = False) -> dict[str, Path]:
    """Everything a subscriber can pick from, each file replaced atomically.

    ``rss.xml`` and ``atom.xml`` (the plan-speaking main feed, as ``write_feeds``, with coverage entries
    when ``coverage``), ``pages.xml`` (every
    relevant page event, as the main feed was before plans), and Atom 1.0 feeds ``sources/NAME.xml``,
    ``regions/NAME.xml`` (see ``feed_slug``; page events of the region's sources plus plan events of
    plans extracted for that region), ``topics/NAME.xml`` (see ``FEED_TOPICS``), ``plans/ID.xml`` (one
    plan, coverage included) and ``sectors/ID.xml`` (plans of a sector of monitor/data/sectors.yaml).
    Per-source feeds are written for ``sources`` (default: every source the archive knows), so a
    source with no events yet still has a valid, empty feed; likewise every sector.
    """
    from monitor.planfeeds import plan_feed_items, region_feed_items, sector_feed_items
    from monitor.plans.regions import gazetteer
    from monitor.plans.sectors import taxonomy
    from storage.plan_events import PlanEventStore
    from storage.status import events_for_region, known_regions, known_sources

    out = Path(out_dir)
    paths = {f"/{name}.xml": path for name, path in write_feeds(archive, out, limit=limit, info=info,
                                                                       coverage=coverage).items()}
    pages = [e for e in archive.events(limit=limit, relevant_only=True) if e.kind not in UNREPORTED_KINDS]
    _write_atomic(out / "pages.xml", build_feed(pages, FeedInfo(
        title=xml_safe(f"{info.title} — every page event", 300), link=info.link,
        description=info.description)).atom_str(pretty=True))
    paths["/pages.xml"] = out / "pages.xml"
    groups: list[tuple[str, str, str, Sequence[Event | FeedItem]]] = []
    for name in sources if sources is not None else known_sources(archive):
        groups.append(("sources", name, feed_slug(name), archive.events(limit=limit, source=name)))
    store = PlanEventStore(archive.db)
    plan_regions = set(store.regions()) if archive.db["plan_events"].exists() else set()
    for region in known_regions(archive):
        region_id = gazetteer().lookup(region)
        plan_regions.discard(feed_slug(region))
        groups.append(("regions", region, feed_slug(region), region_feed_items(
            archive, events_for_region(archive, region, limit=limit), region_id, limit=limit)))
    for region_id in sorted(plan_regions):  # plans of regions no source is in
        groups.append(("regions", region_id, feed_slug(region_id),
                       region_feed_items(archive, [], region_id, limit=limit)))
    recent = archive.events(limit=max(limit * 10, 2000))
    for topic, keywords in (FEED_TOPICS if topics is None else topics).items():
        groups.append(("topics", topic, topic, topic_events(recent, keywords)[:limit]))
    if archive.db["plan_events"].exists():
        for plan_id in store.plan_ids():  # plans with events (not every title a page ever named)
            groups.append(("plans", plan_id, feed_slug(plan_id), plan_feed_items(archive, plan_id, limit=limit)))
        for sector in sorted(taxonomy().sectors):
            groups.append(("sectors", sector, feed_slug(sector), sector_feed_items(archive, sector, limit=limit)))
    for folder, label, slug, events in groups:
        target = out / folder / f"{slug}.xml"
        target.parent.mkdir(parents=True, exist_ok=True)
        feed_info = FeedInfo(title=xml_safe(f"{info.title} — {folder[:-1]}: {label}", 300), link=info.link,
                             description=info.description)
        _write_atomic(target, build_feed(events, feed_info).atom_str(pretty=True))
        paths[f"/{folder}/{slug}.xml"] = target
    return paths
