"""Child-process entry point of one crawl: ``python -m crawlers.crawl --sources F --db D [--source N]``.

``crawlers.runner`` starts it with ``--sources-json -`` instead: the sources validated by the caller, as
JSON on stdin, so the child imports neither PyYAML nor pydantic.

Runs one Scrapy crawler per source in a fresh process and prints one JSON line per source run on
stdout (logs go to stderr). ``crawlers.runner.run_crawl`` is the way to call it.

The process is short-lived and what it builds at start-up (modules, Scrapy's components) lives until
it exits, so ``main`` keeps the cyclic garbage collector from re-scanning it: off while starting,
start-up's objects frozen out of the crawl's collections, young collections less often while crawling,
and everything frozen before the interpreter's teardown. bench/crawl_bench.py measures the effect.
"""
from __future__ import annotations

import argparse
import gc
import json
import logging
import sys
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from scrapy.settings import Settings

    from monitor.source import Source


logger = logging.getLogger(__name__)


def crawl_settings(db: str, overrides: list[str]) -> Settings:
    """The project's settings, the archive path and ``NAME=VALUE`` overrides from the command line."""
    from scrapy.settings import Settings

    from crawlers import settings as default_settings

    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.set("POLICYWATCH_DB", db, priority="cmdline")
    for pair in overrides:
        name, _, value = pair.partition("=")
        settings.set(name, value, priority="cmdline")
    if settings.getpriority("POLICYWATCH_CONTACT_URL") > settings.getpriority("USER_AGENT"):
        settings.set("USER_AGENT", default_settings.user_agent(settings["POLICYWATCH_CONTACT_URL"]), priority="cmdline")
    return settings


def drop_records_below_log_level(settings: Settings) -> None:
    """Let loggers skip the messages ``LOG_LEVEL`` would drop, instead of building records for the handler.

    Scrapy sets the root logger to NOTSET (and its own to DEBUG) and filters in its handler, so each
    request's DEBUG lines ("Crawled (304) …", "Scraped from …") were made into records (caller lookup
    included) and thrown away: ~3% of an unchanged re-check's CPU (bench/crawl_bench.py --profile).
    """
    level = settings.get("LOG_LEVEL") or logging.DEBUG
    for logger in (logging.root, logging.getLogger("scrapy")):  # Scrapy's logging config sets "scrapy" to DEBUG
        logger.setLevel(level)


SCRAPY_TLS_MODULES = ("scrapy.core.downloader.tls", "scrapy.core.downloader.contextfactory")


def import_tls_modules_without_stack_walks() -> None:
    """Import Scrapy's TLS modules (every HTTP download handler imports them) with a frame-only ``inspect.stack``.

    They define deprecated aliases with ``create_deprecated_class``, which calls ``inspect.stack()`` only to
    name the alias's module; that reads the source lines of every frame of the import chain and scans
    ``sys.modules`` once per frame: 210 M instructions, ~6% of a crawl's fixed start-up cost
    (bench/crawl_instructions.py). The frames alone name the module just as well.
    """
    import importlib
    import inspect

    def frames_only(context: int = 1) -> list[tuple]:
        frames = []
        frame = sys._getframe(1)
        while frame is not None:  # the tuple shape inspect.stack documents, without the source lookups
            frames.append((frame, frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name, None, None))
            frame = frame.f_back
        return frames

    real_stack = inspect.stack
    inspect.stack = frames_only
    try:
        for name in SCRAPY_TLS_MODULES:
            try:
                importlib.import_module(name)
            except ImportError:  # gone from a later Scrapy: nothing to import, nothing to save
                logging.getLogger(__name__).debug("no module %s to import early", name)
    finally:
        inspect.stack = real_stack


def remember_hostname_encodings() -> None:
    """Let Twisted encode each hostname once per crawl, not once per request.

    Every request builds a new ``HostnameEndpoint``, which IDNA-encodes the host with the ``idna`` package
    (through Scrapy's fallback for hosts it rejects): ~3% of an unchanged re-check's instructions per
    article, for the same few hosts. The encoding depends on the hostname alone; failures are not cached.
    Scrapy's HTTP handler installs the fallback when it starts, so it installs this cached one.
    """
    import functools

    try:
        from scrapy.core.downloader import _idna_patch
        fallback = _idna_patch._patched_idna_bytes
    except (ImportError, AttributeError):  # a later Scrapy without the fallback: nothing to cache
        logging.getLogger(__name__).debug("no Scrapy IDNA fallback to cache")
        return
    if not hasattr(fallback, "cache_info"):
        _idna_patch._patched_idna_bytes = functools.lru_cache(maxsize=1024)(fallback)


def read_sources(args: argparse.Namespace) -> list[Source]:
    """The sources to crawl: from a YAML file (validated here), or from the JSON its caller validated."""
    if args.sources is not None:
        from monitor.sources import ConfigError, load_sources

        try:
            return load_sources(args.sources, args.source)
        except ConfigError as exc:
            raise ValueError(str(exc)) from None
    from monitor.source import Source

    where = "standard input" if args.sources_json == "-" else args.sources_json
    try:
        if args.sources_json == "-":
            data = json.load(sys.stdin)
        else:
            with open(args.sources_json, encoding="utf-8") as stream:
                data = json.load(stream)
        sources = [Source.from_dict(entry) for entry in data]
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise ValueError(f"{where}: not a JSON list of validated sources: {exc}") from None
    if args.source:  # as load_sources does for a YAML file: each name must be there
        known = {source.name: source for source in sources}
        missing = [name for name in args.source if name not in known]
        if missing:
            raise ValueError(f"{where}: no source named {', '.join(map(repr, missing))}")
        sources = [known[name] for name in args.source]
    return sources


