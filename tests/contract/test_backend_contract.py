"""What every search backend must do, whatever its engine (see conftest.py for the backends).

Only behaviour a user notices and every engine can reproduce is asserted: sets, membership,
counts, and the first hit only where it is unambiguous (the only document holding a word, the
document whose own vector is the query). Never exact scores or the order of near ties.
"""

from __future__ import annotations

import math
import random

import pytest

from search.base import IndexDoc, SearchBackend, SearchQuery, SearchResult
from tests.contract.es_fixture import skip_unsupported

DIM = 16


def _vector(seed: int) -> list[float]:
    rng = random.Random(seed)
    raw = [rng.gauss(0, 1) for _ in range(DIM)]
    norm = math.sqrt(sum(x * x for x in raw))
    return [x / norm for x in raw]


def _doc(doc_id: str, title: str, body: str, **kw: object) -> IndexDoc:
    fields: dict = {"url": f"https://example.com/{doc_id}", "kind": "news", "source": "src"}
    fields.update(kw)
    return IndexDoc(id=doc_id, title=title, body=body, **fields)


CORPUS = [
    _doc("a1", "Usage-based pricing for teams", "Acme now bills per seat and per API call.",
         kind="changelog_entry", source="acme-log", competitor="acme", published="2025-03-03",
         themes=["pricing"], move_type="pricing_change", vector=_vector(1)),
    _doc("a2", "Copilot assistant launches", "An assistant writes queries for you; zebrafish inside.",
         kind="release", source="acme-releases", competitor="acme", published="2025-03-05T10:00:00Z",
         themes=["ai"], move_type="launch", vector=_vector(2)),
    _doc("g1", "Globex cuts enterprise prices", "New pricing tiers and an assistant for admins.",
         kind="news", source="globex-blog", competitor="globex", published="2025-03-12",
         themes=["pricing", "ai"], move_type="pricing_change", vector=_vector(3)),
    _doc("g2", "Single sign-on hardening", "SAML and SCIM fixes for security teams.",
         kind="changelog_entry", source="globex-log", competitor="globex", published="2025-03-19",
         themes=["security"], move_type="fix", vector=_vector(4)),
    _doc("i1", "Analysts on the assistant wave", "Every vendor ships an assistant this year.",
         kind="news", source="industry-feed", competitor=None, published="2025-03-20",
         themes=["ai"], vector=_vector(5)),
    _doc("i2", "Undated roadmap page", "Roadmap with a kraken placeholder.",
         kind="page_change", source="initech-page", competitor="initech", published=None),
]  # fmt: skip


def ids(result: SearchResult) -> list[str]:
    return [h.id for h in result.hits]


def text(q: str = "", **kw: object) -> SearchQuery:
    return SearchQuery(text=q, mode="text", limit=50, **kw)  # type: ignore[arg-type]


@pytest.fixture
def loaded(backend: SearchBackend) -> SearchBackend:
    assert backend.index(CORPUS) == len(CORPUS)
    return backend


# -- writing -------------------------------------------------------------------------------------
def test_index_count_upsert_delete_clear(backend: SearchBackend) -> None:
    assert backend.count() == 0
    backend.index(CORPUS)
    assert backend.count() == 6
    backend.index(
        [_doc("a1", "Renamed entry", "Completely different words now.", competitor="acme")]
    )
    assert backend.count() == 6
    assert ids(backend.search(text("renamed"))) == ["a1"]
    assert ids(backend.search(text("seat"))) == []
    assert backend.delete(["a2", "no-such-id"]) == 1
    assert backend.count() == 5
    assert ids(backend.search(text("zebrafish"))) == []
    backend.clear()
    assert backend.count() == 0
    assert backend.search(text("assistant")).total == 0
    backend.index(CORPUS[:2])
    assert backend.count() == 2


def test_check_passes_on_a_working_backend(backend: SearchBackend) -> None:
    backend.check()


