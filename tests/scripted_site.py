"""A test HTTP server on 127.0.0.1 whose answers are set per path: status, body, validators, redirects.

Unlike ``monitor.siteserver.SiteServer`` (static files), it answers conditional requests the way real
servers do (304 when If-None-Match matches the ETag, or If-Modified-Since equals Last-Modified
exactly, as nginx's default ``if_modified_since exact``), and records every request with its headers.
"""
from __future__ import annotations

import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

from monitor.siteserver import QuietHTTPServer

HANG = -1


@dataclass
class Answer:
    """What the server answers on a path; ``status=0`` resets the connection without answering,
    ``status=HANG`` never answers (the connection stays open until the site is closed)."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    location: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]
    status: int
    at: float  # time.monotonic() when answered


class _Handler(BaseHTTPRequestHandler):
    def __init__(self, *args: object, site: ScriptedSite, **kwargs: object) -> None:
        self.site = site
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        path = urlsplit(self.path).path
        answer = self.site.answers.get(path) or (Answer(b"", 200, "text/plain") if path == "/robots.txt"
                                                 else Answer(b"not found", 404, "text/plain"))
        status, body = answer.status, answer.body
        if status == HANG:  # accept the request, answer nothing: the client's timeout must end it
            self.site.seen.append(Seen(path, dict(self.headers.items()), HANG, time.monotonic()))
            self.site.closing.wait()
            self.close_connection = True
            return
        if status == 0:  # connection reset: RST instead of an answer (SO_LINGER with a zero timeout)
            self.site.seen.append(Seen(path, dict(self.headers.items()), 0, time.monotonic()))
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        if status == 200 and (
            (answer.etag and self.headers.get("If-None-Match") == answer.etag)
            or (answer.last_modified and self.headers.get("If-Modified-Since") == answer.last_modified)
        ):
            status, body = 304, b""
        self.site.seen.append(Seen(path, dict(self.headers.items()), status, time.monotonic()))
        self.send_response(status)
        if status != 304:
            self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (("ETag", answer.etag), ("Last-Modified", answer.last_modified),
                            ("Location", answer.location), *answer.headers.items()):
            if value:
                self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class ScriptedSite:
    """``with ScriptedSite() as site: site.answers['/a.html'] = Answer(b'...', etag='"v1"')``."""

    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.seen: list[Seen] = []
        self.closing = threading.Event()  # set on exit: releases the handlers of HANG answers
        self.httpd = QuietHTTPServer(("127.0.0.1", 0), partial(_Handler, site=self))
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="scripted-site", daemon=True)

    def url(self, path: str) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/{path.lstrip('/')}"

    def requests_for(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    def __enter__(self) -> ScriptedSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()
