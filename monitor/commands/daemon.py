"""``policywatch daemon``, ``serve`` and ``status``: thin click layers over monitor.daemon / monitor.serve."""
from __future__ import annotations

import json
import logging
import logging.handlers
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from monitor.commands.options import coverage_option, db_option, open_archive, settings_option, sources_option
from monitor.feeds import FeedInfo
from monitor.schedule import DEFAULT_SCHEDULE, parse_duration, parse_schedule
from monitor.sources import ConfigError, Source, load_sources
from storage.status import last_started, source_statuses

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LEVELS = click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False)


def configure_logging(level: str, log_file: str | None) -> None:
    """Log to stderr and, with ``--log-file``, to a file rotated at 10 MB (5 kept)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    formatter = logging.Formatter(LOG_FORMAT)
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if log_file:
        handlers.append(logging.handlers.RotatingFileHandler(log_file, maxBytes=10_000_000, backupCount=5,
                                                             encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(level.upper())


def _seconds(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value) if value.replace(".", "", 1).isdigit() else parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if param.name in ("timeout", "stop_grace") and seconds <= 0:
        raise click.BadParameter("must be more than zero")
    return seconds


def _schedule_text(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        parse_schedule(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


def _bind(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, int] | None:
    from monitor.serve import parse_bind

    if value is None:
        return None
    try:
        return parse_bind(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


feeds_option = click.option("--feeds", "feeds_dir", required=True, type=click.Path(file_okay=False),
                            envvar="POLICYWATCH_FEEDS", show_envvar=True, help="Directory of the feed files.")
default_schedule_option = click.option(
    "--default-schedule", default=DEFAULT_SCHEDULE, show_default=True, callback=_schedule_text,
    help="Schedule of sources without a `schedule:` key.")


@click.command()
@sources_option
@db_option
@feeds_option
@click.option("--serve", "serve_bind", callback=_bind, metavar="HOST:PORT",
              help="Also serve the feeds and /health over HTTP (e.g. 127.0.0.1:8080).")
@default_schedule_option
@click.option("--timeout", default="1h", show_default=True, callback=_seconds,
              help="Longest a crawl may run before it is killed and recorded as failed (source `timeout:` wins).")
@click.option("--misfire-grace", default="1h", show_default=True, callback=_seconds,
              help="A run missed while the daemon was down still runs (once) at start-up if at most this late.")
@click.option("--jitter", default="30s", show_default=True, callback=_seconds,
              help="Random delay of each run, at most this (and a tenth of the source's period).")
@click.option("--stop-grace", default="5s", show_default=True, callback=_seconds,
              help="Time a stopped crawl gets to finish its current page before it is killed.")
@click.option("--max-parallel", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Crawls of different sources running at the same time (one writer at a time is safest).")
@click.option("--memory-limit", default=2048, show_default=True, type=click.IntRange(0),
              help="MB a crawl may use before Scrapy stops it (MEMUSAGE_LIMIT_MB; 0: no limit).")
@click.option("--optimize-every", default="1d", show_default=True, callback=_seconds,
              help="How often to merge the search index and refresh statistics (policywatch optimize); 0: never.")
@click.option("--link", default=FeedInfo().link, show_default=True, help="Public URL of the feeds' home.")
@coverage_option
@click.option("--log-file", type=click.Path(dir_okay=False), help="Also log to this file (rotated at 10 MB).")
@click.option("--log-level", default="INFO", show_default=True, type=LEVELS, help="Daemon log level.")
@settings_option("the crawls")
def daemon(sources_path: str, db_path: str, feeds_dir: str, serve_bind: tuple[str, int] | None,
           default_schedule: str, timeout: float, misfire_grace: float, jitter: float, stop_grace: float,
           max_parallel: int, memory_limit: int, optimize_every: float, link: str, coverage: bool,
           log_file: str | None, log_level: str,
           settings: dict[str, str]) -> None:
    """Crawl every source on its schedule, regenerate the feeds after each run, until SIGTERM.

    SIGHUP reloads the sources file (an invalid one is rejected and the old schedule kept).

    Example: policywatch daemon --sources sources.yaml --db archive.db --feeds feeds/ --serve 127.0.0.1:8080
    """
    from monitor.daemon import Daemon, DaemonError, DaemonOptions
    from monitor.serve import FeedServer

    configure_logging(log_level, log_file)
    settings = {"MEMUSAGE_LIMIT_MB": str(memory_limit), **settings}
    options = DaemonOptions(
        sources_path=Path(sources_path), db_path=Path(db_path), feeds_dir=Path(feeds_dir),
        default_schedule=default_schedule, timeout=timeout, stop_grace=stop_grace, misfire_grace=misfire_grace,
        jitter=jitter, max_parallel=max_parallel, crawl_settings=settings, feed_info=FeedInfo(link=link),
        optimize_every=optimize_every, feed_coverage=coverage)
    open_archive(db_path).close()  # a clear error now, not in the first job
    server = None
    if serve_bind is not None:
        try:
            server = FeedServer(feeds_dir, db_path, serve_bind).start()
        except OSError as exc:
            raise click.ClickException(f"cannot serve on {serve_bind[0]}:{serve_bind[1]}: {exc}") from None
    try:
        Daemon(options).run()
    except (ConfigError, DaemonError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if server is not None:
            server.stop()


@click.command()
@db_option
@feeds_option
@click.option("--bind", "bind", default="127.0.0.1:8080", show_default=True, callback=_bind, metavar="HOST:PORT",
              help="Address to listen on (127.0.0.1 keeps it local; put a reverse proxy in front for TLS).")
@click.option("--log-level", default="INFO", show_default=True, type=LEVELS)
def serve(db_path: str, feeds_dir: str, bind: tuple[str, int], log_level: str) -> None:
    """Serve the feed files and /health over HTTP, read-only, until SIGTERM or SIGINT (then exit 0).

    Example: policywatch serve --db archive.db --feeds feeds/ --bind 127.0.0.1:8080
    """
    from monitor.serve import FeedServer, served_paths

    configure_logging(log_level, None)
    open_archive(db_path, readonly=True).close()
    try:
        server = FeedServer(feeds_dir, db_path, bind)
    except OSError as exc:
        raise click.ClickException(f"cannot serve on {bind[0]}:{bind[1]}: {exc}") from None
    click.echo(f"Serving {feeds_dir} at {server.url}/ ({', '.join(served_paths())})", err=True)
    server.serve_until_signalled()


def _next_run(source: Source | None, default: str, last: str | None, now: datetime) -> str | None:
    if source is None:
        return None
    schedule = parse_schedule(source.schedule or default)
    if last is None:
        return "at daemon start"
    due = schedule.next_after(datetime.fromisoformat(last.replace("Z", "+00:00")))
    text = due.isoformat(timespec="seconds").replace("+00:00", "Z")
    return f"{text} (overdue)" if due <= now else text


def status_rows(db_path: str, sources_path: str | None, default_schedule: str) -> list[dict[str, Any]]:
    configured: dict[str, Source] = {}
    if sources_path:
        try:
            configured = {s.name: s for s in load_sources(sources_path)}
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
    now = datetime.now(timezone.utc)
    rows = []
    with open_archive(db_path, readonly=True) as archive:
        names = list(configured) if configured else None
        for status in source_statuses(archive, names):
            row = status.as_dict()
            source = configured.get(status.source)
            row["schedule"] = (source.schedule or default_schedule) if source else None
            row["next_run"] = _next_run(source, default_schedule, last_started(archive, status.source), now)
            rows.append(row)
    return rows


@click.command()
@db_option
@click.option("--sources", "sources_path", type=click.Path(dir_okay=False), envvar="POLICYWATCH_SOURCES",
              help="The sources YAML file (for the next scheduled runs).")
@default_schedule_option
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
def status(db_path: str, sources_path: str | None, default_schedule: str, as_json: bool) -> None:
    """Per source: last run and its result, next scheduled run, failures in a row.

    Example: policywatch status --db archive.db --sources sources.yaml
    """
    rows = status_rows(db_path, sources_path, default_schedule)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no runs yet")
        return
    width = max(len("source"), *(len(r["source"]) for r in rows))
    click.echo(f"{'source':<{width}}  {'last run':<20}  {'pages':>5} {'new':>4} {'chg':>4} {'err':>4}  "
               f"{'fails':>5}  {'next run':<30}  result")
    for row in rows:
        run = row["last_run"] or {}
        click.echo(f"{row['source']:<{width}}  {run.get('started_at') or 'never':<20}  "
                   f"{run.get('fetched') or 0:>5} {run.get('new') or 0:>4} {run.get('changed') or 0:>4} "
                   f"{run.get('errors') or 0:>4}  {row['consecutive_failures']:>5}  {row['next_run'] or '-':<30}  "
                   f"{'running; last: ' if row['running'] else ''}{run.get('status') or '-'}")
