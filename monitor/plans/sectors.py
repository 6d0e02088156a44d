"""Future-industry sectors a text is about, from the shipped zh/en/de taxonomy (monitor/data/sectors.yaml).

A field (humanoid-robots, 6g, hydrogen…) implies its direction (future-manufacturing, future-information,
future-energy…); a direction can also be named on its own (未来材料, "future materials").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from monitor.keywords import KeywordMatcher
from monitor.plans.data import load_yaml, require


@dataclass(frozen=True, slots=True)
class Sector:
    id: str
    direction: str  # the direction id (equal to id for a direction)
    names: dict[str, str]
    keywords: list[str]


def keyword_pattern(keywords: list[str]) -> re.Pattern[str]:
    """zh keywords as substrings; Latin ones case-insensitive and starting at a word boundary."""
    parts = []
    for keyword in sorted(set(keywords), key=len, reverse=True):
        escaped = re.escape(keyword)
        parts.append(escaped if not keyword[:1].isascii() or not keyword[:1].isalnum()
                     else rf"(?<![A-Za-z0-9À-ÿ]){escaped}")
    return re.compile("|".join(parts) or r"(?!)", re.I)


class Taxonomy:
    def __init__(self, data: dict, file: str = "sectors.yaml") -> None:
        self.sectors: dict[str, Sector] = {}
        self.patterns: list[tuple[str, re.Pattern[str]]] = []  # for short texts (titles), see grouping.py
        for direction in require(data, "directions", file):
            did = require(direction, "id", file)
            self._add(did, did, direction, file)
            for field in direction.get("fields", []):
                self._add(require(field, "id", file), did, field, file)
        self.matcher = KeywordMatcher({sid: sector.keywords for sid, sector in self.sectors.items()})

    def _add(self, sid: str, direction: str, entry: dict, file: str) -> None:
        if sid in self.sectors:
            raise ValueError(f"{file}: sector id {sid!r} used twice")
        words = [str(w) for lang_words in entry.get("keywords", {}).values() for w in lang_words]
        self.sectors[sid] = Sector(sid, direction, dict(entry.get("names", {})), words)
        self.patterns.append((sid, keyword_pattern(words)))

    def find(self, text: str) -> list[str]:
        """Sector ids (fields and their directions) named in ``text``, fields first by first mention."""
        hits = [(start, sid) for sid, start in self.matcher.first_positions(text).items()]
        fields = [sid for _, sid in sorted(hits) if self.sectors[sid].direction != sid]
        directions = {sid for _, sid in hits if self.sectors[sid].direction == sid}
        directions |= {self.sectors[f].direction for f in fields}
        return fields + sorted(directions)

    def name(self, sector_id: str, language: str = "en") -> str:
        sector = self.sectors.get(sector_id)
        return sector.names.get(language, sector_id) if sector else sector_id


@lru_cache(maxsize=4)
def taxonomy(path: str | None = None) -> Taxonomy:
    return Taxonomy(load_yaml("sectors.yaml", path), path or "sectors.yaml")


def sectors(text: str) -> list[str]:
    return taxonomy().find(text)
