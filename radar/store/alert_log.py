"""The alert delivery log: each match queued once per rule and channel, marked sent on success.

Rows are written before anything is sent and marked sent only after the channel accepted them,
so a failed or interrupted delivery stays queued (see radar.alerts for the guarantee).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from radar.core.records import utcnow
from radar.core.stored import Delivery
from radar.store.db import Db

_COLUMNS = "rule_id, key, channel, line, status, attempts, last_error, created, sent_at"


def _delivery(row: Any) -> Delivery:
    return Delivery(**dict(row))


def _marks(keys: list[str]) -> str:
    return ",".join("?" * len(keys))


class AlertDeliveries:
    def __init__(self, db: Db):
        self.db = db

    def alert_mark(self, rule_id: str) -> int | None:
        """The item sequence number up to which a rule has been matched (None: never run)."""
        seq = self.db.scalar("SELECT seq FROM alert_state WHERE rule_id = ?", (rule_id,))
        return None if seq is None else int(seq)

    def queue_alerts(
        self, rule_id: str, channels: Sequence[str], lines: dict[str, str], mark: int | None = None
    ) -> None:
        """Queue key -> line for each channel (a key queued before stays as it was), and move
        the rule's mark: one transaction."""
        now = utcnow()
        with self.db.transaction():
            self.db.executemany(
                "INSERT OR IGNORE INTO alert_deliveries (rule_id, key, channel, line, created)"
                " VALUES (?, ?, ?, ?, ?)",
                [(rule_id, key, ch, line, now) for key, line in lines.items() for ch in channels],
            )
            if mark is not None:
                self.db.execute(
                    "INSERT INTO alert_state (rule_id, seq, updated) VALUES (?, ?, ?)"
                    " ON CONFLICT(rule_id) DO UPDATE SET seq = excluded.seq, updated = excluded.updated",
                    (rule_id, mark, now),
                )

    def pending_alerts(self, rule_id: str, channel: str) -> list[Delivery]:
        """Lines of a rule and channel not sent yet (new or failed before), oldest first."""
        rows = self.db.rows(
            f"SELECT {_COLUMNS} FROM alert_deliveries WHERE rule_id = ? AND channel = ?"
            " AND status != 'sent' ORDER BY created, key",
            (rule_id, channel),
        )
        return [_delivery(r) for r in rows]

    def mark_sent(self, rule_id: str, channel: str, keys: list[str]) -> None:
        self.db.execute(
            "UPDATE alert_deliveries SET status = 'sent', attempts = attempts + 1, sent_at = ?,"
            f" last_error = NULL WHERE rule_id = ? AND channel = ? AND key IN ({_marks(keys)})",
            (utcnow(), rule_id, channel, *keys),
        )

    def mark_failed(self, rule_id: str, channel: str, keys: list[str], error: str) -> None:
        self.db.execute(
            "UPDATE alert_deliveries SET status = 'failed', attempts = attempts + 1, last_error = ?"
            f" WHERE rule_id = ? AND channel = ? AND key IN ({_marks(keys)})",
            (error, rule_id, channel, *keys),
        )

    def delivery_history(self, limit: int = 50) -> list[Delivery]:
        """The log, newest first (by when sent, else when queued)."""
        rows = self.db.rows(
            f"SELECT {_COLUMNS} FROM alert_deliveries"
            " ORDER BY COALESCE(sent_at, created) DESC LIMIT ?",
            (limit,),
        )
        return [_delivery(r) for r in rows]

    def count_unsent(self) -> int:
        return int(self.db.scalar("SELECT COUNT(*) FROM alert_deliveries WHERE status != 'sent'"))
