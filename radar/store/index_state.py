"""What `radar index` reads: items by sequence number, and its high-water mark per backend."""

from __future__ import annotations

from radar.core.records import utcnow
from radar.core.stored import IndexState, SeqItem
from radar.store.changes import attach_changes
from radar.store.db import Db
from radar.store.rows import row_to_item


class IndexStates:
    def __init__(self, db: Db):
        self.db = db

    def items_since(self, seq: int, limit: int) -> list[SeqItem]:
        """Items whose sequence number is above `seq`, in seq order, at most `limit`."""
        rows = list(
            self.db.rows("SELECT * FROM items WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit))
        )
        items = attach_changes(self.db, [row_to_item(r) for r in rows])
        return [SeqItem(int(r["seq"]), item) for r, item in zip(rows, items, strict=True)]

    def count_items_since(self, seq: int) -> int:
        return int(self.db.scalar("SELECT COUNT(*) FROM items WHERE seq > ?", (seq,)))

    def count_active_up_to(self, seq: int) -> int:
        return int(
            self.db.scalar(
                "SELECT COUNT(*) FROM items WHERE seq <= ? AND status = 'active'", (seq,)
            )
        )

    def index_state(self, backend: str) -> IndexState | None:
        row = self.db.one(
            "SELECT backend, seq, updated, vector_model FROM index_state WHERE backend = ?",
            (backend,),
        )
        if row is None:
            return None
        return IndexState(row[0], int(row[1]), str(row[2]), row[3])

    def save_index_state(self, backend: str, seq: int, vector_model: str | None) -> None:
        self.db.execute(
            "INSERT INTO index_state (backend, seq, updated, vector_model) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(backend) DO UPDATE SET seq = excluded.seq, updated = excluded.updated,"
            " vector_model = excluded.vector_model",
            (backend, seq, utcnow(), vector_model),
        )
