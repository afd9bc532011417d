"""The change-type classifier: lexical cues plus (optionally) sentence embeddings, linear.

Trained by ``bench/train_change_types.py`` on the heading-labelled lines of real changelogs
(the heading is the label; the line's own words the input). Two heads are kept in one ``.npz``
file: ``lexical`` (hashed words and bigrams, the first word, the rule evidence of
:mod:`enrich.moves`) and ``embedded`` (the same plus the embedding of the text, used when the
embedder that trained it is the one given). Prediction is a matrix product; scikit-learn is
needed to train only.
"""

from __future__ import annotations

import logging
import os
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse

from enrich.base import MOVE_TYPES, Embedder
from enrich.change_rules import clean_text
from enrich.moves import rule_scores

__all__ = [
    "GROUPS",
    "ChangeTypeModel",
    "Head",
    "default_model",
    "default_model_path",
    "features",
    "fit_head",
]

log = logging.getLogger(__name__)

# The four coarse classes a product manager tells apart first: something new, a fix, a
# breaking change, a security fix. A head decides the group before the type inside it.
GROUPS = {
    "launch": "new", "improvement": "new", "integration": "new", "performance": "new",
    "pricing": "new", "company": "new", "other": "new", "fix": "fix",
    "deprecation": "breaking", "security": "security",
}  # fmt: skip
HASH_DIM = 1 << 14
_RULE_DIMS = len(MOVE_TYPES)
MODEL_ENV = "RADAR_CHANGE_MODEL"
MODEL_NAME = "change_types.npz"


def default_model_path() -> Path:
    """``$RADAR_CHANGE_MODEL``, else ``change_types.npz`` in the user's cache folder."""
    if os.environ.get(MODEL_ENV):
        return Path(os.environ[MODEL_ENV])
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "market-radar" / MODEL_NAME


def _tokens(text: str) -> list[str]:
    words = clean_text(text).lower().replace("`", " ").split()
    words = [w.strip(".,;:()[]'\"") for w in words]
    words = [w for w in words if w]
    grams = words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    return grams + ([f"^{words[0]}"] if words else [])


def _lexical(texts: list[str]) -> sparse.csr_matrix:
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    for row, text in enumerate(texts):
        counts: dict[int, float] = {}
        for token in _tokens(text):
            col = zlib.crc32(token.encode("utf-8")) % HASH_DIM
            counts[col] = counts.get(col, 0.0) + 1.0
        norm = float(np.sqrt(sum(v * v for v in counts.values()))) or 1.0
        scores = rule_scores(clean_text(text), "")
        total = sum(scores.values()) or 1.0
        cells = {col: v / norm for col, v in counts.items()}
        cells.update({HASH_DIM + i: scores[m] / total for i, m in enumerate(MOVE_TYPES)})
        rows.extend([row] * len(cells))
        cols.extend(cells)
        values.extend(cells.values())
    shape = (len(texts), HASH_DIM + _RULE_DIMS)
    return sparse.csr_matrix((values, (rows, cols)), shape=shape, dtype=np.float32)


def features(texts: list[str], vectors: np.ndarray | None = None) -> sparse.csr_matrix:
    """Sparse rows of lexical features, with the embedding vectors appended when given."""
    lexical = _lexical(texts)
    if vectors is None:
        return lexical
    dense = sparse.csr_matrix(np.asarray(vectors, dtype=np.float32))
    return sparse.hstack([lexical, dense], format="csr")


