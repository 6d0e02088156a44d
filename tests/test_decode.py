from __future__ import annotations

import codecs

import pytest

from monitor.decode import decode_html

TEXT = "广州市加快培育发展未来产业，到2029年建成10个高水平创新平台，培育1000家领军企业。"


def html(meta: str = "") -> str:
    return f"<html><head>{meta}<title>未来产业</title></head><body><p>{TEXT}</p></body></html>"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (html('<meta charset="gb2312">').encode("gbk"), "text/html"),  # meta only
        (html('<meta http-equiv="Content-Type" content="text/html; charset=GBK">').encode("gbk"), None),
        (html().encode("gbk"), "text/html; charset=gb2312"),  # header only
        (html('<meta charset="gb2312">').encode("gbk"), "text/html; charset=utf-8"),  # lying header
        (html('<meta charset="utf-8">').encode("gbk"), "text/html; charset=iso-8859-1"),  # both lie
        (html().encode("gbk"), None),  # nothing declared: guessed
        (html('<meta charset="gbk">').encode("utf-8"), "text/html; charset=gbk"),  # UTF-8 despite labels
        (codecs.BOM_UTF8 + html().encode("utf-8"), "text/html; charset=gbk"),
        (html('<meta charset="gb18030">').encode("gb18030"), None),
    ],
)
def test_chinese_text_comes_out_right(body: bytes, content_type: str | None) -> None:
    text, _ = decode_html(body, content_type)
    assert TEXT in text


def test_gb18030_only_characters_survive_a_gb2312_label() -> None:
    # 镕 and 䶮 are outside GB2312; sites labelled gb2312 still send them.
    body = html('<meta charset="gb2312">').replace("平台", "平台（朱镕基、䶮）").encode("gb18030")
    text, encoding = decode_html(body, None)
    assert "朱镕基、䶮" in text and encoding == "gb18030"


def test_latin_pages_keep_their_declared_charset() -> None:
    text, _ = decode_html("<p>Zukunftsindustrien für Guangzhou – Förderung</p>".encode("cp1252"),
                          "text/html; charset=ISO-8859-1")
    assert "für Guangzhou – Förderung" in text


def test_undecodable_bytes_never_raise() -> None:
    text, _ = decode_html(b"<p>\xff\xfe\xfa broken \x81</p>", "text/html; charset=utf-8")
    assert "broken" in text
