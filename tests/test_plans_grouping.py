"""Grouping: the same plan across sources and languages gets one id; different plans never share one."""
from __future__ import annotations

from pathlib import Path

import pytest

from monitor.plans.analyse import analyse_page
from monitor.plans.data import PlanDataError, load_yaml
from monitor.plans.grouping import PlanIndex, PlanKeys, alias_key, normalise_title
from monitor.plans.sectors import Taxonomy


def plan_ids(text: str, title: str = "", **kwargs: object) -> dict[str, str]:
    return {p.title: p.plan_id for p in analyse_page(text, title, **kwargs).plans}


def test_normalised_titles_ignore_wrappers_brackets_years_and_punctuation() -> None:
    same = ["广东省人民政府办公厅关于印发《深圳市培育发展未来产业行动计划（2022—2025年）》的通知",
            "深圳市培育发展未来产业行动计划(2022-2025年)", "《深圳市培育发展未来产业行动计划》",
            "关于印发深圳市培育发展未来产业行动计划的通知", "深圳市培育发展未来产业行动计划（征求意见稿）"]
    assert len({normalise_title(t) for t in same}) == 1
    assert normalise_title("The Action Plan for X, Y and Z") == normalise_title("action plan for X Y and Z")


GUANGDONG_ELECTRONIC = {
    "zh": ("现将《广东省培育未来电子信息产业集群行动计划》印发给你们。", "zh"),
    "en": ("The Action Plan for Cultivating the Future Electronic Information Industry Cluster in Guangdong Province "
           "was released.", "en"),
    "de": ("Der „Aktionsplan zur Förderung des Industrieclusters für zukünftige elektronische Information in der "
           "Provinz Guangdong“ liegt vor.", "de"),
}
GUANGDONG_MATERIALS = {
    "zh": ("现将《广东省培育未来材料产业集群行动计划》印发给你们。", "zh"),
    "en": ("The Action Plan for Cultivating the Future Materials Industry Cluster in Guangdong Province was released.",
           "en"),
    "de": ("Der „Aktionsplan zur Förderung des Industrieclusters für zukünftige Materialien in der Provinz "
           "Guangdong“ liegt vor.", "de"),
}


def _single_id(text: str, language: str) -> str:
    ids = set(plan_ids(text, language=language).values())
    assert len(ids) == 1, ids
    return ids.pop()


def test_guangdong_electronic_information_and_materials_cluster_plans_stay_apart_in_every_language() -> None:
    electronic = {lang: _single_id(*case) for lang, case in GUANGDONG_ELECTRONIC.items()}
    materials = {lang: _single_id(*case) for lang, case in GUANGDONG_MATERIALS.items()}
    assert len(set(electronic.values())) == 1, "one plan in three languages is one plan"
    assert len(set(materials.values())) == 1
    assert set(electronic.values()).isdisjoint(materials.values())


def test_same_title_in_two_provinces_is_two_plans() -> None:
    zhejiang = plan_ids("浙江省人民政府办公厅印发《关于培育发展未来产业的指导意见》。", region="zhejiang")
    jiangsu = plan_ids("江苏省人民政府办公厅印发《关于培育发展未来产业的指导意见》。", region="jiangsu")
    assert set(zhejiang.values()).isdisjoint(jiangsu.values())


def test_cross_language_aliases_need_region_type_and_a_concept() -> None:
    assert alias_key("广州市关于加快培育发展未来产业的实施意见", "guangzhou") == \
        alias_key("Implementierungsrichtlinie für die beschleunigte Förderung zukünftiger Branchen in Guangzhou",
                  "guangzhou")
    assert alias_key("广州市关于加快培育发展未来产业的实施意见", None) is None
    assert alias_key("某某重要文件", "guangzhou") is None
    # a period alone ("14th five-year") does not identify a plan
    assert alias_key("14th Five-Year Plan for National Economic and Social Development", "cn") is None


def test_plan_index_merges_by_any_key_but_never_across_document_numbers() -> None:
    index = PlanIndex()
    first = index.resolve(PlanKeys(alias=None, title="gd|a", doc_number="粤府办〔2024〕1号"))
    assert index.resolve(PlanKeys(alias="gd|x", title="gd|a", doc_number=None)) == first
    assert index.resolve(PlanKeys(alias="gd|x", title=None, doc_number=None)) == first
    other = index.resolve(PlanKeys(alias=None, title="gd|a", doc_number="粤府办〔2024〕2号"))
    assert other != first


def test_user_data_files_extend_the_taxonomy_and_bad_files_name_themselves(tmp_path: Path) -> None:
    extended = tmp_path / "sectors.yaml"
    extended.write_text("directions:\n  - id: future-space\n    fields:\n      - id: space-mining\n"
                        "        keywords: {en: [asteroid mining], zh: [太空采矿]}\n", encoding="utf-8")
    taxonomy = Taxonomy(load_yaml("sectors.yaml", str(extended)), str(extended))
    assert taxonomy.find("支持太空采矿") == ["space-mining", "future-space"]
    broken = tmp_path / "broken.yaml"
    broken.write_text("directions: [\n", encoding="utf-8")
    with pytest.raises(PlanDataError, match="broken.yaml"):
        load_yaml("sectors.yaml", str(broken))
    with pytest.raises(ValueError, match="sectors.yaml"):
        Taxonomy({"directions": [{"names": {}}]})


