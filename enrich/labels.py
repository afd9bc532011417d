"""Readable labels for discovered themes: class-based TF-IDF keywords (BERTopic's c-TF-IDF).

All documents of a cluster are joined into one class document; a term's weight in a class is its
L1-normalised frequency there times ``log(1 + A / f)``, where ``A`` is the average number of words
per class and ``f`` the term's frequency over all classes. Words frequent everywhere sink; words
typical of one cluster rise.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

TOKEN_PATTERN = r"(?u)\b[^\W\d_]\w+\b"  # two or more characters, starting with a letter
LABEL_WORDS = 3
SEPARATOR = " · "


class CTfidfLabeler:
    """Keywords per cluster: English stop words removed, unigrams and bigrams.

    Beyond the English stop words, a term found in at least ``common_df`` of the documents of
    every cluster ("said" in news) is a stop word of this window and never a keyword.
    """

    def __init__(
        self,
        ngram_range: tuple[int, int] = (1, 2),
        max_features: int = 50_000,
        common_df: float = 0.5,
    ):
        self.ngram_range = ngram_range
        self.max_features = max_features
        self.common_df = common_df

    def label(self, docs: dict[int, list[str]], top_n: int = 8) -> dict[int, list[str]]:
        result: dict[int, list[str]] = {key: [] for key in docs}
        keys = [key for key in docs if docs[key]]
        texts = [text for key in keys for text in docs[key]]
        vectorizer = CountVectorizer(
            stop_words="english",
            ngram_range=self.ngram_range,
            token_pattern=TOKEN_PATTERN,
            max_features=self.max_features,
        )
        try:
            matrix = vectorizer.fit_transform(texts).tocsr()
        except ValueError:  # empty vocabulary: only stop words, digits or punctuation
            return result
        terms = vectorizer.get_feature_names_out()
        membership = _membership([len(docs[key]) for key in keys])
        weights = ctfidf(np.asarray((membership @ matrix).toarray(), dtype=np.float64))
        weights[:, self._common(membership, matrix)] = 0.0
        for row, key in enumerate(keys):
            order = np.argsort(-weights[row], kind="stable")[:top_n]
            result[key] = [str(terms[i]) for i in order if weights[row, i] > 0]
        return result

    def _common(self, membership: sparse.csr_matrix, matrix: sparse.csr_matrix) -> np.ndarray:
        """Terms in at least ``common_df`` of the documents of every cluster (two or more)."""
        if membership.shape[0] < 2:
            return np.zeros(matrix.shape[1], dtype=bool)
        present = (matrix > 0).astype(np.float64)
        share = (membership @ present).toarray() / np.asarray(membership.sum(axis=1))
        return np.asarray((share >= self.common_df).all(axis=0))


def _membership(sizes: list[int]) -> sparse.csr_matrix:
    """(clusters x documents) 0/1 matrix for documents listed cluster after cluster."""
    rows = np.repeat(np.arange(len(sizes)), sizes)
    columns = np.arange(len(rows))
    return sparse.csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(len(sizes), len(rows)))


def ctfidf(counts: np.ndarray) -> np.ndarray:
    """c-TF-IDF weights of a (classes x terms) count matrix."""
    words_per_class = counts.sum(axis=1, keepdims=True)
    tf = counts / np.maximum(words_per_class, 1.0)
    average_words = float(words_per_class.mean())
    frequency = np.maximum(counts.sum(axis=0), 1.0)
    idf = np.log(1.0 + average_words / frequency)
    return np.asarray(tf * idf)


def make_label(keywords: list[str], words: int = LABEL_WORDS) -> str:
    """ "pricing · seats · plans" from the top keywords, skipping ones already covered."""
    chosen: list[str] = []
    covered: set[str] = set()
    for keyword in keywords:
        parts = set(keyword.split())
        if parts <= covered:
            continue
        chosen.append(keyword)
        covered |= parts
        if len(chosen) == words:
            break
    return SEPARATOR.join(chosen) if chosen else "(unlabelled)"
