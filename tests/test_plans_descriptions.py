"""Reports that describe a plan without naming it link to one known plan, or to none."""
from __future__ import annotations

import pytest

from monitor.plans.analyse import analyse_page
from monitor.plans.descriptions import Clue, clues_from_json, clues_to_json, find_clues, resolve_clues

GD_PLANS = [("guangdong|action-plan|future-information", "p-electronic"),
            ("guangdong|action-plan|future-materials", "p-materials"),
            ("guangdong|action-plan|future-industry+n5", "p-five"),
            ("guangzhou|implementation-opinions|future-industry", "p-guangzhou")]


def known(region: str) -> list[tuple[str, str]]:
    return [(alias, plan) for alias, plan in GD_PLANS if alias.startswith(region + "|")]


def linked(text: str, title: str = "", page_region: str | None = None) -> list[str]:
    return [link.plan_id for link in resolve_clues(find_clues(title + "\n" + text, page_region), known)]


@pytest.mark.parametrize(("text", "expected"), [
    ("Guangdong officials walk through five future industry cluster plans.", ["p-five"]),
    ("Die Provinz Guangdong hat ihre Aktionspläne für fünf Zukunftsindustrie-Cluster vorgestellt.", ["p-five"]),
    ("广东发布了五大未来产业集群的行动方案。", ["p-five"]),
    # both cluster plans fit as well as each other: linked to neither
    ("Guangdong discussed the future electronic information and future materials cluster action plans.", []),
    ("Guangdong's future materials cluster action plan sets goals for 2030.", ["p-materials"]),
    # one concept and a bare plan word are too little ("plans" may be a verb)
    ("Guangdong plans to build future materials parks.", []),
    ("Guangzhou plans to grow future industries.", []),
    # the region decides: no plan of Sichuan is known, and a Guangdong plan is not one of Sichuan
    ("Sichuan officials outline five future industry cluster action plans.", []),
    # no plan word, no clue
    ("Guangdong's five future industry clusters are growing fast.", []),
])
def test_descriptions_link_to_exactly_one_known_plan(text: str, expected: list[str]) -> None:
    assert linked(text) == expected


def test_a_sentence_without_a_region_takes_the_page_region_and_plans_named_by_title_are_left_out() -> None:
    text = "Officials explained the five future industry cluster action plans."
    assert linked(text) == []
    assert linked(text, page_region="guangdong") == ["p-five"]
    clues = find_clues(text, "guangdong")
    assert resolve_clues(clues, known, exclude=["p-five"]) == []


def test_two_sentences_pointing_at_two_plans_of_one_region_link_neither() -> None:
    text = ("Guangdong presented its five future industry cluster action plans. "
            "Guangdong's future materials cluster action plan came first.")
    assert linked(text) == []


def test_clues_survive_json_and_official_texts_have_none() -> None:
    clues = find_clues("Guangdong officials walk through five future industry cluster plans", None)
    assert clues and clues_from_json(clues_to_json(clues)) == clues
    assert all(isinstance(c, Clue) for c in clues)
    official = analyse_page("各市人民政府，省政府各部门：现将《广东省培育未来材料产业集群行动计划》印发给你们，"
                            "请认真贯彻执行。",
                            "广东省人民政府办公厅关于印发广东省培育未来材料产业集群行动计划的通知", language="zh",
                            region="guangdong")
    assert official.role == "official" and official.clues == []


def test_a_page_full_of_plan_sentences_gives_a_bounded_number_of_clues() -> None:
    from monitor.plans.descriptions import MAX_CLUES, MAX_SENTENCE

    text = "Guangdong presented five future industry cluster plans. " * 2000 + "plan " * 5000
    clues = find_clues(text, None)
    assert len(clues) == MAX_CLUES and all(len(c.text) <= MAX_SENTENCE for c in clues)
