"""Find many keywords in one pass over a text: :class:`KeywordMatcher`.

The sector taxonomy alone has hundreds of zh/en/de keywords; one regex per sector scanned a page 30
times over, and a case-insensitive alternation behind a look-behind cannot skip ahead, so it tried every
position (8 ms on a 10 KB page, more than the rest of the plan analysis together). An Aho-Corasick
automaton (pyahocorasick) reports every occurrence of every keyword, overlapping ones included, in one
pass. Matching rules are those the data files were written for (see ``keyword_pattern``): case does not
matter, and a keyword that starts with a Latin letter or digit must start a word ("AI" is not found in
"Thailand"); Chinese keywords match anywhere.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import ahocorasick

_WORD_CHAR = re.compile(r"[A-Za-z0-9À-ÿ]")


def fold(text: str) -> str:
    """Lower-case ``text`` without changing its length, so match positions stay positions in ``text``."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def needs_word_start(keyword: str) -> bool:
    return keyword[:1].isascii() and keyword[:1].isalnum()


class KeywordMatcher:
    """Keywords grouped under ids (a sector, a topic…); finds where each id is first named in a text."""

    def __init__(self, keywords: Mapping[str, Iterable[str]]) -> None:
        self._automaton = ahocorasick.Automaton()
        by_keyword: dict[str, list[str]] = {}
        for key, words in keywords.items():
            for word in words:
                folded = fold(str(word).strip())
                if folded and key not in by_keyword.setdefault(folded, []):
                    by_keyword[folded].append(key)
        for folded, keys in by_keyword.items():
            self._automaton.add_word(folded, (len(folded), needs_word_start(folded), tuple(keys)))
        self.empty = not by_keyword
        if not self.empty:
            self._automaton.make_automaton()

    def first_positions(self, text: str) -> dict[str, int]:
        """Each id named in ``text`` → where it is first named."""
        found: dict[str, int] = {}
        if self.empty or not text:
            return found
        for end, (length, word_start, keys) in self._automaton.iter(fold(text)):
            start = end - length + 1
            if word_start and start > 0 and _WORD_CHAR.match(text, start - 1):
                continue
            for key in keys:
                if key not in found or start < found[key]:
                    found[key] = start
        return found

    def ids(self, text: str) -> set[str]:
        return set(self.first_positions(text))
