"""Load and validate ``sources.yaml``: every watched site is a declarative entry, not a class.

What comes out is plain ``monitor.source.Source`` data; this module (PyYAML, pydantic) is only needed
where a file is read.

Errors name the file, the line, the source and the key, because a config with dozens of sources
is edited by hand and a bare "validation error" helps nobody.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml
from cssselect import HTMLTranslator, SelectorError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic.dataclasses import dataclass as pydantic_dataclass

from monitor.plans.data import YAML_LOADER
from monitor.recheck import RecheckPolicy
from monitor.recheck import parse_duration as parse_interval
from monitor.schedule import parse_duration, parse_schedule
from monitor.source import Source

__all__ = ["KIND_OPTIONS", "KNOWN_KINDS", "ConfigError", "Source", "load_sources", "parse_sources"]

NAME_PATTERN = r"^[a-z0-9][a-z0-9-]*$"

# The source kinds the crawler registers (crawlers.kinds.KINDS; a test keeps the two equal). Listed
# here because monitor must not import the crawler.
KNOWN_KINDS = ("html", "trs", "govcn-json", "miit-buildstatic", "gkmlpt", "hanweb")


@dataclass(frozen=True, slots=True)
class KindOption:
    """One key of a source's ``options:`` mapping: its type, whether it is required, what it does."""

    type: type | tuple[type, ...]
    help: str
    required: bool = False
    choices: tuple[str, ...] = ()
    css: bool = False  # a CSS selector, checked when the file is read


_MAX_LIST_PAGES = KindOption(int, "how many list pages (or API pages) to read per run, from the first")

# Options each kind accepts; anything else under ``options:`` is an error naming the key.
KIND_OPTIONS: dict[str, dict[str, KindOption]] = {
    "html": {},
    "trs": {
        "list_css": KindOption(str, "CSS selector of the article links (default 'ul.u-list li a'; "
                                    "all links when it matches nothing)", css=True),
        "max_list_pages": _MAX_LIST_PAGES,
    },
    "govcn-json": {
        "items_path": KindOption(str, "dotted path to the item array in the JSON (default: the top level)"),
        "url_field": KindOption(str, "item field holding the article URL (default 'URL')"),
        "title_field": KindOption(str, "item field holding the title (default 'TITLE')"),
        "published_field": KindOption(str, "item field holding the publication time (default 'DOCRELPUBTIME')"),
    },
    "miit-buildstatic": {
        "script_css": KindOption(str, "CSS selector of the script element (default 'script[parseType=buildstatic]')",
                                 css=True),
        "html_path": KindOption(str, "dotted path to the list HTML in the JSON answer (default 'data.html')"),
        "max_list_pages": _MAX_LIST_PAGES,
    },
    "gkmlpt": {
        "categories": KindOption(list, "category (column) ids of /gkmlpt/api/all/{category}", required=True),
        "sid": KindOption((str, int), "site id; read from window._CONFIG on /gkmlpt/index when not given"),
        "max_list_pages": _MAX_LIST_PAGES,
    },
    "hanweb": {
        "max_list_pages": _MAX_LIST_PAGES,
        "dataproxy": KindOption(str, "how further records are fetched from dataproxy.jsp: 'post' (record windows, "
                                     "as the jpage pager does), 'get' (?page=N from <nextgroup>) or 'auto' "
                                     "(default: post when the page configures a jpage pager)",
                                choices=("auto", "post", "get")),
        "dataproxy_params": KindOption(dict, "form fields of the dataproxy.jsp POST (webid, columnid, unitid…); "
                                             "they replace what the page's jpage script says"),
        "records_per_request": KindOption(int, "records per dataproxy.jsp POST window (default: the pager's "
                                               "perPage × groupSize, else 45)"),
    },
}


_STRICT_KEYS = ConfigDict(extra="forbid")


class ConfigError(Exception):
    """A sources file that cannot be used; the message says where and why."""


def check_css(selector: str) -> str:
    """Reject a CSS selector lxml and parsel cannot use, when the file is read rather than on every page.

    Both translate CSS to XPath with cssselect, so its translator decides; pseudo-elements such as
    ``::text`` are refused because the crawler adds its own.
    """
    try:
        HTMLTranslator().css_to_xpath(selector)
    except SelectorError as exc:
        raise ValueError(f"invalid CSS selector {selector!r}: {exc}") from None
    return selector


def _compile_all(patterns: list[str]) -> list[str]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
    return patterns


_AT_LEAST = {"max_pages": 1, "max_depth": 0, "removed_after": 1}


