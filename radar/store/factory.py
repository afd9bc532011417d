"""The one way to open the store: SQLite in the data dir, or PostgreSQL when `store_url` says so."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from radar.store.sqlite import Store, existing_store, store_path

CRAWL_FIRST = "run `radar crawl` first"


def open_store(
    settings: Mapping[str, Any],
    *,
    path: str | Path | None = None,
    create: bool = True,
    read_only: bool = False,
    hint: str = CRAWL_FIRST,
) -> Store:
    """The store the settings name. SQLite: `path`, else radar.db in the data dir, which must
    exist unless `create` (a one-line error saying `hint` otherwise). PostgreSQL: created on
    first use, and the embedded search index goes to a file of its own in the data dir."""
    ratio = float(settings.get("broken_drop_ratio", 0.5))
    if settings.get("store_url"):
        from radar.store.pg import SEARCH_FILE, PgStore

        search = Path(settings["data_dir"]) / SEARCH_FILE
        return PgStore(settings["store_url"], ratio, read_only, search_path=search)
    if path is None:
        data_dir = settings["data_dir"]
        path = store_path(data_dir) if create else existing_store(data_dir, hint)
    return Store(path, ratio, read_only)


def store_is_file(settings: Mapping[str, Any]) -> bool:
    """Whether the store is the SQLite file in the data dir (not PostgreSQL)."""
    return not settings.get("store_url")


def store_location(settings: Mapping[str, Any]) -> str:
    """Where the store is, for people: the SQLite file, or the PostgreSQL URL without password."""
    if store_is_file(settings):
        return str(store_path(settings["data_dir"]))
    from radar.store.pg.db import shown_url

    return shown_url(settings["store_url"])
