from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from monitor.schedule import first_due, parse_duration, parse_schedule
from monitor.sources import ConfigError, load_sources

# 2026-11-21 is a Saturday.
NOON = datetime(2026, 11, 21, 12, 0, tzinfo=timezone.utc)

VALID = [
    # text, period in seconds, next slot after NOON
    ("every 45s", 45, NOON + timedelta(seconds=45)),
    ("every 30m", 1800, NOON + timedelta(minutes=30)),
    ("every 6h", 21600, NOON + timedelta(hours=6)),
    ("every 1d", 86400, NOON + timedelta(days=1)),
    ("EVERY 2 h", 7200, NOON + timedelta(hours=2)),
    ("0 */6 * * *", 21600, datetime(2026, 11, 21, 18, 0, tzinfo=timezone.utc)),
    ("15 3 * * *", 86400, datetime(2026, 11, 22, 3, 15, tzinfo=timezone.utc)),
    # cron weekdays count from Sunday = 0 (and 7): not APScheduler 3's Monday = 0
    ("0 0 * * 0", 7 * 86400, datetime(2026, 11, 22, tzinfo=timezone.utc)),
    ("0 0 * * 7", 7 * 86400, datetime(2026, 11, 22, tzinfo=timezone.utc)),
    ("30 9 * * 1-5", 86400, datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc)),
    ("0 8 * * mon", 7 * 86400, datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)),
]

INVALID = [
    ("", "empty"),
    ("every", "not a schedule"),
    ("every 0s", "more than zero"),
    ("every 5x", "not a duration"),
    ("every five minutes", "not a duration"),
    ("* * *", "five-field cron"),
    ("0 25 * * *", "not a valid cron expression"),
    ("61 * * * *", "not a valid cron expression"),
    ("0 0 * * 9", "weekday"),
]


@pytest.mark.parametrize(("text", "period", "next_slot"), VALID)
def test_valid_schedules(text: str, period: float, next_slot: datetime) -> None:
    schedule = parse_schedule(text)
    assert schedule.period() == period
    assert schedule.next_after(NOON) == next_slot
    trigger = schedule.trigger(jitter=0, anchor=NOON)
    assert trigger.get_next_fire_time(None, NOON + timedelta(seconds=1)) == next_slot


@pytest.mark.parametrize(("text", "message"), INVALID)
def test_invalid_schedules_say_why(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_schedule(text)


def test_jitter_is_capped_at_a_tenth_of_the_period() -> None:
    assert parse_schedule("every 2s").trigger(jitter=30).jitter is None  # 0.2 s rounds to none
    assert parse_schedule("every 100s").trigger(jitter=30).jitter == 10
    assert parse_schedule("every 6h").trigger(jitter=30).jitter == 30


def test_durations() -> None:
    assert parse_duration("90s") == 90
    assert parse_duration("1.5h") == 5400
    with pytest.raises(ValueError):
        parse_duration("soon")


@pytest.mark.parametrize(("last_run", "expected"), [
    (None, NOON),                                           # never ran: now
    (NOON - timedelta(hours=1), NOON + timedelta(hours=5)),  # next slot still ahead
    (NOON - timedelta(hours=6, minutes=30), NOON),          # missed by 30 min, within grace: once, now
    (NOON - timedelta(days=3), None),                       # missed long ago: wait for the next slot
])
def test_first_due_after_a_restart(last_run: datetime | None, expected: datetime | None) -> None:
    assert first_due(parse_schedule("every 6h"), last_run, NOON, grace=3600) == expected


def test_bad_schedule_and_timeout_are_config_errors_naming_line_source_and_key(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n"
        "  - name: good\n    start_urls: ['http://127.0.0.1/']\n    allow: ['/p']\n    schedule: '0 */6 * * *'\n"
        "    timeout: 30m\n"
        "  - name: typo\n    start_urls: ['http://127.0.0.1/']\n    allow: ['/p']\n    schedule: 'every 6 hours'\n"
        "  - name: slow\n    start_urls: ['http://127.0.0.1/']\n    allow: ['/p']\n    timeout: forever\n",
        encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_sources(path)
    message = str(caught.value)
    assert f"{path}:10: source 'typo': key 'schedule': not a duration '6 hours'" in message
    assert f"{path}:14: source 'slow': key 'timeout'" in message
    assert "'good'" not in message
    path.write_text("sources:\n  - name: good\n    start_urls: ['http://127.0.0.1/']\n    allow: ['/p']\n"
                    "    schedule: 'every 45s'\n    timeout: 30m\n", encoding="utf-8")
    (source,) = load_sources(path)
    assert source.timeout == 1800
