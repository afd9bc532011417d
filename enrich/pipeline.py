"""`radar enrich`: embed, theme, classify, find mentions and events for new or changed items.

A release's changes are typed one by one (move type, importance, noise); the release's move type
becomes its most important change's type (`Item.move_types` is the set). News, blog posts and
articles get an extractive summary (at most two sentences) kept in ``extra["summary"]``.

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
from enrich.changes import entry_moves, type_changes
from enrich.embed import item_text, normalise
from enrich.events import EventGrouper
from enrich.language import detect_language
from enrich.mentions import MentionFinder
from enrich.summary import article_summary, page_change_summary
from radar.core.records import Change

logger = logging.getLogger(__name__)

BATCH = 256
ASSIGN_CHUNK = 5000  # items assigned to discovered themes per store read after a fit
SUMMARIZED_KINDS = ("news", "blog")

ChangeTyper = Callable[[list[Change], Embedder | None], list[Change]]
Summarizer = Callable[[Any, Embedder | None], str | None]


def summarize_item(item: Any, embedder: Embedder | None = None) -> str | None:
    """The default summarizer: at most two sentences of news and blog posts, one line for a page
    change (its diff: "Pro: $20 → $24 per member"), none for releases (they have changes)."""
    if item.kind == "page_change":
        lines = item.body.splitlines()
        added = [line[2:] for line in lines if line.startswith("+ ")]
        removed = [line[2:] for line in lines if line.startswith("- ")]
        return page_change_summary(added, removed) or None
    if item.kind not in SUMMARIZED_KINDS or not item.body.strip():
        return None
    return article_summary(item.body, embedder, title=item.title) or None


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
    changes_typed: int = 0
    summarized: int = 0
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
        change_typer: ChangeTyper | None = type_changes,
        summarizer: Summarizer | None = summarize_item,
    ):
        self.store = store
        self.embedder = embedder
        self.configured = configured
        self.theme_model = theme_model
        self.moves = moves
        self.mentions = mentions
        self.events = events
        self.batch_size = batch_size
        self.change_typer = change_typer
        self.summarizer = summarizer

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
            self._type_changes(item, summary)
            self._summarize(item, summary)
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

    def _type_changes(self, item: Any, summary: EnrichSummary) -> None:
        """Type the release's changes; its move type becomes its most important change's."""
        if self.change_typer is None or not item.changes:
            return
        item.changes = self.change_typer(item.changes, self.embedder)
        summary.changes_typed += len(item.changes)
        top, _types = entry_moves(item.changes)  # the set is Item.move_types
        if top is not None and item.competitor:
            item.move_type = top

    def _summarize(self, item: Any, summary: EnrichSummary) -> None:
        if self.summarizer is None:
            return
        text = self.summarizer(item, self.embedder)
        item.extra = {**item.extra, "summary": text} if text else item.extra
        if not text:
            item.extra.pop("summary", None)
        summary.summarized += bool(text)

    # -- the weekly fit ---------------------------------------------------------------------------------
    def fit(self, window_days: int = 90) -> Any:
        """Re-fit discovered themes (ids stay stable), then give every active item, old ones
        included, its nearest theme or none (the radius rule); ``coverage`` counts the result."""
        assert self.theme_model is not None
        previous = self.store.discovered_themes()
        items, note = self._fit_items(window_days, first=not previous)
        vectors = self.vectors(items)
        result = self.theme_model.fit(
            vectors,
            [item_text(i.title, i.body) for i in items],
            [i.id for i in items],
            previous=previous,
            used_ids=self.store.theme_ids_used(),
            previous_assignments=previous_assignments(items),
        )
        result.notes += [note] if note else []
        if result.themes:
            self.store.save_themes(result.themes, result.events)
            fitted = dict(zip((i.id for i in items), result.assignments, strict=True))
            result.coverage = self.assign_all(result.themes, fitted)
        return result

    def _fit_items(self, window_days: int, first: bool) -> tuple[list[Any], str | None]:
        """The items to cluster: the window; for the first fit, or when the window holds fewer
        than the model's ``min_items``, the newest active items up to its sample size."""
        model = self.theme_model
        assert model is not None
        since = (datetime.now(UTC) - timedelta(days=window_days)).strftime("%Y-%m-%d")
        active = sorted(self.store.items(status="active"), key=_day, reverse=True)
        window = [item for item in active if _day(item) >= since]
        if not first and len(window) >= model.min_items:
            return window, None
        newest = active[: max(model.max_fit_items, len(window))]
        if len(newest) == len(window):
            return window, None
        why = "first fit" if len(window) >= model.min_items else "too few in the window"
        return newest, (
            f"{why}: the last {window_days} days hold {len(window)} items,"
            f" so the fit used the newest {len(newest)}"
        )

    def assign_all(self, themes: list[Any], fitted: dict[str, str | None]) -> tuple[int, int]:
        """Every active item with a vector gets its theme: the fit's for the items it clustered,
        else the nearest within the radius; only changed items are written. Returns (items with
        a discovered theme, items looked at)."""
        assert self.theme_model is not None
        labels = {t.id: t.label for t in themes}
        centroids = np.stack([t.centroid for t in themes]).astype(np.float32)
        themed = total = 0
        for chunk in self.store.active_vectors(self.embedder.name, ASSIGN_CHUNK):
            ids = [row[0] for row in chunk]
            vectors = np.stack([row[2] for row in chunk])
            nearest = self.theme_model.assign(vectors, themes)
            sims = normalise(vectors) @ centroids.T
            position = {t.id: col for col, t in enumerate(themes)}
            changed = []
            for row, (item_id, tags, _) in enumerate(chunk):
                tid, score = nearest[row]
                if item_id in fitted:
                    tid = fitted[item_id]
                    score = float(sims[row, position[tid]]) if tid is not None else 0.0
                new = with_discovered(tags, tid, score, labels)
                themed += tid is not None
                if new != tags:
                    changed.append((item_id, new))
            self.store.set_item_themes(changed)
            total += len(ids)
        return themed, total


def _day(item: Any) -> str:
    return str(item.published or item.first_seen or "")


def with_discovered(
    tags: list[dict[str, Any]], theme_id: str | None, score: float, labels: dict[str, str]
) -> list[dict[str, Any]]:
    """An item's themes with its discovered theme replaced (none when ``theme_id`` is None)."""
    kept = [t for t in tags if t.get("kind") != "discovered"]
    if theme_id is None:
        return kept
    found = {"id": theme_id, "score": round(score, 3), "kind": "discovered"}
    return [*kept, {**found, "label": labels[theme_id]}]


def previous_assignments(items: list[Any]) -> dict[str, str]:
    """item id -> the discovered theme it had, so a re-fit judges merges and splits by members."""
    out = {}
    for item in items:
        for theme in item.themes:
            if theme.get("kind") == "discovered":
                out[item.id] = theme["id"]
    return out
