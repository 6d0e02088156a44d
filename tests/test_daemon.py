"""The daemon as a user runs it: a real process, real crawl children, a real site and real HTTP.

The demo site is served on 127.0.0.1 behind a gate: closing the gate makes requests under ``/en/``
hang, which is how a crawl is caught in the act (to be killed, or to time out). Every wait polls a
condition with a deadline; nothing depends on how long a crawl happens to take.
"""
from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest

from monitor.demo import write_demo_sources
from monitor.siteserver import SiteServer
from tests.conftest import DEMO_SITE, wait_for

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


class GatedSite(SiteServer):
    """The demo site, except that requests under ``gated_prefix`` wait while the gate is closed."""

    def __init__(self, root: Path, gated_prefix: str) -> None:
        super().__init__(root)
        self.gated_prefix = gated_prefix
        self.gate = threading.Event()
        self.gate.set()
        self.waiting = 0
        self._count = threading.Lock()

    def resolve(self, request_path: str) -> Path | None:
        if request_path.startswith(self.gated_prefix) and not self.gate.is_set():
            with self._count:
                self.waiting += 1
            self.gate.wait(60)
        return super().resolve(request_path)


def query(db: Path, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if not db.exists():
        return []
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def runs(db: Path, source: str) -> list[tuple[int, str]]:
    return [(int(r[0]), r[1]) for r in query(db, "select id, status from runs where source = ? order by id",
                                             (source,))]


def http_get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


SOURCES_EXTRA = {"gd-demo": 'schedule: "every 1s"', "en-demo": 'schedule: "every 1s"\n    timeout: "6s"'}


@pytest.fixture
def daemon_setup(tmp_path: Path) -> Iterator[dict[str, Any]]:
    with GatedSite(DEMO_SITE / "state1", "/en/") as site:
        sources = write_demo_sources(DEMO_SITE / "sources.yaml", site.base_url, tmp_path / "sources.yaml")
        # Keep two sources and give them second-scale schedules.
        text = sources.read_text(encoding="utf-8").split("  - name: de-demo")[0]
        text = text.replace('schedule: "0 */6 * * *"', SOURCES_EXTRA["gd-demo"])
        text = text.replace('schedule: "every 2h"', SOURCES_EXTRA["en-demo"])
        sources.write_text(text, encoding="utf-8")
        log = tmp_path / "daemon.log"
        command = [sys.executable, "-m", "monitor", "daemon",
                   "--sources", str(sources), "--db", str(tmp_path / "archive.db"), "--feeds", str(tmp_path / "feeds"),
                   "--serve", "127.0.0.1:0", "--log-file", str(log), "--log-level", "INFO",
                   "--jitter", "0", "--stop-grace", "2s",
                   "--set", "AUTOTHROTTLE_ENABLED=False", "--set", "DOWNLOAD_DELAY=0", "--set", "RETRY_ENABLED=False"]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
        try:
            yield {"site": site, "process": process, "log": log, "db": tmp_path / "archive.db",
                   "sources": sources}
        finally:
            site.gate.set()
            if process.poll() is None:
                process.kill()
                process.wait(10)


def log_text(log: Path) -> str:
    return log.read_text(encoding="utf-8") if log.exists() else ""


def test_daemon_crawls_on_schedule_survives_killed_and_hung_crawls_and_stops_cleanly(
        daemon_setup: dict[str, Any]) -> None:
    site: GatedSite = daemon_setup["site"]
    process: subprocess.Popen[bytes] = daemon_setup["process"]
    db: Path = daemon_setup["db"]
    log: Path = daemon_setup["log"]

    match = wait_for("the feed server", lambda: re.search(r"serving feeds at (http://127\.0\.0\.1:\d+)/",
                                                          log_text(log)), 30)
    base = match.group(1)

    # Two scheduled crawls of each source, all fine.
    for source in ("gd-demo", "en-demo"):
        wait_for(f"two ok runs of {source}", lambda s=source: len([r for r in runs(db, s) if r[1] == "ok"]) >= 2)
    status, headers, body = http_get(f"{base}/sources/gd-demo.xml")
    assert status == 200 and headers["Content-Type"].startswith("application/atom+xml")
    assert not any(e.link.endswith("post_1004.html") for e in feedparser.parse(body).entries)

    # An invalid config sent with SIGHUP is rejected; the old schedule (and config) keeps running.
    daemon_setup["sources"].write_text("sources:\n  - name: broken\n    schedule: every now and then\n",
                                       encoding="utf-8")
    process.send_signal(signal.SIGHUP)
    wait_for("the rejected reload in the log", lambda: "config reload rejected" in log_text(log), 30)

    # The site changes; a later scheduled crawl finds the new page and the served feed gains it.
    site.root = DEMO_SITE / "state2"

    def feed_has_new_page() -> bool:
        status, _, body = http_get(f"{base}/rss.xml")
        parsed = feedparser.parse(body)
        return status == 200 and any(e.link.endswith("/gd/content/post_1004.html") for e in parsed.entries)

    wait_for("post_1004 in the served RSS feed", feed_has_new_page)
    status, headers, _ = http_get(f"{base}/rss.xml")
    assert headers["Content-Type"].startswith("application/rss+xml")
    assert http_get(f"{base}/rss.xml", {"If-None-Match": headers["ETag"]})[0] in (200, 304)

    # A crawl child killed with SIGKILL is recorded as failed; the daemon carries on.
    site.gate.clear()
    wait_for("an en-demo crawl stuck at the gate", lambda: site.waiting > 0)
    pid = int(re.findall(r"crawl en-demo started \(pid (\d+)", log_text(log))[-1])
    assert "crawlers.crawl" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    os.kill(pid, signal.SIGKILL)
    killed = wait_for("the killed run recorded as failed",
                      lambda: [r for r in runs(db, "en-demo") if r[1].startswith("failed") and "SIGKILL" in r[1]])
    # The next slot hangs at the closed gate too, past the source's 6 s timeout: failed, not hung forever.
    timed_out = wait_for("a timed-out run recorded as failed",
                         lambda: [r for r in runs(db, "en-demo") if r[0] > killed[0][0] and "timed out" in r[1]])
    assert process.poll() is None
    site.gate.set()
    wait_for("an ok en-demo run after the failures",
             lambda: [r for r in runs(db, "en-demo") if r[0] > timed_out[0][0] and r[1] == "ok"])
    status, _, body = http_get(f"{base}/health")
    assert status == 200
    assert '"consecutive_failures": 0' in body.decode()
    assert "run en-demo" in log_text(log) and "fetched=" in log_text(log)

    # SIGTERM, with a crawl hanging at the gate: the daemon stops it and exits within seconds.
    site.gate.clear()
    waiting_before = site.waiting
    wait_for("another crawl stuck at the gate", lambda: site.waiting > waiting_before)
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    assert process.wait(15) == 0
    assert time.monotonic() - started < 10
    assert query(db, "pragma integrity_check") == [("ok",)]
    assert query(db, "select count(*) from runs where status = 'running'") == [(0,)]
    assert query(db, "select count(*) from runs where status like 'stopped%'")[0][0] >= 1
