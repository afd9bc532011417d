"""Push new, changed and removed items from the store to a search backend, incrementally.

Every insert, change, removal or enrichment of an item gives it a new, higher `items.seq`. The
indexer keeps a high-water mark per backend in the store (`index_state`) and walks the items
above it in seq order, one batch at a time: active items are upserted, removed ones deleted,
and the mark moves to the batch's last seq only once the backend acknowledged the batch. A run
that fails or is killed resumes at the first unacknowledged batch; upserts by id make a batch
sent twice harmless, so nothing is lost or doubled.

Vectors come from the store's `embeddings` table, by content hash, for one model per index: the
model of the most recently written embedding (what enrichment used last). Loading the embedder
just to learn its name would be slow; the index records the model so that a query can be
embedded with the same one, and a change of model rebuilds the index.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from radar.errors import BackendError
from radar.records import utcnow
from search.base import IndexDoc, SearchBackend

logger = logging.getLogger(__name__)

STATE_SCHEMA = """
CREATE TABLE IF NOT EXISTS index_state (
    backend TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    updated TEXT NOT NULL,
    vector_model TEXT
);
"""
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
    def __init__(self, store: Any, backend: SearchBackend, batch_size: int = BATCH_SIZE):
        self.db: sqlite3.Connection = store.db
        self.backend = backend
        self.batch_size = max(1, batch_size)
        self.db.executescript(STATE_SCHEMA)
        self._labels = {r[0]: r[1] for r in self.db.execute("SELECT id, label FROM themes")}

    # -- state -----------------------------------------------------------------------------------
    @property
    def key(self) -> str:
        return self.backend.name

    def state(self) -> tuple[int, str | None]:
        """(high-water seq, vector model) recorded for this backend."""
        row = self.db.execute(
            "SELECT seq, vector_model FROM index_state WHERE backend = ?", (self.key,)
        ).fetchone()
        return (int(row[0]), row[1]) if row else (0, None)

    def _save(self, seq: int, model: str | None) -> None:
        self.db.execute(
            "INSERT INTO index_state (backend, seq, updated, vector_model) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(backend) DO UPDATE SET seq = excluded.seq, updated = excluded.updated,"
            " vector_model = excluded.vector_model",
            (self.key, seq, utcnow(), model),
        )

    def pending(self) -> int:
        seq, _ = self.state()
        return int(
            self.db.execute("SELECT COUNT(*) FROM items WHERE seq > ?", (seq,)).fetchone()[0]
        )

    def newest_model(self) -> str | None:
        row = self.db.execute("SELECT model FROM embeddings ORDER BY rowid DESC LIMIT 1").fetchone()
        return row[0] if row else None

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
            while batch := self._batch(seq):
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
            done = self.db.execute(
                "SELECT COUNT(*) FROM items WHERE seq <= ? AND status = 'active'", (seq,)
            ).fetchone()[0]
            if done:
                summary.messages.append(
                    f"the index is empty but {done} items were indexed before: indexed everything again"
                )
                return True
        return False

    def _batch(self, seq: int) -> list[sqlite3.Row]:
        cur = self.db.cursor()
        cur.row_factory = sqlite3.Row
        return cur.execute(
            "SELECT * FROM items WHERE seq > ? ORDER BY seq LIMIT ?", (seq, self.batch_size)
        ).fetchall()

    def _send(self, rows: list[sqlite3.Row], model: str | None, summary: IndexSummary) -> int:
        """Write one batch; return its last seq (only reached once the backend acknowledged)."""
        active = [r for r in rows if r["status"] == "active"]
        removed = [r["id"] for r in rows if r["status"] != "active"]
        vectors = self._vectors([r["content_hash"] for r in active], model)
        docs = [to_doc(r, self._labels, vectors.get(r["content_hash"])) for r in active]
        if docs:
            self.backend.index(docs)
        if removed:
            self.backend.delete(removed)
        summary.indexed += len(docs)
        summary.deleted += len(removed)
        summary.with_vectors += sum(d.vector is not None for d in docs)
        summary.batches += 1
        return int(rows[-1]["seq"])

    def _vectors(self, hashes: list[str], model: str | None) -> dict[str, list[float]]:
        if not model or not hashes:
            return {}
        wanted = list(dict.fromkeys(hashes))
        rows = self.db.execute(
            f"SELECT content_hash, vector FROM embeddings WHERE model = ?"
            f" AND content_hash IN ({','.join('?' * len(wanted))})",
            (model, *wanted),
        )
        return {h: np.frombuffer(blob, dtype=np.float32).tolist() for h, blob in rows}


def to_doc(row: Any, labels: dict[str, str], vector: list[float] | None = None) -> IndexDoc:
    """The searchable document of one stored item (its date: published, else first seen)."""
    themes = [t for t in json.loads(row["themes"] or "[]") if isinstance(t, dict) and t.get("id")]
    return IndexDoc(
        id=row["id"],
        title=row["title"],
        body=row["body"],
        url=row["url"],
        kind=row["kind"],
        source=row["source_id"],
        competitor=row["competitor"],
        published=row["published"] or row["first_seen"],
        themes=[t["id"] for t in themes],
        theme_labels=[str(t.get("label") or labels.get(t["id"], t["id"])) for t in themes],
        move_type=row["move_type"],
        mentions=json.loads(row["mentions"] or "[]"),
        event_id=row["event_id"],
        version=row["version"],
        vector=vector,
    )
