"""Readable labels for discovered themes: key phrases by coverage and distinctness, by meaning."""

from __future__ import annotations

import numpy as np

from enrich.labels import CTfidfLabeler, key_phrases, phrase_label, rerank_phrases

DOCS = {
    1: [
        "usage based pricing for every plan",
        "usage based pricing replaces seats",
        "seat limits and usage based pricing",
        "new seat limits announced",
    ],
    2: [
        "database outage in the eu region",
        "eu region outage resolved",
        "status page for the eu region outage",
        "seat limits unchanged during outage",
    ],
}


def test_phrases_favour_coverage_and_distinctness() -> None:
    phrases = CTfidfLabeler().phrases(DOCS)
    assert phrases[1][0] == "usage based pricing"  # ties: the longer phrase
    assert "eu region" in phrases[2][:2]
    assert "seat limits" not in phrases[2]  # shared with the other theme, rarer here


def test_phrase_label_takes_two_phrases_sharing_no_word() -> None:
    assert phrase_label(["usage based", "usage based pricing", "seat limits"], []) == (
        "usage based · seat limits"
    )
    assert phrase_label([], ["outage", "latency"]) == "outage · latency"


def test_meaning_moves_a_phrase_close_to_its_own_theme_first() -> None:
    own, other = np.eye(2, dtype=np.float32)
    vectors = np.asarray([[0.0, 1.0], [1.0, 0.0]], dtype=np.float32)  # first phrase is off-theme
    assert rerank_phrases(["off theme", "on theme"], vectors, own, other[None, :]) == [
        "on theme",
        "off theme",
    ]


class AxisEmbedder:
    """Phrases with 'pricing' on axis 0, the rest on axis 1."""

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.asarray([[1.0, 0.0] if "pricing" in t else [0.0, 1.0] for t in texts])


def test_key_phrases_rerank_with_an_embedder_and_keep_order_without() -> None:
    centroids = {1: np.asarray([1.0, 0.0]), 2: np.asarray([0.0, 1.0])}
    plain = key_phrases(CTfidfLabeler(), DOCS, centroids, None)
    ranked = key_phrases(CTfidfLabeler(), DOCS, centroids, AxisEmbedder())
    assert sorted(plain[1]) == sorted(ranked[1])
    assert "pricing" in ranked[1][0]
