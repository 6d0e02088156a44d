"""What a run's status says when the site is down or the crawl is stopped, and what status and /health make of it.

The archive rule (``Archive.finish_run``) is checked on rows written by hand; the crawl child is checked end to
end against a port that refuses connections and against a scripted site whose article hangs while the child
gets SIGTERM, as the daemon sends it when it stops mid-crawl.
"""
from __future__ import annotations

import logging
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawlers.runner import child_env, crawl_command, parse_summaries, start_crawl
from monitor.demo import DEMO_CRAWL_SETTINGS
from monitor.serve import health
from storage import Archive
from storage.status import source_status
from tests.conftest import page_html, wait_for
from tests.scripted_site import HANG, Answer, ScriptedSite

WHEN = "2026-01-01T00:00:00Z"
REFUSED = "DownloadConnectionRefusedError: Connection was refused by other side: 111: Connection refused."
# no retries: a refused connection fails at once, and a released request is not asked for again
SETTINGS = {**DEMO_CRAWL_SETTINGS, "RETRY_ENABLED": "False"}
ARTICLE = ("省人民政府印发人形机器人产业发展行动方案，提出到2027年培育10家以上具有国际竞争力的整机企业。",
           "方案明确建设一批中试验证平台和应用示范场景，支持核心零部件企业开展关键技术攻关。")


def run_with(archive: Archive, *fetches: tuple[str, str], status: str = "ok", exceptions: int = 0) -> dict[str, Any]:
    """A run whose fetch rows are ``(kind, outcome)`` pairs, closed as a crawl that ended normally closes it."""
    run_id = archive.start_run("s", WHEN)
    for number, (kind, outcome) in enumerate(fetches):
        url, error = f"http://a/{number}", REFUSED if outcome == "error" else None
        if kind == "page":
            archive.add_fetch(run_id=run_id, source="s", url=url, fetched_at=WHEN, status=None if error else 200,
                              size=0, elapsed_ms=None, outcome=outcome, error=error)
        else:
            archive.add_other_fetch(kind, run_id=run_id, source="s", url=url, page_id=None, fetched_at=WHEN,
                                    status=200, size=5, elapsed_ms=1.0, outcome=outcome)
    return archive.finish_run(run_id, status=status, now=WHEN, exceptions=exceptions,
                              fail_unanswered=not status.startswith("stopped"))


def test_a_run_in_which_nothing_answered_is_failed_and_counts_as_a_failure_in_a_row(archive: Archive) -> None:
    for _ in range(2):  # failed list pages are page rows with outcome 'error', as before
        run = run_with(archive, ("page", "error"), ("page", "error"), ("attachment", "new"))
        assert (run["status"], run["fetched"], run["errors"], run["error"]) == (
            "failed: no list page answered (2 errors)", 2, 2, REFUSED)
    assert source_status(archive, "s").consecutive_failures == 2


@pytest.mark.parametrize("answered", [("listing", "read"), ("listing", "not modified"), ("page", "unchanged"),
                                      ("page", "missing")])
def test_a_run_in_which_something_answered_stays_ok_with_its_errors_counted(archive: Archive,
                                                                            answered: tuple[str, str]) -> None:
    run = run_with(archive, ("page", "error"), answered)
    assert (run["status"], run["errors"], run["error"]) == ("ok", 1, None)


