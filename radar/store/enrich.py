"""Enrichment's tables: the embedding cache, and the enriched fields of items."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from radar.core.records import Item
from radar.core.themes import Vectors
from radar.store.changes import attach_changes, write_changes
from radar.store.db import Db
from radar.store.rows import row_to_item

_SAVE = (
    "UPDATE items SET themes = ?, move_type = ?, mentions = ?, event_id = ?, language = ?,"
    " extra = json_patch(extra, ?), enriched_hash = content_hash, seq = ?"
    " WHERE id = ? AND content_hash = ?"
)


def blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def vector(data: bytes) -> Vectors:
    return np.frombuffer(data, dtype=np.float32)


def _summary_patch(item: Item) -> str:
    """A JSON merge patch setting extra.summary (a null removes a summary no longer made)."""
    return json.dumps({"summary": item.extra.get("summary")})


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
        return attach_changes(self.db, [row_to_item(r) for r in rows])

    def save_enrichment(self, items: list[Item]) -> None:
        """Write enrichment fields of a batch in one transaction; bumps seq so the index sees them."""
        with self.db.transaction():
            for item in items:
                saved = self.db.execute(_SAVE, (
                    json.dumps(item.themes), item.move_type, json.dumps(item.mentions),
                    item.event_id, item.language, _summary_patch(item), self.db.next_seq(),
                    item.id, item.content_hash,
                ))  # fmt: skip
                if saved.rowcount:  # the typed changes of the content that was enriched
                    write_changes(self.db, item.id, item.changes)

    def update_themes(self, items: list[Item]) -> None:
        """Write only the themes of items (after a re-fit)."""
        with self.db.transaction():
            for item in items:
                self.db.execute(
                    "UPDATE items SET themes = ?, seq = ? WHERE id = ?",
                    (json.dumps(item.themes), self.db.next_seq(), item.id),
                )

    def active_vectors(
        self, model: str, chunk: int = 5000
    ) -> Iterator[list[tuple[str, list[dict[str, Any]], Vectors]]]:
        """Every active item with a cached vector of ``model``: (id, themes, vector), in chunks
        of at most ``chunk`` (keyset pages on the id, so memory stays bounded)."""
        after = ""
        while True:
            rows = list(self.db.rows(
                "SELECT items.id, items.themes, embeddings.vector FROM items JOIN embeddings"
                " ON embeddings.content_hash = items.content_hash AND embeddings.model = ?"
                " WHERE items.status = 'active' AND items.id > ? ORDER BY items.id LIMIT ?",
                (model, after, chunk),
            ))  # fmt: skip
            if not rows:
                return
            yield [(r[0], json.loads(r[1]), vector(r[2])) for r in rows]
            after = rows[-1][0]

    def set_item_themes(self, themes: list[tuple[str, list[dict[str, Any]]]]) -> None:
        """Write the themes of items by id (after a fit); bumps seq so the index sees them."""
        with self.db.transaction():
            for item_id, tags in themes:
                self.db.execute(
                    "UPDATE items SET themes = ?, seq = ? WHERE id = ?",
                    (json.dumps(tags), self.db.next_seq(), item_id),
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
