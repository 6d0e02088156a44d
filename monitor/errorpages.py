"""Recognise pages that are not the article: soft 404s, login walls and anti-bot (WAF) challenges.

Many government sites answer a vanished or blocked page with status 200 and a friendly "页面不存在" page,
a single-sign-on form, or a slider/JavaScript challenge. Stored as a new version, such a page would
announce that a plan was rewritten into an error message, and the next good fetch would announce it
again. So these pages are a fetch problem, never a version.

The test is deliberately conservative, because a false positive hides a real change: a marker must
appear in the title or headline, or the extracted text must be short (an article that mentions "请登录"
in passing is still an article). Challenge scripts are recognised in the raw HTML, since such pages
have almost no text at all.
"""
from __future__ import annotations

import re

# A real article is longer than this; error, login and challenge pages are a line or two. A marker in
# the title counts on a page up to TITLE_TEXT_CHARS long (some error pages carry a sitemap of links).
SHORT_TEXT_CHARS = 400
TITLE_TEXT_CHARS = 1000

_NOT_FOUND = re.compile(
    r"页面不存在|页面未找到|找不到(?:该|此|您要访问的)?页面|(?:您|你)(?:所)?访问的(?:页面|网页|内容)(?:不存在|已被删除|已删除|找不到)"
    r"|页面已(?:被)?删除|信息已(?:被)?撤销|文章不存在|该页面无法访问|\b404\b.{0,20}(?:not found|错误|页面)"
    r"|requested url was not found|page (?:not found|cannot be found|does not exist)"
    r"|page you are looking for (?:does not|doesn't|could not)"
    r"|seite (?:nicht gefunden|existiert (?:leider )?nicht)|fehler 404",
    re.IGNORECASE,
)
_LOGIN = re.compile(
    r"请(?:先)?登录(?:后)?(?:查看|访问|阅读|继续)?$|登录后(?:查看|访问|阅读)|用户登录|统一身份认证"
    r"|\b(?:sign|log) ?in to (?:continue|read|view)|please (?:sign|log) ?in|subscribers only|^(?:sign|log) ?in$"
    r"|bitte melden sie sich an|anmeldung erforderlich|^anmelden$",
    re.IGNORECASE | re.MULTILINE,
)
_PASSWORD_FIELD = re.compile(r"""type\s*=\s*["']?password""", re.IGNORECASE)
_CHALLENGE = re.compile(
    r"请完成(?:以下)?(?:安全)?验证|滑动验证|拖动(?:滑块)?(?:到|至)最右|人机验证|访问(?:请求)?(?:被|已被)拦截|已被拦截"
    r"|访问频率过(?:高|快)|just a moment\.\.\.|checking (?:if the site connection is secure|your browser)"
    r"|verify you are human|attention required",
    re.IGNORECASE,
)
# Only as (most of) a title: in running text these words also belong to articles about security.
_CHALLENGE_TITLE = re.compile(rf"{_CHALLENGE.pattern}|安全验证|访问被拒绝|access denied|request blocked", re.IGNORECASE)
# Markers in the markup of challenge pages (Cloudflare and common Chinese WAF products).
_CHALLENGE_MARKUP = re.compile(
    r"cf-challenge|_cf_chl_opt|/cdn-cgi/challenge-platform|challenges\.cloudflare\.com|waf_verify"
    r"|captcha-delivery|/waf/static/|yunsuo_session|__jsl_clearance",
    re.IGNORECASE,
)


def _title_is(pattern: re.Pattern[str], title: str | None) -> re.Match[str] | None:
    """The marker is (most of) the title, site name aside: "页面不存在_某某网", not "关于…统一身份认证平台的通知"."""
    core = re.split(r"\s*[-_|–—｜]\s*", (title or "").strip())[0]
    found = pattern.search(core)
    return found if found and len(found.group(0)) * 2 >= len(core) else None


def error_page_reason(title: str | None, text: str, html: str = "") -> str | None:
    """Why this page is an error/login/challenge page rather than content, or None for a normal page."""
    head = "\n".join(part for part in (title or "", text[:200]) if part)
    short = len(text) < SHORT_TEXT_CHARS
    # The markup is searched only for a short page: on an article (most pages) these scans of the
    # whole HTML were the check's whole cost.
    markup = html[:200_000] if short else ""
    if short and _CHALLENGE_MARKUP.search(markup):
        return "anti-bot challenge page (WAF) instead of the article"
    checks = (
        (_CHALLENGE_TITLE, _CHALLENGE, "anti-bot challenge page (WAF)"),
        (_NOT_FOUND, _NOT_FOUND, "error page (page not found)"),
        # a login wall has a password field; a notice saying "请登录…系统申报" does not
        (_LOGIN, _LOGIN if short and _PASSWORD_FIELD.search(markup) else None, "login page"),
    )
    for in_title, in_text, what in checks:
        found = ((len(text) < TITLE_TEXT_CHARS and _title_is(in_title, title))
                 or (short and in_text is not None and in_text.search(head)))
        if found:
            return f"{what} instead of the article: {found.group(0)!r}"
    return None
