"""Instructions a crawl executes per article (unchanged re-check, or ``--first`` crawl), counted by valgrind.

On a shared 2-core machine CPU time drifts by a factor of two within an hour (bench/machine_speed.py),
and back-to-back ``crawl_bench`` sets of old and new code differed by less than their own run-to-run
noise. An instruction count does not drift: the same crawl of the same site executes about the same
number of instructions whatever else the host runs (scheduling moves it by well under 1%). That makes it
the yardstick for comparing two versions of the crawl process's code, not a throughput figure: the
targets of issue 3 are pages per second, which ``crawl_bench.py`` measures.

The site is ``site_gen``'s, served by nginx as in ``crawl_bench``. A first crawl fills the archive
(normally, not counted); then the unchanged re-check runs under ``valgrind --tool=cachegrind
--cache-sim=no`` (about 17 times slower). This is done for two sizes of site, and the difference gives
the instructions per article apart from the fixed part (start-up, robots.txt, list pages, shutdown).
Run it from the tree whose code is measured:

    python bench/crawl_instructions.py --pages 500            # this tree
    cd /tmp/old && python bench/crawl_instructions.py --pages 500  # a `git archive` of the old commit

Needs nginx and valgrind (``apt-get install -y nginx valgrind``).
"""
from __future__ import annotations

import argparse
import json
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from crawl_bench import BENCH_SETTINGS, child_env, crawl_command, make_readable, prepare_bytecode, totals
from nginx_server import INSTALL_HINT, NginxServer, find_nginx
from site_gen import generate_site, write_sources

REPO = Path(__file__).resolve().parent.parent
_I_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def instructions_of(command: list[str], env: dict[str, str], out_dir: Path) -> tuple[int, list[dict]]:
    """(instructions executed by the process and all its children, the crawl's summary lines) of one run
    of ``command`` under cachegrind: each process (the analysis worker, its fork server) reports its own."""
    valgrind = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--trace-children=yes",
                f"--cachegrind-out-file={out_dir / 'cachegrind.out.%p'}"]
    done = subprocess.run(valgrind + command, env=env, cwd=REPO, capture_output=True, text=True, check=False)
    counts = [int(found.replace(",", "")) for found in _I_REFS.findall(done.stderr)]
    if done.returncode != 0 or not counts:
        raise RuntimeError(f"crawl under valgrind failed ({done.returncode}): {done.stderr[-2000:]}")
    summaries = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return sum(counts), summaries


def timed_rechecks(command: list[str], env: dict[str, str], runs: int, pages: int) -> list[tuple[float, float]]:
    """(user, system) CPU ms per article of ``runs`` more unchanged re-checks, outside valgrind: the
    instruction count leaves out the kernel's share, and this shows how large it is."""
    times = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(command, env=env, cwd=REPO, capture_output=True, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append((1000 * (after.ru_utime - before.ru_utime) / pages,
                      1000 * (after.ru_stime - before.ru_stime) / pages))
    return times


def count_crawl(work: Path, pages: int, seed: int, *, first: bool,
                timed: int = 0) -> tuple[int, list[tuple[float, float]]]:
    """Instructions of an unchanged re-check (or, with ``first``, of the first crawl, analysis worker
    included) of a generated site of ``pages`` articles, and ``timed_rechecks`` of ``timed`` more."""
    site = generate_site(work / "site", pages, seed)
    make_readable(work)
    with NginxServer(site.root, work / "nginx") as server:
        sources = write_sources(work / "sources.yaml", server.base_url, site)
        command = crawl_command(sources, work / "archive.db", BENCH_SETTINGS)
        env = child_env()
        if not first:
            done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"first crawl failed: {done.stderr[-2000:]}")
        count, summaries = instructions_of(command, env, work)
        times = timed_rechecks(command, env, timed, pages) if timed and not first else []
    got = totals(summaries)
    expected = {"new": pages, "unchanged": 0} if first else {"new": 0, "unchanged": pages}
    if any(got[k] != v for k, v in expected.items()) or got["errors"] or got["changed"]:
        raise RuntimeError(f"the {'first crawl' if first else 're-check'} of {pages} articles went wrong: {got}")
    return count, times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=500, help="articles in the larger site (default 500)")
    parser.add_argument("--small", type=int, default=100,
                        help="articles in the smaller site, to split off what does not grow with pages (default 100)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--first", action="store_true",
                        help="count the first crawl (crawl process and analysis worker) instead of the re-check")
    parser.add_argument("--timed", type=int, default=0, metavar="N",
                        help="also time N re-checks of the larger site without valgrind (user and system CPU)")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="make every crawl process compile the project's modules (crawl_bench.prepare_bytecode)")
    parser.add_argument("--json-out", help="also write the result here")
    args = parser.parse_args(argv)
    if find_nginx() is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 2
    if shutil.which("valgrind") is None:
        print("needs valgrind: apt-get install -y valgrind", file=sys.stderr)
        return 2
    if not 0 < args.small < args.pages:
        parser.error("--small must be between 0 and --pages")
    bytecode = prepare_bytecode(not args.no_bytecode_cache)
    print(f"project bytecode: {bytecode}", flush=True)
    counts: dict[int, int] = {}
    times: list[tuple[float, float]] = []
    crawl = "first crawl (crawl process and analysis worker)" if args.first else "unchanged re-check (crawl process)"
    for pages in (args.small, args.pages):
        work = Path(tempfile.mkdtemp(prefix="policywatch-instructions-"))
        try:
            counts[pages], times = count_crawl(work, pages, args.seed, first=args.first,
                                               timed=args.timed if pages == args.pages else 0)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print(f"{crawl} of {pages} articles: {counts[pages]:,} instructions", flush=True)
    per_article = (counts[args.pages] - counts[args.small]) / (args.pages - args.small)
    fixed = counts[args.small] - args.small * per_article
    print(f"per article: {per_article:,.0f} instructions; fixed (start-up, robots.txt, list pages, shutdown): "
          f"{fixed:,.0f}")
    if times:
        print(f"timed re-checks of {args.pages} articles, CPU ms per article (start-up included): user "
              f"{', '.join(f'{u:.2f}' for u, _ in times)} (median {statistics.median(u for u, _ in times):.2f}); "
              f"system {', '.join(f'{s:.2f}' for _, s in times)}")
    if args.json_out:
        result = {"crawl": crawl, "bytecode": bytecode, "counts": counts,
                  "instructions_per_article": round(per_article),
                  "timed_user_system_ms_per_article": times,
                  "fixed_instructions": round(fixed),
                  "command": shlex.join(["python", "bench/crawl_instructions.py", *(argv or sys.argv[1:])])}
        Path(args.json_out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
