"""Sites -> URLs -> bytes: the registry, the site families, the polite Scrapy crawler.

``run_crawl`` fills a store (``gk_extract.store``); nothing here parses reports.
"""

from gk_extract.fetch.crawl import CrawlSettings, CrawlSummary, run_crawl
from gk_extract.fetch.sources import RegistryError, Site, load_sources

__all__ = ["CrawlSettings", "CrawlSummary", "RegistryError", "Site", "load_sources", "run_crawl"]
