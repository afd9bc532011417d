"""The store on PostgreSQL against SQLite: the same writes and reads, timed in one run.

Usage: .venv/bin/python bench/store_bench.py [--items 5000] [--sources 50]
PostgreSQL comes from RADAR_TEST_PG_URL or build/postgres.env (`make postgres`); the bench uses
a schema of its own and drops it. Steps, each on both stores, on the same items:
  crawl     record_source_result: --sources results of --items/--sources items (a transaction each)
  recrawl   the same results again (every item unchanged)
  enrich    items_to_enrich, then save_enrichment in batches of 256
  index     items_since in pages of 500 up to the newest seq (what `radar index` reads)
  export    items() (what `radar export` reads)
  import    import_items of the export into an empty store (a transaction per item)
Prints items/s per step and the ratio PostgreSQL / SQLite; writes bench/results/store.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from radar.core.records import Change, Item, SourceResult  # noqa: E402
from radar.core.settings import Settings  # noqa: E402
from radar.store import open_store  # noqa: E402
from tests import pg_testserver  # noqa: E402


@dataclass
class Source:
    id: str
    competitor: str | None = "acme"
    type: str = "changelog"
    url: str = "http://127.0.0.1/changelog"


def make_items(total: int, sources: int) -> dict[str, list[Item]]:
    per = total // sources
    return {
        f"src-{s:03d}": [
            Item(
                id=f"src-{s:03d}-{n:05d}",
                source_id=f"src-{s:03d}",
                kind="release",
                title=f"Release {n} of {s}",
                body=f"Added feature {n}. " * 20,
                url=f"http://127.0.0.1/{s}#v{n}",
                competitor="acme",
                published="2026-03-02",
                changes=[Change(f"Added feature {n}", "Added", "launch", 0.5)],
            )  # fmt: skip
            for n in range(per)
        ]
        for s in range(sources)
    }


def steps(store: Any, fresh: Callable[[], Any], batches: dict[str, list[Item]]) -> dict[str, float]:
    """Seconds per step on one store (`fresh` opens an empty one for the import)."""

    def crawl() -> None:
        for sid, items in batches.items():
            result = SourceResult(sid, True, seen_ids=[i.id for i in items], items=items)
            store.record_source_result(Source(sid), result)

    def enrich() -> None:
        todo = store.items_to_enrich()
        for item in todo:
            item.themes, item.move_type = [{"id": "sso", "score": 0.7}], "launch"
        for start in range(0, len(todo), 256):
            store.save_enrichment(todo[start : start + 256])

    def index() -> None:
        seq, newest = 0, store.newest_seq()
        while seq < newest:
            seq = store.items_since(seq, 500)[-1].seq

    exported: list[Item] = []

    def export() -> None:
        exported.extend(store.items())

    def import_() -> None:
        target = fresh()
        try:
            target.import_items(exported)
        finally:
            target.close()

    work = [("crawl", crawl), ("recrawl", crawl), ("enrich", enrich), ("index", index),
            ("export", export), ("import", import_)]  # fmt: skip
    return {name: _timed(fn) for name, fn in work}


def _timed(fn: Callable[[], None]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def run_sqlite(batches: dict[str, list[Item]]) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        counter = iter(range(1000))

        def fresh() -> Any:
            return open_store(Settings({"data_dir": f"{tmp}/{next(counter)}"}, env={}))

        store = fresh()
        try:
            return steps(store, fresh, batches)
        finally:
            store.close()


def run_postgres(batches: dict[str, list[Item]], admin: str) -> dict[str, float]:
    import psycopg

    from radar.store.pg import close_pools

    names = [f"radar_bench_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE SCHEMA "{name}"')
    urls = iter(f"{admin}?options=-csearch_path%3D{name}" for name in names)

    def fresh() -> Any:
        return open_store(Settings({"data_dir": "unused", "store_url": next(urls)}, env={}))

    store = fresh()
    try:
        return steps(store, fresh, batches)
    finally:
        store.close()
        close_pools()
        with psycopg.connect(admin, autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP SCHEMA "{name}" CASCADE')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--sources", type=int, default=50)
    args = parser.parse_args()
    admin = pg_testserver.url_from_env()
    if not admin:
        print("no PostgreSQL: run `make postgres` or set RADAR_TEST_PG_URL", file=sys.stderr)
        return 2
    batches = make_items(args.items, args.sources)
    n = sum(len(b) for b in batches.values())
    sqlite, postgres = run_sqlite(batches), run_postgres(batches, admin)
    rows = {
        step: {"sqlite_items_s": round(n / sqlite[step]), "postgres_items_s": round(n / postgres[step]),
               "postgres_over_sqlite": round(sqlite[step] / postgres[step], 2)}
        for step in sqlite
    }  # fmt: skip
    print(f"{n} items, {args.sources} sources; load average {os.getloadavg()[0]:.1f}")
    print(f"{'step':<8} {'sqlite items/s':>15} {'postgres items/s':>17} {'pg/sqlite':>10}")
    for step, row in rows.items():
        print(f"{step:<8} {row['sqlite_items_s']:>15} {row['postgres_items_s']:>17}"
              f" {row['postgres_over_sqlite']:>10}")  # fmt: skip
    out = ROOT / "bench" / "results" / "store.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"items": n, "sources": args.sources, "steps": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
