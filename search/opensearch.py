"""The OpenSearch dialect: `search_backend: opensearch`, through `opensearch-py` (the opensearch extra).

The Elasticsearch client refuses servers without the `X-Elastic-Product` header, so OpenSearch
gets its own client; everything else is the Elasticsearch backend's, with the dialect's
differences kept in the builders: `knn_vector` (HNSW, Lucene engine, cosine) in
`elastic_mappings`, the `knn` query in `elastic_query`. The es_* settings serve both dialects.
"""

from __future__ import annotations

from typing import Any

from search.elastic import ElasticsearchBackend


class OpenSearchBackend(ElasticsearchBackend):
    name = "opensearch"

    def __init__(self, url: str, **kwargs: Any):
        super().__init__(url, dialect="opensearch", **kwargs)
