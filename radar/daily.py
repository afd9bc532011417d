"""`radar daily`: crawl → enrich → index → alerts, as one idempotent, locked job.

Exit codes: 0 done, 1 config error, 2 every source failed, 3 a stage after the crawl failed
(the stage is named), 4 another run holds the lock, 5 the store could not be written (disk full).
"""

from __future__ import annotations

import logging
import resource
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any

from radar.core.config import Config, effective_settings
from radar.core.errors import RadarError, StoreWriteError
from radar.crawl import EXIT_ALL_FAILED, run_crawl
from radar.lock import RunLock
from radar.services import NoAlertsFile, build_alert_engine, enrich_new, load_alert_rules
from radar.store import Store, open_store
from radar.writefail import finish_run, is_write_failure, write_error

logger = logging.getLogger(__name__)
EXIT_STAGE_FAILED = 3


@dataclass
class StageResult:
    name: str
    ok: bool
    seconds: float
    peak_mib: float  # the process's peak RSS when the stage ended
    counts: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass
class DailySummary:
    run_id: int | None = None
    stages: list[StageResult] = field(default_factory=list)
    exit_code: int = 0
    took_over_lock: dict[str, Any] | None = None

    @property
    def failed_stage(self) -> str | None:
        return next((s.name for s in self.stages if not s.ok), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "exit_code": self.exit_code,
            "failed_stage": self.failed_stage,
            "took_over_lock": self.took_over_lock,
            "stages": [s.__dict__ for s in self.stages],
        }


def _peak_mib() -> float:
    """The process's peak resident memory so far (cheap, unlike tracemalloc, and what the OS sees)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(name: str, work: Callable[[], dict[str, Any]]) -> StageResult:
    started = time.monotonic()
    try:
        counts = work()
        ok, error = True, None
    except StoreWriteError:
        raise  # the disk, not the stage: the whole run stops
    except RadarError as exc:
        counts, ok, error = {}, False, str(exc)
    except Exception as exc:  # a stage must never take the job down silently
        if is_write_failure(exc):
            raise write_error("the store", exc) from None
        logger.exception("stage %s failed", name)
        counts, ok, error = {}, False, f"{type(exc).__name__}: {exc}"
    seconds = round(time.monotonic() - started, 3)
    return StageResult(name, ok, seconds, round(_peak_mib(), 1), counts, error)


def run_daily(
    config: Config,
    data_dir: str | None = None,
    shard: str | None = None,
    on_stage: Callable[[StageResult], None] | None = None,
) -> DailySummary:
    """Crawl, then the stages after it, under the daily lock; a store write failure stops it all."""
    settings = effective_settings(config, data_dir)
    summary = DailySummary()
    report = on_stage or (lambda stage: None)
    with RunLock(settings.data_dir / "daily.lock") as lock:
        summary.took_over_lock = lock.took_over
        with closing(open_store(settings)) as store:
            summary.run_id = store.start_run("daily")
        try:
            _run_stages(config, settings, shard, summary, report)
        except StoreWriteError:
            _record_stop(settings, summary)
            raise
    return summary


def _run_stages(config: Config, settings: Any, shard: str | None, summary: DailySummary,
                report: Callable[[StageResult], None]) -> None:  # fmt: skip
    started = time.monotonic()
    crawl = run_crawl(config, data_dir=str(settings.data_dir), shard=shard)
    seconds = round(time.monotonic() - started, 3)
    summary.stages.append(StageResult("crawl", True, seconds, round(_peak_mib(), 1), crawl.counts))
    report(summary.stages[-1])
    with closing(open_store(settings)) as store:
        for name, work in _stages(store, settings, config):
            summary.stages.append(_timed(name, work))
            report(summary.stages[-1])
            if not summary.stages[-1].ok:
                break
        summary.exit_code = (
            EXIT_STAGE_FAILED
            if summary.failed_stage
            else EXIT_ALL_FAILED
            if crawl.exit_code == EXIT_ALL_FAILED
            else 0
        )
        status = "done" if summary.exit_code == 0 else f"failed ({summary.failed_stage or 'crawl'})"
        _finish(store, summary, status)


def _finish(store: Any, summary: DailySummary, status: str) -> None:
    stages = {s.name: s.__dict__ for s in summary.stages}
    finish_run(store, summary.run_id, status, {"exit_code": summary.exit_code}, stages)


def _record_stop(settings: Any, summary: DailySummary) -> None:
    """Best effort: the daily run's record says the store could not be written."""
    summary.exit_code = StoreWriteError.exit_code
    try:
        with closing(open_store(settings)) as store:
            _finish(store, summary, "failed (store write)")
    except (StoreWriteError, sqlite3.OperationalError, OSError) as exc:
        logger.warning("could not record the end of daily run %s: %s", summary.run_id, exc)


def _stages(
    store: Store, settings: Any, config: Config
) -> list[tuple[str, Callable[[], dict[str, Any]]]]:
    def enrich() -> dict[str, Any]:
        return dict(enrich_new(store, settings, config).to_json())

    def index() -> dict[str, Any]:
        from search import get_backend
        from search.indexer import Indexer

        backend = get_backend(settings, store.path)
        try:
            return Indexer(store, backend).run().to_json()
        finally:
            backend.close()

    def alerts() -> dict[str, Any]:
        try:
            rules = load_alert_rules(settings)
        except NoAlertsFile as exc:
            if exc.named:
                logger.warning("alerts: %s", exc)
            return {"skipped": str(exc)}
        result = build_alert_engine(store, settings, rules).run()
        if result.failed and not result.delivered:
            logger.warning(
                "alerts: %d deliveries failed; they will be retried next run", result.failed
            )
        return result.to_json()

    return [("enrich", enrich), ("index", index), ("alerts", alerts)]
