"""Archive at scale: size against the raw bytes it holds, search / history / diff latency, export throughput.

Generates an archive of N versions (default 200,000) of government-style pages (bench/policy_corpus.py:
70% Chinese, 20% English, 10% German; 1–15 versions per page, mean ≈3.3) and measures it. The schema
comes from the migrations (``Archive``); versions are written with batched SQL (``write_page``: one
transaction per 200 pages) through the same storage functions ``Archive.add_version`` uses (texts and
fetched pages stored once and delta-compressed, the full-text index updated for every version, an
event with its diff for every version), with ``PRAGMA synchronous=OFF`` on the generating connection
only; neither changes what is stored. Page generation and diffs run in worker processes.

Run from the repository root:
    PYTHONPATH=. python bench/archive_bench.py --versions 200000 --db /tmp/pw-bench/archive.db
    PYTHONPATH=. python bench/archive_bench.py --db /tmp/pw-bench/archive.db --reuse   # measure only
"""
from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from policy_corpus import SourceSite, page_versions, sources  # noqa: E402

from monitor.detect import comparison_text, excerpt  # noqa: E402
from monitor.diff import diff_paragraphs, render_html, render_text  # noqa: E402
from monitor.normalize import content_hash, normalize_text  # noqa: E402
from storage import Archive  # noqa: E402
from storage.content import store_body, store_text  # noqa: E402
from storage.search import ORDERS, index_latest_text, optimize_index, search  # noqa: E402

START = datetime(2024, 1, 1, tzinfo=timezone.utc)
SITES = sources()
QUERIES = {
    "zh": ["人形机器人", "脑机接口", "量子计算", "合成生物", "新型储能", "商业航天", "机器人 创新中心",
           "低空经济 中试平台"],
    "en": ["humanoid robots", "quantum computing", "hydrogen", "satellite internet", "fusion", "Subsidies"],
    "de": ["Wasserstoff", "Quantencomputer", "Raumfahrt"],
    "zh-filtered": ["人形机器人 --region Guangdong", "脑机接口 --since 2026-01-01"],
    "short (LIKE scan)": ["氢能", "6G", "量子"],
}


