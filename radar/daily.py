"""`radar daily`: crawl → enrich → index → alerts, as one idempotent, locked job.

Exit codes: 0 done, 1 config error, 2 every source failed, 3 a stage after the crawl failed
(the stage is named), 4 another run holds the lock.
"""

from __future__ import annotations

import logging
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from radar.config import Config
from radar.crawl import EXIT_ALL_FAILED, effective_settings, run_crawl
from radar.errors import RadarError
from radar.lock import RunLock
from radar.store import Store

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
    except RadarError as exc:
        counts, ok, error = {}, False, str(exc)
    except Exception as exc:  # a stage must never take the job down silently
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
    settings = effective_settings(config, data_dir)
    summary = DailySummary()
    with RunLock(settings.data_dir / "daily.lock") as lock:
        summary.took_over_lock = lock.took_over
        store = Store.in_dir(settings.data_dir)
        summary.run_id = store.start_run("daily")
        store.close()
        started = time.monotonic()
        crawl = run_crawl(config, data_dir=str(settings.data_dir), shard=shard)
        seconds = round(time.monotonic() - started, 3)
        crawl_stage = StageResult("crawl", True, seconds, round(_peak_mib(), 1), crawl.counts)
        summary.stages.append(crawl_stage)
        if on_stage:
            on_stage(crawl_stage)
        store = Store.in_dir(settings.data_dir)
        try:
            for name, work in _stages(store, settings, config):
                stage = _timed(name, work)
                summary.stages.append(stage)
                if on_stage:
                    on_stage(stage)
                if not stage.ok:
                    break
            summary.exit_code = (
                EXIT_STAGE_FAILED
                if summary.failed_stage
                else EXIT_ALL_FAILED
                if crawl.exit_code == EXIT_ALL_FAILED
                else 0
            )
            status = (
                "done" if summary.exit_code == 0 else f"failed ({summary.failed_stage or 'crawl'})"
            )
            store.finish_run(
                summary.run_id,
                status,
                {"exit_code": summary.exit_code},
                {s.name: s.__dict__ for s in summary.stages},
            )
        finally:
            store.close()
    return summary


def _stages(
    store: Store, settings: Any, config: Config
) -> list[tuple[str, Callable[[], dict[str, Any]]]]:
    def enrich() -> dict[str, Any]:
        from enrich import build_enricher

        if not store.items_to_enrich():  # nothing new: don't load the model at all
            return {"processed": 0, "messages": ["nothing new to enrich"]}

        enricher = build_enricher(store, settings, config)
        result = enricher.run().to_json()
        if result["processed"] and not store.discovered_themes():
            fit = enricher.fit(settings["theme_window_days"])
            result["messages"].append(
                fit.message or f"first fit: {len(fit.themes)} discovered themes"
            )
        return result

    def index() -> dict[str, Any]:
        from search import get_backend
        from search.indexer import Indexer

        backend = get_backend(settings, store.path)
        try:
            return Indexer(store, backend).run().to_json()
        finally:
            backend.close()

    def alerts() -> dict[str, Any]:
        from radar.alerts import AlertEngine
        from radar.alerts_config import load_alerts

        path = Path(settings["alerts_file"])
        if not path.exists():
            return {"skipped": f"no alerts file at {path}"}
        rules = load_alerts(path)
        embedder = None
        if any(rule.semantic for rule in rules.rules):
            from enrich import build_embedder

            embedder = build_embedder(settings)
        result = AlertEngine(store, rules, embedder=embedder).run()
        if result.failed and not result.delivered:
            logger.warning(
                "alerts: %d deliveries failed; they will be retried next run", result.failed
            )
        return result.to_json()

    return [("enrich", enrich), ("index", index), ("alerts", alerts)]
