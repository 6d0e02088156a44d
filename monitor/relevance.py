"""Is a page about future industries? Pages that are not are archived but stay out of the feeds."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

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
    return unicodedata.normalize("NFKC", text).casefold()


@lru_cache(maxsize=64)
def _matcher(topics: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = []
    for topic in topics:
        folded = _fold(topic)
        # An ASCII keyword must not start inside a word ("16gb" is not "6g"); short ones not end in one.
        prefix = r"(?<![a-z0-9])" if folded[:1].isascii() and folded[:1].isalnum() else ""
        suffix = r"(?![a-z0-9])" if folded.isascii() and len(folded) <= 3 else ""
        alternatives.append(prefix + re.escape(folded) + suffix)
    return re.compile("|".join(alternatives))


def matched_topics(text: str, topics: Iterable[str] | None = None) -> list[str]:
    """The topic keywords found in ``text`` (in order of first appearance, each once)."""
    topics = tuple(DEFAULT_TOPICS if topics is None else topics)
    if not topics:
        return []
    return list(dict.fromkeys(m.group(0) for m in _matcher(topics).finditer(_fold(text))))


def is_relevant(text: str, topics: Iterable[str] | None = None) -> bool:
    """``topics=None`` uses the defaults; an empty list means every page is relevant."""
    topics = tuple(DEFAULT_TOPICS if topics is None else topics)
    if not topics:
        return True
    return _matcher(topics).search(_fold(text)) is not None  # the first hit decides: no full scan
