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


def automaton_of(words: Mapping[str, object]) -> ahocorasick.Automaton | None:
    """An Aho-Corasick automaton over ``words`` (each with its payload); None when there is nothing to find."""
    if not words:
        return None
    automaton = ahocorasick.Automaton()
    for word, payload in words.items():
        automaton.add_word(word, payload)
    automaton.make_automaton()
    return automaton


def needs_word_start(keyword: str) -> bool:
    return keyword[:1].isascii() and keyword[:1].isalnum()


class KeywordMatcher:
    """Keywords grouped under ids (a sector, a topic…); finds where each id is first named in a text."""

    def __init__(self, keywords: Mapping[str, Iterable[str]]) -> None:
        by_keyword: dict[str, list[str]] = {}
        for key, words in keywords.items():
            for word in words:
                folded = fold(str(word).strip())
                if folded and key not in by_keyword.setdefault(folded, []):
                    by_keyword[folded].append(key)
        self._automaton = automaton_of({folded: (len(folded), needs_word_start(folded), tuple(keys))
                                      for folded, keys in by_keyword.items()})

    def first_positions(self, text: str) -> dict[str, int]:
        """Each id named in ``text`` → where it is first named."""
        found: dict[str, int] = {}
        if self._automaton is None or not text:
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


class Anchors:
    """Where each of many literal strings occurs in a text, case-insensitively, in one pass.

    For pre-filters: a caller looks for a costly pattern only around the places its literal anchor
    occurs, so an anchor may be found more often (any case) than the pattern then matches.
    """

    def __init__(self, anchors: list[str]) -> None:
        by_anchor: dict[str, list[int]] = {}
        for number, anchor in enumerate(anchors):
            by_anchor.setdefault(fold(anchor), []).append(number)
        self._automaton = automaton_of({folded: (len(folded), tuple(numbers))
                                      for folded, numbers in by_anchor.items() if folded})

    def occurrences(self, text: str) -> dict[int, list[tuple[int, int]]]:
        """Anchor number → (start, end) of each occurrence, in text order."""
        found: dict[int, list[tuple[int, int]]] = {}
        if self._automaton is None or not text:
            return found
        for end, (length, numbers) in self._automaton.iter(fold(text)):
            for number in numbers:
                found.setdefault(number, []).append((end - length + 1, end + 1))
        for spans in found.values():
            spans.sort()
        return found


_LATIN_LETTER = re.compile(r"[A-Za-zÀ-ÿ]")


def _is_word(text: str, index: int) -> bool:
    return 0 <= index < len(text) and (text[index].isalnum() or text[index] == "_")


def _word_boundary(text: str, index: int) -> bool:
    """Python's ``\\b`` between ``text[index - 1]`` and ``text[index]``."""
    return _is_word(text, index - 1) != _is_word(text, index)


def _latin_edge(text: str, index: int) -> bool:
    return not (0 <= index < len(text) and _LATIN_LETTER.match(text[index]))


class NameFinder:
    """The names of a list found in a text as a regex alternation of them (longest first) would find them.

    That is: scanning left to right, at each position the longest name that fits its boundary rule, then
    on after it; ``finditer`` of ``\\b(?:names)\\b`` and friends, in one Aho-Corasick pass instead of
    trying every name at every position. ``boundary``: ``None`` (anywhere), ``"word"`` (``\\b`` at both
    ends) or ``"latin"`` (no Latin letter right before or after: proper nouns beside CJK text).
    """

    def __init__(self, names: Iterable[str], *, ignore_case: bool = False, boundary: str | None = None) -> None:
        if boundary not in (None, "word", "latin"):
            raise ValueError(f"unknown boundary rule {boundary!r}")
        self.ignore_case, self.boundary = ignore_case, boundary
        self._automaton = automaton_of({key: len(key) for key in (fold(n) if ignore_case else n for n in names if n)})

    def _fits(self, text: str, start: int, end: int) -> bool:
        if self.boundary == "word":
            return _word_boundary(text, start) and _word_boundary(text, end)
        if self.boundary == "latin":
            return _latin_edge(text, start - 1) and _latin_edge(text, end)
        return True

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of each name found, in text order, not overlapping."""
        if self._automaton is None or not text:
            return []
        haystack = fold(text) if self.ignore_case else text
        candidates = []
        for last, length in self._automaton.iter(haystack):
            start, end = last - length + 1, last + 1
            if self._fits(text, start, end):
                candidates.append((start, -length))
        found: list[tuple[int, int]] = []
        resume = 0
        for start, negative_length in sorted(candidates):
            if start >= resume:
                found.append((start, start - negative_length))
                resume = start - negative_length
        return found
