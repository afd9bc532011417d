"""k-means for discovered themes: the silhouette on a sample, warm starts, chunked products."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_info

import enrich.kmeans as kmeans
from enrich.discover import ThemeModel
from enrich.kmeans import AutoKMeans, cosine_distances, nearest, row_dots, silhouette
from tests.test_discover import DIM, blobs


def test_silhouette_on_precomputed_distances_equals_scikit_learns() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(200, 8)).astype(np.float32)
    labels = rng.integers(0, 4, 200)
    labels[7] = 4  # a one-row cluster scores 0, as in scikit-learn
    ours = silhouette(cosine_distances(x), labels, 5)
    assert ours == pytest.approx(silhouette_score(x, labels, metric="cosine"), abs=1e-5)


def test_the_choice_of_k_scores_every_k_on_the_sample() -> None:
    x, *_ = blobs(per_blob=40, groups=(0, 1, 2, 3))
    clusterer = AutoKMeans(sample=100, patience=3)
    labels = clusterer.fit_predict(x)
    assert clusterer.k_ == 4
    assert sorted(clusterer.scores_) == [2, 3, 4, 5, 6, 7]  # stopped 3 past the best
    assert len(labels) == 160 and len(set(labels.tolist())) == 4


def _groups(labels: Any, per_blob: int) -> list[set[int]]:
    """The label set of each planted group (blobs() lists the groups one after another)."""
    return [set(labels[g : g + per_blob].tolist()) for g in range(0, len(labels), per_blob)]


def test_the_previous_centroids_start_the_fit_when_k_stays() -> None:
    x, *_ = blobs(per_blob=50)
    centres = np.eye(DIM, dtype=np.float32)[[3, 2, 1, 0]]  # the planted groups, reordered
    clusterer = AutoKMeans()
    clusterer.warm_start(centres)
    labels = clusterer.fit_predict(x)
    assert clusterer.warm_ is True
    assert _groups(labels, 50) == [{3}, {2}, {1}, {0}]  # the previous order kept


def test_a_worse_previous_partition_loses_to_the_samples() -> None:
    x, *_ = blobs(per_blob=50)
    e = np.eye(DIM, dtype=np.float32)
    bad = np.stack([e[0] + 0.05 * e[5], e[0] - 0.05 * e[5], e[1], e[2] + e[3]])  # 0 split, 2+3 one
    clusterer = AutoKMeans()
    clusterer.warm_start(bad)
    labels = clusterer.fit_predict(x)
    assert clusterer.warm_ is False
    assert all(len(g) == 1 for g in _groups(labels, 50)) and len(set(labels.tolist())) == 4


def test_previous_centroids_of_another_k_are_not_used() -> None:
    x, *_ = blobs(per_blob=50, groups=(0, 1, 2))
    clusterer = AutoKMeans()
    clusterer.warm_start(np.eye(DIM, dtype=np.float32)[:5])
    clusterer.fit_predict(x)
    assert clusterer.k_ == 3 and clusterer.warm_ is False


class Recording(AutoKMeans):
    """Records the warm start it is given and the BLAS threads it runs with."""

    def __init__(self) -> None:
        super().__init__()
        self.given: list[Any] = []
        self.blas_threads: list[int] = []

    def warm_start(self, centroids: Any) -> None:
        self.given.append(None if centroids is None else np.asarray(centroids).copy())
        super().warm_start(centroids)

    def _refine(self, x: Any, starts: Any) -> Any:
        info = threadpool_info()
        self.blas_threads += [i["num_threads"] for i in info if i["user_api"] == "blas"]
        return super()._refine(x, starts)


def test_a_refit_warm_starts_from_the_stored_themes_on_one_thread() -> None:
    x, texts, ids, _ = blobs()
    clusterer = Recording()
    model = ThemeModel(clusterer=clusterer)
    first = model.fit(x, texts, ids)
    second = model.fit(x, texts, ids, previous=first.themes)
    assert clusterer.given[0] is None
    np.testing.assert_allclose(clusterer.given[1], np.stack([t.centroid for t in first.themes]))
    assert clusterer.warm_ is True and second.assignments == first.assignments
    assert set(clusterer.blas_threads) == {1}


def test_chunked_products_equal_the_whole_product(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kmeans, "CHUNK", 7)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(50, 6)).astype(np.float32)
    centroids = rng.normal(size=(3, 6)).astype(np.float32)
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)
    best, sims = nearest(x, centroids, unit=False)
    assert best.tolist() == (unit @ centroids.T).argmax(axis=1).tolist()
    np.testing.assert_allclose(sims, (unit @ centroids.T).max(axis=1), rtol=1e-5)
    rows = np.arange(3, 50, 2)
    assert nearest(unit, centroids, rows=rows)[0].tolist() == best[rows].tolist()
    np.testing.assert_allclose(row_dots(x, rows, centroids[0]), x[rows] @ centroids[0], rtol=1e-5)
    assert row_dots(x, rows[:0], centroids[0]).shape == (0,)
