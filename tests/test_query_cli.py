from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.commands.query import DATASETTE_METADATA
from tests.archive_samples import BJ_BCI, DE_HYDROGEN, GD_OCEAN, SAMPLES, build_sample_archive


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample_archive(tmp_path_factory.mktemp("cli") / "archive.db")


def run(*args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert (result.exit_code == 0) is ok, result.output
    return result.output


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_search_prints_hits_with_snippets_and_json(sample_db: Path) -> None:
    out = run("search", "脑机接口", "--db", str(sample_db))
    assert BJ_BCI in out and "**脑机接口**" in out and "Beijing" in out
    hits = json.loads(run("search", "Wasserstoff", "--json", "--db", str(sample_db)))
    assert [h["url"] for h in hits] == [DE_HYDROGEN]
    assert json.loads(run("search", "海洋", "--region", "Beijing", "--json", "--db", str(sample_db))) == []
    assert "is not a date" in run("search", "海洋", "--since", "last week", "--db", str(sample_db), ok=False)


def test_history_diff_and_show_accept_a_page_id(sample_db: Path) -> None:
    page_id = run("sql", "select id from pages where url = :u", "-p", "u", GD_OCEAN, "--db", str(sample_db))
    page_id = page_id.splitlines()[1]
    assert run("history", page_id, "--db", str(sample_db)) == run("history", GD_OCEAN, "--db", str(sample_db))
    assert len(run("history", page_id, "--db", str(sample_db)).splitlines()) == 3
    diff = run("diff", page_id, "--from", "1", "--to", "3", "--no-color", "--db", str(sample_db))
    assert diff.startswith(GD_OCEAN) and "[-深海装备和-]" in diff
    shown = run("show", page_id, "--version", "1", "--db", str(sample_db))
    assert "version:      1" in shown and "（征求意见稿）" in shown and "深海装备" in shown
    latest = json.loads(run("show", GD_OCEAN, "--json", "--db", str(sample_db)))
    assert latest["version"] == 3 and "合成生物" in latest["text"] and latest["page_id"] == int(page_id)
    assert "no version 9" in run("show", page_id, "--version", "9", "--db", str(sample_db), ok=False)
    assert "not in the archive" in run("show", "99999", "--db", str(sample_db), ok=False)


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_export_every_format_round_trips(sample_db: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"versions.{fmt}"
    run("export", "--what", "versions", "--format", fmt, "--out", str(out), "--db", str(sample_db))
    text = out.read_text(encoding="utf-8")
    if fmt == "csv":
        records = list(csv.DictReader(io.StringIO(text)))
    elif fmt == "json":
        records = json.loads(text)
    else:
        records = [json.loads(line) for line in text.splitlines()]
    assert len(records) == len(SAMPLES)
    ocean = [r for r in records if r["url"] == GD_OCEAN]
    assert [int(r["number"]) for r in ocean] == [1, 2, 3]
    assert "深海装备" in ocean[0]["text"] and "深海装备" not in ocean[2]["text"]


def test_export_filters_and_streams_to_stdout(sample_db: Path) -> None:
    events = [json.loads(line) for line in run("export", "--what", "events", "--format", "jsonl",
                                               "--since", "2026-03-01", "--db", str(sample_db)).splitlines()]
    assert [(e["kind"], e["url"]) for e in events] == [("changed", GD_OCEAN), ("changed", GD_OCEAN), ("new", BJ_BCI)]
    pages = list(csv.DictReader(io.StringIO(run("export", "--source", "de-news", "--db", str(sample_db)))))
    assert [(p["url"], p["region"]) for p in pages] == [(DE_HYDROGEN, "Guangzhou")]
    assert json.loads(run("export", "--format", "json", "--source", "nobody", "--db", str(sample_db))) == []


def test_sql_reads_and_refuses_writes_with_a_clear_error(sample_db: Path) -> None:
    before = digest(sample_db)
    rows = json.loads(run("sql", "select kind, count(*) as n from events group by kind order by kind", "--json",
                          "--db", str(sample_db)))
    assert rows == [{"kind": "changed", "n": 2}, {"kind": "new", "n": 5}]
    for statement in ("delete from pages", "update pages set title = 'x'", "drop table events",
                      "insert into sources (name) values ('x')", "create table t (x)"):
        out = run("sql", statement, "--db", str(sample_db), ok=False)
        assert "opened read-only" in out and "would change it" in out
    for sneaky in ("pragma query_only = 0", "pragma main.journal_mode = delete", "pragma user_version = 7",
                   f"attach '{sample_db.parent / 'other.db'}' as other"):
        assert "opened read-only" in run("sql", sneaky, "--db", str(sample_db), ok=False)
    # pragmas that take a table name read the schema: allowed, as a statement and as a table-valued function
    columns = json.loads(run("sql", "select name from pragma_table_info('versions') order by cid", "--json",
                             "--db", str(sample_db)))
    assert {"page_id", "number"} <= {c["name"] for c in columns}
    assert "page_id" in run("sql", "pragma table_info(versions)", "--db", str(sample_db))
    missing_table = run("sql", "select * from no_such_table", "--db", str(sample_db), ok=False)
    assert "SQL error: no such table: no_such_table" in missing_table
    assert digest(sample_db) == before


def test_sql_time_limit_stops_a_runaway_query(sample_db: Path) -> None:
    endless = "with recursive n(x) as (select 1 union all select x + 1 from n) select count(*) from n"
    out = run("sql", endless, "--time-limit", "0.2", "--db", str(sample_db), ok=False)
    assert "time limit of 0.2 s" in out


def test_read_commands_never_create_or_change_files(tmp_path: Path, sample_db: Path) -> None:
    missing = tmp_path / "missing.db"
    for command in ("search", "show"):
        assert "no such archive" in run(command, "x", "--db", str(missing), ok=False)
    assert "no such archive" in run("sql", "select 1", "--db", str(missing), ok=False)
    assert not missing.exists()


def test_browse_prints_the_datasette_command(sample_db: Path, tmp_path: Path) -> None:
    out = run("browse", "--print-command", "--db", str(sample_db))
    assert out.split()[:4] == ["datasette", str(sample_db), "--metadata", str(DATASETTE_METADATA)]
    renamed = tmp_path / "policies.db"
    renamed.write_bytes(sample_db.read_bytes())
    out = run("browse", "--print-command", "--db", str(renamed))
    metadata = Path(out.split()[3])
    assert metadata.exists() and "policies:" in metadata.read_text(encoding="utf-8")
