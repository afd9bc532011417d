"""Writes of the embedded backend, one batch at a time: each table written by one prepared
statement per batch (`executemany`), inside the caller's transaction.

A batch looks up which of its ids are indexed already (one query per 500), gives new docs the
next doc numbers, replaces the rows of known ones, and reports what changed to the counts
(`search.sqlite_counts`) and to the vector files (`search.sqlite_vectors.Change`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import numpy as np

from search.base import IndexDoc
from search.query import strip_markers
from search.sqlite_counts import DOC_VALUES, Counts
from search.sqlite_schema import DOC_COLUMNS
from search.sqlite_vectors import Change

CHUNK = 500  # ids per lookup (under SQLite's bound-parameter limit)
PARTS = (("search_fts", "rowid"), ("search_themes", "doc"), ("search_vectors", "doc"))

# FTS5 tuning for bulk loads (the index is `optimize`d after a rebuild): merge segments in larger
# groups, so each batch's new segment is merged less often.
FTS_CONFIG = ("INSERT INTO search_fts(search_fts, rank) VALUES ('automerge', 8)",
              "INSERT INTO search_fts(search_fts, rank) VALUES ('crisismerge', 32)")  # fmt: skip


def upsert(db: sqlite3.Connection, docs: Iterable[IndexDoc], counts: Counts,
           changes: list[Change]) -> int:  # fmt: skip
    """Index the docs (a later doc with the same id replaces an earlier one); how many were sent."""
    sent = list(docs)
    batch = list({d.id: d for d in sent}.values())
    known = _known(db, [d.id for d in batch])
    (top,) = db.execute("SELECT COALESCE(MAX(n), 0) FROM search_docs").fetchone()
    numbers = []
    for doc in batch:
        row = known.get(doc.id)
        if row is None:
            top += 1
        numbers.append(int(row[0]) if row else top)
    replaced = [(int(known[d.id][0]),) for d in batch if d.id in known]
    for table, column in PARTS:
        db.executemany(f"DELETE FROM {table} WHERE {column} = ?", replaced)
    vectors = [_vector(d) for d in batch]
    _insert(db, batch, numbers, vectors)
    for doc, n, vector in zip(batch, numbers, vectors, strict=True):
        old = known.get(doc.id)
        counts.add((day_of(doc.published), doc.competitor, doc.move_type, doc.kind, doc.source,
                    doc.themes), 1)  # fmt: skip
        if old:
            counts.add(old[1:], -1)
        changes.append(Change(n, vector, existed=old is not None))
    return len(sent)


def remove(
    db: sqlite3.Connection, ids: Iterable[str], counts: Counts, changes: list[Change]
) -> int:
    known = _known(db, list(dict.fromkeys(ids)))
    numbers = [(int(row[0]),) for row in known.values()]
    for table, column in (*PARTS, ("search_docs", "n")):
        db.executemany(f"DELETE FROM {table} WHERE {column} = ?", numbers)
    for row in known.values():
        counts.add(row[1:], -1)
        changes.append(Change(int(row[0]), None, existed=True))
    return len(numbers)


def _known(db: sqlite3.Connection, ids: list[str]) -> dict[str, tuple[Any, ...]]:
    """id -> (n, DOC_VALUES...) of the ids already indexed."""
    out: dict[str, tuple[Any, ...]] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT id, n, {DOC_VALUES} FROM search_docs WHERE id IN ({marks})"
        out.update({row[0]: tuple(row[1:]) for row in db.execute(sql, chunk)})
    return out


def _insert(db: sqlite3.Connection, docs: list[IndexDoc], numbers: list[int],
            vectors: list[np.ndarray | None]) -> None:  # fmt: skip
    db.executemany(
        f"REPLACE INTO search_docs (n, {DOC_COLUMNS}) VALUES (?{',?' * 16})",
        [(n, *_values(d)) for d, n in zip(docs, numbers, strict=True)],
    )
    db.executemany(
        "INSERT INTO search_fts (rowid, title, body) VALUES (?, ?, ?)",
        [
            (n, strip_markers(d.title), strip_markers(d.body))
            for d, n in zip(docs, numbers, strict=True)
        ],
    )
    db.executemany(
        "INSERT OR IGNORE INTO search_themes (theme, doc) VALUES (?, ?)",
        [(t, n) for d, n in zip(docs, numbers, strict=True) for t in d.themes if t],
    )
    db.executemany(
        "INSERT INTO search_vectors (doc, vector) VALUES (?, ?)",
        [(n, v.tobytes()) for n, v in zip(numbers, vectors, strict=True) if v is not None],
    )  # fmt: skip


def _values(doc: IndexDoc) -> tuple[Any, ...]:
    day = day_of(doc.published)
    return (
        doc.id, strip_markers(doc.title), doc.url, doc.kind, doc.source, doc.competitor,
        doc.published, day, _week(day), day[:7] + "-01" if day else None,
        json.dumps(doc.themes), json.dumps(doc.theme_labels), doc.move_type,
        json.dumps(doc.mentions), doc.event_id, doc.version,
    )  # fmt: skip


def _vector(doc: IndexDoc) -> np.ndarray | None:
    return (
        np.asarray(doc.vector, dtype=np.float32)
        if doc.vector is not None and len(doc.vector)
        else None
    )


def day_of(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        return None


def _week(day: str | None) -> str | None:
    """Monday of the ISO week holding the day (Elasticsearch's weekly buckets start on Monday)."""
    if not day:
        return None
    d = date.fromisoformat(day)
    return (d - timedelta(days=d.weekday())).isoformat()
