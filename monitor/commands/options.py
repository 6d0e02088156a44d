"""Options and helpers shared by the commands in monitor/cli.py and monitor/commands/*.

They live here, not in monitor/cli.py, so that a feature module never imports the CLI module that
imports it (``python -m monitor.cli`` would load that module twice and fail on the cycle).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

from monitor.urls import canonical_url
from storage import Archive, ArchiveError, Page

FC = TypeVar("FC", bound=Callable[..., object])

sources_option = click.option(
    "--sources", "sources_path", required=True, envvar="POLICYWATCH_SOURCES", show_envvar=True,
    type=click.Path(dir_okay=False), help="The sources YAML file.",
)
db_option = click.option(
    "--db", "db_path", required=True, envvar="POLICYWATCH_DB", show_envvar=True,
    type=click.Path(dir_okay=False), help="The SQLite archive file.",
)

coverage_option = click.option(
    "--coverage/--no-coverage", default=False, envvar="POLICYWATCH_FEED_COVERAGE", show_envvar=True,
    show_default=True,
    help="Also announce in the main feed each new source that names a known plan (per-plan feeds always do).",
)


def _settings(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    """``("DOWNLOAD_DELAY=2", …)`` → ``{"DOWNLOAD_DELAY": "2", …}``; a pair without ``=`` is an error
    here, not an empty setting the crawl child would choke on."""
    settings = {}
    for pair in values:
        name, equals, value = pair.partition("=")
        if not equals or not name.strip():
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE (e.g. DOWNLOAD_DELAY=2)")
        settings[name.strip()] = value
    return settings


def settings_option(what: str) -> Callable[[FC], FC]:
    """``--set NAME=VALUE`` (repeatable): a Scrapy or POLICYWATCH_* setting for ``what`` (``crawl``,
    ``daemon``, ``sources check`` share it), passed on as the ``settings`` dict."""
    return click.option("--set", "settings", multiple=True, metavar="NAME=VALUE", callback=_settings,
                        help=f"Override a Scrapy setting of {what} (repeatable), e.g. DOWNLOAD_DELAY=2.")


def open_archive(path: str, *, readonly: bool = False) -> Archive:
    """The archive, or a ClickException naming the file and the problem."""
    try:
        return Archive(path, readonly=readonly)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None


def find_page(archive: Archive, ref: str) -> Page:
    """The page a command names by URL or page id, or a ClickException.

    The URL may be an old address of a moved page, or written with a fragment or tracking parameters:
    every command that takes a page looks it up here, so they all accept the same addresses.
    """
    page = archive.find_page(ref, canonical=canonical_url)
    if page is None:
        raise click.ClickException(f"{ref}: not in the archive {archive.path}")
    return page
