"""CPU milliseconds to read the links of a list page (``crawlers.kinds.link_urls``), each page read once.

A first crawl reads every list page of a site once, and list pages of government sites repeat the same
navigation and pager links on every page. Timed over the list pages (``index*.html``) of a generated
benchmark site, as a crawl meets them: each pass starts with the link cache empty and reads each page
once; median over ``--runs`` passes of the mean per page.

    PYTHONPATH=.:bench python bench/site_gen.py /tmp/ec-site --pages 300
    python bench/list_links_cost.py /tmp/ec-site --runs 5
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scrapy.http import HtmlResponse  # noqa: E402

import crawlers.kinds as kinds  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="a directory written by bench/site_gen.py")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    pages = [(p, p.read_bytes()) for p in sorted(args.site.rglob("index*.html"))]
    if not pages:
        parser.error(f"no list pages (index*.html) under {args.site}")
    per_page, links = [], 0
    for _ in range(args.runs):
        responses = [HtmlResponse(url=f"http://127.0.0.1/{p.relative_to(args.site).as_posix()}", body=body,
                                  encoding="utf-8") for p, body in pages]
        for response in responses:  # decoding and parsing are the crawl's anyway: not timed
            _ = response.text, response.selector
        cache_clear = getattr(getattr(kinds, "_link_url", None), "cache_clear", None)
        if cache_clear is not None:
            cache_clear()
        start = time.process_time()
        links = sum(len(kinds.link_urls(response)) for response in responses)
        per_page.append((time.process_time() - start) * 1000 / len(responses))
    print(f"{statistics.median(per_page):.2f} ms per list page (median of {args.runs} passes over {len(pages)} "
          f"list pages, {links} links extracted per pass)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
