"""Crawl benchmark: policywatch against a generated government-style site served by nginx.

Reports medians over ``--runs`` of: first-crawl pages/s (extraction, fresh archive), re-check pages/s
when nothing changed and when 5% of the articles changed, peak RSS of the crawl process, archive
bytes per article, start-up time (process start to the first request nginx logs), and urlwatch
re-checking the same unchanged articles in the same run, as a ratio. Every crawl's counts are
checked against what the generator wrote (new/unchanged/changed), so a fast but wrong crawl fails.

    python bench/crawl_bench.py                                  # 2,000 pages, 3 runs
    python bench/crawl_bench.py --pages 50 --runs 1 --no-urlwatch  # smoke run
    python bench/crawl_bench.py --set CONCURRENT_ITEMS=100 --json-out result.json

Needs nginx (``apt-get install -y nginx``) and, for the comparison, urlwatch in the same
environment (``pip install urlwatch``). Run from anywhere; the crawl child gets the repository on
PYTHONPATH as ``crawlers/runner.py`` does.
"""
from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from machine_speed import kernel_reference_ms, reference_ms
from nginx_server import INSTALL_HINT, LogLine, NginxError, NginxServer, find_nginx
from profile_summary import summarise as summarise_profile
from site_gen import SiteInfo, generate_site, write_sources

from crawlers.runner import child_command, validated_sources_json

REPO = Path(__file__).resolve().parent.parent

# Loopback benchmark settings: politeness off (AutoThrottle, delay), concurrency high. CONCURRENT_ITEMS
# is how many asyncio tasks Scrapy starts per response to process its output (default 100, while an
# article response yields one item): 1 removes that per-response overhead.
BENCH_SETTINGS: dict[str, str] = {
    "LOG_LEVEL": "WARNING",
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "64",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "64",
    "CONCURRENT_ITEMS": "1",
}

TARGETS = {  # from issue 3
    "first_crawl_pages_per_s": (">=", 150.0),
    "unchanged_pages_per_s": (">=", 500.0),
    "ratio_vs_urlwatch": (">=", 1.5),
    "peak_rss_mb": ("<", 400.0),
    "startup_s": ("<", 1.0),
}


@dataclass
class ProcessRun:
    """One timed child process and the requests it made, from nginx's access log."""

    wall_s: float
    startup_s: float | None  # process start to the first request nginx logged
    last_request_s: float | None  # process start to the last one (the rest is shutdown)
    peak_rss_mb: float
    cpu_s: float  # user + system CPU of the process: less sensitive to other load than wall time
    exit_status: int
    statuses: dict[str, int]
    article_requests: int
    requests: int
    summaries: list[dict[str, Any]] = field(default_factory=list)
    helpers_cpu_s: float = 0.0  # CPU of its child processes (analysis workers), sampled from /proc
    tree_peak_rss_mb: float = 0.0  # peak of the summed RSS of the process and its children, sampled

    def pages_per_s(self, pages: int) -> float:
        return pages / self.wall_s if self.wall_s > 0 else 0.0


