from __future__ import annotations

import random
import time

from monitor.diff import (
    MAX_WORD_DIFF_CELLS,
    diff_sentences,
    render_html,
    render_text,
    split_sentences,
    tokenize,
)

OLD = """广东省培育未来产业集群行动方案
到2030年，建成5个未来产业科技园，形成一批具有世界影响力的成果。
到2035年，基本形成若干引领全球的未来产业集群。
The province targets 10 innovation platforms by 2030."""


def test_revised_target_is_marked_at_character_level_in_chinese() -> None:
    new = OLD.replace("建成5个", "建成6个")
    diff = diff_sentences(OLD, new)
    assert [c.kind for c in diff.changes] == ["modified"]
    html = render_html(diff)
    assert "<del>5</del><ins>6</ins>" in html
    assert diff.number_changes == (("5", "6"),)
    assert diff.summary() == "1 sentence changed; numbers changed: 5→6"


def test_english_words_and_numbers() -> None:
    new = OLD.replace("10 innovation platforms by 2030", "12 innovation platforms by 2035")
    diff = diff_sentences(OLD, new)
    html = render_html(diff)
    assert "<del>10</del><ins>12</ins>" in html and "<del>2030</del><ins>2035</ins>" in html
    assert "innovation platforms" in html  # context around the change


def test_added_and_removed_paragraphs() -> None:
    added = "新增：加快布局低空经济和6G通信。"
    new = OLD.replace("到2035年，基本形成若干引领全球的未来产业集群。", added)
    diff = diff_sentences(OLD, new)
    kinds = sorted(c.kind for c in diff.changes)
    assert kinds == ["added", "removed"]
    assert f"<ins>{added}</ins>" in render_html(diff)
    assert "1 sentence added, 1 removed" == diff.summary()


def test_only_changed_paragraphs_are_shown() -> None:
    new = OLD + "\n新增一段：支持建设人形机器人创新中心。"
    html = render_html(diff_sentences(OLD, new))
    assert "到2035年" not in html and "人形机器人创新中心" in html


def test_width_and_spacing_are_not_changes() -> None:
    new = OLD.replace("2030", "２０３０").replace("，", ", ")
    assert diff_sentences(OLD, new).changes == ()


def test_hostile_text_is_escaped() -> None:
    new = OLD + '\n<script>alert(1)</script><img src=x onerror="x()">'
    html = render_html(diff_sentences(OLD, new))
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_text_rendering_plain_and_colour() -> None:
    diff = diff_sentences(OLD, OLD.replace("建成5个", "建成6个"))
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
    diff = diff_sentences(f"题\n{old}", f"题\n{new}")
    assert time.process_time() - start < 5  # a bound, not a benchmark: uncapped this takes minutes
    assert len(diff.changes) >= 1


def test_sentences_split_in_chinese_english_and_german() -> None:
    assert split_sentences("到2027年，建成10个先导区。到2030年，规模突破300亿元；形成集群！") == [
        "到2027年，建成10个先导区。", "到2030年，规模突破300亿元；", "形成集群！"]
    assert split_sentences("It rose 3.5 per cent. The U.S. said no. See Document No. 5 of 2024. Mr. Li agreed.") == [
        "It rose 3.5 per cent.", "The U.S. said no.", "See Document No. 5 of 2024.", "Mr. Li agreed."]
    assert split_sentences("Sie sehen u. a. bis zu 5 Mio. Yuan vor. Am 21. Oktober 2024 kam es. Bis 2030 geht es.") == [
        "Sie sehen u. a. bis zu 5 Mio. Yuan vor.", "Am 21. Oktober 2024 kam es.", "Bis 2030 geht es."]


PARA = """标题
第一段第一句。第一段第二句，内容较长。
第二段讲人才支撑。每年培养专业人才5000人以上。
第三段讲财政支持。设立投资基金。"""


