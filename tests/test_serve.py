"""The feed server over real HTTP on 127.0.0.1: types, validators, 304, 404, no way out of the directory."""
from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path

import feedparser
import pytest

from monitor.detect import record
from monitor.feeds import write_feed_set
from monitor.serve import FeedServer, parse_bind, served_paths
from monitor.sources import Source
from storage import Archive
from storage.status import record_failed_run
from tests.conftest import FakeFetch, page_html

ROOT = Path(__file__).resolve().parent.parent
TEXT = "广东省发布人形机器人产业行动方案，提出到2027年培育一批人形机器人整机企业和核心零部件企业。"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive with one new page, a failed run of another source, and its feeds (built once)."""
    tmp_path = tmp_path_factory.mktemp("served")
    source = Source(name="test-source", start_urls=["http://127.0.0.1/"], allow=[r"/post_\d+"], language="zh",
                    region="Guangdong")
    db = tmp_path / "archive.db"
    with Archive(db) as archive:
        run = archive.start_run(source.name, "2026-01-01T00:00:00Z")
        record(archive, source, FakeFetch(url="http://127.0.0.1/post_1.html", body=page_html("方案", TEXT).encode()),
               run_id=run)
        archive.finish_run(run, status="ok", now="2026-01-01T00:00:05Z")
        record_failed_run(archive, "other-source", status="failed: crawl process killed by signal 9 (SIGKILL)",
                          started_at="2026-01-01T01:00:00Z", now="2026-01-01T01:00:01Z")
        write_feed_set(archive, tmp_path / "feeds")
    return tmp_path


@pytest.fixture
def served(built: Path, tmp_path: Path) -> Iterator[dict[str, object]]:
    shutil.copytree(built / "feeds", tmp_path / "feeds")  # a copy per test: one of them edits a feed
    (tmp_path / "secret.xml").write_text("<secret/>", encoding="utf-8")
    with FeedServer(tmp_path / "feeds", built / "archive.db", ("127.0.0.1", 0)) as server:
        yield {"server": server, "feeds": tmp_path / "feeds"}


def get(server: FeedServer, path: str, headers: dict[str, str] | None = None,
        method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    host, port = server.httpd.server_address[:2]
    conn = http.client.HTTPConnection(str(host), int(port), timeout=10)
    try:
        conn.request(method, path, headers=headers or {})  # sent as given: no client-side path cleaning
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.mark.parametrize(("path", "content_type", "version"), [
    ("/rss.xml", "application/rss+xml; charset=utf-8", "rss20"),
    ("/atom.xml", "application/atom+xml; charset=utf-8", "atom10"),
    ("/sources/test-source.xml", "application/atom+xml; charset=utf-8", "atom10"),
    ("/regions/guangdong.xml", "application/atom+xml; charset=utf-8", "atom10"),
    ("/topics/humanoid-robots.xml", "application/atom+xml; charset=utf-8", "atom10"),
    ("/pages.xml", "application/atom+xml; charset=utf-8", "atom10"),
])
def test_feeds_are_served_with_their_type_and_validators(served: dict, path: str, content_type: str,
                                                         version: str) -> None:
    status, headers, body = get(served["server"], path)
    assert status == 200
    assert headers["Content-Type"] == content_type
    assert headers["ETag"].startswith('"') and headers["Last-Modified"].endswith("GMT")
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0 and parsed.version == version
    assert [e.link for e in parsed.entries] == ["http://127.0.0.1/post_1.html"]
    head_status, head_headers, head_body = get(served["server"], path, method="HEAD")
    assert (head_status, head_body, head_headers["ETag"]) == (200, b"", headers["ETag"])


def test_sector_feeds_are_served_even_when_empty(served: dict) -> None:
    status, headers, body = get(served["server"], "/sectors/humanoid-robots.xml")
    assert status == 200 and headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert feedparser.parse(body).bozo == 0


def test_conditional_requests_get_304_until_the_feed_changes(served: dict) -> None:
    server = served["server"]
    _, headers, _ = get(server, "/rss.xml")
    etag, modified = headers["ETag"], headers["Last-Modified"]
    status, again, body = get(server, "/rss.xml", {"If-None-Match": etag})
    assert (status, body, again["ETag"]) == (304, b"", etag)
    assert get(server, "/rss.xml", {"If-None-Match": f'"other", {etag}'})[0] == 304
    assert get(server, "/rss.xml", {"If-Modified-Since": modified})[0] == 304
    assert get(server, "/rss.xml", {"If-None-Match": '"stale"'})[0] == 200
    assert get(server, "/rss.xml", {"If-Modified-Since": "Thu, 01 Jan 2004 00:00:00 GMT"})[0] == 200
    # If-None-Match wins: a stale tag is a 200 even with a matching date
    assert get(server, "/rss.xml", {"If-None-Match": '"stale"', "If-Modified-Since": modified})[0] == 200
    assert get(server, "/rss.xml", {"If-Modified-Since": "not a date"})[0] == 200

    path = served["feeds"] / "rss.xml"
    path.write_bytes(path.read_bytes().replace(b"</channel>", b"<!-- new --></channel>"))
    later = path.stat().st_mtime + 10
    os.utime(path, (later, later))
    status, headers, _ = get(server, "/rss.xml", {"If-None-Match": etag, "If-Modified-Since": modified})
    assert status == 200 and headers["ETag"] != etag
    assert headers["Last-Modified"] == formatdate(int(later), usegmt=True)


@pytest.mark.parametrize("path", [
    "/sources/no-such-source.xml", "/regions/atlantis.xml", "/nope.xml", "/", "/feeds", "/rss.xml/",
    "/../secret.xml", "/sources/../../secret.xml", "/sources/..%2f..%2fsecret.xml", "/sources/%2e%2e.xml",
    "/sources/Test-Source.xml", "/sources/test-source.xml.bak", "//etc/passwd", "/topics/.xml",
    "/sources/a/b.xml", "/sources/test-source.xml%00",
])
def test_unknown_names_and_traversal_attempts_are_404(served: dict, path: str) -> None:
    status, headers, body = get(served["server"], path)
    assert status == 404
    assert b"secret" not in body and headers["Content-Type"].startswith("text/plain")


def test_health_reports_the_last_run_of_each_source(served: dict) -> None:
    status, headers, body = get(served["server"], "/health")
    assert status == 200 and headers["Content-Type"] == "application/json; charset=utf-8"
    report = json.loads(body)
    by_source = {s["source"]: s for s in report["sources"]}
    assert by_source["test-source"]["last_run"]["status"] == "ok"
    assert by_source["test-source"]["last_run"]["new"] == 1
    assert by_source["test-source"]["consecutive_failures"] == 0
    assert by_source["other-source"]["consecutive_failures"] == 1
    assert "SIGKILL" in by_source["other-source"]["last_run"]["status"]
    assert report["status"] == "degraded" and report["failing"] == ["other-source"]


def test_health_without_an_archive_is_503(tmp_path: Path) -> None:
    with FeedServer(tmp_path, tmp_path / "missing.db", ("127.0.0.1", 0)) as server:
        status, _, body = get(server, "/health")
    assert status == 503 and json.loads(body)["status"] == "error"


@pytest.mark.parametrize(("text", "expected"), [
    ("127.0.0.1:8080", ("127.0.0.1", 8080)), ("8080", ("127.0.0.1", 8080)), (":9000", ("127.0.0.1", 9000)),
    ("0.0.0.0:80", ("0.0.0.0", 80)), ("[::1]:8080", ("::1", 8080)),
])
def test_parse_bind(text: str, expected: tuple[str, int]) -> None:
    assert parse_bind(text) == expected


@pytest.mark.parametrize("text", ["localhost", "127.0.0.1:http", "127.0.0.1:70000"])
def test_parse_bind_rejects_nonsense(text: str) -> None:
    with pytest.raises(ValueError, match="HOST:PORT"):
        parse_bind(text)


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_serve_command_answers_and_stops_cleanly_on_a_signal(built: Path, stop_signal: signal.Signals) -> None:
    """`policywatch serve` as systemd runs it: it answers, names every path it serves, and a SIGTERM
    (or Ctrl-C) closes the server and exits 0 (it used to die of SIGTERM, exit status 143)."""
    command = [sys.executable, "-m", "monitor", "serve", "--db", str(built / "archive.db"),
               "--feeds", str(built / "feeds"), "--bind", "127.0.0.1:0"]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                               stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        banner = process.stderr.readline()  # printed once the socket listens; blocks until then
        match = re.search(r"at (http://127\.0\.0\.1:(\d+))/ \((.*)\)$", banner.strip())
        assert match, banner
        base, port = match.group(1), int(match.group(2))
        listed = match.group(3).split(", ")
        assert listed == served_paths()
        for path in ("/atom.xml", "/pages.xml", "/plans/NAME.xml", "/sectors/NAME.xml", "/health"):
            assert path in listed
        with urllib.request.urlopen(f"{base}/atom.xml", timeout=10) as response:
            assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
            assert feedparser.parse(response.read()).entries
        process.send_signal(stop_signal)
        assert process.wait(10) == 0
        assert "closed" in process.stderr.read()
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