# -- text ----------------------------------------------------------------------------------------
def test_text_finds_by_title_and_by_body(loaded: SearchBackend) -> None:
    assert ids(loaded.search(text("copilot"))) == ["a2"]
    assert ids(loaded.search(text("zebrafish"))) == ["a2"]
    assert set(ids(loaded.search(text("assistant")))) == {"a2", "g1", "i1"}
    assert loaded.search(text("assistant")).total == 3


def test_every_word_ranks_first_and_any_word_matches(loaded: SearchBackend) -> None:
    found = ids(loaded.search(text("assistant zebrafish")))  # more in test_ranking_contract.py
    assert found[0] == "a2" and set(found) == {"a2", "g1", "i1"}
    assert set(ids(loaded.search(text("zebrafish kraken")))) == {"a2", "i2"}


def test_hits_carry_the_document_fields(loaded: SearchBackend) -> None:
    (hit,) = loaded.search(text("zebrafish")).hits
    assert (hit.title, hit.url, hit.kind, hit.source) == (
        "Copilot assistant launches", "https://example.com/a2", "release", "acme-releases",
    )  # fmt: skip
    assert (hit.competitor, hit.themes, hit.move_type) == ("acme", ["ai"], "launch")
    assert hit.published and hit.published.startswith("2025-03-05")
    assert "<mark>" in hit.snippet and "zebrafish" in hit.snippet.lower()


def test_snippets_are_html_escaped(backend: SearchBackend) -> None:
    backend.index([_doc("x", "Escape test", 'Body with <script>alert("x")</script> & marmot.')])
    (hit,) = backend.search(text("marmot")).hits
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet
    assert "<mark>marmot</mark>" in hit.snippet.replace(
        "<mark>Marmot</mark>", "<mark>marmot</mark>"
    )


# -- filters -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "values", "expected"),
    [
        ("competitor", ["acme"], {"a1", "a2"}),
        ("competitor", ["acme", "initech"], {"a1", "a2", "i2"}),
        ("theme", ["ai"], {"a2", "g1", "i1"}),
        ("move_type", ["pricing_change"], {"a1", "g1"}),
        ("kind", ["changelog_entry"], {"a1", "g2"}),
        ("source", ["industry-feed", "globex-log"], {"i1", "g2"}),
    ],
)
def test_each_filter(
    loaded: SearchBackend, field: str, values: list[str], expected: set[str]
) -> None:
    result = loaded.search(text(**{field: values}))
    assert set(ids(result)) == expected and result.total == len(expected)


def test_filters_combine_with_each_other_and_with_words(loaded: SearchBackend) -> None:
    assert set(ids(loaded.search(text(theme=["ai"], competitor=["globex"])))) == {"g1"}
    assert set(ids(loaded.search(text("assistant", competitor=["acme", "globex"])))) == {"a2", "g1"}
    assert ids(loaded.search(text("assistant", theme=["security"]))) == []


def test_date_range_is_inclusive_and_skips_undated(loaded: SearchBackend) -> None:
    between = loaded.search(text(since="2025-03-05", until="2025-03-12"))
    assert set(ids(between)) == {"a2", "g1"}
    assert set(ids(loaded.search(text(since="2025-03-19")))) == {"g2", "i1"}
    assert set(ids(loaded.search(text(until="2025-03-03")))) == {"a1"}
    assert "i2" in ids(loaded.search(text("kraken")))


def test_future_dates_are_searchable(backend: SearchBackend) -> None:
    backend.index([_doc("f", "Announced for later", "Teleporter preview.", published="2099-01-01")])
    assert ids(backend.search(text("teleporter", since="2098-12-31"))) == ["f"]
    assert backend.histogram("kind", "month") == {"2099-01-01": {"news": 1}}


