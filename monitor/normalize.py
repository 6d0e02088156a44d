"""Noise removal and the comparison form of a text.

Two versions of a page are the same plan text when their *normalised* forms are equal: Unicode
NFKC (full-width letters, digits and punctuation become half-width), collapsed white space, and
none of the boilerplate that changes on every visit (view counters, print/close links, font-size
toggles, share bars, "last updated" stamps).
"""
from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable

# Phrases removed wherever they stand in a line (a counter beside the date in an article header), each
# with the words one of which it cannot match without (see _may_hold_noise).
_NOISE_PATTERNS_AND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"(?:浏览|阅读|访问|点击|查看)(?:次数|量|数)\s*[:：]?\s*\d[\d,]*\s*次?", ("浏览", "阅读", "访问", "点击", "查看")),
    (r"(?:访问量|浏览量|阅读量|点击量|点击率)\s*[:：]?\s*\d[\d,]*", ("访问", "浏览", "阅读", "点击")),
    (r"【?\s*(?:打印本页|打印此页|打印正文|打印|关闭窗口|关闭本页|关闭|收藏|返回顶部)\s*】?(?=\s|$|】|\|)",
     ("打印", "关闭", "收藏", "返回顶部")),
    (r"【?\s*字[体号]\s*[:：]?\s*[【\[]?\s*大\s*[】\]]?\s*[【\[]?\s*中\s*[】\]]?\s*[【\[]?\s*小\s*[】\]]?\s*】?",
     ("字体", "字号")),
    (r"分享到\s*[:：].{0,40}$", ("分享到",)),
    (r"\b(?:last\s+(?:updated|modified)|updated)\s*(?:on|at)?\s*[:：]?\s*"
     r"[\w ,.:/+-]{0,40}\d{1,2}[:.]\d{2}(?:\s*(?:am|pm|utc|gmt|cst))?", ("updated", "modified")),
    (r"\blast\s+(?:updated|modified)\s*(?:on)?\s*[:：]?\s*[\w ,./-]{0,30}\d{4}", ("updated", "modified")),
    (r"\b\d[\d,.]*\s+(?:views|reads|page views)\b", ("views", "reads")),
    (r"\b(?:views|page views)\s*[:：]\s*\d[\d,.]*", ("views",)),
    (r"zuletzt\s+(?:aktualisiert|geändert)\s*(?:am)?\s*[:：]?\s*[\w ,./:-]{0,30}\d{2,4}(?:\s*uhr)?", ("zuletzt",)),
    (r"seitenaufrufe\s*[:：]?\s*\d[\d.,]*", ("seitenaufrufe",)),
    # "更新时间：2024-03-06 17:02:44" beside the publication date in a Chinese article header
    (r"(?:更新|修改|最后更新|最近更新)(?:时间|日期)?\s*[:：]\s*\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
     r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?", ("更新", "修改")),
    # German "Stand: 06.03.2024 17:02 Uhr" (only with a colon and a date: "Stand" is also a noun)
    (r"\bstand\s*:\s*\d{1,2}\.\s*\d{1,2}\.\s*\d{2,4}(?:,?\s*\d{1,2}[:.]\d{2}(?:\s*uhr)?)?", ("stand",)),
    (r"\baufrufe\s*[:：]\s*\d[\d.,]*", ("aufrufe",)),
)
DEFAULT_NOISE_PATTERNS: tuple[str, ...] = tuple(pattern for pattern, _ in _NOISE_PATTERNS_AND_WORDS)

