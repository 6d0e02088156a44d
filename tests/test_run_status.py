"""What a run's status says when the site is down or the crawl is stopped, and what status and /health make of it.

The archive rule (``Archive.finish_run``) is checked on rows written by hand; the crawl child is checked end to
end against a port that refuses connections and against a scripted site whose article hangs while the child
gets SIGTERM, as the daemon sends it when it stops mid-crawl.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest

from crawlers.runner import start_crawl
from monitor.demo import DEMO_CRAWL_SETTINGS
from storage import Archive
from storage.status import source_status
from tests.conftest import wait_for
from tests.scripted_site import HANG, Answer, ScriptedSite

# no retries: a refused connection fails at once, and a released request is not asked for again
SETTINGS = {**DEMO_CRAWL_SETTINGS, "RETRY_ENABLED": "False"}


@pytest.mark.slow
def test_a_crawl_stopped_by_sigterm_mid_crawl_is_recorded_stopped(tmp_path: Path,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    with ScriptedSite() as site:
        site.answers["/list/index.html"] = Answer(b'<html><body><a href="/content/a.html">a</a></body></html>')
        site.answers["/content/a.html"] = Answer(status=HANG)
        sources = tmp_path / "sources.yaml"
        sources.write_text(f"sources:\n  - name: slow\n    start_urls: ['{site.url('/list/index.html')}']\n"
                           "    allow: ['/content/']\n", encoding="utf-8")
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
