"""Readable labels for discovered themes: class-based TF-IDF keywords (BERTopic's c-TF-IDF).

All documents of a cluster are joined into one class document; a term's weight in a class is its
L1-normalised frequency there times ``log(1 + A / f)``, where ``A`` is the average number of words
per class and ``f`` the term's frequency over all classes. Words frequent everywhere sink; words
typical of one cluster rise.
"""

from __future__ import annotations

from typing import Any

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
        phrase_share: float = 0.5,
    ):
        self.ngram_range = ngram_range
        self.max_features = max_features
        self.common_df = common_df
        self.phrase_share = phrase_share

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

    def phrases(self, docs: dict[int, list[str]], pool: int = 20) -> dict[int, list[str]]:
        """Two- and three-word key phrases per cluster, best first: the share of the cluster's
        documents that hold the phrase (coverage) times the share of the phrase's documents that
        are in the cluster (distinctness); phrases in fewer than two documents, or scoring under
        ``phrase_share`` of the cluster's best, never count."""
        result: dict[int, list[str]] = {key: [] for key in docs}
        keys = [key for key in docs if docs[key]]
        vectorizer = CountVectorizer(
            stop_words="english", ngram_range=(2, 3), token_pattern=TOKEN_PATTERN, binary=True
        )
        try:
            present = vectorizer.fit_transform([t for key in keys for t in docs[key]]).tocsr()
        except ValueError:  # no phrase at all
            return result
        terms = vectorizer.get_feature_names_out()
        in_cluster = np.asarray((_membership([len(docs[k]) for k in keys]) @ present).toarray())
        coverage = in_cluster / np.asarray([[len(docs[k])] for k in keys], dtype=np.float64)
        score = coverage * in_cluster / np.maximum(in_cluster.sum(axis=0), 1.0)
        score[in_cluster < 2] = 0.0
        score += (score > 0) * 1e-6 * np.char.count(terms.astype(str), " ")  # ties: longer first
        for row, key in enumerate(keys):
            order = np.argsort(-score[row], kind="stable")[:pool]
            floor = max(score[row, order[0]] * self.phrase_share, 1e-9)
            result[key] = [str(terms[i]) for i in order if score[row, i] >= floor]
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


def key_phrases(
    labeler: Any, docs: dict[int, list[str]], centroids: dict[int, np.ndarray], embedder: Any
) -> dict[int, list[str]]:
    """Key phrases per cluster from a labeler that has ``phrases`` (coverage and distinctness),
    re-ranked by meaning against the clusters' centroids when there is an embedder."""
    phrases_of = getattr(labeler, "phrases", None)
    if phrases_of is None:
        return {}
    found: dict[int, list[str]] = phrases_of(docs)
    if embedder is None or len(centroids) < 2:
        return found
    out = {}
    for label, centroid in centroids.items():
        candidates = found.get(label, [])
        others = np.stack([c for other, c in centroids.items() if other != label])
        vectors = _unit(embedder.embed(candidates)) if candidates else others[:0]
        out[label] = rerank_phrases(candidates, vectors, centroid, others)
    return out


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def rerank_phrases(
    phrases: list[str], vectors: np.ndarray, own: np.ndarray, others: np.ndarray
) -> list[str]:
    """Phrases re-ranked by meaning: their rank from :meth:`CTfidfLabeler.phrases` plus how much
    closer each lies to its own theme's centroid than to the nearest other theme's."""
    if not phrases:
        return []
    closer = vectors @ own - ((vectors @ others.T).max(axis=1) if len(others) else 0.0)
    prior = 1.0 - np.arange(len(phrases)) / len(phrases)  # 1 for the best by coverage
    order = np.argsort(-(prior * 0.5 + closer * 5.0), kind="stable")
    return [phrases[i] for i in order]


def phrase_label(phrases: list[str], keywords: list[str], count: int = 2) -> str:
    """ "usage-based pricing · seat limits" from key phrases sharing no word; keywords when
    there are no phrases."""
    chosen: list[str] = []
    covered: set[str] = set()
    for phrase in phrases:
        parts = set(phrase.split())
        if parts & covered:
            continue
        chosen.append(phrase)
        covered |= parts
        if len(chosen) == count:
            return SEPARATOR.join(chosen)
    return SEPARATOR.join(chosen) if chosen else make_label(keywords)


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
