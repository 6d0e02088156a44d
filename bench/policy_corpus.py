"""A generator of government-style policy pages (zh/en/de text and HTML), deterministic from a seed.

Written for the archive benchmark: every sentence template here is original. Pages look like what the
crawler archives: a site frame (head, scripts, navigation, related-article lists, footer) around an
article of 1–6 thousand characters. A page's version k is its version k-1 with a few edits (numbers
revised, a sentence added, a paragraph dropped), derived from the seed alone, so any version can be
regenerated without keeping the previous one in memory.
"""
from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

REGIONS_ZH = ["广东省", "北京市", "上海市", "浙江省", "江苏省", "山东省", "深圳市", "广州市", "杭州市", "合肥市",
              "武汉市", "成都市", "重庆市", "天津市", "湖北省", "安徽省", "四川省", "福建省", "河南省", "湖南省"]
REGIONS_EN = ["Guangdong", "Beijing", "Shanghai", "Zhejiang", "Jiangsu", "Shandong", "Shenzhen", "Guangzhou",
              "Hangzhou", "Hefei", "Wuhan", "Chengdu", "Chongqing", "Tianjin", "Hubei", "Anhui", "Sichuan", "Fujian",
              "Henan", "Hunan"]
INDUSTRIES_ZH = ["人形机器人", "脑机接口", "6G", "量子计算", "量子通信", "合成生物", "氢能", "新型储能", "深海装备",
                 "商业航天", "低空经济", "具身智能", "生物制造", "元宇宙", "第三代半导体", "类脑智能", "未来网络",
                 "先进材料", "核聚变", "细胞与基因治疗", "人工智能", "工业互联网", "智能网联汽车", "卫星互联网"]
INDUSTRIES_EN = ["humanoid robots", "brain-computer interfaces", "6G", "quantum computing", "quantum communication",
                 "synthetic biology", "hydrogen energy", "new energy storage", "deep-sea equipment",
                 "commercial space", "the low-altitude economy", "embodied intelligence", "biomanufacturing",
                 "advanced materials", "nuclear fusion", "cell and gene therapy", "artificial intelligence",
                 "satellite internet", "intelligent connected vehicles"]
INDUSTRIES_DE = ["humanoide Roboter", "Gehirn-Computer-Schnittstellen", "6G", "Quantencomputer",
                 "Quantenkommunikation", "synthetische Biologie", "Wasserstoffwirtschaft", "Energiespeicher",
                 "Tiefseetechnik", "kommerzielle Raumfahrt", "Drohnenlogistik", "Biofertigung", "Kernfusion",
                 "künstliche Intelligenz", "Halbleiter der dritten Generation"]
OBJECTS_ZH = ["创新中心", "中试平台", "产业园区", "揭榜挂帅项目", "应用场景", "标准体系", "测试验证平台", "产业基金",
              "公共服务平台", "人才团队", "概念验证中心", "孵化器", "重点实验室", "示范工程"]
ACTIONS_ZH = ["加快布局", "前瞻布局", "培育壮大", "集聚发展", "推动突破", "支持建设", "大力发展", "统筹推进"]
UNITS_ZH = ["各地级以上市", "省有关单位", "各区人民政府", "市直各部门", "各开发区管委会", "各县（市、区）"]
SCENES_ZH = ["智能制造", "医疗康复", "养老服务", "城市治理", "应急救援", "港口物流", "电力巡检", "商贸零售"]
GENERIC_ZH = ["营商环境", "森林防火", "安全生产", "政务服务", "乡村振兴", "城市更新", "就业创业", "文化旅游"]

# Characters for made-up company and project names: real articles name many firms, parks and projects,
# which is most of what makes their text less compressible than boilerplate.
NAME_CHARS = ("华中国新科创智能联合信达通盛源泰恒瑞安宏远鼎丰汇博海天星辰光明电子网络数据云端芯微材料生物医药"
              "能源环保装备精密制造航空航宇深蓝启明晨曦鸿鹄凌云致远东方南方北方西部江河湖山岭峰谷川泽林森木"
              "金银铜铁锂氢氦氖碳硅锗镓砷铟锡锌镁铝钛钒铬锰钴镍铂钯铱钌铑钽钨钼铌锆铪")
