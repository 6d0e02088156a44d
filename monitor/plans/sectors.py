"""Future-industry sectors a text is about, from the shipped zh/en/de taxonomy (monitor/data/sectors.yaml).

A field (humanoid-robots, 6g, hydrogen…) implies its direction (future-manufacturing, future-information,
future-energy…); a direction can also be named on its own (未来材料, "future materials").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from monitor.keywords import KeywordMatcher, needs_word_start
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


def _is_substring_keyword(keyword: str) -> bool:
    """keyword_pattern finds this keyword exactly where ``in`` does: no look-behind (it does not start with
    a Latin letter or digit) and no character that has another case, so re.I compares it as written."""
    return not needs_word_start(keyword) and all(c.lower() == c == c.upper() for c in keyword)


class KeywordTest:
    """Whether ``keyword_pattern(keywords).search(text)`` finds anything, for short texts (titles).

    An alternation finds something iff one of its keywords matches somewhere, so the keywords that
    match as plain substrings (Chinese ones) are tested with ``in``, and only the others with a regex.
    """

    def __init__(self, keywords: list[str]) -> None:
        unique = sorted(set(keywords), key=len, reverse=True)
        self.substrings = tuple(k for k in unique if _is_substring_keyword(k))
        self.others = [k for k in unique if not _is_substring_keyword(k)]
        self.pattern = keyword_pattern(self.others) if self.others else None

    def found_in(self, text: str, others_possible: bool = True) -> bool:
        """``others_possible=False``: the caller knows no keyword of ``others`` occurs in ``text``."""
        if any(keyword in text for keyword in self.substrings):
            return True
        return others_possible and self.pattern is not None and self.pattern.search(text) is not None


class Taxonomy:
    def __init__(self, data: dict, file: str = "sectors.yaml") -> None:
        self.sectors: dict[str, Sector] = {}
        self.tests: list[tuple[str, KeywordTest]] = []  # for short texts (titles), see grouping.py
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
        self.tests.append((sid, KeywordTest(words)))

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
