"""Fill the archive's plan tables from archived page versions (``policywatch plans --rebuild``).

Every version is re-analysed in fetch order with :func:`monitor.plans.records.plans_for_version`;
a :class:`PlanIndex` seeded from the stored keys decides which plan each mention is, so a page seen
first in English and later in Chinese still lands on one plan.
"""
from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass

from monitor.plans.analyse import PlanMention
from monitor.plans.descriptions import Clue, DescribedLink, clues_from_json, clues_to_json, fits, resolve_clues
from monitor.plans.grouping import ORIGINAL_LANGUAGES, PlanIndex, PlanKeys, plan_id_for
from monitor.plans.records import DescriptionRecord, PlanRecord, plans_for_version
from storage import Archive
from storage.content import load_text
from storage.plans import PlanStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RebuildSummary:
    versions: int
    plans: int
    links: int
    targets: int
    failed: int = 0  # versions that could not be analysed (logged with their URL; the rest went on)


Records = list[PlanRecord | DescriptionRecord]


def _index(store: PlanStore, records: Records | None = None) -> PlanIndex:
    """The index of stored plan keys; with ``records``, only the part that can decide their plans."""
    index = PlanIndex()
    if records is None:
        rows = store.keys()
    else:
        named = [record for record in records if isinstance(record, PlanRecord)]
        keys = [key for record in named for key in record.mention.keys.all]
        rows = store.keys_near(keys, [plan_id_for(record.mention.keys.primary) for record in named])
    for key, plan_id, language in rows:
        index.by_key[key] = plan_id
        index.plans.add(plan_id)
        if key.startswith("title:"):
            index.add_title(plan_id, language, key[len("title:"):])
        if key.startswith("doc:"):
            index.doc_of.setdefault(plan_id, key[4:])
    return index


def _described_record(link: DescribedLink, described: DescriptionRecord) -> PlanRecord:
    region, kind, _concepts = link.alias.split("|")
    mention = PlanMention(link.plan_id, link.clue.text, described.language, False, kind, region, None, None,
                          PlanKeys(alias=link.alias, title=None, doc_number=None), link.clue.start)
    return described.linked_record(mention)


def store_records(store: PlanStore, index: PlanIndex, records: Records,
                  version: dict) -> list[tuple[str, bool, PlanRecord]]:
    """Link one version's plan records into the store; returns (plan id, plan is new, record) per record.

    Plans the page names come first; then what its descriptions point at among the plans known by then
    (never a new plan: a description is too vague to found one)."""
    linked = _store_named(store, index, [r for r in records if isinstance(r, PlanRecord)], version)
    named = {plan_id for plan_id, _, _ in linked}
    # a page that names a plan of a region has said what it means there
    named_regions = {r.mention.region for r in records if isinstance(r, PlanRecord)}
    waiting: list[dict] = []
    for described in (r for r in records if isinstance(r, DescriptionRecord)):
        links = resolve_clues(described.clues, store.aliases, exclude=named)
        for link in links:
            record = _described_record(link, described)
            _store_one(store, link.plan_id, record, version, keys=False)
            linked.append((link.plan_id, False, record))
        waiting += _waiting_rows(described, named_regions | {link.region for link in links}, version)
    store.keep_clues(version["page_id"], waiting)
    return linked


def _waiting_rows(described: DescriptionRecord, resolved: set[str], version: dict) -> list[dict]:
    """What to keep of a page's descriptions for plans of a region that appear later: one row per region
    the clues name and no known plan fitted."""
    regions = dict.fromkeys(r for clue in described.clues for r in clue.regions if r not in resolved)
    return [{"version_id": version["id"], "region": region, "url": version["url"], "source": version["source"],
             "seen_at": version["fetched_at"], "role": described.role, "status": described.status,
             "language": described.language,
             "clues_json": clues_to_json(c for c in described.clues if region in c.regions)} for region in regions]


@functools.lru_cache(maxsize=4096)
def _waiting_clues_of(clues_json: str) -> tuple[Clue, ...]:
    """A waiting row's clues: the same rows are read again for every new plan of their region."""
    return tuple(clues_from_json(clues_json))


@dataclass(frozen=True, slots=True)
class LateLink:
    """An earlier page version whose description fits a plan that has only now appeared."""

    plan_id: str
    version: dict
    record: PlanRecord


def link_waiting_descriptions(store: PlanStore, new_plans: list[str]) -> list[LateLink]:
    """Link the stored descriptions that the plans just created (``new_plans``) now resolve; the order in
    which a crawl meets a report and the plan's own page must not decide whether they are linked."""
    late: list[LateLink] = []
    regions = {row["region"]: None for plan_id in new_plans if (row := store.plan(plan_id)) and row["region"]}
    new = set(new_plans)
    aliases_of = functools.cache(store.aliases)  # read once per call, not once per waiting row
    for region in regions:
        # the new plans' aliases alone (an indexed read); all of the region's only once a row fits
        new_aliases = [alias for alias, _ in store.aliases(region, plan_ids=new)]
        if not new_aliases:
            continue
        for row in store.waiting_clues(region):
            clues = _waiting_clues_of(row["clues_json"])
            # a row none of the new plans fits cannot link now; resolving it costs a pass over every plan
            # of the region, and a first crawl keeps hundreds of such rows waiting
            if not any(fits(clue, alias) for clue in clues for alias in new_aliases):
                continue
            described = DescriptionRecord(list(clues), row["role"], row["status"], row["language"])
            links = [link for link in resolve_clues(clues, aliases_of,
                                                    exclude=store.plans_of_version(row["version_id"]))
                     if link.region == region]
            if not links or links[0].plan_id not in new:
                continue
            version = {"page_id": row["page_id"], "id": row["version_id"], "url": row["url"],
                       "source": row["source"], "fetched_at": row["seen_at"]}
            record = _described_record(links[0], described)
            _store_one(store, links[0].plan_id, record, version, keys=False)
            store.drop_clues(row["id"])
            late.append(LateLink(links[0].plan_id, version, record))
    return late


