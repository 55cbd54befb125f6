"""Minimal Scrapy spider equivalent to crawl-bench's crawl: follow every <a href>, extract the
title and visible text of each page, no politeness, no robots, no autothrottle.

usage: python scrapy_spider.py START_URL CONCURRENCY EXPECTED_PAGES
Prints: RESULT scrapy pages=N seconds=S pages_per_s=P pages_per_s_per_core=Q bytes_per_s=B
"""
import os
import sys
import time

import scrapy
from scrapy import signals
from scrapy.crawler import CrawlerProcess

START, CONCURRENCY, EXPECTED = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
STATE = {"pages": 0, "bytes": 0, "start": None, "end": None}


class BenchSpider(scrapy.Spider):
    name = "bench"

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.opened, signal=signals.spider_opened)
        crawler.signals.connect(spider.closed_, signal=signals.spider_closed)
        return spider

    # Not start_urls: those bypass the duplicate filter, so page 0 would be fetched twice.
    async def start(self):  # Scrapy >= 2.13
        yield scrapy.Request(START, callback=self.parse)

    def start_requests(self):  # older Scrapy
        yield scrapy.Request(START, callback=self.parse)

    def opened(self, spider):
        STATE["start"] = time.perf_counter()

    def closed_(self, spider):
        STATE["end"] = time.perf_counter()

    def parse(self, response):
        STATE["pages"] += 1
        STATE["bytes"] += len(response.body)
        # Same work as the Rust crawler's PageInfo: title, visible text, links.
        title = response.css("title::text").get()
        text = " ".join(
            " ".join(response.xpath(
                "//body//text()[not(ancestor::script) and not(ancestor::style)]").getall()).split())
        yield {"url": response.url, "title": title, "chars": len(text)}
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, callback=self.parse)


process = CrawlerProcess(settings={
    "LOG_LEVEL": "WARNING",
    "ROBOTSTXT_OBEY": False,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": CONCURRENCY,
    "CONCURRENT_REQUESTS_PER_DOMAIN": CONCURRENCY,
    "CONCURRENT_REQUESTS_PER_IP": 0,
    "DEPTH_LIMIT": 0,
    "COOKIES_ENABLED": False,
    "RETRY_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "ITEM_PIPELINES": {},
    "FEEDS": {},
})
process.crawl(BenchSpider)
process.start()

secs = STATE["end"] - STATE["start"]
cores = os.cpu_count() or 1
pps = STATE["pages"] / secs
print(f"RESULT scrapy pages={STATE['pages']} seconds={secs:.3f} pages_per_s={pps:.1f} cores={cores} "
      f"pages_per_s_per_core={pps / cores:.1f} bytes_per_s={STATE['bytes'] / secs:.0f} "
      f"concurrency={CONCURRENCY} scrapy={scrapy.__version__}")
if STATE["pages"] != EXPECTED:
    print(f"warning: scrapy crawled {STATE['pages']} pages, expected {EXPECTED}", file=sys.stderr)
