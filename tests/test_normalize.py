from __future__ import annotations

import pytest

from monitor.normalize import NoiseRules, content_hash, normalize_text

KEEP = "广东省印发行动方案，到2030年建成5个未来产业科技园。"

# (noisy line, what must remain) — the boilerplate of Chinese government pages and news sites.
NOISE_CASES = [
    ("发布日期：2024-03-01 浏览次数：1234", "发布日期：2024-03-01"),
    ("发布时间：2024-03-01  阅读次数: 56 次", "发布时间：2024-03-01"),
    ("访问量：98765", ""),
    ("【字体：大 中 小】【打印本页】【关闭窗口】", ""),
    ("字体：[大] [中] [小] | 打印 | 关闭", ""),
    ("分享到：微信 微博 QQ空间", ""),
    ("Last updated: 12 March 2024, 14:05", ""),
    ("Published 1 March 2024 · 1,234 views", "Published 1 March 2024"),
    ("Zuletzt aktualisiert: 03.04.2024 15:20 Uhr", ""),
    ("Seitenaufrufe: 345", ""),
    ("Share this article", ""),
    ("No comments:", ""),
    ("Post a Comment", ""),
    ("微信 微博", ""),
    ("发布时间：2024-03-01　浏览次数：1532次　更新时间：2024-03-06 17:02:44", "发布时间：2024-03-01"),
    ("Stand: 06.03.2024 17:02 Uhr", ""),
    ("上一篇：广州市加快推进未来产业发展实施意见印发", ""),
    ("【相关阅读】省科技厅部署2024年重点研发计划", ""),
    ("Read more: Hefei opens quantum computing centre", ""),
    ("Related: Wuhan targets commercial space launches", ""),
    ("Mehr zum Thema: Peking fördert verkörperte KI", ""),
]


@pytest.mark.parametrize(("noisy", "kept"), NOISE_CASES)
def test_default_noise_is_dropped(noisy: str, kept: str) -> None:
    cleaned = NoiseRules().clean(f"{noisy}\n{KEEP}")
    assert cleaned == (f"{kept}\n{KEEP}" if kept else KEEP)


@pytest.mark.parametrize(
    "plan_text",
    [
        "到2030年，浏览器产业规模达到100亿元。",  # 浏览 but not a counter
        "The plan was last revised in 2023 after 12 consultations.",
        "Die Richtlinie nennt 10 Plattformen und 50 Pilotprojekte.",
        "打印机和关闭式生产线不是噪声。",
        "Der Stand der Technik soll bis 2030 erreicht werden.",  # "Stand" without a colon and date
        "项目更新改造完成后，产能提升30%。",
        "Related industries will receive 5 billion yuan.",
    ],
)
def test_plan_text_is_kept(plan_text: str) -> None:
    assert NoiseRules().clean(plan_text) == plan_text


def test_source_ignore_text_adds_rules() -> None:
    rules = NoiseRules([r"来源：\S+"])
    assert rules.clean("来源：南方日报\n" + KEEP) == KEEP


def test_normalised_form_ignores_width_and_spacing() -> None:
    a = "到２０３０年，　建成５个  平台\n\n\n第二段"
    b = "到2030年, 建成5个 平台\n第二段"
    assert normalize_text(a) == normalize_text(b)
    assert content_hash(normalize_text(a)) == content_hash(normalize_text(b))
    assert normalize_text("建成5个") != normalize_text("建成6个")


def test_typographic_quotes_are_not_changes() -> None:
    assert normalize_text("China’s “future” plan") == normalize_text("China's \"future\" plan")


def test_every_typographic_quote_becomes_a_plain_one() -> None:
    assert normalize_text("\u2018a\u2019 \u201ab\u201b \u201cc\u201d \u201ed\u201f 5\u2032") == "'a' 'b' \"c\" \"d\" 5'"