def versions_per_page(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.35:
        return 1
    if roll < 0.55:
        return 2
    if roll < 0.70:
        return 3
    if roll < 0.90:
        return rng.randint(4, 6)
    return rng.randint(7, 15)


def schedule(total: int, seed: int) -> list[tuple[int, list[str]]]:
    """(page, fetch times of its versions) for ``total`` versions, pages in order of first sight."""
    rng = random.Random(seed)
    plan: list[tuple[int, list[str]]] = []
    remaining = total
    page = 0
    while remaining > 0:
        when = START + timedelta(minutes=rng.randrange(60 * 24 * 900))
        times = []
        for _ in range(min(versions_per_page(rng), remaining)):
            times.append(when.strftime("%Y-%m-%dT%H:%M:%SZ"))
            when += timedelta(days=rng.randint(3, 120), minutes=rng.randrange(1440))
        plan.append((page, times))
        remaining -= len(times)
        page += 1
    plan.sort(key=lambda job: job[1][0])
    return plan


def site_of(page: int) -> SourceSite:
    return SITES[page % len(SITES)]


def url_of(page: int) -> str:
    site = site_of(page)
    return f"https://{site.host}/zwgk/content/post_{1_000_000 + page}.html"


def make_page(job: tuple[int, list[str]]) -> list[dict[str, Any]]:
    """Everything ``add_version`` needs for each version of one page (runs in a worker)."""
    page, times = job
    site = site_of(page)
    rows, previous = [], None
    for number, (when, version) in enumerate(zip(times, page_versions(site, page * 7919 + 13, len(times)),
                                                 strict=True), 1):
        new_text = comparison_text(version.title, version.text)
        summary = diff_html = None
        if previous is not None:
            diff = diff_paragraphs(previous, new_text)
            summary, diff_html = diff.summary(), render_html(diff)
        previous = new_text
        rows.append({
            "run_id": None, "source": site.name, "region": site.region, "url": url_of(page), "fetched_at": when,
            "status": 200, "raw_html": version.html, "elapsed_ms": 120.0,
            "content_hash": content_hash(normalize_text(new_text)), "title": version.title, "text": version.text,
            "published": times[0][:10], "language": site.language, "relevant": True,
            "event_kind": "new" if number == 1 else "changed", "summary": summary,
            "excerpt": excerpt(version.text) if number == 1 else None, "diff_html": diff_html,
        })
    return rows


def write_page(conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> None:
    """Write one page's versions as ``Archive.add_version`` does for each, in the caller's transaction.

    Same tables, columns and storage functions (texts and bodies stored once and delta-compressed, the
    index updated per version); only sqlite-utils' per-call table introspection is left out, which
    made generating 200,000 versions take over an hour on a shared 2-core machine.
    """
    first = rows[0]
    page_id = conn.execute("insert into pages (url, source, first_seen, version_count) values (?, ?, ?, 0)",
                           [first["url"], first["source"], first["fetched_at"]]).lastrowid
    previous: tuple[str | None, str, str, str] | None = None  # title, text, text hash, body hash
    for number, f in enumerate(rows, 1):
        text_key = store_text(conn, f["text"], previous=previous[2] if previous else None)
        body_key = store_body(conn, f["raw_html"], source=f["source"], previous=previous[3] if previous else None)
        index_latest_text(conn, page_id, f["title"], f["text"], replaces=previous[:2] if previous else None)
        version_id = conn.execute(
            "insert into versions (page_id, number, fetched_at, content_hash, title, text_hash, text_length, "
            "published, language, relevant, html_hash, html_bytes) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [page_id, number, f["fetched_at"], f["content_hash"], f["title"], text_key, len(f["text"]),
             f["published"], f["language"], int(f["relevant"]), body_key, len(f["raw_html"])]).lastrowid
        conn.execute(
            "insert into fetches (run_id, source, url, page_id, fetched_at, status, bytes, elapsed_ms, outcome) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [None, f["source"], f["url"], page_id, f["fetched_at"], f["status"], len(f["raw_html"]),
             f["elapsed_ms"], f["event_kind"]])
        conn.execute(
            "insert into events (guid, kind, created_at, run_id, page_id, version_id, source, region, url, title, "
            "summary, excerpt, diff_html, relevant) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [f"tag:policywatch,2026:page/{page_id}/v{number}/{f['event_kind']}", f["event_kind"], f["fetched_at"],
             None, page_id, version_id, f["source"], f["region"], f["url"], f["title"], f["summary"], f["excerpt"],
             f["diff_html"], int(f["relevant"])])
        previous = (f["title"], f["text"], text_key, body_key)
    last = rows[-1]
    conn.execute("update pages set last_checked = ?, last_changed = ?, last_status = ?, version_count = ?, "
                 "title = ? where id = ?",
                 [last["fetched_at"], last["fetched_at"], last["status"], len(rows), last["title"], page_id])


def build(db_path: Path, total: int, seed: int, workers: int) -> float:
    if db_path.exists():
        raise SystemExit(f"{db_path} exists: remove it or pass --reuse")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    plan = schedule(total, seed)
    in_flight = threading.Semaphore(2_000)  # pages generated ahead of the writer, to bound memory

    def jobs() -> Iterator[tuple[int, list[str]]]:
        for job in plan:
            in_flight.acquire()
            yield job

    with Archive(db_path) as archive:  # creates the schema through the migrations
        for site in SITES:
            archive.upsert_source(site.name, title=site.host, region=site.region, language=site.language,
                                  now="2024-01-01T00:00:00Z")
    started = time.perf_counter()
    written = 0
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    with multiprocessing.Pool(workers) as pool:
        conn.execute("begin")
        for n, rows in enumerate(pool.imap(make_page, jobs(), chunksize=8), 1):
            write_page(conn, rows)
            in_flight.release()
            before, written = written, written + len(rows)
            if n % 200 == 0:  # commit in batches of 200 pages
                conn.execute("commit")
                conn.execute("begin")
            if written // 10_000 > before // 10_000:
                rate = written / (time.perf_counter() - started)
                print(f"  {written:>7} versions, {rate:.0f}/s", file=sys.stderr, flush=True)
        conn.execute("commit")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return time.perf_counter() - started


