"""The store: the only code that speaks SQL to the data dir's database file.

``Store`` is the SQLite implementation (``radar.store.sqlite``), built of parts that share one
connection; ``radar.store.schema`` holds every table and migration. What the layers above need
of it is written as Protocols in ``radar.core.protocols``.
"""

from radar.core.settings import Settings
from radar.store.crawlstate import HISTORY, suspect_reason
from radar.store.db import corrupt_error, is_corruption
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
    "store_path",
    "suspect_reason",
]


def open_crawl_store(settings: Settings) -> Store:
    """The store a crawl writes to (``RADAR_STORE_OPENER`` names this factory)."""
    return Store.in_dir(settings.data_dir, settings["broken_drop_ratio"])
