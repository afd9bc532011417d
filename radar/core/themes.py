"""What enrichment and the store exchange about themes and move types: plain records."""

from __future__ import annotations

from dataclasses import dataclass, field

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
