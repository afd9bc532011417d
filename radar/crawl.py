"""Run a crawl in this process with Scrapy and return what happened, source by source."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from radar.core.config import Config, effective_settings, load_config
from radar.core.records import SourceResult
from radar.core.settings import Settings
from radar.store import open_store
from radar.writefail import StopOnWriteFailure, finish_run

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_CONFIG, EXIT_ALL_FAILED = 0, 1, 2


@dataclass
class CrawlSummary:
    run_id: int
    data_dir: Path
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> list[str]:
        return [sid for sid, s in self.sources.items() if not s.get("ok")]

    @property
    def exit_code(self) -> int:
        if self.sources and len(self.failed) == len(self.sources):
            return EXIT_ALL_FAILED
        return EXIT_OK

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "data_dir": str(self.data_dir),
            "store": str(self.data_dir / "radar.db"),
            "counts": self.counts,
            "failed": self.failed,
            "sources": self.sources,
        }


STORE_OPENER = "radar.store.open_crawl_store"


def run_crawl(
    config: Config | str | Path,
    data_dir: str | None = None,
    source: str | None = None,
    shard: str | None = None,
    on_source_done: Callable[[SourceResult], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> CrawlSummary:
    """Crawl the configured sources once. Scrapy's reactor runs once per process."""
    from crawlers.spiders.radar import select_sources

    if not isinstance(config, Config):
        config = load_config(config)
    settings = effective_settings(config, data_dir)
    sources = select_sources(config, source, shard)
    store = open_store(settings)
    run_id = store.start_run("crawl")
    summary = CrawlSummary(run_id, settings.data_dir)
    if on_start:
        on_start(len(sources))
    try:
        _run_spider(config, settings, run_id, summary, on_source_done, source=source, shard=shard)
    finally:
        for src in sources:
            summary.sources.setdefault(
                src.id, {"ok": False, "error": "not crawled (the crawl stopped early)"}
            )
        summary.counts = _counts(summary.sources)
        status = "failed" if summary.exit_code or sys.exc_info()[0] else "done"
        finish_run(store, run_id, status, summary.counts, summary.sources)
        store.close()
    return summary


def _run_spider(
    config: Config,
    settings: Settings,
    run_id: int,
    summary: CrawlSummary,
    on_source_done: Callable[[SourceResult], None] | None,
    **spider_args: Any,
) -> None:
    """Run the radar spider; each recorded source lands in ``summary.sources`` (by signal)."""
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from crawlers import signals as radar_signals
    from crawlers.settings import scrapy_settings
    from crawlers.sources import SourceDone
    from crawlers.spiders.radar import RadarSpider

    scrapy = {**scrapy_settings(settings), "RADAR_STORE_OPENER": STORE_OPENER}
    process = CrawlerProcess({**scrapy, "RADAR_RUN_ID": run_id, "LOG_INSTALL_ROOT_HANDLER": False})
    crawler = process.create_crawler(RadarSpider)
    watch = StopOnWriteFailure(crawler, settings.data_dir)

    def recorded(source_id: str, stats: dict[str, Any]) -> None:
        summary.sources[source_id] = stats

    def item_scraped(item: Any) -> None:
        if isinstance(item, SourceDone) and on_source_done:
            on_source_done(item.result)

    crawler.signals.connect(recorded, signal=radar_signals.source_recorded, weak=False)
    crawler.signals.connect(item_scraped, signal=signals.item_scraped, weak=False)
    process.crawl(crawler, config=config, data_dir=str(settings.data_dir), **spider_args)
    process.start()
    watch.check()


def _counts(sources: dict[str, dict[str, Any]]) -> dict[str, int]:
    counts = {
        "sources": len(sources),
        "failed": 0,
        "new": 0,
        "changed": 0,
        "removed": 0,
        "revived": 0,
        "unchanged": 0,
        "not_modified": 0,
        "skipped": 0,
    }
    for stats in sources.values():
        counts["failed"] += 0 if stats.get("ok") else 1
        counts["not_modified"] += 1 if stats.get("not_modified") else 0
        counts["skipped"] += len(stats.get("skipped") or [])
        for key in ("new", "changed", "removed", "revived", "unchanged"):
            counts[key] += int(stats.get(key, 0))
    return counts
