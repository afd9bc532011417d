"""Themes (configured and discovered), their history, and what items say about them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from radar.core.records import utcnow
from radar.core.stored import ThemeItem
from radar.core.themes import DiscoveredTheme, ThemeEvent
from radar.store.db import Db
from radar.store.enrich import blob, vector

_UPSERT_DISCOVERED = (
    "INSERT INTO themes (id, kind, label, keywords, centroid, radius, size, representatives,"
    " status, created, updated) VALUES (?, 'discovered', ?, ?, ?, ?, ?, ?, 'active', ?, ?)"
    " ON CONFLICT(id) DO UPDATE SET label = excluded.label, keywords = excluded.keywords,"
    " centroid = excluded.centroid, radius = excluded.radius, size = excluded.size,"
    " representatives = excluded.representatives, status = 'active', updated = excluded.updated"
)
_UPSERT_CONFIGURED = (
    "INSERT INTO themes (id, kind, label, keywords, status, created, updated)"
    " VALUES (?, 'configured', ?, ?, 'active', ?, ?) ON CONFLICT(id) DO UPDATE SET"
    " label = excluded.label, keywords = excluded.keywords, updated = excluded.updated"
)
_DAY = "COALESCE(items.published, items.first_seen)"


def _theme(r: Any) -> DiscoveredTheme:
    return DiscoveredTheme(
        id=r["id"], label=r["label"], keywords=json.loads(r["keywords"]),
        centroid=vector(r["centroid"]), radius=float(r["radius"]), size=int(r["size"]),
        representatives=json.loads(r["representatives"]),
    )  # fmt: skip


class Themes:
    # The dialect's SQL for active items with one row per theme they carry (``t.value``), and
    # for a theme's id, score and kind in such a row; another store sets its own.
    themed = " FROM items, json_each(items.themes) AS t WHERE items.status = 'active'"
    tid = "json_extract(t.value, '$.id')"
    score = "json_extract(t.value, '$.score')"
    kind = "json_extract(t.value, '$.kind')"

    def __init__(self, db: Db):
        self.db = db

    # -- themes ---------------------------------------------------------------------------------------
    def discovered_themes(self, status: str = "active") -> list[DiscoveredTheme]:
        rows = self.db.rows(
            "SELECT * FROM themes WHERE kind = 'discovered' AND status = ? ORDER BY id", (status,)
        )
        return [_theme(r) for r in rows]

    def theme_ids_used(self) -> set[str]:
        return {r[0] for r in self.db.rows("SELECT id FROM themes")}

    def theme_labels(self) -> dict[str, str]:
        """Theme id -> label, for every theme ever stored (retired ones included)."""
        return {r[0]: r[1] for r in self.db.rows("SELECT id, label FROM themes")}

    def theme_rows(self) -> list[dict[str, Any]]:
        rows = self.db.rows(
            "SELECT id, kind, label, keywords, size, representatives, status, created, updated"
            " FROM themes ORDER BY kind, id"
        )
        return [
            {**dict(r), "keywords": json.loads(r["keywords"]),
             "representatives": json.loads(r["representatives"])}
            for r in rows
        ]  # fmt: skip

    def save_themes(self, themes: list[DiscoveredTheme], events: list[ThemeEvent]) -> None:
        """Replace the active discovered themes; the others are kept as retired (ids are never reused)."""
        now = utcnow()
        with self.db.transaction():
            self.db.execute(
                "UPDATE themes SET status = 'retired', updated = ?"
                " WHERE kind = 'discovered' AND status = 'active'",
                (now,),
            )
            for t in themes:
                self.db.execute(_UPSERT_DISCOVERED, (
                    t.id, t.label, json.dumps(t.keywords), blob(t.centroid), t.radius, t.size,
                    json.dumps(t.representatives), now, now,
                ))  # fmt: skip
            for e in events:
                self.db.execute(
                    "INSERT INTO theme_events (kind, theme_ids, from_ids, at) VALUES (?, ?, ?, ?)",
                    (e.kind, json.dumps(e.theme_ids), json.dumps(e.from_ids), now),
                )

    def save_configured_themes(self, specs: list[Any]) -> None:
        now = utcnow()
        with self.db.transaction():
            for spec in specs:
                self.db.execute(
                    _UPSERT_CONFIGURED, (spec.id, spec.name, json.dumps(spec.keywords), now, now)
                )

    def theme_events(self, limit: int = 50) -> list[dict[str, Any]]:
        rows = self.db.rows("SELECT * FROM theme_events ORDER BY id DESC LIMIT ?", (limit,))
        return [
            {**dict(r), "theme_ids": json.loads(r["theme_ids"]),
             "from_ids": json.loads(r["from_ids"])}
            for r in rows
        ]  # fmt: skip

    # -- items by theme ---------------------------------------------------------------------------
    def theme_sizes(self) -> dict[str, int]:
        """Theme id -> number of active items carrying it."""
        rows = self.db.rows(f"SELECT {self.tid}, COUNT(*){self.themed} GROUP BY 1")
        return {r[0]: int(r[1]) for r in rows}

    def discovered_coverage(self) -> tuple[int, int]:
        """(active items, active items carrying a discovered theme)."""
        total = self.db.scalar("SELECT COUNT(*) FROM items WHERE status = 'active'")
        themed = self.db.scalar(
            f"SELECT COUNT(DISTINCT items.id){self.themed} AND {self.kind} = 'discovered'"
        )
        return int(total or 0), int(themed or 0)

    def theme_items(self, theme_id: str, limit: int = 20) -> list[ThemeItem]:
        """Active items carrying a theme, best score first."""
        rows = self.db.rows(
            f"SELECT items.id, items.title, items.competitor, {_DAY} AS day, {self.score} AS score"
            f"{self.themed} AND {self.tid} = ? ORDER BY score DESC NULLS LAST LIMIT ?",
            (theme_id, limit),
        )
        return [ThemeItem(r[0], r[1], r[2], r[3], float(r[4] or 0.0)) for r in rows]

    def theme_week_counts(self, now: datetime | None = None) -> dict[str, tuple[int, float]]:
        """Per theme id: items in the last 7 days, and the weekly average over the 4 weeks before."""
        now = now or datetime.now(UTC)
        start = (now - timedelta(days=35)).strftime("%Y-%m-%d")
        week = (now - timedelta(days=7)).strftime("%Y-%m-%d")
        rows = self.db.rows(f"SELECT {self.tid}, {_DAY}{self.themed} AND {_DAY} >= ?", (start,))
        counts: dict[str, list[int]] = {}
        for tid, day in rows:
            counts.setdefault(tid, [0, 0])[0 if day >= week else 1] += 1
        return {tid: (this, before / 4) for tid, (this, before) in counts.items()}
