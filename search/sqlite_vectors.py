"""Exact vector search over the float32 blobs of `search_vectors`, held in memory between queries.

The matrix is loaded once per process and reloaded only when the index's generation changes
(every write bumps it), so a long-lived process (the web UI) pays the load once and a CLI call
pays it once per call. Vectors are L2-normalised, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import sqlite3

import numpy as np


class VectorMatrix:
    def __init__(self) -> None:
        self.key: tuple[int, int] | None = None
        self.ids = np.zeros(0, dtype=np.int64)  # sorted doc numbers (search_docs.n)
        self.matrix = np.zeros((0, 0), dtype=np.float32)

    def load(self, db: sqlite3.Connection, generation: int, dim: int) -> None:
        if self.key == (generation, dim):
            return
        size = dim * 4
        db.execute("BEGIN")  # one snapshot for the count and the rows
        try:
            (count,) = db.execute(
                "SELECT COUNT(*) FROM search_vectors WHERE length(vector) = ?", (size,)
            ).fetchone()
            ids = np.empty(count, dtype=np.int64)
            matrix = np.empty((count, dim), dtype=np.float32)
            rows = db.execute(
                "SELECT doc, vector FROM search_vectors WHERE length(vector) = ? ORDER BY doc",
                (size,),
            )
            for row, (doc, blob) in enumerate(rows):
                ids[row] = doc
                matrix[row] = np.frombuffer(blob, dtype=np.float32)
        finally:
            db.execute("COMMIT")
        self.ids, self.matrix = ids, matrix
        self.key = (generation, dim)

    def nearest(
        self, vector: list[float], allowed: list[int] | None, k: int
    ) -> list[tuple[int, float]]:
        """Top k (doc number, cosine) among `allowed` doc numbers (None: all), best first."""
        if not len(self.ids) or k <= 0:
            return []
        query = np.asarray(vector, dtype=np.float32)
        if allowed is None:
            ids, scores = self.ids, self.matrix @ query
        else:
            wanted = np.asarray(sorted(allowed), dtype=np.int64)
            pos = np.searchsorted(self.ids, wanted)
            pos = pos[pos < len(self.ids)]
            pos = pos[self.ids[pos] == wanted[: len(pos)]] if len(pos) else pos
            ids, scores = self.ids[pos], self.matrix[pos] @ query
        top = np.argpartition(-scores, k - 1)[:k] if len(scores) > k else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(ids[i]), float(scores[i])) for i in top]
