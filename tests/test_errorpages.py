from __future__ import annotations

import pytest

from monitor.errorpages import error_page_reason

ARTICLE = ("广东省发布未来产业集群行动方案，明确到2030年建成5个未来产业科技园。" * 12
           + "企业可登录省政务服务网在线申报，申报页面不存在纸质渠道。")


@pytest.mark.parametrize(("title", "text", "html", "expected"), [
    ("页面不存在", "抱歉，您访问的页面不存在或已被删除！请返回首页。", "", "page not found"),
    ("广东省人民政府门户网站", "您访问的页面不存在，可能已被删除。", "", "page not found"),
    ("404 Not Found", "Not Found The requested URL was not found on this server.", "", "page not found"),
    ("Seite nicht gefunden", "Fehler 404: Seite nicht gefunden", "", "page not found"),
    ("用户登录", "请登录后查看 用户名 密码 验证码", "", "login page"),
    ("Sign in", "Sign in to continue reading. This article is available to subscribers only.", "", "login page"),
    ("安全验证", "为了您的访问安全，请完成以下验证 滑动验证", "", "challenge"),
    ("Just a moment...", "", '<div id="cf-challenge-running"></div><script>window._cf_chl_opt={}</script>',
     "challenge"),
    (None, "", '<script src="/cdn-cgi/challenge-platform/h/b/orchestrate"></script>', "challenge"),
])
def test_error_login_and_challenge_pages_are_recognised(title: str | None, text: str, html: str,
                                                        expected: str) -> None:
    reason = error_page_reason(title, text, html)
    assert reason is not None and expected in reason


@pytest.mark.parametrize(("title", "text", "html"), [
    ("广东省培育未来产业集群行动方案", ARTICLE, ""),
    ("关于建设统一身份认证平台的通知", ARTICLE, ""),  # the marker in the title of a long article
    ("Guangdong plan", "Officials said the page not found in the old archive was restored. " * 10, ""),
    ("Plan", ARTICLE, '<script src="/cdn-cgi/challenge-platform/x"></script>'),  # a long page with a stray script
])
def test_articles_that_mention_the_words_are_not_error_pages(title: str, text: str, html: str) -> None:
    assert error_page_reason(title, text, html) is None


@pytest.mark.parametrize(("title", "text"), [
    ("关于开展2024年度未来产业项目申报的通知", "请登录省科技业务管理系统进行申报，截止时间为2024年6月30日。"),
    ("省通信管理局开展6G网络安全验证试点", "省通信管理局近日启动6G网络安全验证试点，首批选取广州、深圳两市。"),
    ("Satellite update", "The missing debris was not found during the second search, officials said on Monday."),
])
def test_short_notices_with_the_words_are_not_error_pages(title: str, text: str) -> None:
    assert error_page_reason(title, text, "<html><body><form><input name='q'></form></body></html>") is None
