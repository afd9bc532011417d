"""An inverted-file (IVF) index over unit vectors, in numpy: spherical k-means lists, probed nearest first.

Training clusters a sample of the vectors into `list_count(n)` lists; every vector then belongs
to the list of its nearest centroid, and the vector files keep each list's rows together, so a
query scores the centroids, then only the rows of its `probes` nearest lists (slices of the
memory-mapped matrix: no copy). Rows appended since the last layout (the tail) are grouped by
their list id on the fly.
"""

from __future__ import annotations

import math

import numpy as np

SAMPLE_PER_LIST = 40  # k-means trains on this many vectors per list (at most MAX_SAMPLE)
MAX_SAMPLE = 100_000
ITERATIONS = 8
CHUNK = 65_536  # rows scored against the centroids at a time (bounded memory)
PROBE_SHARE = 1 / 12  # share of the lists a query probes (recall@10 >= 0.95 on the bench data)
MIN_PROBES = 8


def list_count(n: int) -> int:
    return int(min(4096, max(16, 2 * math.sqrt(n))))


def probes(lists: int) -> int:
    return min(lists, max(MIN_PROBES, math.ceil(lists * PROBE_SHARE)))


def train(vectors: np.ndarray, lists: int, seed: int = 0) -> np.ndarray:
    """Centroids (lists x dim, unit length) of spherical k-means over a sample of `vectors`."""
    from scipy import sparse  # only the indexer trains: searches never import it

    rng = np.random.default_rng(seed)
    size = min(len(vectors), MAX_SAMPLE, lists * SAMPLE_PER_LIST)
    sample = np.asarray(vectors[np.sort(rng.choice(len(vectors), size, replace=False))])
    centroids = sample[rng.choice(size, min(lists, size), replace=False)].copy()
    for _ in range(ITERATIONS):
        assigned = assign(sample, centroids)
        onehot = sparse.csr_matrix(
            (np.ones(size, dtype=np.float32), (assigned, np.arange(size))),
            shape=(len(centroids), size),
        )
        sums = np.asarray(onehot @ sample)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        filled = norms[:, 0] > 0  # an empty list keeps its centroid
        centroids[filled] = sums[filled] / norms[filled]
    return centroids.astype(np.float32)


def assign(vectors: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """The nearest centroid of each vector (int32), in chunks."""
    out = np.empty(len(vectors), dtype=np.int32)
    for start in range(0, len(vectors), CHUNK):
        block = np.asarray(vectors[start : start + CHUNK], dtype=np.float32)
        out[start : start + len(block)] = np.argmax(block @ centroids.T, axis=1)
    return out


def layout(lists: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """(row order grouping the lists, offsets: list l is rows offsets[l]:offsets[l + 1])."""
    order = np.argsort(lists, kind="stable")
    offsets = np.searchsorted(lists[order], np.arange(count + 1)).astype(np.int64)
    return order, offsets


def candidates(
    query: np.ndarray,
    matrix: np.ndarray,
    row_lists: np.ndarray,
    centroids: np.ndarray,
    offsets: np.ndarray,
    sorted_rows: int,
    probe: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(row positions, scores) of the rows in the `probe` lists nearest to the query."""
    near = np.argsort(-(centroids @ query))[:probe]
    positions, scores = [], []
    for lst in near:
        start, end = int(offsets[lst]), int(offsets[lst + 1])
        if end > start:
            positions.append(np.arange(start, end))
            scores.append(matrix[start:end] @ query)
    tail = sorted_rows + np.flatnonzero(np.isin(row_lists[sorted_rows:], near))
    if len(tail):
        positions.append(tail)
        scores.append(np.asarray(matrix[tail]) @ query)
    if not positions:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    return np.concatenate(positions), np.concatenate(scores)
