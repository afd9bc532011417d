"""Configured themes: score items against each theme of ``config/themes.yaml``, calibrate.

A theme is a name, a description, example phrases and optional keywords (`enrich.theme_specs`
loads them). An item's score for a theme comes from embedding similarity to the theme's prototypes
(description and examples), put on a scale learned from the prototypes themselves, plus a keyword
bonus, squashed to 0..1. Because the scale comes from the prototypes (how similar a theme's own
phrases are to each other against how similar they are to other themes' phrases), the same default
threshold works for different embedding models. A theme is assigned when its score passes its
threshold and is not far below the item's best theme; at most ``MAX_THEMES`` per item.

Calibration on labelled items (``radar themes calibrate``) sets those thresholds and also learns,
per theme with enough examples, a logistic regression on the item's :meth:`ConfiguredThemes.features`
(`enrich.theme_learn`); a theme with a learned model is assigned by its probability instead.
"""

from __future__ import annotations

import logging
import re

import numpy as np

from enrich.base import Embedder, Vectors
from enrich.theme_learn import LearnedThemes, best_threshold, learn_themes
from enrich.theme_specs import (
    ThemeSpec,
    load_learned,
    load_theme_specs,
    sidecar_path,
    write_thresholds,
)
from radar.core.errors import ConfigError

__all__ = [
    "ConfiguredThemes",
    "LearnedThemes",
    "ThemeSpec",
    "load_learned",
    "load_theme_specs",
    "sidecar_path",
    "write_thresholds",
]

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.5
DEFAULT_MARGIN = 0.2  # on the prototype scale, below the item's best theme (see gated_scores)
MAX_THEMES = 3  # configured themes one item may carry