def test_shipped_data_files_read_the_same_with_libyaml_as_with_pure_python_yaml() -> None:
    from importlib import resources

    import yaml

    from monitor.plans import data

    if yaml.__with_libyaml__:  # as PyPI's wheels are built
        assert data.YAML_LOADER is yaml.CSafeLoader
    for name in ("issuers.yaml", "plan_terms.yaml", "regions.yaml", "sectors.yaml"):
        text = resources.files("monitor").joinpath("data", name).read_text(encoding="utf-8")
        assert load_yaml(name) == yaml.load(text, Loader=yaml.SafeLoader), name  # noqa: S506


def test_an_alias_bridges_languages_but_never_merges_two_differently_titled_chinese_plans() -> None:
    from monitor.plans.analyse import analyse_page

    def keys(text: str, language: str, region: str = "guangdong") -> PlanKeys:
        (mention,) = [m for m in analyse_page(text, "", language=language, region=region).plans if m.is_title]
        return mention.keys

    first = keys("省政府印发《广东省培育未来产业集群行动计划》。", "zh")
    second = keys("省政府印发《广东省加快发展未来产业行动计划》。", "zh")
    english = keys('The "Action Plan for Accelerating Future Industries in Guangdong Province" was issued.', "en")
    assert first.alias == second.alias == english.alias  # same region, type and concepts
    index = PlanIndex()
    a, b = index.resolve(first), index.resolve(second)
    assert a != b
    assert index.resolve(english) == a  # another language: the alias joins it to the first such plan
    assert index.resolve(keys("现将《广东省加快发展未来产业行动计划》印发。", "zh")) == b
    german = keys("Die „Umsetzungsrichtlinie zur Entwicklung zukünftiger Industrien in Guangzhou“ liegt vor.", "de")
    other_german = keys("Die „Implementierungsrichtlinie für zukünftige Branchen in Guangzhou“ liegt vor.", "de")
    assert index.resolve(german) == index.resolve(other_german)  # translations vary; one plan


def test_a_titles_concepts_are_a_fresh_list_each_time() -> None:
    from monitor.plans.grouping import title_concepts

    title = "广东省培育未来材料产业集群行动计划"
    first = title_concepts(title)
    assert first  # the title names a concept
    first.append("changed-by-a-caller")
    assert title_concepts(title) == first[:-1]  # remembered per title, but never shared with a caller


def test_title_concepts_and_type_are_what_each_pattern_finds() -> None:
    """_title_concepts and plan_type test Chinese keywords with ``in`` and the others with a regex only when
    one of them can occur; the answer must be that of searching each keyword_pattern (re.I, word starts)."""
    import random
    import unicodedata

    from monitor.plans.grouping import _title_concepts, plan_terms, plan_type
    from monitor.plans.sectors import keyword_pattern

    terms = plan_terms()
    plain = [[(cid, keyword_pattern(keywords)) for cid, keywords in lists]
             for lists in (terms.concepts, terms.modifiers)]
    plain_types = [(type_id, keyword_pattern([keyword])) for type_id, keyword in terms.types]
    keywords = sorted({k for _, words in terms.concepts + terms.modifiers for k in words}
                      | {keyword for _, keyword in terms.types})
    pieces = keywords + [k.upper() for k in keywords] + [k.title() for k in keywords] + [
        "广东省", "关于", "的", "实施意见", "Action Plan", " ", "-", "x", "a", "Ä", "\u212a", "\u017f", "İ", "ı", "ß",
        "(2024)", "《", "》", "“", "的通知", "通用", "6", "14"]
    rng = random.Random(5)
    titles = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 6))) for _ in range(6000)]
    named = 0
    for title in titles:
        _title_concepts.cache_clear()
        text = unicodedata.normalize("NFKC", title)
        expected = tuple({cid for cid, pattern in tests if pattern.search(text)} for tests in plain)
        assert _title_concepts(title) == expected, title
        named += bool(expected[0])
        plan_type.cache_clear()
        assert plan_type(title) == next((t for t, pattern in plain_types if pattern.search(title)), None), title
    assert 1000 < named < 5900  # titles with and without concepts


def test_the_start_classes_match_what_the_keywords_first_characters_match() -> None:
    """plan_type and _title_concepts skip the regex keywords in a title that holds neither the uncased
    characters one starts with nor a character of the start class; a keyword's first character with a
    case must match (re.I, as in its pattern) nothing the class misses."""
    import re
    import sys

    from monitor.keywords import needs_word_start
    from monitor.plans.grouping import plan_terms

    terms = plan_terms()
    # re.I makes a character match another only when one of them has a case (ASCII digits: themselves)
    cased = [chr(c) for c in range(sys.maxunicode + 1)
             if chr(c).lower() != chr(c) or chr(c).upper() != chr(c) or c < 128]
    for lists, tests in (([[k] for _, k in terms.types], terms.type_tests),
                         ([words for _, words in terms.concepts + terms.modifiers], terms.term_tests)):
        # the keywords not found as plain substrings: a word-start rule, or a letter with a case
        others = [k for words in lists for k in words
                  if needs_word_start(k) or any(c.lower() != c or c.upper() != c for c in k)]
        starts = {k[0] for k in others if k[0].lower() != k[0] or k[0].upper() != k[0]}
        assert len(starts) > 10
        for keyword in others:
            if keyword[0] not in starts:  # it starts with a character compared as written
                assert any(keyword.startswith(lead) for lead in tests.leads), keyword
        literals = [re.compile(re.escape(start), re.I) for start in starts]
        for char in cased + sorted(starts):
            assert bool(tests.starts.fullmatch(char)) == any(p.fullmatch(char) for p in literals), char
