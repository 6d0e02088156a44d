"""Serve a directory with nginx on 127.0.0.1 for benchmarks (a server that is not the bottleneck).

Python's http.server tops out far below what a crawler can ask for on loopback; nginx from Debian's
packages does not. The server runs in the foreground (``daemon off``) as our child, with its own
minimal config, pid, logs and temp paths in a work directory, so nothing system-wide is touched and
root is not needed (as root, workers run as ``nobody``: the served tree must be world-readable).
It keeps nginx's defaults for conditional requests (``etag on``, ``if_modified_since exact``).

The access log records ``$msec $status $request_uri $body_bytes_sent`` per request, which the
benchmark reads to time the first request of a crawl and count status codes.
"""
from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = "nginx is not installed: run `apt-get update && apt-get install -y nginx` (Debian's package)."

CONFIG = """worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    types {{ text/html html htm; text/plain txt; application/xml xml; }}
    default_type application/octet-stream;
    log_format bench '$msec $status $request_uri $body_bytes_sent';
    access_log {work}/access.log bench;
    client_body_temp_path {work}/tmp/body;
    proxy_temp_path {work}/tmp/proxy;
    fastcgi_temp_path {work}/tmp/fastcgi;
    uwsgi_temp_path {work}/tmp/uwsgi;
    scgi_temp_path {work}/tmp/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 100000;
    etag on;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        root {root};
        index index.html;
    }}
}}
"""


class NginxError(RuntimeError):
    """nginx is missing or would not start."""


def find_nginx() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx")
                                          if Path(p).is_file()), None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True, slots=True)
class LogLine:
    msec: float
    status: int
    path: str
    size: int


class NginxServer:
    """``with NginxServer(root, work_dir) as server: server.base_url; server.log_lines(offset)``.

    ``root`` may be a symlink: nginx resolves it per request, so the benchmark switches between
    site versions by replacing the link.
    """

    def __init__(self, root: str | Path, work_dir: str | Path, binary: str | None = None) -> None:
        self.root = Path(root)
        self.work = Path(work_dir)
        self.binary = binary or find_nginx()
        if self.binary is None:
            raise NginxError(INSTALL_HINT)
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.work / "access.log"

    def version(self) -> str:
        done = subprocess.run([self.binary, "-v"], capture_output=True, text=True, check=False)
        return (done.stderr or done.stdout).strip()

    def start(self, attempts: int = 3, timeout: float = 10.0) -> NginxServer:
        (self.work / "tmp").mkdir(parents=True, exist_ok=True)
        for _ in range(attempts):
            self.port = free_port()
            conf = self.work / "nginx.conf"
            conf.write_text(CONFIG.format(work=self.work, port=self.port, root=self.root), encoding="utf-8")
            self.process = subprocess.Popen(
                [self.binary, "-p", str(self.work), "-e", str(self.work / "error.log"), "-c", str(conf)],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if self._wait_ready(timeout):
                return self
            self.stop()
        log = self.work / "error.log"
        error = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise NginxError(f"nginx did not start on 127.0.0.1 (see {self.work}/error.log): {error}")

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return True
            except OSError:
                time.sleep(0.02)
        return False

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful shutdown
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()
        self.process = None

    def log_offset(self) -> int:
        return self.access_log.stat().st_size if self.access_log.exists() else 0

    def log_lines(self, offset: int = 0) -> list[LogLine]:
        """Requests logged after byte ``offset`` of the access log."""
        if not self.access_log.exists():
            return []
        with self.access_log.open("rb") as handle:
            handle.seek(offset)
            data = handle.read().decode("utf-8", errors="replace")
        lines = []
        for raw in data.splitlines():
            parts = raw.split(" ")
            if len(parts) == 4:
                lines.append(LogLine(float(parts[0]), int(parts[1]), parts[2], int(parts[3])))
        return lines

    def __enter__(self) -> NginxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