class ConfiguredThemes:
    """Score items against configured themes and assign every theme that passes its threshold.

    ``top_k`` prototypes are averaged (with the best one) for the similarity, which is put on a
    scale where 0 is "as similar as another theme's phrases" and 1 is "as similar as the theme's
    own phrases"; ``keyword_bonus`` is added on that scale when a keyword occurs as a whole word;
    a logistic curve centred on ``midpoint`` maps the result to 0..1. ``keyword_bonus`` and
    ``midpoint`` were chosen on tests/eval/labelled_items.jsonl with all-MiniLM-L6-v2.

    Precision comes from the item's own background: a theme scoring more than ``margin`` below
    the item's best theme is dropped before thresholds apply (:meth:`gated_scores`), and an item
    carries at most ``max_themes`` configured themes; ``margin`` was chosen by cross-validation
    on the labelled sets (bench/eval_enrich.py).

    ``learned`` (from :meth:`calibrate` or the sidecar, :func:`load_learned`) replaces score and
    threshold for the themes it has a model for; it is set aside, with a warning, when it was
    learned with another embedder or another set of themes.
    """

    def __init__(
        self,
        specs: list[ThemeSpec],
        embedder: Embedder,
        default_threshold: float | None = None,
        top_k: int = 3,
        keyword_bonus: float = 0.5,
        midpoint: float = 0.75,
        steepness: float = 4.0,
        margin: float = DEFAULT_MARGIN,
        max_themes: int = MAX_THEMES,
        learned: LearnedThemes | None = None,
    ):
        if not specs:
            raise ConfigError("no configured themes to score against")
        self.specs = specs
        self.embedder = embedder
        self.default_threshold = default_threshold or DEFAULT_THRESHOLD
        self.top_k = top_k
        self.keyword_bonus = keyword_bonus
        self.midpoint = midpoint
        self.steepness = steepness
        self.margin = margin
        self.max_themes = max_themes
        self.ids = [s.id for s in specs]
        self._keyword_res = [_keyword_regex(s.keywords) for s in specs]
        self._prototypes, self._owner = self._embed_prototypes()
        self._low, self._high = self._scale()
        self.learned: LearnedThemes | None = None
        if learned is not None:
            self.use_learned(learned)

    def use_learned(self, learned: LearnedThemes) -> bool:
        """Assign with ``learned`` from now on, if it fits this embedder and these themes."""
        dim = int(self._prototypes.shape[1]) + 3 * len(self.specs)
        why = learned.fits(self.embedder.name, self.ids, dim)
        if why:
            logger.warning(
                "ignoring the learned theme model (%s): run `radar themes calibrate` again", why
            )
            return False
        self.learned = learned
        return True

    @property
    def thresholds(self) -> dict[str, float]:
        return {
            s.id: s.threshold if s.threshold is not None else self.default_threshold
            for s in self.specs
        }

    def _embed_prototypes(self) -> tuple[Vectors, np.ndarray]:
        texts: list[str] = []
        owner: list[int] = []
        for col, spec in enumerate(self.specs):
            for text in spec.prototypes:
                texts.append(text)
                owner.append(col)
        return self.embedder.embed(texts), np.asarray(owner)

    def _scale(self) -> tuple[np.ndarray, np.ndarray]:
        """Per theme: the score statistic of other themes' phrases (low) and of its own (high).

        Each prototype is scored like an item against every theme, leaving itself out, so the
        scale is measured with the same statistic that :meth:`similarities` gives an item.
        """
        sims = self._prototypes @ self._prototypes.T
        np.fill_diagonal(sims, -np.inf)
        stats = self._statistic(sims)
        low = np.zeros(len(self.specs), dtype=np.float32)
        high = np.zeros(len(self.specs), dtype=np.float32)
        for col in range(len(self.specs)):
            mine = self._owner == col
            others = stats[~mine, col]
            low[col] = float(np.mean(others)) if others.size else 0.0
            own = stats[mine, col]
            own = own[np.isfinite(own)]
            high[col] = float(np.mean(own)) if own.size else 1.0
        high = np.maximum(high, low + 0.05)  # a theme whose phrases are no closer than others'
        return low, high

    def _statistic(self, sims: np.ndarray) -> np.ndarray:
        """(rows, n_themes) from similarities to every prototype: best and top-k mean, averaged."""
        out = np.zeros((sims.shape[0], len(self.specs)), dtype=np.float32)
        for col in range(len(self.specs)):
            block = np.sort(sims[:, self._owner == col], axis=1)[:, ::-1]
            finite = np.where(np.isfinite(block), block, np.nan)
            k = min(self.top_k, block.shape[1])
            with np.errstate(all="ignore"):
                top = np.nanmean(finite[:, :k], axis=1) if block.shape[1] else np.zeros(len(block))
            out[:, col] = 0.5 * block[:, 0] + 0.5 * top
        return out

    def similarities(self, vectors: Vectors) -> np.ndarray:
        """(n, n_themes): mean of the best ``top_k`` prototype similarities and the best one."""
        return self._statistic(np.asarray(vectors, dtype=np.float32) @ self._prototypes.T)

    def keyword_hits(self, texts: list[str]) -> np.ndarray:
        hits = np.zeros((len(texts), len(self.specs)), dtype=np.float32)
        for col, pattern in enumerate(self._keyword_res):
            if pattern is None:
                continue
            for row, text in enumerate(texts):
                hits[row, col] = 1.0 if pattern.search(text) else 0.0
        return hits

    def relative(self, vectors: Vectors, texts: list[str]) -> np.ndarray:
        """(n, n_themes) on the prototype scale (0: like other themes' phrases, 1: like the
        theme's own), keyword bonus included."""
        if len(texts) != len(vectors):
            raise ValueError(f"{len(vectors)} vectors but {len(texts)} texts")
        if len(texts) == 0:
            return np.zeros((0, len(self.specs)), dtype=np.float32)
        relative = (self.similarities(vectors) - self._low) / (self._high - self._low)
        return np.asarray(relative + self.keyword_bonus * self.keyword_hits(texts))

    def scores(self, vectors: Vectors, texts: list[str]) -> np.ndarray:
        """(n, n_themes) score in [0, 1]; 0.5 where ``midpoint`` of the way to on-theme."""
        return self._squash(self.relative(vectors, texts))

    def _squash(self, relative: np.ndarray) -> np.ndarray:
        return (1.0 / (1.0 + np.exp(-self.steepness * (relative - self.midpoint)))).astype(
            np.float32
        )

    def gated_scores(self, vectors: Vectors, texts: list[str]) -> np.ndarray:
        """Scores against the item's own background: 0 for a theme more than ``margin`` (on the
        prototype scale, times the best score where that is above 1) below the item's best
        theme, so an item close to every theme keeps only the ones that stand out."""
        relative = self.relative(vectors, texts)
        if relative.size == 0:
            return relative.astype(np.float32)
        best = relative.max(axis=1, keepdims=True)
        floor = best - self.margin * np.maximum(best, 1.0)  # wider scales (other models) scale it
        return np.where(relative >= floor, self._squash(relative), 0.0).astype(np.float32)

    def features(self, vectors: Vectors, texts: list[str]) -> np.ndarray:
        """(n, dim + 3 * n_themes) what a learned model reads: the embedding, then per theme the
        prototype-scale score, the keyword hit and how far it is below the item's best theme."""
        relative = self.relative(vectors, texts)
        below = relative.max(axis=1, keepdims=True) - relative if relative.size else relative
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
        return np.hstack([vectors, relative, self.keyword_hits(texts), below]).astype(np.float32)

    def decision(self, vectors: Vectors, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(scores, limits): gated scores and thresholds, where a learned model has a theme its
        probability and threshold instead."""
        scores = self.gated_scores(vectors, texts)
        limits = np.asarray([self.thresholds[tid] for tid in self.ids], dtype=np.float32)
        if self.learned is None or scores.size == 0:
            return scores, limits
        cols = [self.ids.index(tid) for tid in self.learned.learned]
        scores[:, cols] = self.learned.probabilities(self.features(vectors, texts), texts)
        limits[cols] = self.learned.thresholds
        return scores, limits

    def assign(self, vectors: Vectors, texts: list[str]) -> list[list[tuple[str, float]]]:
        """Per item, the themes (at most ``max_themes``) whose score passes their threshold,
        best first, with the score kept."""
        scores, limits = self.decision(vectors, texts)
        return pick(scores, limits, self.ids, self.max_themes)

    def calibrate(
        self,
        vectors: Vectors,
        texts: list[str],
        labels: list[set[str]],
        beta: float = 1.0,
        min_positives: int = 3,
        apply: bool = True,
        learn: bool = True,
    ) -> dict[str, float]:
        """Per theme, the threshold that maximises F-beta on labelled items.

        Themes with fewer than ``min_positives`` labelled items keep their current threshold.
        With ``learn``, a model per theme with enough examples is learned as well
        (:func:`enrich.theme_learn.learn_themes`). With ``apply`` both are used by later calls to
        :meth:`assign` (the model as :attr:`learned`).
        """
        if len(labels) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(labels)} label sets")
        scores = self.gated_scores(vectors, texts)
        found: dict[str, float] = {}
        for col, spec in enumerate(self.specs):
            truth = np.asarray([spec.id in lab for lab in labels])
            if truth.sum() < min_positives:
                found[spec.id] = self.thresholds[spec.id]
                continue
            found[spec.id] = best_threshold(scores[:, col], truth, beta)
        if apply:
            for spec in self.specs:
                spec.threshold = found[spec.id]
        if learn:
            self.learn(vectors, texts, labels, apply)
        return found

    def learn(
        self, vectors: Vectors, texts: list[str], labels: list[set[str]], apply: bool = True
    ) -> LearnedThemes | None:
        """The learned model for the labelled items (None: no theme has enough examples)."""
        truth = np.asarray([[tid in lab for tid in self.ids] for lab in labels], dtype=bool)
        features = self.features(vectors, texts)
        dim = int(self._prototypes.shape[1])
        model = learn_themes(features, truth, self.ids, self.embedder.name, dim, texts)
        if apply:
            self.learned = model
        return model


def pick(
    scores: np.ndarray, limits: np.ndarray, ids: list[str], max_themes: int
) -> list[list[tuple[str, float]]]:
    """Per row, (theme id, score) of the columns at or above their limit: the ``max_themes``
    best, best first (ties by id)."""
    out = []
    for row in scores:
        passed = [(ids[c], round(float(row[c]), 3)) for c in np.flatnonzero(row >= limits)]
        out.append(sorted(passed, key=lambda pair: (-pair[1], pair[0]))[:max_themes])
    return out


def _keyword_regex(keywords: list[str]) -> re.Pattern[str] | None:
    if not keywords:
        return None
    parts = sorted(
        (re.escape(k.strip()).replace(r"\ ", r"\s+") for k in keywords if k.strip()),
        key=len,
        reverse=True,
    )
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)