def test_space_beside_chinese_is_dropped_as_its_plain_definition_drops_it() -> None:
    """The pattern opens with the white space for speed; it must remove what the look-around form removes."""
    import random
    import re

    from monitor.normalize import _CJK, _SPACE_BY_CJK

    definition = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
    pieces = ["中", "国", "a", "B", "1", " ", "  ", "\t", "\u3000", "\u2003", "，", "。", "x y", "\n", "ー", "한"]
    rng = random.Random(5)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 20))) for _ in range(20000)]
    changed = 0
    for text in texts:
        expected = definition.sub("", text)
        assert _SPACE_BY_CJK.sub("", text) == expected, repr(text)
        changed += expected != text
    assert changed > 5000
    assert normalize_text("广东 省 发布 Future  Industries 计划") == "广东省发布Future Industries计划"


def _plain_clean(rules: NoiseRules, text: str) -> str:
    """NoiseRules.clean by its definition: every pattern on every line, every furniture regex on its own."""
    import re

    from monitor.normalize import _SEPARATORS_ONLY, _SPACE, DEFAULT_NOISE_LINES

    furniture = [re.compile(rf"^\s*(?:{p})\s*$", re.IGNORECASE) for p in DEFAULT_NOISE_LINES]
    kept = []
    for line in text.splitlines():
        line = _SPACE.sub(" ", line).strip()
        cleaned = line
        for pattern in rules.patterns:
            cleaned = pattern.sub("", cleaned)
        if cleaned != line:
            cleaned = cleaned.strip(" |｜/·•:：-–—")
        line = cleaned.strip()
        if line and not _SEPARATORS_ONLY.match(line) and not any(p.match(line) for p in furniture):
            kept.append(line)
    return "\n".join(kept)


# Pieces of noisy and plain lines, words of the noise patterns in odd cases and with the characters that
# IGNORECASE matches to an ASCII letter ("ı", "İ", "ſ"), so random lines hit every pattern and miss it narrowly.
_PIECES = [noisy for noisy, _ in NOISE_CASES] + [
    "浏览", "次数", "：", ":", "12", "1,234", " ", "  ", "\u3000", "\t", "次", "【", "】", "|", "打印", "关闭窗口",
    "字体", "大", "中", "小", "[", "]", "分享到", "微信", "UPDATED", "Updated", " Views: ", "page VIEWS：",
    " ſtand:", "Zuletzt ", "last", "LAST ", "modıfıed", "MODİFİED", "on", " at ", "12 March 2024", "14:05", "pm",
    " views", "VIEWS", "reads", "page views", "zuletzt", "geändert", "aktualisiert", "03.04.2024", "uhr",
    "Seitenaufrufe", "aufrufe", "ſtand", "Stand", "更新时间", "修改日期", "2024-03-06", "17:02:44", "日", " Aufrufe",
    "AUFRUFE：", "广东省", "计划", "Share this", "no comments", "\n", "上一篇", "Read more", "·", "\u2028", "\r\n",
    "\x1c", "\u00a0", "\u2003",
]


def _random_lines(count: int, seed: int) -> list[str]:
    import random

    rng = random.Random(seed)
    return ["".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 8))) for _ in range(count)]


def test_each_default_pattern_needs_one_of_its_words() -> None:
    """The words clean() looks for before trying the default patterns must be in every text a pattern matches."""
    import re

    from monitor.normalize import _CASE_EXCEPTIONS, _NOISE_PATTERNS_AND_WORDS

    lines = _random_lines(20000, 11) + [noisy for noisy, _ in NOISE_CASES]
    for pattern, words in _NOISE_PATTERNS_AND_WORDS:
        compiled = re.compile(pattern, re.MULTILINE | re.IGNORECASE)
        matched = 0
        for line in lines:
            if compiled.search(line):
                matched += 1
                assert _CASE_EXCEPTIONS.search(line) or any(w in line.lower() for w in words), (pattern, line)
        assert matched >= 5, pattern  # the random lines reach every pattern


def test_case_exceptions_are_every_character_ignorecase_matches_to_a_word_letter_without_lowering_to_it() -> None:
    import re
    import sys

    from monitor.normalize import _CASE_EXCEPTIONS, _NOISE_PATTERNS_AND_WORDS

    everything = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    letters = {c for _, words in _NOISE_PATTERNS_AND_WORDS for word in words for c in word}
    exceptions = {c for letter in letters for c in re.findall(re.escape(letter), everything, re.IGNORECASE)
                  if c.lower() != letter}
    assert exceptions == set(_CASE_EXCEPTIONS.pattern.strip("[]"))


