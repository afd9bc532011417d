"""Elasticsearch / OpenSearch search requests and their responses, as pure functions.

The request bodies are built by ``build_*`` and read back by ``parse_*``, so they are unit-tested
without a cluster and shared by both dialects. User text is searched as plain words
(`search.query.parse`), never as query_string syntax.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from radar.core.errors import RadarError
from search import elastic_mappings as layout
from search.base import FILTER_FIELDS, Hit, SearchQuery
from search.query import TIER_BONUS, ParsedQuery, parse, parse_day, snippet

TEXT_FIELDS = ["title^3", "body"]
SOURCE_EXCLUDES = ["vector"]
FACET_SIZE = 100
MAX_WINDOW = 10_000  # Elasticsearch's index.max_result_window and knn num_candidates ceiling
HIGHLIGHT = {
    "encoder": "html",
    "pre_tags": ["<mark>"],
    "post_tags": ["</mark>"],
    "fields": {"body": {"fragment_size": 200, "number_of_fragments": 1}},
}


def text_clauses(text: str | None) -> list[dict[str, Any]]:
    """The words as one ranked clause: any word matches, more words rank first, phrases required.

    The rule of `search.query` (the embedded backend's too): BM25 over the documents holding any
    word or compound (`minimum_should_match` 1), plus TIER_BONUS for each one held; quoted
    phrases must match. Phrases and compounds go as typed, for the index's own analyzer.
    """
    parsed = parse(text)
    must = [_phrase_query(p.text) for p in parsed.phrases]
    should = _optional_parts(parsed)
    if not should:  # phrases only, or nothing
        return must
    if parsed.optional > 1:  # one tier per word or compound held
        parts = [_words_query([t], "or") for t in parsed.terms]
        parts += [_phrase_query(c.text) for c in parsed.compounds]
        should += [{"constant_score": {"filter": p, "boost": TIER_BONUS}} for p in parts]
    # with a required phrase the words only rank; without one, a document needs one of them
    return [{"bool": {"must": must, "should": should, "minimum_should_match": 0 if must else 1}}]


def _optional_parts(parsed: ParsedQuery) -> list[dict[str, Any]]:
    parts = [_words_query(parsed.terms, "or")] if parsed.terms else []
    return parts + [_phrase_query(c.text) for c in parsed.compounds]


def _words_query(terms: list[str], operator: str) -> dict[str, Any]:
    return {
        "multi_match": {
            "query": " ".join(terms),
            "fields": TEXT_FIELDS,
            "type": "cross_fields",
            "operator": operator,
        }
    }


def _phrase_query(text: str) -> dict[str, Any]:
    return {"multi_match": {"query": text, "fields": TEXT_FIELDS, "type": "phrase"}}


def date_range(since: str | None, until: str | None) -> dict[str, str]:
    """Inclusive days: `until` becomes "before the next day", so datetimes on that day count."""
    first, last = parse_day(since, "since"), parse_day(until, "until")
    rng = {}
    if first:
        rng["gte"] = first
    if last:
        rng["lt"] = (date.fromisoformat(last) + timedelta(days=1)).isoformat()
    return rng


def build_filters(query: SearchQuery) -> list[dict[str, Any]]:
    filters: list[dict[str, Any]] = []
    for name in FILTER_FIELDS:
        values = [v for v in getattr(query, name) if v]
        if values:
            filters.append({"terms": {layout.FIELD_MAP[name]: values}})
    rng = date_range(query.since, query.until)
    if rng:
        filters.append({"range": {"published": rng}})
    return filters


def build_bool(query: SearchQuery) -> dict[str, Any]:
    must = text_clauses(query.text) or [{"match_all": {}}]
    return {"bool": {"must": must, "filter": build_filters(query)}}


def build_sort(by_date: bool) -> list[Any]:
    newest = {"published": {"order": "desc", "missing": "_last", "unmapped_type": "date"}}
    tiebreak = {"id": {"order": "asc", "unmapped_type": "keyword"}}
    return [newest, "_score", tiebreak] if by_date else ["_score", newest, tiebreak]


def build_facet_aggs(fields: Iterable[str]) -> dict[str, Any]:
    aggs = {}
    for name in fields:
        if name not in layout.FIELD_MAP:
            raise RadarError(f"cannot facet on '{name}': use one of {', '.join(FILTER_FIELDS)}")
        aggs[f"facet_{name}"] = {"terms": {"field": layout.FIELD_MAP[name], "size": FACET_SIZE}}
    return aggs


def build_search_body(query: SearchQuery, window: int | None = None) -> dict[str, Any]:
    """Text mode: the page asked for, or the first `window` hits when fusing with vectors."""
    has_text = bool(text_clauses(query.text))
    start, size = (0, window) if window is not None else (query.offset, query.limit)
    body: dict[str, Any] = {
        "query": build_bool(query),
        "from": max(0, start),
        "size": max(0, min(size, MAX_WINDOW - max(0, start))),
        "sort": build_sort(query.sort == "date" or not has_text),
        "track_total_hits": True,
        "track_scores": True,
        "_source": {"excludes": SOURCE_EXCLUDES},
    }
    if has_text:
        body["highlight"] = HIGHLIGHT
    if query.facets:
        body["aggs"] = build_facet_aggs(query.facets)
    return body


def build_knn_body(query: SearchQuery, k: int, dialect: str = "elasticsearch") -> dict[str, Any]:
    """Semantic: the `k` nearest vectors among the documents the filters allow."""
    assert query.vector is not None
    k = max(1, min(k, MAX_WINDOW))
    vector = [float(x) for x in query.vector]
    filters = build_filters(query)
    body: dict[str, Any] = {"size": k, "_source": {"excludes": SOURCE_EXCLUDES}}
    if dialect == "opensearch":
        knn: dict[str, Any] = {"vector": vector, "k": k}
        if filters:
            knn["filter"] = {"bool": {"filter": filters}}
        body["query"] = {"knn": {"vector": knn}}
    else:
        candidates = min(max(2 * k, 100), MAX_WINDOW)
        body["knn"] = {
            "field": "vector",
            "query_vector": vector,
            "k": k,
            "num_candidates": candidates,
        }
        if filters:
            body["knn"]["filter"] = filters
    clauses = text_clauses(query.text)
    if clauses:  # mark the words in the snippets of semantic hits too
        body["highlight"] = {**HIGHLIGHT, "highlight_query": {"bool": {"should": clauses}}}
    return body


def build_facets_body(query: SearchQuery) -> dict[str, Any]:
    return {"size": 0, "query": build_bool(query), "aggs": build_facet_aggs(query.facets)}


# -- responses (pure) ----------------------------------------------------------------------------
def parse_hit(raw: dict[str, Any], score: float, words: list[str]) -> Hit:
    src = raw.get("_source") or {}
    fragments = (raw.get("highlight") or {}).get("body") or []
    marked = next((f for f in fragments if "<mark>" in f), None)
    return Hit(
        id=src.get("id") or raw["_id"],
        score=score,
        title=src.get("title") or "",
        snippet=marked or snippet(src.get("body") or "", words),
        url=src.get("url") or "",
        kind=src.get("kind") or "",
        source=src.get("source") or "",
        competitor=src.get("competitor"),
        published=src.get("published"),
        themes=list(src.get("themes") or []),
        move_type=src.get("move_type"),
        mentions=list(src.get("mentions") or []),
        event_id=src.get("event_id"),
        version=src.get("version"),
    )


def parse_total(resp: dict[str, Any]) -> int:
    total = resp.get("hits", {}).get("total", 0)
    return int(total["value"] if isinstance(total, dict) else total)


def parse_facets(resp: dict[str, Any], fields: Iterable[str]) -> dict[str, dict[str, int]]:
    aggs = resp.get("aggregations") or {}
    return {
        name: {
            str(b["key"]): int(b["doc_count"])
            for b in aggs.get(f"facet_{name}", {}).get("buckets", [])
        }
        for name in fields
    }


def hits_of(resp: dict[str, Any]) -> list[dict[str, Any]]:
    return list(resp.get("hits", {}).get("hits", []))
