"""The ``radar`` spider: one request per configured source, one parser per source type.

Every source ends in exactly one :class:`SourceResult` (success, 304, or a one-line error), after
its items, so the store pipeline can update health, validators and removals atomically.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
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
            callback=self._callback(crawl, follow.parse),
            errback=self._errback(crawl),
            headers=headers,
            dont_filter=True,
            meta={
                "source": crawl.source.id,
                "handle_httpstatus_list": [304],
                "follow_up": not conditional,
                **follow.meta,
            },
        )

    def _callback(
        self, crawl: SourceCrawl, parse: Callable[[Response], Iterator[Any]]
    ) -> Callable[[Response], Iterator[Any]]:
        def callback(response: Response) -> Iterator[Any]:
            if response.meta.get("follow_up"):
                crawl.pending -= 1
            try:
                for out in parse(response):
                    if isinstance(out, FollowUp):
                        crawl.pending += 1
                        yield self.make_request(crawl, out)
                    else:
                        yield out
            except RadarError as exc:
                crawl.fail(str(exc))
            except Exception as exc:  # bad input must never stop the run
                logger.exception(
                    "unexpected error parsing %s for source %s", response.url, crawl.source.id
                )
                crawl.fail(
                    f"internal error while parsing {response.url} ({type(exc).__name__}: {exc})"
                )
            yield from crawl.finish_if_done()

        return callback

    def _errback(self, crawl: SourceCrawl) -> Callable[[Any], Iterator[Any]]:
        def errback(failure: Any) -> Iterator[Any]:
            reason = describe_failure(failure, self.radar_settings["download_timeout"])
            request = getattr(failure, "request", None)
            meta = request.meta if request is not None else {}
            if meta.get("follow_up"):
                crawl.pending -= 1
            if meta.get("item") is not None:
                yield from crawl.follow_up_failed(meta["item"], reason)
            else:
                crawl.fail(reason)
            yield from crawl.finish_if_done()

        return errback

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