# -- paging and sorting --------------------------------------------------------------------------
def test_paging_covers_everything_once_with_a_stable_total(loaded: SearchBackend) -> None:
    pages = [loaded.search(SearchQuery(mode="text", limit=2, offset=o)) for o in (0, 2, 4, 6)]
    assert [p.total for p in pages] == [6, 6, 6, 6]
    seen = [i for p in pages for i in ids(p)]
    assert sorted(seen) == sorted(d.id for d in CORPUS)
    assert ids(pages[-1]) == []


def test_sort_by_date_newest_first(loaded: SearchBackend) -> None:
    hits = loaded.search(text("assistant", sort="date")).hits
    assert [h.id for h in hits] == ["i1", "g1", "a2"]
    dated = loaded.search(text(sort="date")).hits
    days = [h.published[:10] for h in dated if h.published]
    assert days == sorted(days, reverse=True) and len(days) == 5


# -- vectors -------------------------------------------------------------------------------------
def test_semantic_returns_the_nearest_document_first(loaded: SearchBackend) -> None:
    for doc in CORPUS[:5]:
        result = loaded.search(
            SearchQuery(text="anything", mode="semantic", vector=doc.vector, limit=3)
        )
        assert ids(result)[0] == doc.id


def test_semantic_respects_filters(loaded: SearchBackend) -> None:
    query = SearchQuery(mode="semantic", vector=_vector(1), competitor=["globex"], limit=10)
    assert set(ids(loaded.search(query))) <= {"g1", "g2"} and ids(loaded.search(query))


def test_hybrid_includes_hits_from_words_and_from_meaning(loaded: SearchBackend) -> None:
    result = loaded.search(
        SearchQuery(text="zebrafish", mode="hybrid", vector=_vector(4), limit=10)
    )
    assert {"a2", "g2"} <= set(ids(result))
    assert len(ids(result)) == len(set(ids(result)))


# -- aggregations --------------------------------------------------------------------------------
def test_facets_count_the_matching_documents(loaded: SearchBackend) -> None:
    everything = loaded.search(
        SearchQuery(mode="text", limit=0, facets=["competitor", "theme", "kind"])
    )
    assert everything.hits == [] and everything.total == 6
    assert everything.facets["competitor"] == {"acme": 2, "globex": 2, "initech": 1}
    assert everything.facets["theme"] == {"ai": 3, "pricing": 2, "security": 1}
    assert everything.facets["kind"] == {
        "changelog_entry": 2,
        "release": 1,
        "news": 2,
        "page_change": 1,
    }
    words = loaded.search(text("assistant", facets=["competitor", "move_type"]))
    assert words.facets == {
        "competitor": {"acme": 1, "globex": 1},
        "move_type": {"launch": 1, "pricing_change": 1},
    }


def test_weekly_and_monthly_histograms(loaded: SearchBackend) -> None:
    assert loaded.histogram("theme", "week") == {
        "2025-03-03": {"pricing": 1, "ai": 1},
        "2025-03-10": {"pricing": 1, "ai": 1},
        "2025-03-17": {"security": 1, "ai": 1},
    }
    assert loaded.histogram("competitor", "week") == {
        "2025-03-03": {"acme": 2}, "2025-03-10": {"globex": 1}, "2025-03-17": {"globex": 1},
    }  # fmt: skip
    assert loaded.histogram("move_type", "month") == {
        "2025-03-01": {"pricing_change": 2, "launch": 1, "fix": 1}
    }
    only_ai = loaded.histogram("competitor", "week", SearchQuery(mode="text", theme=["ai"]))
    assert only_ai == {"2025-03-03": {"acme": 1}, "2025-03-10": {"globex": 1}}
    words = loaded.histogram("kind", "month", SearchQuery(text="assistant", mode="text"))
    assert words == {"2025-03-01": {"release": 1, "news": 2}}


