"""Search: one backend protocol, chosen by the `search_backend` setting.

    backend = get_backend(settings)
    result = backend.search(SearchQuery(text="pricing", mode="text", competitor=["acme"]))

Nothing outside this package imports a backend module directly.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from radar.core.errors import ConfigError
from search.base import (
    FILTER_FIELDS,
    INTERVALS,
    MODES,
    Hit,
    IndexDoc,
    SearchBackend,
    SearchQuery,
    SearchResult,
    TermTrend,
)

__all__ = [
    "FILTER_FIELDS",
    "INTERVALS",
    "MODES",
    "Hit",
    "IndexDoc",
    "SearchBackend",
    "SearchQuery",
    "SearchResult",
    "TermTrend",
    "get_backend",
]

BACKENDS = ("sqlite", "elasticsearch", "opensearch")


def get_backend(settings: Any, store_path: str | Path | None = None) -> SearchBackend:
    """The backend named by `search_backend`: the embedded SQLite one (default) or Elasticsearch.

    The SQLite backend keeps its tables in the store's file (`store_path`, default
    `<data_dir>/radar.db`) unless `search_sqlite_path` names another file.
    """
    name = settings.get("search_backend", "sqlite")
    if name == "sqlite":
        from search.sqlite import SQLiteBackend

        path = settings.get("search_sqlite_path") or store_path
        return SQLiteBackend(path or Path(settings["data_dir"]) / "radar.db")
    if name == "elasticsearch":
        module = importlib.import_module("search.elastic")
        cls = module.ElasticsearchBackend
        if hasattr(cls, "from_settings"):
            return cls.from_settings(settings)  # type: ignore[no-any-return]
        return cls(  # type: ignore[no-any-return]
            settings["es_url"],
            index=settings.get("es_index") or "market-radar",
            username=settings.get("es_username") or None,
            password=settings.get("es_password") or None,
            api_key=settings.get("es_api_key") or None,
        )
    if name == "opensearch":
        from search.opensearch import OpenSearchBackend

        return OpenSearchBackend.from_settings(settings)
    raise ConfigError(
        f"setting `search_backend`: unknown backend '{name}' (use {', '.join(BACKENDS)})"
    )