def sizes(db_path: Path) -> dict[str, Any]:
    with Archive(db_path, readonly=True) as archive:
        db = archive.db
        raw_html, raw_text, versions = db.execute(
            "select sum(v.html_bytes), sum(t.bytes), count(*) from versions v join texts t on t.hash = v.text_hash"
        ).fetchone()
        pages = db.execute("select count(*) from pages").fetchone()[0]
        by_table: dict[str, int] = {}
        for name, size in db.execute("select name, sum(pgsize) from dbstat group by name").fetchall():
            group = ("pages_fts (full-text index)" if name.startswith("pages_fts")
                     else name if name in ("versions", "texts", "bodies", "events", "pages", "fetches") else "other")
            by_table[group] = by_table.get(group, 0) + int(size)
        stored = {table: db.execute(f"select count(*), sum(length(data_z)), sum(depth > 0) from {table}").fetchone()
                  for table in ("texts", "bodies")}
    file_bytes = db_path.stat().st_size + sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "-wal"))
    raw = raw_html + raw_text
    return {
        "versions": versions, "pages": pages,
        "raw_html_bytes": raw_html, "raw_text_bytes": raw_text, "raw_bytes": raw,
        "database_bytes": file_bytes, "database_vs_raw": round(file_bytes / raw, 4),
        "distinct_bodies": stored["bodies"][0], "bodies_delta_compressed": stored["bodies"][2],
        "bodies_compressed_vs_raw_html": round(stored["bodies"][1] / raw_html, 4),
        "distinct_texts": stored["texts"][0], "texts_delta_compressed": stored["texts"][2],
        "texts_compressed_vs_raw_text": round(stored["texts"][1] / raw_text, 4),
        "bytes_by_table": dict(sorted(by_table.items(), key=lambda kv: -kv[1])),
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _ms(samples: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(samples) * 1000, 2),
            "p95_ms": round(percentile(samples, 0.95) * 1000, 2), "samples": len(samples)}


def _parse(query: str) -> tuple[str, dict[str, str]]:
    words, filters, parts = [], {}, query.split()
    i = 0
    while i < len(parts):
        if parts[i].startswith("--"):
            filters[parts[i][2:]] = parts[i + 1]
            i += 2
        else:
            words.append(parts[i])
            i += 1
    return " ".join(words), filters


def search_latency(db_path: Path, repeat: int) -> dict[str, Any]:
    return {order: _search_latency(db_path, repeat, order) for order in ORDERS}


def _search_latency(db_path: Path, repeat: int, order: str) -> dict[str, Any]:
    report: dict[str, Any] = {}
    with Archive(db_path, readonly=True) as archive:
        for group, queries in QUERIES.items():
            samples: list[float] = []
            per_query = {}
            for query in queries:
                text, filters = _parse(query)
                hits = search(archive.db, text, limit=20, order=order, **filters)  # warm the page cache once
                times = []
                for _ in range(repeat):
                    started = time.perf_counter()
                    search(archive.db, text, limit=20, order=order, **filters)
                    times.append(time.perf_counter() - started)
                samples += times
                per_query[query] = {"hits (limit 20)": len(hits),
                                    "median_ms": round(statistics.median(times) * 1000, 2)}
            report[group] = {**_ms(samples), "queries": per_query}
    return report


