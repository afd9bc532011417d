"""Vector search of the embedded backend over memory-mapped files (see `search.sqlite_vecfile`).

A process maps the vector files instead of loading every blob (a CLI search is ready at once);
the files follow the index's generation, written after each commit by the backend, and are
rebuilt from the `search_vectors` rows (the source of truth) whenever they are missing or stale.
Up to `ANN_MIN` live vectors the search is exact (one matrix-vector product); above it an IVF
index (`search.sqlite_ivf`) probes the nearest lists. Filters are honoured either way: a small
allowed set is scored exactly, a large one filters the probed candidates (probing more lists
until k pass). Vectors are L2-normalised, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from search import sqlite_ivf as ivf
from search.sqlite_vecfile import DELETED, Header, Mapped, Rows, VectorDir

logger = logging.getLogger(__name__)

ANN_MIN = 100_000  # live vectors from which the IVF index is trained and used
EXACT_ALLOWED = 20_000  # a filtered search over at most this many docs is exact
RETRAIN_GROWTH = 4  # retrain the lists when the live vectors have grown this many times


@dataclass
class Change:
    """A doc written (`vector` None: it has none now) or deleted; `existed`: it had a row."""

    doc: int
    vector: np.ndarray | None  # float32
    existed: bool


class VectorMatrix:
    def __init__(self, index_path: Path) -> None:
        self.dir = VectorDir(index_path)
        self.mapped: Mapped | None = None
        self._live: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    # -- reading ---------------------------------------------------------------------------------
    def load(self, db: sqlite3.Connection, index_id: str) -> None:
        """Map the files for the index's current generation (rebuilt first if stale)."""
        with self.dir.lock(exclusive=False):
            header = self._current(db, index_id)
            if header is not None and self._map(header):
                return
        with self.dir.lock(exclusive=True):
            header = self._current(db, index_id)
            if header is None or not self._map(header):
                self._use(self._rebuild(db, index_id))

    def _current(self, db: sqlite3.Connection, index_id: str) -> Header | None:
        header = self.dir.header()
        fresh = header and header.index_id == index_id and header.generation == _generation(db)
        return header if fresh else None

    def _map(self, header: Header) -> bool:
        if self.mapped is not None and self.mapped.header == header:
            return True
        mapped = self.dir.map(header)
        if mapped is not None:
            self._use(mapped)
        return mapped is not None

    def _use(self, mapped: Mapped) -> None:
        self.mapped, self._live = mapped, None

    def live(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(sorted live doc numbers, their row positions, live mask): a doc's last row wins."""
        if self._live is None:
            assert self.mapped is not None
            ids, lists = self.mapped.ids, self.mapped.lists
            rows = len(ids)
            uniq, first = np.unique(np.asarray(ids)[::-1], return_index=True)
            pos = rows - 1 - first
            keep = np.asarray(lists)[pos] != DELETED
            mask = np.zeros(rows, dtype=bool)
            mask[pos[keep]] = True
            self._live = uniq[keep], pos[keep], mask
        return self._live

    def nearest(
        self, vector: list[float], allowed: list[int] | None, k: int
    ) -> list[tuple[int, float]]:
        """Top k (doc number, cosine) among `allowed` doc numbers (None: all), best first."""
        m = self.mapped
        if m is None or not len(m.ids) or k <= 0 or len(vector) != m.header.dim:
            return []
        query = np.asarray(vector, dtype=np.float32)
        if allowed is not None and len(allowed) <= EXACT_ALLOWED:
            positions = self._positions(allowed)
            return self._top(positions, np.asarray(m.matrix[positions]) @ query, k)
        if m.centroids is None or m.offsets is None:
            return self._exact(query, allowed, k)
        return self._approximate(query, allowed, k)

    def exact(self, vector: list[float], k: int) -> list[tuple[int, float]]:
        """Top k over every live vector, never approximate (what the IVF index is measured against)."""
        if self.mapped is None or not len(self.mapped.ids) or len(vector) != self.mapped.header.dim:
            return []
        return self._exact(np.asarray(vector, dtype=np.float32), None, k)

    def _positions(self, allowed: list[int]) -> np.ndarray:
        ids, pos, _ = self.live()
        wanted = np.unique(np.asarray(allowed, dtype=np.int64))
        at = np.minimum(np.searchsorted(ids, wanted), max(len(ids) - 1, 0))
        return pos[at[ids[at] == wanted]] if len(ids) else at[:0]

    def _exact(
        self, query: np.ndarray, allowed: list[int] | None, k: int
    ) -> list[tuple[int, float]]:
        assert self.mapped is not None
        scores = self.mapped.matrix @ query
        keep = self.live()[2] if self.mapped.header.dead else None
        if allowed is not None:
            keep = np.zeros(len(scores), dtype=bool)
            keep[self._positions(allowed)] = True
        positions = np.flatnonzero(keep) if keep is not None else np.arange(len(scores))
        return self._top(positions, scores[positions], k)

    def _approximate(
        self, query: np.ndarray, allowed: list[int] | None, k: int
    ) -> list[tuple[int, float]]:
        m = self.mapped
        assert m is not None and m.centroids is not None and m.offsets is not None
        wanted = None if allowed is None else np.unique(np.asarray(allowed, dtype=np.int64))
        probe = ivf.probes(len(m.centroids))
        while True:
            positions, scores = ivf.candidates(query, m.matrix, m.lists, m.centroids, m.offsets,
                                               m.header.sorted_rows, probe)  # fmt: skip
            keep = self.live()[2][positions] if m.header.dead else np.ones(len(positions), bool)
            if wanted is not None:
                keep &= np.isin(np.asarray(m.ids)[positions], wanted)
            if keep.sum() >= k or probe >= len(m.centroids):
                return self._top(positions[keep], scores[keep], k)
            probe = min(len(m.centroids), probe * 2)

    def _top(self, positions: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
        assert self.mapped is not None
        top = np.argpartition(-scores, k - 1)[:k] if len(scores) > k else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        ids = self.mapped.ids
        return [(int(ids[positions[i]]), float(scores[i])) for i in top]

    # -- writing ---------------------------------------------------------------------------------
    @contextmanager
    def writing(self) -> Iterator[None]:
        """Held around the commit and `written`, so readers never see a half-updated pair."""
        with self.dir.lock(exclusive=True):
            yield

    def written(self, db: sqlite3.Connection, index_id: str, before: int, changes: list[Change],
                reset: bool = False) -> None:  # fmt: skip
        """After a commit that moved the generation from `before`: append the changed rows."""
        try:
            header = self.dir.header()
            if (
                reset
                or header is None
                or header.index_id != index_id
                or header.generation != before
            ):
                self._use(self._rebuild(db, index_id))
                return
            self._append(db, index_id, header, changes)
        except OSError as exc:  # the files go stale; the next reader rebuilds them
            logger.warning(
                "vector files %s not updated (%s): rebuilt on next use", self.dir.root, exc
            )

    def _append(
        self, db: sqlite3.Connection, index_id: str, header: Header, changes: list[Change]
    ) -> None:
        dim = header.dim or next((len(c.vector) for c in changes if c.vector is not None), 0)
        if header.rows and dim != header.dim:  # another model's vectors: start again
            self._use(self._rebuild(db, index_id))
            return
        header.dim = dim
        rows = _rows(changes, dim)
        m = self.mapped if self.mapped and self.mapped.header.epoch == header.epoch else None
        if m is None and (m := self.dir.map(header)) is not None:
            self._use(m)
        if m is not None and m.centroids is not None and len(rows.ids):
            rows.lists = np.where(
                rows.lists == DELETED, DELETED, ivf.assign(rows.matrix, m.centroids)
            )
        header.dead += sum(c.existed for c in changes) + int((rows.lists == DELETED).sum())
        header = self.dir.append(header, rows, _generation(db))
        self._maintain(header)

    def _maintain(self, header: Header) -> None:
        """Train (or retrain) the lists, re-group a long tail, or drop many dead rows."""
        live = header.rows - header.dead
        train = live >= ANN_MIN and (
            not header.trained_rows or live >= RETRAIN_GROWTH * header.trained_rows
        )
        regroup = header.trained_rows and header.rows - header.sorted_rows > header.sorted_rows
        if not (train or regroup or header.dead > header.rows // 4):
            return
        mapped = self.dir.map(header)
        if mapped is None:
            return
        self._use(mapped)
        _, positions, _ = self.live()
        positions = np.sort(positions)
        rows = Rows(np.asarray(mapped.ids)[positions], mapped.matrix[positions],
                    np.asarray(mapped.lists)[positions])  # fmt: skip
        kept = None if train else mapped.centroids
        self._use(self._write(header.index_id, header.generation, header.dim, rows, kept,
                              0 if train else header.trained_rows))  # fmt: skip

    def _rebuild(self, db: sqlite3.Connection, index_id: str) -> Mapped:
        """The files written again from the `search_vectors` rows of the current generation."""
        db.execute("BEGIN")  # one snapshot for the generation and the rows
        try:
            generation = _generation(db)
            dim, rows = _read_rows(db)
        finally:
            db.execute("COMMIT")
        logger.info("vector files rebuilt from %d rows of the index", len(rows.ids))
        try:
            return self._write(index_id, generation, dim, rows, None)
        except OSError as exc:  # read-only place: keep them in memory
            logger.warning(
                "cannot write vector files in %s (%s): held in memory", self.dir.root, exc
            )
            return Mapped(Header(index_id, generation, dim, len(rows.ids)), rows.matrix, rows.ids,
                          rows.lists)  # fmt: skip

    def _write(self, index_id: str, generation: int, dim: int, rows: Rows,
               centroids: np.ndarray | None, trained_rows: int = 0) -> Mapped:  # fmt: skip
        """A new epoch: rows grouped by list when there are (or should be) lists."""
        header = Header(index_id, generation, dim, trained_rows=trained_rows)
        spec = None
        if centroids is not None or len(rows.ids) >= ANN_MIN:
            if centroids is None:
                centroids = ivf.train(rows.matrix, ivf.list_count(len(rows.ids)))
                header.trained_rows = len(rows.ids)
            rows.lists = ivf.assign(rows.matrix, centroids)
            order, offsets = ivf.layout(rows.lists, len(centroids))
            rows = Rows(rows.ids[order], np.asarray(rows.matrix)[order], rows.lists[order])
            header.sorted_rows, spec = len(rows.ids), (centroids, offsets)
        written = self.dir.write(header, rows, spec)
        mapped = self.dir.map(written)
        assert mapped is not None
        return mapped


def _generation(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT value FROM search_meta WHERE key = 'generation'").fetchone()
    return int(row[0]) if row else 0


def _read_rows(db: sqlite3.Connection) -> tuple[int, Rows]:
    """(dim, rows) of the stored vectors of the newest vector's size, in doc order."""
    row = db.execute(
        "SELECT length(vector) FROM search_vectors ORDER BY doc DESC LIMIT 1"
    ).fetchone()
    size = int(row[0]) if row else 0
    (count,) = db.execute(
        "SELECT COUNT(*) FROM search_vectors WHERE length(vector) = ?", (size,)
    ).fetchone()
    dim = size // 4
    ids = np.empty(count, dtype=np.int64)
    matrix = np.empty((count, dim), dtype=np.float32)
    cur = db.execute(
        "SELECT doc, vector FROM search_vectors WHERE length(vector) = ? ORDER BY doc", (size,)
    )
    for i, (doc, blob) in enumerate(cur):
        ids[i] = doc
        matrix[i] = np.frombuffer(blob, dtype=np.float32)
    return dim, Rows(ids, matrix)


def _rows(changes: list[Change], dim: int) -> Rows:
    """The rows to append: a doc's new vector, or a deletion mark where it lost its vector."""
    fits = [c.vector is not None and len(c.vector) == dim for c in changes]
    kept = [(c, fit) for c, fit in zip(changes, fits, strict=True) if fit or c.existed]
    matrix = np.zeros((len(kept), dim), dtype=np.float32)
    rows = [i for i, (_, fit) in enumerate(kept) if fit]
    if rows:
        matrix[rows] = np.stack([c.vector for c, fit in kept if fit])  # type: ignore[misc]
    lists = np.where([fit for _, fit in kept], -1, DELETED).astype(np.int32)
    return Rows(np.asarray([c.doc for c, _ in kept], dtype=np.int64), matrix, lists)
