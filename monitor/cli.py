"""The ``policywatch`` command: a thin click layer over the library, one API call per command."""
from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from monitor.commands.options import (
    coverage_option,
    db_option,
    find_page,
    open_archive,
    settings_option,
    sources_option,
)
from monitor.diff import diff_sentences, render_stored_html, render_text, unified_text
from monitor.feeds import DEFAULT_LIMIT, FeedInfo, write_feeds
from monitor.sources import ConfigError, load_sources
from storage import Archive, Event, Page, Version


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policywatch")
@click.option("--log-level", default="WARNING", show_default=True,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False))
def cli(log_level: str) -> None:
    """Watch government pages on future-industry policy and publish feeds of new or changed plans."""
    logging.basicConfig(level=log_level.upper(), format="%(levelname)s %(name)s: %(message)s")


SUMMARY_COLUMNS = ("fetched", "new", "changed", "unchanged", "errors", "missing", "removed", "restored")


def format_summaries(summaries: list[dict[str, Any]]) -> str:
    width = max([len("source"), *(len(str(s.get("source", ""))) for s in summaries)])
    lines = [f"{'source':<{width}}  " + "  ".join(f"{c:>9}" for c in SUMMARY_COLUMNS) + "  status"]
    for s in summaries:
        counts = "  ".join(f"{s.get(c, 0) or 0:>9}" for c in SUMMARY_COLUMNS)
        lines.append(f"{s.get('source', '?'):<{width}}  {counts}  {s.get('status', '')}")
    return "\n".join(lines)


def crawl_sources(sources_path: str, db_path: str, names: tuple[str, ...] = (),
                  settings: dict[str, Any] | None = None, log_level: str = "WARNING") -> list[dict[str, Any]]:
    """Validate config and archive up front (clear errors), then crawl in a child process."""
    from crawlers.runner import CrawlError, run_crawl  # lazy: Scrapy stays out of other commands

    try:
        load_sources(sources_path, names)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    open_archive(db_path).close()
    try:
        return run_crawl(sources_path, db_path, names, settings=settings, log_level=log_level)
    except CrawlError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@sources_option
@db_option
@click.option("--source", "names", multiple=True, help="Crawl only this source (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the summaries as JSON lines.")
@settings_option("the crawl")
@click.pass_context
def crawl(ctx: click.Context, sources_path: str, db_path: str, names: tuple[str, ...], as_json: bool,
          settings: dict[str, str]) -> None:
    """Crawl every source once (or only --source NAME) and archive what changed.

    Example: policywatch crawl --sources sources.yaml --db archive.db --source gd-policy --set DOWNLOAD_DELAY=2
    """
    log_level = ctx.parent.params.get("log_level", "WARNING") if ctx.parent else "WARNING"
    summaries = crawl_sources(sources_path, db_path, names, settings=settings, log_level=log_level)
    if as_json:
        for summary in summaries:
            click.echo(json.dumps(summary, ensure_ascii=False))
    else:
        click.echo(format_summaries(summaries))


@cli.command()
@db_option
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Directory for the feeds.")
@click.option("--limit", default=DEFAULT_LIMIT, show_default=True, help="Newest events to include.")
@click.option("--link", default=FeedInfo().link, show_default=True, help="Public URL of the feeds' home.")
@coverage_option
def feed(db_path: str, out_dir: str, limit: int, link: str, coverage: bool) -> None:
    """Write OUT/rss.xml (RSS 2.0) and OUT/atom.xml (Atom 1.0) of new and changed plans and pages.

    Example: policywatch feed --db archive.db --out feeds/ --coverage
    """
    with open_archive(db_path, readonly=True) as archive:
        paths = write_feeds(archive, out_dir, limit=limit, info=FeedInfo(link=link), coverage=coverage)
    for path in paths.values():
        click.echo(str(path))


def _page(archive: Archive, url: str) -> Page:
    """The page given by URL (an old address or a non-canonical form too) or page id."""
    return find_page(archive, url)


def _page_url(archive: Archive, url: str) -> str:
    """The URL of the page given by URL (an old address or a non-canonical form too) or page id."""
    return _page(archive, url).url


def _later_events(archive: Archive, page_id: int) -> dict[int | None, list[Event]]:
    """The page's events that no version stands for (an attachment added or changed, a removal, a
    restoration, a move), by the version that was the latest when they were written."""
    events = archive.page_events(page_id)
    recording = archive.recording_events(events)
    later: dict[int | None, list[Event]] = {}
    for event in events:
        if event.id not in recording:
            later.setdefault(event.version_id, []).append(event)
    return later


@cli.command()
@click.argument("url")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
def history(url: str, db_path: str, as_json: bool) -> None:
    """List the archived versions of the page at URL (or with that page id), and under each the events
    written while it was the latest (attachments added or changed, removal, restoration, move).

    Example: policywatch history https://www.gd.gov.cn/.../post_1.html --db archive.db
    """
    with open_archive(db_path, readonly=True) as archive:
        page = _page(archive, url)
        versions = archive.versions(page.url)
        later = _later_events(archive, page.id)
    rows = [{"number": v.number, "fetched_at": v.fetched_at, "content_hash": v.content_hash,
             "title": v.title, "text_length": v.text_length,
             "later_events": [{"kind": e.kind, "created_at": e.created_at, "summary": e.summary}
                              for e in later.pop(v.id, [])]} for v in versions]
    orphans = [e for events in later.values() for e in events]  # about a page with no version left
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(f"{row['number']:>4}  {row['fetched_at']}  {row['content_hash'][:12]}  "
                   f"{row['text_length']:>7} chars  {row['title'] or ''}")
        for event in row["later_events"]:
            click.echo(f"{'':>4}  {event['created_at']}  {event['kind']}: {event['summary'] or ''}")
    for event in orphans:
        click.echo(f"{'':>4}  {event.created_at}  {event.kind}: {event.summary or ''}")


