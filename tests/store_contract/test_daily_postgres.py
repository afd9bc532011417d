"""`radar daily` on a PostgreSQL store: every stage reads and writes it, and nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from radar.core.settings import Settings
from radar.store import open_store
from tests.conftest import run_radar
from tests.mockserver import MockServer
from tests.receivers import WebhookReceiver
from tests.test_daily import _setup


@pytest.mark.slow
def test_daily_on_postgres_runs_every_stage_once(
    server: MockServer, tmp_path: Path, pg_url: str
) -> None:
    with WebhookReceiver() as hook:
        cfg, env = _setup(server, tmp_path, hook.url)
        env["RADAR_STORE_URL"] = pg_url
        first = run_radar("daily", "--config", str(cfg), "--json", env=env)
        assert first.returncode == 0, first.stderr[-2000:]
        stages = {s["name"]: s["counts"] for s in json.loads(first.stdout)["stages"]}
        assert (stages["crawl"]["new"], stages["enrich"]["processed"]) == (8, 8)
        assert stages["index"]["indexed"] == 8 and stages["alerts"]["delivered"] >= 1
        posts = len(hook.posts)
        second = json.loads(run_radar("daily", "--config", str(cfg), "--json", env=env).stdout)
        again = {s["name"]: s["counts"] for s in second["stages"]}
        assert (again["crawl"]["new"], again["enrich"]["processed"]) == (0, 0)
        assert len(hook.posts) == posts
    store = open_store(Settings({"data_dir": str(tmp_path / "data"), "store_url": pg_url}, env={}))
    try:
        assert store.count_items() == 8 and store.items_to_enrich() == []
        assert [r["command"] for r in store.runs()] == ["crawl", "daily", "crawl", "daily"]
    finally:
        store.close()
    assert not (tmp_path / "data" / "radar.db").exists()
