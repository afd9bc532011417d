"""The steps of enrichment as Protocols, and the records they exchange.

Stages are injected steps named by role (BERTopic's pipeline, named by role): an ``embedder``
turns texts into vectors; a theme model has a ``reducer``, a ``clusterer`` and a ``labeler``.
Any object satisfying the Protocol plugs in. ``fit`` (a window, weekly) is kept apart from
``assign`` (new items, daily).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]  # shape (n, dim), rows L2-normalised

MOVE_TYPES = (
    "launch",  # launch / new feature
    "improvement",
    "pricing",  # pricing and packaging
    "deprecation",  # deprecation or breaking change
    "security",
    "integration",  # integration or partnership
    "company",  # funding, acquisition, leadership
    "performance",  # performance and reliability
    "fix",
    "other",
)


@runtime_checkable
class Embedder(Protocol):
    """Texts to L2-normalised float32 vectors. ``name`` identifies the model for the cache."""

    name: str
    dim: int

    def embed(self, texts: list[str]) -> Vectors: ...


class Reducer(Protocol):
    def fit_transform(self, x: Vectors) -> Any: ...

    def transform(self, x: Vectors) -> Any: ...


class Clusterer(Protocol):
    """Cluster labels per row; -1 marks an outlier."""

    def fit_predict(self, x: Any) -> npt.NDArray[np.int_]: ...


class Labeler(Protocol):
    """Keywords per cluster from the texts of its members."""

    def label(self, docs: dict[int, list[str]], top_n: int = 8) -> dict[int, list[str]]: ...


@dataclass
class DiscoveredTheme:
    """A theme found by clustering; ``id`` stays stable across re-fits."""

    id: str
    label: str
    keywords: list[str]
    centroid: Vectors  # shape (dim,), L2-normalised, in embedding space
    radius: float  # cosine distance within which a new item joins this theme
    size: int
    representatives: list[str] = field(default_factory=list)  # item ids nearest the centroid


@dataclass
class ThemeEvent:
    """What a re-fit did to the theme ids: new, merged, split or retired."""

    kind: str  # "new" | "merge" | "split" | "retired"
    theme_ids: list[str]  # the theme(s) that result or the retired one
    from_ids: list[str] = field(default_factory=list)  # the old theme(s) it came from


@dataclass
class FitResult:
    themes: list[DiscoveredTheme]
    assignments: list[str | None]  # theme id per input row, None for an outlier
    events: list[ThemeEvent] = field(default_factory=list)
    message: str | None = None  # e.g. "too few items to cluster (12 < 50)"