def _attachment_changes(later: dict[int | None, list[Event]], versions: dict[int, Version], from_n: int,
                        to_n: int) -> list[Event]:
    """The ``changed`` events that came with no new version (a page's attachments: monitor/attachments.py)
    between version ``from_n`` and version ``to_n`` (and after it, when it is the latest)."""
    numbers = [n for n in sorted(versions) if from_n <= n < to_n or n == to_n == max(versions)]
    return [e for n in numbers for e in later.get(versions[n].id, []) if e.kind == "changed"]


def _echo_attachment_changes(events: list[Event], color: bool) -> None:
    """Each change with the diff its event stored (what the feed showed), marked as ``diff`` marks text."""
    for event in events:
        click.echo(f"{event.created_at}  {event.summary or ''}")
        if event.diff_html:
            click.echo(render_stored_html(event.diff_html, color=color), color=color)


@cli.command()
@click.argument("url")
@db_option
@click.option("--from", "from_number", type=int, help="Old version number (default: the one before --to).")
@click.option("--to", "to_number", type=int, help="New version number (default: the latest).")
@click.option("--color/--no-color", default=None, help="Colour inline changes (default: when on a terminal).")
@click.option("--unified", is_flag=True, help="Plain unified diff of paragraphs.")
def diff(url: str, db_path: str, from_number: int | None, to_number: int | None, color: bool | None,
         unified: bool) -> None:
    """Show what changed in URL (or page id) between two archived versions (the latest two by default),
    then the changes of its attachments in that time, with the diffs their events recorded. A page whose
    only changes were its attachments' (one version) shows those.

    Example: policywatch diff https://example.gov.cn/post_1.html --db archive.db --from 1 --to 2
    """
    with open_archive(db_path, readonly=True) as archive:
        page = _page(archive, url)
        url = page.url
        versions = {v.number: v for v in archive.versions(url)}
        if not versions:
            raise click.ClickException(f"{url}: no archived versions")
        to_n = to_number or max(versions)
        from_n = from_number or max((n for n in versions if n < to_n), default=None)
        for n in (from_n, to_n):
            if n is not None and n not in versions:
                raise click.ClickException(f"{url}: no version {n} (have {', '.join(map(str, sorted(versions)))})")
        attachments = _attachment_changes(_later_events(archive, page.id), versions, from_n or to_n, to_n)
        if from_n is None:
            if not attachments:
                raise click.ClickException(f"{url}: only one version ({to_n}); nothing to compare")
            old = new = versions[to_n]
        else:
            old, new = versions[from_n], versions[to_n]
            # the list's status facts (gkmlpt is_abolished …) count, as when the crawl compared the versions
            old_meta, new_meta = archive.version_meta(old.id), archive.version_meta(new.id)
    use_color = sys.stdout.isatty() if color is None else color
    if from_n is None:
        click.echo(f"{url}\nversion {to_n} ({new.fetched_at}) is the only version; its attachments changed since:")
        _echo_attachment_changes(attachments, use_color and not unified)
        return
    from monitor.detect import comparison_text  # lazily: it loads the extraction stack

    old_text, new_text = comparison_text(old.title, old.text, old_meta), comparison_text(new.title, new.text, new_meta)
    if unified:  # a patch: the attachments' changes are no part of it
        click.echo(unified_text(old_text, new_text, old_label=f"version {from_n} ({old.fetched_at})",
                                new_label=f"version {to_n} ({new.fetched_at})"))
        return
    result = diff_sentences(old_text, new_text)
    click.echo(f"{url}\nversion {from_n} ({old.fetched_at}) → version {to_n} ({new.fetched_at}): "
               f"{result.summary()}")
    if result.changes:
        click.echo(render_text(result, color=use_color), color=use_color)
    if attachments:
        click.echo("attachments changed in that time:")
        _echo_attachment_changes(attachments, use_color)


@cli.command()
@click.option("--dir", "work_dir", default="demo-output", show_default=True, type=click.Path(file_okay=False),
              help="Where the demo archive and feeds go.")
def demo(work_dir: str) -> None:
    """Run the main job offline: serve the bundled demo site, crawl it, change it, crawl again, write feeds.

    Example: policywatch demo --dir /tmp/pw-demo
    """
    from monitor.demo import run_demo

    run_demo(Path(work_dir), echo=click.echo)


# Feature commands live in their own modules (monitor/commands/<feature>.py, each exporting click
# commands) and are attached here, one line each, so features do not collide in this file.
# -- feature commands --
from monitor.commands.sources import sources_group  # noqa: E402, I001
from monitor.commands.daemon import daemon as daemon_command, serve as serve_command, status as status_command  # noqa: E402,I001
cli.add_command(sources_group, "sources")
cli.add_command(daemon_command, "daemon")
cli.add_command(serve_command, "serve")
cli.add_command(status_command, "status")
from monitor.commands.plans import plan_command, plans_command  # noqa: E402, I001
cli.add_command(plans_command, "plans")
cli.add_command(plan_command, "plan")
from monitor.commands.query import browse_command, export_command, search_command, show_command, sql_command  # noqa: E402, I001, E501
cli.add_command(search_command, "search")
cli.add_command(show_command, "show")
cli.add_command(export_command, "export")
cli.add_command(sql_command, "sql")
cli.add_command(browse_command, "browse")
from monitor.commands.maintenance import optimize as optimize_command  # noqa: E402, I001
cli.add_command(optimize_command, "optimize")
# -- end feature commands --


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
