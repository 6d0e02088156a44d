"""Regions named in a text, from the shipped gazetteer (monitor/data/regions.yaml).

Chinese names match as substrings (longest first, so 广东省 wins over 广东); English/pinyin and German
names match as whole words, case-sensitively, since they are proper nouns ("Canton"/"Kanton" for
Guangzhou, "Peking" for Beijing).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from monitor.keywords import NameFinder
from monitor.plans.data import load_yaml, require


@dataclass(frozen=True, slots=True)
class Region:
    id: str
    level: str  # national | province | city
    names: tuple[str, ...]  # every name, zh first
    parent: str | None
    scan: bool  # found by name in text (cn is not: it comes from national issuers)

    @property
    def display(self) -> str:
        return self.names[0]


@dataclass(frozen=True, slots=True)
class RegionMention:
    region: str
    start: int
    end: int
    text: str


class Gazetteer:
    """Names → regions. Build one with :func:`gazetteer` (cached) or from a user's file."""

    def __init__(self, entries: list[dict], file: str = "regions.yaml") -> None:
        self.regions: dict[str, Region] = {}
        self.by_name: dict[str, str] = {}
        zh: list[str] = []
        latin: list[str] = []
        for entry in entries:
            rid = require(entry, "id", file)
            names = tuple(entry.get("zh", [])) + tuple(entry.get("en", [])) + tuple(entry.get("de", []))
            region = Region(rid, entry.get("level", "province"), names, entry.get("parent"), entry.get("scan", True))
            self.regions[rid] = region
            for name in names:
                self.by_name.setdefault(name.casefold(), rid)
            if region.scan:
                zh.extend(entry.get("zh", []))
                latin.extend(entry.get("en", []) + entry.get("de", []))
        self.zh_names = sorted(set(zh), key=len, reverse=True)
        self.latin_names = sorted(set(latin), key=len, reverse=True)
        self.zh_alternation = "|".join(map(re.escape, self.zh_names))
        self.latin_alternation = "|".join(map(re.escape, self.latin_names))
        # found like the alternation (?:zh)|(?<![A-Za-zÀ-ÿ])(?:latin)(?![A-Za-zÀ-ÿ]), in one pass each
        self.zh_finder = NameFinder(self.zh_names)
        self.latin_finder = NameFinder(self.latin_names, boundary="latin")
        # The names' first characters (the finders are case-sensitive): a text without any names none of
        # them, and a class search tells that quicker than the automaton's walk over every character. Chinese
        # pages are left without a Latin scan, English ones without a Chinese one.
        self.zh_starts, self.latin_starts = (
            re.compile(f"[{''.join(sorted({re.escape(n[0]) for n in names if n}))}]" if any(names) else r"(?!)")
            for names in (self.zh_names, self.latin_names))

    def lookup(self, name: str | None) -> str | None:
        """The region id for a name or id ("Guangdong", "广东省", "guangdong"); None if unknown."""
        if not name:
            return None
        key = name.strip().casefold()
        if key in self.regions:
            return key
        return self.by_name.get(key)

    def province_of(self, region_id: str | None) -> str | None:
        if region_id is None or region_id not in self.regions:
            return None
        region = self.regions[region_id]
        return region.parent if region.level == "city" else region_id

    def mentions(self, text: str) -> list[RegionMention]:
        zh = self.zh_finder.spans(text) if self.zh_starts.search(text) else []
        latin = self.latin_finder.spans(text) if self.latin_starts.search(text) else []
        spans = sorted(zh + latin)  # scripts never overlap
        return [RegionMention(self.by_name[text[start:end].casefold()], start, end, text[start:end])
                for start, end in spans]


def most_named(mentions: list[RegionMention]) -> str | None:
    """The region of ``mentions`` (in text order) named most often, the first named winning a tie; None when
    there are none. For a caller that also needs the mentions themselves: the scan is the costly part."""
    found = [m.region for m in mentions]
    if not found:
        return None
    counts = Counter(found)
    best = max(counts.values())
    return next(r for r in found if counts[r] == best)


@lru_cache(maxsize=4)
def gazetteer(path: str | None = None) -> Gazetteer:
    return Gazetteer(load_yaml("regions.yaml", path), path or "regions.yaml")
