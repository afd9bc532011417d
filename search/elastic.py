"""The Elasticsearch backend (and OpenSearch through the same query building).

The request bodies are built by pure functions (``build_*``) and read back by pure functions
(``parse_*``), so they are unit-tested without a cluster and shared by both dialects. User text is
searched as plain words (`search.query.parse`), never as query_string syntax. Hybrid ranking runs
the text and the vector queries apart and fuses them here (reciprocal rank fusion), so it works on
any licence. The `elasticsearch` client is imported only when the backend is built.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, timedelta
from itertools import chain, islice
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from radar.errors import BackendError, RadarError
from search import elastic_mappings as layout
from search.base import (
    FILTER_FIELDS,
    INTERVALS,
    Hit,
    IndexDoc,
    SearchQuery,
    SearchResult,
    TermTrend,
)
from search.fusion import HYBRID_WEIGHTS, rrf, window_size
from search.query import parse, parse_day, snippet, strip_markers

logger = logging.getLogger(__name__)

INSTALL_HINT = "the Elasticsearch backend needs: pip install 'market-radar[es]'"
TEXT_FIELDS = ["title^3", "body"]
HISTOGRAM_FIELDS = {
    "theme": "themes",
    "competitor": "competitor",
    "move_type": "move_type",
    "kind": "kind",
}
SOURCE_EXCLUDES = ["vector"]
FACET_SIZE = 100
HISTOGRAM_TERMS = 500
SAMPLE_SIZE = 2000  # documents per shard that significant_text re-analyses
MAX_WINDOW = 10_000  # Elasticsearch's index.max_result_window and knn num_candidates ceiling
CHUNK = 500
REINDEX_TIMEOUT = 3600
HIGHLIGHT = {
    "encoder": "html",
    "pre_tags": ["<mark>"],
    "post_tags": ["</mark>"],
    "fields": {"body": {"fragment_size": 200, "number_of_fragments": 1}},
}


# -- request bodies (pure) -----------------------------------------------------------------------
def text_clauses(text: str | None) -> list[dict[str, Any]]:
    """Every word must match title or body (like the embedded backend), every phrase too."""
    parsed = parse(text)
    clauses: list[dict[str, Any]] = []
    if parsed.terms:
        clauses.append(
            {
                "multi_match": {
                    "query": " ".join(parsed.terms),
                    "fields": TEXT_FIELDS,
                    "type": "cross_fields",
                    "operator": "and",
                }
            }
        )
    for phrase in parsed.phrases:
        clauses.append(
            {"multi_match": {"query": " ".join(phrase), "fields": TEXT_FIELDS, "type": "phrase"}}
        )
    return clauses


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


def build_histogram_body(by: str, interval: str, query: SearchQuery) -> dict[str, Any]:
    if by not in HISTOGRAM_FIELDS:
        raise RadarError(f"cannot count by '{by}': use one of {', '.join(HISTOGRAM_FIELDS)}")
    if interval not in INTERVALS:
        raise RadarError(f"unknown interval '{interval}': use one of {', '.join(INTERVALS)}")
    histogram = {
        "field": "published",
        "calendar_interval": interval,  # weeks start on Monday
        "format": "yyyy-MM-dd",
        "min_doc_count": 1,
    }
    terms = {"terms": {"field": HISTOGRAM_FIELDS[by], "size": HISTOGRAM_TERMS}}
    return {
        "size": 0,
        "query": build_bool(query),
        "aggs": {"buckets": {"date_histogram": histogram, "aggs": {"by": terms}}},
    }


def build_significant_terms_body(
    since: str,
    until: str | None = None,
    background_since: str | None = None,
    query: SearchQuery | None = None,
    size: int = 20,
) -> dict[str, Any]:
    """Words of the period [since, until] against the background [background_since, since)."""
    base = query or SearchQuery()
    start = parse_day(since, "since")
    assert start is not None
    before = (date.fromisoformat(start) - timedelta(days=1)).isoformat()
    foreground = replace(base, since=start, until=until)
    background = replace(base, since=background_since, until=before)
    significant = {
        "field": "terms",
        "source_fields": ["title", "body"],
        "filter_duplicate_text": True,
        "size": size,
        "min_doc_count": 2,
        "background_filter": build_bool(background),
    }
    return {
        "size": 0,
        "query": build_bool(foreground),
        "aggs": {
            "sample": {
                "sampler": {"shard_size": SAMPLE_SIZE},
                "aggs": {"terms": {"significant_text": significant}},
            }
        },
    }


def doc_source(doc: IndexDoc) -> dict[str, Any]:
    source: dict[str, Any] = {
        "id": doc.id,
        "title": strip_markers(doc.title),
        "body": strip_markers(doc.body),
        "url": doc.url,
        "kind": doc.kind,
        "source": doc.source,
        "competitor": doc.competitor,
        "published": normalise_date(doc.published),
        "themes": list(doc.themes),
        "theme_labels": list(doc.theme_labels),
        "move_type": doc.move_type,
        "mentions": list(doc.mentions),
        "event_id": doc.event_id,
        "version": doc.version,
    }
    if doc.vector is not None and any(doc.vector):  # cosine rejects zero vectors
        source["vector"] = [float(x) for x in doc.vector]
    return source


def normalise_date(value: str | None) -> str | None:
    """An ISO date or datetime Elasticsearch accepts; None for anything unreadable."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip()).isoformat()
    except ValueError:
        pass
    try:
        return date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        return None


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