# Whole lines that are page furniture, dropped only when they are the entire line.
DEFAULT_NOISE_LINES: tuple[str, ...] = (
    r"share (?:this|this article|on)\b.{0,40}",
    r"no comments:?",
    r"post a comment",
    r"artikel teilen.{0,40}",
    r"(?:微信|微博|QQ空间|QQ)(?:\s+(?:微信|微博|QQ空间|QQ))*",
    r"(?:扫一扫|微信扫码).{0,20}",
    # previous/next and "read more" links that a CMS rotates inside the article body
    r"(?:上一篇|下一篇|上一条|下一条)\s*[:：].{0,100}",
    r"【?(?:相关阅读|相关链接|相关文章|相关新闻|延伸阅读|推荐阅读)】?\s*[:：]?.{0,100}",
    r"(?:read more|related(?: articles?| stories)?|see also|more on this(?: topic)?|also read|recommended)\s*:.{0,150}",
    r"(?:mehr zum thema|lesen sie auch|auch interessant|weitere artikel)\s*:.{0,150}",
)

_SEPARATORS_ONLY = re.compile(r"^[\s|｜/·•:：\-–—_【】\[\]()（）]*$")
_SPACE = re.compile(r"[ \t\u00a0\u3000\u2000-\u200b\u202f\u205f]+")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f"
# Chinese has no spaces between words: a space beside a CJK character is layout, not content. This is
# ``(?<=[CJK])\s+|\s+(?=[CJK])`` written to open with the white space, so that the regex engine skips to
# white space instead of trying the look-behind at every character (a test holds it to that definition).
_SPACE_BY_CJK = re.compile(rf"\s(?:(?<=[{_CJK}]\s)\s*|\s*(?=[{_CJK}]))")
_ANY_CJK = re.compile(f"[{_CJK}]")


# The words the default patterns need, as one regex over a lowercased text (see _may_hold_noise).
_NOISE_WORDS = re.compile("|".join(dict.fromkeys(w for _, words in _NOISE_PATTERNS_AND_WORDS for w in words)))
# The characters that an IGNORECASE pattern matches to a letter of those words although their lower()
# is not that letter ("ı" and "İ" match "i", "ſ" matches "s"; a test derives this set from the regex engine).
_CASE_EXCEPTIONS = re.compile("[\u0130\u0131\u017f]")
# DEFAULT_NOISE_LINES as one regex: a line is furniture when any of them spans it.
_FURNITURE = re.compile(r"^\s*(?:" + "|".join(f"(?:{p})" for p in DEFAULT_NOISE_LINES) + r")\s*$", re.IGNORECASE)


def _may_hold_noise(text: str) -> bool:
    """False when no default noise pattern can match anywhere in ``text``, nor in any part of it.

    Each pattern matches only where one of its words stands (case aside), and a character matching a word's
    letter under IGNORECASE lowercases to that letter unless it is one of _CASE_EXCEPTIONS. So without
    those characters and without any word in ``text.lower()``, every default pattern's sub is a no-op on
    every line of the text; the word scan is one quick pass, the patterns were 14 slow ones per line.
    """
    return _CASE_EXCEPTIONS.search(text) is not None or _NOISE_WORDS.search(text.lower()) is not None


class NoiseRules:
    """Compiled noise rules: the defaults plus a source's own ``ignore_text`` regexes."""

    def __init__(self, extra_patterns: Iterable[str] = ()) -> None:
        flags = re.MULTILINE | re.IGNORECASE
        self.patterns = [re.compile(p, flags) for p in (*DEFAULT_NOISE_PATTERNS, *extra_patterns)]
        self.extra_patterns = self.patterns[len(DEFAULT_NOISE_PATTERNS):]

    def clean(self, text: str) -> str:
        """Drop noise phrases and furniture lines; keep paragraphs one per line."""
        kept: list[str] = []
        may_hold_noise = _may_hold_noise(text)  # most texts have no noise word at all: no line needs a test
        # _SPACE holds no line break, so one pass over the text spaces out each line as a pass per line would
        for line in _SPACE.sub(" ", text).splitlines():
            line = line.strip()
            cleaned = line
            # the default patterns leave a line without their words as it is (_may_hold_noise)
            for pattern in self.patterns if may_hold_noise and _may_hold_noise(line) else self.extra_patterns:
                cleaned = pattern.sub("", cleaned)
            if cleaned != line:  # what a removed counter leaves: "Published 1 May ·"
                cleaned = cleaned.strip(" |｜/·•:：-–—")
            line = cleaned.strip()
            if not line or _SEPARATORS_ONLY.match(line) or _FURNITURE.match(line):
                continue
            kept.append(line)
        return "\n".join(kept)


