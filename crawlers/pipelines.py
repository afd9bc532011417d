"""Item pipelines: store items and source results in the SQLite store."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from scrapy.crawler import Crawler

from radar.records import SourceResult

logger = logging.getLogger(__name__)


class StorePipeline:
    """Store each source's items with its result in one transaction (see Store.record_source_result).

    Counts per outcome (new / changed / unchanged / revived / removed) and per-source results
    are kept on the pipeline for the run summary.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.counts: Counter[str] = Counter()
        self.per_source: dict[str, dict[str, Any]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        pipeline = cls(crawler)
        crawler.radar_pipeline = pipeline  # type: ignore[attr-defined]
        return pipeline

    def process_item(self, item: Any) -> Any:
        if isinstance(item, SourceResult):
            self.record(self.crawler.spider, item)
        return item

    def record(self, spider: Any, result: SourceResult) -> None:
        crawl = spider.crawls[result.source_id]
        outcome = spider.store.record_source_result(crawl.source, result, run_id=spider.run_id)
        stats = self._source(result.source_id)
        for key in ("new", "changed", "unchanged", "revived", "removed"):
            stats[key] = outcome.get(key, 0)
            self.counts[key] += outcome.get(key, 0)
        stats.update(
            ok=result.ok,
            error=result.error,
            not_modified=result.not_modified,
            entries=len(result.seen_ids),
            skipped=result.skipped,
            warnings=result.warnings,
            suspect=outcome.get("suspect"),
            done=True,
        )
        if not result.ok:
            logger.warning("source %s failed: %s", result.source_id, result.error)
        for reason in result.skipped:
            logger.info("source %s skipped an item: %s", result.source_id, reason)

    def _source(self, source_id: str) -> dict[str, Any]:
        return self.per_source.setdefault(source_id, {})