# Filler clauses drawn from a Zipf-weighted pool of CJK characters / Latin syllables: they carry no
# meaning, only the statistics that make real article text compress to ~46% (zlib, measured on real
# Chinese government articles) instead of the ~30% of template text alone.
_CJK_POOL = [chr(0x4E00 + (i * 7919) % 0x5000) for i in range(1800)]
_CJK_WEIGHTS = list(itertools.accumulate(1 / (rank + 10) for rank in range(len(_CJK_POOL))))
_SYLLABLES = [c + v + e for c in "bcdfghklmnprstvwz" for v in "aeiou" for e in ("", "n", "r", "st", "ng")]
_SYLLABLE_WEIGHTS = list(itertools.accumulate(1 / (rank + 5) for rank in range(len(_SYLLABLES))))
COMPANY_SUFFIXES = ["科技有限公司", "智能装备股份有限公司", "研究院", "生物科技有限公司", "半导体有限公司", "创新中心"]

TEMPLATES_ZH = [
    "{company}牵头承担的{industry}项目获批立项，总投资{n}亿元，预计{year}年建成投产。",
    "{company}与{company2}签署战略合作协议，共建{industry}{object}。",
    "经专家评审，{company}等{m}家单位入选{year}年度{industry}{object}培育名单。",
    "到{year}年，{region}{industry}产业规模力争突破{n}亿元，培育{m}家以上具有核心竞争力的领军企业。",
    "{action}{industry}，建设{m}个{object}，形成一批可复制可推广的经验做法。",
    "支持高校、科研院所与龙头企业联合开展{industry}关键核心技术攻关，对符合条件的项目给予最高{n}万元资助。",
    "{unit}要加强组织领导，建立工作专班，按季度调度{industry}重点项目进展情况。",
    "鼓励金融机构开发适合{industry}企业特点的信贷产品，引导社会资本参与设立{object}。",
    "完善{industry}领域知识产权保护和成果转化机制，推动首台（套）产品在{scene}领域率先应用。",
    "围绕{industry}、{industry2}等方向，实施未来产业孵化与加速计划，打造{m}个以上特色产业集群。",
    "加强{industry}安全评估和伦理审查，健全数据分级分类管理制度，防范化解重大风险。",
    "对新认定的国家级{object}，给予一次性奖励{n}万元；对省级{object}，给予{m}0万元支持。",
    "推进{industry}与{scene}深度融合，每年发布不少于{m}0个典型应用场景清单。",
    "依托{region}现有产业基础，引进培育{industry}上下游配套企业{n}家，提升本地配套率至{pct}%。",
    "建立{industry}产业统计监测体系，由统计部门会同行业主管部门于每年{month}月底前发布年度报告。",
    "本方案自印发之日起施行，有效期至{year}年12月31日，由{region}发展改革委负责解释。",
    "持续优化{generic}，推行“一网通办”，企业开办时间压缩至{m}个工作日以内。",
    "做好{generic}相关工作，压实属地责任，{unit}于{month}月{day}日前报送工作进展。",
    "统筹用好各级财政专项资金，{year}年安排{n}亿元支持{industry}和{industry2}领域重大项目建设。",
]
TITLES_ZH = [
    "{region}关于加快{industry}产业高质量发展的若干措施",
    "{region}{industry}产业发展行动方案（{year}—{year2}年）",
    "{region}培育{industry}未来产业集群实施意见",
    "关于印发《{region}{industry}创新发展三年行动计划》的通知",
    "{region}人民政府办公厅关于推进{generic}工作的通知",
    "{region}支持{industry}和{industry2}发展的政策解读",
]
TEMPLATES_EN = [
    "By {year}, {region} aims to grow its {industry} industry to more than {n} billion yuan and to foster {m} "
    "leading companies.",
    "The plan calls for {m} new pilot platforms for {industry}, to be built with universities and research "
    "institutes.",
    "Projects that solve key technical problems in {industry} can receive up to {n}0,000 yuan in subsidies, "
    "officials said on {weekday}.",
    "Local governments are asked to set up task forces and report progress on {industry} projects every quarter.",
    "Banks are encouraged to design loans suited to {industry} start-ups, while a provincial fund of {n} "
    "million yuan will co-invest.",
    "Analysts said the targets for {industry} and {industry2} were more ambitious than those published in {year2}.",
    "The document also sets rules on safety reviews and data protection for {industry}.",
    "Around {m}0 application scenarios in healthcare, logistics and manufacturing will be opened to {industry} "
    "firms each year.",
    "The measures take effect immediately and remain valid until the end of {year}.",
]
TITLES_EN = [
    "{region} unveils plan to accelerate {industry}",
    "{region} sets {year} targets for {industry} and {industry2}",
    "New measures in {region} back {industry} start-ups",
    "{region} to build {m} innovation centres for {industry}",
]
TEMPLATES_DE = [
    "Bis {year} will {region} die Branche für {industry} auf mehr als {n} Milliarden Yuan Umsatz ausbauen.",
    "Die Provinzregierung fördert {m} neue Pilotanlagen für {industry} gemeinsam mit Hochschulen.",
    "Unternehmen, die Schlüsseltechnologien in {industry} entwickeln, erhalten Zuschüsse von bis zu {n}0.000 Yuan.",
    "Beobachter sehen in der Wasserstoffstrategie und den Plänen für {industry2} ein Signal an ausländische "
    "Investoren.",
    "Die Maßnahmen gelten ab sofort und laufen bis Ende {year}.",
    "Zugleich sollen jährlich {m}0 Anwendungsszenarien in Logistik, Medizin und Fertigung geöffnet werden.",
    "Ein Fonds von {n} Millionen Yuan soll Gründungen im Bereich {industry} mitfinanzieren.",
]
TITLES_DE = [
    "{region} setzt auf {industry}",
    "{region} legt Ziele für {industry} bis {year} fest",
    "Zukunftsindustrien: {region} fördert {industry} und {industry2}",
]
FILLER_SHARE = 0.35
LANGS = {
    "zh": (TEMPLATES_ZH, TITLES_ZH, INDUSTRIES_ZH, REGIONS_ZH),
    "en": (TEMPLATES_EN, TITLES_EN, INDUSTRIES_EN, REGIONS_EN),
    "de": (TEMPLATES_DE, TITLES_DE, INDUSTRIES_DE, REGIONS_EN),
}
NAV_ZH = ["首页", "要闻动态", "政务公开", "政策文件", "政策解读", "政务服务", "互动交流", "数据发布", "专题专栏",
          "机构职能", "领导信息", "规划计划", "财政资金", "人事信息", "统计信息", "建议提案", "新闻发布会"]
