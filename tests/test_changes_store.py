"""Changes in the store: written with their release, typed by enrichment, read back, exported."""

from __future__ import annotations

import io
import json
from pathlib import Path

from radar.core.records import Change, Item, item_id
from radar.jsonl import export_items, import_items
from radar.store import Store


def _release(title: str = "2.0.0", changes: list[Change] | None = None, **extra: str) -> Item:
    item = Item(
        id=item_id("acme-log", "https://acme.example/changelog", title),
        source_id="acme-log",
        kind="changelog_entry",
        title=title,
        body=extra.get(
            "body", "Removed the v1 query filters. Added OpenID Connect. Bumped lodash."
        ),
        url="https://acme.example/changelog#" + title,
        competitor="acme",
        published=extra.get("published", "2026-11-18"),
    )
    item.changes = (
        changes
        if changes is not None
        else [
            Change("Removed the v1 query filters", "Breaking changes"),
            Change("Added OpenID Connect login", "Features"),
            Change("Bumped lodash to 4.17.21", "Chores"),
        ]
    )
    return item


def _typed(item: Item) -> Item:
    types = [("deprecation", 0.9, False), ("launch", 0.7, False), ("other", 0.0, True)]
    for change, (move, importance, noise) in zip(item.changes, types, strict=True):
        change.move_type, change.importance, change.noise = move, importance, noise
    item.move_type = "deprecation"
    return item


def test_changes_are_stored_with_their_release_in_order(tmp_path: Path) -> None:
    store = Store(tmp_path / "radar.db")
    store.upsert_item(_release())
    got = store.get_item(_release().id)
    assert got is not None
    assert [(c.text, c.section) for c in got.changes] == [
        ("Removed the v1 query filters", "Breaking changes"),
        ("Added OpenID Connect login", "Features"),
        ("Bumped lodash to 4.17.21", "Chores"),
    ]
    assert [c.move_type for c in got.changes] == [None, None, None]


def test_enrichment_types_the_changes_and_an_edit_replaces_them(tmp_path: Path) -> None:
    store = Store(tmp_path / "radar.db")
    store.upsert_item(_release())
    (pending,) = store.items_to_enrich()
    assert len(pending.changes) == 3
    store.save_enrichment([_typed(pending)])
    (item,) = store.enriched_items(since="2026-01-01")
    assert [(c.move_type, c.noise) for c in item.changes] == [
        ("deprecation", False),
        ("launch", False),
        ("other", True),
    ]
    assert item.move_types == ["deprecation", "launch"]  # noise left out, most important first
    edited = _release(changes=[Change("Added OpenID Connect login", "Features")], body="OIDC.")
    assert store.upsert_item(edited) == "changed"
    assert [c.text for c in store.get_item(edited.id).changes] == ["Added OpenID Connect login"]  # type: ignore[union-attr]


def test_a_stale_enrichment_does_not_overwrite_the_new_changes(tmp_path: Path) -> None:
    store = Store(tmp_path / "radar.db")
    store.upsert_item(_release())
    (stale,) = store.items_to_enrich()
    edited = _release(changes=[Change("Dropped Node 16", "Breaking")], body="Dropped Node 16.")
    store.upsert_item(edited)
    store.save_enrichment([_typed(stale)])  # enriched the old text: not saved
    assert [c.text for c in store.get_item(edited.id).changes] == ["Dropped Node 16"]  # type: ignore[union-attr]


def test_week_items_read_the_store_by_day_with_changes(tmp_path: Path) -> None:
    store = Store(tmp_path / "radar.db")
    store.upsert_item(_release("2.0.0", published="2026-11-22T23:00:00Z"))
    store.upsert_item(_release("1.9.0", published="2026-11-15"))
    week = store.week_items("2026-11-16", "2026-11-22")
    assert [i.title for i in week] == ["2.0.0"] and len(week[0].changes) == 3


def test_changes_of_items_by_id(tmp_path: Path) -> None:
    store = Store(tmp_path / "radar.db")
    store.upsert_item(_release())
    store.upsert_item(_release("1.0.0", changes=[]))
    found = store.changes_of([_release().id, _release("1.0.0").id, "nope"])
    assert list(found) == [_release().id]
    assert [c.text for c in found[_release().id]][:1] == ["Removed the v1 query filters"]


def test_export_carries_changes_and_import_reads_them_back(tmp_path: Path) -> None:
    store = Store(tmp_path / "a.db")
    store.upsert_item(_release())
    store.save_enrichment([_typed(store.items_to_enrich()[0])])
    out = io.StringIO()
    export_items(store.items(), out)
    line = json.loads(out.getvalue())
    assert line["changes"][0] == {
        "text": "Removed the v1 query filters",
        "section": "Breaking changes",
        "move_type": "deprecation",
        "importance": 0.9,
        "noise": False,
    }
    other = Store(tmp_path / "b.db")
    report = import_items(other, out.getvalue().splitlines())
    assert report.errors == []
    (back,) = other.items()
    assert [(c.text, c.move_type) for c in back.changes][0] == (
        "Removed the v1 query filters",
        "deprecation",
    )


def test_a_bad_change_in_an_import_is_named_by_line(tmp_path: Path) -> None:
    bad = {"source_id": "s", "kind": "release", "title": "1.0", "url": "https://a.example/"}
    lines = [
        json.dumps({**bad, "changes": [{"section": "Fixes"}]}),
        json.dumps({**bad, "title": "1.1", "changes": [{"text": "x", "importance": "high"}]}),
    ]
    report = import_items(Store(tmp_path / "radar.db"), lines)
    assert report.errors == [
        "line 1: each change must be an object with a text",
        "line 2: a change's importance must be a number",
    ]
