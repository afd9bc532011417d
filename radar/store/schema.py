"""Every table of the store file, as numbered migrations; `PRAGMA user_version` says which ran.

A migration runs in its own write transaction and only if the file is still below its number
when the write lock is held, so two processes opening a new store at once do not collide.
Statements are idempotent (IF NOT EXISTS, a column added only when missing): stores written
before a table had a migration of its own pick it up unharmed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from radar.core.errors import RadarError

_ITEMS = """CREATE TABLE IF NOT EXISTS items (
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
    seq INTEGER NOT NULL DEFAULT 0
)"""
_REVISIONS = """CREATE TABLE IF NOT EXISTS revisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id TEXT NOT NULL REFERENCES items(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    replaced_at TEXT NOT NULL,
    run_id INTEGER
)"""
_SOURCES = """CREATE TABLE IF NOT EXISTS sources (
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
)"""
_VALIDATORS = """CREATE TABLE IF NOT EXISTS http_validators (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    updated TEXT NOT NULL
)"""
_SNAPSHOTS = """CREATE TABLE IF NOT EXISTS page_snapshots (
    source_id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    updated TEXT NOT NULL
)"""
_RUNS = """CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    command TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL DEFAULT 'running',
    counts TEXT NOT NULL DEFAULT '{}',
    sources TEXT NOT NULL DEFAULT '{}'
)"""
_EMBEDDINGS = """CREATE TABLE IF NOT EXISTS embeddings (
    content_hash TEXT NOT NULL,
    model TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (content_hash, model)
)"""
_THEMES = """CREATE TABLE IF NOT EXISTS themes (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    keywords TEXT NOT NULL DEFAULT '[]',
    centroid BLOB,
    radius REAL,
    size INTEGER NOT NULL DEFAULT 0,
    representatives TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'active',
    created TEXT NOT NULL,
    updated TEXT NOT NULL
)"""
_THEME_EVENTS = """CREATE TABLE IF NOT EXISTS theme_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    theme_ids TEXT NOT NULL,
    from_ids TEXT NOT NULL,
    at TEXT NOT NULL
)"""
_INDEX_STATE = """CREATE TABLE IF NOT EXISTS index_state (
    backend TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    updated TEXT NOT NULL,
    vector_model TEXT
)"""
_ALERT_DELIVERIES = """CREATE TABLE IF NOT EXISTS alert_deliveries (
    rule_id TEXT NOT NULL,
    key TEXT NOT NULL,            -- an item id, or spike:<period>
    channel TEXT NOT NULL,
    line TEXT NOT NULL,           -- the message line for this match
    status TEXT NOT NULL DEFAULT 'pending',   -- pending | sent | failed (failed is retried)
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created TEXT NOT NULL,
    sent_at TEXT,
    PRIMARY KEY (rule_id, key, channel)
)"""
_ALERT_STATE = """CREATE TABLE IF NOT EXISTS alert_state (
    rule_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    updated TEXT NOT NULL
)"""

_CHANGES = """CREATE TABLE IF NOT EXISTS changes (
    item_id TEXT NOT NULL REFERENCES items(id),
    pos INTEGER NOT NULL,         -- the change's place in its release
    text TEXT NOT NULL,
    section TEXT,                 -- the changelog's own category heading or label
    move_type TEXT,
    importance REAL NOT NULL DEFAULT 0,
    noise INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (item_id, pos)
)"""

Migration = Callable[[sqlite3.Connection], list[str]]


def _v1_crawl(_: sqlite3.Connection) -> list[str]:
    """Items, revisions, source health, HTTP validators, page snapshots, runs."""
    return [
        _ITEMS,
        "CREATE INDEX IF NOT EXISTS items_source ON items(source_id, status)",
        "CREATE INDEX IF NOT EXISTS items_seq ON items(seq)",
        _REVISIONS,
        "CREATE INDEX IF NOT EXISTS revisions_item ON revisions(item_id)",
        *(_SOURCES, _VALIDATORS, _SNAPSHOTS, _RUNS),
    ]


def _v2_enrichment(conn: sqlite3.Connection) -> list[str]:
    """The embedding cache, themes and their history; which content an item was enriched at."""
    columns = {r[1] for r in conn.execute("PRAGMA table_info(items)")}
    added = (
        [] if "enriched_hash" in columns else ["ALTER TABLE items ADD COLUMN enriched_hash TEXT"]
    )
    return [*added, _EMBEDDINGS, _THEMES, _THEME_EVENTS]


def _v3_index_and_alerts(_: sqlite3.Connection) -> list[str]:
    """The indexer's high-water marks and the alert delivery log (once made by their users)."""
    return [_INDEX_STATE, _ALERT_DELIVERIES, _ALERT_STATE]


def _v4_changes(_: sqlite3.Connection) -> list[str]:
    """The changes inside each release, filterable by move type."""
    return [_CHANGES, "CREATE INDEX IF NOT EXISTS changes_move ON changes(move_type)"]


MIGRATIONS: tuple[Migration, ...] = (
    _v1_crawl,
    _v2_enrichment,
    _v3_index_and_alerts,
    _v4_changes,
)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the file up to SCHEMA_VERSION; refuse a file written by a newer Market Radar."""
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise RadarError(
            f"the store {path} has schema {version}, newer than this Market Radar reads"
            f" ({SCHEMA_VERSION}): upgrade market-radar"
        )
    for target in range(version + 1, SCHEMA_VERSION + 1):
        _apply(conn, target)


def _apply(conn: sqlite3.Connection, target: int) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        if schema_version(conn) < target:  # another process may have got here first
            for statement in MIGRATIONS[target - 1](conn):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version={target}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
