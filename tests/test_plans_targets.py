"""Numeric targets, sectors and lifecycle, from text in zh / en / de."""
from __future__ import annotations

import pytest

from monitor.plans.lifecycle import lifecycle_status, page_role
from monitor.plans.sectors import sectors, taxonomy
from monitor.plans.targets import targets


def rows(text: str, language: str) -> list[tuple]:
    return [(t.year, t.quantity, t.kind, t.unit, t.subject) for t in targets(text, language)]


def test_chinese_targets_with_units_and_money() -> None:
    text = ("到2030年，建成5个未来产业科技园，培育1000家领军企业。到2025年，人工智能核心产业规模突破3000亿元。"
            "力争打造5个产业规模超千亿元的未来产业。")
    assert rows(text, "zh") == [
        (2030, 5, "count", "个", "未来产业科技园"),
        (2030, 1000, "count", "家", "领军企业"),
        (2025, 3e11, "money", "元", "人工智能核心产业规模"),
        (2025, 5, "count", "个", "产业规模超千亿元的未来产业"),  # 超千亿元的 is a size class, not a target
    ]
    money = targets("到2025年，产值达到3000亿元。", "zh")[0]
    assert money.unit_text == "亿元"  # the written unit is kept next to the normalised yuan


def test_chinese_numerals_and_hundreds() -> None:
    assert rows("到2025年，突破百项前沿关键核心技术，打造百家领军企业。", "zh") == [
        (2025, 100, "count", "项", "前沿关键核心技术"), (2025, 100, "count", "家", "领军企业")]


@pytest.mark.parametrize("text", [
    "2023年，全省已有2000家企业。",  # a fact, not an aim
    "到2025年，形成一批500亿元级、千亿元级未来产业集群。",  # size classes
    "文件分2025年、2027年两个阶段设定目标。",  # structure
    "到2030年，打造一批未来产业先导区。",  # no number
    "力争到2030年，重点发展五个方向：人形机器人、脑机接口、6G、量子、深海。",  # the size of a list
])
def test_things_that_are_not_targets(text: str) -> None:
    assert targets(text, "zh") == []


def test_english_targets() -> None:
    text = ("By 2025, the core AI industry will exceed 300 billion yuan. The province will create five future "
            "industrial science and technology parks and foster 1,000 leading enterprises by 2030. "
            "These five clusters are the core. In 2023 there were 2,000 firms. "
            "Guangdong will develop five clusters: information, equipment, health, materials and energy.")
    assert [(y, q, k) for y, q, k, _u, _s in rows(text, "en")] == [
        (2025, 3e11, "money"), (2030, 5, "count"), (2030, 1000, "count")]
    assert rows("Output should reach RMB 500 billion by 2030.", "en")[0][:3] == (2030, 5e11, "money")


def test_german_targets() -> None:
    text = ("Bis 2029 sollen mindestens fünf Vorreitergebiete, zehn Plattformen und 1.000 führende Unternehmen "
            "entstehen. Der Umsatz soll bis 2030 rund 500 Milliarden Yuan erreichen. "
            "Guangzhou hat 2023 ein BIP von über 3 Billionen Yuan erreicht.")
    assert [(y, q, k) for y, q, k, _u, _s in rows(text, "de")] == [
        (2029, 5, "count"), (2029, 10, "count"), (2029, 1000, "count"), (2030, 5e11, "money")]
    assert rows(text, "de")[2][4].startswith("führende Unternehmen")


def test_a_target_year_carries_to_the_next_sentence_of_its_paragraph_only() -> None:
    text = "到2025年，收入达到8000亿元。力争打造5个千亿级产业。\n力争建设10个平台。"
    assert [(t.year, t.quantity) for t in targets(text, "zh")] == [(2025, 8e11), (2025, 5), (None, 10)]


def test_sectors_from_the_taxonomy_in_three_languages() -> None:
    assert sectors("重点发展人形机器人和脑机接口") == [
        "humanoid-robots", "brain-computer-interfaces", "future-information", "future-manufacturing"]
    assert "quantum" in sectors("Quantentechnologie und Wasserstoff") and "hydrogen" in sectors("green hydrogen")
    assert "6g" not in sectors("16GB memory")
    assert taxonomy().name("deep-sea", "de") == "Tiefsee"
    directions = {s.direction for s in taxonomy().sectors.values()}
    assert directions == {"future-manufacturing", "future-information", "future-materials", "future-energy",
                          "future-space", "future-health"}