def history_latency(db_path: Path, pages: int, seed: int) -> dict[str, Any]:
    with Archive(db_path, readonly=True) as archive:
        urls = [r[0] for r in archive.db.execute("select url from pages where version_count >= 2").fetchall()]
        sample = random.Random(seed).sample(urls, min(pages, len(urls)))
        history, diff, show = [], [], []
        for url in sample:
            started = time.perf_counter()
            versions = archive.versions(url)
            history.append(time.perf_counter() - started)
            started = time.perf_counter()
            old, new = versions[-2], versions[-1]
            render_text(diff_paragraphs(comparison_text(old.title, old.text), comparison_text(new.title, new.text)))
            diff.append(time.perf_counter() - started)
            started = time.perf_counter()
            archive.latest_version(url)
            show.append(time.perf_counter() - started)
    return {"history (all versions with text)": _ms(history), "diff (latest two, computed)": _ms(diff),
            "show (latest version)": _ms(show)}


def export_throughput(db_path: Path, out_dir: Path) -> dict[str, Any]:
    report = {}
    for what, fmt in (("versions", "jsonl"), ("events", "csv"), ("pages", "json")):
        out = out_dir / f"export-{what}.{fmt}"
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "monitor", "export", "--what", what, "--format", fmt,
                        "--out", str(out), "--db", str(db_path)], check=True, capture_output=True,
                       env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
        elapsed = time.perf_counter() - started
        rows = _count_rows(out, fmt)
        size = out.stat().st_size
        out.unlink()
        report[f"{what} as {fmt}"] = {
            "rows": rows, "seconds": round(elapsed, 2), "rows_per_s": round(rows / elapsed),
            "MB_per_s": round(size / elapsed / 1e6, 1), "output_MB": round(size / 1e6, 1),
            # the largest child so far: includes the generator workers when the archive was built in this run
            "peak_rss_MB (largest child so far)": round(max(before, resource.getrusage(
                resource.RUSAGE_CHILDREN).ru_maxrss) / 1024, 1),
        }
    return report


def _count_rows(path: Path, fmt: str) -> int:
    if fmt == "json":
        return len(json.loads(path.read_text(encoding="utf-8")))
    with path.open(encoding="utf-8", newline="") as handle:
        if fmt == "csv":
            return sum(1 for _ in csv.reader(handle)) - 1  # fields may hold newlines: count records
        return sum(1 for _ in handle)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path("/tmp/pw-bench/archive.db"))
    parser.add_argument("--versions", type=int, default=200_000)
    parser.add_argument("--reuse", action="store_true", help="Measure an archive built before.")
    parser.add_argument("--repeat", type=int, default=15, help="Timed runs per search query.")
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 2) // 2))
    parser.add_argument("--report", type=Path, help="Also write the report as JSON here.")
    parser.add_argument("--optimize", action="store_true",
                        help="Then merge the full-text index (optimize_index), VACUUM, and measure again.")
    args = parser.parse_args()
    report: dict[str, Any] = {"command": " ".join(sys.argv)}
    if not args.reuse:
        report["build_seconds"] = round(build(args.db, args.versions, args.seed, args.workers), 1)
    report["size"] = sizes(args.db)
    report["search"] = search_latency(args.db, args.repeat)
    report["history_diff"] = history_latency(args.db, 200, args.seed)
    report["export"] = export_throughput(args.db, args.db.parent)
    if args.optimize:
        started = time.perf_counter()
        conn = sqlite3.connect(args.db)
        with conn:
            optimize_index(conn)
        conn.execute("VACUUM")
        conn.close()
        report["after_index_optimize_and_vacuum"] = {"seconds": round(time.perf_counter() - started, 1),
                                                     **sizes(args.db)}
        report["search_after_optimize"] = search_latency(args.db, args.repeat)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if args.report:
        args.report.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