def _wait4(process: subprocess.Popen[bytes]) -> tuple[int, float, float]:
    """Reap the child ourselves to get its own rusage (peak RSS, CPU), not a running max over children."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime  # maxrss: KiB on Linux


def _settled_log(server: NginxServer, offset: int, timeout: float = 2.0) -> list[LogLine]:
    """nginx logs a request just after answering it: wait until the log stops growing."""
    deadline = time.monotonic() + timeout
    size = -1
    while time.monotonic() < deadline:
        current = server.log_offset()
        if current == size:
            break
        size = current
        time.sleep(0.05)
    return server.log_lines(offset)


class TreeSampler:
    """Samples a process tree every ``interval`` s in a thread: peak summed RSS and CPU of every member.

    wait4 reports the crawl process alone: its analysis workers are children of a forkserver that it
    never waits for. A process's CPU is its last sample (it may lose < ``interval`` s of CPU at exit).
    The tree's members are looked up again every ``members_every`` s only: finding a process's children
    reads every process's /proc entry, and doing that every sample cost this script a tenth of a core,
    taken from the crawl it measures on a 2-core machine.
    """

    def __init__(self, pid: int, interval: float = 0.05, members_every: float = 0.5) -> None:
        import threading

        self.pid, self.interval, self.members_every = pid, interval, members_every
        self.cpu: dict[int, float] = {}
        self.peak_rss_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        members: list[Any] = []
        looked_up = float("-inf")
        while not self._stop.is_set():
            rss = 0.0
            if time.monotonic() - looked_up >= self.members_every:
                try:
                    members = [root, *root.children(recursive=True)]  # analysis workers, the forkserver
                except psutil.NoSuchProcess:
                    break
                looked_up = time.monotonic()
            for member in members:
                try:
                    with member.oneshot():
                        times, memory = member.cpu_times(), member.memory_info()
                except psutil.NoSuchProcess:
                    continue
                self.cpu[member.pid] = times.user + times.system
                rss += memory.rss / 2**20
            self.peak_rss_mb = max(self.peak_rss_mb, rss)
            self._stop.wait(self.interval)

    def stop(self) -> tuple[float, float]:
        """(CPU seconds of the processes below the root, peak RSS of the whole tree in MB)."""
        self._stop.set()
        self._thread.join()
        return sum(cpu for pid, cpu in self.cpu.items() if pid != self.pid), self.peak_rss_mb


def timed_process(command: list[str], server: NginxServer, *, env: dict[str, str], log_path: Path,
                  article_marker: str = "/content/post_") -> ProcessRun:
    offset = server.log_offset()
    with open(log_path, "wb") as err, tempfile.TemporaryFile() as out:
        start = time.time()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=REPO)
        sampler = TreeSampler(process.pid)
        status, rss, cpu = _wait4(process)
        helpers_cpu, tree_rss = sampler.stop()
        end = time.time()
        out.seek(0)
        stdout = out.read().decode("utf-8", errors="replace")
    lines = _settled_log(server, offset)
    summaries = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    return ProcessRun(
        wall_s=end - start,
        startup_s=(min(line.msec for line in lines) - start) if lines else None,
        last_request_s=(max(line.msec for line in lines) - start) if lines else None,
        peak_rss_mb=rss,
        cpu_s=cpu,
        helpers_cpu_s=helpers_cpu,
        tree_peak_rss_mb=max(tree_rss, rss),
        exit_status=status,
        statuses=dict(sorted(Counter(str(line.status) for line in lines).items())),
        article_requests=sum(article_marker in line.path for line in lines),
        requests=len(lines),
        summaries=summaries,
    )


PROJECT_PACKAGES = ("crawlers", "monitor", "storage")


def prepare_bytecode(cached: bool) -> str:
    """Compile the project's modules ahead (``cached``), or remove their compiled files; returns which.

    A user's Python caches each module's bytecode on the first run (``pip install .`` compiles it at
    install), so every later crawl child reads it. Where ``PYTHONDONTWRITEBYTECODE`` is set, as on the
    machines this was written on, an editable install's child compiles ~35 modules again at every start:
    ~0.3 G instructions, about a tenth of a re-check's fixed part. ``child_env`` keeps the child from
    writing a cache either way, so each run of a set starts in the same state.
    """
    for package in PROJECT_PACKAGES:
        if cached:
            if not compileall.compile_dir(REPO / package, quiet=1):
                raise RuntimeError(f"could not compile {REPO / package}")
        else:
            for cache in (REPO / package).rglob("__pycache__"):
                shutil.rmtree(cache)
    return "compiled ahead" if cached else "compiled by every process (no cache)"


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # prepare_bytecode decides, not the first child to run
    return env


def crawl_command(sources: Path, db: Path, settings: dict[str, str]) -> list[str]:
    """The crawl child as ``policywatch crawl`` and the daemon start it: the sources validated beforehand
    (here, into a JSON file beside the YAML; ``crawlers.runner`` passes the same JSON on stdin)."""
    validated = sources.with_suffix(".json")
    validated.write_text(validated_sources_json(sources), encoding="utf-8")
    return bench_child_command(validated, db, settings)


def bench_child_command(validated_sources: Path, db: Path, settings: dict[str, str]) -> list[str]:
    """The runner's command line for the child, with the sources in a file (the bench's settings hold LOG_LEVEL)."""
    return child_command(["--sources-json", str(validated_sources)], db, settings=settings)


def totals(summaries: list[dict[str, Any]]) -> dict[str, int]:
    keys = ("fetched", "new", "changed", "unchanged", "errors")
    return {k: sum(int(s.get(k) or 0) for s in summaries) for k in keys}


def check_counts(name: str, run: ProcessRun, expected: dict[str, int]) -> list[str]:
    """Problems with a crawl's outcome counts (empty when it did what the site says it should)."""
    problems = []
    if run.exit_status != 0:
        problems.append(f"{name}: crawl process exited with {run.exit_status}")
    got = totals(run.summaries)
    for key, want in expected.items():
        if got[key] != want:
            problems.append(f"{name}: expected {key}={want}, got {got[key]} (all counts: {got})")
    return problems


