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


def _uncased(char: str) -> bool:
    """A character without another case: re.I compares it as written."""
    return char.lower() == char == char.upper()


def _is_substring_keyword(keyword: str) -> bool:
    """keyword_pattern finds this keyword exactly where ``in`` does: no look-behind (it does not start with
    a Latin letter or digit) and no character that has another case."""
    return not needs_word_start(keyword) and all(map(_uncased, keyword))


def _lead(keyword: str) -> str:
    """The characters without another case a keyword starts with ("通用" of "通用AI", "6" of "6G")."""
    end = 0
    while end < len(keyword) and _uncased(keyword[end]):
        end += 1
    return keyword[:end]


class KeywordTests:
    """For many keyword lists, which ones ``keyword_pattern(keywords).search(text)`` finds something of,
    for short texts (titles): a plan's type, concepts and modifiers.

    An alternation finds something iff one of its keywords matches somewhere. Keywords that match as
    plain substrings (Chinese ones) are looked up by their first character among the title's characters
    and tested with ``in``; the others (Latin, with the word-start rule) are searched for with their
    lists' patterns, and only in a text that can hold one: one holding the characters one of them starts
    with that have no other case (``leads``, as written), or a character a keyword starts with that has
    (``starts``: re.I matches a one-character class exactly where it matches that character).
    """

    def __init__(self, lists: list[list[str]]) -> None:
        self.by_first: dict[str, list[tuple[str, int]]] = {}
        self.always: set[int] = set()  # lists holding "", which is in every text
        self.patterns: list[tuple[int, re.Pattern[str]]] = []
        starts: set[str] = set()
        leads: set[str] = set()
        for number, keywords in enumerate(lists):
            others = sorted({k for k in keywords if not _is_substring_keyword(k)})
            for keyword in {k for k in keywords if _is_substring_keyword(k)}:
                if keyword:
                    self.by_first.setdefault(keyword[0], []).append((keyword, number))
                else:
                    self.always.add(number)
            if others:
                self.patterns.append((number, keyword_pattern(others)))
                leads.update(_lead(k) for k in others if _lead(k))
                starts.update(k[0] for k in others if not _lead(k))
        self.leads = tuple(sorted(leads))
        self.starts = re.compile(f"[{''.join(map(re.escape, sorted(starts)))}]" if starts else r"(?!)", re.I)

    def found(self, text: str) -> set[int]:
        """The numbers of the lists (in the order given) with a keyword in ``text``."""
        hits = set(self.always)
        for char in set(text):
            keywords = self.by_first.get(char)
            if keywords:  # most characters start no keyword
                hits.update(number for keyword, number in keywords if keyword in text)
        if self.patterns and (any(lead in text for lead in self.leads) or self.starts.search(text)):
            hits.update(number for number, pattern in self.patterns if number not in hits and pattern.search(text))
        return hits


class Taxonomy:
    def __init__(self, data: dict, file: str = "sectors.yaml") -> None:
        self.sectors: dict[str, Sector] = {}
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
