"""Start crawls in a child process and collect their per-source summaries.

Scrapy's reactor cannot be restarted inside one process, and a crawl that crashes or hangs must
not take down its caller (the CLI running two crawls, or the daemon running crawls for months),
so every crawl gets a fresh interpreter, as Scrapyd does. ``CrawlProcess`` is the handle the
daemon keeps: it can be waited on with a deadline and stopped (SIGTERM, which Scrapy turns into
a graceful shutdown, then SIGKILL if the child does not exit in time).
"""
from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

logger = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 5.0
# How long an interrupted `policywatch crawl` waits for its child to close its runs: Scrapy finishes the
# downloads in flight first (DOWNLOAD_TIMEOUT at most). A second Ctrl-C kills the child at once.
INTERRUPT_GRACE_SECONDS = 200.0


class CrawlError(RuntimeError):
    """The crawl process failed as a whole (not: some pages failed)."""


def crawl_command(sources_path: str | Path, db_path: str | Path, names: Sequence[str] = (), *,
                  settings: Mapping[str, Any] | None = None, log_level: str = "WARNING") -> list[str]:
    """The child's command line when it reads and validates the sources file itself."""
    given = ["--sources", str(sources_path)]
    for name in names:
        given += ["--source", name]
    return child_command(given, db_path, settings=settings, log_level=log_level)


def child_command(given: list[str], db_path: str | Path, *, settings: Mapping[str, Any] | None = None,
                  log_level: str = "WARNING") -> list[str]:
    """``python -m crawlers.crawl`` with the arguments that give it its sources, the archive, and the settings
    (``LOG_LEVEL`` from ``log_level`` unless ``settings`` has it)."""
    command = [sys.executable, "-m", "crawlers.crawl", *given, "--db", str(db_path)]
    for key, value in {"LOG_LEVEL": log_level, **(settings or {})}.items():
        command += ["--set", f"{key}={value}"]
    return command


def prepared_crawl(sources_path: str | Path, db_path: str | Path, names: Sequence[str] = (), *,
                   settings: Mapping[str, Any] | None = None, log_level: str = "WARNING") -> tuple[list[str], str]:
    """Validate the sources here; return the child's command line and the sources as JSON for its stdin.

    The child then needs neither PyYAML nor pydantic (monitor/source.py says what that saves), and a
    broken sources file is reported by the caller, naming file and line, before any process starts.
    """
    command = child_command(["--sources-json", "-"], db_path, settings=settings, log_level=log_level)
    return command, validated_sources_json(sources_path, names)


def validated_sources_json(sources_path: str | Path, names: Sequence[str] = ()) -> str:
    """The named sources (all when empty) of a sources file, validated, as the JSON ``--sources-json`` reads."""
    from monitor.sources import ConfigError, load_sources  # the caller (CLI, daemon) has it loaded already

    try:
        sources = load_sources(sources_path, names)
    except ConfigError as exc:
        raise CrawlError(str(exc)) from None
    return json.dumps([source.to_dict() for source in sources], ensure_ascii=False)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parent.parent),
                                                       env.get("PYTHONPATH")]))
    return env


