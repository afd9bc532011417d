"""The ``radar`` spider: one request per configured source, one parser per source type.

Every source ends in exactly one :class:`SourceResult` (success, 304, or a one-line error), after
its items, so the store pipeline can update health, validators and removals atomically.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from crawlers.failures import describe_failure
from crawlers.sources import FollowUp, SourceCrawl
from radar.config import Config, SourceConfig, load_config
from radar.errors import RadarError
from radar.settings import Settings
from radar.store import Store

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
        settings = Settings(self.config.settings)
        self.radar_settings = settings.with_overrides(data_dir=data_dir)
        self.sources = select_sources(self.config, source, shard)
        self.store = Store.in_dir(
            self.radar_settings.data_dir, self.radar_settings["broken_drop_ratio"]
        )
        self.run_id = int(run_id) if run_id else None
        self.crawls: dict[str, SourceCrawl] = {}

    async def start(self) -> Any:
        for src in self.sources:
            crawl = SourceCrawl(src, self.config, self.radar_settings, self.store)
            self.crawls[src.id] = crawl
            yield self.make_request(
                crawl, FollowUp(crawl.start_url, crawl.parse_start), conditional=True
            )

    def make_request(
        self, crawl: SourceCrawl, follow: FollowUp, conditional: bool = False
    ) -> scrapy.Request:
        headers = {}
        if conditional:
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
                **follow.meta,
            },
        )

    def on_response(self, response: Response) -> Iterator[Any]:
        """Run the source's parser; items are collected on the source, follow-ups requested."""
        crawl = self.crawls[response.meta["source"]]
        if response.meta.get("follow_up"):
            crawl.pending -= 1
        try:
            for out in response.meta["radar_parse"](response):
                if isinstance(out, FollowUp):
                    crawl.pending += 1
                    yield self.make_request(crawl, out)
                else:
                    crawl.result.items.append(out)
        except RadarError as exc:
            crawl.fail(str(exc))
        except Exception as exc:  # bad input must never stop the run
            logger.exception(
                "unexpected error parsing %s for source %s", response.url, crawl.source.id
            )
            crawl.fail(f"internal error while parsing {response.url} ({type(exc).__name__}: {exc})")
        yield from crawl.finish_if_done()

    def on_error(self, failure: Any) -> Iterator[Any]:
        request = failure.request
        crawl = self.crawls[request.meta["source"]]
        reason = describe_failure(failure, self.radar_settings["download_timeout"])
        if request.meta.get("follow_up"):
            crawl.pending -= 1
        if request.meta.get("item") is not None:
            crawl.result.items.extend(crawl.follow_up_failed(request.meta["item"], reason))
        else:
            crawl.fail(reason)
        yield from crawl.finish_if_done()

    def closed(self, reason: str) -> None:
        for crawl in self.crawls.values():
            if not crawl.done:
                crawl.fail(f"the crawl ended before this source finished ({reason})")
                pipeline = getattr(self.crawler, "radar_pipeline", None)
                for result in crawl.finish_if_done(force=True):
                    if pipeline is not None:
                        pipeline.record(self, result)
                    else:
                        self.store.record_source_result(crawl.source, result)
        self.store.close()


def select_sources(config: Config, source: str | None, shard: str | None) -> list[SourceConfig]:
    if source:
        return [config.source(s.strip()) for s in source.split(",")]
    sources = [s for s in config.sources if s.enabled]
    if shard:
        from radar.sharding import in_shard

        sources = [s for s in sources if in_shard(s.id, shard)]
    return sources


__all__ = ["RadarSpider"]
