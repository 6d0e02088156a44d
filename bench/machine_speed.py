"""How fast this machine is right now, on a fixed workload that none of policywatch's code takes part in.

The 2-core machines the benchmarks run on change speed by 10-35% within an hour (the same code measured
159 and 116 first-crawl pages/s on one afternoon, with nothing else running), so a pages/s figure alone
cannot be compared with one taken at another time. ``reference_ms`` times a fixed mix of what a crawl
spends its CPU on in user space (lxml parsing and text serialisation, zlib, regex scans, pure-Python
string and dict work), and ``kernel_reference_ms`` a mix that is mostly system calls (small SQLite commits,
a pipe); each reports the median CPU milliseconds of a pass. Results taken at similar values of both are
comparable; when pages/s moves and they do not, the machine's speed was not the cause.

    python bench/machine_speed.py      # e.g. "reference workload: 3.4 ms; kernel-bound workload: 9.1 ms"
"""
from __future__ import annotations

import os
import random
import re
import sqlite3
import statistics
import tempfile
import time
import zlib
from collections.abc import Callable

from lxml import etree
from lxml import html as lxml_html

_WORDS = ("plan", "industry", "target", "province", "robot", "quantum", "hydrogen", "by", "2030", "未来产业",
          "行动方案", "到2027年", "人形机器人", "量子", "氢能", "billion", "yuan", "centres", "pilot", "platforms")


def _fixed_page(seed: int = 7, paragraphs: int = 120) -> str:
    rng = random.Random(seed)
    body = "".join(f"<p class='c{i % 5}'>{' '.join(rng.choice(_WORDS) for _ in range(40))}</p>"
                   for i in range(paragraphs))
    menu = "".join(f"<li><a href='/col/{i}/index.html'>{rng.choice(_WORDS)}</a></li>" for i in range(150))
    return f"<html><head><title>t</title></head><body><ul>{menu}</ul><div id='zoom'>{body}</div></body></html>"


_PAGE = _fixed_page()
_NUMBER = re.compile(r"\d{4}年|\d+ (?:billion|yuan)")


def _one_pass() -> int:
    tree = lxml_html.fromstring(_PAGE)
    text = etree.tostring(tree, method="text", encoding="unicode")
    packed = zlib.compress(_PAGE.encode("utf-8"), 6)
    counts: dict[str, int] = {}
    for word in text.split():
        counts[word] = counts.get(word, 0) + 1
    return len(packed) + len(_NUMBER.findall(text)) + len(counts)


def _kernel_pass(directory: str) -> None:
    """What a crawl asks of the kernel: small SQLite commits in WAL mode, and bytes through a pipe."""
    db = sqlite3.connect(os.path.join(directory, "speed.db"))
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("create table if not exists t (x blob)")
    for _ in range(50):
        db.execute("insert into t values (?)", [b"x" * 3000])
        db.commit()
    db.close()
    read, write = os.pipe()
    chunk = b"y" * 16384
    for _ in range(64):
        os.write(write, chunk)
        os.read(read, 16384)
    os.close(read)
    os.close(write)


def _median_ms(work: Callable[[], object], passes: int, trials: int) -> float:
    results = []
    for _ in range(trials):
        start = time.process_time()  # user + system CPU of this process
        for _ in range(passes):
            work()
        results.append((time.process_time() - start) * 1000 / passes)
    return round(statistics.median(results), 2)


def reference_ms(passes: int = 10, trials: int = 5) -> float:
    """Median over ``trials`` of the CPU milliseconds of one pass of the user-space mix (lower is faster)."""
    return _median_ms(_one_pass, passes, trials)


def kernel_reference_ms(passes: int = 5, trials: int = 5) -> float:
    """The same for the kernel-bound mix (SQLite commits, a pipe), in a temporary directory."""
    with tempfile.TemporaryDirectory() as directory:
        return _median_ms(lambda: _kernel_pass(directory), passes, trials)


if __name__ == "__main__":
    print(f"reference workload: {reference_ms()} ms; kernel-bound workload: {kernel_reference_ms()} ms")
