"""Run bookkeeping (failures in a row, runs a dead crawl left open), `policywatch status`, the feed set."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import feedparser
from click.testing import CliRunner

from monitor.cli import cli
from monitor.detect import record
from monitor.feeds import feed_slug, write_feed_set
from monitor.sources import Source
from storage import Archive
from storage.status import (
    close_abandoned_runs,
    close_unfinished_runs,
    max_run_id,
    record_failed_run,
    source_status,
)
from tests.conftest import FakeFetch, page_html

ROBOTS = "广东省发布人形机器人产业行动方案，提出到2027年培育一批人形机器人整机企业和核心零部件企业。"
QUANTUM = "合肥市出台量子科技产业发展规划，支持量子计算和量子通信企业建设中试平台与应用场景。"


def add_run(archive: Archive, source: str, status: str, started: str) -> int:
    run_id = archive.start_run(source, started)
    archive.finish_run(run_id, status=status, now=started)
    return run_id


def test_failures_in_a_row_count_back_to_the_last_success(archive: Archive) -> None:
    add_run(archive, "gd", "failed: x", "2026-01-01T00:00:00Z")
    add_run(archive, "gd", "ok", "2026-01-01T01:00:00Z")
    add_run(archive, "gd", "failed: crawl timed out after 60 s", "2026-01-01T02:00:00Z")
    add_run(archive, "gd", "stopped: daemon shutdown", "2026-01-01T03:00:00Z")
    last = add_run(archive, "gd", "failed: crawl process killed by signal 9 (SIGKILL)", "2026-01-01T04:00:00Z")
    status = source_status(archive, "gd")
    assert status.consecutive_failures == 2  # a shutdown stop is not the source's failure, nor a success
    assert status.last_run is not None and status.last_run["id"] == last and not status.running
    assert source_status(archive, "never").last_run is None


def test_runs_left_running_by_a_dead_child_are_closed_with_what_they_stored(archive: Archive,
                                                                             source: Source) -> None:
    before = max_run_id(archive)
    run_id = archive.start_run(source.name, "2026-01-01T00:00:00Z")
    record(archive, source, FakeFetch(url="http://127.0.0.1/post_1.html", body=page_html("方案", ROBOTS).encode()),
           run_id=run_id)
    other = archive.start_run("other", "2026-01-01T00:00:00Z")  # another source's crawl: not ours to close
    closed = close_unfinished_runs(archive, source.name, after_id=before, status="failed: killed",
                                   now="2026-01-01T00:01:00Z")
    assert closed == [run_id]
    run = archive.runs(source.name)[0]
    assert (run["status"], run["new"], run["finished_at"]) == ("failed: killed", 1, "2026-01-01T00:01:00Z")
    assert archive.runs("other")[0]["id"] == other and archive.runs("other")[0]["status"] == "running"
    assert close_unfinished_runs(archive, source.name, after_id=before, status="x", now="y") == []
    failed = record_failed_run(archive, "never-wrote", status="failed: gone", started_at="a", now="b")
    assert archive.runs("never-wrote")[0]["id"] == failed


def test_status_command_shows_last_run_next_run_and_failures(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    now = datetime.now(timezone.utc)
    with Archive(db) as archive:
        add_run(archive, "fresh", "ok", (now - timedelta(hours=1)).isoformat(timespec="seconds"))
        add_run(archive, "late", "failed: crawl timed out after 60 s",
                (now - timedelta(days=2)).isoformat(timespec="seconds"))
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n"
                       "  - {name: fresh, start_urls: ['http://127.0.0.1/'], allow: ['/p'], schedule: every 6h}\n"
                       "  - {name: late, start_urls: ['http://127.0.0.1/'], allow: ['/p'], schedule: '0 3 * * *'}\n"
                       "  - {name: brand-new, start_urls: ['http://127.0.0.1/'], allow: ['/p']}\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["status", "--db", str(db), "--sources", str(sources), "--json"],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = {r["source"]: r for r in json.loads(result.output)}
    assert list(rows) == ["fresh", "late", "brand-new"]
    expected_next = (now + timedelta(hours=5)).replace(microsecond=0)
    assert datetime.fromisoformat(rows["fresh"]["next_run"].replace("Z", "+00:00")) - expected_next < timedelta(
        seconds=2)
    assert rows["late"]["next_run"].endswith("(overdue)") and rows["late"]["consecutive_failures"] == 1
    assert rows["brand-new"]["next_run"] == "at daemon start" and rows["brand-new"]["schedule"] == "every 6h"
    assert rows["brand-new"]["last_run"] is None

    table = runner.invoke(cli, ["status", "--db", str(db), "--sources", str(sources)], catch_exceptions=False)
    lines = table.output.splitlines()
    assert lines[0].split()[:2] == ["source", "last"]
    assert any(line.startswith("late") and "timed out" in line and "overdue" in line for line in lines)
    without_sources = runner.invoke(cli, ["status", "--db", str(db)], catch_exceptions=False)
    assert [line.split()[0] for line in without_sources.output.splitlines()[1:]] == ["fresh", "late"]
    missing = runner.invoke(cli, ["status", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code != 0 and "no such archive" in missing.output


def test_feed_set_filters_by_source_region_and_topic(archive: Archive, tmp_path: Path) -> None:
    gd = Source(name="gd-policy", start_urls=["http://127.0.0.1/"], allow=["/p"], region="Guangdong")
    hf = Source(name="hf-policy", start_urls=["http://127.0.0.1/"], allow=["/p"], region="安徽 合肥")
    record(archive, gd, FakeFetch(url="http://127.0.0.1/gd/p1.html", body=page_html("人形机器人", ROBOTS).encode(),
                                  source="gd-policy"))
    record(archive, hf, FakeFetch(url="http://127.0.0.1/hf/p1.html", body=page_html("量子科技", QUANTUM).encode(),
                                  source="hf-policy"))
    paths = write_feed_set(archive, tmp_path / "feeds", sources=["gd-policy", "hf-policy", "quiet"])

    def links(name: str) -> list[str]:
        parsed = feedparser.parse(paths[name].read_bytes())
        assert parsed.bozo == 0 and parsed.version in ("atom10", "rss20")
        return [e.link for e in parsed.entries]

    assert sorted(links("/rss.xml")) == ["http://127.0.0.1/gd/p1.html", "http://127.0.0.1/hf/p1.html"]
    assert links("/sources/gd-policy.xml") == ["http://127.0.0.1/gd/p1.html"]
    assert links("/sources/quiet.xml") == []  # configured, nothing yet: an empty but valid feed
    assert links("/regions/guangdong.xml") == ["http://127.0.0.1/gd/p1.html"]
    hf_slug = feed_slug("安徽 合肥")
    assert hf_slug.startswith("x-") and links(f"/regions/{hf_slug}.xml") == ["http://127.0.0.1/hf/p1.html"]
    assert links("/topics/humanoid-robots.xml") == ["http://127.0.0.1/gd/p1.html"]
    assert links("/topics/quantum.xml") == ["http://127.0.0.1/hf/p1.html"]
    assert links("/topics/deep-sea.xml") == []
    assert feed_slug("Guangdong Province") == "guangdong-province"


def test_only_runs_older_than_any_crawl_can_live_are_closed_as_abandoned(archive: Archive) -> None:
    old = archive.start_run("gd", "2026-01-01T00:00:00Z")
    recent = archive.start_run("gd", "2026-01-01T05:00:00Z")
    closed = close_abandoned_runs(archive, started_before="2026-01-01T04:00:00Z", status="failed: abandoned",
                                  now="2026-01-01T06:00:00Z")
    assert closed == [old]
    assert {r["id"]: r["status"] for r in archive.runs("gd")} == {old: "failed: abandoned", recent: "running"}
