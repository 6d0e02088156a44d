"""Start crawls in a child process and collect their per-source summaries.

Scrapy's reactor cannot be restarted inside one process, and a crawl that crashes or hangs must
not take down its caller (the CLI running two crawls, or the daemon running crawls for months),
so every crawl gets a fresh interpreter, as Scrapyd does.
"""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


class CrawlError(RuntimeError):
    """The crawl process failed as a whole (not: some pages failed)."""


def child_env() -> dict[str, str]:
    """The environment of a crawl child process: ours, plus this source tree on PYTHONPATH."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parent.parent),
                                                       env.get("PYTHONPATH")]))
    return env


def run_crawl(sources_path: str | Path, db_path: str | Path, names: Sequence[str] = (), *,
              settings: Mapping[str, Any] | None = None, timeout: float | None = None,
              log_level: str = "WARNING") -> list[dict[str, Any]]:
    """Crawl the named sources (all when empty) once; return one summary dict per source."""
    command = [sys.executable, "-m", "crawlers.crawl", "--sources", str(sources_path), "--db", str(db_path)]
    for name in names:
        command += ["--source", name]
    for key, value in {"LOG_LEVEL": log_level, **(settings or {})}.items():
        command += ["--set", f"{key}={value}"]
    env = child_env()
    try:
        completed = subprocess.run(command, stdout=subprocess.PIPE, stderr=None, text=True,
                                   timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired as exc:
        raise CrawlError(f"crawl did not finish within {timeout} s") from exc
    if completed.returncode != 0:
        raise CrawlError(f"crawl process exited with status {completed.returncode}")
    summaries = []
    for line in completed.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            summaries.append(json.loads(line))
    return summaries
