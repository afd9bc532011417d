"""`radar enrich`: embed, theme, classify, find mentions and events for new or changed items.

Work goes in batches; each batch's results are committed together, and embeddings are cached by
content hash as soon as they are computed, so an interrupted run loses at most one batch of work
and the next run embeds nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from enrich.base import Embedder, Vectors
from enrich.embed import item_text
from enrich.events import EventGrouper
from enrich.language import detect_language
from enrich.mentions import MentionFinder

logger = logging.getLogger(__name__)

BATCH = 256


@dataclass
class EnrichSummary:
    processed: int = 0
    embedded: int = 0
    cached: int = 0
    configured_tagged: int = 0
    discovered_assigned: int = 0
    outliers: int = 0
    moves: dict[str, int] = field(default_factory=dict)
    with_mentions: int = 0
    events_joined: int = 0
    messages: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Enricher:
    """The enrichment steps, injected by role; any of them may be None to skip it."""

    def __init__(
        self,
        store: Any,
        embedder: Embedder,
        configured: Any | None = None,  # enrich.themes.ConfiguredThemes
        theme_model: Any | None = None,  # enrich.discover.ThemeModel
        moves: Any | None = None,  # enrich.moves.MoveClassifier
        mentions: MentionFinder | None = None,
        events: EventGrouper | None = None,
        batch_size: int = BATCH,
    ):
        self.store = store
        self.embedder = embedder
        self.configured = configured
        self.theme_model = theme_model
        self.moves = moves
        self.mentions = mentions
        self.events = events
        self.batch_size = batch_size

    # -- embeddings ---------------------------------------------------------------------------------
    def vectors(self, items: list[Any], summary: EnrichSummary | None = None) -> Vectors:
        cached = self.store.cached_embeddings((i.content_hash for i in items), self.embedder.name)
        missing = {i.content_hash: i for i in items if i.content_hash not in cached}
        if missing:
            fresh = self.embedder.embed([item_text(i.title, i.body) for i in missing.values()])
            computed = dict(zip(missing, fresh, strict=True))
            self.store.cache_embeddings(computed, self.embedder.name)
            cached.update(computed)
        if summary is not None:
            summary.embedded += len(missing)
            summary.cached += len({i.content_hash for i in items}) - len(missing)
        return (
            np.stack([cached[i.content_hash] for i in items])
            if items
            else np.zeros((0, self.embedder.dim), np.float32)
        )

    # -- the daily run --------------------------------------------------------------------------------
    def run(self, on_progress: Callable[[int, int], None] | None = None) -> EnrichSummary:
        summary = EnrichSummary()
        pending = self.store.items_to_enrich()
        if not pending:
            summary.messages.append("nothing new to enrich")
            return summary
        self._prime_events()
        themes = self.store.discovered_themes() if self.theme_model is not None else []
        if self.theme_model is not None and not themes:
            summary.messages.append(
                "no discovered themes yet: run `radar themes fit` once enough items are in"
            )
        for start in range(0, len(pending), self.batch_size):
            batch = pending[start : start + self.batch_size]
            self._enrich_batch(batch, themes, summary)
            self.store.save_enrichment(batch)
            summary.processed += len(batch)
            if on_progress:
                on_progress(summary.processed, len(pending))
        return summary

    def _prime_events(self) -> None:
        if self.events is None:
            return
        since = (datetime.now(UTC) - self.events.window * 2).strftime("%Y-%m-%d")
        for item, vector in self.store.recent_items(since, self.embedder.name):
            self.events.add_known(item, vector)

    def _enrich_batch(self, batch: list[Any], themes: list[Any], summary: EnrichSummary) -> None:
        vectors = self.vectors(batch, summary)
        texts = [item_text(i.title, i.body) for i in batch]
        tags: list[list[dict[str, Any]]] = [[] for _ in batch]
        if self.configured is not None:
            for row, assigned in enumerate(self.configured.assign(vectors, texts)):
                tags[row] += [
                    {"id": tid, "score": score, "kind": "configured"} for tid, score in assigned
                ]
                summary.configured_tagged += bool(assigned)
        if self.theme_model is not None and themes:
            labels = {t.id: t.label for t in themes}
            for row, (tid, score) in enumerate(self.theme_model.assign(vectors, themes)):
                if tid is None:
                    summary.outliers += 1
                    continue
                tags[row].append(
                    {
                        "id": tid,
                        "score": round(float(score), 3),
                        "kind": "discovered",
                        "label": labels[tid],
                    }
                )
                summary.discovered_assigned += 1
        self._classify(batch, vectors, summary)
        for row, item in enumerate(batch):
            item.themes = tags[row]
            item.language = item.language or detect_language(texts[row])
            if self.mentions is not None:
                item.mentions = self.mentions.find(texts[row], exclude=item.competitor)
                summary.with_mentions += bool(item.mentions)
            if self.events is not None:
                event = self.events.assign(item, vectors[row])
                summary.events_joined += event != f"ev-{item.id}"

    def _classify(self, batch: list[Any], vectors: Vectors, summary: EnrichSummary) -> None:
        rows = [n for n, item in enumerate(batch) if item.competitor]
        if self.moves is None or not rows:
            return
        results = self.moves.classify(
            [batch[n].title for n in rows], [batch[n].body for n in rows], vectors[rows]
        )
        for n, (move, _confidence) in zip(rows, results, strict=True):
            batch[n].move_type = move
            summary.moves[move] = summary.moves.get(move, 0) + 1

    # -- the weekly fit ---------------------------------------------------------------------------------
    def fit(self, window_days: int = 90) -> Any:
        """Re-fit discovered themes on the window; ids stay stable; re-assign the window's items."""
        assert self.theme_model is not None
        since = (datetime.now(UTC) - timedelta(days=window_days)).strftime("%Y-%m-%d")
        window = [
            item
            for item in self.store.items(status="active")
            if (item.published or item.first_seen or "") >= since
        ]
        vectors = self.vectors(window)
        result = self.theme_model.fit(
            vectors,
            [item_text(i.title, i.body) for i in window],
            [i.id for i in window],
            previous=self.store.discovered_themes(),
            used_ids=self.store.theme_ids_used(),
            previous_assignments=previous_assignments(window),
        )
        if result.themes:
            self.store.save_themes(result.themes, result.events)
            by_id = {t.id: t for t in result.themes}
            for row, (item, tid) in enumerate(zip(window, result.assignments, strict=True)):
                kept = [t for t in item.themes if t.get("kind") != "discovered"]
                if tid is not None:
                    score = round(float(vectors[row] @ by_id[tid].centroid), 3)
                    kept.append(
                        {"id": tid, "score": score, "kind": "discovered", "label": by_id[tid].label}
                    )
                item.themes = kept
            self.store.update_themes(window)
        return result


def previous_assignments(items: list[Any]) -> dict[str, str]:
    """item id -> the discovered theme it had, so a re-fit judges merges and splits by members."""
    out = {}
    for item in items:
        for theme in item.themes:
            if theme.get("kind") == "discovered":
                out[item.id] = theme["id"]
    return out
