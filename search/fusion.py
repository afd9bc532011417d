"""Reciprocal rank fusion (Cormack et al. 2009), on the client side so it works on any engine.

score(d) = sum over rankings of 1 / (k + rank(d)), ranks starting at 1. Only ranks matter, so
BM25 scores and cosine similarities never need to be put on one scale.
"""

from __future__ import annotations

from collections.abc import Sequence

RRF_K = 60


def window_size(offset: int, limit: int, minimum: int = 100) -> int:
    """How many candidates each ranking contributes before fusion (enough for the page asked)."""
    return max(minimum, offset + limit)


def rrf(rankings: Sequence[Sequence[str]], k: int = RRF_K) -> list[tuple[str, float]]:
    """Fuse ranked id lists; best first. Ties keep the order of first appearance."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, doc_id in enumerate(ranking, start=1):
            scores[doc_id] = scores.get(doc_id, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])
