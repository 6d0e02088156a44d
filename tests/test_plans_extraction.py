"""Plan extraction pieces, case by case: numbers, titles, regions, issuers, document numbers, dates."""
from __future__ import annotations

import pytest

from monitor.plans.issuers import issuer_finder
from monitor.plans.numbers import parse_arabic, parse_chinese, scale_of
from monitor.plans.refs import dates, doc_numbers
from monitor.plans.regions import gazetteer
from monitor.plans.titles import plan_titles


@pytest.mark.parametrize(("text", "value"), [
    ("五", 5), ("十", 10), ("二十五", 25), ("一百二十", 120), ("百", 100), ("三千", 3000), ("两万", 20_000),
    ("1.5万", 15_000), ("3000亿", 3e11), ("千亿", 1e11), ("万亿", 1e12), ("一亿五千万", 1.5e8), ("8000亿", 8e11),
])
def test_chinese_numerals(text: str, value: float) -> None:
    assert parse_chinese(text) == value


def test_arabic_numbers_follow_the_language_convention() -> None:
    assert parse_arabic("1,000") == 1000
    assert parse_arabic("1.000", language="de") == 1000
    assert parse_arabic("2,5", language="de") == 2.5
    assert parse_arabic("3.5") == 3.5
    assert scale_of("Billionen", language="de") == 1e12  # a German Billion is 10^12
    assert scale_of("billion", language="en") == 1e9


@pytest.mark.parametrize(("text", "page_title", "language", "expected"), [
    ("现将《广东省培育未来材料产业集群行动计划》印发给你们。", None, "zh", ["广东省培育未来材料产业集群行动计划"]),
    ("近日印发《广东省人民政府办公厅关于印发〈广东省培育未来电子信息产业集群行动计划〉的通知》。", None, "zh",
     ["广东省培育未来电子信息产业集群行动计划"]),
    ("《深圳市培育发展未来产业行动计划（2022—2025年）》提出", None, "zh",
     ["深圳市培育发展未来产业行动计划（2022—2025年）"]),
    ("工信部发布了关于组织开展2023年未来产业创新任务揭榜挂帅工作的通知，", None, "zh",
     ["关于组织开展2023年未来产业创新任务揭榜挂帅工作的通知"]),
    ("正文", "广州市人民政府办公厅关于印发广州市关于加快培育发展未来产业的实施意见的通知", "zh",
     ["广州市关于加快培育发展未来产业的实施意见"]),
    ("《行动计划》提出……今天龚俊《安乐传》直播", None, "zh", []),  # short forms and book titles are not plans
    ("新闻", "广东发布五大未来产业集群行动计划", "zh", []),  # a headline is not a title
    ('officials explained the "Action Plan" at the "Press Conference on the Action Plan for Five Future Industrial '
     'Clusters in Guangdong Province".', None, "en",
     ["Action Plan for Five Future Industrial Clusters in Guangdong Province"]),
    ("MIIT has issued the Guiding Opinions on the Innovation and Development of Humanoid Robots in November 2023.",
     None, "en", ["Guiding Opinions on the Innovation and Development of Humanoid Robots"]),
    ("Researchers of the Science and Technology Strategy Consulting Institute wrote it.", None, "en", []),
    ('He said: "We are excited to present our plan for the next five years."', None, "en", []),  # speech
    ("„Die betroffene Person wird bei der Durchführungsplanung informiert.“", None, "de", []),
    ("die „Implementierungsrichtlinie für die beschleunigte Förderung zukünftiger Branchen in Guangzhou“ "
     "und die „Implementierungsrichtlinie“ sowie „Beschleunigte Förderung zukünftiger Branchen“", None, "de",
     ["Implementierungsrichtlinie für die beschleunigte Förderung zukünftiger Branchen in Guangzhou"]),
])
def test_plan_titles(text: str, page_title: str | None, language: str, expected: list[str]) -> None:
    assert [t.text for t in plan_titles(text, page_title, language) if t.is_title] == expected


def test_a_lower_case_description_is_kept_for_grouping_but_is_not_a_title() -> None:
    found = plan_titles("The action plans for Guangdong's five future industry clusters were unveiled.", None, "en")
    assert [(t.text, t.is_title) for t in found] == [
        ("action plans for Guangdong's five future industry clusters", False)]


def test_regions_in_three_languages_and_exonyms() -> None:
    places = gazetteer()
    text = "广东省广州市 Guangzhou, Kanton, Peking, Shanxi, Shaanxi 中山大学 中山市"
    assert [m.region for m in places.mentions(text)] == [
        "guangdong", "guangzhou", "guangzhou", "guangzhou", "beijing", "shanxi", "shaanxi", "zhongshan"]
    assert places.lookup("Guangdong") == places.lookup("广东省") == "guangdong"
    assert places.province_of("guangzhou") == "guangdong"


