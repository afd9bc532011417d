"""Lineage of discovered themes across re-fits: which old themes became which new clusters
(merges, splits, new and retired themes), and the matching of old ids to new clusters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment

from enrich.base import ThemeEvent

# --- lineage: how old themes became new clusters ----------------------------------------------


@dataclass
class Lineage:
    """Member overlap of old themes (rows) with new clusters (columns), as shares.

    ``going[i, j]``: share of old theme i's items that went to new cluster j.
    ``coming[i, j]``: share of new cluster j's items that came from old theme i.
    """

    going: npt.NDArray[np.float64]
    coming: npt.NDArray[np.float64]
    counts: npt.NDArray[np.float64]
    min_items: int = 5
    split_share: float = 0.2

    @classmethod
    def from_counts(cls, counts: npt.NDArray[np.float64]) -> Lineage:
        """From the number of window items per (old theme, new cluster)."""
        going = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
        coming = counts / np.maximum(counts.sum(axis=0, keepdims=True), 1.0)
        return cls(going=going, coming=coming, counts=counts)

    @property
    def related(self) -> npt.NDArray[np.bool_]:
        """An old theme and a new cluster are related when one is mostly made of the other."""
        return (self.going >= 0.5) | (self.coming >= 0.5)

    def merges(self) -> dict[int, list[int]]:
        """New cluster -> the old themes (two or more) whose items mostly went to it."""
        big = self.counts.sum(axis=1) >= self.min_items
        takes_most = (self.going >= 0.5) & big[:, None]
        return {
            j: list(np.flatnonzero(takes_most[:, j]))
            for j in range(takes_most.shape[1])
            if takes_most[:, j].sum() >= 2
        }

    def splits(self) -> dict[int, list[int]]:
        """Old theme -> the new clusters (two or more) that each took a good share of it and
        are mostly made of it."""
        big = self.counts.sum(axis=1) >= self.min_items
        part = (self.going >= self.split_share) & (self.coming >= 0.5) & big[:, None]
        return {
            i: list(np.flatnonzero(part[i])) for i in range(part.shape[0]) if part[i].sum() >= 2
        }

    def events(
        self, old_ids: list[str], new_ids: list[str], matched_old: set[int]
    ) -> list[ThemeEvent]:
        events: list[ThemeEvent] = []
        explained_new: set[str] = set(old_ids) & set(new_ids)  # kept ids
        explained_old: set[int] = set(matched_old)
        for j, olds in self.merges().items():
            events.append(ThemeEvent("merge", [new_ids[j]], sorted(old_ids[i] for i in olds)))
            explained_new.add(new_ids[j])
            explained_old.update(olds)
        for i, news in self.splits().items():
            events.append(ThemeEvent("split", sorted(new_ids[j] for j in news), [old_ids[i]]))
            explained_new.update(new_ids[j] for j in news)
            explained_old.add(i)
        events += [ThemeEvent("new", [nid]) for nid in new_ids if nid not in explained_new]
        events += [
            ThemeEvent("retired", [old_ids[i]])
            for i in range(len(old_ids))
            if i not in explained_old
        ]
        return events


def match_themes(
    similarity: npt.NDArray[np.floating[Any]], related: npt.NDArray[np.bool_], floor: float
) -> dict[int, int]:
    """Old theme row -> new cluster column: Hungarian on centroid cosine similarity, keeping
    pairs above ``floor`` that are related by member overlap."""
    allowed = related & (similarity >= floor)
    if not allowed.any():
        return {}
    cost = np.where(allowed, -similarity, 1e6)
    rows, cols = linear_sum_assignment(cost)
    return {int(r): int(c) for r, c in zip(rows, cols, strict=True) if allowed[r, c]}
