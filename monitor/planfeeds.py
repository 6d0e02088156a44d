"""Feed entries that speak in plans, and the feeds made of them.

How plan events and page events share a feed without saying one change twice: a page event written
with a version (new / changed) is left out of the plan-speaking feeds when that same version caused a
plan event of any kind — the plan event is the alert (a new official text is "New plan", its edit
"Plan changed", a news page naming a known plan is coverage). A page naming no plan, or whose edit
changed nothing about a plan (a reworded news report), keeps its page event. Events written later
about a page's latest version, which no plan event tells (an attachment added or changed, removals,
restorations and moves), always stay. ``coverage`` is off in the main, region and sector feeds
and on in the per-plan feeds ``plans/ID.xml``.

Every scraped string is escaped here; ``diff_html`` was built from escaped text by monitor.diff.
"""
from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from monitor.feeds import UNREPORTED_KINDS, FeedItem, page_item
from storage import Archive, Event
from storage.plan_events import PLAN_EVENT_KINDS, VERSION_EVENT_KINDS, PlanEvent, PlanEventStore

ALERT_KINDS = ("plan-new", "plan-changed", "plan-status")  # coverage only in per-plan feeds
KIND_LABELS = {"plan-new": "New plan", "plan-changed": "Plan changed", "plan-status": "Plan status",
               "coverage": "Coverage"}
MAX_SOURCES = 50


def _e(value: Any) -> str:
    return html.escape(str(value if value is not None else ""), quote=True)


def _facts_table(details: dict[str, Any]) -> str:
    issuer = details.get("issuer_name") or details.get("issuer")
    rows = [("Issuer", issuer), ("Region", details.get("region")), ("Document number", details.get("doc_number")),
            ("Type", details.get("type")), ("Status", details.get("status")),
            ("Sectors", ", ".join(details.get("sectors") or [])), ("This page", details.get("role"))]
    cells = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows if v)
    return f"<table>{cells}</table>" if cells else ""


def _targets_table(targets: list[dict[str, Any]]) -> str:
    if not targets:
        return ""
    rows = "".join(f"<tr><td>{_e(t.get('year') or '—')}</td>"
                   f"<td>{_e(' '.join(filter(None, (t.get('qualifier'), t.get('amount')))))}</td>"
                   f"<td>{_e(t.get('subject'))}</td></tr>" for t in targets)
    return f"<p>Targets:</p><table><tr><th>Year</th><th>Target</th><th>What</th></tr>{rows}</table>"


def _sources_list(sources: list[dict[str, Any]]) -> str:
    if not sources:
        return ""
    items = "".join(f"<li>{_e(s.get('role'))}: <a href=\"{_e(s['url'])}\">{_e(s['url'])}</a></li>"
                    for s in sources[:MAX_SOURCES])
    more = f"<li>… and {len(sources) - MAX_SOURCES} more</li>" if len(sources) > MAX_SOURCES else ""
    return f"<p>Sources:</p><ul>{items}{more}</ul>"


def plan_sources(archive: Archive, plan_id: str) -> list[dict[str, Any]]:
    """Every page that names the plan (once per page, with the role of its latest version)."""
    cursor = archive.db.execute(
        "select url, role from plan_sources where id in (select max(id) from plan_sources where plan_id = ? "
        "group by page_id) order by seen_at, id", [plan_id])
    return [{"url": url, "role": role} for url, role in cursor.fetchall()]