# NFKC without unicodedata.normalize's pass over every character (it decomposes and recomposes them all:
# ~0.2 ms on a page of Chinese text, which always holds some full-width comma). Normalization joins a
# character with what stands before it only when its decomposition opens with a combining mark (canonical
# class > 0), with the second half of a canonical pair (e + U+0301 -> é) or with a Hangul jamo (L+V, LV+T).
# A text without such "joiners" has a normalization boundary before every character, so its NFKC is the
# NFKC of each character on its own: the text with each character that NFKC changes replaced by that
# character's NFKC. Only the BMP is classified; every other character counts as a joiner.
_HANGUL = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7FF))


def _char_class(code_points: Iterable[int]) -> str:
    """A regex character class of the code points, as ranges."""
    ranges: list[list[int]] = []
    for code in sorted(code_points):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "[" + "".join(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges) + "]"


@functools.cache
def _nfkc_classes() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The joiners (and every character outside the BMP), and the other characters that NFKC changes.

    Built from ``unicodedata`` on first use (~25 ms), so that they follow its Unicode version.
    """
    decomposed = [code for code in range(0x10000) if unicodedata.decomposition(chr(code))]
    second_halves = set()
    for code in decomposed:
        halves = unicodedata.decomposition(chr(code)).split()
        if halves[0][0] != "<" and len(halves) == 2:
            second_halves.add(int(halves[1], 16))
    # and the surrogates a text decoded with surrogateescape may hold: such texts are left to unicodedata
    unsure = second_halves.union(range(0xD800, 0xE000), *(range(low, high + 1) for low, high in _HANGUL))

    def joins(char: str) -> bool:
        return ord(char) in unsure or ord(char) > 0xFFFF or unicodedata.combining(char) != 0

    joiners = {code for code in range(0x10000) if joins(chr(code))}
    changed = set()
    for code in decomposed:
        char = chr(code)
        if joins(unicodedata.normalize("NFKD", char)[0]):
            joiners.add(code)
        elif unicodedata.normalize("NFKC", char) != char:
            changed.add(code)
    return (re.compile(_char_class(joiners)[:-1] + "\\U00010000-\\U0010ffff]"),
            re.compile(_char_class(changed - joiners)))


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, character by character where that gives the same (see above)."""
    joiners, changed = _nfkc_classes()
    if joiners.search(text):
        return unicodedata.normalize("NFKC", text)
    forms = {char: unicodedata.normalize("NFKC", char) for char in set(changed.findall(text))}
    if any(char in forms for form in forms.values() for char in form):
        return unicodedata.normalize("NFKC", text)  # one replacement would change another's output
    for char, form in forms.items():
        text = text.replace(char, form)
    return text


# Typographic and plain quotes are the same text: a CMS switching "smart quotes" on is not an edit. Applied
# with str.replace, one quote at a time: str.translate with a table looks up every character (it was half
# of normalize_text's time), a replace is a C scan for one character.
_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
           "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"'}


def _plain_quotes(text: str) -> str:
    for typographic, plain in _QUOTES.items():
        text = text.replace(typographic, plain)
    return text


def normalize_text(text: str) -> str:
    """The comparison form: NFKC, plain quotes, one space between words, none beside CJK, a paragraph per line."""
    text = _SPACE.sub(" ", _plain_quotes(nfkc(text)))  # _SPACE holds no line break: as if line by line
    if _ANY_CJK.search(text):
        lines = (_SPACE_BY_CJK.sub("", line).strip() for line in text.splitlines())
    else:  # _SPACE_BY_CJK matches only beside a CJK character
        lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def content_hash(normalised: str) -> str:
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()