def test_a_stopped_run_one_with_exceptions_or_one_with_nothing_to_fetch_keeps_its_status(archive: Archive) -> None:
    assert run_with(archive, ("page", "error"), status="stopped: shutdown")["status"] == "stopped: shutdown"
    # the callback that raised had an answer to read (its list page's row is what the exception lost)
    assert run_with(archive, ("page", "error"), status="errors: 1 exception", exceptions=1)["status"] == \
        "errors: 1 exception"
    assert run_with(archive)["status"] == "ok"  # no request failed: nothing says the site is down
    assert source_status(archive, "s").consecutive_failures == 0


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port on 127.0.0.1 that refuses connections: bound (so no one else takes it), never listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.mark.slow
def test_a_site_that_refuses_connections_fails_the_run_with_one_line_per_robots_txt(tmp_path: Path,
                                                                                   closed_port: int) -> None:
    down = f"http://127.0.0.1:{closed_port}"
    with ScriptedSite() as site:
        site.answers["/list/index.html"] = Answer(b'<html><body><a href="/content/a.html">a</a> '
                                                  b'<a href="/content/b.html">b</a></body></html>')
        site.answers["/content/a.html"] = Answer(page_html("人形机器人产业发展行动方案", *ARTICLE).encode())
        site.answers["/robots.txt"] = Answer(b"User-agent: *\nDisallow: /content/b\n", content_type="text/plain")
        sources = tmp_path / "sources.yaml"
        sources.write_text(
            "sources:\n"
            f"  - name: down\n    start_urls: ['{down}/list/']\n    allow: ['/content/']\n"
            f"  - name: half\n    start_urls: ['{down}/list/', '{site.url('/list/index.html')}']\n"
            "    allow: ['/content/']\n", encoding="utf-8")
        db = tmp_path / "archive.db"
        done = subprocess.run(crawl_command(sources, db, settings=SETTINGS), cwd=tmp_path, env=child_env(),
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    runs = {s["source"]: s for s in parse_summaries(done.stdout)}
    assert (runs["down"]["status"], runs["down"]["errors"], runs["down"]["error"]) == (
        "failed: no list page answered (1 error)", 1, REFUSED)
    # one start URL refused, the other read: the site is not down, and its errors are counted (the refused
    # list page, the article robots.txt forbids)
    assert (runs["half"]["status"], runs["half"]["new"], runs["half"]["errors"]) == ("ok", 1, 2)
    assert site.requests_for("/content/b.html") == []  # a robots.txt that was fetched is obeyed

    # Scrapy's robots.txt middleware logged ~70 lines of traceback for each crawler; now one line each
    assert "Traceback" not in done.stderr
    robots = f"WARNING: robots.txt not fetched, so not obeyed: {down}/robots.txt: DownloadConnectionRefusedError"
    assert done.stderr.count(robots) == 2, done.stderr[-3000:]

    code, payload = health(db)
    assert (code, payload["status"], payload["failing"]) == (200, "degraded", ["down"])
    with Archive(db, readonly=True) as archive:
        assert source_status(archive, "down").consecutive_failures == 1


def slow_source(site: ScriptedSite, tmp_path: Path) -> Path:
    """A sources file with one source, ``slow``, whose only article never answers (HANG)."""
    site.answers["/list/index.html"] = Answer(b'<html><body><a href="/content/a.html">a</a></body></html>')
    site.answers["/content/a.html"] = Answer(status=HANG)
    sources = tmp_path / "sources.yaml"
    sources.write_text(f"sources:\n  - name: slow\n    start_urls: ['{site.url('/list/index.html')}']\n"
                       "    allow: ['/content/']\n", encoding="utf-8")
    return sources


@pytest.mark.slow
def test_a_crawl_stopped_by_sigterm_mid_crawl_is_recorded_stopped(tmp_path: Path,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    with ScriptedSite() as site:
        sources = slow_source(site, tmp_path)
        db = tmp_path / "archive.db"
        caplog.set_level(logging.WARNING, logger="crawl.slow")
        # as the daemon runs a crawl: its log relayed as logger crawl.NAME, stopped with SIGTERM
        child = start_crawl(sources, db, ["slow"], settings=SETTINGS, log_level="INFO", log_as="crawl.slow")
        wait_for("the article request to hang", lambda: site.requests_for("/content/a.html"))
        stopping = threading.Thread(target=child.stop, args=("stopped by the test", 60))
        stopping.start()
        # Scrapy waits for the hanging download before it closes the spider: once it has begun closing
        # for the shutdown, the server drops that request, and the crawl closes its run
        wait_for("the crawl to close for the shutdown", lambda: "Closing spider (shutdown)" in caplog.text)
        site.closing.set()
        stopping.join(60)
        summaries = child.wait()
    assert [(s["source"], s["status"]) for s in summaries] == [("slow", "stopped: shutdown")], caplog.text[-3000:]
    with Archive(db, readonly=True) as archive:
        status = source_status(archive, "slow")
    assert (status.last_run["status"], status.consecutive_failures) == ("stopped: shutdown", 0)


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_policywatch_crawl_interrupted_stops_its_child_cleanly(tmp_path: Path, signum: int) -> None:
    """`policywatch crawl` signalled alone (kill, Ctrl-C, a supervisor) asks its child once to stop and
    waits: the run is recorded as stopped, not left "running" nor finished behind the command's back."""
    with ScriptedSite() as site:
        sources = slow_source(site, tmp_path)
        db = tmp_path / "archive.db"
        command = [sys.executable, "-m", "monitor", "crawl", "--sources", str(sources), "--db", str(db),
                   *[arg for key, value in SETTINGS.items() for arg in ("--set", f"{key}={value}")],
                   "--set", "LOG_LEVEL=INFO"]
        cli = subprocess.Popen(command, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            wait_for("the article request to hang", lambda: site.requests_for("/content/a.html"))
            cli.send_signal(signum)
            lines: list[str] = []
            assert cli.stderr is not None
            for line in cli.stderr:  # Scrapy waits for the hanging download before it closes the spider
                lines.append(line)
                if "Closing spider (shutdown)" in line:
                    break
            site.closing.set()
            _, rest = cli.communicate(timeout=60)
        finally:
            if cli.poll() is None:
                cli.kill()
    assert cli.returncode != 0, "".join(lines) + rest
    with Archive(db, readonly=True) as archive:
        runs = archive.runs("slow")
    assert [(r["status"], r["finished_at"] is not None) for r in runs] == [("stopped: shutdown", True)], lines