@pytest.mark.parametrize(("text", "page_region", "expected"), [
    ("广东省人民政府办公厅；各地级以上市人民政府，省政府各部门；省工业和信息化厅", "guangdong",
     ["guangdong:gov-office", "guangdong:industry-it"]),
    ("省发改委和国家发展改革委", None, ["ndrc"]),  # a provincial body of an unknown province is not the NDRC
    ("省发改委和国家发展改革委", "guangzhou", ["guangdong:drc", "ndrc"]),
    ("经市政府同意", "beijing", ["beijing:gov"]),  # a municipality is a 市
    ("The Guangdong Provincial Department of Industry and Information Technology and the Provincial Department of "
     "Science and Technology; the MIIT; most people", "guangdong",
     ["guangdong:industry-it", "guangdong:science-tech", "miit"]),
    ("General Office of the Zhejiang Provincial People's Government", None, ["zhejiang:gov-office"]),
    ("die Stadtregierung von Guangzhou und die Wissenschafts- und Technologiebehörde von Guangzhou; "
     "des Ministeriums für Industrie und Informationstechnologie", None,
     ["guangzhou:gov", "guangzhou:science-tech", "miit"]),
])
def test_issuers(text: str, page_region: str | None, expected: list[str]) -> None:
    assert [m.id for m in issuer_finder().find(text, page_region)] == expected


def test_document_numbers_are_normalised_whatever_the_brackets() -> None:
    text = ("关于印发粤府办〔2024〕1号文件；发改办投资[2024]88号；（工信部联科〔2024〕12号）；京政办发(2023)20号；"
            "工信部联科（2024）12号；Yue Fu Ban [2024] No. 1")
    assert doc_numbers(text) == ["粤府办〔2024〕1号", "发改办投资〔2024〕88号", "工信部联科〔2024〕12号",
                                 "京政办发〔2023〕20号", "Yue Fu Ban〔2024〕1号"]


def test_dates_with_their_kind() -> None:
    text = ("成文日期：2024年1月8日 发布日期：2024-02-08 自2024年3月1日起施行，有效期至2029年12月31日。"
            "Am 21. Oktober trafen sich … on 21 October; February 29")
    found = [(d.kind, d.date) for d in dates(text, default_year=2024)]
    assert found == [("written", "2024-01-08"), ("published", "2024-02-08"), ("effective", "2024-03-01"),
                     ("expires", "2029-12-31"), ("mentioned", "2024-10-21"), ("mentioned", "2024-10-21"),
                     ("mentioned", "2024-02-29")]
    assert dates("on 21 October") == []  # no year known: not guessed


def test_bracketed_titles_nest_and_an_unclosed_bracket_ends_at_the_sentence() -> None:
    from monitor.plans.titles import _top_level_brackets

    text = ("省政府印发《关于贯彻〈“十四五”规划〉和《氢能产业发展中长期规划》的实施意见》。"
            "会上提到《未完的标题\n下一段》还有《深海装备产业行动方案》》尾")
    assert _top_level_brackets(text) == [
        (5, "关于贯彻〈“十四五”规划〉和《氢能产业发展中长期规划》的实施意见"),
        (text.index("《深海"), "深海装备产业行动方案"),
    ]


def test_document_numbers_are_found_as_a_scan_of_every_position_finds_them() -> None:
    """doc_numbers tries its pattern only before each bracketed year; that must find what finditer finds."""
    import random

    from monitor.plans.refs import _ZH_DOC, _zh_doc_matches

    pieces = ["国发", "粤府办", "工信部联科", "号", "第", "的", "印发", "、", " ", "\u3000", "\n", "〔2024〕", "[2023]",
              "（2019）", "(2020)", "【2021】", "〔1999〕", "〔24〕", "12", "3", "号文", "关于", "A", "〔", "〕",
              "国发〔2024〕12号", "粤府办 [2023] 3 号", "第〔2020〕5号", "深府规〔2024〕第7号", "〔2022〕8号"]
    rng = random.Random(7)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 30))) for _ in range(20000)]
    with_numbers = [t for t in texts if _ZH_DOC.search(t)]
    assert len(with_numbers) > 10000  # the cases are mostly about numbers next to each other
    for text in texts:
        assert [m.span() for m in _zh_doc_matches(text)] == [m.span() for m in _ZH_DOC.finditer(text)], text


