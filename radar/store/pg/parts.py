"""The store's parts on PostgreSQL: only the statements whose SQL differs from SQLite's.

Each class extends the SQLite part and keeps its dialect-neutral statements and its row ->
record mapping; what it overrides is an upsert (``ON CONFLICT`` for ``INSERT OR REPLACE`` /
``OR IGNORE``), an id read back (``RETURNING``), JSON (``json_array_elements`` and ``->>`` for
``json_each`` and ``json_extract``) or a write that must hold up under concurrent writers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from radar.core.records import Item, SourceResult, utcnow
from radar.core.themes import Vectors
from radar.store.alert_log import AlertDeliveries
from radar.store.changes import _INSERT as _CHANGES
from radar.store.crawlstate import CrawlState
from radar.store.enrich import Enrichment, blob
from radar.store.items import _CHANGE, _INSERT, Items
from radar.store.runs import Runs
from radar.store.themes import Themes

NEXT_SEQ = "nextval('items_seq')"

_SAVE = (  # a whole batch in one statement: its rows come as one array per column
    "UPDATE items SET themes = v.themes::json, move_type = v.move_type,"
    " mentions = v.mentions::json, event_id = v.event_id, language = v.language,"
    " extra = ((items.extra::jsonb - 'summary') || v.summary::jsonb)::json,"
    f" enriched_hash = items.content_hash, seq = {NEXT_SEQ}"
    " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],"
    " ?::text[]) AS v(id, content_hash, themes, move_type, mentions, event_id, language, summary)"
    " WHERE items.id = v.id AND items.content_hash = v.content_hash RETURNING items.id"
)
# SQLite's statements with their seq parameter (the last `?` of each) drawn in the statement
_INSERT_NEW = _INSERT[: _INSERT.rindex("?")] + NEXT_SEQ + ") ON CONFLICT (id) DO NOTHING"
_CHANGE_SEQ = _CHANGE.replace("seq = ?", f"seq = {NEXT_SEQ}")


class PgItems(Items):
    """Upserts that hold up under concurrent writers: each item's row is locked (``FOR UPDATE``)
    until the transaction ends, and a new one is inserted with ``ON CONFLICT DO NOTHING``, so two
    writers of one item wait for each other and neither duplicates it."""

    def upsert(self, item: Item, run_id: int | None, now: str) -> str:
        row = self._locked([item.id]).get(item.id)
        if row is None:
            if self._insert_row(item, now):
                replace_changes(self.db, [item])
                return "new"
            row = self._locked([item.id])[item.id]  # another writer inserted it a moment ago
        return self._update(item, row, run_id, now)

    def upsert_many(self, items: list[Item], run_id: int | None, now: str) -> dict[str, int]:
        """`upsert` for a source's items: the stored rows locked in one statement, the changes of
        the new items written in one executemany."""
        counts = {"new": 0, "changed": 0, "unchanged": 0, "revived": 0}
        if len({item.id for item in items}) < len(items):  # an id twice: one at a time
            for item in items:
                counts[self.upsert(item, run_id, now)] += 1
            return counts
        stored = self._locked([item.id for item in items])
        new = [i for i in items if i.id not in stored and self._insert_row(i, now)]
        replace_changes(self.db, new)
        new_ids = {item.id for item in new}
        rows = {i.id: stored.get(i.id) or self._locked([i.id])[i.id] for i in items
                if i.id not in new_ids}  # fmt: skip
        same = self._seen_unchanged([i for i in items if i.id in rows], rows, now)
        counts["new"], counts["unchanged"] = len(new), len(same)
        for item in (i for i in items if i.id in rows and i.id not in same):
            counts[self._update(item, rows[item.id], run_id, now)] += 1
        return counts

    def _seen_unchanged(self, items: list[Item], rows: dict[str, Any], now: str) -> set[str]:
        """Mark the active items whose content is as stored seen now, in one statement."""
        same = [
            i.id for i in items
            if rows[i.id]["content_hash"] == i.content_hash and rows[i.id]["status"] != "removed"
        ]  # fmt: skip
        if same:
            self.db.execute("UPDATE items SET last_seen = ? WHERE id = ANY(?)", (now, same))
        return set(same)

    def _update(self, item: Item, row: Any, run_id: int | None, now: str) -> str:
        """An item already stored: seen again, revived, or changed (its old text kept)."""
        if row["content_hash"] == item.content_hash:
            return self._seen_again(item.id, row["status"] == "removed", now)
        self.db.execute(
            "INSERT INTO revisions (item_id, title, body, content_hash, replaced_at, run_id)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (item.id, row["title"], row["body"], row["content_hash"], now, run_id),
        )
        self.db.execute(_CHANGE_SEQ, (
            item.title, item.body, item.url, item.version, item.published, item.content_hash,
            item.language, now, json.dumps(item.extra), item.id,
        ))  # fmt: skip
        replace_changes(self.db, [item])
        return "changed"

    def _locked(self, ids: list[str]) -> dict[str, Any]:
        """id -> stored text and status of the items stored, their rows locked until the
        transaction ends (in id order, so two writers never wait for each other in a circle)."""
        rows = self.db.rows(
            "SELECT id, title, body, content_hash, status FROM items WHERE id = ANY(?)"
            " ORDER BY id FOR UPDATE",
            (ids,),
        )
        return {row["id"]: row for row in rows}

    def _insert_row(self, item: Item, now: str) -> bool:
        """Insert the item unless its id is stored (or being stored by another writer)."""
        cur = self.db.execute(_INSERT_NEW, (
            item.id, item.source_id, item.competitor, item.kind, item.title, item.body, item.url,
            item.version, item.published, item.first_seen or now, item.last_seen or now,
            item.content_hash, item.language, item.status, item.removed_at,
            json.dumps(item.themes), item.move_type, json.dumps(item.mentions), item.event_id,
            json.dumps(item.extra),
        ))  # fmt: skip
        return bool(cur.rowcount)


def replace_changes(db: Any, items: list[Item]) -> None:
    """Replace the changes of these items (inside the caller's transaction), in two statements."""
    if not items:
        return
    db.execute("DELETE FROM changes WHERE item_id = ANY(?)", ([i.id for i in items],))
    db.executemany(_CHANGES, [
        (item.id, pos, c.text, c.section, c.move_type, float(c.importance), int(c.noise))
        for item in items for pos, c in enumerate(item.changes)
    ])  # fmt: skip


class PgCrawlState(CrawlState):
    def _save_crawl_state(self, source: Any, result: SourceResult, now: str) -> None:
        for url, val in result.validators.items():
            self.db.execute(
                "INSERT INTO http_validators (url, etag, last_modified, updated) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (url) DO UPDATE SET etag = excluded.etag,"
                " last_modified = excluded.last_modified, updated = excluded.updated",
                (url, val.get("etag"), val.get("last_modified"), now),
            )
        if result.seen_ids:
            self.db.execute(
                "UPDATE items SET last_seen = ? WHERE id = ANY(?)", (now, list(result.seen_ids))
            )
        if result.snapshot is not None:
            snap = result.snapshot
            self.db.execute(
                "INSERT INTO page_snapshots (source_id, url, text, content_hash, updated)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (source_id) DO UPDATE SET url = excluded.url,"
                " text = excluded.text, content_hash = excluded.content_hash,"
                " updated = excluded.updated",
                (source.id, snap["url"], snap["text"], snap["hash"], now),
            )


class PgRuns(Runs):
    def start_run(self, command: str) -> int:
        return int(
            self.db.scalar(
                "INSERT INTO runs (command, started) VALUES (?, ?) RETURNING id",
                (command, utcnow()),
            )
        )


class PgEnrichment(Enrichment):
    def cache_embeddings(self, vectors: dict[str, Vectors], model: str) -> None:
        with self.db.transaction():
            self.db.executemany(
                "INSERT INTO embeddings (content_hash, model, vector) VALUES (?, ?, ?)"
                " ON CONFLICT (content_hash, model) DO UPDATE SET vector = excluded.vector,"
                " written = nextval('embeddings_written')",
                [(h, model, blob(v)) for h, v in vectors.items()],
            )

    def newest_embedding_model(self) -> str | None:
        model = self.db.scalar("SELECT model FROM embeddings ORDER BY written DESC LIMIT 1")
        return None if model is None else str(model)

    def save_enrichment(self, items: list[Item]) -> None:
        """Write enrichment fields of a batch in one transaction; bumps seq so the index sees them."""
        if not items:
            return
        columns = [
            (i.id, i.content_hash, json.dumps(i.themes), i.move_type, json.dumps(i.mentions),
             i.event_id, i.language, _summary_patch(i))
            for i in items
        ]  # fmt: skip
        with self.db.transaction():
            saved = {
                r[0] for r in self.db.rows(_SAVE, [list(c) for c in zip(*columns, strict=True)])
            }
            replace_changes(self.db, [item for item in items if item.id in saved])


def _summary_patch(item: Item) -> str:
    """What to merge into extra: the summary, or nothing (the old one is removed either way)."""
    summary = item.extra.get("summary")
    return json.dumps({} if summary is None else {"summary": summary})


class PgThemes(Themes):
    themed = (
        " FROM items CROSS JOIN LATERAL json_array_elements(items.themes) AS t(value)"
        " WHERE items.status = 'active'"
    )
    tid, score, kind = "(t.value->>'id')", "(t.value->>'score')::float8", "(t.value->>'kind')"


class PgAlertDeliveries(AlertDeliveries):
    def queue_alerts(
        self, rule_id: str, channels: Sequence[str], lines: dict[str, str], mark: int | None = None
    ) -> None:
        now = utcnow()
        with self.db.transaction():
            self.db.executemany(
                "INSERT INTO alert_deliveries (rule_id, key, channel, line, created)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [(rule_id, key, ch, line, now) for key, line in lines.items() for ch in channels],
            )
            if mark is not None:
                self.db.execute(
                    "INSERT INTO alert_state (rule_id, seq, updated) VALUES (?, ?, ?)"
                    " ON CONFLICT(rule_id) DO UPDATE SET seq = excluded.seq,"
                    " updated = excluded.updated",
                    (rule_id, mark, now),
                )
