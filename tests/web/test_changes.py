"""The web UI speaks in changes: the item page lists them with their types, the competitor page
shows one line per change under the change's own move type. Crawled change text stays inert."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from radar.core.records import Change, Item
from search import get_backend
from search.indexer import Indexer
from tests.web.store import PWN_SCRIPT, settings

CHANGES = [
    Change("Removed the v1 query filters", "Breaking changes", "deprecation", 0.95),
    Change("Added OpenID Connect login", "Features", "launch", 0.7),
    Change(f"Fixed {PWN_SCRIPT} in chart titles", "Bug fixes", "fix", 0.3),
    Change("Bump lodash to 4.17.21", None, "other", 0.0, noise=True),
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from radar.store import Store
    from radar.web import create_app

    data_dir: Path = tmp_path_factory.mktemp("web-changes")
    store = Store(data_dir / "radar.db")
    item = Item(
        id="rel200", source_id="acme-changelog", kind="changelog_entry", title="2.0.0",
        body="Removed the v1 query filters. Added OpenID Connect login.", competitor="acme",
        url="https://acme.example/changelog#2.0.0", published=date.today().isoformat(),
    )  # fmt: skip
    item.changes = CHANGES
    store.upsert_item(item)
    item.move_type = "deprecation"
    store.save_enrichment([item])
    backend = get_backend(settings(data_dir), data_dir / "radar.db")
    Indexer(store, backend).run()
    backend.close()
    store.close()
    with TestClient(create_app(settings(data_dir))) as test_client:
        yield test_client


def test_the_item_page_lists_changes_with_their_types(client: Any) -> None:
    page = client.get("/items/rel200").text
    assert (
        '<span class="move move-deprecation">deprecation</span> Removed the v1 query filters'
        in page
    )
    assert "· Breaking changes" in page and "· noise" in page
    assert PWN_SCRIPT not in page and "&lt;script&gt;" in page
    api = client.get("/api/items/rel200").json()
    assert [(c["text"], c["move_type"], c["noise"]) for c in api["changes"]][:2] == [
        ("Removed the v1 query filters", "deprecation", False),
        ("Added OpenID Connect login", "launch", False),
    ]


def test_the_competitor_page_shows_moves_by_change(client: Any) -> None:
    api = client.get("/api/competitors/acme").json()
    (week,) = api["weeks"]
    lines = [(g["move_type"], i["change"], i["title"]) for g in week["groups"] for i in g["items"]]
    assert lines == [
        ("launch", "Added OpenID Connect login", "2.0.0"),
        ("deprecation", "Removed the v1 query filters", "2.0.0"),
        ("fix", f"Fixed {PWN_SCRIPT} in chart titles", "2.0.0"),
    ]  # noise left out; each change under its own type, the types by weight
    page = client.get("/competitors/acme").text
    assert 'Removed the v1 query filters <span class="meta">in</span>' in page
    assert PWN_SCRIPT not in page
