"""The offline demo: the main job, end to end, against a bundled site served on 127.0.0.1.

It crawls the site in its first state, switches it to a second state with realistic edits (a revised
target, an added paragraph, a new page, noise-only changes, an irrelevant page edited), crawls
again, writes the feeds and tells what changed. Nothing leaves the machine.
"""
from __future__ import annotations

import shutil
from collections.abc import Callable
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from monitor.feeds import FeedInfo, feed_slug, write_feed_set
from monitor.siteserver import SiteServer
from storage import Archive
from storage.plan_events import PlanEventStore

# Localhost needs no throttling; every other politeness setting stays as in production.
DEMO_CRAWL_SETTINGS = {"AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0", "RETRY_BACKOFF_BASE": "0"}


def demo_site_root() -> Any:
    return files("monitor") / "demo_site"


def write_demo_sources(template: Path, base_url: str, out: Path) -> Path:
    out.write_text(template.read_text(encoding="utf-8").replace("{base_url}", base_url), encoding="utf-8")
    return out


def run_demo(work_dir: Path, echo: Callable[[str], Any] = print) -> dict[str, Any]:
    from crawlers.runner import run_crawl
    from monitor.cli import format_summaries

    work_dir.mkdir(parents=True, exist_ok=True)
    db_path = work_dir / "archive.db"
    for stale in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        stale.unlink(missing_ok=True)
    feeds_dir = work_dir / "feeds"
    if feeds_dir.exists():
        shutil.rmtree(feeds_dir)

    with as_file(demo_site_root()) as site_root, SiteServer(site_root / "state1") as site:
        sources = write_demo_sources(site_root / "sources.yaml", site.base_url, work_dir / "sources.yaml")
        echo(f"Serving the demo site (state 1) at {site.base_url}/")
        echo(f"Sources: {sources}\nArchive: {db_path}\n")
        echo("Crawl 1 — first visit:")
        first = run_crawl(sources, db_path, settings=DEMO_CRAWL_SETTINGS)
        echo(format_summaries(first))

        site.root = site_root / "state2"
        echo("\nThe site changes (state 2): a revised target, added paragraphs, a new page, "
             "noise-only edits.\nCrawl 2 — second visit:")
        second = run_crawl(sources, db_path, settings=DEMO_CRAWL_SETTINGS)
        echo(format_summaries(second))

    with Archive(db_path, readonly=True) as archive:
        # every feed the daemon writes (plans/, sectors/, regions/ …), so `policywatch serve` on them shows all
        paths = write_feed_set(archive, feeds_dir, info=FeedInfo(link=feeds_dir.resolve().as_uri() + "/"))
        second_runs = {s["id"] for s in second if "id" in s}
        changes = archive.run_events(sorted(second_runs))
        plan_changes = [e for e in reversed(PlanEventStore(archive.db).events(limit=1000)) if e.run_id in second_runs]
        coverage = list(reversed(PlanEventStore(archive.db).events(limit=1000, kinds=("coverage",))))

    echo("\nWhat the second crawl found:")
    for event in changes:
        note = "" if event.relevant else "  (not about future industries: archived, kept out of the feed)"
        echo(f"  {event.kind:<8} {event.title}{note}\n           {event.url}"
             + (f"\n           {event.summary}" if event.summary else ""))
    echo("\nWhat it means for the plans (the feed announces these instead of the page events they repeat):")
    for plan_event in plan_changes:
        echo(f"  {plan_event.kind:<13} {plan_event.title}  [{plan_event.plan_id}]\n           {plan_event.url}"
             + (f"\n           {plan_event.summary}" if plan_event.summary else ""))
    if not plan_changes:
        echo("  (no plan events)")
    echo("\nPages that name or describe a plan already known (coverage: in each plan's feed plans/ID.xml, "
         "and in the main feed with `policywatch feed --coverage`):")
    for plan_event in coverage:
        echo(f"  {plan_event.title}  [{plan_event.plan_id}]\n           {plan_event.url}\n           "
             f"{plan_event.details.get('role')}: {plan_event.details.get('title_as_written')}")
    echo(f"\nFeeds (as the daemon writes them; plans/, sectors/, regions/, sources/, topics/ next to them):\n"
         f"  {paths['/rss.xml']}\n  {paths['/atom.xml']}\n  {paths['/pages.xml']}")
    changed = next((e.url for e in changes if e.kind == "changed" and e.relevant), None)
    if changed:
        echo(f"See one change word by word (the demo site is gone now, the archive keeps it):\n"
             f"  policywatch diff {changed} --db {db_path}")
    changed_plan = next((e.plan_id for e in sorted(plan_changes, key=lambda e: not e.details.get("target_changes"))
                         if e.kind == "plan-changed"), None)
    if changed_plan:
        echo(f"See one plan with its sources, targets over time and events, and its feed over HTTP:\n"
             f"  policywatch plan {changed_plan} --db {db_path}\n"
             f"  policywatch serve --db {db_path} --feeds {feeds_dir} --bind 127.0.0.1:8080\n"
             f"  curl -s http://127.0.0.1:8080/plans/{feed_slug(changed_plan)}.xml")
    return {"first": first, "second": second, "feeds": paths, "db": db_path}
