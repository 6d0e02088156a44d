"""Generate a local government-style site for crawl benchmarks.

The site looks like the policy sections of Chinese provincial portals (TRS/NFCMS layouts): list
pages ``index.html, index_1.html…`` with a numbered pager, article pages of 15–40 KB with a header,
navigation, an info table (索引号/发文机关/发文字号…), a body of paragraphs about future-industry
plans, related links and a footer, plus a robots.txt and a ``sources.yaml`` for policywatch. About a
tenth of the articles are English pages in a second section.

Everything is derived from ``seed``: the same arguments give byte-identical files with identical
modification times (the publication date), so a web server's ETag/Last-Modified stay stable across
benchmark runs. ``changed_fraction`` gives the same site with that share of articles edited (one
number changed, one paragraph added) and a later modification time, for the "5% changed" re-check.

Usage::

    python bench/site_gen.py /tmp/site --pages 2000 --seed 1 --base-url http://127.0.0.1:8080
    python bench/site_gen.py /tmp/site-changed --pages 2000 --seed 1 --changed-fraction 0.05
"""
from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ZH_DIR = "zwgk/zcwj"
EN_DIR = "en/policies"
PER_LIST_PAGE = 20
EN_SHARE = 0.1
MIN_BYTES, MAX_BYTES = 15_000, 40_000
# Edited articles get this modification time, later than any publication date.
CHANGED_MTIME = datetime(2026, 11, 1, 2, 0, tzinfo=timezone.utc).timestamp()
FIRST_DATE = date(2019, 1, 1)

REGIONS = ["广东省", "广州市", "深圳市", "上海市", "北京市", "浙江省", "江苏省", "山东省", "杭州市", "合肥市",
           "成都市", "武汉市", "苏州市", "南京市", "青岛市", "西安市"]
INDUSTRIES = ["人形机器人", "具身智能", "脑机接口", "6G", "量子科技", "合成生物", "氢能", "新型储能", "深海装备",
              "商业航天", "卫星互联网", "低空经济", "前沿新材料", "先进核能", "未来网络", "细胞与基因技术",
              "类脑智能", "通用人工智能"]
ORGANS = ["人民政府办公厅", "发展和改革委员会", "工业和信息化厅", "科学技术厅", "财政厅", "商务厅"]
CITY_ORGANS = ["人民政府办公厅", "发展和改革委员会", "工业和信息化局", "科学技术局", "财政局", "商务局"]
DOC_TYPES = ["行动方案", "实施意见", "若干措施", "发展规划", "行动计划", "工作方案", "扶持办法"]
TOPIC_CLASSES = ["工业、交通", "科技、教育", "综合政务", "财政、金融、审计", "国民经济管理、国有资产监管"]
ZH_SECTIONS = ["总体要求", "发展目标", "重点任务", "培育创新主体", "建设创新平台", "拓展应用场景", "强化要素支撑",
               "完善产业生态", "深化开放合作", "保障措施", "组织实施"]
ZH_NUMERALS = "一二三四五六七八九十"