def test_significant_terms_surface_a_planted_rising_term(backend: SearchBackend) -> None:
    skip_unsupported(
        backend, "significant_terms"
    )  # the emulator lacks the aggregation; real clusters run it
    rng = random.Random(7)
    filler = "dashboard export report workspace billing invoice metric alert region cluster".split()
    docs = []
    for n in range(40):  # background: January and February
        words = " ".join(rng.choice(filler) for _ in range(12))
        docs.append(
            _doc(f"b{n}", f"Update {n}", words, published=f"2025-0{1 + n % 2}-{1 + n % 27:02d}")
        )
    for n in range(8):  # the period: five of eight mention the new word
        words = " ".join(rng.choice(filler) for _ in range(12)) + (" quasar" if n < 5 else "")
        docs.append(_doc(f"p{n}", f"Week note {n}", words, published=f"2025-03-1{n}"))
    backend.index(docs)
    terms = backend.significant_terms("2025-03-10", "2025-03-17", background_since="2025-01-01")
    top = [t.term for t in terms[:3]]
    assert "quasar" in top
    quasar = next(t for t in terms if t.term == "quasar")
    assert (quasar.count, quasar.background) == (5, 0) and quasar.score > 0


# -- hostile input -------------------------------------------------------------------------------
HOSTILE = [
    '"unbalanced', 'zebrafish"', "AND OR", "OR", "NOT zebrafish", "*", "zebra*", "title:zebrafish",
    "-zebrafish", "NEAR(zebrafish assistant", "(zebrafish", "zebrafish)", "a:b:c", "^~!@#$%&",
    "\\", "'", "''", '""', "{}[]", "zebrafish AND", "AND zebrafish", "💥 zebrafish", "\x00zebrafish",
    "x" * 5000, "NEAR(a b, 5)", "col:* OR -x", "/regex/", "zebrafish~2", "+zebrafish",
]  # fmt: skip


FINDING = {  # plain words, all of them in a2 (operators in capitals and stop words left out)
    'zebrafish"', "NOT zebrafish", "-zebrafish", "(zebrafish", "zebrafish)", "zebrafish AND",
    "AND zebrafish", "💥 zebrafish", "\x00zebrafish", "+zebrafish", "the zebrafish",
    "NEAR(zebrafish assistant",
}  # fmt: skip


@pytest.mark.parametrize("raw", [*HOSTILE, "the zebrafish"])
def test_hostile_queries_are_plain_text(loaded: SearchBackend, raw: str) -> None:
    for mode in ("text", "hybrid"):
        result = loaded.search(
            SearchQuery(text=raw, mode=mode, vector=_vector(9), facets=["theme"])
        )
        assert isinstance(result, SearchResult)
        if raw in FINDING and mode == "text":
            also = {"g1", "i1"} if "assistant" in raw else set()  # any word matches
            assert ids(result)[0] == "a2" and set(ids(result)) == {"a2", *also}, raw


def test_empty_index(backend: SearchBackend) -> None:
    assert backend.count() == 0
    for mode in ("text", "semantic", "hybrid"):
        result = backend.search(
            SearchQuery(text="anything", mode=mode, vector=_vector(1), facets=["theme"])
        )
        assert (result.total, result.hits) == (0, [])
        assert result.facets.get("theme", {}) == {}
    assert backend.histogram("theme", "week") == {}
    assert backend.significant_terms("2025-01-01") == []
    assert backend.delete(["nothing"]) == 0
    backend.clear()


def test_a_100k_character_document(backend: SearchBackend) -> None:
    filler = "lorem ipsum dolor sit amet " * 4000
    body = (filler[:99_000] + " narwhal ending")[:100_000]
    backend.index([_doc("big", "A very long page", body, published="2025-03-03"), CORPUS[0]])
    result = backend.search(text("narwhal"))
    assert ids(result) == ["big"]
    assert len(result.hits[0].snippet) < 2000
    assert ids(backend.search(text("ipsum"))) == ["big"]
    backend.delete(["big"])
    assert backend.count() == 1
