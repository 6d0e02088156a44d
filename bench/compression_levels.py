"""Codec and level for stored pages: CPU and bytes per page of each, as storage/blobs.py compresses them.

A first crawl compresses every body against its source's frame (the first page, as dictionary) and
alone; this measures both, per codec and level (zlib with the frame's last 32 KiB as preset dictionary,
as archives were written before 0.3.3; zstd with the whole frame as raw-content dictionary, as now),
on the bodies of a generated bench site and, with ``--html-dir``, on saved pages of real sites
(``*.html`` or ``*.html.gz``; pages of one site in one sub-directory are compressed against that
directory's first page). Medians of ``--runs`` passes.

    python bench/compression_levels.py --pages 300 --runs 3 --html-dir /path/to/pages
"""
from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path

import zstandard
from site_gen import generate_site

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage.blobs import ZDICT_BYTES  # noqa: E402

CODECS = (("zlib", 1), ("zlib", 5), ("zlib", 6), ("zlib", 9), ("zstd", 1), ("zstd", 3), ("zstd", 6))


def _compressed(data: bytes, codec: str, level: int, zdict: bytes | None) -> bytes:
    if codec == "zstd":
        # a dictionary made and prepared for every page: storage/blobs.py keeps the frame's ready
        dictionary = zstandard.ZstdCompressionDict(zdict, dict_type=zstandard.DICT_TYPE_RAWCONTENT) if zdict else None
        return zstandard.ZstdCompressor(level=level, dict_data=dictionary).compress(data)
    compressor = zlib.compressobj(level, zdict=zdict[-ZDICT_BYTES:]) if zdict else zlib.compressobj(level)
    return compressor.compress(data) + compressor.flush()


def measure(groups: list[list[bytes]], runs: int) -> dict[str, dict[str, float]]:
    """Per codec and level: CPU ms per page and bytes per page, against the group's first page and alone."""
    pairs = [(group[0], page) for group in groups for page in group[1:]]
    report = {}
    for codec, level in CODECS:
        cpu: dict[str, list[float]] = {"delta": [], "alone": []}
        for _ in range(runs):
            for kind in cpu:
                start = time.process_time()
                for root, page in pairs:
                    _compressed(page, codec, level, root if kind == "delta" else None)
                cpu[kind].append(1000 * (time.process_time() - start) / len(pairs))
        report[f"{codec}_{level}"] = {
            "delta_ms": round(statistics.median(cpu["delta"]), 3),
            "alone_ms": round(statistics.median(cpu["alone"]), 3),
            "delta_bytes": round(statistics.mean(len(_compressed(p, codec, level, r)) for r, p in pairs)),
            "alone_bytes": round(statistics.mean(len(_compressed(p, codec, level, None)) for _, p in pairs)),
        }
    return report


def _saved_pages(root: Path) -> list[list[bytes]]:
    groups: dict[Path, list[bytes]] = {}
    for path in sorted([*root.rglob("*.html"), *root.rglob("*.html.gz")]):
        data = path.read_bytes()
        groups.setdefault(path.parent, []).append(gzip.decompress(data) if path.suffix == ".gz" else data)
    return [group for group in groups.values() if len(group) > 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--html-dir", type=Path, help="saved pages of real sites, one sub-directory per site")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        site = generate_site(Path(tmp) / "site", args.pages, 1)
        bodies = [(site.root / article.path).read_bytes() for article in site.articles]
    report: dict[str, object] = {"bench_site": measure([bodies], args.runs)}
    if args.html_dir:
        report["saved_pages"] = measure(_saved_pages(args.html_dir), args.runs)
    report["command"] = " ".join(["python", "bench/compression_levels.py", *(argv or sys.argv[1:])])
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
