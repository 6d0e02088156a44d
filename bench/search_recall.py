"""Chinese full-text search: FTS5 trigram vs jieba word segmentation, on recall and index size.

Recall is measured against what an analyst expects from a search box: a page "mentions" a term when
the term occurs in its text as a substring. Each index is a contentless FTS5 table over the same
texts; its size is the sum of its pages (dbstat) after 'optimize'.

Texts: generated government-style pages (bench/policy_corpus.py), or real ones with --texts DIR
(a directory of UTF-8 .txt files, read only, never copied).

    PYTHONPATH=. python bench/search_recall.py --pages 3000
    PYTHONPATH=. python bench/search_recall.py --texts ../shared/corpus/chinese-wce/gt/cleaned

jieba is needed only here: pip install jieba
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from policy_corpus import page_version, sources  # noqa: E402

QUERIES = ["人形机器人", "机器人", "脑机接口", "脑机", "量子计算", "量子", "合成生物", "生物", "氢能", "储能",
           "新型储能", "人工智能", "智能", "具身智能", "商业航天", "航天", "低空经济", "中试平台", "创新中心",
           "产业集群", "知识产权", "成果转化", "卫星互联网", "互联网", "半导体", "6G", "核聚变", "细胞", "基因治疗",
           "领军企业"]


def generated_texts(pages: int) -> list[str]:
    zh = [s for s in sources() if s.language == "zh"]
    return [page_version(zh[i % len(zh)], i * 7919 + 13, 1).text for i in range(pages)]


def build(texts: list[str], tokenize: str, segment=None) -> tuple[sqlite3.Connection, int, float]:
    conn = sqlite3.connect(":memory:")
    conn.execute(f"create virtual table f using fts5(x, tokenize = '{tokenize}', content = '')")
    started = time.perf_counter()
    with conn:
        for n, text in enumerate(texts, 1):
            conn.execute("insert into f (rowid, x) values (?, ?)", [n, segment(text) if segment else text])
    conn.execute("insert into f (f) values ('optimize')")
    conn.commit()
    elapsed = time.perf_counter() - started
    size = conn.execute("select sum(pgsize) from dbstat where name like 'f%'").fetchone()[0]
    return conn, int(size), elapsed


def phrase(tokens: list[str]) -> str:
    return '"' + " ".join(t.replace('"', '""') for t in tokens if t.strip()) + '"'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--texts", type=Path, help="Directory of real .txt files to use instead.")
    args = parser.parse_args()
    import jieba

    jieba.setLogLevel(60)
    texts = ([p.read_text(encoding="utf-8") for p in sorted(args.texts.glob("*.txt"))] if args.texts
             else generated_texts(args.pages))
    text_bytes = sum(len(t.encode("utf-8")) for t in texts)
    truth = {q: {n for n, t in enumerate(texts, 1) if q.lower() in t.lower()} for q in QUERIES}

    variants = {
        "trigram": (build(texts, "trigram"), None),
        "jieba cut + unicode61": (build(texts, "unicode61", lambda t: " ".join(jieba.cut(t))), jieba.cut),
        "jieba cut_for_search + unicode61": (
            build(texts, "unicode61", lambda t: " ".join(jieba.cut_for_search(t))), jieba.cut),
    }
    report: dict = {"texts": len(texts), "text_bytes": text_bytes, "source": str(args.texts or "generated"),
                    "variants": {}}
    for name, ((conn, size, elapsed), cut) in variants.items():
        found = expected = 0
        misses = {}
        for query, relevant in truth.items():
            if len(query) < 3 and cut is None:  # trigram: short terms go through the vocabulary (see search.py)
                conn.execute("create virtual table if not exists v using fts5vocab(f, row)")
                terms = [r[0] for r in conn.execute("select term from v where term >= ? and term < ?",
                                                    [query.lower(), query.lower() + "\U0010ffff"])]
                match = " OR ".join(phrase([t]) for t in terms)
            else:
                match = phrase(list(cut(query)) if cut else [query])
            hits = {r[0] for r in conn.execute("select rowid from f where f match ?", [match])} if match else set()
            found += len(hits & relevant)
            expected += len(relevant)
            if relevant - hits:
                misses[query] = f"{len(relevant - hits)}/{len(relevant)} missed"
        report["variants"][name] = {
            "index_bytes": size, "index_vs_text": round(size / text_bytes, 2), "build_s": round(elapsed, 2),
            "recall": round(found / expected, 4) if expected else None, "queries_with_misses": misses,
        }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
