"""``policywatch sources list`` and ``policywatch sources check NAME``: see and test the configured sources."""
from __future__ import annotations

import json
from typing import Any

import click

from monitor.commands.options import settings_option, sources_option
from monitor.sources import ConfigError, Source, load_sources


@click.group(name="sources")
def sources_group() -> None:
    """List the configured sources, or check that one still matches its live site."""


def _load(sources_path: str, names: tuple[str, ...] = ()) -> list[Source]:
    try:
        return load_sources(sources_path, names)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@sources_group.command(name="list")
@sources_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per source.")
def list_sources(sources_path: str, as_json: bool) -> None:
    """Show every source with its kind, region, schedule and start URLs.

    Example: policywatch sources list --sources sources.yaml
    """
    for source in _load(sources_path):
        if as_json:
            click.echo(json.dumps(source.to_dict(exclude_defaults=True), ensure_ascii=False))
            continue
        extra = [f"{len(source.sitemap_urls)} sitemap(s)"] if source.sitemap_urls else []
        extra += [f"{len(source.feed_urls)} feed(s)"] if source.feed_urls else []
        click.echo(f"{source.name:<24} {source.kind:<17} {source.region or '-':<10} {source.schedule or '-':<16} "
                   f"{source.title or ''}")
        for url in source.start_urls:
            click.echo(f"{'':<24} {url}")
        if extra:
            click.echo(f"{'':<24} + {', '.join(extra)}")


@sources_group.command(name="check")
@click.argument("name")
@sources_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--start-url", metavar="URL|N",
              help="Check this start URL of the source (the URL, or its number from 1) instead of the first.")
@settings_option("this check")
@click.option("--timeout", default=120.0, show_default=True, help="Seconds before the check is abandoned.")
def check_source(name: str, sources_path: str, as_json: bool, start_url: str | None, settings: dict[str, str],
                 timeout: float) -> None:
    """Fetch one list page and one article of source NAME and report what matched.

    Live layouts drift: run this after editing a source and whenever a source suddenly finds nothing.
    It prints, per list page, the HTTP status, the links found and how many matched `allow` (articles)
    and how many further list pages were found; the warnings logged meanwhile (a JSON path or selector
    that found nothing, a fetch or callback error); for the first article, its status, extracted title,
    date, text length, the facts and meta found, and its opening, with a warning when `content_css`
    matched nothing (or only elements without text) or the text is empty. When no article was found,
    it says why (the list page did not answer, gave no links, or no link matched `allow`).
    Nothing is written to your archive. Exits with status 1 when no article was found, it looks wrong,
    or a warning was logged.

    Example: policywatch sources check ndrc-zcfb --sources sources.yaml --start-url 2
    """
    from crawlers.check import pick_start_url, run_check  # lazy: Scrapy stays out of other commands
    from crawlers.runner import CrawlError

    (source,) = _load(sources_path, (name,))
    try:
        pick_start_url(source, start_url)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        report = run_check(sources_path, name, settings=settings, timeout=timeout, start_url=start_url)
    except CrawlError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(json.dumps(report, ensure_ascii=False, indent=2) if as_json else format_check(report))
    if check_failed(report):
        raise SystemExit(1)


WARNING_LEVELS = ("WARNING", "ERROR", "CRITICAL")


def check_failed(report: dict[str, Any]) -> bool:
    """No article, an article that looks wrong, or a warning logged on the way (it names a problem)."""
    article = report.get("article")
    return not article or bool(article.get("warnings")) \
        or any(entry.get("level") in WARNING_LEVELS for entry in report.get("log") or [])


def format_check(report: dict[str, Any]) -> str:
    lines = [f"source {report['source']} (kind {report['kind']})"]
    for listing in report.get("listings", []):
        lines.append(_listing_line(listing))
        lines += [f"           article: {url}" for url in listing.get("article_urls", [])]
        lines += [f"           list page: {url}" for url in listing.get("list_page_urls", [])]
    for entry in report.get("log") or []:
        label = "note" if entry.get("level") not in WARNING_LEVELS else entry["level"].lower()
        lines.append(f"{label}: {entry['message']}")
    if report.get("log_dropped"):
        lines.append(f"… and {report['log_dropped']} more log lines")
    article = report.get("article")
    if not article:
        reason = report.get("reason") or "no link matched `allow` (check the allow regex and the kind)"
        lines.append(f"article  none found: {reason}")
        return "\n".join(lines)
    lines.append(f"article  {article['url']}  HTTP {article.get('status')}")
    if article.get("title") is not None or article.get("text_length"):
        lines.append(f"  title:   {article.get('title')}")
        if article.get("published"):
            lines.append(f"  date:    {article['published']}")
        lines.append(f"  text:    {article.get('text_length', 0)} characters")
        lines += [f"  fact:    {key}: {_short(value)}" for key, value in (article.get("facts") or {}).items()
                  if key != "published"]
        lines.append(f"  opening: {' '.join((article.get('opening') or '').split())}")
    lines += [f"  meta:    {key}: {_short(value)}" for key, value in (article.get("meta") or {}).items()]
    lines += [f"warning: {warning}" for warning in article.get("warnings", [])]
    return "\n".join(lines)


def _short(value: Any, limit: int = 120) -> str:
    """One line of a fact or meta value (lists and objects as compact JSON), cut at ``limit`` characters."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _listing_line(listing: dict[str, Any]) -> str:
    status = f"HTTP {listing['status']}" if listing.get("status") is not None else "no answer"
    head = f"{listing['role']:<8} {listing['url']}  {status}"
    if listing.get("error"):
        return f"{head}  {listing['error']}"
    anchors = f"  anchors {listing['anchors']}" if listing.get("anchors") is not None else ""
    return (f"{head}{anchors}  links {listing['links']}  matched allow {listing['allow']}  "
            f"list pages {listing['list_pages']}")
