"""The store: the only code that speaks SQL to its tables (the data dir's file, or PostgreSQL).

``Store`` is the SQLite implementation (``radar.store.sqlite``), built of parts that share one
connection; ``radar.store.schema`` holds every table and migration. ``radar.store.pg`` is the
PostgreSQL one (setting ``store_url``); ``open_store(settings)`` opens either for every caller.
What the layers above need of it is written as Protocols in ``radar.core.protocols``.
"""

from radar.core.settings import Settings
from radar.store.crawlstate import HISTORY, suspect_reason
from radar.store.db import corrupt_error, is_corruption
from radar.store.factory import open_store, store_is_file, store_location
from radar.store.schema import SCHEMA_VERSION
from radar.store.sqlite import STORE_FILE, Store, existing_store, store_path

__all__ = [
    "HISTORY",
    "SCHEMA_VERSION",
    "STORE_FILE",
    "Store",
    "corrupt_error",
    "existing_store",
    "is_corruption",
    "open_crawl_store",
    "open_store",
    "store_is_file",
    "store_location",
    "store_path",
    "suspect_reason",
]


def open_crawl_store(settings: Settings) -> Store:
    """The store a crawl writes to (``RADAR_STORE_OPENER`` names this factory)."""
    return open_store(settings)
