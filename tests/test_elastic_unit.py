"""The Elasticsearch backend: pure query builders, error translation, and a smoke run on the
CI test server (noida-db; never scores or rankings against it). The full behaviour is the
contract suite's (tests/contract/)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest

from radar.core.errors import BackendError, RadarError
from search import elastic_mappings as layout
from search.base import IndexDoc, SearchQuery
from search.elastic_aggs import build_histogram_body, build_significant_terms_body, parse_histogram
from search.elastic_bulk import doc_source
from search.elastic_client import describe_error, safe_url
from search.elastic_query import build_facet_aggs, build_knn_body, build_search_body
from search.fusion import rrf
from search.query import parse

es = pytest.importorskip("elasticsearch", reason="the Elasticsearch backend needs the es extra")

from search.elastic import ElasticsearchBackend  # noqa: E402
from tests.contract.es_fixture import backend_on, cluster_url, skip_unsupported  # noqa: E402


def _filters(body: dict) -> list[dict]:
    return body["query"]["bool"]["filter"]


# -- builders ------------------------------------------------------------------------------------
def test_filters_become_terms_and_an_inclusive_day_range() -> None:
    q = SearchQuery(text="sso", competitor=["acme", ""], theme=["pricing"], kind=["news"],
                    since="2024-01-01", until="2024-01-31T08:00:00")  # fmt: skip
    assert _filters(build_search_body(q)) == [
        {"terms": {"competitor": ["acme"]}},
        {"terms": {"themes": ["pricing"]}},
        {"terms": {"kind": ["news"]}},
        {"range": {"published": {"gte": "2024-01-01", "lt": "2024-02-01"}}},
    ]


def test_a_bad_date_is_one_readable_error() -> None:
    with pytest.raises(RadarError, match="since 'last tuesday' is not a date"):
        build_search_body(SearchQuery(since="last tuesday"))


def test_hostile_text_stays_plain_words() -> None:
    text = 'title:(acme AND "sso" OR *) \\ {} [x TO y] ~2 ^9 -pricing </script>'
    body = build_search_body(SearchQuery(text=text, mode="text"))
    dumped = json.dumps(body)
    assert "query_string" not in dumped and "simple_query_string" not in dumped
    (clause,) = body["query"]["bool"]["must"]  # any word matches (search.query's rule)
    words = clause["bool"]["should"][0]["multi_match"]
    assert words == {
        "query": " ".join(parse(text).terms),  # the words search.query keeps, nothing else
        "fields": ["title^3", "body"],
        "type": "cross_fields",
        "operator": "or",
    }
    assert not set(words["query"]) & set(':()"*\\{}[]~^-<>/')
    assert [c["multi_match"]["query"] for c in clause["bool"]["must"]] == [
        "sso"
    ]  # quoted: required


def test_phrases_are_phrase_queries() -> None:
    (clause,) = build_search_body(SearchQuery(text='"single sign on" acme'))["query"]["bool"][
        "must"
    ]
    assert clause["bool"]["should"][0]["multi_match"]["query"] == "acme"
    assert clause["bool"]["must"][0]["multi_match"] == {
        "query": "single sign on", "fields": ["title^3", "body"], "type": "phrase"
    }  # fmt: skip


def test_highlight_is_html_encoded_with_mark_tags() -> None:
    body = build_search_body(SearchQuery(text="pricing"))
    assert body["highlight"]["encoder"] == "html"
    assert body["highlight"]["pre_tags"] == ["<mark>"]
    assert body["highlight"]["post_tags"] == ["</mark>"]
    assert "highlight" not in build_search_body(SearchQuery(text=""))


def test_paging_sorting_and_window() -> None:
    body = build_search_body(SearchQuery(text="sso", limit=10, offset=20))
    assert (body["from"], body["size"], body["sort"][0]) == (20, 10, "_score")
    assert (
        build_search_body(SearchQuery(text="sso", sort="date"))["sort"][0]["published"]["order"]
        == "desc"
    )
    assert (
        "published" in build_search_body(SearchQuery(text=""))["sort"][0]
    )  # browsing: newest first
    window = build_search_body(SearchQuery(text="sso", limit=10, offset=20), window=100)
    assert (window["from"], window["size"]) == (0, 100)


def test_knn_body_for_both_dialects() -> None:
    q = SearchQuery(text="sso", mode="semantic", vector=[0.6, 0.8], competitor=["acme"])
    knn = build_knn_body(q, k=30)["knn"]
    assert knn == {"field": "vector", "query_vector": [0.6, 0.8], "k": 30, "num_candidates": 100,
                   "filter": [{"terms": {"competitor": ["acme"]}}]}  # fmt: skip
    assert build_knn_body(q, k=30)["highlight"]["highlight_query"]
    opensearch = build_knn_body(q, k=30, dialect="opensearch")["query"]["knn"]["vector"]
    assert opensearch["k"] == 30 and opensearch["filter"]["bool"]["filter"]


def test_facets_histogram_and_significant_terms_bodies() -> None:
    assert build_facet_aggs(["theme"]) == {
        "facet_theme": {"terms": {"field": "themes", "size": 100}}
    }
    with pytest.raises(RadarError, match="cannot facet on 'title'"):
        build_facet_aggs(["title"])
    hist = build_histogram_body("theme", "week", SearchQuery(competitor=["acme"]))
    assert hist["aggs"]["buckets"]["date_histogram"]["calendar_interval"] == "week"
    assert hist["aggs"]["buckets"]["aggs"]["by"]["terms"]["field"] == "themes"
    with pytest.raises(RadarError, match="cannot count by 'url'"):
        build_histogram_body("url", "week", SearchQuery())
    sig = build_significant_terms_body("2024-03-01", "2024-03-31", "2024-01-01")
    assert _filters(sig)[-1] == {"range": {"published": {"gte": "2024-03-01", "lt": "2024-04-01"}}}
    agg = sig["aggs"]["sample"]["aggs"]["terms"]["significant_text"]
    assert agg["background_filter"]["bool"]["filter"] == [
        {"range": {"published": {"gte": "2024-01-01", "lt": "2024-03-01"}}}
    ]


def test_parse_histogram_keeps_days_and_drops_empty_buckets() -> None:
    resp = {"aggregations": {"buckets": {"buckets": [
        {"key_as_string": "2024-01-01", "doc_count": 2, "by": {"buckets": [{"key": "pricing", "doc_count": 2}]}},
        {"key_as_string": "2024-01-08", "doc_count": 1, "by": {"buckets": []}},
    ]}}}  # fmt: skip
    assert parse_histogram(resp) == {"2024-01-01": {"pricing": 2}}


def test_doc_source_normalises_dates_and_drops_zero_vectors() -> None:
    doc = IndexDoc(id="a", title="T\ue000", body="B", url="u", kind="news", source="s",
                   published="2024-01-03 10:00:00", vector=[0.0, 0.0])  # fmt: skip
    src = doc_source(doc)
    assert (src["title"], src["published"], "vector" in src) == ("T", "2024-01-03T10:00:00", False)
    assert doc_source(IndexDoc("b", "", "", "", "", "", published="soon"))["published"] is None


def test_mapping_is_explicit_and_versioned() -> None:
    props = layout.mappings(dims=8)["properties"]
    assert (
        props["title"]["analyzer"] == "english"
        and props["title"]["fields"]["raw"]["type"] == "keyword"
    )
    assert props["vector"] == {
        "type": "dense_vector",
        "dims": 8,
        "index": True,
        "similarity": "cosine",
        "index_options": {"type": "hnsw", "m": 16, "ef_construction": 100},  # pinned (issue 13)
    }
    assert {
        props[f]["type"]
        for f in ("competitor", "themes", "move_type", "kind", "source", "event_id")
    } == {"keyword"}
    assert layout.mappings()["dynamic"] == "strict"
    assert layout.physical_name("radar") == f"radar-v{layout.MAPPING_VERSION}"
    assert layout.index_template("radar")["index_patterns"] == ["radar-v*"]


def test_rrf_fuses_ranks_not_scores() -> None:
    fused = rrf([["a", "b", "c"], ["c", "a"]])
    assert [i for i, _ in fused] == ["a", "c", "b"]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)


# -- errors --------------------------------------------------------------------------------------
def test_safe_url_drops_credentials() -> None:
    assert (
        safe_url("https://elastic:s3cret@es.example:9243/prefix")
        == "https://es.example:9243/prefix"
    )


def test_api_errors_are_one_line() -> None:
    meta = type("Meta", (), {"status": 400})()
    exc = es.BadRequestError(message="parsing_exception", meta=meta,
                             body={"error": {"type": "parsing_exception", "reason": "bad\n  thing"}})  # fmt: skip
    assert describe_error(exc, "http://h:9200", "searching") == (
        "Elasticsearch at http://h:9200 answered 400 while searching: parsing_exception: bad thing"
    )
    meta.status = 401
    assert "check es_username / es_password or es_api_key" in describe_error(exc, "u", "indexing")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connection_refused_is_a_backend_error_of_one_line() -> None:
    backend = ElasticsearchBackend(f"http://user:pw@127.0.0.1:{_closed_port()}", timeout=2)
    doc = IndexDoc(id="a", title="t", body="b", url="u", kind="news", source="s")
    for call in (
        backend.check,
        lambda: backend.index([doc]),
        lambda: backend.search(SearchQuery(text="x")),
    ):
        with pytest.raises(BackendError) as info:
            call()
        message = str(info.value)
        assert message.startswith("cannot reach Elasticsearch at http://127.0.0.1:")
        assert "connection refused" in message and "\n" not in message and "pw" not in message


def test_missing_client_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_elasticsearch(name: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name.startswith("elasticsearch"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_elasticsearch)
    with pytest.raises(RadarError, match=r"pip install 'market-radar\[es\]'"):
        ElasticsearchBackend("http://127.0.0.1:9200")


# -- smoke on the test server (or RADAR_ES_URL) --------------------------------------------------
DOCS = [
    IndexDoc(id="a", title="Acme launches pricing tiers", body="New pricing plans for teams <b>now</b>",
             url="https://acme.example/1", kind="changelog", source="acme-changelog", competitor="acme",
             published="2024-01-03", themes=["pricing"], vector=[1.0, 0.0, 0.0]),
    IndexDoc(id="b", title="Globex adds SSO", body="Single sign-on and security features",
             url="https://globex.example/2", kind="news", source="globex-blog", competitor="globex",
             published="2024-01-10T12:00:00", themes=["security"], vector=[0.0, 1.0, 0.0]),
    IndexDoc(id="c", title="Acme security update", body="Security patches, and pricing changes",
             url="https://acme.example/3", kind="changelog", source="acme-changelog", competitor="acme",
             published="2024-02-20", themes=["security", "pricing"], vector=[0.0, 0.8, 0.6]),
]  # fmt: skip


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with cluster_url() as found:
        yield found


@pytest.fixture
def backend(url: str) -> Iterator[ElasticsearchBackend]:
    with backend_on(url) as b:
        yield b


def test_index_search_filter_delete(backend: ElasticsearchBackend) -> None:
    assert backend.search(SearchQuery(text="pricing")).total == 0  # before the first index
    assert backend.index(DOCS) == 3 and backend.count() == 3
    found = backend.search(SearchQuery(text="security", mode="text", facets=["competitor"]))
    assert {h.id for h in found.hits} == {"b", "c"} and found.total == 2
    assert found.facets == {"competitor": {"acme": 1, "globex": 1}}
    both = backend.search(SearchQuery(text="pricing security", mode="text"))
    assert [h.id for h in both.hits][0] == "c"  # every word first, then any word
    assert both.hits[0].snippet.count("<mark>") >= 1
    plans = backend.search(SearchQuery(text="plans", competitor=["acme"], until="2024-01-03"))
    assert [h.id for h in plans.hits] == ["a"] and "&lt;b&gt;now" in plans.hits[0].snippet
    newest = backend.search(SearchQuery(mode="text", sort="date"))
    assert [h.id for h in newest.hits] == ["c", "b", "a"]
    assert backend.delete(["a", "missing"]) == 1 and backend.count() == 2
    backend.clear()
    assert backend.count() == 0


def test_semantic_hybrid_and_histogram(backend: ElasticsearchBackend) -> None:
    backend.index(DOCS)
    semantic = backend.search(SearchQuery(mode="semantic", vector=[0.0, 1.0, 0.0], kind=["news"]))
    assert [h.id for h in semantic.hits] == ["b"]  # the filter applies to vectors
    hybrid = backend.search(SearchQuery(text="security", mode="hybrid", vector=[1.0, 0.0, 0.0]))
    assert {h.id for h in hybrid.hits} == {"a", "b", "c"}
    assert backend.histogram("theme", "month") == {
        "2024-01-01": {"pricing": 1, "security": 1},
        "2024-02-01": {"pricing": 1, "security": 1},
    }


def test_mapping_version_change_makes_a_new_index_and_moves_the_alias(
    backend: ElasticsearchBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend.index(DOCS)
    monkeypatch.setattr(layout, "MAPPING_VERSION", layout.MAPPING_VERSION + 1)
    fresh = ElasticsearchBackend(backend.url, index=backend.alias, client=backend.client)
    fresh.index(DOCS[:1])
    aliases = backend.client.indices.get_alias(name=backend.alias).body
    # issue 13: a fresh generation of the new layout, refilled from the store (no `_reindex`)
    assert len(aliases) == 1 and next(iter(aliases)).startswith(layout.physical_name(backend.alias))
    assert fresh.count() == 1


def test_significant_terms(backend: ElasticsearchBackend) -> None:
    skip_unsupported(backend, "significant_terms")
    backend.index(DOCS)
    assert isinstance(backend.significant_terms("2024-02-01", background_since="2024-01-01"), list)
