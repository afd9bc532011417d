"""How every backend ranks words (the rule of `search.query`): any word matches, documents holding
more of the words rank first (every word, then all but one...), a quoted phrase is exact and
required.

Only orders the rule guarantees are asserted (a tier above another), never scores or the order
inside a tier: engines and the CI test server score differently.
"""

from __future__ import annotations

import math
import random

import pytest

from search.base import IndexDoc, SearchBackend, SearchQuery, SearchResult


def _vector(doc_id: str) -> list[float]:
    rng = random.Random(doc_id)
    raw = [rng.gauss(0, 1) for _ in range(16)]
    norm = math.sqrt(sum(x * x for x in raw))
    return [x / norm for x in raw]


def _doc(doc_id: str, title: str, body: str) -> IndexDoc:
    return IndexDoc(id=doc_id, title=title, body=body, url=f"https://example.com/{doc_id}",
                    kind="news", source="src", vector=_vector(doc_id))  # fmt: skip


# BM25 alone would put "loud" first for "quasar lemur" (the rarer word, three times, in the
# weighted title); the every-word tier puts "both" first. "other" holds neither word.
DOCS = [
    _doc("loud", "Quasar quasar quasar", "Quasar sightings: quasar after quasar."),
    _doc("both", "Weekly notes", "A long body about many things, a lemur among them, and one "
                                 "quasar too, with more words around them to make it longer."),
    _doc("lemur", "Lemur park", "A lemur sleeps."),
    _doc("three", "Nebula quasar lemur", "Nebula, quasar and lemur in one place."),
    _doc("phrase", "Engine notes", "The quantum leap engine is out."),
    _doc("shuffled", "Engine notes", "Engine first, then leap, then quantum."),
    _doc("other", "Unrelated", "Nothing to see here."),
]  # fmt: skip


def ids(result: SearchResult) -> list[str]:
    return [h.id for h in result.hits]


def text(q: str) -> SearchQuery:
    return SearchQuery(text=q, mode="text", limit=50)


@pytest.fixture
def ranked(backend: SearchBackend) -> SearchBackend:
    backend.index(DOCS)
    return backend


def test_any_word_finds_documents_holding_only_some_words(ranked: SearchBackend) -> None:
    result = ranked.search(text("lemur kraken"))  # nothing holds "kraken"
    assert set(ids(result)) == {"both", "lemur", "three"} and result.total == 3
    assert set(ids(ranked.search(text("nebula sightings")))) == {"three", "loud"}


def test_documents_holding_every_word_rank_first(ranked: SearchBackend) -> None:
    found = ids(ranked.search(text("quasar lemur")))
    assert set(found[:2]) == {"both", "three"}
    assert set(found[2:]) == {"loud", "lemur"}


def test_more_words_held_rank_above_fewer(ranked: SearchBackend) -> None:
    found = ids(ranked.search(text("nebula quasar lemur")))
    assert found[:2] == ["three", "both"]  # three words, then two (BM25 prefers "loud")
    assert set(found[2:]) == {"loud", "lemur"}


def test_hybrid_fuses_the_any_word_text_ranking(ranked: SearchBackend) -> None:
    query = SearchQuery(text="lemur kraken", mode="hybrid", vector=_vector("other"), limit=50)
    found = ids(ranked.search(query))  # the vector ranking alone would start with "other"
    assert found[0] in {"both", "lemur", "three"} and "other" in found


def test_a_quoted_phrase_is_exact(ranked: SearchBackend) -> None:
    assert ids(ranked.search(text('"quantum leap engine"'))) == ["phrase"]
    assert ids(ranked.search(text("quantum leap engine")))[0] in {"phrase", "shuffled"}
    assert set(ids(ranked.search(text("quantum leap engine")))) == {"phrase", "shuffled"}


def test_a_quoted_phrase_is_required_and_other_words_only_rank(ranked: SearchBackend) -> None:
    result = ranked.search(text('"quantum leap" lemur'))
    assert ids(result) == ["phrase"] and result.total == 1  # the lemur documents lack the phrase
    assert ids(ranked.search(text('"leap quantum" lemur'))) == []


def test_stop_words_alone_do_not_match_everything(ranked: SearchBackend) -> None:
    assert set(ids(ranked.search(text("the lemur")))) == {"both", "lemur", "three"}