@pytest.mark.parametrize(("text", "title", "meta", "status"), [
    ("正文", "某某办法", {"is_abolished": "1"}, "abolished"),
    ("正文", "某某办法", {"is_expired": True}, "expired"),
    ("正文", "某某办法", {"status": "已失效"}, "expired"),
    ("正文", "关于公开征求《某某措施（征求意见稿）》意见的通知", {}, "draft"),
    ("The draft for public comment is open until May.", "Measures", {}, "draft"),
    ("正文", "某某办法", {"is_abolished": "0"}, "final"),
])
def test_lifecycle_status(text: str, title: str, meta: dict, status: str) -> None:
    assert lifecycle_status(text, title, meta) == status


def test_page_roles() -> None:
    plan = ["广东省培育未来材料产业集群行动计划"]
    official = "各地级以上市人民政府，省有关单位：\n现将计划印发给你们。"
    assert page_role(official, "关于印发《广东省培育未来材料产业集群行动计划》的通知", plan_titles=plan,
                     language="zh") == "official"
    assert page_role("……", "一图读懂《广东省培育未来材料产业集群行动计划》", plan_titles=plan,
                     language="zh") == "interpretation"
    assert page_role("……", "广东省培育未来材料产业集群行动计划发布", plan_titles=plan, language="zh") == "news"
    english = ["Action Plan for Cultivating the Future Materials Industry Cluster in Guangdong Province"]
    assert page_role("Unofficial translation.", english[0], plan_titles=english, language="en",
                     plan_language="zh") == "translation"
    assert page_role("Reporters learned…", "Guangdong bets on materials", plan_titles=english, language="en",
                     plan_language="zh") == "news"