def _store_named(store: PlanStore, index: PlanIndex, records: list[PlanRecord],
                 version: dict) -> list[tuple[str, bool, PlanRecord]]:
    linked = []
    for record in records:
        plan_id, is_new = index.resolve_new(record.mention.keys)
        _store_one(store, plan_id, record, version)
        linked.append((plan_id, is_new, record))
    return linked


def _store_one(store: PlanStore, plan_id: str, record: PlanRecord, version: dict, *, keys: bool = True) -> None:
    """``keys=False`` for a plan a description points at: the page adds no way of recognising the plan."""
    mention = record.mention
    # official text > any title > a named description ("广东五大未来产业集群行动计划") > a report's sentence
    rank = ((0 if record.role == "official" else 1) if mention.is_title else 2) if keys else 3
    # at equal rank the plan's own language wins: 《关于推动未来产业创新发展的实施意见》, not an outlet's translation
    title_rank = 2 * rank + (0 if mention.language in ORIGINAL_LANGUAGES else 1)
    store.record(
        {"id": plan_id, "title": mention.title, "title_rank": title_rank, "type": mention.type,
         "region": mention.region, "issuer": mention.issuer, "doc_number": mention.doc_number,
         "status": record.status if record.role == "official" else None, "sectors": record.sectors},
        [(key, mention.keys.language if key.startswith("title:") else None) for key in mention.keys.all]
        if keys else [],
        {"page_id": version["page_id"], "version_id": version["id"], "url": version["url"],
         "source": version["source"], "role": record.role, "status": record.status,
         "title_as_written": mention.title, "language": mention.language, "seen_at": version["fetched_at"],
         "dates_json": json.dumps({d.kind: d.date for d in record.dates}) if record.dates else None},
        [{"year": t.year, "quantity": t.quantity, "kind": t.kind, "unit": t.unit, "unit_text": t.unit_text,
          "subject": t.subject, "qualifier": t.qualifier, "text": t.text} for t in record.targets],
    )


_VERSIONS_SQL = (
    "select versions.id, versions.page_id, versions.fetched_at, versions.title, versions.text_hash, "
    "versions.language, versions.published, versions.meta_json, pages.url, pages.source, sources.region "
    "from versions join pages on pages.id = versions.page_id "
    "left join sources on sources.name = pages.source")


def _with_text(archive: Archive, version: dict) -> dict:
    """Versions keep their text in the ``texts`` store (storage/content.py) under ``text_hash``."""
    version["text"] = load_text(archive.db, version.pop("text_hash")) or ""
    return version


def _analyse_version(version: dict) -> Records:
    try:
        meta = json.loads(version["meta_json"]) if version["meta_json"] else {}
    except ValueError:
        logger.warning("version %s of %s: unreadable meta_json, analysed without it", version["id"], version["url"])
        meta = {}
    return plans_for_version(version["text"], version["title"], meta, language=version["language"],
                             region=version["region"], published=version["published"])


_LINK_SQL = ("select versions.id, versions.page_id, versions.fetched_at, pages.url, pages.source "
             "from versions join pages on pages.id = versions.page_id")


def record_version_plans(archive: Archive, version_id: int,
                         records: Records | None = None) -> list[tuple[str, bool, PlanRecord]]:
    """Link one archived version to its plans: for wiring plan events after a crawl.

    ``records`` is ``plans_for_version`` of this version, when a worker process already analysed it
    (monitor/analysis_pool.py); otherwise the stored version is analysed here.
    Returns (plan id, whether the plan is new to the archive, the record) for each plan it names.
    """
    cursor = archive.db.execute((_LINK_SQL if records is not None else _VERSIONS_SQL) + " where versions.id = ?",
                                [version_id])
    row = cursor.fetchone()
    if row is None:
        raise ValueError(f"no version {version_id} in {archive.path}")
    version = dict(zip([c[0] for c in cursor.description], row, strict=True))
    if records is None:
        records = _analyse_version(_with_text(archive, version))
    store = PlanStore(archive.db)
    return store_records(store, _index(store, records), records, version)


def rebuild_plans(archive: Archive) -> RebuildSummary:
    """Forget the plan tables and re-analyse every archived version, oldest first."""
    store = PlanStore(archive.db)
    store.clear()
    index = _index(store)
    cursor = archive.db.execute(_VERSIONS_SQL + " order by versions.fetched_at, versions.id")
    columns = [c[0] for c in cursor.description]
    versions = links = targets = failed = 0
    for row in cursor.fetchall():
        version = _with_text(archive, dict(zip(columns, row, strict=True)))
        versions += 1
        try:
            records = _analyse_version(version)
        except Exception:  # one bad page must not stop the rebuild of all others
            logger.exception("plans: version %s of %s could not be analysed", version["id"], version["url"])
            failed += 1
            continue
        linked = store_records(store, index, records, version)
        links += len(linked) + len(link_waiting_descriptions(store, [plan_id for plan_id, new, _ in linked if new]))
        targets += sum(len(record.targets) for _, _, record in linked)
    plans = archive.db.execute("select count(*) from plans").fetchone()[0]
    return RebuildSummary(versions, plans, links, targets, failed)