def test_date_forms_match_as_their_plain_look_behind_definitions() -> None:
    """The date patterns check "no digit or dot before" after their first digit, for speed; the matches
    must be those of the plain definitions written with a leading look-behind."""
    import random
    import re

    from monitor.plans.refs import _DATE_FORMS, DE_MONTH_NAMES, EN_MONTH_NAMES

    plain = [
        r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日",
        r"(?<!\d)(?P<y>(?:19|20)\d{2})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)",
        rf"(?<![\d.])(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mn>{EN_MONTH_NAMES})(?:,?\s+(?P<y>(?:19|20)\d{{2}}))?",
        rf"(?P<mn>{EN_MONTH_NAMES})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,\s*(?P<y>(?:19|20)\d{{2}}))?",
        rf"(?<![\d.])(?P<d>\d{{1,2}})\.\s*(?P<mn>{DE_MONTH_NAMES})(?:\s+(?P<y>(?:19|20)\d{{2}}))?",
    ]
    pieces = ["1", "2", "19", "20", "2024", "12", "5", ".", "-", "/", " ", "年", "月", "日", "March", "Mai", "März",
              "3rd", ",", "x", "\n"]
    rng = random.Random(11)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 25))) for _ in range(20000)]
    matched = 0
    for (_, fast, _gate), definition in zip(_DATE_FORMS, plain, strict=True):
        reference = re.compile(definition)
        for text in texts:
            expected = [(m.span(), m.groupdict()) for m in reference.finditer(text)]
            assert [(m.span(), m.groupdict()) for m in fast.finditer(text)] == expected, (definition, text)
            matched += len(expected)
    assert matched > 500


def test_dates_skip_a_form_only_where_it_finds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """dates() skips a form when the text holds none of the strings its matches need; the dates must be
    those found with every form run."""
    import random

    import monitor.plans.refs as refs

    pieces = ["2024", "2019", "5", "12", "年", "月", "日", "-", ".", "/", " ", "March", "May", "Mai", "März", "3rd",
              ",", "自", "起施行", "发布日期：", "x", "\n", "2024年5月6日", "2023-05-06", "6 May", "March 3, 2024",
              "6. Mai 2024", "31 June"]
    rng = random.Random(13)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 25))) for _ in range(5000)]
    gated = [dates(text, default_year=2024) for text in texts]
    monkeypatch.setattr(refs, "_DATE_FORMS", [(form, pattern, None) for form, pattern, _ in refs._DATE_FORMS])
    assert gated == [dates(text, default_year=2024) for text in texts]
    assert sum(map(bool, gated)) > 2000


def test_latin_document_numbers_are_searched_for_only_where_they_can_be(monkeypatch: pytest.MonkeyPatch) -> None:
    """doc_numbers skips the Latin pattern on a text without No./Nr./Number; the numbers must be those
    found with it run on every text."""
    import random
    import re

    import monitor.plans.refs as refs

    pieces = ["Guangdong ", "Provincial ", "Government ", "Office ", "The ", "Doc ", "(2024) ", "[2023]", "（2019）",
              "No.", "No. 5", "Nr. 3", "Number 12", "number 4", "NO. 7", " ", "\n", "x", "12", "粤府办〔2024〕1号",
              "Guangdong Office (2024) No. 5", "Doc Shenzhen [2023] Nr. 3", "Gov (2022) Number 8"]
    rng = random.Random(17)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 15))) for _ in range(5000)]
    gated = [doc_numbers(text) for text in texts]
    monkeypatch.setattr(refs, "_LATIN_DOC_GATE", re.compile(""))
    assert gated == [doc_numbers(text) for text in texts]
    assert sum(any("〔2024〕" not in n for n in numbers) for numbers in gated) > 300


def test_english_titles_are_matched_where_finditer_matches_them() -> None:
    """_en_title_matches tries _EN_TITLE only where a match can start; the matches must be finditer's."""
    import random

    from monitor.plans.titles import _EN_TITLE, _en_title_matches

    pieces = ["Action Plan", "Plan", "Opinions", "Implementation", "for", "on", "the", "of", "and", "&", "Future",
              "Industrial", "Clusters", "in", "Guangdong", "Province", "(2021-2025)", "2021–2025", "１２３４-５６",
              "“14th Five-Year Plan”", "\"", "“", "”", "5", "x", "issued", ".", ",", "\n"]
    rng = random.Random(23)
    texts = [" ".join(rng.choice(pieces) for _ in range(rng.randint(1, 25))) for _ in range(20000)]
    matched = 0
    for text in texts:
        expected = [m.span() for m in _EN_TITLE.finditer(text)]
        assert [m.span() for m in _en_title_matches(text)] == expected, text
        matched += len(expected)
    assert matched > 5000


def test_region_mentions_skip_a_script_only_where_no_name_can_start() -> None:
    """Gazetteer.mentions runs a finder only on a text holding one of its names' first characters; the
    mentions must be those of both finders run on every text."""
    import random

    places = gazetteer()
    pieces = ["广东省", "广州", "深圳市", "东莞", "Guangdong", "Canton", "Kanton", "Peking", "Beijing", "Shenzhen",
              "省", "市", "的", " ", "\n", "x", "g", "5G", "AI", "Zhuhai", "珠海", "zhuhai"]
    rng = random.Random(29)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 8))) for _ in range(5000)]
    for text in texts:
        spans = sorted(places.zh_finder.spans(text) + places.latin_finder.spans(text))
        assert [(m.start, m.end) for m in places.mentions(text)] == spans, text
