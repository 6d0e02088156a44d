"""The Scrapy project: one generic spider driven by ``sources.yaml``, a pipeline into the archive,
and a runner that starts each crawl in its own process (a Twisted reactor cannot be restarted)."""