NAV_EN = ["Home", "News", "Policies", "Interpretation", "Services", "Data", "Investment", "About", "Contact"]


@dataclass(frozen=True, slots=True)
class SourceSite:
    name: str
    language: str
    region: str
    host: str
    frame_seed: int


def sources(count: int = 20) -> list[SourceSite]:
    """Synthetic sources: 70% Chinese government sites, 20% English news, 10% German news."""
    sites = []
    for i in range(count):
        language = "zh" if i % 10 < 7 else ("en" if i % 10 < 9 else "de")
        region = REGIONS_EN[i % len(REGIONS_EN)]
        sites.append(SourceSite(f"{region.lower()}-{language}-{i}", language, region,
                                f"www.{region.lower()}-{i}.example.gov.cn", 7919 * (i + 1)))
    return sites


def _fill(template: str, rng: random.Random, language: str, region: str) -> str:
    industries = LANGS[language][2]
    year = rng.randint(2025, 2035)
    return template.format(
        year=year, year2=year + rng.randint(1, 5), region=region if language != "zh" else rng.choice(REGIONS_ZH),
        industry=rng.choice(industries), industry2=rng.choice(industries), n=rng.randint(2, 999),
        m=rng.randint(2, 30), pct=rng.randint(30, 90), month=rng.randint(1, 12), day=rng.randint(1, 28),
        object=rng.choice(OBJECTS_ZH), action=rng.choice(ACTIONS_ZH), unit=rng.choice(UNITS_ZH),
        scene=rng.choice(SCENES_ZH), generic=rng.choice(GENERIC_ZH),
        weekday=rng.choice(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]),
        company=_company(rng), company2=_company(rng),
    )


def _company(rng: random.Random) -> str:
    return "".join(rng.choice(NAME_CHARS) for _ in range(rng.randint(2, 4))) + rng.choice(COMPANY_SUFFIXES)


def _sentence(rng: random.Random, language: str, region: str) -> str:
    if rng.random() < FILLER_SHARE:
        return _filler(rng, language)
    return _fill(rng.choice(LANGS[language][0]), rng, language, region)


def _filler(rng: random.Random, language: str) -> str:
    if language == "zh":
        return "".join(rng.choices(_CJK_POOL, cum_weights=_CJK_WEIGHTS, k=rng.randint(12, 40))) + "。"
    words = ["".join(rng.choices(_SYLLABLES, cum_weights=_SYLLABLE_WEIGHTS, k=rng.randint(1, 3)))
             for _ in range(rng.randint(6, 16))]
    return " ".join(words).capitalize() + "."


def _title(rng: random.Random, language: str, region: str) -> str:
    return _fill(rng.choice(LANGS[language][1]), rng, language, region)


