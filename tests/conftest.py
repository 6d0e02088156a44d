from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

from monitor.siteserver import SiteServer
from monitor.sources import ConfigError, Source, parse_sources
from storage import Archive

DEMO_SITE = Path(__file__).resolve().parent.parent / "monitor" / "demo_site"
T = TypeVar("T")


@dataclass
class FakeFetch:
    """What a crawler hands to ``monitor.detect.record``, built by hand for offline tests."""

    url: str
    body: bytes
    status: int | None = 200
    source: str = "test-source"
    content_type: str | None = "text/html"
    fetched_at: str = "2026-01-01T00:00:00Z"
    elapsed_ms: float | None = 1.0
    error: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    requested_url: str | None = None


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive(tmp_path / "archive.db") as archive:
        yield archive


@pytest.fixture
def source() -> Source:
    return Source(name="test-source", start_urls=["http://127.0.0.1/"], allow=[r"/post_\d+"],
                  language="zh", region="Guangdong")


@pytest.fixture
def demo_site() -> Iterator[SiteServer]:
    with SiteServer(DEMO_SITE / "state1") as site:
        yield site


def saved_pages() -> list[Path]:
    """Every real-looking page saved under tests/: the site fixtures and the change corpus."""
    root = Path(__file__).parent
    return sorted([*root.glob("fixtures/**/*.html"), *root.glob("corpus/changes/*/*.html")])


def page_html(title: str, *paragraphs: str, lang: str = "zh", extra: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f'<div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a></div>'
            f"<div class=\"article\"><h1>{title}</h1>{extra}{body}</div>"
            f'<div class="footer">版权所有 联系我们</div></body></html>')


# An official notice that names a plan (shenzhen, action plan) and states two targets for 2027: a page that
# fills the plan tables (plan_sources, plan_targets, plan_events) when it is stored.
PLAN_TITLE = "深圳市人民政府关于印发深圳市量子科技产业创新发展行动计划的通知"
PLAN_TEXT = ("各区人民政府，市政府直属各单位：现将《深圳市量子科技产业创新发展行动计划》印发给你们，请认真组织实施。",
             "到2027年，全市建设3个以上量子科技创新平台，培育10家以上量子科技领军企业。")


def plan_page() -> bytes:
    return page_html(PLAN_TITLE, *PLAN_TEXT).encode("utf-8")


def config_error(text: str, edit: tuple[str, str], origin: str = "s.yaml") -> str:
    """The error a sources file gets once ``edit`` (old, new) is applied to ``text``, which must change it."""
    edited = text.replace(*edit)
    assert edited != text
    with pytest.raises(ConfigError) as info:
        parse_sources(edited, origin)
    return str(info.value)


def wait_for(what: str, check: Callable[[], T | None], timeout: float = 60.0) -> T:
    """Poll ``check`` until it returns something true (returned) or ``timeout`` s pass (AssertionError):
    a test waits for a condition another process brings about, never for a guessed time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
