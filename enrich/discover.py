"""Discovered themes: cluster a window of items, label the clusters, keep theme ids stable.

``ThemeModel.fit`` (weekly, on a window) runs the injected steps ``reducer`` -> ``clusterer`` ->
``labeler`` on at most ``max_fit_items`` rows (a seeded sample; the rest are assigned to the
nearest theme, a chunked matrix product), gives every cluster a centroid and a radius in the
original embedding space, and matches the clusters to the previous fit's themes so that ids
survive re-fits. The default clusterer (``enrich.kmeans.AutoKMeans``) chooses k on a sample and
is warm-started from the previous themes' centroids; the labeler reads at most ``LABEL_DOCS``
texts per cluster.
``ThemeModel.assign`` (daily, on new items) puts an item in its nearest theme when it lies
within that theme's radius.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from enrich.base import Clusterer, DiscoveredTheme, FitResult, Labeler, Reducer, ThemeEvent, Vectors
from enrich.embed import normalise
from enrich.kmeans import AutoKMeans, nearest, row_dots
from enrich.labels import CTfidfLabeler, key_phrases, make_label, phrase_label
from enrich.lineage import Lineage, match_themes

logger = logging.getLogger(__name__)

ID_PREFIX = "d"
ID_RE = re.compile(rf"^{ID_PREFIX}(\d+)$")
Labels = npt.NDArray[np.int_]
LABEL_DOCS = 500  # texts per cluster read by the labeler, at most (a seeded sample)
OUTLIER, UNSEEN = -1, -2  # the clusterer's outliers; rows left out of the clustered sample


@dataclass
class _Cluster:
    label: int
    centroid: Vectors
    radius: float
    members: npt.NDArray[np.intp]


class ThemeModel:
    """Discover themes in a window of items without being told how many there are."""

    def __init__(
        self,
        reducer: Reducer | None = None,
        clusterer: Clusterer | None = None,
        labeler: Labeler | None = None,
        min_items: int = 50,
        max_fit_items: int = 20_000,
        radius_percentile: float = 95.0,
        match_floor: float = 0.6,
        top_n: int = 8,
        seed: int = 0,
        embedder: Any = None,
    ):
        self.reducer = reducer
        self.clusterer = clusterer or AutoKMeans(seed=seed)
        self.labeler = labeler or CTfidfLabeler()
        self.min_items = min_items
        self.max_fit_items = max_fit_items
        self.radius_percentile = radius_percentile
        self.match_floor = match_floor
        self.top_n = top_n
        self.seed = seed
        self.embedder = embedder  # re-ranks label phrases by meaning when given

    def fit(
        self,
        vectors: Vectors,
        texts: list[str],
        item_ids: list[str],
        previous: list[DiscoveredTheme] | None = None,
        used_ids: set[str] | None = None,
        previous_assignments: Mapping[str, str | None] | None = None,
    ) -> FitResult:
        """Themes of this window and a theme id (None: outlier) per row.

        ``previous_assignments`` (item id -> theme id of the last fit) lets merges and splits be
        judged by member overlap; items it does not cover are given the nearest previous theme.
        Fresh ids are never in ``used_ids`` nor ``previous``; the caller records the new ones.
        """
        n = len(vectors)
        if not n == len(texts) == len(item_ids):
            raise ValueError(f"fit: {n} vectors, {len(texts)} texts, {len(item_ids)} item ids")
        if n == 0 or n < self.min_items:
            message = f"too few items to cluster ({n} < {self.min_items})"
            return FitResult(themes=[], assignments=[None] * n, message=message)
        x = normalise(vectors)
        labels = self._cluster(x, previous or [])
        clusters = self._clusters(x, labels)
        if not clusters:
            return FitResult(themes=[], assignments=[None] * n, message="no clusters found")
        ids, events = self._ids(
            x, item_ids, clusters, previous or [], used_ids or set(), previous_assignments
        )
        keywords = self.labeler.label(
            {c.label: [texts[i] for i in _cap(c.members, LABEL_DOCS, self.seed)] for c in clusters},
            top_n=self.top_n,
        )
        phrases = self._phrases(clusters, texts)
        themes = [
            self._theme(c, ids[c.label], keywords.get(c.label, []), x, item_ids) for c in clusters
        ]
        for theme, c in zip(themes, clusters, strict=True):
            theme.label = phrase_label(phrases.get(c.label, []), theme.keywords)
        names = [ids[c.label] for c in clusters]
        assignments = [names[col] if col >= 0 else None for col in _columns(n, clusters).tolist()]
        return FitResult(themes=themes, assignments=assignments, events=events)

    def assign(
        self, vectors: Vectors, themes: list[DiscoveredTheme]
    ) -> list[tuple[str | None, float]]:
        """Nearest theme per row and its cosine similarity; None when outside that theme's radius."""
        if len(vectors) == 0:
            return []
        if not themes:
            return [(None, 0.0)] * len(vectors)
        best, sims = nearest(vectors, np.stack([t.centroid for t in themes]), unit=False)
        inside = _inside(best, sims, themes)
        return [
            (themes[col].id if ok else None, float(sim))
            for col, ok, sim in zip(best.tolist(), inside.tolist(), sims.tolist(), strict=True)
        ]

    # --- clustering -------------------------------------------------------------------------

    def _cluster(self, x: Vectors, previous: list[DiscoveredTheme]) -> Labels:
        """The clusterer's labels on a sample of rows (OUTLIER for its outliers); UNSEEN for the
        rows left out of the sample. A clusterer with ``warm_start`` is given the previous
        themes' centroids when it clusters the embedding space itself (no reducer)."""
        labels = np.full(len(x), UNSEEN, dtype=np.int_)
        rows = _cap(np.arange(len(x)), self.max_fit_items, self.seed)
        if float(np.ptp(x[rows], axis=0).max()) < 1e-6:
            labels[rows] = 0  # all rows identical: one theme
            return labels
        sample = x[rows]
        warm_start = getattr(self.clusterer, "warm_start", None)
        if warm_start is not None and self.reducer is None:
            warm_start(np.stack([t.centroid for t in previous]) if previous else None)
        reduced = self.reducer.fit_transform(sample) if self.reducer is not None else sample
        predicted = np.asarray(self.clusterer.fit_predict(reduced), dtype=np.int_)
        labels[rows] = np.where(predicted < 0, OUTLIER, predicted)
        return labels

    def _clusters(self, x: Vectors, labels: Labels) -> list[_Cluster]:
        """Clusters with centroid and radius from the clusterer's members, then the other rows
        added (see below). Largest first."""
        found = []
        for label in np.unique(labels[labels >= 0]):
            members = np.flatnonzero(labels == label)
            centroid = normalise(x[members].mean(axis=0, keepdims=True))[0]
            distances = 1.0 - x[members] @ centroid
            radius = (
                float(np.percentile(distances, self.radius_percentile)) if len(members) > 1 else 0.0
            )
            found.append(_Cluster(int(label), centroid, max(radius, 0.0), members))
        if not found:
            return []
        # Rows left out of the sample join their nearest cluster when the clusterer partitions
        # (left no outlier in the sample); the clusterer's outliers only within a radius.
        partition = not (labels == OUTLIER).any()
        rest = np.flatnonzero(labels < 0)
        if len(rest):
            best, sims = nearest(x, [c.centroid for c in found], rows=rest)
            inside = 1.0 - sims <= np.array([c.radius for c in found])[best]
            inside |= partition & (labels[rest] == UNSEEN)
            for pos, c in enumerate(found):
                joined = rest[inside & (best == pos)]
                c.members = np.sort(np.concatenate([c.members, joined]))
        return sorted(found, key=lambda c: (-len(c.members), c.label))

    def _phrases(self, clusters: list[_Cluster], texts: list[str]) -> dict[int, list[str]]:
        docs = {
            c.label: [texts[i] for i in _cap(c.members, LABEL_DOCS, self.seed)] for c in clusters
        }
        return key_phrases(
            self.labeler, docs, {c.label: c.centroid for c in clusters}, self.embedder
        )

    def _theme(
        self, c: _Cluster, theme_id: str, keywords: list[str], x: Vectors, item_ids: list[str]
    ) -> DiscoveredTheme:
        sims = row_dots(x, c.members, c.centroid)
        closest = c.members[np.argsort(-sims, kind="stable")[:3]]
        return DiscoveredTheme(
            id=theme_id,
            label=make_label(keywords),
            keywords=keywords,
            centroid=c.centroid,
            radius=c.radius,
            size=len(c.members),
            representatives=[item_ids[i] for i in closest],
        )

    # --- stable ids -------------------------------------------------------------------------

    def _ids(
        self,
        x: Vectors,
        item_ids: list[str],
        clusters: list[_Cluster],
        previous: list[DiscoveredTheme],
        used_ids: set[str],
        previous_assignments: Mapping[str, str | None] | None,
    ) -> tuple[dict[int, str], list[ThemeEvent]]:
        fresh = _IdIssuer(used_ids | {t.id for t in previous})
        if not previous:
            ids = {c.label: fresh.next() for c in clusters}
            return ids, [ThemeEvent("new", [ids[c.label]]) for c in clusters]
        old_rows = self._previous_labels(x, item_ids, previous, previous_assignments)
        overlap = np.zeros((len(previous), len(clusters)))
        new_cols = _columns(len(x), clusters)
        both = (old_rows >= 0) & (new_cols >= 0)
        np.add.at(overlap, (old_rows[both], new_cols[both]), 1)
        similarity = (
            np.stack([t.centroid for t in previous]).astype(np.float32)
            @ np.stack([c.centroid for c in clusters]).T
        )
        lineage = Lineage.from_counts(overlap)
        matched = match_themes(similarity, lineage.related, self.match_floor)
        ids = {clusters[col].label: previous[row].id for row, col in matched.items()}
        for c in clusters:
            if c.label not in ids:
                ids[c.label] = fresh.next()
        return ids, lineage.events(
            [t.id for t in previous], [ids[c.label] for c in clusters], set(matched)
        )

    def _previous_labels(
        self,
        x: Vectors,
        item_ids: list[str],
        previous: list[DiscoveredTheme],
        previous_assignments: Mapping[str, str | None] | None,
    ) -> npt.NDArray[np.intp]:
        """Index of each row's previous theme (-1: none): from the stored assignments where they
        cover the item, else the nearest previous theme within its radius."""
        best, sims = nearest(x, np.stack([t.centroid for t in previous]))
        out = np.where(_inside(best, sims, previous), best, -1)
        known = previous_assignments or {}
        position: dict[str | None, int] = {t.id: i for i, t in enumerate(previous)}
        stored = [(row, position.get(known[i], -1)) for row, i in enumerate(item_ids) if i in known]
        if stored:
            rows, cols = zip(*stored, strict=True)
            out[list(rows)] = cols
        return out