def archive_bytes(db: Path) -> int:
    """The archive's size once its write-ahead log is folded in: the log's size after a crawl depends on
    when SQLite last checkpointed, not on what was stored (before 2026-12-04 session 6 it was counted as is)."""
    with closing(sqlite3.connect(db)) as conn:  # a connection's own "with" commits but does not close
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(p.stat().st_size for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists())


def switch_site(link: Path, target: Path) -> None:
    """Point the served root at another site version atomically (nginx resolves it per request)."""
    tmp = link.with_name(link.name + ".new")
    if tmp.is_symlink():
        tmp.unlink()
    tmp.symlink_to(target)
    os.replace(tmp, link)


def make_readable(path: Path) -> None:
    """nginx workers run as ``nobody`` when started by root: the tree must be world-readable."""
    for directory, _, files in os.walk(path):
        os.chmod(directory, 0o755)
        for name in files:
            os.chmod(os.path.join(directory, name), 0o644)


class UrlwatchBench:
    """urlwatch checking the same article URLs, with its files in a temp dir."""

    def __init__(self, binary: str, work: Path, urls: list[str]) -> None:
        self.binary = binary
        self.work = work
        work.mkdir(parents=True, exist_ok=True)
        jobs = "---\n".join(f'name: "{url.rsplit("/", 1)[-1]}"\nurl: "{url}"\n' for url in urls)
        (work / "urls.yaml").write_text(jobs, encoding="utf-8")
        self.command = [binary, "--urls", str(work / "urls.yaml"), "--cache", str(work / "cache.db"),
                        "--config", str(work / "urlwatch.yaml"), "--hooks", str(work / "hooks.py")]

    def version(self) -> str:
        done = subprocess.run([self.binary, "--version"], capture_output=True, text=True, check=False)
        return done.stdout.strip()

    def run(self, server: NginxServer, name: str) -> ProcessRun:
        return timed_process(self.command, server, env=dict(os.environ), log_path=self.work / f"{name}.log")


def find_urlwatch() -> str | None:
    beside = Path(sys.executable).parent / "urlwatch"
    return str(beside) if beside.exists() else shutil.which("urlwatch")


