"""The PostgreSQL store: the same facade as the SQLite `Store`, its parts on a pooled connection.

Several processes (crawl workers, `radar serve` replicas) share one database: upserts lock the
item's row, `seq` comes from a sequence, and each source's result is one transaction, as in
SQLite. The embedded search index, when it is the search backend, stays a file in the data
dir (`path`); a shared index is an Elasticsearch or OpenSearch cluster.
"""

from __future__ import annotations

from pathlib import Path

from radar.store.index_state import IndexStates
from radar.store.pg.db import PgDb
from radar.store.pg.parts import (
    PgAlertDeliveries,
    PgCrawlState,
    PgEnrichment,
    PgItems,
    PgRuns,
    PgThemes,
)
from radar.store.sqlite import Store

SEARCH_FILE = "search.db"  # the embedded search index beside a PostgreSQL store


class PgStore(Store):
    """A store in PostgreSQL. Like `Store`, one object is used by one thread at a time."""

    def __init__(
        self,
        url: str,
        broken_drop_ratio: float = 0.5,
        read_only: bool = False,
        search_path: str | Path = SEARCH_FILE,
    ):  # the SQLite Store's __init__ opens a file: nothing of it applies here
        self.url = url
        self.path = Path(search_path)
        self._db = PgDb(url, read_only)
        self._items = PgItems(self._db)
        self._crawl = PgCrawlState(self._db, self._items, broken_drop_ratio)
        self._runs = PgRuns(self._db)
        self._enrich = PgEnrichment(self._db)
        self._themes = PgThemes(self._db)
        self._index = IndexStates(self._db)
        self._alerts = PgAlertDeliveries(self._db)
