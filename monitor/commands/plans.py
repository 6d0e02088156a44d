"""``policywatch plans`` and ``policywatch plan ID``: the plans found in an archive."""
from __future__ import annotations

import json
from typing import Any

import click

from storage import Archive, ArchiveError

_db_option = click.option(
    "--db", "db_path", required=True, envvar="POLICYWATCH_DB", show_envvar=True,
    type=click.Path(dir_okay=False), help="The SQLite archive file.",
)


def _open(path: str, *, readonly: bool) -> Archive:
    try:
        return Archive(path, readonly=readonly)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None


def _region_id(value: str | None) -> str | None:
    if value is None:
        return None
    from monitor.plans.regions import gazetteer

    region = gazetteer().lookup(value)
    if region is None:
        raise click.BadParameter(f"unknown region {value!r} (try an id like guangdong, or 广东 / Guangdong)",
                                 param_hint="--region")
    return region


def _sector_id(value: str | None) -> str | None:
    if value is None:
        return None
    from monitor.plans.sectors import taxonomy

    if value not in taxonomy().sectors:
        known = ", ".join(sorted(taxonomy().sectors))
        raise click.BadParameter(f"unknown sector {value!r}; known: {known}", param_hint="--sector")
    return value


def _since(value: str | None) -> str | None:
    """A date or UTC timestamp the archive's ISO-8601 times compare with (YYYY-MM-DD or full ISO)."""
    if value is None:
        return None
    from datetime import datetime

    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)",
                                 param_hint="--since") from None
    return value


def _format_quantity(row: dict[str, Any]) -> str:
    quantity = row["quantity"]
    number = f"{quantity:,.0f}" if float(quantity).is_integer() else f"{quantity:,.2f}"
    if row["kind"] == "money":
        return f"{number} yuan ({row['unit_text']})" if row.get("unit_text") else f"{number} yuan"
    return f"{number}{row['unit'] or ''}" if row["kind"] == "count" else f"{number}%"


@click.command("plans")
@_db_option
@click.option("--region", help="Only plans of this region (id, Chinese or English name).")
@click.option("--sector", help="Only plans in this sector (a field or direction id from sectors.yaml).")
@click.option("--since", help="Only plans seen on or after this date (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--rebuild", is_flag=True, help="Re-analyse every archived version first (fills the plan tables).")
@click.option("--all", "include_all", is_flag=True,
              help="Also plans named only by pages off the watched topics (archived, not in the feeds).")
def plans_command(db_path: str, region: str | None, sector: str | None, since: str | None, as_json: bool,
                  rebuild: bool, include_all: bool) -> None:
    """List the plans found in the archive.

    Example: policywatch plans --rebuild --db archive.db --region guangdong --sector future-materials
    """
    from storage.plans import PlanStore

    region_id, sector_id, since = _region_id(region), _sector_id(sector), _since(since)
    if rebuild:
        from monitor.plans.archive import rebuild_plans

        with _open(db_path, readonly=False) as archive:
            summary = rebuild_plans(archive)
        failed = f", {summary.failed} could not be analysed (see the log)" if summary.failed else ""
        click.echo(f"re-analysed {summary.versions} versions: {summary.plans} plans, {summary.links} links, "
                   f"{summary.targets} targets{failed}", err=True)
    with _open(db_path, readonly=True) as archive:
        if not archive.db["plans"].exists():
            raise click.ClickException(f"{db_path}: no plan tables yet; run with --rebuild")
        rows = PlanStore(archive.db).plans(region=region_id, sector=sector_id, since=since,
                                           relevant_only=not include_all)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    if not rows:
        click.echo("no plans")
        return
    for row in rows:
        where = " · ".join(x for x in (row["region"], row["issuer"], row["doc_number"], row["status"]) if x)
        click.echo(f"{row['id']}  {row['title']}\n    {where}  sources: {row['source_count']}  "
                   f"sectors: {', '.join(row['sectors']) or '-'}  seen {row['first_seen']} → {row['last_seen']}")


@click.command("plan")
@click.argument("plan_id")
@_db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def plan_command(plan_id: str, db_path: str, as_json: bool) -> None:
    """Show one plan: the pages that name it (one row each: role, first and last seen, versions), its targets
    over time and its events. With --json each page carries the full list of its versions.

    Example: policywatch plan p-83e8c0f466 --db archive.db
    """
    from storage.plans import PlanStore

    with _open(db_path, readonly=True) as archive:
        if not archive.db["plans"].exists():
            raise click.ClickException(f"{db_path}: no plan tables yet; run policywatch plans --rebuild")
        store = PlanStore(archive.db)
        plan = store.plan(plan_id)
        if plan is None:
            raise click.ClickException(f"{db_path}: no plan {plan_id!r} (policywatch plans lists them)")
        pages, targets = store.source_pages(plan_id), store.targets(plan_id)
        from storage.plan_events import PlanEventStore

        events = [{"kind": e.kind, "created_at": e.created_at, "summary": e.summary, "url": e.url, "guid": e.guid}
                  for e in PlanEventStore(archive.db).events(limit=1000, plan_id=plan_id)]
    if plan.get("issuer"):
        from monitor.plans.issuers import issuer_finder

        plan["issuer_name"] = issuer_finder().display_name(plan["issuer"])
    if as_json:
        click.echo(json.dumps({"plan": plan, "pages": pages, "targets": targets, "events": events},
                              ensure_ascii=False, indent=1))
        return
    click.echo(f"{plan['id']}  {plan['title']}")
    for label in ("type", "region", "issuer", "doc_number", "status"):
        if plan.get(label):
            click.echo(f"  {label}: {plan[label]}" + (f" ({plan['issuer_name']})" if label == "issuer" else ""))
    click.echo(f"  sectors: {', '.join(plan['sectors']) or '-'}")
    click.echo(f"pages ({len(pages)}), one per page: role, first seen → last seen, versions naming the plan:")
    for page in pages:
        versions = page["version_count"]
        click.echo(f"  {page['role']:<14} {page['first_seen']} → {page['last_seen']}  "
                   f"{versions} version{'s' if versions != 1 else ''}  {page['source']}\n      {page['url']}\n"
                   f"      {page['versions'][-1]['title_as_written']}")
    click.echo(f"targets ({len(targets)}):")
    for target in targets:
        year = target["year"] if target["year"] is not None else "—"
        click.echo(f"  {year}  {_format_quantity(target):<28} {target['subject']}  "
                   f"({target['seen_at']}, {target['role']})")
    click.echo(f"events ({len(events)}), newest first:")
    for event in events:
        click.echo(f"  {event['created_at']}  {event['kind']:<13} {event['summary'] or ''}\n      {event['url']}")