def median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def run_benchmark(args: argparse.Namespace, settings: dict[str, str]) -> dict[str, Any]:
    # Absolute: nginx's config and the crawl child (run from the repository) need full paths.
    work = Path(args.workdir).resolve() if args.workdir else Path(tempfile.mkdtemp(prefix="policywatch-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    os.chmod(work, 0o755)
    print(f"work dir: {work}", flush=True)
    started = time.monotonic()
    base = generate_site(work / "site-base", args.pages, args.seed)
    changed = generate_site(work / "site-changed", args.pages, args.seed, args.changed_fraction)
    make_readable(work)
    n_pages, n_changed = len(base.articles), len(changed.changed)
    print(f"site: {n_pages} articles, {len(base.list_pages)} list pages, {n_changed} edited in the changed "
          f"version (generated in {time.monotonic() - started:.1f} s)", flush=True)
    link = work / "site"
    switch_site(link, base.root)

    result: dict[str, Any] = {"runs": [], "problems": []}
    with NginxServer(link, work / "nginx") as server:
        sources = write_sources(work / "sources.yaml", server.base_url, base, args.content_css)
        urls = [f"{server.base_url}/{a.path}" for a in base.articles]
        result["nginx"] = {"version": server.version(), "base_url": server.base_url}
        urlwatch = None
        if not args.no_urlwatch:
            binary = args.urlwatch or find_urlwatch()
            if binary is None:
                result["problems"].append("urlwatch not found: `pip install urlwatch` (or pass --no-urlwatch)")
            else:
                urlwatch = UrlwatchBench(binary, work / "urlwatch", urls)
                result["urlwatch"] = {"version": urlwatch.version(), "command": shlex.join(urlwatch.command)}
                prime = urlwatch.run(server, "prime")
                result["urlwatch"]["first_run"] = asdict(prime)
                print(f"urlwatch first run (primes its cache): {prime.pages_per_s(n_pages):.0f} pages/s", flush=True)
        env = child_env()
        for number in range(1, args.runs + 1):
            result["runs"].append(one_run(number, work, server, sources, settings, env, base, changed,
                                          urlwatch, result["problems"], args.fetch_only))
        if args.profile:
            result["profiles"] = profile_crawls(Path(args.profile), work, server, sources, settings, env)
    result["site"] = {"articles": n_pages, "list_pages": len(base.list_pages), "changed": n_changed,
                      "seed": args.seed, "bytes_per_article_median": _median_size(base)}
    if args.keep or args.workdir or result["problems"]:  # never delete a directory the user named
        print(f"kept the work dir (site, archives, crawl logs): {work}", flush=True)
    else:
        shutil.rmtree(work, ignore_errors=True)
    return result


def _median_size(site: SiteInfo) -> float:
    return statistics.median((site.root / a.path).stat().st_size for a in site.articles)


def one_run(number: int, work: Path, server: NginxServer, sources: Path, settings: dict[str, str],
            env: dict[str, str], base: SiteInfo, changed: SiteInfo, urlwatch: UrlwatchBench | None,
            problems: list[str], fetch_only_too: bool = False) -> dict[str, Any]:
    n_pages, n_changed = len(base.articles), len(changed.changed)
    db = work / f"archive-{number}.db"
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        path.unlink(missing_ok=True)
    link = work / "site"
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    command = crawl_command(sources, db, settings)

    def crawl(name: str) -> ProcessRun:
        return timed_process(command, server, env=env, log_path=logs / f"run{number}-{name}.log")

    switch_site(link, base.root)
    # The machine's speed moves within minutes: read it next to each run, so runs can be told apart by it.
    speed = reference_ms()
    first = crawl("first")
    problems += check_counts(f"run {number} first crawl", first, {"new": n_pages, "errors": 0})
    size = archive_bytes(db)
    unchanged = crawl("unchanged")
    problems += check_counts(f"run {number} unchanged re-check", unchanged,
                             {"unchanged": n_pages, "changed": 0, "new": 0, "errors": 0})
    urlwatch_run = urlwatch.run(server, f"run{number}") if urlwatch else None
    switch_site(link, changed.root)
    try:
        edited = crawl("changed")
    finally:
        switch_site(link, base.root)
    problems += check_counts(f"run {number} 5% changed re-check", edited,
                             {"changed": n_changed, "unchanged": n_pages - n_changed, "new": 0, "errors": 0})
    fetch_only = None
    if fetch_only_too:
        # The same crawl with no item pipeline: Scrapy's own ceiling on this machine, i.e. what a re-check
        # could approach if unchanged pages skipped extraction and archive work (304s, body hashes).
        fetch_only = timed_process(crawl_command(sources, db, {**settings, "ITEM_PIPELINES": "{}"}), server,
                                   env=env, log_path=logs / f"run{number}-fetch-only.log")
        if fetch_only.article_requests != n_pages:
            problems.append(f"run {number} fetch-only crawl: {fetch_only.article_requests} article requests, "
                            f"expected {n_pages}")
    record = {
        "run": number,
        "reference_ms": speed,
        "first_crawl_pages_per_s": first.pages_per_s(n_pages),
        "unchanged_pages_per_s": unchanged.pages_per_s(n_pages),
        "changed_pages_per_s": edited.pages_per_s(n_pages),
        "peak_rss_mb": max(first.peak_rss_mb, unchanged.peak_rss_mb, edited.peak_rss_mb),
        "tree_peak_rss_mb": max(first.tree_peak_rss_mb, unchanged.tree_peak_rss_mb, edited.tree_peak_rss_mb),
        "archive_bytes_per_page": size / n_pages,
        "startup_s": median([first.startup_s, unchanged.startup_s, edited.startup_s]),
        "urlwatch_unchanged_pages_per_s": urlwatch_run.pages_per_s(n_pages) if urlwatch_run else None,
        "ratio_vs_urlwatch": (unchanged.pages_per_s(n_pages) / urlwatch_run.pages_per_s(n_pages)
                              if urlwatch_run and urlwatch_run.wall_s else None),
        "first_crawl_cpu_ms_per_page": 1000 * first.cpu_s / n_pages,
        "first_crawl_workers_cpu_ms_per_page": 1000 * first.helpers_cpu_s / n_pages,
        "unchanged_cpu_ms_per_page": 1000 * unchanged.cpu_s / n_pages,
        "changed_cpu_ms_per_page": 1000 * edited.cpu_s / n_pages,
        "urlwatch_unchanged_cpu_ms_per_page": 1000 * urlwatch_run.cpu_s / n_pages if urlwatch_run else None,
        "crawls": {"first": asdict(first), "unchanged": asdict(unchanged), "changed": asdict(edited)},
        "urlwatch": asdict(urlwatch_run) if urlwatch_run else None,
        "fetch_only_pages_per_s": fetch_only.pages_per_s(n_pages) if fetch_only else None,
        "fetch_only_cpu_ms_per_page": 1000 * fetch_only.cpu_s / n_pages if fetch_only else None,
    }
    uw = record["urlwatch_unchanged_pages_per_s"]
    print(f"run {number}: first {record['first_crawl_pages_per_s']:.0f} pages/s, unchanged "
          f"{record['unchanged_pages_per_s']:.0f}, 5% changed {record['changed_pages_per_s']:.0f}, "
          f"peak RSS {record['peak_rss_mb']:.0f} MB, start-up {record['startup_s'] or 0:.2f} s"
          + (f", urlwatch {uw:.0f} pages/s" if uw else "") + f"; machine speed {speed} ms", flush=True)
    return record


def find_py_spy() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def profile_crawls(out: Path, work: Path, server: NginxServer, sources: Path, settings: dict[str, str],
                   env: dict[str, str]) -> dict[str, str]:
    """One extra first crawl and unchanged re-check under py-spy (not counted in the medians)."""
    py_spy = find_py_spy()
    if py_spy is None:
        print("--profile needs py-spy: `pip install py-spy`", file=sys.stderr)
        return {}
    out.mkdir(parents=True, exist_ok=True)
    db = work / "archive-profile.db"
    written = {}
    for name in ("first", "unchanged"):
        raw = out / f"{name}.collapsed.txt"
        command = [py_spy, "record", "--format", "raw", "--rate", "200", "--subprocesses", "--output", str(raw), "--",
                   *crawl_command(sources, db, settings)]
        run = timed_process(command, server, env=env, log_path=out / f"{name}.stderr.log")
        summary = summarise_profile(raw)
        (out / f"{name}.summary.txt").write_text(summary + "\n", encoding="utf-8")
        print(f"\nprofile of the {name} crawl ({run.wall_s:.1f} s under py-spy):\n{summary}", flush=True)
        written[name] = str(out / f"{name}.summary.txt")
    return written


def summarise(result: dict[str, Any]) -> dict[str, Any]:
    runs = result["runs"]
    # The urlwatch ratio is taken within each run (same load on the machine), then its median.
    return {k: median([r[k] for r in runs]) for k in LABELS}


def verdict(key: str, value: float | None) -> str:
    if key not in TARGETS or value is None:
        return ""
    op, limit = TARGETS[key]
    ok = value >= limit if op == ">=" else value < limit
    return f"{op} {limit:g}: {'met' if ok else 'NOT met'}"


LABELS = {
    "first_crawl_pages_per_s": "first crawl, with extraction (pages/s)",
    "unchanged_pages_per_s": "re-check, nothing changed (pages/s)",
    "changed_pages_per_s": "re-check, 5% changed (pages/s)",
    "peak_rss_mb": "peak RSS of the crawl process (MB)",
    "tree_peak_rss_mb": "... with its analysis workers (MB, sampled)",
    "archive_bytes_per_page": "archive bytes per article",
    "startup_s": "start-up: process start to first request (s)",
    "urlwatch_unchanged_pages_per_s": "urlwatch re-check, nothing changed (pages/s)",
    "ratio_vs_urlwatch": "policywatch / urlwatch (unchanged re-check)",
    "first_crawl_cpu_ms_per_page": "CPU of the crawl process per article: first (ms)",
    "first_crawl_workers_cpu_ms_per_page": "... of its analysis workers, first crawl (ms)",
    "unchanged_cpu_ms_per_page": "... unchanged re-check (ms)",
    "changed_cpu_ms_per_page": "... 5% changed re-check (ms)",
    "urlwatch_unchanged_cpu_ms_per_page": "CPU of urlwatch per article, unchanged (ms)",
    "fetch_only_pages_per_s": "diagnostic: crawl with no item pipeline (pages/s)",
    "fetch_only_cpu_ms_per_page": "... its CPU per article (ms)",
    "reference_ms": "machine speed before the run (ms, lower: faster)",
}


def table(medians: dict[str, Any], runs: list[dict[str, Any]]) -> str:
    rows = [f"{'metric':<48} {'median':>10}  {'runs':<28} target"]
    for key, label in LABELS.items():
        value = medians.get(key)
        per_run = " ".join(f"{r[key]:.3g}" if r.get(key) is not None else "-" for r in runs) if key in runs[0] else ""
        shown = "-" if value is None else (f"{value:.2f}" if value < 10 else f"{value:.0f}")
        rows.append(f"{label:<48} {shown:>10}  {per_run:<28} {verdict(key, value)}")
    return "\n".join(rows)


def parse_settings(pairs: list[str]) -> dict[str, str]:
    settings = dict(BENCH_SETTINGS)
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise SystemExit(f"--set needs NAME=VALUE, got {pair!r}")
        settings[name] = value
    return settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000, help="article pages on the site (default 2000)")
    parser.add_argument("--runs", type=int, default=3, help="runs to take medians over (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--changed-fraction", type=float, default=0.05)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a Scrapy setting of the benchmark crawl (repeatable)")
    parser.add_argument("--content-css", metavar="CSS",
                        help="give the bench sources this content_css (the articles' body is #zoom; default: none)")
    parser.add_argument("--no-urlwatch", action="store_true", help="skip the urlwatch comparison")
    parser.add_argument("--urlwatch", help="urlwatch executable (default: beside this Python, then PATH)")
    parser.add_argument("--json-out", help="write all numbers, settings and the command line here")
    parser.add_argument("--workdir", help="work directory, kept afterwards (default: a new temp dir, removed)")
    parser.add_argument("--keep", action="store_true", help="keep the work dir (site, archives, logs)")
    parser.add_argument("--fetch-only", action="store_true",
                        help="also time each run's crawl with ITEM_PIPELINES={} (Scrapy alone, no extraction)")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="make every crawl process compile the project's modules (see prepare_bytecode)")
    parser.add_argument("--profile", metavar="DIR",
                        help="also run a first crawl and a re-check under py-spy; write stacks and summaries here")
    args = parser.parse_args(argv)
    if find_nginx() is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 2
    settings = parse_settings(args.set)
    command_line = shlex.join([Path(sys.executable).name, *sys.argv]) if argv is None else shlex.join(argv)
    print(f"command: {command_line}")
    print("crawl settings: " + " ".join(f"{k}={v}" for k, v in settings.items()))
    bytecode = prepare_bytecode(not args.no_bytecode_cache)
    print(f"project bytecode: {bytecode}")
    load_before = os.getloadavg()
    speed_before = (reference_ms(), kernel_reference_ms())
    try:
        result = run_benchmark(args, settings)
    except NginxError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    medians = summarise(result)
    result.update({
        "command": command_line,
        "settings": settings,
        "bytecode": bytecode,
        "medians": medians,
        "targets": {k: f"{op} {v:g}" for k, (op, v) in TARGETS.items()},
        "machine": {"cpus": os.cpu_count(), "loadavg_before": load_before, "loadavg_after": os.getloadavg(),
                    "reference_ms_before": speed_before[0], "kernel_reference_ms_before": speed_before[1],
                    "reference_ms_after": (speed_after := (reference_ms(), kernel_reference_ms()))[0],
                    "kernel_reference_ms_after": speed_after[1],
                    "python": platform.python_version(), "platform": platform.platform()},
        "crawl_command": shlex.join(bench_child_command(Path("SOURCES.json"), Path("DB"), settings)),
    })
    print()
    print(table(medians, result["runs"]))
    print(f"\nload average before/after: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} CPUs (other work on the machine makes these numbers noisy)")
    print(f"machine speed (bench/machine_speed.py, CPU ms of fixed workloads, lower is faster): user-space "
          f"{speed_before[0]} before, {speed_after[0]} after; kernel-bound {speed_before[1]} before, "
          f"{speed_after[1]} after")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"JSON: {args.json_out}")
    for problem in result["problems"]:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
