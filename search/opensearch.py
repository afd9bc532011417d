"""The OpenSearch dialect: `search_backend: opensearch`, through `opensearch-py` (the opensearch extra).

The Elasticsearch client refuses servers without the `X-Elastic-Product` header, so OpenSearch
gets its own client; everything else is the Elasticsearch backend's, with the dialect's
differences kept in the builders: `knn_vector` (HNSW, Lucene engine, cosine) in
`elastic_mappings`, the `knn` query in `elastic_query`. The es_* settings serve both dialects.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from search.elastic import ElasticsearchBackend
from search.elastic_client import client_module


def make_client(
    url: str,
    username: str | None = None,
    password: str | None = None,
    api_key: str | None = None,
    verify_certs: bool = True,
    timeout: float = 10,
) -> Any:
    """An `opensearchpy.OpenSearch` client with the same retries and timeouts."""
    opensearchpy = client_module("opensearch")
    options: dict[str, Any] = {
        "timeout": timeout,
        "max_retries": 3,
        "retry_on_timeout": True,
        "retry_on_status": (429, 502, 503, 504),
    }
    if api_key:
        options["headers"] = {"authorization": f"ApiKey {api_key}"}
    elif username:
        options["http_auth"] = (username, password or "")
    if url.startswith("https:"):
        options["verify_certs"] = verify_certs
    return opensearchpy.OpenSearch([url], **options)


class OpenSearchBackend(ElasticsearchBackend):
    name = "opensearch"

    def __init__(self, url: str, **kwargs: Any):
        if kwargs.get("client") is None:
            auth = ("username", "password", "api_key", "verify_certs", "timeout")
            kwargs["client"] = make_client(url, **{k: kwargs.pop(k) for k in auth if k in kwargs})
        super().__init__(url, dialect="opensearch", **kwargs)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> OpenSearchBackend:
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
        return f"OpenSearchBackend({self.url!r}, index={self.alias!r})"
