"""Words and word pairs as features for learned themes: a small TF-IDF learned from labelled items.

The embedding misses some cues a reader relies on (a regulation's name, an acronym); a learned
theme model also reads the item's words. The vocabulary (words and word pairs in at least
``min_df`` labelled items, the ``max_terms`` most frequent) and each term's inverse document
frequency are learned at calibration and kept as plain data in the sidecar; transforming needs
numpy only. Weights follow scikit-learn's ``TfidfVectorizer(sublinear_tf=True)``: 1 + log(count)
times the smoothed idf, each row scaled to unit length.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

__all__ = ["Lexicon"]

_WORD_RE = re.compile(r"(?u)\b\w\w+\b")


def terms(text: str) -> list[str]:
    """Lower-cased words of two or more characters, then each pair of neighbouring words."""
    words = _WORD_RE.findall(text.lower())
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


@dataclass
class Lexicon:
    vocabulary: list[str]
    idf: np.ndarray  # (len(vocabulary),)

    @classmethod
    def learn(cls, texts: list[str], min_df: int = 2, max_terms: int = 3000) -> Lexicon:
        """The vocabulary and idf of ``texts`` (most frequent terms first, ties by term)."""
        df: Counter[str] = Counter()
        total: Counter[str] = Counter()
        for text in texts:
            counts = Counter(terms(text))
            df.update(counts.keys())
            total.update(counts)
        kept = sorted((t for t in df if df[t] >= min_df), key=lambda t: (-total[t], t))
        vocabulary = sorted(kept[:max_terms])
        n = len(texts)
        idf = [math.log((1 + n) / (1 + df[t])) + 1.0 for t in vocabulary]
        return cls(vocabulary, np.asarray(idf, dtype=np.float32))

    def transform(self, texts: list[str]) -> np.ndarray:
        """(len(texts), len(vocabulary)) sublinear TF-IDF rows of unit length (or zero)."""
        index = {t: i for i, t in enumerate(self.vocabulary)}
        out = np.zeros((len(texts), len(self.vocabulary)), dtype=np.float32)
        for row, text in enumerate(texts):
            for term, count in Counter(terms(text)).items():
                col = index.get(term)
                if col is not None:
                    out[row, col] = (1.0 + math.log(count)) * self.idf[col]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.divide(out, norms, out=out, where=norms > 0)
