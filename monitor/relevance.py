"""Is a page about future industries? Pages that are not are archived but stay out of the feeds."""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from monitor.keywords import automaton_of
from monitor.normalize import nfkc

DEFAULT_TOPICS: tuple[str, ...] = (
    # zh
    "未来产业", "人形机器人", "具身智能", "智能机器人", "脑机接口", "类脑", "6G", "量子", "元宇宙",
    "通用人工智能", "人工智能", "合成生物", "生物制造", "细胞与基因", "基因技术", "细胞和基因", "氢能",
    "新型储能", "深海", "空天", "商业航天", "卫星互联网", "低空经济", "先进核能", "核聚变", "未来网络",
    "前沿新材料", "未来材料", "未来能源", "未来制造", "未来信息", "未来健康", "未来空间",
    # en
    "future industr", "humanoid robot", "embodied ai", "embodied intelligence", "brain-computer",
    "brain–computer", "brain computer interface", "quantum", "metaverse", "general artificial intelligence",
    "artificial general intelligence", "general ai", "synthetic biology", "gene therapy", "cell and gene",
    "hydrogen", "energy storage", "deep sea", "deep-sea", "aerospace", "low-altitude economy",
    "advanced nuclear", "nuclear fusion", "future network",
    # de
    "zukunftsindustrie", "zukünftige branche", "zukünftiger branche", "zukünftigen branche", "zukunftsbranche",
    "humanoide roboter", "gehirn-computer", "hirn-maschine", "quanten", "synthetische biologie",
    "wasserstoff", "tiefsee", "raumfahrt", "weltraum", "gentechnologie", "zell- und gen",
)


def _fold(text: str) -> str:
    return nfkc(text).casefold()


def _boundaries(folded: str) -> tuple[bool, bool]:
    """An ASCII keyword must not start inside a word ("16gb" is not "6g"); short ones not end in one."""
    return folded[:1].isascii() and folded[:1].isalnum(), folded.isascii() and len(folded) <= 3


@lru_cache(maxsize=64)
def _matcher(topics: tuple[str, ...]) -> re.Pattern[str]:
    """The keywords as one regex: the definition of a match, which ``_KeywordIndex`` follows in one pass."""
    alternatives = []
    for topic in topics:
        folded = _fold(topic)
        prefix, suffix = _boundaries(folded)
        alternatives.append(
            (r"(?<![a-z0-9])" if prefix else "") + re.escape(folded) + (r"(?![a-z0-9])" if suffix else ""))
    return re.compile("|".join(alternatives))


_WORD_CHAR = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


class _KeywordIndex:
    """All keywords found in one pass over the text (Aho-Corasick), with the regex's answers.

    The alternation regex tries every keyword at every position, so its cost grew with the keyword
    list (7% of a crawl's CPU in a py-spy profile). The answers are the regex's: at the leftmost position
    where some keyword matches (boundaries included), the first keyword in list order wins, and the
    search goes on after it.
    """

    def __init__(self, topics: tuple[str, ...]) -> None:
        words: dict[str, tuple[int, int, bool, bool]] = {}
        for index, topic in enumerate(topics):
            folded = _fold(topic)
            words.setdefault(folded, (index, len(folded), *_boundaries(folded)))  # a repeat: the first is the regex's
        automaton = automaton_of(words)
        assert automaton is not None, "_index builds an index only for keywords that fold to something"
        self.automaton = automaton

    def _hits(self, folded_text: str) -> Iterator[tuple[int, int, int]]:
        """(start, keyword index, end) of each keyword occurrence whose boundaries hold, by end position."""
        size = len(folded_text)
        for last, (index, length, prefix, suffix) in self.automaton.iter(folded_text):
            start = last - length + 1
            if prefix and start > 0 and folded_text[start - 1] in _WORD_CHAR:
                continue
            if suffix and last + 1 < size and folded_text[last + 1] in _WORD_CHAR:
                continue
            yield start, index, last + 1

    def any(self, folded_text: str) -> bool:
        return next(self._hits(folded_text), None) is not None

    def matches(self, folded_text: str) -> list[str]:
        taken, position = [], 0
        for start, _, end in sorted(self._hits(folded_text)):
            if start >= position:
                taken.append(folded_text[start:end])
                position = end
        return taken


@lru_cache(maxsize=64)
def _index(topics: tuple[str, ...]) -> _KeywordIndex | None:
    """None when a keyword folds to nothing (it matches everywhere): the regex answers then."""
    return None if any(not _fold(topic) for topic in topics) else _KeywordIndex(topics)


def matched_topics(text: str, topics: Iterable[str] | None = None) -> list[str]:
    """The topic keywords found in ``text`` (in order of first appearance, each once)."""
    topics = tuple(DEFAULT_TOPICS if topics is None else topics)
    if not topics:
        return []
    index = _index(topics)
    if index is None:
        return list(dict.fromkeys(m.group(0) for m in _matcher(topics).finditer(_fold(text))))
    return list(dict.fromkeys(index.matches(_fold(text))))


def is_relevant(text: str, topics: Iterable[str] | None = None) -> bool:
    """``topics=None`` uses the defaults; an empty list means every page is relevant."""
    topics = tuple(DEFAULT_TOPICS if topics is None else topics)
    if not topics:
        return True
    index = _index(topics)
    if index is None:
        return _matcher(topics).search(_fold(text)) is not None
    return index.any(_fold(text))  # the first hit decides: no full scan
