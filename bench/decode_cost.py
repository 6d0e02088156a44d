"""CPU milliseconds per page that ``crawlers.middlewares.DecodeMiddleware`` adds to the crawl process.

The crawl process decodes every HTML answer anyway (``MetaRefreshMiddleware`` and ``parse_article`` read
``response.text``): "before" is Scrapy's decode of a fresh response, "after" is the middleware's
``decode_html`` plus the response it builds, then the same ``.text``. Timed over the pages of a generated
benchmark site as served (UTF-8, header and ``<meta>`` agreeing), and the same pages re-encoded as GBK
with an honest header and with a ``charset=utf-8`` header that lies; median over ``--runs`` passes of the
mean per page.

    PYTHONPATH=. python bench/site_gen.py /tmp/dc-site --pages 200
    PYTHONPATH=. python bench/decode_cost.py /tmp/dc-site --runs 7
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scrapy.http import HtmlResponse  # noqa: E402

from crawlers.middlewares import DecodeMiddleware  # noqa: E402

Page = tuple[bytes, str]


def variants(site: Path) -> dict[str, list[Page]]:
    bodies = [p.read_bytes() for p in sorted(site.rglob("*.html"))]
    gbk = [b.decode("utf-8").replace('charset="utf-8"', 'charset="gbk"').replace("charset=utf-8", "charset=gbk")
           .encode("gbk", "xmlcharrefreplace") for b in bodies]
    return {"utf-8, header and meta agree": [(b, "text/html; charset=utf-8") for b in bodies],
            "gbk, header and meta agree": [(b, "text/html; charset=gbk") for b in gbk],
            "gbk under a utf-8 header": [(b, "text/html; charset=utf-8") for b in gbk]}


def per_page_ms(pages: list[Page], read: Callable[[HtmlResponse], str], runs: int) -> float:
    means = []
    for _ in range(runs):
        responses = [HtmlResponse("http://127.0.0.1/p.html", body=body, headers={"Content-Type": ct})
                     for body, ct in pages]
        start = time.process_time()
        for response in responses:
            read(response)
        means.append((time.process_time() - start) * 1000 / len(pages))
    return statistics.median(means)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="a directory written by bench/site_gen.py")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    middleware = DecodeMiddleware()
    for name, pages in variants(args.site).items():
        size = sum(len(b) for b, _ in pages) / len(pages) / 1000
        before = per_page_ms(pages, lambda r: r.text, args.runs)
        after = per_page_ms(pages, lambda r: middleware.process_response(None, r).text,  # type: ignore[arg-type]
                            args.runs)
        print(f"{name:30} {len(pages)} pages, {size:.0f} KB: before {before:.3f} ms, after {after:.3f} ms, "
              f"added {after - before:+.3f} ms/page")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
