"""The Elasticsearch / OpenSearch index layout: names, the index template and its explicit mapping.

Pure data builders, no client: `search.elastic` puts the template and creates the physical index
``<index>-v<MAPPING_VERSION>-<generation>`` behind the alias ``<index>``. Any change to the mapping
below must bump MAPPING_VERSION: the next `radar index` then creates a new empty index, moves the
alias and the indexer refills it from the store (see docs/elasticsearch.md).
"""

from __future__ import annotations

from typing import Any

MAPPING_VERSION = 2  # 2: index_options pinned; physical indices are generations (elastic_index)
# HNSW over raw float32 vectors on both engines: Elasticsearch 8.14+ would otherwise quantise
# (int8_hnsw; 9.x bbq_hnsw at 384 dims and more) and rank differently from OpenSearch and SQLite.
HNSW = {"m": 16, "ef_construction": 100}
DEFAULT_DIMS = 384
DIALECTS = ("elasticsearch", "opensearch")

# SearchQuery / histogram field name -> indexed field
FIELD_MAP = {
    "competitor": "competitor",
    "theme": "themes",
    "move_type": "move_type",
    "kind": "kind",
    "source": "source",
}

_KEYWORDS = ("id", "kind", "source", "competitor", "move_type", "event_id", "version")
_KEYWORD_LISTS = ("themes", "theme_labels", "mentions")


def physical_name(alias: str, version: int | None = None) -> str:
    return f"{alias}-v{MAPPING_VERSION if version is None else version}"


def template_name(alias: str) -> str:
    return f"{alias}-template"


def index_settings(dialect: str = "elasticsearch") -> dict[str, Any]:
    settings: dict[str, Any] = {
        "analysis": {
            # readable (unstemmed) words for significant terms; `english` stems them
            "filter": {
                "radar_stop": {"type": "stop", "stopwords": "_english_"},
                "radar_min_length": {"type": "length", "min": 3},
            },
            "analyzer": {
                "radar_terms": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["lowercase", "radar_stop", "radar_min_length"],
                }
            },
        }
    }
    if dialect == "opensearch":
        settings["knn"] = True
    return settings


def vector_mapping(dims: int, dialect: str = "elasticsearch") -> dict[str, Any]:
    if dialect == "opensearch":
        return {
            "type": "knn_vector",
            "dimension": dims,
            "method": {
                "name": "hnsw",
                "space_type": "cosinesimil",
                "engine": "lucene",
                "parameters": dict(HNSW),
            },
        }
    return {
        "type": "dense_vector",
        "dims": dims,
        "index": True,
        "similarity": "cosine",
        "index_options": {"type": "hnsw", **HNSW},
    }


def mappings(dims: int = DEFAULT_DIMS, dialect: str = "elasticsearch") -> dict[str, Any]:
    english = {"type": "text", "analyzer": "english", "copy_to": "terms"}
    props: dict[str, Any] = {
        "title": {**english, "fields": {"raw": {"type": "keyword", "ignore_above": 512}}},
        "body": english,
        "terms": {"type": "text", "analyzer": "radar_terms"},
        "url": {"type": "keyword", "index": False},
        "published": {"type": "date"},
        "vector": vector_mapping(dims, dialect),
    }
    props.update({name: {"type": "keyword"} for name in _KEYWORDS + _KEYWORD_LISTS})
    return {
        "dynamic": "strict",
        "_meta": {"app": "market-radar", "mapping_version": MAPPING_VERSION, "dims": dims},
        "properties": props,
    }


def index_template(
    alias: str, dims: int = DEFAULT_DIMS, dialect: str = "elasticsearch"
) -> dict[str, Any]:
    """Keyword arguments for `indices.put_index_template` (both clients accept them as `body`)."""
    return {
        "index_patterns": [f"{alias}-v*"],
        "priority": 200,
        "template": {
            "settings": index_settings(dialect),
            "mappings": mappings(dims, dialect),
        },
        "_meta": {"app": "market-radar", "mapping_version": MAPPING_VERSION},
    }