def plan_entry_html(event: PlanEvent, sources: list[dict[str, Any]]) -> str:
    """The body of a plan event's entry: what happened, the plan's facts, targets, diff and sources."""
    details = event.details
    lines = details.get("target_changes") or [] if event.kind == "plan-changed" else []
    parts = [f"<p><strong>{_e(event.summary)}</strong></p>"] if event.summary and not lines else []
    if event.kind == "plan-new":
        parts += [_facts_table(details), _targets_table(details.get("targets") or [])]
    elif event.kind == "plan-changed":
        if lines:
            parts.append("<ul>" + "".join(f"<li><strong>{_e(line)}</strong></li>" for line in lines) + "</ul>")
            if details.get("page_summary"):
                parts.append(f"<p>{_e(details['page_summary'])}</p>")
        parts.append(event.diff_html or "")
    elif event.kind == "plan-status":
        parts.append(f"<p>Status: {_e(details.get('old_status'))} → {_e(details.get('new_status'))}</p>")
        parts.append(event.diff_html or "")
    else:
        parts.append(f"<p>{_e(details.get('role'))} names it as: {_e(details.get('title_as_written'))}</p>")
    parts.append(f"<p><small>Page: <a href=\"{_e(event.url)}\">{_e(event.url)}</a> · plan {_e(event.plan_id)}"
                 "</small></p>")
    parts.append(_sources_list(sources))
    return "\n".join(p for p in parts if p)


def plan_item(archive: Archive, event: PlanEvent) -> FeedItem:
    label = KIND_LABELS.get(event.kind, event.kind)
    sectors = tuple(event.details.get("sectors") or ())
    return FeedItem(guid=event.guid, title=f"{label}: {event.title or event.plan_id}", link=event.url or "",
                    created_at=event.created_at,
                    categories=tuple(t for t in (event.kind, event.region, *sectors, event.plan_id) if t),
                    body_html=plan_entry_html(event, plan_sources(archive, event.plan_id)))


def merge(archive: Archive, plan_events: Iterable[PlanEvent], page_events: Iterable[Event],
          limit: int) -> list[FeedItem]:
    """Plan events and the page events none of them repeats, newest first, at most ``limit``."""
    plan_events = list(plan_events)
    page_events = [e for e in page_events if e.kind not in UNREPORTED_KINDS]
    candidates = [e for e in page_events if e.version_id is not None and e.kind in VERSION_EVENT_KINDS]
    with_plan_events = PlanEventStore(archive.db).versions_with_events(
        sorted({e.version_id for e in candidates if e.version_id is not None}))
    # only the event written with that version: one written later about it (an attachment) says something else
    repeated = archive.recording_events(e for e in candidates if e.version_id in with_plan_events)
    kept = [e for e in page_events if e.id not in repeated]
    dated: list[tuple[str, int, Event | PlanEvent]] = [(e.created_at, 1, e) for e in plan_events]
    dated += [(e.created_at, 0, e) for e in kept]
    dated.sort(key=lambda x: (x[0], x[1], x[2].id), reverse=True)
    return [plan_item(archive, e) if isinstance(e, PlanEvent) else page_item(e) for _, _, e in dated[:limit]]


def main_items(archive: Archive, *, limit: int, coverage: bool = False) -> list[FeedItem]:
    """The main feed: plan-new / plan-changed / plan-status (and coverage when asked), plus page events."""
    kinds = PLAN_EVENT_KINDS if coverage else ALERT_KINDS
    return merge(archive, PlanEventStore(archive.db).events(limit=limit, kinds=kinds),
                 archive.events(limit=limit, relevant_only=True), limit)


def plan_feed_items(archive: Archive, plan_id: str, *, limit: int) -> list[FeedItem]:
    """Everything about one plan, coverage included."""
    return [plan_item(archive, e) for e in PlanEventStore(archive.db).events(limit=limit, plan_id=plan_id)]


def sector_feed_items(archive: Archive, sector: str, *, limit: int) -> list[FeedItem]:
    return [plan_item(archive, e)
            for e in PlanEventStore(archive.db).events(limit=limit, kinds=ALERT_KINDS, sector=sector)]


def region_feed_items(archive: Archive, page_events: list[Event], region_id: str | None, *,
                      limit: int) -> list[FeedItem]:
    """A region's page events (by the source's region) merged with the plan events of its plans."""
    events = (PlanEventStore(archive.db).events(limit=limit, kinds=ALERT_KINDS, region=region_id)
              if region_id else [])
    return merge(archive, events, page_events, limit)