@dataclass
class Head:
    """One linear head: ``classes`` and the weights of ``logits = x @ coef.T + intercept``."""

    classes: list[str]
    coef: np.ndarray
    intercept: np.ndarray

    def probabilities(self, x: sparse.csr_matrix) -> np.ndarray:
        logits = np.asarray(x @ self.coef.T) + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        return probs / probs.sum(axis=1, keepdims=True)

    def predict(self, x: sparse.csr_matrix) -> list[tuple[str, float]]:
        """The likeliest group first (its classes' probabilities summed), then its likeliest
        class: "breaking" at 0.4 beats "launch" 0.35 + "improvement" 0.25 being split."""
        if not x.shape[0]:
            return []
        probs = self.probabilities(x)
        member = self._membership()
        group = (probs @ member).argmax(axis=1)
        best = np.where(member[:, group].T > 0, probs, -1.0).argmax(axis=1)
        return [(self.classes[b], float(probs[i, b])) for i, b in enumerate(best)]

    def _membership(self) -> np.ndarray:
        """(classes, groups): 1 where the class belongs to the group (see :data:`GROUPS`)."""
        names = sorted({GROUPS.get(c, c) for c in self.classes})
        member = np.zeros((len(self.classes), len(names)), dtype=np.float64)
        for row, cls in enumerate(self.classes):
            member[row, names.index(GROUPS.get(cls, cls))] = 1.0
        return member


def fit_head(x: sparse.csr_matrix, labels: list[str], c: float = 4.0) -> Head:
    """A multinomial logistic regression (scikit-learn) on rows ``x``."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=400)
    model.fit(x, labels)
    coef, intercept = model.coef_, model.intercept_
    if len(model.classes_) == 2:  # one row: the logit of the second class against the first
        coef = np.vstack([np.zeros_like(coef), coef])
        intercept = np.concatenate([[0.0], intercept])
    return Head(
        [str(k) for k in model.classes_], coef.astype(np.float32), intercept.astype(np.float32)
    )


@dataclass
class ChangeTypeModel:
    """The two heads and the name of the embedder the ``embedded`` head was trained with."""

    lexical: Head
    embedded: Head | None = None
    embedder_name: str = ""

    def classify(
        self, texts: list[str], embedder: Embedder | None = None
    ) -> list[tuple[str, float]]:
        if not texts:
            return []
        if self.embedded is not None and embedder and embedder.name == self.embedder_name:
            vectors = embedder.embed([clean_text(t) or t for t in texts])
            return self.embedded.predict(features(texts, vectors))
        return self.lexical.predict(features(texts))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {"embedder_name": np.asarray(self.embedder_name)}
        for name, head in (("lexical", self.lexical), ("embedded", self.embedded)):
            if head is not None:
                arrays[f"{name}_classes"] = np.asarray(head.classes)
                arrays[f"{name}_coef"] = head.coef
                arrays[f"{name}_intercept"] = head.intercept
        with path.open("wb") as handle:
            np.savez_compressed(handle, allow_pickle=False, **arrays)

    @classmethod
    def load(cls, path: Path) -> ChangeTypeModel:
        with np.load(path, allow_pickle=False) as data:
            heads = {
                name: Head(
                    [str(k) for k in data[f"{name}_classes"]],
                    data[f"{name}_coef"],
                    data[f"{name}_intercept"],
                )
                for name in ("lexical", "embedded")
                if f"{name}_coef" in data
            }
            return cls(heads["lexical"], heads.get("embedded"), str(data["embedder_name"]))


@lru_cache(maxsize=4)
def _load_cached(path: str, mtime: float) -> ChangeTypeModel | None:
    try:
        return ChangeTypeModel.load(Path(path))
    except (OSError, KeyError, ValueError) as exc:
        log.warning(
            "change-type model %s unreadable (%s); typing changes by lexical rules", path, exc
        )
        return None


def default_model() -> ChangeTypeModel | None:
    """The trained model at :func:`default_model_path`, or None (logged once) when absent."""
    path = default_model_path()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        _log_absent(str(path))
        return None
    return _load_cached(str(path), mtime)


@lru_cache(maxsize=4)
def _log_absent(path: str) -> None:
    log.info(
        "no change-type model at %s (build it: python bench/train_change_types.py); "
        "typing changes by lexical rules",
        path,
    )