ZH_SENTENCES = [
    "到{year}年，{region}{industry}产业规模力争突破{n}亿元，培育{m}家以上具有国际竞争力的领军企业。",
    "支持建设{k}个{industry}中试验证平台，对符合条件的项目按实际投入的{pct}%给予补助，最高不超过{m}万元。",
    "围绕{industry}关键核心技术，组织实施{k}项以上重大科技专项，突破一批“卡脖子”技术。",
    "鼓励高校、科研院所与龙头企业共建{industry}创新联合体，每年遴选不超过{k}个项目给予重点支持。",
    "打造{k}个以上{industry}特色产业园区，推动上下游企业集聚发展，形成{n}亿元级产业集群。",
    "开放{m}个以上{industry}典型应用场景，在政务服务、智能制造、医疗康养等领域开展示范应用。",
    "设立规模{n}亿元的未来产业投资基金，重点投向{industry}等前沿领域的早期项目。",
    "对首次通过认定的{industry}首台（套）装备，按销售合同金额的{pct}%给予奖励。",
    "加快{industry}标准体系建设，主导或参与制定国家和行业标准{k}项以上。",
    "引进培育{industry}领域高层次人才团队{k}个，对顶尖人才团队给予最高{m}万元综合资助。",
    "建立{industry}产业链“链长制”，由市领导牵头，协调解决企业发展中的重大问题。",
    "推动{industry}与人工智能、大数据深度融合，培育一批“专精特新”中小企业。",
    "完善{industry}知识产权保护机制，建设{k}个产业知识产权运营中心。",
    "支持企业开展{industry}产品首购首用，政府采购项目可按规定预留份额。",
    "到{year}年，建成{k}个以上国家级{industry}创新平台，研发投入强度达到{pct}%。",
    "探索“沙盒监管”“观察期”等包容审慎监管方式，为{industry}新技术新产品预留试错空间。",
    "发挥重点实验室和新型研发机构作用，加快{industry}科技成果转移转化。",
    "统筹用好各级财政专项资金，对{industry}重大项目给予用地、能耗等要素保障。",
    "建立{industry}重点项目库，实行动态管理，每年滚动推进{m}个以上重点项目。",
    "加强与粤港澳大湾区、长三角等地区合作，共建{industry}跨区域协同创新网络。",
    "举办{industry}创新创业大赛和产业发展论坛，营造良好发展氛围。",
    "各地各部门要把发展{industry}摆在突出位置，细化工作举措，确保各项任务落地见效。",
]
ZH_CLOSINGS = ["本方案自印发之日起施行，有效期{k}年。", "各有关单位要结合实际认真组织实施。",
               "实施过程中遇到的问题，请径向{organ}反映。"]
EN_SENTENCES = [
    "By {year}, the {industry} sector in {region} aims to exceed {n} billion yuan in output.",
    "The plan supports {k} pilot platforms for {industry}, with grants of up to {m} million yuan per project.",
    "Universities and leading firms are encouraged to form {industry} innovation consortia.",
    "At least {m} demonstration scenarios for {industry} will be opened in manufacturing and public services.",
    "A future-industry fund of {n} billion yuan will invest in early-stage {industry} projects.",
    "First-of-a-kind {industry} equipment will be rewarded with {pct} percent of the contract value.",
    "The city will attract {k} high-level {industry} research teams over the next three years.",
    "Regulators will use sandbox trials so that new {industry} products can be tested safely.",
    "{region} will build {k} national-level {industry} innovation centres by {year}.",
    "Departments are asked to report progress on {industry} projects every quarter.",
]
EN_REGIONS = ["Guangdong", "Guangzhou", "Shenzhen", "Shanghai", "Beijing", "Zhejiang", "Jiangsu", "Shandong"]
EN_INDUSTRIES = ["humanoid robot", "brain-computer interface", "6G", "quantum", "synthetic biology", "hydrogen",
                 "deep-sea", "commercial space", "low-altitude economy", "embodied AI"]
EN_DOCS = ["action plan", "implementation opinions", "policy measures", "development plan"]

# The site's mega-menu, sidebar and scripts: the furniture that makes up most bytes of real pages
# (on public Chinese article pages the main text is about a fifth of the HTML).
MENU_ZH = {
    "要闻动态": ["政务要闻", "省政府常务会议", "部门动态", "市县动态", "图片新闻", "视频新闻", "新闻发布会"],
    "政务公开": ["政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "政府信息公开年报", "依申请公开",
             "重大行政决策", "建议提案办理", "财政预决算"],
    "政策文件": ["省政府文件", "省政府办公厅文件", "部门文件", "政策解读", "规范性文件", "政策问答", "政策库"],
    "政务服务": ["个人办事", "法人办事", "部门服务", "便民服务", "好差评", "电子证照", "一件事一次办"],
    "互动交流": ["省长信箱", "在线访谈", "征集调查", "留言选登", "网上调查", "常见问题"],
    "数据发布": ["统计数据", "统计公报", "数据解读", "开放数据", "经济运行"],
    "走进本省": ["省情概况", "历史文化", "行政区划", "自然地理", "人口民族", "旅游资源"],
}
MENU_EN = {
    "News": ["Top news", "Press releases", "Photos", "Videos"],
    "Policies": ["Regulations", "Plans", "Interpretations", "Documents"],
    "Business": ["Investment guide", "Industrial parks", "Free trade zone", "Services"],
    "About": ["Overview", "History", "Government", "Cities"],
}
SIDEBAR_ZH = ["高质量发展大会", "优化营商环境", "制造业当家", "百县千镇万村高质量发展工程",
              "新质生产力", "科技创新强省建设", "数字政府改革建设", "绿美生态建设", "政策直达快享"]
