"""A small archive with known answers for the query tests: zh/en/de pages, one page with three versions.

Built through the real path (``monitor.detect.record`` over fixture HTML), so what the queries see is
what a crawl stores. The texts are written for these tests.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from monitor.detect import record
from monitor.sources import Source
from storage import Archive
from tests.conftest import FakeFetch, page_html

GD = Source(name="gd-policy", start_urls=["http://127.0.0.1/gd/"], allow=["post"], language="zh", region="Guangdong",
            topics=[])
BJ = Source(name="bj-policy", start_urls=["http://127.0.0.1/bj/"], allow=["post"], language="zh", region="Beijing",
            topics=[])
EN = Source(name="en-news", start_urls=["http://127.0.0.1/en/"], allow=["news"], language="en", region="Guangdong",
            topics=[])
DE = Source(name="de-news", start_urls=["http://127.0.0.1/de/"], allow=["artikel"], language="de",
            region="Guangzhou", topics=[])

GD_ROBOTS = "http://127.0.0.1/gd/content/post_1001.html"
GD_OCEAN = "http://127.0.0.1/gd/content/post_1002.html"
BJ_BCI = "http://127.0.0.1/bj/content/post_2001.html"
EN_ROBOTS = "http://127.0.0.1/en/news/humanoid-robots.html"
DE_HYDROGEN = "http://127.0.0.1/de/artikel/wasserstoff.html"


@dataclass(frozen=True)
class Sample:
    source: Source
    url: str
    title: str
    paragraphs: tuple[str, ...]
    when: str
    lang: str = "zh"


SAMPLES = (
    Sample(GD, GD_ROBOTS, "广东省推动人形机器人产业高质量发展行动方案", (
        "为加快培育未来产业，全省将建设人形机器人创新中心，支持整机企业与零部件企业协同攻关。",
        "到2027年，全省人形机器人产业规模力争突破300亿元，形成3个特色产业集聚区。",
    ), "2026-02-01T08:00:00Z"),
    Sample(GD, GD_OCEAN, "广东省海洋经济发展规划（征求意见稿）", (
        "规划提出发展深海装备和海洋牧场，推动海上风电与海洋能综合利用。",
        "各地市要结合实际制定配套措施，完善海洋生态保护制度。",
    ), "2026-02-03T08:00:00Z"),
    Sample(GD, GD_OCEAN, "广东省海洋经济发展规划", (
        "规划提出发展海洋牧场，推动海上风电与海洋能综合利用，布局合成生物海洋药物研发。",
        "各地市要结合实际制定配套措施，完善海洋生态保护制度。",
    ), "2026-03-05T08:00:00Z"),
    Sample(GD, GD_OCEAN, "广东省海洋经济发展规划", (
        "规划提出发展海洋牧场，推动海上风电与海洋能综合利用，布局合成生物海洋药物研发。",
        "各地市要结合实际制定配套措施，完善海洋生态保护制度，建设两个国家级海洋牧场示范区。",
    ), "2026-04-10T08:00:00Z"),
    Sample(BJ, BJ_BCI, "北京市加快脑机接口产业创新发展实施方案", (
        "本市将支持侵入式与非侵入式脑机接口技术攻关，建设临床试验和中试验证平台。",
        "同时布局量子计算与量子通信，推动6G试验网络在重点园区先行部署。",
    ), "2026-03-01T08:00:00Z"),
    Sample(EN, EN_ROBOTS, "Guangdong plans a humanoid robot cluster", (
        "The province wants Humanoid Robots made by local firms in factories and hospitals by 2027.",
        "Officials said the new industries fund will back component makers and testing centres for AI chips.",
    ), "2026-02-10T08:00:00Z", "en"),
    Sample(DE, DE_HYDROGEN, "Guangzhou setzt auf Zukunftsindustrien", (
        "Die Stadt veröffentlicht eine Wasserstoffstrategie und fördert Brennstoffzellen für Lastwagen.",
        "Auch Quantentechnologie und Raumfahrt gehören zu den Branchen, die bis 2030 wachsen sollen.",
    ), "2026-02-20T08:00:00Z", "de"),
)


def build_sample_archive(path: Path) -> Path:
    """Create the sample archive at ``path`` (the way a crawl would) and return the path."""
    with Archive(path) as archive:
        for src in (GD, BJ, EN, DE):
            archive.upsert_source(src.name, title=src.title, region=src.region, language=src.language,
                                  now="2026-01-01T00:00:00Z")
        for sample in SAMPLES:
            html = page_html(sample.title, *sample.paragraphs, lang=sample.lang)
            fetched = FakeFetch(url=sample.url, body=html.encode("utf-8"), source=sample.source.name,
                                fetched_at=sample.when)
            outcome = record(archive, sample.source, fetched)
            assert outcome.kind in ("new", "changed"), (sample.url, outcome)
    return path
