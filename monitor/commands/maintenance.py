"""``policywatch optimize``: the archive upkeep the daemon does daily, on demand (see storage/maintenance.py)."""
from __future__ import annotations

import click

from monitor.commands.options import db_option, open_archive


@click.command()
@db_option
@click.option("--vacuum", is_flag=True, help="Also rewrite the file to return freed space (slow on big archives; "
                                              "needs free disk space the size of the archive).")
def optimize(db_path: str, vacuum: bool) -> None:
    """Merge the full-text index, refresh SQLite's statistics and (with --vacuum) shrink the file."""
    from storage.maintenance import optimize_archive

    with open_archive(db_path) as archive:
        report = optimize_archive(archive, vacuum=vacuum)
    click.echo(f"{db_path}: search index segments {report.index_segments_before} -> {report.index_segments_after}, "
               f"{report.bytes_before / 1e6:.1f} MB -> {report.bytes_after / 1e6:.1f} MB "
               f"in {report.seconds:.1f} s{' (vacuumed)' if report.vacuumed else ''}")
