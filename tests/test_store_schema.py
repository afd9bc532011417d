"""The store's schema: numbered migrations, old files upgraded in place, and SQL in one place."""

from __future__ import annotations

import ast
import re
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from radar.core.errors import RadarError
from radar.core.records import Item
from radar.store import SCHEMA_VERSION, Store
from radar.store.schema import MIGRATIONS

ROOT = Path(__file__).resolve().parents[1]


def _old_store(path: Path, version: int) -> None:
    """A file as an older Market Radar left it: the first `version` migrations, one item."""
    conn = sqlite3.connect(path)
    for migration in MIGRATIONS[:version]:
        for statement in migration(conn):
            conn.execute(statement)
    conn.execute(
        "INSERT INTO items (id, source_id, kind, title, body, url, first_seen, last_seen,"
        " content_hash) VALUES ('i1', 's', 'news', 'Old', 'Kept.', 'https://a.example/', 'x', 'x', 'h')"
    )
    conn.execute(f"PRAGMA user_version={version}")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_an_older_store_is_upgraded_in_place_and_keeps_its_items(
    tmp_path: Path, version: int
) -> None:
    path = tmp_path / "radar.db"
    _old_store(path, version)
    store = Store(path)
    assert store.get_item("i1").body == "Kept."  # type: ignore[union-attr]
    assert store.items_to_enrich()[0].id == "i1"  # the enrichment columns exist
    assert store.index_state("sqlite") is None and store.delivery_history() == []
    store.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_store_from_a_newer_version_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "radar.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(RadarError, match="newer than this Market Radar reads.*upgrade"):
        Store(path)


def test_stores_opening_a_new_file_at_once_all_get_the_whole_schema(tmp_path: Path) -> None:
    path = tmp_path / "radar.db"

    def open_and_write(n: int) -> int:
        store = Store(path)
        store.upsert_item(Item(id=str(n), source_id="s", kind="news", title="t", body="b", url="u"))
        store.close()
        return n

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(open_and_write, range(8))) == list(range(8))
    assert Store(path).count_items() == 8


# -- SQL lives in radar/store ----------------------------------------------------------------------
SQL_OUTSIDE = re.compile(
    r"\.db\.execute|store\.db\b|executescript|json_each|index_state \(|alert_deliveries"
)
ALLOWED = ("radar/store/", "search/sqlite")


def test_no_sql_on_store_tables_outside_the_store() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for package in ("radar", "crawlers", "enrich", "search")
        for path in sorted((ROOT / package).rglob("*.py"))
        if not str(path.relative_to(ROOT)).startswith(ALLOWED)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if SQL_OUTSIDE.search(line)
    ]
    assert found == []


def test_the_indexer_imports_only_the_core_and_search() -> None:
    tree = ast.parse((ROOT / "search" / "indexer.py").read_text(encoding="utf-8"))
    modules = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    ours = {
        m for m in modules if m and m.split(".")[0] in ("radar", "search", "crawlers", "enrich")
    }
    assert ours and all(m.startswith(("radar.core", "search")) for m in ours), ours


def test_every_store_module_is_under_400_lines() -> None:
    sizes = {
        p.name: len(p.read_text().splitlines()) for p in (ROOT / "radar" / "store").glob("*.py")
    }
    assert max(sizes.values()) < 400, sizes
