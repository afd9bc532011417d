"""Enrichment tables of the store: the embedding cache, themes and theme history.

Mixed into :class:`radar.store.Store`; the same SQLite file, the same connection.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from enrich.base import DiscoveredTheme, ThemeEvent, Vectors
from radar.records import Item, utcnow

ENRICH_SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    content_hash TEXT NOT NULL,
    model TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (content_hash, model)
);
CREATE TABLE IF NOT EXISTS themes (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    keywords TEXT NOT NULL DEFAULT '[]',
    centroid BLOB,
    radius REAL,
    size INTEGER NOT NULL DEFAULT 0,
    representatives TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'active',
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS theme_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    theme_ids TEXT NOT NULL,
    from_ids TEXT NOT NULL,
    at TEXT NOT NULL
);
"""


def _blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def _vector(blob: bytes) -> Vectors:
    return np.frombuffer(blob, dtype=np.float32)


class EnrichStoreMixin:
    db: sqlite3.Connection
    transaction: Any  # provided by Store
    _next_seq: Any  # provided by Store

    # -- embeddings cache -------------------------------------------------------------------------
    def cached_embeddings(self, hashes: Iterable[str], model: str) -> dict[str, Vectors]:
        wanted = list(dict.fromkeys(hashes))
        out: dict[str, Vectors] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self.db.execute(
                f"SELECT content_hash, vector FROM embeddings WHERE model = ? AND content_hash IN ({','.join('?' * len(chunk))})",
                (model, *chunk),
            )
            out.update({r[0]: _vector(r[1]) for r in rows})
        return out

    def cache_embeddings(self, vectors: dict[str, Vectors], model: str) -> None:
        with self.transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO embeddings (content_hash, model, vector) VALUES (?, ?, ?)",
                [(h, model, _blob(v)) for h, v in vectors.items()],
            )

    # -- enrichment of items ------------------------------------------------------------------------
    def items_to_enrich(self) -> list[Item]:
        """Active items never enriched, or changed since they were."""
        from radar.store import _row_to_item

        rows = self.db.execute(
            "SELECT * FROM items WHERE status = 'active' AND (enriched_hash IS NULL OR enriched_hash != content_hash)"
            " ORDER BY seq"
        )
        return [_row_to_item(r) for r in rows]

    def save_enrichment(self, items: list[Item]) -> None:
        """Write enrichment fields of a batch in one transaction; bumps seq so the index sees them."""
        with self.transaction():
            for item in items:
                self.db.execute(
                    "UPDATE items SET themes = ?, move_type = ?, mentions = ?, event_id = ?, language = ?,"
                    " enriched_hash = content_hash, seq = ? WHERE id = ? AND content_hash = ?",
                    (
                        json.dumps(item.themes),
                        item.move_type,
                        json.dumps(item.mentions),
                        item.event_id,
                        item.language,
                        self._next_seq(),
                        item.id,
                        item.content_hash,
                    ),
                )

    def update_themes(self, items: list[Item]) -> None:
        """Write only the themes of items (after a re-fit)."""
        with self.transaction():
            for item in items:
                self.db.execute(
                    "UPDATE items SET themes = ?, seq = ? WHERE id = ?",
                    (json.dumps(item.themes), self._next_seq(), item.id),
                )

    def recent_items(self, since: str, model: str) -> Iterator[tuple[Item, Vectors]]:
        """Enriched items first seen or published since a date, with their cached vectors."""
        from radar.store import _row_to_item

        rows = self.db.execute(
            "SELECT items.*, embeddings.vector AS vec FROM items JOIN embeddings"
            " ON embeddings.content_hash = items.content_hash AND embeddings.model = ?"
            " WHERE items.enriched_hash IS NOT NULL AND COALESCE(items.published, items.first_seen) >= ?",
            (model, since),
        )
        for row in rows:
            data = dict(row)
            vec = data.pop("vec")
            yield _row_to_item(data), _vector(vec)

    # -- themes ---------------------------------------------------------------------------------------
    def discovered_themes(self, status: str = "active") -> list[DiscoveredTheme]:
        rows = self.db.execute(
            "SELECT * FROM themes WHERE kind = 'discovered' AND status = ? ORDER BY id", (status,)
        )
        return [
            DiscoveredTheme(
                id=r["id"],
                label=r["label"],
                keywords=json.loads(r["keywords"]),
                centroid=_vector(r["centroid"]),
                radius=float(r["radius"]),
                size=int(r["size"]),
                representatives=json.loads(r["representatives"]),
            )
            for r in rows
        ]

    def theme_ids_used(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT id FROM themes")}

    def theme_rows(self) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT id, kind, label, keywords, size, representatives, status, created, updated FROM themes ORDER BY kind, id"
        )
        return [
            {
                **dict(r),
                "keywords": json.loads(r["keywords"]),
                "representatives": json.loads(r["representatives"]),
            }
            for r in rows
        ]

    def save_themes(self, themes: list[DiscoveredTheme], events: list[ThemeEvent]) -> None:
        """Replace the active discovered themes; the others are kept as retired (ids are never reused)."""
        now = utcnow()
        with self.transaction():
            self.db.execute(
                "UPDATE themes SET status = 'retired', updated = ? WHERE kind = 'discovered' AND status = 'active'",
                (now,),
            )
            for t in themes:
                self.db.execute(
                    "INSERT INTO themes (id, kind, label, keywords, centroid, radius, size, representatives, status, created, updated)"
                    " VALUES (?, 'discovered', ?, ?, ?, ?, ?, ?, 'active', ?, ?) ON CONFLICT(id) DO UPDATE SET"
                    " label = excluded.label, keywords = excluded.keywords, centroid = excluded.centroid,"
                    " radius = excluded.radius, size = excluded.size, representatives = excluded.representatives,"
                    " status = 'active', updated = excluded.updated",
                    (
                        t.id,
                        t.label,
                        json.dumps(t.keywords),
                        _blob(t.centroid),
                        t.radius,
                        t.size,
                        json.dumps(t.representatives),
                        now,
                        now,
                    ),
                )
            for e in events:
                self.db.execute(
                    "INSERT INTO theme_events (kind, theme_ids, from_ids, at) VALUES (?, ?, ?, ?)",
                    (e.kind, json.dumps(e.theme_ids), json.dumps(e.from_ids), now),
                )

    def save_configured_themes(self, specs: list[Any]) -> None:
        now = utcnow()
        with self.transaction():
            for spec in specs:
                self.db.execute(
                    "INSERT INTO themes (id, kind, label, keywords, status, created, updated) VALUES (?, 'configured', ?, ?, 'active', ?, ?)"
                    " ON CONFLICT(id) DO UPDATE SET label = excluded.label, keywords = excluded.keywords, updated = excluded.updated",
                    (spec.id, spec.name, json.dumps(spec.keywords), now, now),
                )

    def theme_events(self, limit: int = 50) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT * FROM theme_events ORDER BY id DESC LIMIT ?", (limit,))
        return [
            {
                **dict(r),
                "theme_ids": json.loads(r["theme_ids"]),
                "from_ids": json.loads(r["from_ids"]),
            }
            for r in rows
        ]


def theme_week_counts(
    db: sqlite3.Connection, now: datetime | None = None
) -> dict[str, tuple[int, float]]:
    """Per theme id: items in the last 7 days, and the weekly average over the 4 weeks before."""
    now = now or datetime.now(UTC)
    start = (now - timedelta(days=35)).strftime("%Y-%m-%d")
    week = (now - timedelta(days=7)).strftime("%Y-%m-%d")
    rows = db.execute(
        "SELECT json_extract(t.value, '$.id') AS tid, COALESCE(items.published, items.first_seen) AS day"
        " FROM items, json_each(items.themes) AS t WHERE items.status = 'active'"
        " AND COALESCE(items.published, items.first_seen) >= ?",
        (start,),
    )
    counts: dict[str, list[int]] = {}
    for tid, day in rows:
        this, before = counts.setdefault(tid, [0, 0])
        if day >= week:
            counts[tid][0] += 1
        else:
            counts[tid][1] += 1
    return {tid: (this, before / 4) for tid, (this, before) in counts.items()}
