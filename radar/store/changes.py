"""The changes inside each release: written with their item, typed by enrichment, read back
attached to the items that hold them."""

from __future__ import annotations

from collections.abc import Iterable

from radar.core.records import Change, Item
from radar.store.db import Db

_CHUNK = 500
_INSERT = (
    "INSERT INTO changes (item_id, pos, text, section, move_type, importance, noise)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def write_changes(db: Db, item_id: str, changes: list[Change]) -> None:
    """Replace an item's changes (inside the caller's transaction)."""
    db.execute("DELETE FROM changes WHERE item_id = ?", (item_id,))
    db.executemany(_INSERT, [
        (item_id, pos, c.text, c.section, c.move_type, float(c.importance), int(c.noise))
        for pos, c in enumerate(changes)
    ])  # fmt: skip


def insert_changes(db: Db, items: list[Item]) -> None:
    """Write the changes of new items (they have none stored yet) in one executemany."""
    db.executemany(_INSERT, [
        (item.id, pos, c.text, c.section, c.move_type, float(c.importance), int(c.noise))
        for item in items
        for pos, c in enumerate(item.changes)
    ])  # fmt: skip


def attach_changes(db: Db, items: list[Item]) -> list[Item]:
    """Fill each item's ``changes`` from the table, in their order; returns the same list."""
    by_id = {item.id: item for item in items}
    ids = list(by_id)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        rows = db.rows(
            "SELECT item_id, text, section, move_type, importance, noise FROM changes"
            f" WHERE item_id IN ({','.join('?' * len(chunk))}) ORDER BY item_id, pos",
            chunk,
        )
        for row in rows:
            by_id[row[0]].changes.append(
                Change(row[1], row[2], row[3], float(row[4]), bool(row[5]))
            )
    return items


def attach_each(db: Db, items: Iterable[Item]) -> Iterable[Item]:
    """`attach_changes` over a stream of items, a chunk at a time."""
    chunk: list[Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == _CHUNK:
            yield from attach_changes(db, chunk)
            chunk = []
    yield from attach_changes(db, chunk)


def changes_of(db: Db, item_ids: list[str]) -> dict[str, list[Change]]:
    """Item id -> its changes, in order, for the items that have any."""
    items = attach_changes(db, [Item(id=i, source_id="", kind="", title="", body="", url="")
                                for i in dict.fromkeys(item_ids)])  # fmt: skip
    return {item.id: item.changes for item in items if item.changes}
