"""Summarise a py-spy profile (``py-spy record --format raw``: one ``frame;frame;… count`` per line).

Gives the share of samples per function (inclusive and self) and per area of the code (Scrapy and
Twisted, trafilatura, lxml, SQLite, our modules…), which is what a decision like "extract in a second
process" needs: where the crawl process spends its CPU.
"""
from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")

# A sample belongs to the area of its innermost frame that matches one of these (file path or
# function substrings, tried in this order for each frame): where the CPU time was actually spent.
AREAS = [
    ("imports (start-up)", ("<frozen importlib",)),
    ("decode: charset_normalizer", ("charset_normalizer",)),
    ("trafilatura (extraction)", ("trafilatura/",)),
    ("htmldate/courlan (trafilatura metadata)", ("htmldate/", "courlan/")),
    ("lxml/cssselect", ("lxml/", "cssselect/")),
    ("gzip/zlib", ("gzip.py", "zlib")),
    ("sqlite (sqlite-utils, storage)", ("sqlite_utils/", "storage/archive.py", "sqlite3/")),
    ("policywatch monitor/ (decode, diff, normalize, relevance, detect)", ("monitor/",)),
    ("policywatch crawlers/", ("crawlers/",)),
    ("scrapy", ("scrapy/", "parsel/", "w3lib/", "protego")),
    ("twisted/asyncio", ("twisted/", "asyncio/", "selectors.py")),
]


# Leaf frames of threads that wait (Twisted's thread pool, the reactor's select): not CPU time.
IDLE_LEAVES = {("wait", "threading.py"), ("select", "selectors.py"), ("poll", "selectors.py")}


def is_idle(frames: list[tuple[str, str]]) -> bool:
    func, file = frames[-1]
    return any(func.endswith(name) and file.endswith(path) for name, path in IDLE_LEAVES)


def area_of(frames: list[tuple[str, str]]) -> str:
    for func, file in reversed(frames):
        where = f"{file}:{func}"
        for label, needles in AREAS:
            if any(needle in where for needle in needles):
                return label
    return "other"


def process_of(frames: list[tuple[str, str]]) -> str:
    """Which process a sample is from: ``py-spy --subprocesses`` opens each stack with a ``process PID:"command"``
    frame (a worker's below its parent's), so the innermost such frame names it."""
    for func, _ in reversed(frames):
        if func.startswith("process "):
            if "multiprocessing" in func:
                return "analysis workers"
            return "crawl process" if "crawlers.crawl" in func else "other processes"
    return "one process"


def parse_frame(frame: str) -> tuple[str, str]:
    match = _FRAME.match(frame.strip())
    if not match:
        return frame.strip(), ""
    return match["func"], match["file"]


def load(path: str | Path) -> list[tuple[list[tuple[str, str]], int]]:
    stacks = []
    for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        stacks.append(([parse_frame(f) for f in stack.split(";")], int(count)))
    return stacks


def _short(file: str) -> str:
    for marker in ("site-packages/", "/lib/python3", "crawl-bench/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


def summarise(path: str | Path, top: int = 25) -> str:
    everything = load(path)
    stacks = [(frames, count) for frames, count in everything if not is_idle(frames)]
    idle = sum(count for _, count in everything) - sum(count for _, count in stacks)
    total = sum(count for _, count in stacks) or 1
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    areas: Counter[str] = Counter()
    process_areas: Counter[tuple[str, str]] = Counter()
    for frames, count in stacks:
        names = {f"{func} ({_short(file)})" for func, file in frames}
        for name in names:
            inclusive[name] += count
        func, file = frames[-1]
        own[f"{func} ({_short(file)})"] += count
        area = area_of(frames)
        areas[area] += count
        process_areas[(process_of(frames), area)] += count
    lines = [f"{path}: {total} busy samples ({idle} idle-thread samples left out)"]
    lines.append("\nby area (innermost matching frame, see profile_summary.AREAS):")
    lines += [f"  {100 * n / total:5.1f}%  {area}" for area, n in areas.most_common()]
    processes: Counter[str] = Counter()
    for (process, _), n in process_areas.items():
        processes[process] += n
    if len(processes) > 1:
        lines.append("\nby process, and its areas (shares of all busy samples):")
        for process, n in processes.most_common():
            lines.append(f"  {100 * n / total:5.1f}%  {process}")
            lines += [f"      {100 * m / total:5.1f}%  {area}" for (p, area), m in process_areas.most_common()
                      if p == process]
    lines.append(f"\ntop {top} functions by inclusive share:")
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(top)]
    lines.append(f"\ntop {top} functions by self share:")
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in own.most_common(top)]
    return "\n".join(lines)


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        print(summarise(argument))
