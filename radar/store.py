"""The SQLite store: items, revisions, source health, HTTP validators, page snapshots, runs.

One file (WAL mode) in the data dir. Every write commits at once, so a crash or kill loses
nothing already stored; item ids are stable, so a re-run never duplicates.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from radar.errors import RadarError
from radar.records import Item, SourceResult, utcnow
from radar.store_enrich import ENRICH_SCHEMA, EnrichStoreMixin

SCHEMA_VERSION = 2
STORE_FILE = "radar.db"
HISTORY = 10  # item counts kept per source for the "probably broken" check

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id TEXT PRIMARY KEY,
    source_id TEXT NOT NULL,
    competitor TEXT,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    url TEXT NOT NULL,
    version TEXT,
    published TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    language TEXT,
    status TEXT NOT NULL DEFAULT 'active',
    removed_at TEXT,
    themes TEXT NOT NULL DEFAULT '[]',
    move_type TEXT,
    mentions TEXT NOT NULL DEFAULT '[]',
    event_id TEXT,
    extra TEXT NOT NULL DEFAULT '{}',
    seq INTEGER NOT NULL DEFAULT 0,
    enriched_hash TEXT
);
CREATE INDEX IF NOT EXISTS items_source ON items(source_id, status);
CREATE INDEX IF NOT EXISTS items_seq ON items(seq);
CREATE TABLE IF NOT EXISTS revisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id TEXT NOT NULL REFERENCES items(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    replaced_at TEXT NOT NULL,
    run_id INTEGER
);
CREATE INDEX IF NOT EXISTS revisions_item ON revisions(item_id);
CREATE TABLE IF NOT EXISTS sources (
    id TEXT PRIMARY KEY,
    competitor TEXT,
    type TEXT NOT NULL,
    url TEXT NOT NULL,
    last_attempt TEXT,
    last_success TEXT,
    last_error TEXT,
    last_error_at TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    items_last INTEGER,
    counts TEXT NOT NULL DEFAULT '[]',
    suspect TEXT
);
CREATE TABLE IF NOT EXISTS http_validators (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS page_snapshots (
    source_id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    command TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL DEFAULT 'running',
    counts TEXT NOT NULL DEFAULT '{}',
    sources TEXT NOT NULL DEFAULT '{}'
);
"""

_JSON_FIELDS = ("themes", "mentions", "extra")


