"""Fetch one URL through Scrapy (robots.txt, limits, address guard), for `radar extract URL`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import scrapy

from crawlers.failures import describe_failure
from radar.core.errors import SourceError
from radar.core.settings import Settings


@dataclass
class Fetched:
    url: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    text: str | None = None


class _FetchSpider(scrapy.Spider):
    name = "radar-fetch"

    def __init__(self, url: str, sink: dict[str, Any], timeout: float, **kwargs: Any):
        super().__init__(**kwargs)
        self.url, self.sink, self.timeout = url, sink, timeout

    async def start(self) -> Any:
        yield scrapy.Request(self.url, callback=self.done, errback=self.failed, dont_filter=True)

    def done(self, response: scrapy.http.Response) -> None:
        headers = {
            k.decode("latin-1").lower(): b", ".join(v).decode("latin-1")
            for k, v in response.headers.items()
        }
        text = response.text if isinstance(response, scrapy.http.TextResponse) else None
        self.sink["fetched"] = Fetched(response.url, response.body, headers, text)

    def failed(self, failure: Any) -> None:
        self.sink["error"] = describe_failure(failure, self.timeout)


def fetch(url: str, settings: Settings) -> Fetched:
    from scrapy.crawler import CrawlerProcess

    from crawlers.settings import scrapy_settings

    sink: dict[str, Any] = {}
    config = {**scrapy_settings(settings), "ITEM_PIPELINES": {}}
    process = CrawlerProcess({**config, "LOG_INSTALL_ROOT_HANDLER": False})
    process.crawl(_FetchSpider, url=url, sink=sink, timeout=settings["download_timeout"])
    process.start()
    if "fetched" not in sink:
        raise SourceError(f"{url}: {sink.get('error', 'no response')}")
    fetched: Fetched = sink["fetched"]
    return fetched
