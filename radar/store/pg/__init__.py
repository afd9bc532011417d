"""The store in PostgreSQL (``store_url: postgresql://…``); needs the ``postgres`` extra.

Nothing outside radar.store imports this package: `radar.store.open_store` picks it.
"""

from radar.store.pg.db import PgStoreError, close_pools, shown_url
from radar.store.pg.schema import SCHEMA_VERSION
from radar.store.pg.store import SEARCH_FILE, PgStore

__all__ = ["SCHEMA_VERSION", "SEARCH_FILE", "PgStore", "PgStoreError", "close_pools", "shown_url"]
