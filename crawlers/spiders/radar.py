"""The ``radar`` spider: one request per configured source, one parser per source type.

Every source ends in exactly one :class:`SourceDone` (success, 304, or a one-line error), after
its items, so the store pipeline can update health, validators and removals atomically. The
spider reads the store the pipeline opened (:data:`crawlers.signals.store_opened`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawlers import signals
from crawlers.failures import describe_failure
from crawlers.guard import url_problem
from crawlers.parsepool import ParsePool, resolve_workers
from crawlers.parsing import Failed, Fetched
from crawlers.render import render_meta, render_problem, render_settings
from crawlers.settings import scrapy_settings
from crawlers.sources import FollowUp, SourceCrawl, SourceDone
from radar.core.config import Config, SourceConfig, effective_settings, load_config
from radar.core.protocols import CrawlStore

logger = logging.getLogger(__name__)


class RadarSpider(scrapy.Spider):
    name = "radar"

    def __init__(
        self,
        config: str | Config = "config/sources.yaml",
        source: str | None = None,
        data_dir: str | None = None,
        shard: str | None = None,
        run_id: int | str | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.config = config if isinstance(config, Config) else load_config(config)
        self.radar_settings = effective_settings(self.config, data_dir)
        self.sources = select_sources(self.config, source, shard)
        self.run_id = int(run_id) if run_id else None
        self.store: CrawlStore | None = None
        self.crawls: dict[str, SourceCrawl] = {}
        self.render_problem = render_problem(self.radar_settings)
        self.parse_pool = ParsePool(resolve_workers(self.radar_settings["parse_workers"]))

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> RadarSpider:
        """The config's settings become the crawl's Scrapy settings (also for `scrapy crawl`)."""
        spider: RadarSpider = super().from_crawler(crawler, *args, **kwargs)
        crawler.settings.setdict(scrapy_settings(spider.radar_settings), priority="spider")
        if spider.render_problem is None and any(s.render for s in spider.sources):
            crawler.settings.setdict(render_settings(spider.radar_settings), priority="spider")
        if spider.run_id:
            crawler.settings.set("RADAR_RUN_ID", spider.run_id, priority="spider")
        crawler.signals.connect(spider.use_store, signal=signals.store_opened)
        crawler.signals.connect(spider.unfinished, signal=signals.sources_unfinished)
        crawler.signals.connect(spider.parse_pool.close, signal=scrapy.signals.spider_closed)
        return spider

    def use_store(self, store: CrawlStore) -> None:
        self.store = store

    async def start(self) -> Any:
        if self.store is None:
            logger.error("no store is open: enable StorePipeline and set RADAR_STORE_OPENER")
            return
        for src in self.sources:
            crawl = SourceCrawl(src, self.config, self.radar_settings, self.store)
            self.crawls[src.id] = crawl
            if src.render and self.render_problem:
                crawl.fail(self.render_problem)
                for done in crawl.finish_if_done():
                    yield done
                continue
            yield self.make_request(
                crawl, FollowUp(crawl.start_url, "parse_start"), conditional=True
            )

    def make_request(
        self, crawl: SourceCrawl, follow: FollowUp, conditional: bool = False
    ) -> scrapy.Request:
        headers = {}
        render = render_meta(self.radar_settings) if conditional and crawl.source.render else {}
        if conditional and self.store is not None:
            val = self.store.validators(follow.url)
            if val.get("etag"):
                headers["If-None-Match"] = val["etag"]
            if val.get("last_modified"):
                headers["If-Modified-Since"] = val["last_modified"]
        return scrapy.Request(
            follow.url,
            callback=self.on_response,
            errback=self.on_error,
            headers=headers,
            dont_filter=True,
            meta={
                "source": crawl.source.id,
                "radar_parse": follow.parse,
                "handle_httpstatus_list": [304],
                "follow_up": not conditional,
                **crawl.auth,
                **follow.meta,
                **render,
            },
        )

    async def on_response(self, response: Response) -> AsyncIterator[Any]:
        """Parse a response (in a parse worker when there are any); keep its items on the
        source, request its follow-ups, end the source when nothing of it is pending."""
        crawl = self.crawls[response.meta["source"]]
        meta: dict[str, Any] = {
            k: response.meta[k] for k in ("discovered", "item") if k in response.meta
        }
        job = crawl.job(response.meta["radar_parse"], Fetched.of(response), meta)
        outputs = await self.parse_pool.parse(job, response)
        if response.meta.get("follow_up"):
            crawl.pending -= 1
        for follow in crawl.apply(outputs):
            for request in self.follow(crawl, follow):
                yield request
        for out in outputs[-1:]:
            if isinstance(out, Failed) and out.trace:
                logger.error(
                    "unexpected error parsing %s for source %s\n%s",
                    response.url,
                    crawl.source.id,
                    out.trace,
                )
        for done in crawl.finish_if_done():
            yield done

    def on_error(self, failure: Any) -> Iterator[Any]:
        request = failure.request
        crawl = self.crawls[request.meta["source"]]
        reason = describe_failure(failure, self.radar_settings["download_timeout"])
        if request.meta.get("follow_up"):
            crawl.pending -= 1
        self.failed(crawl, request.meta, reason)
        yield from crawl.finish_if_done()

    def follow(self, crawl: SourceCrawl, follow: FollowUp) -> Iterator[scrapy.Request]:
        """Request a follow-up; one that may not leave the crawler (``file:``, ...) fails here."""
        problem = url_problem(follow.url)
        if problem:
            self.failed(crawl, follow.meta, problem)
            return
        crawl.pending += 1
        yield self.make_request(crawl, follow)

    def failed(self, crawl: SourceCrawl, meta: dict[str, Any], reason: str) -> None:
        if meta.get("item") is not None:
            crawl.result.items.extend(crawl.follow_up_failed(meta["item"], reason))
        else:
            crawl.fail(reason)

    def unfinished(self) -> list[SourceDone]:
        """End every source still open when the crawl stops (shutdown, stop, lost request)."""
        out: list[SourceDone] = []
        for crawl in self.crawls.values():
            if not crawl.done:
                crawl.fail("the crawl ended before this source finished")
                out.extend(crawl.finish_if_done(force=True))
        return out


def select_sources(config: Config, source: str | None, shard: str | None) -> list[SourceConfig]:
    if source:
        return [config.source(s.strip()) for s in source.split(",")]
    sources = [s for s in config.sources if s.enabled]
    if shard:
        from radar.core.sharding import in_shard

        sources = [s for s in sources if in_shard(s.id, shard)]
    return sources


__all__ = ["RadarSpider"]
