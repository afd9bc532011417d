"""The SQLite store: one file (WAL mode) in the data dir, made of parts that share a connection.

`Store` implements every Protocol of `radar.core.protocols` (CrawlStore, EnrichStore,
IndexSource, AlertLog) by handing each call to its part: items, crawl state, runs, enrichment,
themes, index state, alert log. Every write commits at once, so a crash or kill loses nothing
already stored; item ids are stable, so a re-run never duplicates.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from radar.core.errors import RadarError
from radar.core.protocols import AlertLog, CrawlStore, DigestSource, EnrichStore, IndexSource
from radar.core.records import Change, Item, SourceResult
from radar.core.stored import Delivery, IndexState, SeqItem, ThemeItem
from radar.core.themes import DiscoveredTheme, ThemeEvent, Vectors
from radar.store.alert_log import AlertDeliveries
from radar.store.changes import changes_of
from radar.store.crawlstate import CrawlState
from radar.store.db import Db
from radar.store.enrich import Enrichment
from radar.store.index_state import IndexStates
from radar.store.items import Items
from radar.store.runs import Runs
from radar.store.themes import Themes

STORE_FILE = "radar.db"


class Store:
    """Thin, synchronous access to the store file. Not shared between threads."""

    def __init__(self, path: str | Path, broken_drop_ratio: float = 0.5, read_only: bool = False):
        self.path = Path(path)
        self._db = Db(self.path, read_only)
        self._items = Items(self._db)
        self._crawl = CrawlState(self._db, self._items, broken_drop_ratio)
        self._runs = Runs(self._db)
        self._enrich = Enrichment(self._db)
        self._themes = Themes(self._db)
        self._index = IndexStates(self._db)
        self._alerts = AlertDeliveries(self._db)

    @classmethod
    def in_dir(cls, data_dir: str | Path, broken_drop_ratio: float = 0.5) -> Store:
        return cls(store_path(data_dir), broken_drop_ratio)

    def close(self) -> None:
        self._db.close()

    def transaction(self) -> AbstractContextManager[None]:
        """One write transaction around several calls (their own transactions must not nest)."""
        return self._db.transaction()

    # -- items (radar.store.items) ----------------------------------------------------------------
    def upsert_item(self, item: Item, run_id: int | None = None, now: str | None = None) -> str:
        return self._items.upsert_item(item, run_id, now)

    def upsert_items(self, items: Iterable[Item], now: str | None = None) -> dict[str, int]:
        return self._items.upsert_items(items, now)

    def import_items(self, items: Iterable[Item]) -> dict[str, int]:
        return self._items.import_items(items)

    def get_item(self, item_id: str) -> Item | None:
        return self._items.get_item(item_id)

    def items(self, source_id: str | None = None, status: str | None = None) -> Iterator[Item]:
        return self._items.items(source_id, status)

    def known_hashes(self, source_id: str) -> dict[str, str]:
        return self._items.known_hashes(source_id)

    def revisions(self, item_id: str) -> list[dict[str, Any]]:
        return self._items.revisions(item_id)

    def count_items(self, **where: str) -> int:
        return self._items.count_items(**where)

    def event_items(self, event_id: str, exclude: str | None = None, limit: int = 50) -> list[Item]:
        return self._items.event_items(event_id, exclude, limit)

    def newest_seq(self) -> int:
        return self._items.newest_seq()

    def enriched_items(self, after_seq: int | None = None, since: str | None = None) -> list[Item]:
        return self._items.enriched_items(after_seq, since)

    def active_items_since(self, day: str) -> list[Item]:
        return self._items.active_items_since(day)

    def week_items(self, first: str, last: str) -> list[Item]:
        return self._items.week_items(first, last)

    # -- changes (radar.store.changes) ------------------------------------------------------------
    def changes_of(self, item_ids: list[str]) -> dict[str, list[Change]]:
        return changes_of(self._db, item_ids)

    # -- crawl state (radar.store.crawlstate) -----------------------------------------------------
    def validators(self, url: str) -> dict[str, str]:
        return self._crawl.validators(url)

    def snapshot(self, source_id: str) -> str | None:
        return self._crawl.snapshot(source_id)

    def record_source_result(
        self, source: Any, result: SourceResult, run_id: int | None = None, now: str | None = None
    ) -> dict[str, Any]:
        return self._crawl.record_source_result(source, result, run_id, now)

    def source_health(self) -> list[dict[str, Any]]:
        return self._crawl.source_health()

    # -- runs (radar.store.runs) ------------------------------------------------------------------
    def start_run(self, command: str) -> int:
        return self._runs.start_run(command)

    def finish_run(
        self, run_id: int, status: str, counts: dict[str, Any], sources: dict[str, Any]
    ) -> None:
        self._runs.finish_run(run_id, status, counts, sources)

    def runs(self, limit: int = 10) -> list[dict[str, Any]]:
        return self._runs.runs(limit)

    # -- enrichment (radar.store.enrich) ----------------------------------------------------------
    def cached_embeddings(self, hashes: Iterable[str], model: str) -> dict[str, Vectors]:
        return self._enrich.cached_embeddings(hashes, model)

    def cache_embeddings(self, vectors: dict[str, Vectors], model: str) -> None:
        self._enrich.cache_embeddings(vectors, model)

    def newest_embedding_model(self) -> str | None:
        return self._enrich.newest_embedding_model()

    def items_to_enrich(self) -> list[Item]:
        return self._enrich.items_to_enrich()

    def save_enrichment(self, items: list[Item]) -> None:
        self._enrich.save_enrichment(items)

    def update_themes(self, items: list[Item]) -> None:
        self._enrich.update_themes(items)

    def recent_items(self, since: str, model: str) -> Iterator[tuple[Item, Vectors]]:
        return self._enrich.recent_items(since, model)

    def active_vectors(
        self, model: str, chunk: int = 5000
    ) -> Iterator[list[tuple[str, list[dict[str, Any]], Vectors]]]:
        return self._enrich.active_vectors(model, chunk)

    def set_item_themes(self, themes: list[tuple[str, list[dict[str, Any]]]]) -> None:
        self._enrich.set_item_themes(themes)

    # -- themes (radar.store.themes) --------------------------------------------------------------
    def discovered_themes(self, status: str = "active") -> list[DiscoveredTheme]:
        return self._themes.discovered_themes(status)

    def theme_ids_used(self) -> set[str]:
        return self._themes.theme_ids_used()

    def theme_labels(self) -> dict[str, str]:
        return self._themes.theme_labels()

    def theme_rows(self) -> list[dict[str, Any]]:
        return self._themes.theme_rows()

    def save_themes(self, themes: list[DiscoveredTheme], events: list[ThemeEvent]) -> None:
        self._themes.save_themes(themes, events)

    def save_configured_themes(self, specs: list[Any]) -> None:
        self._themes.save_configured_themes(specs)

    def theme_events(self, limit: int = 50) -> list[dict[str, Any]]:
        return self._themes.theme_events(limit)

    def theme_sizes(self) -> dict[str, int]:
        return self._themes.theme_sizes()

    def discovered_coverage(self) -> tuple[int, int]:
        return self._themes.discovered_coverage()

    def theme_items(self, theme_id: str, limit: int = 20) -> list[ThemeItem]:
        return self._themes.theme_items(theme_id, limit)

    def theme_week_counts(self, now: datetime | None = None) -> dict[str, tuple[int, float]]:
        return self._themes.theme_week_counts(now)

    # -- index state (radar.store.index_state) ----------------------------------------------------
    def items_since(self, seq: int, limit: int) -> list[SeqItem]:
        return self._index.items_since(seq, limit)

    def count_items_since(self, seq: int) -> int:
        return self._index.count_items_since(seq)

    def count_active_up_to(self, seq: int) -> int:
        return self._index.count_active_up_to(seq)

    def index_state(self, backend: str) -> IndexState | None:
        return self._index.index_state(backend)

    def save_index_state(self, backend: str, seq: int, vector_model: str | None) -> None:
        self._index.save_index_state(backend, seq, vector_model)

    # -- alert log (radar.store.alert_log) --------------------------------------------------------
    def alert_mark(self, rule_id: str) -> int | None:
        return self._alerts.alert_mark(rule_id)

    def queue_alerts(
        self, rule_id: str, channels: Sequence[str], lines: dict[str, str], mark: int | None = None
    ) -> None:
        self._alerts.queue_alerts(rule_id, channels, lines, mark)

    def pending_alerts(self, rule_id: str, channel: str) -> list[Delivery]:
        return self._alerts.pending_alerts(rule_id, channel)

    def mark_sent(self, rule_id: str, channel: str, keys: list[str]) -> None:
        self._alerts.mark_sent(rule_id, channel, keys)

    def mark_failed(self, rule_id: str, channel: str, keys: list[str], error: str) -> None:
        self._alerts.mark_failed(rule_id, channel, keys, error)

    def delivery_history(self, limit: int = 50) -> list[Delivery]:
        return self._alerts.delivery_history(limit)

    def count_unsent_alerts(self) -> int:
        return self._alerts.count_unsent()


def store_path(data_dir: str | Path) -> Path:
    return Path(data_dir) / STORE_FILE


def existing_store(data_dir: str | Path, hint: str = "run `radar crawl` first") -> Path:
    """The store's path in a data dir; a one-line RadarError saying what to run when it is absent."""
    path = store_path(data_dir)
    if not path.exists():
        raise RadarError(f"no store at {path}: {hint}")
    return path


if TYPE_CHECKING:  # mypy checks that Store is each Protocol the layers above use

    def _implements(
        store: Store,
    ) -> tuple[CrawlStore, EnrichStore, IndexSource, AlertLog, DigestSource]:
        return store, store, store, store, store
