"""Load and validate ``sources.yaml``: every watched site is a declarative entry, not a class.

Errors name the file, the line, the source and the key, because a config with dozens of sources
is edited by hand and a bare "validation error" helps nobody.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from monitor.recheck import RecheckPolicy

NAME_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


class ConfigError(Exception):
    """A sources file that cannot be used; the message says where and why."""


def _compile_all(patterns: list[str]) -> list[str]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
    return patterns


class Source(BaseModel):
    """One watched site section: where to start, which links are articles, what is noise."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=NAME_PATTERN)
    title: str | None = None
    kind: str = "html"
    start_urls: list[str] = Field(min_length=1)
    allow: list[str] = Field(default_factory=list)
    follow: list[str] = Field(default_factory=list)
    deny: list[str] = Field(default_factory=list)
    allowed_domains: list[str] | None = None
    language: str | None = None
    region: str | None = None
    schedule: str | None = None
    content_css: str | None = None
    ignore_css: list[str] = Field(default_factory=list)
    ignore_text: list[str] = Field(default_factory=list)
    topics: list[str] | None = None
    max_pages: int = Field(default=500, ge=1)
    max_depth: int = Field(default=5, ge=0)
    # Re-checking (see monitor/recheck.py and the README section on crawling politely).
    recheck: RecheckPolicy = Field(default_factory=RecheckPolicy)
    removed_after: int = Field(default=2, ge=1)
    incremental: bool = False
    attachments: bool = True

    @field_validator("start_urls")
    @classmethod
    def _absolute_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            parsed = urlparse(url)
            if parsed.scheme not in ("http", "https") or not parsed.netloc:
                raise ValueError(f"not an absolute http(s) URL: {url!r}")
        return urls

    @field_validator("allow", "follow", "deny", "ignore_text")
    @classmethod
    def _regexes(cls, patterns: list[str]) -> list[str]:
        return _compile_all(patterns)

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        if kind != "html":
            raise ValueError(f"unknown kind {kind!r} (known: html)")
        return kind

    @model_validator(mode="after")
    def _something_to_archive(self) -> Source:
        if not self.allow:
            raise ValueError("'allow' is empty: give at least one regex for the article pages to archive")
        return self

    @property
    def domains(self) -> list[str]:
        """Same-domain crawling by default: the hosts of the start URLs."""
        if self.allowed_domains is not None:
            return self.allowed_domains
        return sorted({urlparse(u).hostname or "" for u in self.start_urls})


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sources: list[Source] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> SourcesFile:
        seen: set[str] = set()
        for source in self.sources:
            if source.name in seen:
                raise ValueError(f"duplicate source name {source.name!r}")
            seen.add(source.name)
        return self


def _key_lines(node: yaml.Node) -> dict[tuple[Any, ...], int]:
    """Map YAML paths (as pydantic error locations) to 1-based line numbers."""
    lines: dict[tuple[Any, ...], int] = {}

    def walk(n: yaml.Node, path: tuple[Any, ...]) -> None:
        lines[path] = n.start_mark.line + 1
        if isinstance(n, yaml.MappingNode):
            for key, value in n.value:
                lines[(*path, key.value)] = key.start_mark.line + 1
                walk(value, (*path, key.value))
        elif isinstance(n, yaml.SequenceNode):
            for i, item in enumerate(n.value):
                walk(item, (*path, i))

    walk(node, ())
    return lines


def parse_sources(text: str, origin: str = "<sources>") -> list[Source]:
    """Validate the YAML text of a sources file."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{origin}:{mark.line + 1}" if mark else origin
        raise ConfigError(f"{where}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: expected a mapping with a 'sources' list")
    try:
        return SourcesFile.model_validate(data).sources
    except ValidationError as exc:
        lines = _key_lines(node) if node is not None else {}
        raise ConfigError("\n".join(_describe(err, data, lines, origin) for err in exc.errors())) from None


def _describe(err: Any, data: dict[str, Any], lines: dict[tuple[Any, ...], int], origin: str) -> str:
    loc = tuple(err["loc"])
    line = next((lines[loc[:i]] for i in range(len(loc), 0, -1) if loc[:i] in lines), None)
    where = f"{origin}:{line}" if line else origin
    message = err["msg"].removeprefix("Value error, ")
    if len(loc) >= 2 and loc[0] == "sources" and isinstance(loc[1], int):
        entries = data.get("sources") or []
        entry = entries[loc[1]] if loc[1] < len(entries) else None
        name = entry.get("name") if isinstance(entry, dict) else None
        label = f"source {name!r}" if name else f"source #{loc[1] + 1}"
        key = ".".join(str(p) for p in loc[2:])
        return f"{where}: {label}: " + (f"key {key!r}: {message}" if key else message)
    return f"{where}: {message}"


def load_sources(path: str | Path, names: list[str] | tuple[str, ...] = ()) -> list[Source]:
    """Read a sources file; with ``names``, keep only those (each must exist)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read sources file: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text: {exc}") from None
    sources = parse_sources(text, str(path))
    if names:
        known = {s.name: s for s in sources}
        missing = [n for n in names if n not in known]
        if missing:
            raise ConfigError(f"{path}: no source named {', '.join(map(repr, missing))} "
                              f"(known: {', '.join(sorted(known))})")
        sources = [known[n] for n in names]
    return sources