SIDEBAR_EN = ["Invest here", "Innovation", "Free trade zone", "Culture", "Travel"]
ANALYTICS = """<script type="text/javascript">
  var _trackData = _trackData || [];
  (function () {
    var siteId = "4400000001", page = location.pathname;
    _trackData.push(["setSite", siteId], ["trackPageView", page], ["enableLinkTracking"]);
    var s = document.createElement("script");
    s.async = true; s.src = "/common/js/track.min.js?v=20240301";
    var first = document.getElementsByTagName("script")[0];
    first.parentNode.insertBefore(s, first);
  })();
  function shareTo(target) {
    var url = encodeURIComponent(location.href), title = encodeURIComponent(document.title);
    var links = {weibo: "/share/weibo?url=" + url + "&title=" + title, wechat: "/share/qrcode?url=" + url};
    if (links[target]) { window.open(links[target], "_blank", "width=600,height=480"); }
  }
</script>
"""

STYLE = """body{margin:0;font-family:"Microsoft YaHei",SimSun,sans-serif;color:#333;background:#f4f4f4}
.wrap{width:1000px;margin:0 auto}.topbar{background:#e9e9e9;font-size:12px;line-height:28px;color:#666}
.site-header{background:#b5121b}.logo{display:inline-block;font-size:28px;color:#fff;line-height:84px}
.main-nav{background:#8f0d14}.main-nav a{display:inline-block;color:#fff;padding:0 20px;line-height:42px}
.breadcrumb{font-size:13px;padding:12px 0;color:#666}.info-table{width:100%;border-collapse:collapse}
.info-table th,.info-table td{border:1px solid #ddd;padding:6px 10px;text-align:left;font-size:13px}
.article{background:#fff;padding:30px 44px}.article-title{font-size:24px;text-align:center}
#zoom{font-size:16px;line-height:2}#zoom p{text-indent:2em;margin:0 0 12px}
.related li,.list li{font-size:14px;line-height:28px}.pager a{margin:0 4px}
.site-footer{background:#333;color:#bbb;font-size:12px;text-align:center;padding:18px 0;margin-top:30px}"""


@dataclass(frozen=True, slots=True)
class Article:
    number: int
    doc_id: int
    english: bool
    published: date
    title: str
    organ: str
    doc_no: str
    changed: bool
    region: str
    industry: str

    @property
    def path(self) -> str:
        section = EN_DIR if self.english else ZH_DIR
        return f"{section}/content/post_{self.doc_id}.html"


@dataclass(slots=True)
class SiteInfo:
    """What was generated: used by the benchmark to check crawl counts."""

    root: Path
    articles: list[Article] = field(default_factory=list)
    list_pages: list[str] = field(default_factory=list)

    @property
    def changed(self) -> list[Article]:
        return [a for a in self.articles if a.changed]


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random(f"{seed}:" + ":".join(map(str, parts)))


def _fill(template: str, rng: random.Random, industry: str, region: str) -> str:
    organ = region + rng.choice(ORGANS if region.endswith("省") else CITY_ORGANS)
    return template.format(year=rng.choice([2025, 2026, 2027, 2028, 2030]), region=region, industry=industry,
                           n=rng.randint(50, 3000), m=rng.randint(10, 500), k=rng.randint(2, 30),
                           pct=rng.choice([5, 10, 15, 20, 30]), organ=organ)


