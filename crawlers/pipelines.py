"""Item pipelines: store each source's items and result in the store the pipeline owns."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import load_object

from crawlers import signals
from crawlers.credentials import redact
from crawlers.sources import SourceDone
from radar.core.protocols import CrawlStore
from radar.core.settings import Settings

logger = logging.getLogger(__name__)

OUTCOMES = ("new", "changed", "unchanged", "revived", "removed")


class StorePipeline:
    """Own the store from ``open_spider`` to ``close_spider``; record each source's items with its
    result in one transaction (see ``CrawlStore.record_source_result``).

    The store comes from the factory named by ``RADAR_STORE_OPENER`` (off when unset); each
    recorded source is announced with :data:`crawlers.signals.source_recorded`.
    """

    def __init__(self, crawler: Crawler, opener: Any, run_id: int | None):
        self.crawler = crawler
        self.opener = opener
        self.run_id = run_id
        self.store: CrawlStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        path = crawler.settings.get("RADAR_STORE_OPENER")
        if not path:
            raise NotConfigured("RADAR_STORE_OPENER names no store factory")
        run_id = crawler.settings.getint("RADAR_RUN_ID") or None
        return cls(crawler, load_object(path), run_id)

    def open_spider(self) -> None:
        settings = self.crawler.settings
        named = {
            "data_dir": "RADAR_DATA_DIR",
            "broken_drop_ratio": "RADAR_BROKEN_DROP_RATIO",
            "store_url": "RADAR_STORE_URL",
        }
        radar = Settings({k: settings[v] for k, v in named.items() if v in settings}, env={})
        self.store = self.opener(radar)
        self.crawler.signals.send_catch_log(signals.store_opened, store=self.store)

    def close_spider(self) -> None:
        for _, unfinished in self.crawler.signals.send_catch_log(signals.sources_unfinished):
            for done in unfinished or ():
                self.record(done)
        if self.store is not None:
            self.store.close()
            self.store = None

    def process_item(self, item: Any) -> Any:
        if isinstance(item, SourceDone):
            self.record(item)
        return item

    def record(self, done: SourceDone) -> None:
        result = done.result
        result.error = redact(result.error) if result.error else result.error
        result.warnings = [redact(w) for w in result.warnings]
        assert self.store is not None, "the store pipeline was not opened"
        outcome = self.store.record_source_result(done.source, result, run_id=self.run_id)
        stats = source_stats(outcome, result)
        for key in OUTCOMES:
            self.crawler.stats.inc_value(f"radar/items/{key}", stats[key])
        self.crawler.signals.send_catch_log(
            signals.source_recorded, source_id=result.source_id, stats=stats
        )
        if not result.ok:
            logger.warning("source %s failed: %s", result.source_id, result.error)
        for reason in result.skipped:
            logger.info("source %s skipped an item: %s", result.source_id, reason)


def source_stats(outcome: dict[str, Any], result: Any) -> dict[str, Any]:
    """One source's line of the run summary."""
    return {
        **{key: outcome.get(key, 0) for key in OUTCOMES},
        "ok": result.ok,
        "error": result.error,
        "not_modified": result.not_modified,
        "entries": len(result.seen_ids),
        "skipped": result.skipped,
        "warnings": result.warnings,
        "suspect": outcome.get("suspect"),
        "done": True,
    }
