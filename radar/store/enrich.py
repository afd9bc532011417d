"""Enrichment's tables: the embedding cache, and the enriched fields of items."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

import numpy as np

from radar.core.records import Item
from radar.core.themes import Vectors
from radar.store.db import Db
from radar.store.rows import row_to_item

_SAVE = (
    "UPDATE items SET themes = ?, move_type = ?, mentions = ?, event_id = ?, language = ?,"
    " enriched_hash = content_hash, seq = ? WHERE id = ? AND content_hash = ?"
)


def blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def vector(data: bytes) -> Vectors:
    return np.frombuffer(data, dtype=np.float32)


class Enrichment:
    def __init__(self, db: Db):
        self.db = db

    # -- embeddings cache ---------------------------------------------------------------------------
    def cached_embeddings(self, hashes: Iterable[str], model: str) -> dict[str, Vectors]:
        wanted = list(dict.fromkeys(hashes))
        out: dict[str, Vectors] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self.db.rows(
                "SELECT content_hash, vector FROM embeddings WHERE model = ?"
                f" AND content_hash IN ({','.join('?' * len(chunk))})",
                (model, *chunk),
            )
            out.update({r[0]: vector(r[1]) for r in rows})
        return out

    def cache_embeddings(self, vectors: dict[str, Vectors], model: str) -> None:
        with self.db.transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO embeddings (content_hash, model, vector) VALUES (?, ?, ?)",
                [(h, model, blob(v)) for h, v in vectors.items()],
            )

    def newest_embedding_model(self) -> str | None:
        """The model of the most recently written embedding (what enrichment used last)."""
        model = self.db.scalar("SELECT model FROM embeddings ORDER BY rowid DESC LIMIT 1")
        return None if model is None else str(model)

    # -- enrichment of items ------------------------------------------------------------------------
    def items_to_enrich(self) -> list[Item]:
        """Active items never enriched, or changed since they were."""
        rows = self.db.rows(
            "SELECT * FROM items WHERE status = 'active'"
            " AND (enriched_hash IS NULL OR enriched_hash != content_hash) ORDER BY seq"
        )
        return [row_to_item(r) for r in rows]

    def save_enrichment(self, items: list[Item]) -> None:
        """Write enrichment fields of a batch in one transaction; bumps seq so the index sees them."""
        with self.db.transaction():
            for item in items:
                self.db.execute(_SAVE, (
                    json.dumps(item.themes), item.move_type, json.dumps(item.mentions),
                    item.event_id, item.language, self.db.next_seq(), item.id, item.content_hash,
                ))  # fmt: skip

    def update_themes(self, items: list[Item]) -> None:
        """Write only the themes of items (after a re-fit)."""
        with self.db.transaction():
            for item in items:
                self.db.execute(
                    "UPDATE items SET themes = ?, seq = ? WHERE id = ?",
                    (json.dumps(item.themes), self.db.next_seq(), item.id),
                )

    def recent_items(self, since: str, model: str) -> Iterator[tuple[Item, Vectors]]:
        """Enriched items first seen or published since a date, with their cached vectors."""
        rows = self.db.rows(
            "SELECT items.*, embeddings.vector AS vec FROM items JOIN embeddings"
            " ON embeddings.content_hash = items.content_hash AND embeddings.model = ?"
            " WHERE items.enriched_hash IS NOT NULL"
            " AND COALESCE(items.published, items.first_seen) >= ?",
            (model, since),
        )
        for row in rows:
            data = dict(row)
            vec = data.pop("vec")
            yield row_to_item(data), vector(vec)
