"""Learned configured themes: a logistic regression per theme, learned from labelled items.

``radar themes calibrate`` learns, for every theme with enough labelled positives, a logistic
regression on the item's features (see ``ConfiguredThemes.features``: the embedding, the
prototype-scale score and keyword hit per theme, how far each theme is below the item's best, and
the item's words as TF-IDF, `enrich.theme_lexical`) and a probability threshold that maximises F1. The regularisation strength and the threshold are
chosen on out-of-fold predictions inside the labelled items, so nothing is judged on items its
model saw. The result is plain numbers (means, scales, weights, thresholds) kept in the themes
sidecar (:mod:`enrich.theme_specs`), so reading it back needs no scikit-learn.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from enrich.theme_lexical import Lexicon
from radar.core.errors import ConfigError

__all__ = ["LearnedThemes", "best_threshold", "learn_themes"]

logger = logging.getLogger(__name__)

STRENGTHS = (0.1, 1.0)  # inverse regularisation (C) tried per theme
MIN_POSITIVES = 5  # labelled positives a theme needs to get a learned model
INNER_FOLDS = 4
# The embedding's columns are scaled by this weight instead of standardised: the many embedding
# columns then refine, rather than drown, the few per-theme ones. Chosen by cross-validation on the
# labelled sets (bench/eval_enrich.py, micro F1): embedding weight 4 0.769, 6 0.761, standardised
# (about 20) clearly worse; lexical weight 2 0.768, 3 0.761 (6 worse); differences near the noise.
EMBEDDING_WEIGHT = 4.0
LEXICAL_WEIGHT = 3.0  # the same for the TF-IDF columns (unit-length rows)


@dataclass
class LearnedThemes:
    """Per-theme weights over standardised features; ``learned`` are the themes that have one.

    ``embedder`` and ``feature_themes`` (the themes the features were built from, in order) say
    what the model fits: items embedded by another model, or another set of themes, cannot use it.
    """

    embedder: str
    feature_themes: list[str]
    learned: list[str]
    mean: np.ndarray  # (d,)
    scale: np.ndarray  # (d,)
    coef: np.ndarray  # (len(learned), d)
    intercept: np.ndarray  # (len(learned),)
    thresholds: np.ndarray  # (len(learned),) on the probability
    strengths: list[float]
    lexicon: Lexicon | None = None

    def inputs(self, features: np.ndarray, texts: list[str]) -> np.ndarray:
        """What the weights multiply: standardised features, then the weighted TF-IDF of texts."""
        x = (features - self.mean) / self.scale
        if self.lexicon is None:
            return x
        return np.hstack([x, LEXICAL_WEIGHT * self.lexicon.transform(texts)])

    def probabilities(self, features: np.ndarray, texts: list[str]) -> np.ndarray:
        """(n, len(learned)) probability that each learned theme applies."""
        z = self.inputs(features, texts) @ self.coef.T + self.intercept
        return (1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))).astype(np.float32)

    def fits(self, embedder: str, theme_ids: list[str], dim: int) -> str | None:
        """Why this model cannot score items of ``embedder`` against ``theme_ids``, or None."""
        if embedder != self.embedder:
            return (
                f"it was learned with embedder {self.embedder}, items are embedded with {embedder}"
            )
        if theme_ids != self.feature_themes:
            return "the configured themes changed since it was learned"
        if dim != self.mean.shape[0]:
            return f"it expects {self.mean.shape[0]} features, not {dim}"
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "embedder": self.embedder,
            "feature_themes": self.feature_themes,
            "mean": _floats(self.mean),
            "scale": _floats(self.scale),
            "lexicon": None
            if self.lexicon is None
            else {"terms": self.lexicon.vocabulary, "idf": _floats(self.lexicon.idf)},
            "themes": {
                tid: {
                    "intercept": round(float(self.intercept[row]), 6),
                    "threshold": round(float(self.thresholds[row]), 4),
                    "strength": self.strengths[row],
                    "coef": _floats(self.coef[row]),
                }
                for row, tid in enumerate(self.learned)
            },
        }

    @classmethod
    def from_json(cls, data: Any, where: str) -> LearnedThemes:
        """Read :meth:`to_json` back; ConfigError naming ``where`` when it is malformed."""
        try:
            mean = np.asarray(data["mean"], dtype=np.float32)
            per = data["themes"]
            coef = np.asarray([per[t]["coef"] for t in per], dtype=np.float32).reshape(len(per), -1)
            model = cls(
                embedder=str(data["embedder"]),
                feature_themes=[str(t) for t in data["feature_themes"]],
                learned=[str(t) for t in per],
                mean=mean,
                scale=np.asarray(data["scale"], dtype=np.float32),
                coef=coef,
                intercept=np.asarray([per[t]["intercept"] for t in per], dtype=np.float32),
                thresholds=np.asarray([per[t]["threshold"] for t in per], dtype=np.float32),
                strengths=[float(per[t]["strength"]) for t in per],
                lexicon=_lexicon(data.get("lexicon")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{where}: the learned theme model is malformed ({exc!r})") from None
        _check_shapes(model, where)
        return model


def _lexicon(data: Any) -> Lexicon | None:
    if data is None:
        return None
    return Lexicon([str(t) for t in data["terms"]], np.asarray(data["idf"], dtype=np.float32))


def _check_shapes(model: LearnedThemes, where: str) -> None:
    d = model.mean.shape[0]
    words = len(model.lexicon.vocabulary) if model.lexicon else 0
    if model.lexicon and model.lexicon.idf.shape != (words,):
        raise ConfigError(f"{where}: the learned theme model is malformed (terms and idf differ)")
    if model.scale.shape != (d,) or (model.learned and model.coef.shape[1] != d + words):
        raise ConfigError(f"{where}: the learned theme model is malformed (feature sizes differ)")
    unknown = set(model.learned) - set(model.feature_themes)
    if unknown:
        raise ConfigError(
            f"{where}: the learned theme model names unknown themes {sorted(unknown)}"
        )


def _floats(values: np.ndarray) -> list[float]:
    return [round(float(v), 6) for v in values]


def learn_themes(
    features: np.ndarray,
    truth: np.ndarray,
    theme_ids: list[str],
    embedder: str,
    embedding_dim: int,
    texts: list[str],
    min_positives: int = MIN_POSITIVES,
) -> LearnedThemes | None:
    """A model for every theme (column of ``truth``) with ``min_positives`` labelled positives
    and as many negatives; None when no theme has enough. The first ``embedding_dim`` columns of
    ``features`` are the embedding (weighted by ``EMBEDDING_WEIGHT``), the rest are standardised;
    the words of ``texts`` are added as TF-IDF (``LEXICAL_WEIGHT``)."""
    mean = features.mean(axis=0)
    scale = features.std(axis=0) + 1e-6
    mean[:embedding_dim] = 0.0
    scale[:embedding_dim] = 1.0 / EMBEDDING_WEIGHT
    lexicon = Lexicon.learn(texts)
    x = np.hstack([(features - mean) / scale, LEXICAL_WEIGHT * lexicon.transform(texts)])
    cols = [c for c in range(len(theme_ids)) if _enough(truth[:, c], min_positives)]
    if not cols:
        return None
    y = truth[:, cols].astype(bool)
    strength, cuts, weights = _choose_strength(x, y)
    return LearnedThemes(
        embedder=embedder,
        feature_themes=list(theme_ids),
        learned=[theme_ids[c] for c in cols],
        mean=mean.astype(np.float32),
        scale=scale.astype(np.float32),
        coef=weights[:, :-1].astype(np.float32),
        intercept=weights[:, -1].astype(np.float32),
        thresholds=np.asarray(cuts, dtype=np.float32),
        strengths=[strength] * len(cols),
        lexicon=lexicon,
    )


def _enough(y: np.ndarray, min_positives: int) -> bool:
    return min(int(y.sum()), int((~y.astype(bool)).sum())) >= min_positives


def best_threshold(scores: np.ndarray, truth: np.ndarray, beta: float = 1.0) -> float:
    """The cut between two neighbouring scores that maximises F-beta (ties: the middle one)."""
    levels = np.unique(np.round(scores.astype(np.float64), 6))
    cuts = np.concatenate([[levels[0] / 2], (levels[:-1] + levels[1:]) / 2, [(levels[-1] + 1) / 2]])
    b2 = beta * beta
    best: list[float] = []
    best_f = -1.0
    for cut in cuts:
        pred = scores >= cut
        tp = float(np.sum(pred & truth))
        fp = float(np.sum(pred & ~truth))
        fn = float(np.sum(~pred & truth))
        f = (1 + b2) * tp / ((1 + b2) * tp + b2 * fn + fp) if tp else 0.0
        if f > best_f + 1e-12:
            best_f, best = f, [float(cut)]
        elif abs(f - best_f) <= 1e-12:
            best.append(float(cut))
    cut = best[len(best) // 2]
    return float(min(max(cut, 1e-3), 1 - 1e-3))


def _choose_strength(x: np.ndarray, y: np.ndarray) -> tuple[float, list[float], np.ndarray]:
    """(C, threshold per theme, weights per theme with the intercept last): one C for every
    theme, the one whose out-of-fold probabilities, each theme cut at its best-F1 threshold, give
    the best micro F1. The weights are the mean of the fold models' (the mean of their logits),
    so the thresholds were chosen on the models that are kept."""
    best: tuple[float, float, list[float], np.ndarray] | None = None
    for strength in STRENGTHS:
        runs = [_out_of_fold(x, y[:, j], strength) for j in range(y.shape[1])]
        oof = np.column_stack([r[0] for r in runs])
        cuts = [best_threshold(oof[:, j], y[:, j]) for j in range(y.shape[1])]
        f1 = _f1(oof >= np.asarray(cuts), y)
        if best is None or f1 > best[0] + 1e-9:
            best = (f1, strength, cuts, np.asarray([r[1] for r in runs]))
    assert best is not None
    return best[1], best[2], best[3]


def _out_of_fold(x: np.ndarray, y: np.ndarray, strength: float) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold probabilities, and the fold models' mean weights (intercept last)."""
    from sklearn.model_selection import StratifiedKFold

    folds = min(INNER_FOLDS, int(y.sum()), int((~y).sum()))
    out = np.zeros(len(y), dtype=np.float64)
    weights = []
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(x, y):
        model = _regression(strength).fit(x[train], y[train])
        out[test] = model.predict_proba(x[test])[:, 1]
        weights.append(np.append(model.coef_[0], model.intercept_[0]))
    return out, np.mean(weights, axis=0)


def _regression(strength: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=strength, class_weight="balanced", max_iter=2000)


def _f1(pred: np.ndarray, truth: np.ndarray) -> float:
    tp = float(np.sum(pred & truth))
    return 2 * tp / (2 * tp + float(np.sum(pred & ~truth)) + float(np.sum(~pred & truth)))