def parse_histogram(resp: dict[str, Any]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for bucket in (resp.get("aggregations") or {}).get("buckets", {}).get("buckets", []):
        counts = {str(t["key"]): int(t["doc_count"]) for t in bucket["by"]["buckets"]}
        if counts:
            out[bucket["key_as_string"][:10]] = counts
    return out


def parse_significant_terms(resp: dict[str, Any]) -> list[TermTrend]:
    sample = (resp.get("aggregations") or {}).get("sample", {})
    return [
        TermTrend(
            term=str(b["key"]),
            score=float(b.get("score", 0.0)),
            count=int(b["doc_count"]),
            background=int(b.get("bg_count", 0)),
        )
        for b in sample.get("terms", {}).get("buckets", [])
    ]


# -- errors (pure) -------------------------------------------------------------------------------
def safe_url(url: str) -> str:
    """The URL without user:password@ (URLs go into messages and logs; passwords never do)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _status(exc: BaseException) -> int | None:
    status = getattr(getattr(exc, "meta", None), "status", None)
    if status is None:
        status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def _reason(exc: BaseException) -> str:
    body = getattr(exc, "body", None) or getattr(exc, "info", None)
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return f"{error.get('type')}: {error.get('reason')}"
    return str(error or getattr(exc, "message", None) or exc)


def one_line(text: str, limit: int = 300) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_error(exc: BaseException, url: str, doing: str) -> str:
    """One readable line for a client exception (Elasticsearch or OpenSearch client)."""
    status, name, text = _status(exc), type(exc).__name__, str(exc).lower()
    where = f"Elasticsearch at {url}"
    if status == 401:
        return f"{where} rejected the credentials while {doing} (401): check es_username / es_password or es_api_key"
    if status == 403:
        return f"{where} refused {doing} (403): the user or API key lacks a privilege on the index"
    if name == "UnsupportedProductError":
        return f"{url} does not answer as Elasticsearch while {doing}: check es_url"
    if status is None and ("Connection" in name or "Timeout" in name or "SSL" in name):
        why = (
            "timed out" if "timeout" in name.lower() or "timed out" in text else "connection failed"
        )
        why = "connection refused" if "refused" in text else why
        why = "TLS error: check es_verify_certs" if "SSL" in name else why
        return f"cannot reach {where} while {doing} ({why}): is it running? (setting es_url, env RADAR_ES_URL)"
    if status is not None:
        return one_line(f"{where} answered {status} while {doing}: {_reason(exc)}")
    return one_line(f"{where} failed while {doing}: {name}: {exc}")


def item_result(item: dict[str, Any]) -> dict[str, Any]:
    """The inside of one bulk response entry: {"index": {...}} -> {...}."""
    result = next(iter(item.values()), None) if item else None
    return result if isinstance(result, dict) else {}


def describe_item(item: dict[str, Any]) -> str:
    """The reason one bulk item failed, from its response entry."""
    result = item_result(item)
    error = result.get("error")
    reason = f"{error.get('type')}: {error.get('reason')}" if isinstance(error, dict) else error
    return one_line(f"id {result.get('_id')}: {reason or result.get('status')}")


# -- the backend ---------------------------------------------------------------------------------
def _client_module(dialect: str) -> Any:
    try:
        if dialect == "opensearch":
            import opensearchpy
            import opensearchpy.helpers

            return opensearchpy
        import elasticsearch
        import elasticsearch.helpers

        return elasticsearch
    except ImportError:
        if dialect == "opensearch":
            raise RadarError("the OpenSearch dialect needs: pip install opensearch-py") from None
        raise RadarError(INSTALL_HINT) from None


def make_client(
    url: str,
    username: str | None = None,
    password: str | None = None,
    api_key: str | None = None,
    verify_certs: bool = True,
    timeout: float = 10,
) -> Any:
    """An `elasticsearch.Elasticsearch` client with retries on 429/502/503/504 and timeouts."""
    es = _client_module("elasticsearch")
    options: dict[str, Any] = {
        "request_timeout": timeout,
        "max_retries": 3,
        "retry_on_timeout": True,
        "retry_on_status": (429, 502, 503, 504),
    }
    if api_key:
        options["api_key"] = api_key
    elif username:
        options["basic_auth"] = (username, password or "")
    if url.startswith("https:"):
        options["verify_certs"] = verify_certs
    return es.Elasticsearch(url, **options)


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
        self._helpers = _client_module(dialect).helpers
        self.client = client or make_client(url, username, password, api_key, verify_certs, timeout)
        self._bulk = {
            "chunk_size": CHUNK,
            "max_retries": bulk_retries,
            "initial_backoff": initial_backoff,
            "max_backoff": max_backoff,
            "raise_on_error": False,
        }
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
        return f"ElasticsearchBackend({self.url!r}, index={self.alias!r})"

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        try:
            yield
        except RadarError:
            raise
        except Exception as exc:
            raise BackendError(describe_error(exc, self.url, doing)) from None

    # -- the index, its template and alias --------------------------------------------------------
    def _targets(self) -> list[str]:
        """The physical indices behind the alias ([] before the first `radar index`)."""
        try:
            found = _body(self.client.indices.get_alias(name=self.alias))
        except Exception as exc:
            if _status(exc) == 404:
                return []
            raise
        return sorted(found)

    def _ensure(self, dims: int) -> None:
        """Template, versioned index and alias; reindex when MAPPING_VERSION changed."""
        if self._ready:
            return
        target = layout.physical_name(self.alias)
        indices = self.client.indices
        indices.put_index_template(
            name=layout.template_name(self.alias),
            body=layout.index_template(self.alias, dims, self.dialect),
        )
        current = self._targets()
        if target not in current:
            if not indices.exists(index=target):
                self._create(target, dims)
            if current:
                self._migrate(current, target)
            else:
                add = {"index": target, "alias": self.alias, "is_write_index": True}
                indices.update_aliases(body={"actions": [{"add": add}]})
        self._ready = True

    def _create(self, target: str, dims: int) -> None:
        body = {
            "settings": layout.index_settings(self.dialect),
            "mappings": layout.mappings(dims, self.dialect),
        }
        try:
            self.client.indices.create(index=target, body=body)
        except Exception as exc:  # another worker created it first
            if "resource_already_exists" not in _reason(exc):
                raise

    def _migrate(self, old: list[str], target: str) -> None:
        logger.info("search mapping changed: reindexing %s into %s", ", ".join(old), target)
        client = self.client
        if hasattr(client, "options"):
            client = client.options(request_timeout=REINDEX_TIMEOUT)
        body = {"source": {"index": ",".join(old)}, "dest": {"index": target}}
        resp = _body(client.reindex(body=body, refresh=True, wait_for_completion=True))
        if resp.get("failures"):
            raise BackendError(
                one_line(f"reindexing {', '.join(old)} into {target} failed: {resp['failures'][0]}")
            )
        actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": self.alias}} for i in old]
        actions.append({"add": {"index": target, "alias": self.alias, "is_write_index": True}})
        self.client.indices.update_aliases(body={"actions": actions})
        logger.info("alias %s now on %s; %s kept (delete when done)", self.alias, target, old)

    # -- writing ----------------------------------------------------------------------------------
    def index(self, docs: Iterable[IndexDoc]) -> int:
        stream = iter(docs)
        first = list(islice(stream, CHUNK))
        if not first:
            return 0
        dims = self.dims or next((len(d.vector) for d in first if d.vector), layout.DEFAULT_DIMS)
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
            if not self._targets():
                return 0
        actions = ({"_op_type": "delete", "_index": self.alias, "_id": i} for i in ids)
        deleted, failed = self._run_bulk(actions, "deleting")
        failed = [f for f in failed if item_result(f).get("status") != 404]
        if failed:
            raise BackendError(f"Elasticsearch at {self.url}: {describe_item(failed[0])}")
        return deleted

    def _run_bulk(self, actions: Iterable[dict[str, Any]], doing: str) -> tuple[int, list[Any]]:
        done, failed = 0, []
        with self._errors(doing):
            try:
                for ok, item in self._helpers.streaming_bulk(self.client, actions, **self._bulk):
                    if ok:
                        done += 1
                    else:
                        failed.append(item)
            finally:
                if done:
                    self.client.indices.refresh(index=self.alias)
        return done, failed

    def count(self) -> int:
        with self._errors("counting"):
            if not self._targets():
                return 0
            return int(_body(self.client.count(index=self.alias))["count"])

    def clear(self) -> None:
        with self._errors("clearing the index"):
            if self._targets():
                self.client.delete_by_query(
                    index=self.alias,
                    body={"query": {"match_all": {}}},
                    refresh=True,
                    conflicts="proceed",
                )

    def check(self) -> None:
        with self._errors("connecting"):
            self.client.info()

    def close(self) -> None:
        self.client.close()

    # -- searching --------------------------------------------------------------------------------
    def _search(self, body: dict[str, Any]) -> dict[str, Any]:
        """The response; an empty one while the index does not exist yet."""
        try:
            return _body(self.client.search(index=self.alias, body=body))
        except Exception as exc:
            if _status(exc) == 404 and "index_not_found" in _reason(exc):
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
            resp = self._search(build_search_body(query))
            hits = [parse_hit(h, float(h.get("_score") or 0.0), words) for h in _hits(resp)]
            return SearchResult(parse_total(resp), hits, parse_facets(resp, query.facets))

    def _fused(self, query: SearchQuery, words: list[str]) -> SearchResult:
        """Semantic or hybrid: each ranking's candidate window, fused on this side, then the page."""
        k = window_size(query.offset, query.limit)
        nearest = _hits(self._search(build_knn_body(query, k, self.dialect)))
        rankings = [[h["_id"] for h in nearest]]
        raw = {h["_id"]: h for h in nearest}
        facets_resp: dict[str, Any] | None = None
        if query.mode == "hybrid" and text_clauses(query.text):
            facets_resp = self._search(build_search_body(query, window=k))
            matched = _hits(facets_resp)
            rankings.insert(0, [h["_id"] for h in matched])
            raw.update({h["_id"]: h for h in matched})  # their snippets come from the text query
        if len(rankings) > 1:
            fused = rrf(rankings, weights=HYBRID_WEIGHTS)
        else:
            fused = [(h["_id"], float(h.get("_score") or 0.0)) for h in nearest]
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


def _body(resp: Any) -> dict[str, Any]:
    """The JSON body of a response (elasticsearch-py wraps it; opensearch-py does not)."""
    body = getattr(resp, "body", resp)
    return body if isinstance(body, dict) else {}


def _hits(resp: dict[str, Any]) -> list[dict[str, Any]]:
    return list(resp.get("hits", {}).get("hits", []))
