"""What a crawl keeps between runs: source health, HTTP validators, page snapshots, removals."""

from __future__ import annotations

import json
import statistics
from typing import Any

from radar.core.records import SourceResult, utcnow
from radar.store.db import Db
from radar.store.items import Items

HISTORY = 10  # item counts kept per source for the "probably broken" check


class CrawlState:
    def __init__(self, db: Db, items: Items, broken_drop_ratio: float = 0.5):
        self.db = db
        self.items = items
        self.broken_drop_ratio = broken_drop_ratio

    def validators(self, url: str) -> dict[str, str]:
        row = self.db.one("SELECT etag, last_modified FROM http_validators WHERE url = ?", (url,))
        return {k: row[k] for k in ("etag", "last_modified") if row and row[k]}

    def snapshot(self, source_id: str) -> str | None:
        text = self.db.scalar("SELECT text FROM page_snapshots WHERE source_id = ?", (source_id,))
        return None if text is None else str(text)

    def source_health(self) -> list[dict[str, Any]]:
        rows = self.db.rows("SELECT * FROM sources ORDER BY id")
        return [{**dict(r), "counts": json.loads(r["counts"])} for r in rows]

    def record_source_result(
        self, source: Any, result: SourceResult, run_id: int | None = None, now: str | None = None
    ) -> dict[str, Any]:
        """Store a source's items, then its health, validators, snapshot and removals: one transaction.

        A crash before the commit leaves the source as it was before the crawl, so the next run
        fetches and parses it again instead of trusting a 304; nothing is half-written.
        """
        now = now or utcnow()
        with self.db.transaction():
            outcome: dict[str, Any] = self.items.upsert_many(result.items, run_id, now)
            self._ensure_source(source)
            outcome.update(self._update_health(source.id, result, now))
            if result.ok and not result.not_modified:
                self._save_crawl_state(source, result, now)
                if result.removals and not outcome["suspect"]:
                    outcome["removed"] = self._mark_removed(source.id, result.seen_ids, now)
        return outcome

    def _ensure_source(self, source: Any) -> None:
        self.db.execute(
            "INSERT INTO sources (id, competitor, type, url) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(id) DO UPDATE SET competitor = excluded.competitor, type = excluded.type,"
            " url = excluded.url",
            (source.id, source.competitor, source.type, source.url),
        )

    def _update_health(self, source_id: str, result: SourceResult, now: str) -> dict[str, Any]:
        outcome: dict[str, Any] = {"suspect": None, "removed": 0}
        if not result.ok:
            self.db.execute(
                "UPDATE sources SET last_attempt = ?, last_error = ?, last_error_at = ?,"
                " consecutive_failures = consecutive_failures + 1 WHERE id = ?",
                (now, result.error, now, source_id),
            )
            return outcome
        row = self.db.one("SELECT * FROM sources WHERE id = ?", (source_id,))
        assert row is not None  # _ensure_source wrote it
        counts, n, suspect = json.loads(row["counts"]), row["items_last"], row["suspect"]
        if not result.not_modified:
            n = len(result.seen_ids)
            suspect = outcome["suspect"] = suspect_reason(counts, n, self.broken_drop_ratio)
            counts = (counts + [n])[-HISTORY:]
        self.db.execute(
            "UPDATE sources SET last_attempt = ?, last_success = ?, consecutive_failures = 0,"
            " items_last = ?, counts = ?, suspect = ? WHERE id = ?",
            (now, now, n, json.dumps(counts), suspect, source_id),
        )
        return outcome

    def _save_crawl_state(self, source: Any, result: SourceResult, now: str) -> None:
        for url, val in result.validators.items():
            self.db.execute(
                "INSERT OR REPLACE INTO http_validators (url, etag, last_modified, updated)"
                " VALUES (?, ?, ?, ?)",
                (url, val.get("etag"), val.get("last_modified"), now),
            )
        for start in range(0, len(result.seen_ids), 500):
            chunk = result.seen_ids[start : start + 500]
            self.db.execute(
                f"UPDATE items SET last_seen = ? WHERE id IN ({','.join('?' * len(chunk))})",
                (now, *chunk),
            )
        if result.snapshot is not None:
            snap = result.snapshot
            self.db.execute(
                "INSERT OR REPLACE INTO page_snapshots (source_id, url, text, content_hash, updated)"
                " VALUES (?, ?, ?, ?, ?)",
                (source.id, snap["url"], snap["text"], snap["hash"], now),
            )

    def _mark_removed(self, source_id: str, seen: list[str], now: str) -> int:
        active = self.db.rows(
            "SELECT id FROM items WHERE source_id = ? AND status = 'active'", (source_id,)
        )
        gone = sorted({r[0] for r in active} - set(seen))
        for item_id in gone:
            self.db.execute(
                "UPDATE items SET status = 'removed', removed_at = ?, seq = ? WHERE id = ?",
                (now, self.db.next_seq(), item_id),
            )
        return len(gone)


def suspect_reason(history: list[int], found: int, ratio: float) -> str | None:
    """Flag a sharp drop in extracted entries (a layout change), not 'nothing new'."""
    if len(history) < 2:
        return None
    usual = statistics.median(history[-HISTORY:])
    if usual >= 4 and found < usual * ratio:
        return (
            f"probably broken: extracted {found} entries, usually about {usual:g} (layout change?)"
        )
    return None
