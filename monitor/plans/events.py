"""Plan events from a stored page version: what a new version tells about the plans it names.

``record_plan_events`` runs right after ``monitor.detect`` stores a version (in the same transaction),
links the version to its plans (``record_version_plans``) and emits, per plan, at most one of:

* ``plan-new`` — the archive had never seen this plan;
* ``plan-status`` — the plan's official text now has another lifecycle status (draft → final, expired,
  abolished; gkmlpt ``is_expired`` / ``is_abolished`` facts count through the lifecycle classifier);
* ``plan-changed`` — a page already linked to the plan changed, and it is the plan's official text or
  its stated targets changed (with lines like "target for 2030 changed: 10个 → 12个 …");
* ``coverage`` — a page not linked to the plan before now names it (a new source); also a report read
  earlier that only described the plan (monitor/plans/descriptions.py), once the plan itself appears.

A page whose news report merely changed wording gets no plan event; its page event stays the alert.
Versions of pages off our topics (not ``relevant``) are linked but raise no event.
GUIDs are stable and per change (plan + kind + version), so a second change is a new entry and
recording the same version twice adds nothing.
"""
from __future__ import annotations

import logging
from typing import Any

from monitor.plans.archive import LateLink, link_waiting_descriptions, record_version_plans
from monitor.plans.changes import amount_text, target_changes
from monitor.plans.records import PlanRecord
from monitor.plans.targets import Target
from storage import Archive, Event
from storage.plan_events import PlanEvent, PlanEventStore
from storage.plans import PlanStore

logger = logging.getLogger(__name__)

GUID_PREFIX = "tag:policywatch,2026:plan/"
MAX_TARGET_ROWS = 40  # a feed entry shows at most this many targets / target changes


def _targets_of(archive: Archive, plan_id: str, version_id: int) -> list[Target]:
    cursor = archive.db.execute(
        "select year, quantity, kind, unit, unit_text, subject, qualifier, text from plan_targets "
        "where plan_id = ? and version_id = ? order by id", [plan_id, version_id])
    return [Target(*row) for row in cursor.fetchall()]


def _previous_version(archive: Archive, version_id: int) -> int | None:
    row = archive.db.execute(
        "select prev.id from versions cur join versions prev on prev.page_id = cur.page_id "
        "and prev.number < cur.number where cur.id = ? order by prev.number desc limit 1", [version_id]).fetchone()
    return row[0] if row else None


def _previous_official_status(archive: Archive, plan_id: str, version_id: int) -> str | None:
    row = archive.db.execute(
        "select status from plan_sources where plan_id = ? and role = 'official' and version_id != ? "
        "order by seen_at desc, id desc limit 1", [plan_id, version_id]).fetchone()
    return row[0] if row else None


def _page_was_source(archive: Archive, plan_id: str, page_id: int, version_id: int) -> bool:
    return archive.db.execute(
        "select 1 from plan_sources where plan_id = ? and page_id = ? and version_id != ? limit 1",
        [plan_id, page_id, version_id]).fetchone() is not None


def target_row(target: Target) -> dict[str, Any]:
    return {"year": target.year, "amount": amount_text(target), "subject": target.subject,
            "qualifier": target.qualifier}


def _plan_facts(archive: Archive, plan_id: str) -> dict[str, Any]:
    from storage.plans import PlanStore

    plan = PlanStore(archive.db).plan(plan_id) or {}
    facts = {k: plan.get(k) for k in ("title", "type", "region", "issuer", "doc_number", "status", "sectors")}
    if facts.get("issuer"):
        from monitor.plans.issuers import issuer_finder

        facts["issuer_name"] = issuer_finder().display_name(facts["issuer"])
    return facts


def _base_row(plan_id: str, facts: dict[str, Any], page_event: Event, *, page_id: int, version_id: int,
              source: str, url: str, title: str | None) -> dict[str, Any]:
    """The columns of every plan event: the plan, this run, and the page version that tells of it."""
    return {"plan_id": plan_id, "created_at": page_event.created_at, "run_id": page_event.run_id,
            "page_id": page_id, "version_id": version_id, "source": source, "url": url,
            "region": facts.get("region"), "title": title}


def _details(facts: dict[str, Any], record: PlanRecord) -> dict[str, Any]:
    return {**facts, "role": record.role, "title_as_written": record.mention.title}


def _coverage_guid(plan_id: str, page_id: int) -> str:
    """One coverage entry per plan and page, whether the page named the plan or described it earlier."""
    return f"{GUID_PREFIX}{plan_id}/coverage/page{page_id}"