def plan_articles(pages: int, seed: int, changed_fraction: float = 0.0) -> list[Article]:
    """The article list (titles, numbers, dates) without bodies; the same for every changed_fraction."""
    changed = set(_rng(seed, "changed").sample(range(pages), round(pages * changed_fraction)))
    span = (date(2026, 10, 1) - FIRST_DATE).days
    articles = []
    for i in range(pages):
        rng = _rng(seed, "meta", i)
        english = rng.random() < EN_SHARE
        published = FIRST_DATE + timedelta(days=span * i // max(pages, 1) + rng.randint(0, 3))
        if english:
            region, industry = rng.choice(EN_REGIONS), rng.choice(EN_INDUSTRIES)
            title = (f"{region} issues {rng.choice(EN_DOCS)} on "
                     f"{industry} industry ({published.year}-{i + 1})")
            organ, doc_no = "General Office", f"No. {rng.randint(1, 60)} [{published.year}]"
        else:
            region, industry = rng.choice(REGIONS), rng.choice(INDUSTRIES)
            organ = region + rng.choice(ORGANS if region.endswith("省") else CITY_ORGANS)
            doc_no = f"{region[:1]}府办〔{published.year}〕{rng.randint(1, 99)}号"
            title = (f"{organ}关于印发{region}加快{industry}产业发展"
                     f"{rng.choice(DOC_TYPES)}（第{i + 1}号）的通知")
        articles.append(Article(number=i, doc_id=4_000_000 + i * 7 + 3, english=english, published=published,
                                title=title, organ=organ, doc_no=doc_no, changed=i in changed, region=region,
                                industry=industry))
    return articles


def _paragraphs(article: Article, seed: int, target_bytes: int) -> list[str]:
    rng = _rng(seed, "body", article.number)
    if article.english:
        industry, region = article.industry, article.region
        sentences, closings = EN_SENTENCES, ["This plan takes effect on the date of issue."]
    else:
        industry, region = article.industry, article.region
        sentences, closings = ZH_SENTENCES, ZH_CLOSINGS
    paragraphs: list[str] = []
    size, section = 0, 0
    while size < target_bytes:
        if not article.english and rng.random() < 0.2 and section < len(ZH_SECTIONS):
            paragraphs.append(f"{ZH_NUMERALS[section % 10]}、{ZH_SECTIONS[section]}")
            section += 1
        count = rng.randint(2, 5)
        joiner = " " if article.english else ""
        others = EN_INDUSTRIES if article.english else INDUSTRIES
        text = joiner.join(_fill(rng.choice(sentences), rng, industry if rng.random() < 0.7 else rng.choice(others),
                                 region) for _ in range(count))
        length = len(text.encode("utf-8"))
        if paragraphs and size + length > target_bytes:
            break
        paragraphs.append(text)
        size += length
    paragraphs.append(_fill(rng.choice(closings), rng, industry, region))
    return paragraphs


def _edit(paragraphs: list[str], rng: random.Random, english: bool) -> list[str]:
    """One number changed and one paragraph added, as a revised plan would show."""
    edited = list(paragraphs)
    with_numbers = [i for i, p in enumerate(edited) if re.search(r"\d{2,}", p)]
    if with_numbers:
        i = rng.choice(with_numbers)
        edited[i] = re.sub(r"\d{2,}", lambda m: str(int(m.group()) + rng.randint(1, 9)), edited[i], count=1)
    added = ("A new clause adds support for pilot production lines and testing services."
             if english else "新增条款：对新建的中试生产线和公共检测服务平台，按设备投资额的百分之二十给予补助。")
    edited.insert(rng.randint(1, len(edited) - 1), added)
    return edited


def _header(title: str, english: bool, section_path: str) -> str:
    lang = "en" if english else "zh-CN"
    home = "Home" if english else "首页"
    menu = MENU_EN if english else MENU_ZH
    links = "\n".join(
        f'  <li class="menu"><a href="/col/col{100 + i}/index.html">{html.escape(top)}</a><ul class="sub">'
        + "".join(f'<li><a href="/col/col{100 + i}{j:02d}/index.html" title="{html.escape(sub)}">{html.escape(sub)}'
                  "</a></li>" for j, sub in enumerate(subs)) + "</ul></li>"
        for i, (top, subs) in enumerate(menu.items()))
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title>\n"
            f'<meta name="SiteName" content="{"Provincial Government Portal" if english else "省人民政府门户网站"}">\n'
            f'<style type="text/css">\n{STYLE}\n</style>\n'
            '<script type="text/javascript">\n  function setFontSize(px){var b=document.getElementById("zoom");'
            'if(b){b.style.fontSize=px+"px";}}\n</script>\n</head>\n<body>\n'
            f'<div class="topbar"><div class="wrap">{"Welcome" if english else "欢迎访问"} | '
            f'<a href="/{section_path}/index.html">{home}</a> | <a href="/search/?q=">'
            f'{"Search" if english else "站内搜索"}</a></div></div>\n'
            f'<header class="site-header"><div class="wrap"><a class="logo" href="/{section_path}/index.html">'
            f'{"Provincial Government" if english else "省人民政府"}</a></div>\n'
            f'<nav class="main-nav"><div class="wrap"><ul>\n{links}\n</ul></div></nav>\n</header>\n'
            '<div class="wrap">\n')