class Store(EnrichStoreMixin):
    """Thin, synchronous access to the store file. Not shared between threads."""

    def __init__(self, path: str | Path, broken_drop_ratio: float = 0.5):
        self.path = Path(path)
        self.broken_drop_ratio = broken_drop_ratio
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(_SCHEMA)
        self._migrate()
        self.db.executescript(ENRICH_SCHEMA)
        self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _migrate(self) -> None:
        columns = {r[1] for r in self.db.execute("PRAGMA table_info(items)")}
        if "enriched_hash" not in columns:  # stores written before enrichment existed
            self.db.execute("ALTER TABLE items ADD COLUMN enriched_hash TEXT")

    @classmethod
    def in_dir(cls, data_dir: str | Path, broken_drop_ratio: float = 0.5) -> Store:
        return cls(store_path(data_dir), broken_drop_ratio)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction. It holds SQLite's write lock, so `seq` can be counted locally."""
        self.db.execute("BEGIN IMMEDIATE")
        self._seq: int | None = None
        try:
            yield self.db
        except BaseException:
            self._seq = None
            self.db.execute("ROLLBACK")
            raise
        self._seq = None
        self.db.execute("COMMIT")

    def _next_seq(self) -> int:
        if getattr(self, "_seq", None) is None or not self.db.in_transaction:
            self._seq = int(
                self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM items").fetchone()[0]
            )
        assert self._seq is not None
        self._seq += 1
        return self._seq

    # -- items ----------------------------------------------------------------------------------
    def upsert_item(self, item: Item, run_id: int | None = None, now: str | None = None) -> str:
        """Store an item; return 'new', 'changed', 'revived' or 'unchanged'."""
        with self.transaction():
            return self._upsert(item, run_id, now or utcnow())

    def _upsert(self, item: Item, run_id: int | None, now: str) -> str:
        row = self.db.execute(
            "SELECT title, body, content_hash, status FROM items WHERE id = ?", (item.id,)
        ).fetchone()
        if row is None:
            self._insert(item, now)
            return "new"
        if row["content_hash"] == item.content_hash:
            revived = row["status"] == "removed"
            if revived:
                self.db.execute(
                    "UPDATE items SET last_seen = ?, status = 'active', removed_at = NULL, seq = ? WHERE id = ?",
                    (now, self._next_seq(), item.id),
                )
            else:
                self.db.execute("UPDATE items SET last_seen = ? WHERE id = ?", (now, item.id))
            return "revived" if revived else "unchanged"
        self.db.execute(
            "INSERT INTO revisions (item_id, title, body, content_hash, replaced_at, run_id)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (item.id, row["title"], row["body"], row["content_hash"], now, run_id),
        )
        self.db.execute(
            "UPDATE items SET title = ?, body = ?, url = ?, version = ?, published = COALESCE(?, published),"
            " content_hash = ?, language = COALESCE(?, language), last_seen = ?, status = 'active',"
            " removed_at = NULL, extra = ?, seq = ? WHERE id = ?",
            (
                item.title,
                item.body,
                item.url,
                item.version,
                item.published,
                item.content_hash,
                item.language,
                now,
                json.dumps(item.extra),
                self._next_seq(),
                item.id,
            ),
        )
        return "changed"

    def _insert(self, item: Item, now: str) -> None:
        self.db.execute(
            "INSERT INTO items (id, source_id, competitor, kind, title, body, url, version, published,"
            " first_seen, last_seen, content_hash, language, status, removed_at, themes, move_type,"
            " mentions, event_id, extra, seq) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                item.id,
                item.source_id,
                item.competitor,
                item.kind,
                item.title,
                item.body,
                item.url,
                item.version,
                item.published,
                item.first_seen or now,
                item.last_seen or now,
                item.content_hash,
                item.language,
                item.status,
                item.removed_at,
                json.dumps(item.themes),
                item.move_type,
                json.dumps(item.mentions),
                item.event_id,
                json.dumps(item.extra),
                self._next_seq(),
            ),
        )

    def get_item(self, item_id: str) -> Item | None:
        row = self.db.execute("SELECT * FROM items WHERE id = ?", (item_id,)).fetchone()
        return _row_to_item(row) if row else None

    def items(self, source_id: str | None = None, status: str | None = None) -> Iterator[Item]:
        sql, args = "SELECT * FROM items WHERE 1=1", list[str]()
        if source_id:
            sql, args = sql + " AND source_id = ?", [*args, source_id]
        if status:
            sql, args = sql + " AND status = ?", [*args, status]
        for row in self.db.execute(sql + " ORDER BY seq", args):
            yield _row_to_item(row)

    def known_hashes(self, source_id: str) -> dict[str, str]:
        """item id -> content hash (or the feed fingerprint kept in extra) for one source."""
        rows = self.db.execute(
            "SELECT id, content_hash, extra FROM items WHERE source_id = ? AND status = 'active'",
            (source_id,),
        )
        return {r["id"]: json.loads(r["extra"]).get("fingerprint", r["content_hash"]) for r in rows}

    def revisions(self, item_id: str) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT * FROM revisions WHERE item_id = ? ORDER BY id", (item_id,))
        return [dict(r) for r in rows]

    def count_items(self, **where: str) -> int:
        sql = "SELECT COUNT(*) FROM items" + (
            "" if not where else " WHERE " + " AND ".join(f"{k} = ?" for k in where)
        )
        return int(self.db.execute(sql, list(where.values())).fetchone()[0])

    def import_items(self, items: Iterable[Item]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in items:
            outcome = self.upsert_item(item)
            counts[outcome] = counts.get(outcome, 0) + 1
        return counts

    # -- crawl state ----------------------------------------------------------------------------
    def validators(self, url: str) -> dict[str, str]:
        row = self.db.execute(
            "SELECT etag, last_modified FROM http_validators WHERE url = ?", (url,)
        ).fetchone()
        return {k: row[k] for k in ("etag", "last_modified") if row and row[k]}

    def snapshot(self, source_id: str) -> str | None:
        row = self.db.execute(
            "SELECT text FROM page_snapshots WHERE source_id = ?", (source_id,)
        ).fetchone()
        return row["text"] if row else None

    def record_source_result(
        self, source: Any, result: SourceResult, run_id: int | None = None, now: str | None = None
    ) -> dict[str, Any]:
        """Store a source's items, then its health, validators, snapshot and removals: one transaction.

        A crash before the commit leaves the source as it was before the crawl, so the next run
        fetches and parses it again instead of trusting a 304; nothing is half-written.
        """
        now = now or utcnow()
        with self.transaction():
            outcome: dict[str, Any] = {"new": 0, "changed": 0, "unchanged": 0, "revived": 0}
            for item in result.items:
                kind = self._upsert(item, run_id, now)
                outcome[kind] += 1
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
        row = self.db.execute("SELECT * FROM sources WHERE id = ?", (source_id,)).fetchone()
        outcome: dict[str, Any] = {"suspect": None, "removed": 0}
        if not result.ok:
            self.db.execute(
                "UPDATE sources SET last_attempt = ?, last_error = ?, last_error_at = ?,"
                " consecutive_failures = consecutive_failures + 1 WHERE id = ?",
                (now, result.error, now, source_id),
            )
            return outcome
        counts = json.loads(row["counts"])
        if result.not_modified:
            n = row["items_last"]
        else:
            n = len(result.seen_ids)
            outcome["suspect"] = suspect_reason(counts, n, self.broken_drop_ratio)
            counts = (counts + [n])[-HISTORY:]
        self.db.execute(
            "UPDATE sources SET last_attempt = ?, last_success = ?, consecutive_failures = 0,"
            " items_last = ?, counts = ?, suspect = ? WHERE id = ?",
            (
                now,
                now,
                n,
                json.dumps(counts),
                outcome["suspect"] if not result.not_modified else row["suspect"],
                source_id,
            ),
        )
        return outcome

    def _save_crawl_state(self, source: Any, result: SourceResult, now: str) -> None:
        for url, val in result.validators.items():
            self.db.execute(
                "INSERT OR REPLACE INTO http_validators (url, etag, last_modified, updated) VALUES (?, ?, ?, ?)",
                (url, val.get("etag"), val.get("last_modified"), now),
            )
        for start in range(0, len(result.seen_ids), 500):
            chunk = result.seen_ids[start : start + 500]
            self.db.execute(
                f"UPDATE items SET last_seen = ? WHERE id IN ({','.join('?' * len(chunk))})",
                (now, *chunk),
            )
        if result.snapshot is not None:
            self.db.execute(
                "INSERT OR REPLACE INTO page_snapshots (source_id, url, text, content_hash, updated)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    source.id,
                    result.snapshot["url"],
                    result.snapshot["text"],
                    result.snapshot["hash"],
                    now,
                ),
            )

    def _mark_removed(self, source_id: str, seen: list[str], now: str) -> int:
        active = [
            r[0]
            for r in self.db.execute(
                "SELECT id FROM items WHERE source_id = ? AND status = 'active'", (source_id,)
            )
        ]
        gone = sorted(set(active) - set(seen))
        for item_id in gone:
            self.db.execute(
                "UPDATE items SET status = 'removed', removed_at = ?, seq = ? WHERE id = ?",
                (now, self._next_seq(), item_id),
            )
        return len(gone)

    def source_health(self) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT * FROM sources ORDER BY id")
        return [{**dict(r), "counts": json.loads(r["counts"])} for r in rows]

    # -- runs -----------------------------------------------------------------------------------
    def start_run(self, command: str) -> int:
        cur = self.db.execute(
            "INSERT INTO runs (command, started) VALUES (?, ?)", (command, utcnow())
        )
        return int(cur.lastrowid or 0)

    def finish_run(
        self, run_id: int, status: str, counts: dict[str, Any], sources: dict[str, Any]
    ) -> None:
        self.db.execute(
            "UPDATE runs SET finished = ?, status = ?, counts = ?, sources = ? WHERE id = ?",
            (utcnow(), status, json.dumps(counts), json.dumps(sources), run_id),
        )

    def runs(self, limit: int = 10) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,))
        return [
            {**dict(r), "counts": json.loads(r["counts"]), "sources": json.loads(r["sources"])}
            for r in rows
        ]


def store_path(data_dir: str | Path) -> Path:
    return Path(data_dir) / STORE_FILE


def existing_store(data_dir: str | Path, hint: str = "run `radar crawl` first") -> Path:
    """The store's path in a data dir; a one-line RadarError saying what to run when it is absent."""
    path = store_path(data_dir)
    if not path.exists():
        raise RadarError(f"no store at {path}: {hint}")
    return path


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


def _row_to_item(row: sqlite3.Row | dict[str, Any]) -> Item:
    data = dict(row)
    data.pop("seq", None)
    data.pop("enriched_hash", None)
    for key in _JSON_FIELDS:
        data[key] = json.loads(data[key])
    return Item(**data)
