from __future__ import annotations

import random

import pytest

from monitor.relevance import DEFAULT_TOPICS, _fold, _matcher, is_relevant, matched_topics

# Keywords that overlap, share prefixes, repeat, need word boundaries, or fold (full-width, ß, case).
TRICKY_TOPICS = ("6G", "6g", "quantum", "quant", "ant", "量子", "量子计算", "子计", "AI", "ai chips",
                 "ｈｙｄｒｏｇｅｎ", "Straße", "strasse", "gen", "gene therapy", "x")


def _by_regex(text: str, topics: tuple[str, ...]) -> tuple[list[str], bool]:
    found = list(dict.fromkeys(m.group(0) for m in _matcher(topics).finditer(_fold(text))))
    return found, _matcher(topics).search(_fold(text)) is not None


@pytest.mark.parametrize("text, expected", [
    ("支持6G网络和量子计算", ["6g", "量子"]),
    ("16GB memory and 6Gbps links", []),  # "6g" starts and ends inside words here
    ("A 6G trial; quantum-safe links", ["6g", "quantum"]),
    ("Die Wasserstoff-Strategie und Quantentechnologie", ["wasserstoff", "quanten"]),
    ("", []),
])
def test_keywords_found_in_order_each_once(text: str, expected: list[str]) -> None:
    assert matched_topics(text + " " + text) == expected
    assert is_relevant(text) == bool(expected)


def test_one_pass_matching_answers_as_the_keyword_regex() -> None:
    """The Aho-Corasick pass must give the regex's answers, overlaps and boundaries included."""
    rng = random.Random(7)
    pieces = [*TRICKY_TOPICS, *DEFAULT_TOPICS[:20], " ", "1", "a", "-", "子", "量", "計", "ＡＩ", "STRASSE", "\n"]
    for topics in (TRICKY_TOPICS, DEFAULT_TOPICS, ("quant", "quantum"), ("quantum", "quant")):
        for _ in range(400):
            text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
            expected, relevant = _by_regex(text, topics)
            assert matched_topics(text, topics) == expected, (text, topics)
            assert is_relevant(text, topics) == relevant, (text, topics)


def test_first_listed_keyword_wins_where_two_start_together() -> None:
    assert matched_topics("quantum", ("quant", "quantum")) == ["quant"]
    assert matched_topics("quantum", ("quantum", "quant")) == ["quantum"]


def test_no_topics_means_every_page_is_relevant_and_an_empty_keyword_matches_as_the_regex_does() -> None:
    assert is_relevant("anything", []) and matched_topics("anything", []) == []
    assert matched_topics("ab", ("", "b")) == _by_regex("ab", ("", "b"))[0]