@pydantic_dataclass(frozen=True, kw_only=True, config=_STRICT_KEYS)
class _CheckedRecheck(RecheckPolicy):
    """Validation of a source's ``recheck:`` mapping (the policy itself is ``monitor.recheck.RecheckPolicy``)."""

    @field_validator("new_every", "old_every", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> float:
        return parse_interval(value)  # 0 allowed: "every run"

    @field_validator("new_days")
    @classmethod
    def _not_negative(cls, days: float) -> float:
        if days < 0:
            raise ValueError("Input should be greater than or equal to 0")
        return days


@pydantic_dataclass(frozen=True, kw_only=True, config=_STRICT_KEYS)
class _CheckedSource(Source):
    """Validation of one entry of a sources file; ``load_sources`` hands out plain ``Source`` objects.

    A subclass so that the fields, their types and defaults are declared once, in ``monitor.source``.
    """

    recheck: _CheckedRecheck = field(default_factory=_CheckedRecheck)

    @field_validator("name")
    @classmethod
    def _name(cls, name: str) -> str:
        if not re.match(NAME_PATTERN, name):
            raise ValueError(f"String should match pattern '{NAME_PATTERN}'")
        return name

    @field_validator("start_urls", "sitemap_urls", "feed_urls")
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

    @field_validator("content_css")
    @classmethod
    def _content_selector(cls, selector: str | None) -> str | None:
        return None if selector is None else check_css(selector)

    @field_validator("ignore_css")
    @classmethod
    def _ignore_selectors(cls, selectors: list[str]) -> list[str]:
        return [check_css(selector) for selector in selectors]

    @field_validator("schedule")
    @classmethod
    def _valid_schedule(cls, text: str | None) -> str | None:
        if text is not None:
            parse_schedule(text)
        return text

    @field_validator("timeout", mode="before")
    @classmethod
    def _timeout_seconds(cls, value: Any) -> Any:
        return parse_duration(value) if isinstance(value, str) else value

    @field_validator("timeout")
    @classmethod
    def _positive_timeout(cls, seconds: float | None) -> float | None:
        if seconds is not None and seconds <= 0:
            raise ValueError("Input should be greater than 0")
        return seconds

    @field_validator(*_AT_LEAST)
    @classmethod
    def _at_least(cls, value: int, info: ValidationInfo) -> int:
        least = _AT_LEAST[info.field_name or ""]
        if value < least:
            raise ValueError(f"Input should be greater than or equal to {least}")
        return value

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        if kind not in KNOWN_KINDS:
            raise ValueError(f"unknown kind {kind!r} (known: {', '.join(KNOWN_KINDS)})")
        return kind

    @field_validator("options")
    @classmethod
    def _kind_options(cls, options: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        kind = info.data.get("kind")
        if kind is None:  # the kind itself was invalid; that error is reported already
            return options
        return check_kind_options(kind, options)

    @model_validator(mode="after")
    def _something_to_archive(self) -> _CheckedSource:
        if not (self.start_urls or self.sitemap_urls or self.feed_urls):
            raise ValueError("give at least one of start_urls, sitemap_urls, feed_urls")
        if not self.allow:
            raise ValueError("'allow' is empty: give at least one regex for the article pages to archive")
        return self


def check_kind_options(kind: str, options: dict[str, Any]) -> dict[str, Any]:
    """Reject options the kind does not know, of the wrong type, or missing when required."""
    spec = KIND_OPTIONS.get(kind, {})
    for key, value in options.items():
        if key not in spec:
            known = ", ".join(sorted(spec)) or "none"
            raise ValueError(f"option {key!r} is not known to kind {kind!r} (known: {known})")
        option = spec[key]
        types = option.type if isinstance(option.type, tuple) else (option.type,)
        if not isinstance(value, types) or isinstance(value, bool):
            names = " or ".join(t.__name__ for t in types)
            raise ValueError(f"option {key!r} must be {names}, not {type(value).__name__}")
        if isinstance(value, int) and value < 1:
            raise ValueError(f"option {key!r} must be at least 1")
        if isinstance(value, list) and not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
            raise ValueError(f"option {key!r} must be a list of names or numbers")
        if isinstance(value, list) and not value:
            raise ValueError(f"option {key!r} must not be empty")
        if isinstance(value, dict) and not all(
                isinstance(k, str) and isinstance(v, (str, int)) and not isinstance(v, bool) for k, v in value.items()):
            raise ValueError(f"option {key!r} must map names to strings or numbers")
        if option.choices and value not in option.choices:
            raise ValueError(f"option {key!r} must be one of {', '.join(map(repr, option.choices))}, not {value!r}")
        if option.css:
            try:
                check_css(value)
            except ValueError as exc:
                raise ValueError(f"option {key!r}: {exc}") from None
    missing = [key for key, option in spec.items() if option.required and key not in options]
    if missing:
        raise ValueError(f"kind {kind!r} needs option {', '.join(map(repr, missing))}")
    return options


class SourcesFile(BaseModel):
    model_config = _STRICT_KEYS
    sources: list[_CheckedSource] = Field(min_length=1)

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




class _UniqueKeyLoader(YAML_LOADER):  # type: ignore[misc,valid-type]
    """The sources file's loader: a key given twice in one mapping is an error, not "the last one wins".

    Two ``kind:`` lines in one source would otherwise crawl with whichever came last, silently.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, str | int) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} is given twice in this mapping", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


def parse_sources(text: str, origin: str = "<sources>") -> list[Source]:
    """Validate the YAML text of a sources file."""
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a safe loader, C or Python
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{origin}:{mark.line + 1}" if mark else origin
        raise ConfigError(f"{where}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: expected a mapping with a 'sources' list")
    try:
        checked = SourcesFile.model_validate(data).sources
    except ValidationError as exc:
        node = yaml.compose(text, Loader=YAML_LOADER)  # parsed again only to say which line is wrong
        lines = _key_lines(node) if node is not None else {}
        raise ConfigError("\n".join(_describe(err, data, lines, origin) for err in exc.errors())) from None
    return [Source.from_dict(source.to_dict()) for source in checked]


# What a pydantic dataclass says of a missing or unknown key, in the words a model would use.
_PLAIN_MESSAGES = {"unexpected_keyword_argument": "Extra inputs are not permitted",
                   "missing_keyword_only_argument": "Field required"}


def _describe(err: Any, data: dict[str, Any], lines: dict[tuple[Any, ...], int], origin: str) -> str:
    loc = tuple(err["loc"])
    message = _PLAIN_MESSAGES.get(err["type"]) or err["msg"].removeprefix("Value error, ")
    option = re.match(r"option '([^']+)'", message)
    if option and loc and loc[-1] == "options":
        loc = (*loc, option.group(1))  # point at the option's own line
    line = next((lines[loc[:i]] for i in range(len(loc), 0, -1) if loc[:i] in lines), None)
    where = f"{origin}:{line}" if line else origin
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
