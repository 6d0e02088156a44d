"""Noise removal and the comparison form of a text.

Two versions of a page are the same plan text when their *normalised* forms are equal: Unicode
NFKC (full-width letters, digits and punctuation become half-width), collapsed white space, and
none of the boilerplate that changes on every visit (view counters, print/close links, font-size
toggles, share bars, "last updated" stamps).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

# Phrases removed wherever they stand in a line (a counter beside the date in an article header).
DEFAULT_NOISE_PATTERNS: tuple[str, ...] = (
    r"(?:浏览|阅读|访问|点击|查看)(?:次数|量|数)\s*[:：]?\s*\d[\d,]*\s*次?",
    r"(?:访问量|浏览量|阅读量|点击量|点击率)\s*[:：]?\s*\d[\d,]*",
    r"【?\s*(?:打印本页|打印此页|打印正文|打印|关闭窗口|关闭本页|关闭|收藏|返回顶部)\s*】?(?=\s|$|】|\|)",
    r"【?\s*字[体号]\s*[:：]?\s*[【\[]?\s*大\s*[】\]]?\s*[【\[]?\s*中\s*[】\]]?\s*[【\[]?\s*小\s*[】\]]?\s*】?",
    r"分享到\s*[:：].{0,40}$",
    r"\b(?:last\s+(?:updated|modified)|updated)\s*(?:on|at)?\s*[:：]?\s*"
    r"[\w ,.:/+-]{0,40}\d{1,2}[:.]\d{2}(?:\s*(?:am|pm|utc|gmt|cst))?",
    r"\blast\s+(?:updated|modified)\s*(?:on)?\s*[:：]?\s*[\w ,./-]{0,30}\d{4}",
    r"\b\d[\d,.]*\s+(?:views|reads|page views)\b",
    r"\b(?:views|page views)\s*[:：]\s*\d[\d,.]*",
    r"zuletzt\s+(?:aktualisiert|geändert)\s*(?:am)?\s*[:：]?\s*[\w ,./:-]{0,30}\d{2,4}(?:\s*uhr)?",
    r"seitenaufrufe\s*[:：]?\s*\d[\d.,]*",
    r"\baufrufe\s*[:：]\s*\d[\d.,]*",
)

# Whole lines that are page furniture, dropped only when they are the entire line.
DEFAULT_NOISE_LINES: tuple[str, ...] = (
    r"share (?:this|this article|on)\b.{0,40}",
    r"no comments:?",
    r"post a comment",
    r"artikel teilen.{0,40}",
    r"(?:微信|微博|QQ空间|QQ)(?:\s+(?:微信|微博|QQ空间|QQ))*",
    r"(?:扫一扫|微信扫码).{0,20}",
)

_SEPARATORS_ONLY = re.compile(r"^[\s|｜/·•:：\-–—_【】\[\]()（）]*$")
_SPACE = re.compile(r"[ \t\u00a0\u3000\u2000-\u200b\u202f\u205f]+")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f"
# Chinese has no spaces between words: a space beside a CJK character is layout, not content.
_SPACE_BY_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")


class NoiseRules:
    """Compiled noise rules: the defaults plus a source's own ``ignore_text`` regexes."""

    def __init__(self, extra_patterns: Iterable[str] = ()) -> None:
        flags = re.MULTILINE | re.IGNORECASE
        self.patterns = [re.compile(p, flags) for p in (*DEFAULT_NOISE_PATTERNS, *extra_patterns)]
        self.lines = [re.compile(rf"^\s*(?:{p})\s*$", re.IGNORECASE) for p in DEFAULT_NOISE_LINES]

    def clean(self, text: str) -> str:
        """Drop noise phrases and furniture lines; keep paragraphs one per line."""
        kept: list[str] = []
        for line in text.splitlines():
            line = _SPACE.sub(" ", line).strip()
            cleaned = line
            for pattern in self.patterns:
                cleaned = pattern.sub("", cleaned)
            if cleaned != line:  # what a removed counter leaves: "Published 1 May ·"
                cleaned = cleaned.strip(" |｜/·•:：-–—")
            line = cleaned.strip()
            if not line or _SEPARATORS_ONLY.match(line):
                continue
            if any(p.match(line) for p in self.lines):
                continue
            kept.append(line)
        return "\n".join(kept)


def normalize_text(text: str) -> str:
    """The comparison form: NFKC, one space between words, none beside CJK, a paragraph per line."""
    text = unicodedata.normalize("NFKC", text)
    lines = (_SPACE_BY_CJK.sub("", _SPACE.sub(" ", line)).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def content_hash(normalised: str) -> str:
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()
