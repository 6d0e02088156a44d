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
