"""The ``plans``, ``plan_keys``, ``plan_sources`` and ``plan_targets`` tables of the archive.

Plain rows in, plain rows out: what a plan is and which page versions name it is decided in
monitor.plans; this module only stores it and answers the questions the CLI and Datasette ask.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from storage.archive import write_transaction
from storage.rows import chunks, insert_row, insert_rows, update_row

PLAN_TABLES = ("plan_clues", "plan_targets", "plan_sources", "plan_keys", "plans")


def plan_filters(*, region: str | None, sector: str | None) -> tuple[list[str], list[Any]]:
    """SQL conditions (and their arguments) on the ``plans`` table: a region id, a sector id."""
    clauses: list[str] = []
    args: list[Any] = []
    if region:
        clauses.append("plans.region = ?")
        args.append(region)
    if sector:
        clauses.append("exists (select 1 from json_each(plans.sectors) where value = ?)")
        args.append(sector)
    return clauses, args


class PlanStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- writing -----------------------------------------------------------------------------

    def clear(self) -> None:
        """Forget every plan (before re-analysing the archive)."""
        with write_transaction(self.db):
            for table in PLAN_TABLES:
                self.db.execute(f"delete from {table}")

    def keys(self) -> list[tuple[str, str, str | None]]:
        """(key, plan id, language of the title for title keys)."""
        return [tuple(row) for row in self.db.execute("select key, plan_id, language from plan_keys").fetchall()]

    def keys_near(self, keys: Iterable[str], plan_ids: Iterable[str] = ()) -> list[tuple[str, str, str | None]]:
        """The rows of ``keys()`` that matter to mentions with these keys: every key of every plan that
        holds one of them or has one of ``plan_ids``, in ``keys()`` order. Reading these instead of all
        keys keeps linking one version a few indexed lookups however large the archive grows."""
        keys, plan_ids = list(dict.fromkeys(keys)), set(plan_ids)
        for chunk in chunks(keys):
            marks = ",".join("?" * len(chunk))
            plan_ids.update(row[0] for row in self.db.execute(
                f"select plan_id from plan_keys where key in ({marks})", chunk).fetchall())
        rows: list[tuple[str, str, str | None]] = []
        for chunk in chunks(sorted(plan_ids)):
            marks = ",".join("?" * len(chunk))
            rows += [tuple(row) for row in self.db.execute(
                f"select rowid, key, plan_id, language from plan_keys where plan_id in ({marks})", chunk).fetchall()]
        return [row[1:] for row in sorted(rows)]

    def aliases(self, region: str, plan_ids: Iterable[str] | None = None) -> list[tuple[str, str]]:
        """(alias key without ``alias:``, plan id) of the plans of a region: an indexed range of keys;
        with ``plan_ids``, of those plans only (read by plan)."""
        low = f"alias:{region}|"
        high = low[:-1] + chr(ord("|") + 1)
        if plan_ids is None:
            rows = self.db.execute("select key, plan_id from plan_keys where key >= ? and key < ? order by rowid",
                                   [low, high]).fetchall()
        else:
            rows = []
            for chunk in chunks(sorted(set(plan_ids))):
                rows += self.db.execute(
                    f"select rowid, key, plan_id from plan_keys where plan_id in ({','.join('?' * len(chunk))}) "
                    "and key >= ? and key < ?", [*chunk, low, high]).fetchall()
            rows = [row[1:] for row in sorted(rows)]
        return [(key[len("alias:"):], plan_id) for key, plan_id in rows]

    def keep_clues(self, page_id: int, rows: list[dict[str, Any]]) -> None:
        """The descriptions of a page's latest version that found no plan, one row per region (replacing
        what its earlier versions left)."""
        if not rows:  # one statement is atomic by itself
            self.db.execute("delete from plan_clues where page_id = ?", [page_id])
            return
        with write_transaction(self.db):
            self.db.execute("delete from plan_clues where page_id = ?", [page_id])
            insert_rows(self.db, "plan_clues", [{**row, "page_id": page_id} for row in rows])

    def fold_version(self, version_id: int, into_version: int, into_page: int) -> set[str]:
        """Hand what ``version_id`` told of plans to ``into_version`` (of page ``into_page``), same text,
        before ``version_id`` is deleted (``Archive.absorb_new_page``: a page archived at a site's new
        address before the old address redirected there).

        A plan both versions name keeps only ``into_version``'s link and targets; a plan only
        ``version_id`` named (read by rules the older version predates) is re-pointed, so no plan loses
        the page it was found on. The same for waiting descriptions, per region. Returns the plans both
        named: their plan events from ``version_id`` repeat what the archive knew. Call inside a write.
        """
        repeated = {row[0] for row in self.db.execute(
            "select plan_id from plan_sources where version_id = ? and plan_id in "
            "(select plan_id from plan_sources where version_id = ?)", [version_id, into_version]).fetchall()}
        folded = {row[0] for row in self.db.execute(
            "select plan_id from plan_sources where version_id = ?", [version_id]).fetchall()}
        for table in ("plan_targets", "plan_sources"):
            self.db.execute(f"delete from {table} where version_id = ? and plan_id in "
                            "(select plan_id from plan_sources where version_id = ?)", [version_id, into_version])
        self.db.execute("update plan_targets set version_id = ? where version_id = ?", [into_version, version_id])
        self.db.execute("update plan_sources set version_id = ?, page_id = ? where version_id = ?",
                        [into_version, into_page, version_id])
        self.db.execute("delete from plan_clues where version_id = ? and region in "
                        "(select region from plan_clues where page_id = ?)", [version_id, into_page])
        self.db.execute("update plan_clues set version_id = ?, page_id = ? where version_id = ?",
                        [into_version, into_page, version_id])
        for chunk in chunks(sorted(folded)):
            self.db.execute(
                "update plans set source_count = (select count(distinct page_id) from plan_sources "
                f"where plan_id = plans.id) where id in ({','.join('?' * len(chunk))})", chunk)
        return repeated

    def waiting_clues(self, region: str) -> list[dict[str, Any]]:
        """The stored descriptions of plans of ``region`` that no plan fitted when they were read."""
        self.db.execute("delete from plan_clues where region = ? and version_id not in (select id from versions)",
                        [region])
        return self._rows("select * from plan_clues where region = ? order by seen_at, id", [region])

    def drop_clues(self, row_id: int) -> None:
        self.db.execute("delete from plan_clues where id = ?", [row_id])

    def plans_of_version(self, version_id: int) -> set[str]:
        return {row[0] for row in self.db.execute("select plan_id from plan_sources where version_id = ?",
                                                  [version_id]).fetchall()}

    def record(self, plan: dict[str, Any], keys: Iterable[tuple[str, str | None]], source: dict[str, Any],
               targets: list[dict[str, Any]]) -> None:
        """One page version naming one plan: the plan row (created or updated), its keys, the link
        from the version, and the targets this version states (replacing what it said before).

        ``plan["title_rank"]`` says how good the title is, lower is better (monitor/plans/archive.py: official
        text, a title, a description, each in the plan's own language before a translation);
        the plan keeps its best one."""
        with write_transaction(self.db):
            existing = self.db.execute("select first_seen, last_seen, title_rank, sectors from plans where id = ?",
                                       [plan["id"]]).fetchone()
            row = dict(plan)
            row["sectors"] = json.dumps(sorted(set(plan.get("sectors") or [])), ensure_ascii=False)
            if existing is None:
                row.update(first_seen=source["seen_at"], last_seen=source["seen_at"], source_count=0)
                insert_row(self.db, "plans", row)
            else:
                first_seen, last_seen, title_rank, sectors = existing
                merged = sorted(set(json.loads(sectors or "[]")) | set(plan.get("sectors") or []))
                update = {k: v for k, v in row.items() if v is not None and k != "id"}
                if title_rank is not None and row.get("title_rank", 9) >= title_rank:
                    update.pop("title", None)  # keep the best title seen: official > any title > description
                    update.pop("title_rank", None)
                update["sectors"] = json.dumps(merged, ensure_ascii=False)
                update["first_seen"] = min(first_seen, source["seen_at"])
                update["last_seen"] = max(last_seen, source["seen_at"])
                update_row(self.db, "plans", plan["id"], update)
            for key, language in keys:
                self.db.execute("insert or ignore into plan_keys (key, plan_id, language) values (?, ?, ?)",
                                [key, plan["id"], language])
            self.db.execute("delete from plan_sources where plan_id = ? and version_id = ?",
                            [plan["id"], source["version_id"]])
            insert_row(self.db, "plan_sources", {**source, "plan_id": plan["id"]})
            self.db.execute("delete from plan_targets where plan_id = ? and version_id = ?",
                            [plan["id"], source["version_id"]])
            insert_rows(self.db, "plan_targets",
                [{**t, "plan_id": plan["id"], "version_id": source["version_id"], "seen_at": source["seen_at"]}
                 for t in targets])
            self.db.execute(
                "update plans set source_count = (select count(distinct page_id) from plan_sources "
                "where plan_id = ?) where id = ?", [plan["id"], plan["id"]])

    # -- reading -----------------------------------------------------------------------------

    def plans(self, *, region: str | None = None, sector: str | None = None,
              since: str | None = None, relevant_only: bool = True) -> list[dict[str, Any]]:
        """Plans, newest first seen first; ``sector`` matches a field or direction id.

        ``relevant_only``: only plans named by at least one page about a watched topic (a notice on
        forest fires is a plan too, but not one our users follow)."""
        clauses, args = plan_filters(region=region, sector=sector)
        if relevant_only:
            clauses.append("exists (select 1 from plan_sources join versions on versions.id = plan_sources.version_id"
                           " where plan_sources.plan_id = plans.id and versions.relevant = 1)")
        if since:
            clauses.append("last_seen >= ?")
            args.append(since)
        where = f"where {' and '.join(clauses)}" if clauses else ""
        return [self._plan_row(r) for r in self._rows(
            f"select * from plans {where} order by first_seen desc, id", args)]

    def plan(self, plan_id: str) -> dict[str, Any] | None:
        rows = self._rows("select * from plans where id = ?", [plan_id])
        return self._plan_row(rows[0]) if rows else None

    def sources(self, plan_id: str) -> list[dict[str, Any]]:
        return self._rows("select * from plan_sources where plan_id = ? order by seen_at, id", [plan_id])

    def source_pages(self, plan_id: str) -> list[dict[str, Any]]:
        """One row per page that names the plan: its url and source, the role of its latest version, when
        it was first and last seen naming the plan, how many of its versions did, and those versions."""
        pages: dict[int, dict[str, Any]] = {}
        for row in self.sources(plan_id):
            page = pages.setdefault(row["page_id"], {
                "page_id": row["page_id"], "url": row["url"], "source": row["source"], "role": row["role"],
                "first_seen": row["seen_at"], "last_seen": row["seen_at"], "version_count": 0, "versions": []})
            page.update(url=row["url"], role=row["role"], last_seen=max(page["last_seen"], row["seen_at"]))
            page["first_seen"] = min(page["first_seen"], row["seen_at"])
            page["version_count"] += 1
            page["versions"].append(row)
        return sorted(pages.values(), key=lambda p: (p["first_seen"], p["page_id"]))

    def targets(self, plan_id: str) -> list[dict[str, Any]]:
        return self._rows(
            "select plan_targets.*, plan_sources.url, plan_sources.role from plan_targets "
            "left join plan_sources on plan_sources.plan_id = plan_targets.plan_id "
            "and plan_sources.version_id = plan_targets.version_id "
            "where plan_targets.plan_id = ? order by plan_targets.year is null, plan_targets.year, "
            "plan_targets.seen_at, plan_targets.id", [plan_id])

    def _rows(self, sql: str, args: list[Any]) -> list[dict[str, Any]]:
        cursor = self.db.execute(sql, args)
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    @staticmethod
    def _plan_row(row: dict[str, Any]) -> dict[str, Any]:
        row["sectors"] = json.loads(row.get("sectors") or "[]")
        return row
