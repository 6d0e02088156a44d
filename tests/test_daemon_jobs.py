"""The daemon's schedule in-process (no crawl is due, so none starts): restart catch-up and config reloads."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawlers.runner import CrawlError, CrawlProcess, exit_reason, parse_summaries
from monitor.daemon import ConfigError, Daemon, DaemonError, DaemonOptions, iso
from storage import Archive

ENTRY = "  - {{name: {name}, start_urls: ['http://127.0.0.1:9/'], allow: ['/p'], schedule: '{schedule}'}}\n"


def write_sources(path: Path, **schedules: str) -> None:
    path.write_text("sources:\n" + "".join(ENTRY.format(name=n, schedule=s) for n, s in schedules.items()),
                    encoding="utf-8")


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[Daemon]:
    now = datetime.now(timezone.utc)
    with Archive(tmp_path / "archive.db") as archive:
        # daily ran an hour ago: next in 23 h. hourly's slot passed 10 min ago: due now (within grace).
        # weekly's slot passed 3 days ago: beyond the grace, so it waits for its next slot.
        for name, ago in (("daily", timedelta(hours=1)), ("hourly", timedelta(minutes=70)),
                          ("weekly", timedelta(days=10)), ("added", timedelta(minutes=1))):
            run = archive.start_run(name, iso(now - ago))
            archive.finish_run(run, status="ok", now=iso(now - ago))
    sources = tmp_path / "sources.yaml"
    write_sources(sources, daily="every 1d", hourly="every 1h", weekly="every 7d")
    options = DaemonOptions(sources_path=sources, db_path=tmp_path / "archive.db", feeds_dir=tmp_path / "feeds",
                            jitter=0, misfire_grace=3600)
    daemon = Daemon(options)
    daemon.started: list[str] = []  # type: ignore[attr-defined]
    daemon.run_source = daemon.started.append  # type: ignore[method-assign,attr-defined]  # record, not crawl
    daemon.start()
    deadline = time.monotonic() + 10
    later = now + timedelta(minutes=30)
    while time.monotonic() < deadline and not (daemon.started  # type: ignore[attr-defined]
                                               and daemon.scheduler.get_job("crawl:hourly").next_run_time > later):
        time.sleep(0.05)  # the catch-up run fires at once; let it, and its next slot be set
    try:
        yield daemon
    finally:
        daemon.stop()


def near(moment: datetime | None, expected: datetime, slack: float = 5) -> bool:
    return moment is not None and abs((moment - expected).total_seconds()) <= slack


def test_start_derives_each_next_run_from_the_archive(daemon: Daemon) -> None:
    now = datetime.now(timezone.utc)
    jobs = {job.id: job for job in daemon.scheduler.get_jobs()}
    assert set(jobs) == {"crawl:daily", "crawl:hourly", "crawl:weekly", "upkeep:optimize"}
    assert near(jobs["crawl:daily"].next_run_time, now + timedelta(hours=23))
    assert daemon.started == ["hourly"]  # type: ignore[attr-defined]  # the missed slot ran once, at start
    assert near(daemon.scheduler.get_job("crawl:hourly").next_run_time, now + timedelta(hours=1))
    assert near(jobs["crawl:weekly"].next_run_time, now + timedelta(days=4))  # 10 d ago + 2 × 7 d
    for job in jobs.values():
        assert (job.max_instances, job.coalesce, job.misfire_grace_time) == (1, True, 3600)
    assert (daemon.options.feeds_dir / "sources" / "daily.xml").is_file()


def test_invalid_reload_keeps_the_old_schedule_and_a_valid_one_replaces_it(daemon: Daemon,
                                                                           caplog: pytest.LogCaptureFixture) -> None:
    before = {job.id: job.next_run_time for job in daemon.scheduler.get_jobs()}
    snapshot = daemon.snapshot_path.read_text(encoding="utf-8")
    write_sources(daemon.options.sources_path, daily="every 1d", broken="every fortnight")
    assert daemon.reload() is False
    assert "config reload rejected" in caplog.text and "source 'broken': key 'schedule'" in caplog.text
    assert {job.id: job.next_run_time for job in daemon.scheduler.get_jobs()} == before
    assert daemon.snapshot_path.read_text(encoding="utf-8") == snapshot  # crawls keep reading the old config

    write_sources(daemon.options.sources_path, daily="0 3 * * *", added="every 2h")
    assert daemon.reload() is True
    jobs = {job.id: job for job in daemon.scheduler.get_jobs()}
    assert set(jobs) == {"crawl:daily", "crawl:added", "upkeep:optimize"}  # a reload keeps the upkeep
    assert str(jobs["crawl:daily"].trigger).startswith("cron[")
    now = datetime.now(timezone.utc)
    assert near(jobs["crawl:added"].next_run_time, now + timedelta(hours=2) - timedelta(minutes=1))
    assert "added" in daemon.snapshot_path.read_text(encoding="utf-8")


def test_one_daemon_per_archive(daemon: Daemon) -> None:
    second = Daemon(daemon.options)
    with pytest.raises(DaemonError, match=rf"another policywatch daemon \(pid {os.getpid()}\) is running"):
        second.start()
    second.stop()
    assert daemon.scheduler.running  # the first one is untouched


def test_the_config_snapshot_dir_is_removed_whatever_ends_the_daemon(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(temp))
    sources = tmp_path / "sources.yaml"
    write_sources(sources, broken="every fortnight")
    options = DaemonOptions(sources_path=sources, db_path=tmp_path / "archive.db", feeds_dir=tmp_path / "feeds",
                            jitter=0)
    with pytest.raises(ConfigError):
        Daemon(options).start()  # a config error: nothing was written
    assert list(temp.iterdir()) == []

    write_sources(sources, daily="every 1d")
    first = Daemon(options)
    first.load_config()
    assert first.snapshot_path.parent.parent == temp
    second = Daemon(options)
    first._take_lock()
    with pytest.raises(DaemonError):
        second.start()  # the snapshot was written, then the lock refused: the snapshot goes
    assert [p.name for p in temp.iterdir()] == [first.snapshot_path.parent.name]
    first.stop()
    assert list(temp.iterdir()) == []


def test_crawl_process_timeout_and_exit_reasons(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    hang = CrawlProcess([sys.executable, "-c", "import time; time.sleep(60)"])
    with pytest.raises(CrawlError, match=r"timed out after 0.5 s \(killed by signal 15 \(SIGTERM\)\)"):
        hang.wait(timeout=0.5)
    ready = tmp_path / "ready"
    stubborn = CrawlProcess([sys.executable, "-c", "import pathlib, signal, sys, time\n"
                             "signal.signal(signal.SIGTERM, signal.SIG_IGN); pathlib.Path(sys.argv[1]).touch()\n"
                             "time.sleep(60)", str(ready)])
    deadline = time.monotonic() + 60
    while not ready.exists():  # the child ignores SIGTERM from here on
        assert time.monotonic() < deadline, "child never got ready"
        time.sleep(0.01)
    with pytest.raises(CrawlError, match=r"timed out .*SIGKILL"):
        stubborn.wait(timeout=0.2, grace=0.5)
    crash = CrawlProcess([sys.executable, "-c", "raise SystemExit(3)"])
    with pytest.raises(CrawlError, match="exited with status 3"):
        crash.wait(timeout=30)
    done = CrawlProcess([sys.executable, "-c", "print('log line'); print('{\"source\": \"a\", \"new\": 1}')"])
    assert done.wait(timeout=30) == [{"source": "a", "new": 1}]
    noisy = CrawlProcess([sys.executable, "-c", "import sys; sys.stderr.write('[scrapy] WARNING: 你好\\n')"],
                         log_as="crawl.noisy")
    assert noisy.wait(timeout=30) == []
    assert [(r.name, r.getMessage()) for r in caplog.records if r.name == "crawl.noisy"] == [
        ("crawl.noisy", "[scrapy] WARNING: 你好")]
    assert exit_reason(-9) == "killed by signal 9 (SIGKILL)"
    assert parse_summaries('{"a": 1}\n{broken\nnoise') == [{"a": 1}]


def test_daemon_refuses_to_start_on_a_bad_config(tmp_path: Path) -> None:
    sources = tmp_path / "sources.yaml"
    write_sources(sources, ok="every 1h", bad="*/5 * * *")
    command = [sys.executable, "-m", "monitor", "daemon", "--sources", str(sources),
               "--db", str(tmp_path / "archive.db"), "--feeds", str(tmp_path / "feeds")]
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(command, cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1
    assert f"{sources}:3: source 'bad': key 'schedule': not a schedule '*/5 * * *'" in result.stderr


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--timeout", "0", "must be more than zero"),
    ("--jitter", "soon", "not a duration 'soon'"),
    ("--serve", "localhost", "use HOST:PORT"),
    ("--default-schedule", "hourly", "not a schedule 'hourly'"),
])
def test_daemon_options_are_checked_before_anything_starts(tmp_path: Path, option: str, value: str,
                                                           message: str) -> None:
    from click.testing import CliRunner

    from monitor.cli import cli

    result = CliRunner().invoke(cli, ["daemon", "--sources", str(tmp_path / "s.yaml"), "--db", str(tmp_path / "a.db"),
                                      "--feeds", str(tmp_path / "feeds"), option, value])
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "a.db").exists()
