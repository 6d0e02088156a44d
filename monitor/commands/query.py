"""Commands that read the archive: search, show, export, sql, browse. All open it read-only."""
from __future__ import annotations

import importlib.util
import json
import shlex
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click
import yaml

import storage
from monitor.commands.options import find_page
from storage import Archive, ArchiveError
from storage.export import FORMATS, WHAT, ExportError, export_rows, write_export
from storage.readonly import DEFAULT_TIME_LIMIT_S, QueryError, connect_readonly, run_query
from storage.search import ORDERS, SearchError, search

DATASETTE_METADATA = Path(storage.__file__).resolve().parent / "datasette-metadata.yml"
METADATA_DATABASE = "archive"  # the database name the shipped metadata describes (archive.db)

db_option = click.option(
    "--db", "db_path", required=True, envvar="POLICYWATCH_DB", show_envvar=True,
    type=click.Path(dir_okay=False), help="The SQLite archive file.",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Output JSON.")


def _open(path: str) -> Archive:
    try:
        return Archive(path, readonly=True)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


@click.command("search")
@click.argument("query")
@db_option
@click.option("--source", help="Only pages of this source id.")
@click.option("--region", help="Only pages of sources in this region (case-insensitive).")
@click.option("--since", help="Only pages that last changed on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Only pages that last changed on or before this date (YYYY-MM-DD).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000), help="Most hits to show.")
@click.option("--order", type=click.Choice(list(ORDERS)), default="newest", show_default=True,
              help="newest (most recently discovered pages first) or relevance (BM25, title hits first; "
                   "slower on common terms in large archives).")
@json_option
def search_command(query: str, db_path: str, source: str | None, region: str | None, since: str | None,
                   until: str | None, limit: int, order: str, as_json: bool) -> None:
    """Full-text search over the latest text of every page and the text of its attachments (PDF, DOCX),
    with the text around each hit; a hit in an attachment names the page and the attachment.

    Terms are matched anywhere in the text (Chinese needs no spaces, German compounds are found by
    their parts), case-insensitively; every term must occur (in the page, or in one attachment);
    "double quotes" keep a phrase.

    Example: policywatch search 人形机器人 --region Guangdong --since 2026-01-01 --db archive.db
    """
    mark = ("\x1b[1;31m", "\x1b[0m") if sys.stdout.isatty() and not as_json else ("**", "**")
    with _open(db_path) as archive:
        try:
            hits = search(archive.db, query, source=source, region=region, since=since, until=until, limit=limit,
                          mark=mark, order=order)
        except SearchError as exc:
            raise click.ClickException(str(exc)) from None
    if as_json:
        _echo_json([hit.as_dict() for hit in hits])
        return
    if not hits:
        click.echo(f"no page or attachment mentions {query!r}", err=True)
    for hit in hits:
        attachment = (f"    in attachment {hit.attachment_title or '(no title)'}: {hit.attachment_url}\n"
                      if hit.attachment_url else "")
        click.echo(f"[{hit.page_id}] {hit.title or '(no title)'}\n    {hit.url}\n"
                   f"    {hit.source} · {hit.region or '-'} · changed {hit.last_changed} · "
                   f"{hit.version_count} version(s)\n{attachment}    {hit.snippet}\n")


@click.command("show")
@click.argument("page")
@db_option
@click.option("--version", "number", type=int, help="Version number (default: the latest).")
@json_option
def show_command(page: str, db_path: str, number: int | None, as_json: bool) -> None:
    """Print one archived version of PAGE (a URL or page id): its metadata, then its text.

    Example: policywatch show 42 --version 1 --db archive.db
    """
    with _open(db_path) as archive:
        found = find_page(archive, page)
        version = archive.version(found.url, number) if number else archive.latest_version(found.url)
        if version is None:
            raise click.ClickException(f"{found.url}: no version {number} (it has {found.version_count})")
    meta = {"url": found.url, "page_id": found.id, "source": found.source, "version": version.number,
            "versions": found.version_count, "fetched_at": version.fetched_at, "title": version.title,
            "published": version.published, "language": version.language, "relevant": version.relevant,
            "content_hash": version.content_hash, "text_length": version.text_length}
    if as_json:
        _echo_json({**meta, "text": version.text})
        return
    for key, value in meta.items():
        click.echo(f"{key + ':':<14}{'' if value is None else value}")
    click.echo(f"\n{version.text}")


@click.command("export")
@db_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("--what", type=click.Choice(WHAT), default="pages", show_default=True,
              help="pages (latest metadata), versions (with their text) or events (new/changed, with diffs).")
@click.option("--since", help="Only rows changed/fetched/created on or after this date or timestamp.")
@click.option("--source", help="Only rows of this source id.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False), help="Write to this file (default: stdout).")
def export_command(db_path: str, fmt: str, what: str, since: str | None, source: str | None,
                   out_path: str | None) -> None:
    """Stream pages, versions or events as CSV, JSON or JSON lines, for spreadsheets and pandas.

    Example: policywatch export --what events --format csv --since 2026-01-01 --out events.csv --db archive.db
    """
    with _open(db_path) as archive, ExitStack() as stack:
        try:
            rows = export_rows(archive.db, what, since=since, source=source)
        except ExportError as exc:
            raise click.ClickException(str(exc)) from None
        if out_path:
            out = stack.enter_context(open(out_path, "w", encoding="utf-8", newline=""))
        else:
            out = sys.stdout
        count = write_export(rows, out, fmt)
    if out_path:
        click.echo(f"{count} {what} written to {out_path}", err=True)


@click.command("sql")
@click.argument("query")
@db_option
@click.option("--param", "-p", "params", multiple=True, type=(str, str), help="Named parameter: -p name value.")
@click.option("--time-limit", default=DEFAULT_TIME_LIMIT_S, show_default=True, type=click.FloatRange(0.01),
              help="Seconds before the query is stopped.")
@json_option
def sql_command(query: str, db_path: str, params: tuple[tuple[str, str], ...], time_limit: float,
                as_json: bool) -> None:
    """Run one read-only SQL query against the archive; statements that would change it are refused.

    Output is tab-separated with a header line, or a JSON array of objects with --json.

    Example: policywatch sql "select region, count(*) from events group by region" --db archive.db
    """
    try:
        conn = connect_readonly(db_path)
    except QueryError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        result = run_query(conn, query, dict(params), time_limit_s=time_limit)
        if as_json:
            click.echo("[", nl=False)
            for n, row in enumerate(result.rows):
                record = dict(zip(result.columns, row, strict=True))
                text = json.dumps(record, ensure_ascii=False, default=_json_default)
                click.echo(("\n" if n == 0 else ",\n") + text, nl=False)
            click.echo("\n]")
        else:
            click.echo("\t".join(result.columns))
            for row in result.rows:
                click.echo("\t".join("" if v is None else _cell(v) for v in row))
    except QueryError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        conn.close()


def _json_default(value: object) -> str:
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _cell(value: object) -> str:
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return str(value).replace("\t", " ").replace("\n", " ")


def datasette_metadata_for(db_path: Path, out_dir: Path) -> Path:
    """The shipped metadata, or a copy keyed by this file's database name when it is not archive.db."""
    name = db_path.stem
    if name == METADATA_DATABASE:
        return DATASETTE_METADATA
    metadata = yaml.safe_load(DATASETTE_METADATA.read_text(encoding="utf-8"))
    metadata["databases"] = {name: metadata["databases"][METADATA_DATABASE]}
    path = out_dir / f"{name}-metadata.yml"
    path.write_text(yaml.safe_dump(metadata, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def datasette_command(db_path: Path, metadata: Path, *, host: str, port: int) -> list[str]:
    return ["datasette", str(db_path), "--metadata", str(metadata), "--host", host, "--port", str(port)]


@click.command("browse")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--print-command", is_flag=True, help="Only print the datasette command line.")
def browse_command(db_path: str, host: str, port: int, print_command: bool) -> None:
    """Open the archive in Datasette (read-only) with table descriptions, facets, search and canned queries.

    Prints the command instead when Datasette is not installed (pip install 'policywatch[datasette]').

    Example: policywatch browse --db archive.db
    """
    path = Path(db_path)
    _open(db_path).close()  # a clear error for a missing or foreign file, before starting a server
    with tempfile.TemporaryDirectory(prefix="policywatch-datasette-") as tmp:
        metadata = datasette_metadata_for(path, Path(tmp))
        command = datasette_command(path, metadata, host=host, port=port)
        installed = importlib.util.find_spec("datasette") is not None
        if print_command or not installed:
            if metadata != DATASETTE_METADATA:
                metadata = datasette_metadata_for(path, path.resolve().parent)
                command = datasette_command(path, metadata, host=host, port=port)
            if not installed:
                click.echo("Datasette is not installed (pip install 'policywatch[datasette]'); then run:", err=True)
            click.echo(shlex.join(command))
            return
        click.echo(f"Datasette on http://{host}:{port}/ (Ctrl-C stops it)", err=True)
        try:
            completed = subprocess.run([sys.executable, "-m", *command], check=False)
        except KeyboardInterrupt:
            return
    if completed.returncode not in (0, -2, 130):
        raise click.ClickException(f"datasette exited with status {completed.returncode}")
