"""k-means without a k to configure, fitted in seconds.

``AutoKMeans`` chooses k by the cosine silhouette on a seeded sample (the distance matrix is
computed once and every candidate k is scored against it), then refines the chosen k on all rows
with Lloyd iterations warm-started from the sample's best centroids and, where they have the same
k, from the previous fit's centroids (``warm_start``), which are kept unless the other start is
clearly better. Everything runs in float32 on one BLAS / OpenMP thread (a process-wide limit for
the fit's duration): the products here are skinny (k columns), and more threads only spin against
each other and against other work on a shared machine.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

logger = logging.getLogger(__name__)

Labels = npt.NDArray[np.int_]
Matrix = npt.NDArray[np.float32]


class AutoKMeans:
    """KMeans with k chosen by the cosine silhouette on a sample (no k to configure).

    Each k from 2 to ``max_k`` (capped by rows / ``min_cluster_items``) is fitted on at most
    ``sample`` rows with ``select_n_init`` restarts and scored by the silhouette there, so choosing
    k costs the same at any window size; the search stops once ``patience`` larger k have not
    beaten the best. The chosen k is then refined on all rows from the sample's centroids and from
    the previous fit's (see :meth:`warm_start`), which win unless the other start's inertia is
    lower by more than ``warm_tolerance`` (a share). ``threads`` caps BLAS / OpenMP threads
    (None: the libraries' defaults).
    """

    def __init__(
        self,
        max_k: int = 30,
        min_cluster_items: int = 10,
        sample: int = 3000,
        select_n_init: int = 5,
        patience: int = 6,
        seed: int = 0,
        threads: int | None = 1,
        warm_tolerance: float = 1e-3,
    ):
        self.max_k = max_k
        self.min_cluster_items = min_cluster_items
        self.sample = sample
        self.select_n_init = select_n_init
        self.patience = patience
        self.seed = seed
        self.threads = threads
        self.warm_tolerance = warm_tolerance
        self.init: Matrix | None = None
        self.k_: int = 1
        self.scores_: dict[int, float] = {}
        self.warm_: bool = False  # the previous fit's centroids gave the final fit

    def warm_start(self, centroids: Any) -> None:
        """Centroids of the previous fit (unit rows), tried as a start when k stays the same."""
        self.init = None if centroids is None else np.asarray(centroids, dtype=np.float32)

    def fit_predict(self, x: Any) -> Labels:
        x = np.ascontiguousarray(x, dtype=np.float32)
        with _threads(self.threads):
            sample = x[sample_rows(len(x), self.sample, self.seed)]
            self.k_, starts = self._choose_k(sample)
            if starts is None:  # k = 1
                return np.zeros(len(x), dtype=np.int_)
            return self._refine(x, starts)

    def _choose_k(self, sample: Matrix) -> tuple[int, Matrix | None]:
        """The k with the best silhouette on the sample, and that k's centroids there."""
        distinct = len(np.unique(sample, axis=0))
        max_k = min(self.max_k, len(sample) // self.min_cluster_items, distinct - 1)
        self.scores_ = {}
        centres: dict[int, Matrix] = {}
        distances = cosine_distances(sample) if max_k >= 2 else None
        for k in range(2, max_k + 1):
            model = KMeans(n_clusters=k, n_init=self.select_n_init, random_state=self.seed)
            labels = model.fit_predict(sample)
            assert distances is not None
            self.scores_[k] = silhouette(distances, labels, k)
            centres[k] = model.cluster_centers_.astype(np.float32)
            best = max(self.scores_, key=lambda k: self.scores_[k])
            if k - best >= self.patience:
                break
        if not self.scores_:
            return 1, None
        k = max(self.scores_, key=lambda k: self.scores_[k])
        return k, centres[k]

    def _refine(self, x: Matrix, starts: Matrix) -> Labels:
        """Lloyd on all rows from the sample's centroids and, for the same k, the previous fit's;
        the previous partition is kept unless the other is better by more than the tolerance."""
        fit = KMeans(n_clusters=self.k_, init=starts, n_init=1).fit(x)
        self.warm_ = False
        if self.init is not None and self.init.shape == (self.k_, x.shape[1]):
            warm = KMeans(n_clusters=self.k_, init=self.init, n_init=1).fit(x)
            self.warm_ = warm.inertia_ <= fit.inertia_ * (1.0 + self.warm_tolerance)
            logger.debug("k=%d; inertia %.2f, warm %.2f", self.k_, fit.inertia_, warm.inertia_)
            fit = warm if self.warm_ else fit
        return np.asarray(fit.labels_, dtype=np.int_)


def cosine_distances(x: Matrix) -> Matrix:
    """1 - cosine similarity between all rows (float32, zero diagonal)."""
    unit = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    out = np.clip(1.0 - unit @ unit.T, 0.0, 2.0)
    np.fill_diagonal(out, 0.0)
    return out


def silhouette(distances: Matrix, labels: Labels, k: int) -> float:
    """Mean silhouette of precomputed distances (as scikit-learn's: 0 for a one-row cluster)."""
    onehot = np.zeros((len(labels), k), dtype=np.float32)
    onehot[np.arange(len(labels)), labels] = 1.0
    sums = (distances @ onehot).astype(np.float64)
    counts = onehot.sum(axis=0).astype(np.float64)
    rows = np.arange(len(labels))
    own = counts[labels]
    a = sums[rows, labels] / np.maximum(own - 1.0, 1.0)
    other = np.divide(sums, counts, out=np.full_like(sums, np.inf), where=counts > 0)
    other[rows, labels] = np.inf
    b = other.min(axis=1)
    s = np.where(own > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(np.nan_to_num(s).mean())


def sample_rows(n: int, limit: int, seed: int) -> npt.NDArray[np.intp]:
    """At most ``limit`` of ``range(n)`` (a seeded sample, in order)."""
    rows = np.arange(n)
    if n <= limit:
        return rows
    return np.sort(np.random.default_rng(seed).choice(rows, limit, replace=False))


@contextmanager
def _threads(limit: int | None) -> Iterator[None]:
    if limit is None:
        yield
        return
    with threadpool_limits(limits=limit):
        yield


CHUNK = 8192  # rows per matrix product: bounds the temporaries at any window size


def nearest(
    x: Any, centroids: Any, rows: npt.NDArray[np.intp] | None = None, unit: bool = True
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float32]]:
    """Per row of ``x`` (or of ``x[rows]``), the nearest centroid by cosine and its similarity,
    ``CHUNK`` rows at a time; rows are L2-normalised first unless ``unit``."""
    c = np.asarray(centroids, dtype=np.float32).T
    n = len(x) if rows is None else len(rows)
    best = np.empty(n, dtype=np.intp)
    sims = np.empty(n, dtype=np.float32)
    for start in range(0, n, CHUNK):
        part = slice(start, start + CHUNK)
        block = np.asarray(x[part] if rows is None else x[rows[part]], dtype=np.float32)
        if not unit:
            block = block / np.maximum(np.linalg.norm(block, axis=1, keepdims=True), 1e-12)
        product = block @ c
        best[part] = product.argmax(axis=1)
        sims[part] = product[np.arange(len(product)), best[part]]
    return best, sims


def row_dots(x: Any, rows: npt.NDArray[np.intp], vector: Any) -> npt.NDArray[np.float32]:
    """``x[rows] @ vector`` without copying more than ``CHUNK`` rows at once."""
    v = np.asarray(vector, dtype=np.float32)
    parts = [x[rows[start : start + CHUNK]] @ v for start in range(0, len(rows), CHUNK)]
    return np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, dtype=np.float32)
