"""Serve the saved site fixtures of tests/fixtures/kinds/<kind>/ on 127.0.0.1, as the real sites answer.

Fixture files contain ``{base_url}`` where the real site has its own host; ``materialise`` copies a
fixture tree with the local server's address filled in. A file ``name@page=2.json`` answers
``name?page=2&…`` (its listed query parameters must match), so API pages can be saved side by side;
``name`` without a suffix also finds ``name.html``/``name.json`` (``/gkmlpt/index``).
"""
from __future__ import annotations

import re
import shutil
from functools import partial
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import yaml
from scrapy.http import HtmlResponse, TextResponse

from crawlers.runner import run_crawl
from monitor.demo import DEMO_CRAWL_SETTINGS
from monitor.siteserver import SiteServer
from monitor.siteserver import _Handler as _SiteHandler

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "kinds"
OFFLINE_BASE = "http://www.example.gov.cn"
_TEXT_SUFFIXES = {".html", ".htm", ".json", ".xml", ".txt"}


def materialise(kind: str, dest: Path, base_url: str) -> Path:
    """Copy the fixture site of ``kind`` into ``dest`` with ``{base_url}`` replaced."""
    source = FIXTURES / kind
    for path in source.rglob("*"):
        if path.is_file():
            target = dest / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix in _TEXT_SUFFIXES:
                target.write_text(path.read_text(encoding="utf-8").replace("{base_url}", base_url), encoding="utf-8")
            else:
                shutil.copyfile(path, target)
    return dest


def crawl_once(source: dict[str, Any], work: Path) -> dict[str, Any]:
    """Crawl one source (a sources.yaml entry as a dict) into ``work/archive.db`` the way the CLI does
    (child process, demo settings); the run's summary. Runs again on the same ``work`` re-check."""
    sources = work / "sources.yaml"
    sources.write_text(yaml.safe_dump({"sources": [source]}, allow_unicode=True), encoding="utf-8")
    [summary] = run_crawl(sources, work / "archive.db", settings=DEMO_CRAWL_SETTINGS, timeout=120)
    return summary


def fixture_response(kind: str, rel: str, *, url: str | None = None, **meta: object) -> TextResponse:
    """A Scrapy response built from a saved fixture file, as if fetched from ``OFFLINE_BASE``."""
    body = (FIXTURES / kind / rel).read_bytes().replace(b"{base_url}", OFFLINE_BASE.encode())
    url = url or f"{OFFLINE_BASE}/{rel.split('@')[0]}"
    from scrapy import Request

    cls = HtmlResponse if rel.endswith((".html", ".htm")) else TextResponse
    return cls(url=url, body=body, encoding="utf-8", request=Request(url, meta=dict(meta)))


class FixtureSite(SiteServer):
    """A ``SiteServer`` that also answers query strings and suffix-less paths from fixture files."""

    def resolve(self, request_path: str) -> Path | None:
        parts = urlsplit(request_path)
        rel = unquote(parts.path).lstrip("/")
        root = self.root.resolve()
        folder = (root / rel).parent.resolve() if rel else root
        if folder != root and root not in folder.parents:
            return None
        name = Path(rel).name
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        if params and name and folder.is_dir():
            for candidate in sorted(folder.glob(f"{name}@*")):
                wanted = dict(parse_qsl(candidate.name[len(name) + 1:].rsplit(".", 1)[0]))
                if wanted and all(params.get(k) == v for k, v in wanted.items()):
                    return candidate
        found = super().resolve(parts.path)
        if found is None and name and folder.is_dir():
            found = next((p for p in sorted(folder.glob(f"{name}.*")) if "@" not in p.name), None)
        return found


class _JpageHandler(_SiteHandler):
    """Hanweb's dataproxy.jsp as the jpage pager uses it: form POSTs only (a GET gets 405)."""

    site: JpageSite

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        if urlsplit(self.path).path == JpageSite.PROXY_PATH:
            self.site.requests.append(self.path)
            self.send_error(HTTPStatus.METHOD_NOT_ALLOWED)
            return
        super().do_GET()

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(self.rfile.read(length).decode("utf-8"), keep_blank_values=True))
        query = dict(parse_qsl(parts.query))
        self.site.posts.append((query, form))
        if parts.path != JpageSite.PROXY_PATH:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        if any(form.get(k) != v for k, v in self.site.expected_form.items()):
            self.send_error(HTTPStatus.BAD_REQUEST, "unknown column")
            return
        try:
            start, end = int(query["startrecord"]), int(query["endrecord"])
        except (KeyError, ValueError):
            self.send_error(HTTPStatus.BAD_REQUEST, "no record window")
            return
        records = self.site.records()
        body = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<datastore><totalrecord>{len(records)}</totalrecord>"
                f"<recordset>{''.join(records[max(start, 1) - 1:end])}</recordset></datastore>").encode()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/xml;charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class JpageSite(FixtureSite):
    """A fixture site whose ``dataproxy.jsp`` answers record windows to form POSTs, like Hanweb's jpage pager.

    The column's records are the ``<record>`` elements of ``module/web/jpage/dataproxy-records.xml``;
    a POST must carry the ``expected_form`` fields. ``posts`` holds every POST's query and form.
    """

    PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
    RECORDS_FILE = "module/web/jpage/dataproxy-records.xml"

    def __init__(self, root: str | Path, expected_form: dict[str, str]) -> None:
        super().__init__(root)
        self.expected_form = expected_form
        self.posts: list[tuple[dict[str, str], dict[str, str]]] = []
        self.httpd.RequestHandlerClass = partial(_JpageHandler, site=self)  # type: ignore[assignment]

    def records(self) -> list[str]:
        return record_elements(self.root / self.RECORDS_FILE)


def record_elements(path: Path) -> list[str]:
    """The ``<record>…</record>`` elements of a saved datastore file, in order."""
    return re.findall(r"<record>[\s\S]*?</record>", path.read_text(encoding="utf-8"))