def _joiner(language: str) -> str:
    return "" if language == "zh" else " "


@dataclass(frozen=True, slots=True)
class PageVersion:
    title: str
    text: str
    html: bytes


def page_versions(site: SourceSite, page_seed: int, count: int) -> list[PageVersion]:
    """Versions 1..``count`` of the page ``page_seed`` on ``site``, each a few edits on the one before."""
    rng = random.Random(page_seed)
    language = site.language
    title = _title(rng, language, site.region)
    paragraphs = [[_sentence(rng, language, site.region) for _ in range(rng.randint(2, 8))]
                  for _ in range(rng.randint(3, 16))]
    versions = []
    for number in range(1, count + 1):
        if number > 1:
            edit = random.Random(page_seed * 1_000_003 + number)
            for _ in range(edit.randint(1, 3)):
                p = edit.randrange(len(paragraphs))
                action = edit.random()
                if action < 0.5:
                    s = edit.randrange(len(paragraphs[p]))
                    paragraphs[p][s] = _sentence(edit, language, site.region)
                elif action < 0.8:
                    paragraphs[p].append(_sentence(edit, language, site.region))
                elif len(paragraphs) > 2:
                    del paragraphs[p]
            if edit.random() < 0.2:
                title = title + ("（修订）" if language == "zh" else " (revised)")
        text = "\n".join(_joiner(language).join(p) for p in paragraphs)
        html = _frame(site, random.Random(page_seed + number), page_seed, number, title, paragraphs)
        versions.append(PageVersion(title, text, html.encode("utf-8")))
    return versions


def page_version(site: SourceSite, page_seed: int, number: int) -> PageVersion:
    """Version ``number`` (1-based) of the page ``page_seed`` on ``site``."""
    return page_versions(site, page_seed, number)[-1]


def _frame(site: SourceSite, rng: random.Random, page_seed: int, number: int, title: str,
           paragraphs: list[list[str]]) -> str:
    """The site's page frame around the article: fixed per site, with per-page lists and tokens."""
    frame = random.Random(site.frame_seed)
    nav_words = NAV_ZH if site.language == "zh" else NAV_EN
    nav = "".join(f'<li class="nav-item"><a href="/{frame.randrange(10**6)}/index.html" target="_blank">{w}</a></li>'
                  for w in nav_words for _ in range(2))
    script = "".join(f"var cfg_{i}={{id:'{frame.randrange(16**8):08x}',path:'/{frame.randrange(10**5)}/',"
                     f"track:{frame.randint(0, 1)}}};" for i in range(60))
    styles = "".join(f'<link rel="stylesheet" href="/static/css/{frame.randrange(10**6):x}.css?v={number}">'
                     for _ in range(6))
    related_rng = random.Random(page_seed + number)
    related = "".join(
        f'<li><a href="/content/post_{related_rng.randrange(10**7)}.html" title="{t}">{t}</a>'
        f'<span class="date">{related_rng.randint(2024, 2026)}-{related_rng.randint(1, 12):02d}-'
        f'{related_rng.randint(1, 28):02d}</span></li>'
        for t in (_title(related_rng, site.language, site.region) for _ in range(related_rng.randint(15, 35))))
    article = "".join(f'<p style="text-indent:2em;line-height:1.8" data-pid="{related_rng.randrange(16**10):010x}">'
                      f'{_joiner(site.language).join(p)}</p>' for p in paragraphs)
    views = rng.randint(100, 99999)
    return (
        f'<!DOCTYPE html><html lang="{site.language}"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="SiteName" content="{site.host}"><meta name="ArticleTitle" content="{title}">{styles}'
        f"<script>{script}</script></head><body>"
        f'<div class="header"><div class="logo"><img src="/images/logo.png" alt="{site.host}"></div>'
        f'<ul class="nav">{nav}</ul></div>'
        f'<div class="main"><div class="crumbs"><a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a></div>'
        f'<div class="article"><h1>{title}</h1><div class="info">来源：{site.host} 浏览次数：{views}</div>'
        f'{article}</div><div class="sidebar"><h3>相关文章</h3><ul>{related}</ul></div></div>'
        f'<div class="footer"><ul class="links">{nav}</ul><p>主办单位：{site.host} 网站标识码 '
        f"{frame.randrange(10**10)} ICP备{frame.randrange(10**8)}号</p></div>"
        f"<script>_hmt.push(['_trackPageview','{rng.randrange(16**16):016x}']);</script></body></html>"
    )
