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

from radar.core.themes import MOVE_TYPES as MOVE_TYPES
from radar.core.themes import DiscoveredTheme as DiscoveredTheme
from radar.core.themes import ThemeEvent as ThemeEvent
from radar.core.themes import Vectors


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
class FitResult:
    themes: list[DiscoveredTheme]
    assignments: list[str | None]  # theme id per input row, None for an outlier
    events: list[ThemeEvent] = field(default_factory=list)
    message: str | None = None  # e.g. "too few items to cluster (12 < 50)"
    notes: list[str] = field(default_factory=list)  # e.g. which items the fit used
    coverage: tuple[int, int] | None = None  # (items given a theme, items looked at) after a fit
