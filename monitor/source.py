"""One watched site section as plain data: what the crawler, the analysis and the feeds read.

``monitor.sources`` loads and validates a sources file (PyYAML, pydantic, APScheduler's triggers) and
returns these. They are kept free of those libraries because every crawl child and analysis worker
reads them: a child gets its sources as JSON from the process that validated them (``to_dict`` and
``from_dict``), and importing the validation stack there cost ~470 M instructions of each crawl's
start-up (bench/crawl_instructions.py).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from monitor.recheck import RecheckPolicy


@dataclass(frozen=True, kw_only=True)
class Source:
    """One watched site section: where to start, which links are articles, what is noise.

    Defaults and meanings are the sources file's (README, "Sources"); constraints on the values are
    checked by ``monitor.sources`` when the file is loaded, not here.
    """

    name: str
    title: str | None = None
    kind: str = "html"
    start_urls: list[str] = field(default_factory=list)  # none only when sitemap_urls or feed_urls are given
    allow: list[str] = field(default_factory=list)
    follow: list[str] = field(default_factory=list)
    deny: list[str] = field(default_factory=list)
    allowed_domains: list[str] | None = None
    language: str | None = None
    region: str | None = None
    schedule: str | None = None
    timeout: float | None = None
    content_css: str | None = None
    ignore_css: list[str] = field(default_factory=list)
    ignore_text: list[str] = field(default_factory=list)
    topics: list[str] | None = None
    report: Literal["all", "additions"] = "all"  # "additions": feed entries show added text only
    max_pages: int = 500
    max_depth: int = 5
    sitemap_urls: list[str] = field(default_factory=list)
    feed_urls: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    # Re-checking (see monitor/recheck.py and the README section on crawling politely).
    recheck: RecheckPolicy = field(default_factory=RecheckPolicy)
    removed_after: int = 2
    incremental: bool = False
    attachments: bool = True

    @property
    def domains(self) -> list[str]:
        """Same-domain crawling by default: the hosts of the start, sitemap and feed URLs."""
        if self.allowed_domains is not None:
            return self.allowed_domains
        return sorted({urlsplit(u).hostname or "" for u in (*self.start_urls, *self.sitemap_urls, *self.feed_urls)})

    def to_dict(self, *, exclude_defaults: bool = False) -> dict[str, Any]:
        """The fields as JSON-ready data (the recheck policy as a mapping); optionally only those set."""
        return _non_defaults(self) if exclude_defaults else dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Source:
        """The inverse of ``to_dict``; the data is trusted (validated where it was loaded)."""
        recheck = data.get("recheck")
        if isinstance(recheck, dict):
            data = {**data, "recheck": RecheckPolicy(**recheck)}
        return cls(**data)

    def replace(self, **changes: Any) -> Source:
        return dataclasses.replace(self, **changes)


def _non_defaults(obj: Any) -> dict[str, Any]:
    values = {}
    for spec in dataclasses.fields(obj):
        value = getattr(obj, spec.name)
        if spec.default is not dataclasses.MISSING and value == spec.default:
            continue
        if spec.default_factory is not dataclasses.MISSING and value == spec.default_factory():
            continue
        values[spec.name] = _non_defaults(value) if dataclasses.is_dataclass(value) else value
    return values
