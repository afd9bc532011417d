"""A search index behind the store is named in one line (`radar search`, `radar trends`, the web
UI), never reported as an empty crawl."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from radar.cli import main
from radar.core.records import Item, item_id
from radar.core.settings import Settings
from radar.services import index_lag, lag_message
from radar.store import Store
from tests.test_search_cli import ROWS, _build


@pytest.fixture
def radar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RADAR_EMBEDDING_MODEL", "hash")
    monkeypatch.setenv("RADAR_HOME", str(tmp_path))
    _build(tmp_path).close()

    def run(*args: str) -> Result:
        result = CliRunner().invoke(main, [*args, "--config", str(tmp_path / "none.yaml")])
        assert result.exit_code == 0, result.output
        return result

    return run


def _add_items(data_dir: Path, count: int) -> None:
    store = Store(data_dir / "radar.db")
    for n in range(count):
        store.upsert_item(
            Item(
                id=item_id("late", "https://late.example/", str(n)),
                source_id="late",
                kind="news",
                title=f"Assistant news {n}",
                body="An assistant story.",
                url=f"https://late.example/{n}",
                published=date.today().isoformat(),
            )  # fmt: skip
        )
    store.close()


def test_the_lag_message_names_the_count_and_the_command() -> None:
    assert lag_message(0) is None
    assert lag_message(1) == "the search index is 1 item behind: run `radar index`"
    assert lag_message(1535) == "the search index is 1,535 items behind: run `radar index`"


def test_an_unindexed_store_is_named_by_radar_search_not_called_empty(radar) -> None:  # type: ignore[no-untyped-def]
    out = radar("search", "assistant").stdout
    expected = f"the search index is {len(ROWS)} items behind: run `radar index`"
    assert out.strip() == f'no results for "assistant": {expected}'
    assert json.loads(radar("search", "assistant", "--json").stdout)["notes"] == [
        f"note: {expected}"
    ]


def test_a_partly_indexed_store_is_a_note_beside_the_hits(radar, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    radar("index")
    assert "behind" not in radar("search", "assistant").output
    _add_items(tmp_path, 2)
    result = radar("search", "assistant")
    assert "note: the search index is 2 items behind: run `radar index`" in result.stderr
    assert "results for" in result.stdout


def test_radar_trends_names_the_lag_instead_of_no_items(radar, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = radar("trends").stdout
    assert out.startswith("no dated items in the index since ")
    assert out.strip().endswith(
        f": the search index is {len(ROWS)} items behind: run `radar index`"
    )
    assert json.loads(radar("trends", "--json").stdout)["notes"] == [lag_message(len(ROWS))]
    rising = radar("trends", "rising")
    assert f"note: {lag_message(len(ROWS))}" in rising.stderr
    radar("index")
    assert "behind" not in radar("trends").output and "no dated items" not in radar("trends").output


def test_the_web_ui_names_the_lag_in_search_and_trends(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from radar.web import create_app

    _build(tmp_path).close()
    settings = Settings({"data_dir": str(tmp_path), "embedding_model": "hash"}, env={})
    note = lag_message(len(ROWS))
    with TestClient(create_app(settings)) as client:
        assert note in client.get("/api/search", params={"q": "assistant"}).json()["notes"]
        assert client.get("/api/trends").json()["notes"] == [note]
        assert note in client.get("/trends").text and note in client.get("/?q=assistant").text
        store = Store(tmp_path / "radar.db")
        assert index_lag(store, "sqlite") == len(ROWS)
        store.close()
