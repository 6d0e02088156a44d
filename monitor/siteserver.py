"""A small static HTTP server on 127.0.0.1 whose document root can be switched while it runs.

The offline demo and the tests use it to show a site "before" and "after" an edit. It serves the
bytes of each file as they are, with ``text/html`` and no charset for HTML (like many government
sites), so the crawler's own decoding is what gets exercised.
"""
from __future__ import annotations

import mimetypes
import threading
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

_TYPES = {".html": "text/html", ".htm": "text/html", ".txt": "text/plain", ".xml": "application/xml"}


class _Handler(BaseHTTPRequestHandler):
    server_version = "policywatch-site/1"

    def __init__(self, *args: object, site: SiteServer, **kwargs: object) -> None:
        self.site = site
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass  # quiet: requests are kept in SiteServer.requests instead

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self.site.requests.append(self.path)
        path = self.site.resolve(self.path)
        if path is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        body = path.read_bytes()
        ctype = _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class QuietHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that says nothing when a client hangs up mid-answer.

    A crawler that cancels a download (its size limit, a shutdown) resets the connection; the standard
    server prints a traceback to stderr for each, which reads like a failure of the site.
    """

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class SiteServer:
    """``with SiteServer(root) as site: site.url('/a.html'); site.root = other_root``."""

    def __init__(self, root: str | Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = Path(root)
        self.requests: list[str] = []
        self.httpd = QuietHTTPServer((host, port), partial(_Handler, site=self))
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="site-server", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + "/" + path.lstrip("/")

    def resolve(self, request_path: str) -> Path | None:
        rel = unquote(urlsplit(request_path).path).lstrip("/")
        root = self.root.resolve()
        path = (root / rel).resolve()
        if path.is_dir():
            path = path / "index.html"
        if root not in path.parents and path != root:
            return None
        return path if path.is_file() else None

    def start(self) -> SiteServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