def test_huge_pages_are_cut_so_analysis_stays_bounded() -> None:
    from monitor.plans.analyse import MAX_TEXT, analyse_page

    text = "到2030年，建成5个未来产业科技园。\n" + "无关内容。" * (MAX_TEXT // 5) + "\n到2035年，建成9个园区。"
    found = analyse_page(text, "", language="zh").targets
    assert [(t.year, t.quantity) for t in found] == [(2030, 5)]


def test_target_changes_read_like_a_feed_line() -> None:
    from monitor.plans.changes import target_changes

    old = targets("到2030年，建成10个创新平台，培育1000家领军企业，建设3个先导区。", "zh")
    new = targets("到2030年，建成12个创新平台，培育1000家领军企业。到2035年，产值达到5000亿元。", "zh")
    lines = [c.describe() for c in target_changes(old, new)]
    assert lines == ["target for 2030 changed: 10个 → 12个 创新平台",
                     "target for 2035 added: 500,000,000,000 yuan 产值",
                     "target for 2030 removed: 3个 先导区"]
    assert target_changes(old, old) == []


@pytest.mark.parametrize(("text", "language", "subject"), [
    # the subject ends where the next item of the list begins, without the word that joined them
    ("到2030年，培育4家具有国际竞争力的“链主”企业和50家专精特新企业。", "zh", "具有国际竞争力的“链主”企业"),
    ("到2027年，建设不少于5个未来产业先导区、50个概念验证和中试平台。", "zh", "未来产业先导区"),
    ("到2027年，建设50个概念验证和中试平台、100个应用场景。", "zh", "概念验证和中试平台"),
    ("到2030年，建成10个创新平台及5个先导区。", "zh", "创新平台"),
    # an "and" inside one subject is kept
    ("By 2030 the province will build 5 future industry science and technology parks.", "en",
     "future industry science and technology parks"),
    ("Bis 2030 sollen 50 Konzeptvalidierungs- und Pilotplattformen entstehen.", "de",
     "Konzeptvalidierungs- und Pilotplattformen"),
    # while one between two counted things still ends the first
    ("By 2030 it will build 5 parks and 100 engineering centres.", "en", "parks"),
    ("Bis 2030 sollen 5 Vorreitergebiete und 10 Plattformen entstehen.", "de", "Vorreitergebiete"),
])
def test_target_subjects_lose_the_conjunctions_they_were_cut_at(text: str, language: str, subject: str) -> None:
    assert targets(text, language)[0].subject == subject


@pytest.mark.parametrize(("subject", "language", "clean"), [
    ("和领军企业、", "zh", "领军企业"), ("与以及平台、", "zh", "平台"), ("并购基金", "zh", "并购基金"),
    ("and leading firms and", "en", "leading firms"), ("und Plattformen sowie", "de", "Plattformen"),
    ("science and technology parks", "en", "science and technology parks"),
    # nor the verb a subject window ran into
    ("führende Unternehmen gefördert werden", "de", "führende Unternehmen"), ("Cluster mit jeweils", "de", "Cluster"),
    ("Vorreitergebiete für zukünftige Branchen", "de", "Vorreitergebiete für zukünftige Branchen"),
    ("future industry clusters each worth", "en", "future industry clusters"),
    ("science and technology parks will be", "en", "science and technology parks"),
    ("fuel cell vehicles on the road", "en", "fuel cell vehicles on the road"),
])
def test_clean_subject(subject: str, language: str, clean: str) -> None:
    from monitor.plans.targets import clean_subject

    assert clean_subject(subject, language) == clean


def test_a_money_subject_drops_the_cue_and_year_that_open_its_clause() -> None:
    assert targets("力争2025年全省人工智能核心产业规模超过3000亿元。", "zh")[0].subject == "全省人工智能核心产业规模"


def _plain_mask(text: str) -> str:
    """targets._mask as first written: each pattern in its plain form, every one run on every text."""
    import re

    def blank(m: re.Match[str]) -> str:
        return " " * len(m.group(0))

    de = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"
    en = "January|February|March|April|May|June|July|August|September|October|November|December"
    text = re.sub(r"《[^》\n]{0,120}》|“[^”\n]{0,40}(?:规划|计划|方案|意见)”", blank, text)
    text = re.sub(r"[〔\[［(（](?:19|20)\d{2}[〕\]］)）]\s*\d+\s*号", blank, text)
    text = re.sub(r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|\d{1,2}\s*月\s*\d{1,2}\s*日", blank, text)
    text = re.sub(r"(?:19|20)\d{2}\s*[-—–~至]+\s*(?:19|20)?\d{2,4}\s*年?", blank, text)
    text = re.sub(rf"\b\d{{1,2}}(?:st|nd|rd|th)\b|\b\d{{1,2}}\.\s*(?:{de})\b", blank, text)
    text = re.sub(rf"\b(?:{en})\s+\d{{1,2}}\b|\b\d{{1,2}}\s+(?:{en})\b", blank, text)
    return re.sub(r"十四五|十五五|\d+[A-Za-z]+\b|\d+-[A-Za-z]+", blank, text)


def test_the_mask_blanks_what_its_plain_patterns_blank() -> None:
    """_mask's patterns open with a digit (and one runs only when a month is named), for speed; the text
    left must be the one the plain patterns leave."""
    import random

    from monitor.plans.targets import _mask

    pieces = ["1", "2", "9", "0", "19", "20", "2024", "12", "5", "١", "３", ".", "-", "—", "~", "至", " ", "\n", "年",
              "月", "日", "号", "〔2024〕", "(2023)", "st", "nd", "th", "rd", "March", "May", "Mai", "März", "Oktober",
              "十四五", "十五五", "十四", "十", "五", "G", "GW", "a", "_", "x", "Club", "《规划》", "“方案”", "《",
              "》"]
    rng = random.Random(3)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 30))) for _ in range(30000)]
    texts += ["1st", "am 21st", "3nd", "4rd", "5th", "5. Mai", "May 5", "5 May", "十四五", "6G", "4-Billionen",
              "2024年5月"]
    changed = 0
    for text in texts:
        expected = _plain_mask(text)
        assert _mask(text) == expected, text
        changed += expected != text
    assert changed > 10000


def test_latin_sentences_end_where_the_plain_pattern_ends_them() -> None:
    """_LATIN_SENTENCES checks the punctuation before the abbreviations behind it, for speed; the sentences
    must be those of the pattern written with the look-behinds first."""
    import random
    import re

    from monitor.plans.targets import _LATIN_SENTENCES

    plain = re.compile(r".+?(?:(?<![0-9A-Z][a-z])(?<!\b[A-Z])(?<!Nr)(?<!No)(?<!ca)[.!?](?=\s+[^a-z0-9]|\s*$)"
                       r"|\n|$)", re.S)
    pieces = ["The", "plan", "Nr", "No", "ca", "e.g", "U", "S", "A", "Dr", "5", "2030", ".", "!", "?", " ", "  ", "\n",
              "a", "x", "B", "z", "(", "ö", "É"]
    rng = random.Random(19)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 40))) for _ in range(20000)]
    for text in texts:
        assert [m.span() for m in _LATIN_SENTENCES.finditer(text)] == [m.span() for m in plain.finditer(text)], text