def exit_reason(returncode: int) -> str:
    """``-9`` → ``killed by signal 9 (SIGKILL)``; ``3`` → ``exited with status 3``."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = "unknown signal"
        return f"killed by signal {-returncode} ({name})"
    return f"exited with status {returncode}"


def parse_summaries(stdout: str) -> list[dict[str, Any]]:
    """The child prints one JSON object per source run on stdout; anything else is ignored."""
    summaries = []
    for line in stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                summaries.append(json.loads(line))
            except json.JSONDecodeError:
                logger.warning("crawl child printed a broken summary line: %.200s", line)
    return summaries


def _relay_lines(stream: IO[str] | None, target: logging.Logger, limit: int = 2000) -> None:
    for line in stream or ():
        line = line.rstrip()
        if line:
            target.warning("%s", line[:limit])


def _write_and_close(stream: IO[str] | None, text: str) -> None:
    if stream is None:
        return
    try:
        stream.write(text)
        stream.close()
    except (BrokenPipeError, ValueError, OSError):  # the child died first; its exit status tells why
        logger.debug("crawl child closed its stdin before reading the sources")


class CrawlProcess:
    """One running crawl child. ``wait`` returns its summaries or raises ``CrawlError``.

    With ``log_as``, the child's stderr (Scrapy's log) is read line by line into that logger, so a
    daemon's ``--log-file`` holds the crawl's warnings too; without it the child writes to our stderr.
    """

    def __init__(self, command: list[str], *, new_session: bool = True, log_as: str | None = None,
                 stdin_text: str | None = None) -> None:
        # A session of its own: Ctrl-C in the daemon's terminal reaches the daemon, which then
        # stops the child itself, instead of the child being interrupted behind its back.
        self.popen = subprocess.Popen(command, stdin=subprocess.DEVNULL if stdin_text is None else subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE if log_as else None,
                                      text=True, encoding="utf-8", errors="replace",
                                      env=child_env(), start_new_session=new_session)
        if stdin_text is not None:  # by a thread: a large payload must not block the caller on a full pipe
            threading.Thread(target=_write_and_close, args=(self.popen.stdin, stdin_text),
                             name=f"crawl-{self.popen.pid}-stdin", daemon=True).start()
        self.stopped_because: str | None = None
        # stdout (the summaries) is read by a thread of its own: ``communicate`` would also read stderr
        # and race the relay thread for the child's log lines.
        self._stdout: list[str] = []
        self._reader = threading.Thread(target=lambda: self._stdout.append(self.popen.stdout.read()),  # type: ignore[union-attr]
                                        name=f"crawl-{self.popen.pid}-stdout", daemon=True)
        self._reader.start()
        self._relay: threading.Thread | None = None
        if log_as:
            self._relay = threading.Thread(target=_relay_lines, args=(self.popen.stderr, logging.getLogger(log_as)),
                                           name=f"crawl-{self.popen.pid}-stderr", daemon=True)
            self._relay.start()

    @property
    def pid(self) -> int:
        return self.popen.pid

    def stop(self, reason: str, grace: float = STOP_GRACE_SECONDS) -> None:
        """Ask the child to shut down (SIGTERM); SIGKILL it if it is still there after ``grace`` s.

        Safe to call from another thread while ``wait`` runs; ``wait`` then reports ``reason``.
        """
        self.stopped_because = self.stopped_because or reason
        if self.popen.poll() is not None:
            return
        self.popen.terminate()
        try:
            self.popen.wait(grace)
        except subprocess.TimeoutExpired:
            logger.warning("crawl child %d ignored SIGTERM for %.0f s; killing it", self.pid, grace)
            self.popen.kill()

    def wait(self, timeout: float | None = None, grace: float = STOP_GRACE_SECONDS) -> list[dict[str, Any]]:
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop(f"timed out after {timeout:g} s", grace)
            self.popen.wait()
        returncode = self.popen.returncode
        for reader in (self._reader, self._relay):
            if reader is not None:
                reader.join(5)
        stdout = "".join(self._stdout)
        if self.stopped_because and (returncode != 0 or not stdout.strip()):
            raise CrawlError(f"crawl {self.stopped_because} ({exit_reason(returncode)})")
        if returncode != 0:
            raise CrawlError(f"crawl process {exit_reason(returncode)}")
        return parse_summaries(stdout)


def start_crawl(sources_path: str | Path, db_path: str | Path, names: Sequence[str] = (), *,
                settings: Mapping[str, Any] | None = None, log_level: str = "WARNING",
                log_as: str | None = None) -> CrawlProcess:
    """Start crawling the named sources (all when empty) in a child process; return its handle."""
    command, sources_json = prepared_crawl(sources_path, db_path, names, settings=settings, log_level=log_level)
    return CrawlProcess(command, log_as=log_as, stdin_text=sources_json)


def run_crawl(sources_path: str | Path, db_path: str | Path, names: Sequence[str] = (), *,
              settings: Mapping[str, Any] | None = None, timeout: float | None = None,
              log_level: str = "WARNING") -> list[dict[str, Any]]:
    """Crawl the named sources (all when empty) once; return one summary dict per source."""
    # The child has a session of its own, so a Ctrl-C in the terminal or a SIGTERM reaches this process
    # only, which asks the child once (SIGTERM: Scrapy's clean shutdown, runs recorded as "stopped") and
    # waits for it. Signalled twice, Scrapy would stop uncleanly and leave its runs "running".
    command, sources_json = prepared_crawl(sources_path, db_path, names, settings=settings, log_level=log_level)
    child = CrawlProcess(command, new_session=True, stdin_text=sources_json)
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_interrupt) if main_thread else None
    try:
        return child.wait(timeout)
    except KeyboardInterrupt:
        logger.warning("interrupted: stopping the crawl cleanly (interrupt again to kill it)")
        try:
            child.stop("interrupted", grace=INTERRUPT_GRACE_SECONDS)
        except KeyboardInterrupt:
            child.popen.kill()
        raise
    finally:
        if child.popen.poll() is None:  # any other way out: do not leak the child
            child.stop("interrupted")
        if main_thread:
            signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def _raise_interrupt(signum: int, frame: Any) -> None:
    """SIGTERM handled as Ctrl-C is: the crawl is stopped cleanly, then the command ends."""
    raise KeyboardInterrupt