def _footer(english: bool, rng: random.Random) -> str:
    icp = f"网站标识码：4400000001　ICP备案号：粤ICP备{rng.randint(10_000_000, 99_999_999)}号"
    lines = (["Sponsored by the General Office of the Provincial Government", "Contact: webmaster@example.gov"]
             if english else ["主办：省人民政府办公厅　承办：省政务服务数据管理局", icp, "联系我们　网站地图"])
    friends = (EN_REGIONS if english else REGIONS)
    grid = "".join(f'<a href="/link/{i}.html" target="_blank">{html.escape(name)}</a>'
                   for i, name in enumerate(friends))
    return ('</div>\n<footer class="site-footer"><div class="wrap">\n'
            + f'<div class="friend-links">{grid}</div>\n'
            + "\n".join(f"<p>{html.escape(line)}</p>" for line in lines)
            + "\n</div></footer>\n" + ANALYTICS + "</body>\n</html>\n")


def render_article(article: Article, seed: int, related: list[Article]) -> str:
    rng = _rng(seed, "size", article.number)
    target_bytes = rng.randint(MIN_BYTES + 100, MAX_BYTES - 600)  # room for an edit's added paragraph
    text_share = rng.uniform(0.12, 0.40)
    section = EN_DIR if article.english else ZH_DIR
    shell = _header(article.title, article.english, section)
    pub = article.published.isoformat()
    if article.english:
        table = (f'<table class="info-table"><tr><th>Issued by</th><td>{html.escape(article.organ)}</td>'
                 f"<th>Date</th><td>{pub}</td></tr><tr><th>Document No.</th><td>{html.escape(article.doc_no)}</td>"
                 f"<th>Category</th><td>Industry</td></tr></table>\n")
    else:
        index_no = f"00693974{article.number % 10}/{article.published.year}-{article.number:05d}"
        table = ('<table class="info-table">\n'
                 f"<tr><th>索引号：</th><td>{index_no}</td><th>分类：</th><td>{rng.choice(TOPIC_CLASSES)}；通知</td></tr>\n"
                 f"<tr><th>发文机关：</th><td>{html.escape(article.organ)}</td><th>成文日期：</th>"
                 f"<td>{(article.published - timedelta(days=rng.randint(3, 20))).isoformat()}</td></tr>\n"
                 f'<tr><th>标题：</th><td colspan="3">{html.escape(article.title)}</td></tr>\n'
                 f"<tr><th>发文字号：</th><td>{html.escape(article.doc_no)}</td><th>发布日期：</th><td>{pub}</td></tr>\n"
                 "</table>\n")
    breadcrumb = (f'<div class="breadcrumb">{"You are here" if article.english else "当前位置"}：'
                  f'<a href="/{section}/index.html">{"Policies" if article.english else "政策文件"}</a> &gt; '
                  f'{"Text" if article.english else "正文"}</div>\n')
    meta = (f'<div class="article-meta"><span>{"Date" if article.english else "发布日期"}：{pub}</span>'
            f'<span>{"Source" if article.english else "来源"}：{html.escape(article.organ)}</span>'
            f'<span class="views">{"Views" if article.english else "浏览次数"}：{rng.randint(100, 9999)}</span>'
            f'<span class="fontsize"><a href="javascript:setFontSize(18)">{"A+" if article.english else "大"}</a> '
            f'<a href="javascript:setFontSize(14)">{"A-" if article.english else "小"}</a></span></div>\n')
    related_html = ('<div class="related"><h3>' + ("Related documents" if article.english else "相关文件")
                    + "</h3><ul>\n" + "".join(f'<li><a href="/{r.path}">{html.escape(r.title)}</a></li>\n'
                                              for r in related) + "</ul></div>\n")
    topics = SIDEBAR_EN if article.english else SIDEBAR_ZH
    sidebar = ('<div class="sidebar"><h3>' + ("Topics" if article.english else "专题专栏") + "</h3><ul>"
               + "".join(f'<li><a href="/ztzl/zt{i}/index.html">{html.escape(t)}</a></li>'
                         for i, t in enumerate(topics))
               + "</ul></div>\n")
    tools = ('<div class="article-tools"><a href="javascript:window.print()">'
             f'{"Print" if article.english else "打印本页"}</a> <a href="javascript:window.close()">'
             f'{"Close" if article.english else "关闭窗口"}</a></div>\n')
    footer = _footer(article.english, rng)
    sign = f'<p class="sign">{html.escape(article.organ)}</p>\n<p class="sign">{pub}</p>\n'

    def page(text_bytes: int, padding: str = "", edited: bool = False) -> str:
        paragraphs = _paragraphs(article, seed, text_bytes)
        if edited:
            paragraphs = _edit(paragraphs, _rng(seed, "edit", article.number), article.english)
        body = "\n".join(
            f'<p style="text-align:center"><strong>{html.escape(p)}</strong></p>' if len(p) < 12
            else f"<p>{html.escape(p)}</p>" for p in paragraphs)
        return (shell + breadcrumb + table + '<div class="article">\n'
                f'<h1 class="article-title">{html.escape(article.title)}</h1>\n' + meta
                + f'<div id="zoom">\n{body}\n{sign}</div>\n' + tools + "</div>\n" + related_html + sidebar
                + padding + footer)

    # Main text is 12–40% of the page; the rest of the target size is a script-embedded column tree,
    # as portals carry. Sized on the unedited page, so an edited page differs only by the edit.
    bare = page(1_000)
    text_bytes = max(1_500, min(int(target_bytes * text_share), target_bytes - len(bare.encode("utf-8")) - 300))
    unpadded = len(page(text_bytes).encode("utf-8"))
    padding = _column_tree(target_bytes - unpadded, _rng(seed, "tree", article.number))
    return page(text_bytes, padding, edited=article.changed)