def classify(archive: Archive, page_event: Event, plan_id: str, is_new: bool, record: PlanRecord,
             was_source: bool, previous_status: str | None) -> dict[str, Any] | None:
    """The plan event (as a row) one linked plan gets from this version, or None."""
    version_id = page_event.version_id
    assert version_id is not None
    facts = _plan_facts(archive, plan_id)
    base = _base_row(plan_id, facts, page_event, page_id=page_event.page_id, version_id=version_id,
                     source=page_event.source, url=page_event.url, title=facts.get("title") or record.mention.title)
    details = _details(facts, record)
    if is_new:
        details["targets"] = [target_row(t) for t in record.targets[:MAX_TARGET_ROWS]]
        return {**base, "guid": f"{GUID_PREFIX}{plan_id}/new", "kind": "plan-new", "details": details,
                "summary": f"New plan seen ({record.role}): {record.mention.title}"}
    if record.role == "official" and previous_status and previous_status != record.status:
        # also when the final text appears at a new address after the draft (the usual way)
        details.update(old_status=previous_status, new_status=record.status)
        return {**base, "guid": f"{GUID_PREFIX}{plan_id}/status/v{version_id}", "kind": "plan-status",
                "details": details, "summary": f"status: {previous_status} → {record.status}",
                "diff_html": page_event.diff_html}
    if not was_source:
        return {**base, "guid": _coverage_guid(plan_id, page_event.page_id), "kind": "coverage",
                "details": details, "summary": f"A new source ({record.role}) names this plan"}
    if page_event.kind != "changed":
        return None
    previous = _previous_version(archive, version_id)
    changes = target_changes(_targets_of(archive, plan_id, previous), record.targets) if previous else []
    if record.role != "official" and not changes:
        return None  # a report reworded: the page event says so, the plan did not change
    details["target_changes"] = [c.describe() for c in changes[:MAX_TARGET_ROWS]]
    details["page_summary"] = page_event.summary
    summary = "; ".join(details["target_changes"][:3]) or page_event.summary or "the official text changed"
    return {**base, "guid": f"{GUID_PREFIX}{plan_id}/changed/v{version_id}", "kind": "plan-changed",
            "details": details, "summary": summary, "diff_html": page_event.diff_html}


def _relevant(archive: Archive, link: LateLink) -> bool:
    row = archive.db.execute("select relevant from versions where id = ?", [link.version["id"]]).fetchone()
    return bool(row and row[0])


def _late_coverage(archive: Archive, page_event: Event, link: LateLink) -> dict[str, Any]:
    """Coverage by a page read before the plan appeared: dated now, in the run that found the plan."""
    facts = _plan_facts(archive, link.plan_id)
    version = link.version
    base = _base_row(link.plan_id, facts, page_event, page_id=version["page_id"], version_id=version["id"],
                     source=version["source"], url=version["url"], title=facts.get("title"))
    return {**base, "guid": _coverage_guid(link.plan_id, version["page_id"]), "kind": "coverage",
            "details": _details(facts, link.record),
            "summary": f"A source seen earlier ({link.record.role}) describes this plan"}


def record_plan_events(archive: Archive, page_event: Event,
                       records: list[PlanRecord] | None = None) -> list[PlanEvent]:
    """Link the event's version to its plans and store the plan events it causes (see the module doc).

    ``records``: the version's plans as a worker already read them (else they are read here)."""
    version_id = page_event.version_id
    if version_id is None:
        return []
    linked = record_version_plans(archive, version_id, records)
    # reports read earlier that describe a plan this version founds: linked whatever this page is about
    late = link_waiting_descriptions(PlanStore(archive.db), [plan_id for plan_id, is_new, _ in linked if is_new])
    store = PlanEventStore(archive.db)
    stored = []
    for link in late:
        event = store.add(_late_coverage(archive, page_event, link)) if _relevant(archive, link) else None
        if event is not None:
            logger.info("%s: coverage %s (described before the plan appeared)", link.version["url"], link.plan_id)
            stored.append(event)
    if not page_event.relevant:
        return stored  # linked for the record, but a page off our topics raises no alert (as in the page feed)
    for plan_id, is_new, record in linked:
        # a plan new to the archive has no other source and no earlier status to ask about
        was_source = not is_new and _page_was_source(archive, plan_id, page_event.page_id, version_id)
        previous_status = None if is_new else _previous_official_status(archive, plan_id, version_id)
        row = classify(archive, page_event, plan_id, is_new, record, was_source, previous_status)
        event = store.add(row) if row else None
        if event is not None:
            logger.info("%s: %s %s (%s)", page_event.url, event.kind, plan_id, event.summary)
            stored.append(event)
    return stored