def start_crawlers(process: Any, sources: list[Source]) -> list[tuple[Source, Any]]:
    """One crawler of the generic spider per source, scheduled in ``process`` (a ``CrawlerProcess``).

    Sources on different hosts run side by side; sources sharing a host run one after the other. Each
    crawler has its own downloader, so its per-domain concurrency limit and AutoThrottle know nothing of
    another crawler's requests to the same host: side by side, two sources on www.gd.gov.cn would double
    the load the settings promise that site.
    """
    from crawlers.spiders.pages import SourceSpider

    crawlers = [(source, process.create_crawler(SourceSpider)) for source in sources]
    for turn in sources_sharing_hosts(crawlers):
        _crawl_in_turn(process, turn)
    return crawlers


_T = TypeVar("_T")


def sources_sharing_hosts(entries: list[tuple[Source, _T]]) -> list[list[tuple[Source, _T]]]:
    """``entries`` grouped so that sources with a host in common (directly or through another source)
    are in one group, each group in the given order."""
    group_of_host: dict[str, int] = {}
    groups: dict[int, list[int]] = {}
    for index, (source, _) in enumerate(entries):
        hosts = {host.lower() for host in source.domains}
        joined = sorted({group_of_host[h] for h in hosts if h in group_of_host})
        target = joined[0] if joined else index
        members = [index] + [m for g in joined for m in groups.pop(g)]
        groups[target] = sorted(members)
        for member in members:
            for host in {h.lower() for h in entries[member][0].domains}:
                group_of_host[host] = target
    return [[entries[i] for i in members] for _, members in sorted(groups.items())]


def _crawl_in_turn(process: Any, turn: list[tuple[Source, Any]]) -> None:
    """Crawl the first source of ``turn``, then the next once it has finished (or failed)."""
    from twisted.python.failure import Failure

    (source, crawler), rest = turn[0], turn[1:]

    def failed(failure: Failure) -> None:
        # A crawl that could not start (a bad setting, a component that failed to load) ends here; its
        # reason goes into the run's summary instead of a bare "did not finish".
        crawler.policywatch_failure = f"{type(failure.value).__name__}: {failure.getErrorMessage()}"[:500]
        logger.error("%s: the crawl failed: %s", source.name, crawler.policywatch_failure,
                     exc_info=(failure.type, failure.value, failure.getTracebackObject()))

    finished = process.crawl(crawler, source=source)
    finished.addErrback(failed)
    if rest:
        finished.addBoth(lambda _: _crawl_in_turn(process, rest))


def main(argv: list[str] | None = None) -> int:
    # Start-up (imports, settings, Scrapy's components) creates ~75,000 objects that live as long as the
    # process and ~2,000 of garbage: collecting meanwhile only re-scans the survivors (~50 ms).
    gc.disable()
    import_tls_modules_without_stack_walks()
    remember_hostname_encodings()
    from scrapy.crawler import CrawlerProcess

    from crawlers.pipelines import release_analysis_started_before, start_analysis_before_crawl
    from monitor.collector import settle_after_start_up

    parser = argparse.ArgumentParser(prog="python -m crawlers.crawl")
    given = parser.add_mutually_exclusive_group(required=True)
    given.add_argument("--sources", help="a sources YAML file, read and validated here")
    given.add_argument("--sources-json", metavar="FILE",
                       help="sources validated already (crawlers.runner.prepared_crawl), as JSON; - for stdin")
    parser.add_argument("--db", required=True)
    parser.add_argument("--source", action="append", default=[])
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a Scrapy setting")
    args = parser.parse_args(argv)
    try:
        sources = read_sources(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    settings = crawl_settings(args.db, args.set)
    early_pool = start_analysis_before_crawl(args.db, sources, settings.get("POLICYWATCH_EXTRACT_WORKERS"),
                                             settings.get("TWISTED_REACTOR"))
    try:
        process = CrawlerProcess(settings)
        crawlers = start_crawlers(process, sources)
        drop_records_below_log_level(process.settings)  # after the crawlers' own settings reset the root logger
        settle_after_start_up()  # monitor/collector.py: what start-up built stays out of the crawl's collections
        gc.enable()
        process.start()
    finally:
        if early_pool:
            release_analysis_started_before()

    for source, crawler in crawlers:
        reason = getattr(crawler, "policywatch_failure", None) or "pipeline did not finish the run"
        summary = getattr(crawler.spider, "run_summary", None) or {"source": source.name, "status": f"failed: {reason}"}
        print(json.dumps(summary, ensure_ascii=False), flush=True)
    # The interpreter's teardown runs full collections over every object left (~0.2 s of a re-check's
    # shutdown); frozen, they are freed by reference counting only. atexit handlers, logging's and stdio's
    # flushes still run, and the archive is closed already (ArchivePipeline.spider_closed).
    gc.freeze()
    return 0


if __name__ == "__main__":
    sys.exit(main())
