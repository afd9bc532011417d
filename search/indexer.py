"""Push new, changed and removed items from the store to a search backend, incrementally.

Every insert, change, removal or enrichment of an item gives it a new, higher sequence number. The
indexer keeps a high-water mark per backend in the store (its index state) and walks the items
above it in seq order, one batch at a time: active items are upserted, removed ones deleted,
and the mark moves to the batch's last seq only once the backend acknowledged the batch. A run
that fails or is killed resumes at the first unacknowledged batch; upserts by id make a batch
sent twice harmless, so nothing is lost or doubled.

Vectors come from the store's embedding cache, by content hash, for one model per index: the
model of the most recently written embedding (what enrichment used last). Loading the embedder
just to learn its name would be slow; the index records the model so that a query can be
embedded with the same one, and a change of model rebuilds the index.

The store is read only through the `IndexSource` Protocol of `radar.core.protocols`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from radar.core.errors import BackendError
from radar.core.protocols import IndexSource
from radar.core.records import Item
from radar.core.stored import SeqItem
from search.base import IndexDoc, SearchBackend

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


@dataclass
class IndexSummary:
    indexed: int = 0
    deleted: int = 0
    batches: int = 0
    seq: int = 0
    total: int = 0  # documents in the index afterwards
    vector_model: str | None = None
    with_vectors: int = 0
    messages: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Indexer:
    def __init__(self, store: IndexSource, backend: SearchBackend, batch_size: int = BATCH_SIZE):
        self.store = store
        self.backend = backend
        self.batch_size = max(1, batch_size)
        self._labels = store.theme_labels()

    # -- state -----------------------------------------------------------------------------------
    @property
    def key(self) -> str:
        return self.backend.name

    def state(self) -> tuple[int, str | None]:
        """(high-water seq, vector model) recorded for this backend."""
        state = self.store.index_state(self.key)
        return (state.seq, state.vector_model) if state else (0, None)

    def _save(self, seq: int, model: str | None) -> None:
        self.store.save_index_state(self.key, seq, model)

    def pending(self) -> int:
        seq, _ = self.state()
        return self.store.count_items_since(seq)

    def newest_model(self) -> str | None:
        return self.store.newest_embedding_model()

    # -- running ---------------------------------------------------------------------------------
    def run(
        self, rebuild: bool = False, on_progress: Callable[[int, int], None] | None = None
    ) -> IndexSummary:
        summary = IndexSummary()
        model = self.newest_model()
        seq, recorded = self.state()
        rebuild = rebuild or self._needs_rebuild(seq, recorded, model, summary)
        if rebuild:
            self.backend.clear()
            self._save(0, model)
            seq = 0
        summary.vector_model = model
        total = self.pending()
        try:
            while batch := self.store.items_since(seq, self.batch_size):
                seq = self._send(batch, model, summary)
                self._save(seq, model)
                if on_progress:
                    on_progress(summary.indexed + summary.deleted, total)
        except BackendError as exc:
            done = summary.indexed + summary.deleted
            raise BackendError(
                f"{exc} ({done} items sent before the failure are saved; run `radar index` again"
                " to resume)"
            ) from None
        if rebuild and summary.indexed and hasattr(self.backend, "optimize"):
            self.backend.optimize()
        summary.seq, summary.total = seq, self.backend.count()
        return summary

    def _needs_rebuild(
        self, seq: int, recorded: str | None, model: str | None, summary: IndexSummary
    ) -> bool:
        if seq and recorded and model and recorded != model:
            summary.messages.append(
                f"embeddings now come from {model} (the index had {recorded}): rebuilt the index"
            )
            return True
        if seq and self.backend.count() == 0:
            done = self.store.count_active_up_to(seq)
            if done:
                summary.messages.append(
                    f"the index is empty but {done} items were indexed before: indexed everything again"
                )
                return True
        return False

    def _send(self, batch: list[SeqItem], model: str | None, summary: IndexSummary) -> int:
        """Write one batch; return its last seq (only reached once the backend acknowledged)."""
        active = [c.item for c in batch if c.item.status == "active"]
        removed = [c.item.id for c in batch if c.item.status != "active"]
        vectors = self._vectors([i.content_hash for i in active], model)
        docs = [to_doc(i, self._labels, vectors.get(i.content_hash)) for i in active]
        if docs:
            self.backend.index(docs)
        if removed:
            self.backend.delete(removed)
        summary.indexed += len(docs)
        summary.deleted += len(removed)
        summary.with_vectors += sum(d.vector is not None for d in docs)
        summary.batches += 1
        return batch[-1].seq

    def _vectors(self, hashes: list[str], model: str | None) -> dict[str, list[float]]:
        if not model or not hashes:
            return {}
        cached = self.store.cached_embeddings(hashes, model)
        return {h: v.tolist() for h, v in cached.items()}


def to_doc(item: Item, labels: dict[str, str], vector: list[float] | None = None) -> IndexDoc:
    """The searchable document of one stored item (its date: published, else first seen)."""
    themes = [t for t in item.themes if isinstance(t, dict) and t.get("id")]
    return IndexDoc(
        id=item.id,
        title=item.title,
        body=item.body,
        url=item.url,
        kind=item.kind,
        source=item.source_id,
        competitor=item.competitor,
        published=item.published or item.first_seen,
        themes=[t["id"] for t in themes],
        theme_labels=[str(t.get("label") or labels.get(t["id"], t["id"])) for t in themes],
        move_type=item.move_type,
        mentions=list(item.mentions or []),
        event_id=item.event_id,
        version=item.version,
        vector=vector,
    )
