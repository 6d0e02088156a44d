"""Archive upkeep: ``policywatch optimize`` and the daemon's daily job merge the search index."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import cli
from monitor.daemon import UPKEEP_JOB, Daemon, DaemonOptions, iso
from storage import Archive
from storage.maintenance import index_segments

TOPICS = ["量子计算", "人形机器人", "氢能", "脑机接口", "低空经济", "深海装备"]


def fill(path: Path, pages: int = 24, versions: int = 3) -> None:
    """Many small commits, as crawls make them: each leaves the search index another segment."""
    with Archive(path) as archive:
        for number in range(versions):
            for page in range(pages):
                topic = TOPICS[page % len(TOPICS)]
                archive.add_version(
                    run_id=None, source="s", region=None, url=f"http://127.0.0.1/p/{page}.html",
                    fetched_at=f"2026-11-0{number + 1}T00:00:00Z", status=200, raw_html=b"<p>x</p>",
                    elapsed_ms=1.0, content_hash=f"h{page}-{number}", title=f"{topic}行动方案 {page}",
                    text=f"到2030年，{topic}产业规模达到{100 + number}亿元。第{page}号文件，第{number}版。",
                    published=None, language="zh", relevant=True, event_kind="new" if number == 0 else "changed",
                    summary=None, excerpt=None, diff_html=None)


def test_optimize_command_merges_the_index_and_search_still_finds_the_latest_text(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    fill(db)
    with Archive(db) as archive:
        assert index_segments(archive) > 1
    result = CliRunner().invoke(cli, ["optimize", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "search index segments" in result.output and "-> 1," in result.output
    with Archive(db) as archive:
        assert index_segments(archive) == 1
    found = CliRunner().invoke(cli, ["search", "氢能", "--db", str(db), "--json"])
    assert found.exit_code == 0, found.output
    assert found.output.count("http://127.0.0.1/p/") == 4  # pages 2, 8, 14, 20: their newest text only
    assert "102亿元" in found.output or "102" in found.output


def test_optimize_vacuum_and_a_missing_archive(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    fill(db, pages=6, versions=2)
    result = CliRunner().invoke(cli, ["optimize", "--db", str(db), "--vacuum"])
    assert result.exit_code == 0 and "(vacuumed)" in result.output
    with Archive(db) as archive:
        assert archive.db.execute("pragma integrity_check").fetchone()[0] == "ok"


def test_the_daemon_schedules_the_upkeep_and_runs_it(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    fill(db)
    now = datetime.now(timezone.utc)
    with Archive(db) as archive:  # crawled an hour ago: no crawl is due while the test runs
        run = archive.start_run("daily", iso(now - timedelta(hours=1)))
        archive.finish_run(run, status="ok", now=iso(now - timedelta(hours=1)))
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  - {name: daily, start_urls: ['http://127.0.0.1:9/'], allow: ['/p'], "
                       "schedule: 'every 1d'}\n", encoding="utf-8")
    daemon = Daemon(DaemonOptions(sources_path=sources, db_path=db, feeds_dir=tmp_path / "feeds", jitter=0,
                                  optimize_every=6 * 3600))
    daemon.run_source = lambda name: []  # type: ignore[method-assign,assignment]  # never crawl here
    daemon.start()
    try:
        job = daemon.scheduler.get_job(UPKEEP_JOB)
        assert job is not None
        assert abs((job.next_run_time - (now + timedelta(hours=6))).total_seconds()) < 60
        daemon.optimize()
    finally:
        daemon.stop()
    with Archive(db) as archive:
        assert index_segments(archive) == 1


def test_no_upkeep_job_when_turned_off(tmp_path: Path) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  - {name: s, start_urls: ['http://127.0.0.1:9/'], allow: ['/p'], "
                       "schedule: 'every 1d'}\n", encoding="utf-8")
    Archive(tmp_path / "a.db").close()
    daemon = Daemon(DaemonOptions(sources_path=sources, db_path=tmp_path / "a.db", feeds_dir=tmp_path / "feeds",
                                  optimize_every=0))
    daemon.run_source = lambda name: []  # type: ignore[method-assign,assignment]
    daemon.start()
    try:
        assert daemon.scheduler.get_job(UPKEEP_JOB) is None
    finally:
        daemon.stop()
