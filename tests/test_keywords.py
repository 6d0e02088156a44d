"""KeywordMatcher (one Aho-Corasick pass) finds what one regex per keyword group found."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from monitor.keywords import KeywordMatcher, NameFinder, fold
from monitor.plans.issuers import issuer_finder
from monitor.plans.regions import gazetteer
from monitor.plans.sectors import keyword_pattern, taxonomy

CORPUS = Path(__file__).parent / "corpus"


def regex_first_positions(groups: dict[str, list[str]], text: str) -> dict[str, int]:
    found = {}
    for key, words in groups.items():
        match = keyword_pattern(words).search(text)
        if match:
            found[key] = match.start()
    return found


def test_word_start_and_case_rules() -> None:
    matcher = KeywordMatcher({"ai": ["AI"], "h2": ["Wasserstoff"], "quantum": ["量子"], "6g": ["6G"]})
    assert matcher.first_positions("Thailand plans") == {}
    assert matcher.first_positions("the AI plan; ai again") == {"ai": 4}
    assert matcher.first_positions("Grüner WASSERSTOFF") == {"h2": 7}
    assert matcher.first_positions("Wasserstoffstrategie") == {"h2": 0}  # a word start, not a whole word
    assert matcher.first_positions("推动量子科技和6G") == {"quantum": 2, "6g": 7}
    assert matcher.first_positions("16G memory") == {}


def test_overlapping_keywords_of_different_groups_are_all_found() -> None:
    matcher = KeywordMatcher({"quantum": ["量子"], "quantum-computing": ["量子计算"], "computing": ["计算"]})
    assert matcher.first_positions("发展量子计算") == {"quantum": 2, "quantum-computing": 2, "computing": 4}


def test_fold_keeps_positions() -> None:
    text = "İstanbul and 量子"
    assert len(fold(text)) == len(text)
    assert KeywordMatcher({"q": ["量子"]}).first_positions(text) == {"q": text.index("量子")}


def corpus_texts() -> list[str]:
    files = sorted((CORPUS / "plans").glob("*.txt")) + sorted((CORPUS / "changes").rglob("*.txt"))
    return [path.read_text(encoding="utf-8") for path in files]


@pytest.mark.parametrize("case", ["lower", "upper"])
def test_taxonomy_matches_the_per_sector_regexes_on_the_corpus(case: str) -> None:
    texts = corpus_texts()
    assert len(texts) >= 40
    tax = taxonomy()
    groups = {sid: sector.keywords for sid, sector in tax.sectors.items()}
    compared = 0
    for text in texts:
        text = text if case == "lower" else text.upper()
        assert tax.matcher.first_positions(text) == regex_first_positions(groups, text)
        compared += bool(tax.find(text))
    assert compared >= 30  # the corpus does name sectors: the comparison is not of empty results


def regex_spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


def alternation(names: list[str]) -> str:
    return "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))


def test_name_finder_boundaries_and_leftmost_longest() -> None:
    finder = NameFinder(["Guangdong", "Guangdong Province", "Canton"], boundary="latin")
    assert finder.spans("Guangdong Province and Cantonese, Canton.") == [(0, 18), (34, 40)]
    words = NameFinder(["MIIT", "State Council"], ignore_case=True, boundary="word")
    assert words.spans("the state council; MIITs; miit") == [(4, 17), (26, 30)]
    assert NameFinder(["广东", "广东省"]).spans("广东省广东") == [(0, 3), (3, 5)]


@pytest.mark.parametrize("case", ["as written", "upper", "lower"])
def test_name_finders_match_the_regex_alternations_on_the_corpus(case: str) -> None:
    places, issuers = gazetteer(), issuer_finder()
    national_zh = [n for n in issuers.national_names if not n.isascii()]
    national_latin = [n for n in issuers.national_names if n.isascii()]
    regexes = [
        (places.zh_finder, re.compile(alternation(places.zh_names))),
        (places.latin_finder,
         re.compile(f"(?<![A-Za-zÀ-ÿ])(?:{alternation(places.latin_names)})(?![A-Za-zÀ-ÿ])")),
        (issuers.national_zh, re.compile(alternation(national_zh), re.I)),
        (issuers.national_latin, re.compile(rf"\b(?:{alternation(national_latin)})\b", re.I)),
        (issuers.national_acronyms, re.compile(rf"\b(?:{alternation(list(issuers.acronyms))})\b")),
    ]
    found = 0
    for text in corpus_texts():
        text = {"upper": text.upper(), "lower": text.lower()}.get(case, text)
        for finder, pattern in regexes:
            spans = finder.spans(text)
            assert spans == regex_spans(pattern, text)
            found += len(spans)
    assert found > 100  # the comparison is not of empty results
