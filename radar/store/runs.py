"""The run log: one row per crawl or daily run, with its counts and per-source outcomes."""

from __future__ import annotations

import json
from typing import Any

from radar.core.records import utcnow
from radar.store.db import Db


class Runs:
    def __init__(self, db: Db):
        self.db = db

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
        rows = self.db.rows("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,))
        return [
            {**dict(r), "counts": json.loads(r["counts"]), "sources": json.loads(r["sources"])}
            for r in rows
        ]
