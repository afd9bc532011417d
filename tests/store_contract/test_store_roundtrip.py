"""`radar export` from SQLite, `radar import` into PostgreSQL, `radar export` again: the same file."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from radar.cli import main
from radar.core.records import EXPORT_FIELDS, Change, Item
from radar.core.settings import Settings
from radar.store import open_store


def _items() -> list[Item]:
    """Items that use every exported field: enriched, removed, unicode, with and without changes."""
    release = Item(
        id="acme-2-3", source_id="acme-changelog", kind="release", title="Acme 2.3 — «SSO»",
        body="Single sign-on.\nTwo lines, émojis 🚀", url="http://127.0.0.1/changelog#v2.3",
        competitor="acme", version="2.3.0", published="2026-03-02", language="en",
        first_seen="2026-03-02T08:00:00Z", last_seen="2026-03-04T08:00:00Z",
        themes=[{"id": "sso", "score": 0.8125, "kind": "configured"}], move_type="launch",
        mentions=["globex"], event_id="ev-1",
        changes=[Change("Added SAML", "Added", "launch", 0.75), Change("Bump deps", None, "other",
                 0.0, True)],
    )  # fmt: skip
    news = Item(
        id="news-1", source_id="industry", kind="news", title="Market moves", body="",
        url="http://127.0.0.1/news/1", first_seen="2026-03-01T00:00:00Z",
        last_seen="2026-03-01T00:00:00Z", status="removed", removed_at="2026-03-05T00:00:00Z",
    )  # fmt: skip
    return [release, news]


def _radar(*args: str, store_url: str = "") -> Result:
    result = CliRunner().invoke(main, list(args), env={"RADAR_STORE_URL": store_url})
    assert result.exit_code == 0, result.output
    return result


def test_export_import_round_trips_every_field_from_sqlite_to_postgres(
    tmp_path: Path, pg_url: str
) -> None:
    sqlite_dir, pg_dir = tmp_path / "sqlite", tmp_path / "pg"
    store = open_store(Settings({"data_dir": str(sqlite_dir)}, env={}))
    store.import_items(_items())
    store.close()
    first, second = tmp_path / "from-sqlite.jsonl", tmp_path / "from-postgres.jsonl"
    _radar("export", "--out", str(first), "--data-dir", str(sqlite_dir))
    imported = _radar("import", str(first), "--data-dir", str(pg_dir), store_url=pg_url)
    assert imported.stdout.strip() == "imported: 2 new; 0 bad lines"
    _radar("export", "--out", str(second), "--data-dir", str(pg_dir), store_url=pg_url)
    assert second.read_bytes() == first.read_bytes()
    rows = [json.loads(line) for line in second.read_text(encoding="utf-8").splitlines()]
    assert [list(row) for row in rows] == [list(EXPORT_FIELDS)] * 2
    assert rows == [item.to_export() for item in _items()]
    assert not (pg_dir / "radar.db").exists()  # the PostgreSQL store wrote no SQLite file