def _column_tree(size: int, rng: random.Random) -> str:
    """A ``<script>`` of about ``size`` bytes holding the site's column tree (empty when size is small)."""
    if size < 200:
        return ""
    head, tail = '<script type="text/javascript">\nvar columnTree = [\n', "];\n</script>\n"
    entries: list[str] = []
    used = len(head) + len(tail)
    while True:
        column = rng.randint(1000, 99999)
        entry = (f'  {{id: {column}, parent: {rng.randint(1, 999)}, name: "c{column}", '
                 f'url: "/col/col{column}/index.html", order: {rng.randint(1, 99)}}},\n')
        if used + len(entry) > size:
            break
        entries.append(entry)
        used += len(entry)
    return head + "".join(entries) + tail


def list_page_name(index: int) -> str:
    return "index.html" if index == 0 else f"index_{index}.html"


def render_list_page(section_articles: list[Article], index: int, total: int, english: bool, section: str) -> str:
    title = "Policies" if english else "政策文件"
    items = "".join(f'<li><a href="/{a.path}" title="{html.escape(a.title)}">{html.escape(a.title)}</a>'
                    f'<span class="date">{a.published.isoformat()}</span></li>\n' for a in section_articles)
    window = range(max(0, index - 4), min(total, index + 5))
    pager = [f'<a href="{list_page_name(0)}">{"First" if english else "首页"}</a>']
    if index > 0:
        pager.append(f'<a href="{list_page_name(index - 1)}">{"Prev" if english else "上一页"}</a>')
    pager += [f'<a href="{list_page_name(i)}">{i + 1}</a>' if i != index else f"<span>{i + 1}</span>"
              for i in window]
    if index < total - 1:
        pager.append(f'<a href="{list_page_name(index + 1)}">{"Next" if english else "下一页"}</a>')
    pager.append(f'<a href="{list_page_name(total - 1)}">{"Last" if english else "尾页"}</a>')
    script = f'<script type="text/javascript">createPageHTML({total}, {index}, "index", "html");</script>'
    return (_header(f"{title} {index + 1}", english, section)
            + f'<div class="list"><h2>{title}</h2><ul>\n{items}</ul>\n'
            + f'<div class="pager">{" ".join(pager)}\n{script}</div></div>\n'
            + _footer(english, _rng(0, "list", section, index)))