@pytest.mark.parametrize("extra", [[], [r"来源：\S+"], [r"(?i)printed on \d+"], [r"(\d)\1{3}", r"(?P<n>x)y(?P=n)"]])
def test_clean_removes_what_every_pattern_on_every_line_removes(extra: list[str]) -> None:
    rules = NoiseRules(extra)
    texts = ["\n".join(_random_lines(6, seed)) for seed in range(3000)]
    texts += ["来源：南方日报\n" + KEEP, "PRINTED ON 12\n1111 2222\nxyx", KEEP, "", "\n\n"]
    changed = 0
    for text in texts:
        expected = _plain_clean(rules, text)
        assert rules.clean(text) == expected, repr(text)
        changed += expected != "\n".join(line.strip() for line in text.splitlines() if line.strip())
    assert changed > 1000


def _bmp_non_joiners() -> list[str]:
    from monitor.normalize import _nfkc_classes

    joiners, _ = _nfkc_classes()
    return [chr(code) for code in range(0x10000) if not joiners.match(chr(code))]


def test_a_text_without_joiners_normalises_character_by_character() -> None:
    """What nfkc relies on: NFKC of such a text is the NFKC of each character, even after any first half of a
    canonical pair (the characters that compose with what follows them)."""
    import random
    import unicodedata

    pool = _bmp_non_joiners()
    first_halves = sorted({chr(int(d.split()[0], 16)) for d in map(unicodedata.decomposition, map(chr, range(0x10000)))
                           if d and d[0] != "<" and len(d.split()) == 2} & set(pool))
    assert len(pool) > 50000 and len(first_halves) > 300
    rng = random.Random(7)
    for _ in range(3):
        rng.shuffle(pool)
        text = "".join(rng.choice(first_halves) + char for char in pool)
        assert unicodedata.normalize("NFKC", text) == "".join(unicodedata.normalize("NFKC", c) for c in text)


def test_nfkc_is_unicodedata_nfkc() -> None:
    import random
    import unicodedata

    from monitor.normalize import _nfkc_classes, nfkc

    # Chinese and full-width text, and joiners: combining marks, second halves of pairs, Hangul, astral characters
    pieces = ["广东省", "，", "。", "（", "）", "２０３０", "ＡＩ", "：", "“", "”", "e", "\u0301", "é", "A", "<",
              "\u0338", "ﬁ", "Ⅻ", "㈱", "한", "\u1100", "\u1161", "\u11a8", "가", "ｶ", "\uff9e", "𝐀", "😀",
              "\u2002", " ", "\n", "ı", "½", "\u00a0", "Future", "ｱ", "ー", "\ufb01", "\u0f73", "\u0b47",
              "\u0b3e", "\u3000", "﹐", "\ud800"]
    joiners, changed = _nfkc_classes()
    rng = random.Random(3)
    fast = 0
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert nfkc(text) == unicodedata.normalize("NFKC", text), repr(text)
        fast += not joiners.search(text) and bool(changed.search(text))  # normalised one character at a time
    assert fast > 1000
    assert nfkc("到２０３０年，建成５个") == "到2030年,建成5个"


def test_normalize_text_is_its_plain_definition() -> None:
    """NFKC, plain quotes, then line by line: runs of spaces made one, spaces beside CJK dropped, blank lines too."""
    import random
    import re
    import unicodedata

    from monitor.normalize import _CJK, _QUOTES

    space = re.compile(r"[ \t\u00a0\u3000\u2000-\u200b\u202f\u205f]+")
    by_cjk = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")

    def plain(text: str) -> str:
        text = unicodedata.normalize("NFKC", text).translate(str.maketrans(_QUOTES))
        lines = (by_cjk.sub("", space.sub(" ", line)).strip() for line in text.splitlines())
        return "\n".join(line for line in lines if line)

    pieces = ["广东", "省", "Future", "Industries", " ", "  ", "\t", "\u3000", "\u00a0", "\u2003", "\n", "\r\n",
              "\u2028", "\x85", "\x1c", "\x0b", "，", "２０３０", "“", "’", "e\u0301", "ｶﾞ", "x y", "ー"]
    rng = random.Random(13)
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 15)))
        assert normalize_text(text) == plain(text), repr(text)