class _IdIssuer:
    """Ids "d0001", "d0002", ... above every id ever issued."""

    def __init__(self, used: set[str]):
        numbers = [int(m.group(1)) for m in map(ID_RE.match, used) if m]
        self.last = max(numbers, default=0)
        self.used = used

    def next(self) -> str:
        self.last += 1
        while (candidate := f"{ID_PREFIX}{self.last:04d}") in self.used:
            self.last += 1
        return candidate


def _inside(best: npt.NDArray[np.intp], sims: Any, themes: list[DiscoveredTheme]) -> Any:
    """Whether each row lies within the radius of its nearest theme (``best``, at ``sims``)."""
    return 1.0 - sims <= np.asarray([t.radius for t in themes])[best] + 1e-6


def _columns(n: int, clusters: list[_Cluster]) -> npt.NDArray[np.intp]:
    """Each row's position in ``clusters`` (-1: in none)."""
    out = np.full(n, -1, dtype=np.intp)
    for col, c in enumerate(clusters):
        out[c.members] = col
    return out


def _cap(rows: npt.NDArray[np.intp], limit: int, seed: int) -> npt.NDArray[np.intp]:
    """At most ``limit`` of ``rows`` (a seeded sample, in order)."""
    if len(rows) <= limit:
        return rows
    return np.sort(np.random.default_rng(seed).choice(rows, limit, replace=False))
