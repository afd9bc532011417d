"""The Elasticsearch backend (and OpenSearch through the same query building).

`search.get_backend(settings)` builds it; its parts live beside it: the connection and error
lines (`elastic_client`), the index lifecycle (`elastic_index`, layout in `elastic_mappings`),
request bodies and responses (`elastic_query`, `elastic_aggs`) and bulk writes (`elastic_bulk`).
Hybrid ranking runs the text and the vector queries apart and fuses them here (reciprocal rank
fusion), so it works on any licence. The `elasticsearch` client is imported only when the backend
is built.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import replace
from itertools import chain, islice
from typing import Any

from radar.core.errors import BackendError, RadarError
from search import elastic_mappings as layout
from search.base import IndexDoc, SearchQuery, SearchResult, TermTrend
from search.elastic_aggs import (
    build_histogram_body,
    build_significant_terms_body,
    parse_histogram,
    parse_significant_terms,
)
from search.elastic_bulk import (
    CHUNK,
    bulk_options,
    describe_item,
    doc_source,
    item_result,
    run_bulk,
)
from search.elastic_client import (
    body_of,
    client_module,
    cluster_version,
    make_client,
    reason_of,
    safe_url,
    status_of,
    translated,
    version_mismatch,
)
from search.elastic_index import AliasedIndex
from search.elastic_query import (
    MAX_WINDOW,
    build_facets_body,
    build_knn_body,
    build_search_body,
    hits_of,
    parse_facets,
    parse_hit,
    parse_total,
    text_clauses,
)
from search.fusion import HYBRID_WEIGHTS, rrf, window_size
from search.query import parse


class ElasticsearchBackend:
    """Documents live in ``<index>-v<MAPPING_VERSION>``; every request goes through the alias."""

    name = "elasticsearch"

    def __init__(
        self,
        url: str,
        index: str = "market-radar",
        username: str | None = None,
        password: str | None = None,
        api_key: str | None = None,
        verify_certs: bool = True,
        timeout: float = 10,
        client: Any = None,
        dims: int | None = None,
        dialect: str = "elasticsearch",
        bulk_retries: int = 3,
        initial_backoff: float = 1.0,
        max_backoff: float = 30.0,
    ):
        if dialect not in layout.DIALECTS:
            raise RadarError(f"unknown search dialect '{dialect}': use one of {layout.DIALECTS}")
        self.url, self.alias, self.dims, self.dialect = safe_url(url), index, dims, dialect
        self._helpers = client_module(dialect).helpers
        self.client = client or make_client(
            url, username, password, api_key, verify_certs, timeout, dialect
        )
        self._index = AliasedIndex(self.client, index, dialect)
        self._bulk = bulk_options(bulk_retries, initial_backoff, max_backoff)
        self._ready = False

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> ElasticsearchBackend:
        """From the es_* settings (env RADAR_ES_URL, RADAR_ES_API_KEY, ...); empty means unset."""
        return cls(
            settings["es_url"],
            index=settings["es_index"],
            username=settings["es_username"] or None,
            password=settings["es_password"] or None,
            api_key=settings["es_api_key"] or None,
            verify_certs=settings["es_verify_certs"],
            timeout=settings["es_timeout"],
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r}, index={self.alias!r})"

    def _errors(self, doing: str) -> AbstractContextManager[None]:
        return translated(self.url, doing)

    def _ensure(self, dims: int | None) -> None:
        if not self._ready:
            self._index.ensure(dims)
            self._ready = True

    # -- writing ----------------------------------------------------------------------------------
    def index(self, docs: Iterable[IndexDoc]) -> int:
        stream = iter(docs)
        first = list(islice(stream, CHUNK))
        if not first:
            return 0
        dims = self.dims or next((len(d.vector) for d in first if d.vector), None)
        with self._errors("creating the index"):
            self._ensure(dims)
        actions = (
            {"_op_type": "index", "_index": self.alias, "_id": d.id, "_source": doc_source(d)}
            for d in chain(first, stream)
        )
        written, failed = self._run_bulk(actions, "indexing")
        if failed:
            raise BackendError(
                f"Elasticsearch at {self.url}: {len(failed)} document(s) not indexed"
                f" ({written} were); first: {describe_item(failed[0])}"
            )
        return written

    def delete(self, ids: Iterable[str]) -> int:
        with self._errors("deleting"):
            if not self._index.targets():
                return 0
        actions = ({"_op_type": "delete", "_index": self.alias, "_id": i} for i in ids)
        deleted, failed = self._run_bulk(actions, "deleting")
        failed = [f for f in failed if item_result(f).get("status") != 404]
        if failed:
            raise BackendError(f"Elasticsearch at {self.url}: {describe_item(failed[0])}")
        return deleted

    def _run_bulk(self, actions: Iterable[dict[str, Any]], doing: str) -> tuple[int, list[Any]]:
        with self._errors(doing):
            return run_bulk(self._helpers, self.client, self.alias, actions, self._bulk)

    def count(self) -> int:
        with self._errors("counting"):
            if not self._index.targets() or self._index.outdated():
                return 0  # an index of an older layout is replaced, so the indexer refills it
            return self._index.count(self.alias)

    def clear(self) -> None:
        """A fresh empty index behind the alias (no `_delete_by_query`: see elastic_index)."""
        with self._errors("clearing the index"):
            current = self._index.targets()
            if current:
                dims = self._index.layout_of(current[0]).get("dims") if len(current) == 1 else None
                self._index.replace(current, self.dims or dims or layout.DEFAULT_DIMS)
                self._ready = False

    def check(self) -> None:
        """Reach the cluster with index privileges only (no `GET /`: cluster:monitor/main)."""
        try:
            with self._errors("connecting"):
                self.client.indices.exists(index=self.alias)
        except BackendError as exc:
            if "speaks another major version" in str(exc):
                raise BackendError(
                    version_mismatch(self.url, cluster_version(self.client))
                ) from None
            raise

    def close(self) -> None:
        self.client.close()

    # -- searching --------------------------------------------------------------------------------
    def _search(self, body: dict[str, Any]) -> dict[str, Any]:
        """The response; an empty one while the index does not exist yet."""
        if "highlight" in body:  # a huge body truncates its highlight instead of failing
            key = "max_analyzer_offset" if self.dialect == "opensearch" else "max_analyzed_offset"
            body = {**body, "highlight": {**body["highlight"], key: MAX_ANALYZED_OFFSET}}
        try:
            return body_of(self.client.search(index=self.alias, body=body))
        except Exception as exc:
            if status_of(exc) == 404 and "index_not_found" in reason_of(exc):
                return {}
            raise

    def search(self, query: SearchQuery) -> SearchResult:
        words = parse(query.text).words
        with self._errors("searching"):
            if query.mode == "semantic" or (query.mode == "hybrid" and query.vector is not None):
                if query.vector is None:
                    raise BackendError(
                        "semantic search needs the query's vector (embed the text first)"
                    )
                return self._fused(query, words)
            resp = self._search(build_search_body(capped(query)))
            hits = [parse_hit(h, float(h.get("_score") or 0.0), words) for h in hits_of(resp)]
            return SearchResult(parse_total(resp), hits, parse_facets(resp, query.facets))

    def _fused(self, query: SearchQuery, words: list[str]) -> SearchResult:
        """Semantic or hybrid: each ranking's candidate window, fused on this side, then the page."""
        k = window_size(query.offset, query.limit)
        nearest = hits_of(self._search(build_knn_body(query, k, self.dialect)))
        rankings = [[h["_id"] for h in nearest]]
        raw = {h["_id"]: h for h in nearest}
        facets_resp: dict[str, Any] | None = None
        if query.mode == "hybrid" and text_clauses(query.text):
            facets_resp = self._search(build_search_body(query, window=k))
            matched = hits_of(facets_resp)
            rankings.insert(0, [h["_id"] for h in matched])
            raw.update({h["_id"]: h for h in matched})  # their snippets come from the text query
        fused = _fuse(rankings, nearest)
        if query.sort == "date":
            day = {i: (raw[i]["_source"].get("published") or "")[:10] for i, _ in fused}
            fused.sort(key=lambda pair: day[pair[0]], reverse=True)  # undated last
        page = fused[query.offset : query.offset + max(query.limit, 0)]
        hits = [parse_hit(raw[i], score, words) for i, score in page]
        if query.facets and facets_resp is None:
            facets_resp = self._search(build_facets_body(query))
        return SearchResult(len(fused), hits, parse_facets(facets_resp or {}, query.facets))

    # -- aggregations -----------------------------------------------------------------------------
    def histogram(
        self, by: str, interval: str = "week", query: SearchQuery | None = None
    ) -> dict[str, dict[str, int]]:
        body = build_histogram_body(by, interval, query or SearchQuery())
        with self._errors("counting over time"):
            return parse_histogram(self._search(body))

    def significant_terms(
        self,
        since: str,
        until: str | None = None,
        background_since: str | None = None,
        query: SearchQuery | None = None,
        size: int = 20,
    ) -> list[TermTrend]:
        body = build_significant_terms_body(since, until, background_since, query, size)
        with self._errors("finding significant terms"):
            return parse_significant_terms(self._search(body))


MAX_ANALYZED_OFFSET = 999_999  # below index.highlight.max_analyzed_offset (1,000,000)


def capped(query: SearchQuery) -> SearchQuery:
    """Pages past index.max_result_window come back empty (with the total), never refused."""
    if query.offset + max(query.limit, 0) <= MAX_WINDOW:
        return query
    return replace(query, offset=min(query.offset, MAX_WINDOW), limit=0)


def _fuse(rankings: list[list[str]], nearest: list[dict[str, Any]]) -> list[tuple[str, float]]:
    """Reciprocal rank fusion of text and vector rankings; the vector scores when alone."""
    if len(rankings) > 1:
        return rrf(rankings, weights=HYBRID_WEIGHTS)
    return [(h["_id"], float(h.get("_score") or 0.0)) for h in nearest]