def _write(path: Path, text: str, mtime: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, (mtime, mtime))


def _midday(day: date) -> float:
    return datetime(day.year, day.month, day.day, 1, 30, tzinfo=timezone.utc).timestamp()


def generate_site(root: str | Path, pages: int = 2000, seed: int = 1, changed_fraction: float = 0.0) -> SiteInfo:
    """Write the site under ``root`` and return what it holds."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    info = SiteInfo(root=root, articles=plan_articles(pages, seed, changed_fraction))
    for english, section in ((False, ZH_DIR), (True, EN_DIR)):
        group = sorted((a for a in info.articles if a.english == english), key=lambda a: a.published, reverse=True)
        total = max(1, -(-len(group) // PER_LIST_PAGE))
        newest = _midday(group[0].published) if group else _midday(FIRST_DATE)
        for index in range(total):
            chunk = group[index * PER_LIST_PAGE:(index + 1) * PER_LIST_PAGE]
            name = f"{section}/{list_page_name(index)}"
            _write(root / name, render_list_page(chunk, index, total, english, section), newest)
            info.list_pages.append(name)
        for position, article in enumerate(group):
            related = [group[(position + step) % len(group)] for step in (1, 2, 3, 5, 8) if len(group) > step]
            mtime = CHANGED_MTIME if article.changed else _midday(article.published)
            _write(root / article.path, render_article(article, seed, related), mtime)
    _write(root / "robots.txt", "User-agent: *\nDisallow: /search/\n", _midday(FIRST_DATE))
    _write(root / "index.html", '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>省人民政府'
           f'</title></head><body><a href="/{ZH_DIR}/index.html">政策文件</a> '
           f'<a href="/{EN_DIR}/index.html">Policies</a></body></html>\n', _midday(FIRST_DATE))
    return info


def sources_yaml(base_url: str, pages: int, list_pages: int, content_css: str | None = None) -> str:
    """A policywatch sources file with one zh and one en source on the generated site.

    ``content_css`` (e.g. ``#zoom``, the articles' body container) is given to both sources, as most real
    sources declare one; without it trafilatura finds the text.
    """
    base = base_url.rstrip("/")
    escaped = re.escape(base)
    entries = []
    for name, section, language in (("bench-zh", ZH_DIR, "zh"), ("bench-en", EN_DIR, "en")):
        entries.append(
            f"  - name: {name}\n"
            f"    title: Benchmark site ({language})\n"
            f"    start_urls: ['{base}/{section}/index.html']\n"
            f"    allow: ['^{escaped}/{re.escape(section)}/content/post_\\d+\\.html$']\n"
            f"    follow: ['^{escaped}/{re.escape(section)}/index(_\\d+)?\\.html$']\n"
            f"    language: {language}\n"
            f"    region: Benchmark\n"
            f"    max_pages: {pages + 1}\n"
            f"    max_depth: {list_pages + 1}\n"
            + (f"    content_css: {json.dumps(content_css)}\n" if content_css else ""))
    return "# Generated by bench/site_gen.py: a local benchmark site.\nsources:\n" + "".join(entries)


def write_sources(path: str | Path, base_url: str, info: SiteInfo, content_css: str | None = None) -> Path:
    path = Path(path)
    path.write_text(sources_yaml(base_url, len(info.articles), len(info.list_pages), content_css), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", help="directory to write the site into")
    parser.add_argument("--pages", type=int, default=2000, help="number of article pages (default 2000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--changed-fraction", type=float, default=0.0,
                        help="share of articles edited (a number changed, a paragraph added), e.g. 0.05")
    parser.add_argument("--base-url", default="http://127.0.0.1:8080", help="where the site will be served")
    parser.add_argument("--content-css", help="content_css of the sources (the articles' body is #zoom)")
    args = parser.parse_args(argv)
    info = generate_site(args.root, args.pages, args.seed, args.changed_fraction)
    sources = write_sources(Path(args.root) / "sources.yaml", args.base_url, info, args.content_css)
    print(f"{len(info.articles)} articles ({len(info.changed)} edited), {len(info.list_pages)} list pages "
          f"in {args.root}; sources file {sources}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
