"""A read-only HTTP server for the feed files the daemon writes, plus ``/health``.

Feed readers poll, often every few minutes, so every feed answers with an ``ETag`` (a hash of the
file) and ``Last-Modified`` (its mtime) and a conditional request gets ``304 Not Modified``. Only
a fixed set of paths is served (``/rss.xml``, ``/atom.xml``, ``/pages.xml``,
``/{sources,regions,topics,plans,sectors}/NAME.xml`` with ``NAME`` lower-case letters, digits and
dashes), so no request can name a file outside the feeds directory. The archive is opened read-only
per ``/health`` request; SQLite's WAL mode means this never blocks a crawl writing to it. The stdlib
``ThreadingHTTPServer`` is enough for feed traffic and keeps the dependency list short; put a reverse
proxy in front for TLS.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import signal
import socket
import threading
from datetime import datetime, timezone
from email.utils import formatdate, parsedate_to_datetime
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from storage import Archive, ArchiveError
from storage.status import source_statuses

logger = logging.getLogger(__name__)

RSS_TYPE = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
# What is served: the one list the request matcher and the start-up line are both made from.
TOP_FEEDS = ("rss", "atom", "pages")  # /NAME.xml
FEED_FOLDERS = ("sources", "regions", "topics", "plans", "sectors")  # /FOLDER/NAME.xml
HEALTH_PATH = "/health"
_FEED_PATH = re.compile(
    rf"^/(?:({'|'.join(TOP_FEEDS)})\.xml|({'|'.join(FEED_FOLDERS)})/([a-z0-9][a-z0-9-]{{0,99}})\.xml)$")
MAX_FEED_BYTES = 50_000_000


def parse_bind(address: str) -> tuple[str, int]:
    """``"127.0.0.1:8080"`` or ``"8080"`` → ``("127.0.0.1", 8080)``; ``[::1]:8080`` for IPv6."""
    host, sep, port = address.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", address
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"not an address to bind {address!r} (use HOST:PORT, e.g. 127.0.0.1:8080)")
    return host, int(port)


def served_paths() -> list[str]:
    """The paths the server answers, for its start-up line and documentation (``NAME``: ``[a-z0-9-]``)."""
    return [*(f"/{name}.xml" for name in TOP_FEEDS), *(f"/{folder}/NAME.xml" for folder in FEED_FOLDERS),
            HEALTH_PATH]


def feed_file(feeds_dir: Path, request_path: str) -> tuple[Path, str] | None:
    """The file and content type for a request path, or ``None`` when it is not a feed path."""
    match = _FEED_PATH.match(request_path)
    if not match:
        return None
    if match.group(1):
        return feeds_dir / f"{match.group(1)}.xml", RSS_TYPE if match.group(1) == "rss" else ATOM_TYPE
    return feeds_dir / match.group(2) / f"{match.group(3)}.xml", ATOM_TYPE


def health(db_path: Path, names: list[str] | None = None) -> tuple[int, dict[str, Any]]:
    """``(200, {...})`` with each source's last run, or ``503`` when the archive cannot be read."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    try:
        with Archive(db_path, readonly=True) as archive:
            statuses = source_statuses(archive, names)
    except ArchiveError as exc:
        return 503, {"status": "error", "error": str(exc), "checked_at": now}
    sources = [s.as_dict() for s in statuses]
    failing = [s["source"] for s in sources if s["consecutive_failures"]]
    return 200, {"status": "degraded" if failing else "ok", "failing": failing, "checked_at": now,
                 "sources": sources}


class FeedRequestHandler(BaseHTTPRequestHandler):
    server_version = "policywatch-feeds/1"

    def __init__(self, *args: Any, feeds_dir: Path, db_path: Path, **kwargs: Any) -> None:
        self.feeds_dir = feeds_dir
        self.db_path = db_path
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        logger.debug("%s %s", self.address_string(), format % args)

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib name
        self._answer(send_body=False)

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self._answer(send_body=True)

    def _answer(self, *, send_body: bool) -> None:
        path = urlsplit(self.path).path
        if path == HEALTH_PATH:
            status, payload = health(self.db_path)
            body = json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8")
            self._send(status, "application/json; charset=utf-8", body, send_body, {"Cache-Control": "no-store"})
            return
        found = feed_file(self.feeds_dir, path)
        if found is None or not found[0].is_file():
            self._send(404, "text/plain; charset=utf-8", b"not found\n", send_body)
            return
        file_path, content_type = found
        body = file_path.read_bytes()[:MAX_FEED_BYTES]
        mtime = datetime.fromtimestamp(int(file_path.stat().st_mtime), tz=timezone.utc)
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        headers = {"ETag": etag, "Last-Modified": formatdate(mtime.timestamp(), usegmt=True),
                   "Cache-Control": "no-cache"}
        if self._not_modified(etag, mtime):
            self._send(304, None, b"", False, headers)
            return
        self._send(200, content_type, body, send_body, headers)

    def _not_modified(self, etag: str, mtime: datetime) -> bool:
        """RFC 9110: If-None-Match wins over If-Modified-Since when both are sent."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
            return "*" in tags or etag in tags
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                moment = parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
            return mtime <= moment
        return False

    def _send(self, status: int, content_type: str | None, body: bytes, send_body: bool,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(HTTPStatus(status))
        if content_type:
            self.send_header("Content-Type", content_type)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if send_body and body:
            self.wfile.write(body)


class _IPv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


class FeedServer:
    """``FeedServer(feeds_dir, db_path, ("127.0.0.1", 0)).start()``; ``.url`` is where it listens."""

    def __init__(self, feeds_dir: str | Path, db_path: str | Path, bind: tuple[str, int] = ("127.0.0.1", 8080)):
        handler = partial(FeedRequestHandler, feeds_dir=Path(feeds_dir), db_path=Path(db_path))
        server_class = _IPv6Server if ":" in bind[0] else ThreadingHTTPServer
        self.httpd = server_class(bind, handler)
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="feed-server", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{f'[{host}]' if ':' in str(host) else host}:{port}"

    def start(self) -> FeedServer:
        self._thread.start()
        logger.info("serving feeds at %s/", self.url)
        return self

    def serve_until_signalled(self, signals: tuple[signal.Signals, ...] = (signal.SIGTERM, signal.SIGINT)) -> str:
        """Serve until one of ``signals`` arrives, then close the server and return the signal's name.

        Without this a SIGTERM (systemd, ``docker stop``, ``kill``) ended ``policywatch serve`` with
        Python's default action: exit status 143, the listening socket left to the kernel. Must run on
        the main thread (only it receives signals); the requests are served by the server thread.
        """
        received: list[str] = []
        stop = threading.Event()

        def on_signal(signum: int, frame: object) -> None:
            received.append(signal.Signals(signum).name)
            stop.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in signals}
        try:
            self.start()
            stop.wait()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self.stop()
        logger.info("%s: feed server at %s/ closed", received[0], self.url)
        return received[0]

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
