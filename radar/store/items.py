"""Items and their revisions: insert, change, revive, read back as `Item` records."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from radar.core.records import Item, utcnow
from radar.store.changes import attach_changes, attach_each, insert_changes, write_changes
from radar.store.db import Db
from radar.store.rows import row_to_item

_COUNTABLE = {"source_id", "status", "kind", "competitor", "event_id"}
_INSERT = (
    "INSERT INTO items (id, source_id, competitor, kind, title, body, url, version, published,"
    " first_seen, last_seen, content_hash, language, status, removed_at, themes, move_type,"
    " mentions, event_id, extra, seq) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
_CHANGE = (
    "UPDATE items SET title = ?, body = ?, url = ?, version = ?, published = COALESCE(?, published),"
    " content_hash = ?, language = COALESCE(?, language), last_seen = ?, status = 'active',"
    " removed_at = NULL, extra = ?, seq = ? WHERE id = ?"
)


def _row(item: Item, now: str, seq: int) -> tuple[Any, ...]:
    """The values of `_INSERT` for a new item."""
    return (
        item.id, item.source_id, item.competitor, item.kind, item.title, item.body, item.url,
        item.version, item.published, item.first_seen or now, item.last_seen or now,
        item.content_hash, item.language, item.status, item.removed_at,
        _json(item.themes), item.move_type, _json(item.mentions), item.event_id,
        _json(item.extra), seq,
    )  # fmt: skip


def _json(value: list[Any] | dict[str, Any]) -> str:
    """``json.dumps``, without its cost for the usual empty list or dict."""
    if value:
        return json.dumps(value)
    return "[]" if isinstance(value, list) else "{}"


class Items:
    def __init__(self, db: Db):
        self.db = db

    # -- writing -----------------------------------------------------------------------------------
    def upsert_item(self, item: Item, run_id: int | None = None, now: str | None = None) -> str:
        """Store an item; return 'new', 'changed', 'revived' or 'unchanged'."""
        with self.db.transaction():
            return self.upsert(item, run_id, now or utcnow())

    def upsert_items(self, items: Iterable[Item], now: str | None = None) -> dict[str, int]:
        """Store many items in one transaction; outcome -> count."""
        counts: dict[str, int] = {}
        with self.db.transaction():
            for item in items:
                outcome = self.upsert(item, None, now or utcnow())
                counts[outcome] = counts.get(outcome, 0) + 1
        return counts

    def import_items(self, items: Iterable[Item]) -> dict[str, int]:
        """Store items one transaction each (an import stopped half-way keeps what it stored)."""
        counts: dict[str, int] = {}
        for item in items:
            outcome = self.upsert_item(item)
            counts[outcome] = counts.get(outcome, 0) + 1
        return counts

    def upsert_many(self, items: list[Item], run_id: int | None, now: str) -> dict[str, int]:
        """`upsert` for many items inside the caller's transaction, outcome -> count: one
        SELECT per 500 ids, the new items and their changes written with executemany."""
        counts = {"new": 0, "changed": 0, "unchanged": 0, "revived": 0}
        ids = [item.id for item in items]
        if len(set(ids)) < len(ids):  # an id twice: the second meets the first, one at a time
            for item in items:
                counts[self.upsert(item, run_id, now)] += 1
            return counts
        stored, fresh = self._stored(ids), []
        for item in items:
            row = stored.get(item.id)
            if row is None:
                fresh.append(_row(item, now, self.db.next_seq()))
                counts["new"] += 1
            else:
                counts[self._update(item, row, run_id, now)] += 1
        self.db.executemany(_INSERT, fresh)
        insert_changes(self.db, [item for item in items if item.id not in stored])
        return counts

    def _stored(self, ids: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self.db.rows(
                "SELECT id, title, body, content_hash, status FROM items"
                f" WHERE id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            out.update((row["id"], row) for row in rows)
        return out

    def upsert(self, item: Item, run_id: int | None, now: str) -> str:
        """The upsert inside the caller's transaction."""
        row = self.db.one(
            "SELECT title, body, content_hash, status FROM items WHERE id = ?", (item.id,)
        )
        if row is None:
            self._insert(item, now)
            return "new"
        return self._update(item, row, run_id, now)

    def _update(self, item: Item, row: Any, run_id: int | None, now: str) -> str:
        """An item already stored: seen again, revived, or changed (its old text kept)."""
        if row["content_hash"] == item.content_hash:
            return self._seen_again(item.id, row["status"] == "removed", now)
        self.db.execute(
            "INSERT INTO revisions (item_id, title, body, content_hash, replaced_at, run_id)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (item.id, row["title"], row["body"], row["content_hash"], now, run_id),
        )
        self.db.execute(_CHANGE, (
            item.title, item.body, item.url, item.version, item.published, item.content_hash,
            item.language, now, json.dumps(item.extra), self.db.next_seq(), item.id,
        ))  # fmt: skip
        write_changes(self.db, item.id, item.changes)
        return "changed"

    def _seen_again(self, item_id: str, removed: bool, now: str) -> str:
        if not removed:
            self.db.execute("UPDATE items SET last_seen = ? WHERE id = ?", (now, item_id))
            return "unchanged"
        self.db.execute(
            "UPDATE items SET last_seen = ?, status = 'active', removed_at = NULL, seq = ?"
            " WHERE id = ?",
            (now, self.db.next_seq(), item_id),
        )
        return "revived"

    def _insert(self, item: Item, now: str) -> None:
        self.db.execute(_INSERT, _row(item, now, self.db.next_seq()))
        write_changes(self.db, item.id, item.changes)

    # -- reading -----------------------------------------------------------------------------------
    def get_item(self, item_id: str) -> Item | None:
        row = self.db.one("SELECT * FROM items WHERE id = ?", (item_id,))
        return attach_changes(self.db, [row_to_item(row)])[0] if row else None

    def items(self, source_id: str | None = None, status: str | None = None) -> Iterator[Item]:
        sql, args = "SELECT * FROM items WHERE 1=1", list[str]()
        if source_id:
            sql, args = sql + " AND source_id = ?", [*args, source_id]
        if status:
            sql, args = sql + " AND status = ?", [*args, status]
        rows = self.db.rows(sql + " ORDER BY seq", args)
        yield from attach_each(self.db, (row_to_item(row) for row in rows))

    def known_hashes(self, source_id: str) -> dict[str, str]:
        """item id -> content hash (or the feed fingerprint kept in extra) for one source."""
        rows = self.db.rows(
            "SELECT id, content_hash, extra FROM items WHERE source_id = ? AND status = 'active'",
            (source_id,),
        )
        return {r["id"]: json.loads(r["extra"]).get("fingerprint", r["content_hash"]) for r in rows}

    def revisions(self, item_id: str) -> list[dict[str, Any]]:
        rows = self.db.rows("SELECT * FROM revisions WHERE item_id = ? ORDER BY id", (item_id,))
        return [dict(r) for r in rows]

    def count_items(self, **where: str) -> int:
        unknown = set(where) - _COUNTABLE
        if unknown:
            raise ValueError(f"cannot count items by {', '.join(sorted(unknown))}")
        sql = "SELECT COUNT(*) FROM items" + (
            "" if not where else " WHERE " + " AND ".join(f"{k} = ?" for k in where)
        )
        return int(self.db.scalar(sql, where.values()))

    def event_items(self, event_id: str, exclude: str | None = None, limit: int = 50) -> list[Item]:
        """The items of one event (the same story from several sources), oldest first."""
        rows = self.db.rows(
            "SELECT * FROM items WHERE event_id = ? AND id != ?"
            " ORDER BY COALESCE(published, first_seen), id LIMIT ?",
            (event_id, exclude or "", limit),
        )
        return attach_changes(self.db, [row_to_item(r) for r in rows])

    def newest_seq(self) -> int:
        return int(self.db.scalar("SELECT COALESCE(MAX(seq), 0) FROM items"))

    def enriched_items(self, after_seq: int | None = None, since: str | None = None) -> list[Item]:
        """Enriched active items past a sequence number, or dated on or after a day."""
        sql = "SELECT * FROM items WHERE status = 'active' AND enriched_hash IS NOT NULL"
        if after_seq is not None:
            rows = self.db.rows(sql + " AND seq > ?", (after_seq,))
        else:
            rows = self.db.rows(sql + " AND COALESCE(published, first_seen) >= ?", (since or "",))
        return attach_changes(self.db, [row_to_item(r) for r in rows])

    def active_items_since(self, day: str) -> list[Item]:
        rows = self.db.rows(
            "SELECT * FROM items WHERE status = 'active' AND COALESCE(published, first_seen) >= ?",
            (day,),
        )
        return attach_changes(self.db, [row_to_item(r) for r in rows])

    def week_items(self, first: str, last: str) -> list[Item]:
        """Active items dated (published, else first seen) from day `first` to day `last`."""
        rows = self.db.rows(
            "SELECT * FROM items WHERE status = 'active'"
            " AND substr(COALESCE(published, first_seen), 1, 10) BETWEEN ? AND ?"
            " ORDER BY COALESCE(published, first_seen), id",
            (first, last),
        )
        return attach_changes(self.db, [row_to_item(r) for r in rows])