def test_added_sentence_is_shown_alone_with_its_context() -> None:
    new = PARA.replace("每年培养专业人才5000人以上。", "每年培养专业人才5000人以上。新增一句关于顶尖人才的资助。")
    diff = diff_sentences(PARA, new)
    assert [(c.kind, c.new) for c in diff.changes] == [("added", "新增一句关于顶尖人才的资助。")]
    assert diff.changes[0].context == "每年培养专业人才5000人以上。"
    html = render_html(diff)
    assert "<ins>新增一句关于顶尖人才的资助。</ins>" in html and "第二段讲人才支撑" not in html
    assert diff.summary() == "1 sentence added"


def test_moved_paragraph_is_reported_as_moved() -> None:
    lines = PARA.splitlines()
    new = "\n".join([lines[0], lines[3], lines[1], lines[2]])
    diff = diff_sentences(PARA, new)
    assert [c.kind for c in diff.changes] == ["moved"]
    assert diff.changes[0].paragraph and diff.changes[0].sentences == 2
    assert diff.summary() == "1 paragraph moved"
    assert "<em>Moved paragraph:</em> 第三段讲财政支持。设立投资基金。" in render_html(diff)
    assert render_text(diff).startswith("> (moved paragraph) 第三段讲财政支持。")


def test_moved_and_edited_together() -> None:
    lines = PARA.splitlines()
    new = "\n".join([lines[0], lines[3], lines[1], lines[2].replace("5000", "6000")])
    diff = diff_sentences(PARA, new)
    assert sorted(c.kind for c in diff.changes) == ["modified", "moved"]
    assert diff.summary() == "1 sentence changed, 1 paragraph moved; numbers changed: 5000→6000"


def test_paragraph_reflow_is_not_a_change() -> None:
    assert diff_sentences(PARA, PARA.replace("第一段第一句。", "第一段第一句。\n")).changes == ()


def test_additions_only_drops_deletions() -> None:
    new = PARA.replace("第一段第二句，内容较长。", "").replace("设立投资基金。", "设立200亿元投资基金。")
    diff = diff_sentences(PARA, new)
    assert sorted(c.kind for c in diff.changes) == ["modified", "removed"]
    only = diff.additions_only()
    assert [c.kind for c in only.changes] == ["modified"]
    assert all(s.op != "delete" for c in only.changes for s in c.segments)
    assert "<ins>200亿元</ins>" in render_html(only) and "<del>" not in render_html(only)
    deletions = diff_sentences(PARA, PARA.replace("第一段第二句，内容较长。", ""))
    assert deletions.additions_only().changes == ()


def test_redesigned_page_is_bounded() -> None:
    old = "\n".join(f"旧版第{i}段内容，讲述政策甲的第{i}项措施。" for i in range(400))
    new = "\n".join(f"New layout paragraph {i} about a different programme entirely." for i in range(400))
    start = time.process_time()
    diff = diff_sentences(old, new)
    assert time.process_time() - start < 5  # a bound, not a benchmark
    assert diff.count("removed") == 400 and diff.count("added") == 400
    assert render_html(diff).count("<p") == 51  # 50 changes and a "more" line


def test_new_paragraph_is_one_block_counted_in_sentences() -> None:
    new = PARA + "\n第四段新增氢能内容。建设加氢站100座。"
    diff = diff_sentences(PARA, new)
    assert len(diff.changes) == 1
    change = diff.changes[0]
    assert (change.kind, change.sentences, change.paragraph) == ("added", 2, True)
    assert change.new == "第四段新增氢能内容。建设加氢站100座。"
    assert diff.summary() == "2 sentences added"
    assert render_text(diff) == "+ {+第四段新增氢能内容。建设加氢站100座。+}"


def test_rewrite_in_the_same_vocabulary_is_bounded() -> None:
    """Sentences on the same topic share most characters: pairing must not fall back to slow ratios."""
    rng = random.Random(7)
    vocab = "发展未来产业集群推动创新平台建设人形机器人脑机接口量子科技合成生物能源材料空间健康制造信息"
    old, new = ("\n".join("".join(rng.choice(vocab) for _ in range(80)) + "。" for _ in range(100)) for _ in "ab")
    start = time.process_time()
    diff = diff_sentences(old, new)
    assert time.process_time() - start < 1.0  # quadratic character ratios took over 2 s here
    assert diff.count("removed") == 100 and diff.count("added") == 100
