from __future__ import annotations

import time

from monitor.diff import MAX_WORD_DIFF_CELLS, diff_paragraphs, render_html, render_text, tokenize

OLD = """广东省培育未来产业集群行动方案
到2030年，建成5个未来产业科技园，形成一批具有世界影响力的成果。
到2035年，基本形成若干引领全球的未来产业集群。
The province targets 10 innovation platforms by 2030."""


def test_revised_target_is_marked_at_character_level_in_chinese() -> None:
    new = OLD.replace("建成5个", "建成6个")
    diff = diff_paragraphs(OLD, new)
    assert [c.kind for c in diff.changes] == ["modified"]
    html = render_html(diff)
    assert "<del>5</del><ins>6</ins>" in html
    assert diff.number_changes == (("5", "6"),)
    assert diff.summary() == "1 paragraph changed; numbers changed: 5→6"


def test_english_words_and_numbers() -> None:
    new = OLD.replace("10 innovation platforms by 2030", "12 innovation platforms by 2035")
    diff = diff_paragraphs(OLD, new)
    html = render_html(diff)
    assert "<del>10</del><ins>12</ins>" in html and "<del>2030</del><ins>2035</ins>" in html
    assert "innovation platforms" in html  # context around the change


def test_added_and_removed_paragraphs() -> None:
    added = "新增：加快布局低空经济和6G通信。"
    new = OLD.replace("到2035年，基本形成若干引领全球的未来产业集群。", added)
    diff = diff_paragraphs(OLD, new)
    kinds = sorted(c.kind for c in diff.changes)
    assert kinds == ["added", "removed"]
    assert f"<ins>{added}</ins>" in render_html(diff)
    assert "1 paragraph added, 1 removed" == diff.summary()


def test_only_changed_paragraphs_are_shown() -> None:
    new = OLD + "\n新增一段：支持建设人形机器人创新中心。"
    html = render_html(diff_paragraphs(OLD, new))
    assert "到2035年" not in html and "人形机器人创新中心" in html


def test_width_and_spacing_are_not_changes() -> None:
    new = OLD.replace("2030", "２０３０").replace("，", ", ")
    assert diff_paragraphs(OLD, new).changes == ()


def test_hostile_text_is_escaped() -> None:
    new = OLD + '\n<script>alert(1)</script><img src=x onerror="x()">'
    html = render_html(diff_paragraphs(OLD, new))
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_text_rendering_plain_and_colour() -> None:
    diff = diff_paragraphs(OLD, OLD.replace("建成5个", "建成6个"))
    assert "[-5-]{+6+}" in render_text(diff)
    assert "\x1b[" in render_text(diff, color=True)


def test_tokens_split_cjk_by_character_and_latin_by_word() -> None:
    assert tokenize("到2030年建成") == ["到", "2030", "年", "建", "成"]
    assert tokenize("3.5 billion yuan") == ["3.5", " ", "billion", " ", "yuan"]


def test_huge_rewritten_paragraph_is_bounded() -> None:
    side = int(MAX_WORD_DIFF_CELLS**0.5) + 10
    old = "甲" * side
    new = "乙" * side
    start = time.process_time()
    diff = diff_paragraphs(f"题\n{old}", f"题\n{new}")
    assert time.process_time() - start < 5  # a bound, not a benchmark: uncapped this takes minutes
    assert len(diff.changes) >= 1
