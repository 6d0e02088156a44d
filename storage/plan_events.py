"""The ``plan_events`` table: plan-new, plan-changed, plan-status and coverage events.

What counts as one of these is decided in monitor.plans.events; this module stores them (once per
GUID) and reads them back for feeds and the CLI.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from storage.plans import plan_filters
from storage.rows import chunks, insert_row

PLAN_EVENT_KINDS = ("plan-new", "plan-changed", "plan-status", "coverage")
# Page events written with a version (monitor.detect): the ones a plan event of the same version repeats
# (when the event recorded that version: see Archive.recording_events).
VERSION_EVENT_KINDS = ("new", "changed", "changed-unreported")


@dataclass(frozen=True, slots=True)
class PlanEvent:
    id: int
    guid: str
    kind: str
    plan_id: str
    created_at: str
    run_id: int | None
    page_id: int | None
    version_id: int | None
    source: str | None
    url: str | None
    region: str | None
    title: str | None
    summary: str | None
    details: dict[str, Any]
    diff_html: str | None


class PlanEventStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, event: dict[str, Any]) -> PlanEvent | None:
        """Store one event; None when its GUID is already stored (the same change seen again)."""
        row = {**event, "details_json": json.dumps(event.get("details") or {}, ensure_ascii=False)}
        row.pop("details", None)
        event_id = insert_row(self.db, "plan_events", row, or_ignore=True)
        return None if event_id is None else self._event({**row, "id": event_id})

    def events(self, *, limit: int = 200, kinds: tuple[str, ...] = PLAN_EVENT_KINDS, plan_id: str | None = None,
               region: str | None = None, sector: str | None = None) -> list[PlanEvent]:
        """Newest first; ``region`` is the plan's region id, ``sector`` a sector id of the plan."""
        if not self.db["plan_events"].exists():
            return []
        clauses = [f"plan_events.kind in ({', '.join('?' * len(kinds))})"]
        args: list[Any] = list(kinds)
        if plan_id:
            clauses.append("plan_events.plan_id = ?")
            args.append(plan_id)
        more, more_args = plan_filters(region=region, sector=sector)
        clauses += more
        args += more_args
        cursor = self.db.execute(
            "select plan_events.* from plan_events left join plans on plans.id = plan_events.plan_id "
            f"where {' and '.join(clauses)} order by plan_events.created_at desc, plan_events.id desc limit ?",
            [*args, limit])
        columns = [c[0] for c in cursor.description]
        return [self._event(dict(zip(columns, row, strict=True))) for row in cursor.fetchall()]

    def fold_version(self, version_id: int, *, page_id: int, into_version: int, into_page: int,
                     repeated: set[str]) -> None:
        """The plan events ``version_id`` (of page ``page_id``) caused, once its plan rows went to
        ``into_version`` of ``into_page`` (``PlanStore.fold_version``, which says which plans are ``repeated``).

        Events about a plan both versions name are dropped: the same text on the same page is no news.
        The others are re-pointed; a per-page GUID (coverage: ``…/coverage/page<id>``, see
        monitor.plans.events) names the surviving page, as a coverage entry for it would have: the
        absorbed page's id may be given to the next new page. Call inside a write.
        """
        rows = self.db.execute("select id, plan_id, guid from plan_events where version_id = ?",
                               [version_id]).fetchall()
        suffix = f"/page{page_id}"
        for event_id, plan_id, guid in rows:
            if guid.endswith(suffix):
                guid = f"{guid[:-len(suffix)]}/page{into_page}"
            taken = self.db.execute("select 1 from plan_events where guid = ? and id != ?", [guid, event_id]).fetchone()
            if plan_id in repeated or taken:
                self.db.execute("delete from plan_events where id = ?", [event_id])
            else:
                self.db.execute("update plan_events set version_id = ?, page_id = ?, guid = ? where id = ?",
                                [into_version, into_page, guid, event_id])

    def versions_with_events(self, version_ids: list[int]) -> set[int]:
        """Which of these page versions caused a plan event (their page events would repeat it)."""
        if not version_ids or not self.db["plan_events"].exists():
            return set()
        found: set[int] = set()
        for chunk in chunks(version_ids):
            found.update(r[0] for r in self.db.execute(
                f"select distinct version_id from plan_events where version_id in ({', '.join('?' * len(chunk))})",
                chunk).fetchall())
        return found

    def plan_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("select distinct plan_id from plan_events order by plan_id")]

    def regions(self) -> list[str]:
        return [r[0] for r in self.db.execute(
            "select distinct plans.region from plan_events join plans on plans.id = plan_events.plan_id "
            "where plans.region is not null order by 1")]

    def sectors(self) -> list[str]:
        return [r[0] for r in self.db.execute(
            "select distinct sector.value from plan_events join plans on plans.id = plan_events.plan_id, "
            "json_each(plans.sectors) as sector order by 1")]

    @staticmethod
    def _event(row: dict[str, Any]) -> PlanEvent:
        details = json.loads(row.pop("details_json", None) or "{}")
        return PlanEvent(details=details, **{k: row.get(k) for k in PlanEvent.__slots__  # type: ignore[attr-defined]
                                              if k != "details"})
