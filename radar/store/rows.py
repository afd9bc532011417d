"""Rows of the items table to records: nothing but records cross the store's boundary."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from radar.core.records import Item

_JSON_FIELDS = ("themes", "mentions", "extra")


def row_to_item(row: sqlite3.Row | dict[str, Any]) -> Item:
    data = dict(row)
    data.pop("seq", None)
    data.pop("enriched_hash", None)
    for key in _JSON_FIELDS:
        data[key] = json.loads(data[key])
    return Item(**data)
