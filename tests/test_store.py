"""The store: identity, revisions, removals, health and the "probably broken" flag."""

from __future__ import annotations

from pathlib import Path

from radar.core.config import SourceConfig
from radar.core.records import Item, SourceResult, item_id
from radar.store import Store, suspect_reason

SRC = SourceConfig(
    id="acme-changelog", type="changelog", url="https://acme.example/changelog", competitor="acme"
)


def _item(version: str, body: str) -> Item:
    return Item(
        id=item_id(SRC.id, SRC.url, version),
        source_id=SRC.id,
        kind="changelog_entry",
        title=f"{version}",
        body=body,
        url=f"{SRC.url}#{version}",
        version=version,
        competitor="acme",
    )


def test_ids_are_stable_and_ignore_fragments_and_case() -> None:
    assert item_id("s", "https://a.example/c#x", "Version 2.0") == item_id(
        "s", "https://a.example/c", " version  2.0 "
    )
    assert item_id("s", "https://a.example/c", "2.0") != item_id("t", "https://a.example/c", "2.0")


def test_upsert_new_unchanged_changed_and_revision(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.db")
    assert store.upsert_item(_item("1.0", "First.")) == "new"
    assert store.upsert_item(_item("1.0", "First.")) == "unchanged"
    assert store.upsert_item(_item("1.0", "First, now with notes.")) == "changed"
    (revision,) = store.revisions(_item("1.0", "").id)
    assert revision["body"] == "First."
    assert store.get_item(_item("1.0", "").id).body == "First, now with notes."  # type: ignore[union-attr]
    assert store.count_items() == 1


def test_entries_gone_from_the_page_are_marked_removed_and_can_come_back(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.db")
    a, b = _item("1.0", "A"), _item("1.1", "B")
    store.upsert_item(a)
    store.upsert_item(b)
    outcome = store.record_source_result(
        SRC, SourceResult(SRC.id, ok=True, seen_ids=[b.id], removals=True)
    )
    assert outcome["removed"] == 1
    assert store.get_item(a.id).status == "removed"  # type: ignore[union-attr]
    assert store.count_items() == 2  # never deleted
    assert store.upsert_item(_item("1.0", "A")) == "revived"


def test_failures_count_up_and_success_resets(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.db")
    for _ in range(3):
        store.record_source_result(
            SRC, SourceResult(SRC.id, ok=False, error="HTTP 500 Internal Server Error")
        )
    (health,) = store.source_health()
    assert (health["consecutive_failures"], health["last_error"], health["last_success"]) == (
        3,
        "HTTP 500 Internal Server Error",
        None,
    )
    store.record_source_result(SRC, SourceResult(SRC.id, ok=True, seen_ids=["x"]))
    (health,) = store.source_health()
    assert (
        health["consecutive_failures"] == 0 and health["last_success"] and health["items_last"] == 1
    )


def test_a_sharp_drop_is_flagged_as_probably_broken_and_removes_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.db")
    items = [_item(f"1.{n}", f"body {n}") for n in range(20)]
    for item in items:
        store.upsert_item(item)
    for _ in range(3):
        store.record_source_result(
            SRC, SourceResult(SRC.id, ok=True, seen_ids=[i.id for i in items], removals=True)
        )
    outcome = store.record_source_result(
        SRC, SourceResult(SRC.id, ok=True, seen_ids=[items[0].id], removals=True)
    )
    assert (
        outcome["suspect"]
        == "probably broken: extracted 1 entries, usually about 20 (layout change?)"
    )
    assert outcome["removed"] == 0
    assert store.count_items(status="active") == 20
    assert store.source_health()[0]["suspect"].startswith("probably broken")


def test_suspect_reason_needs_history_and_a_real_drop() -> None:
    assert suspect_reason([], 0, 0.5) is None
    assert suspect_reason([10], 0, 0.5) is None
    assert suspect_reason([10, 12, 11], 9, 0.5) is None
    assert suspect_reason([2, 2, 2], 0, 0.5) is None  # too small to judge
    assert suspect_reason([10, 12, 11], 3, 0.5) is not None


def test_validators_are_saved_only_with_a_successful_result(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.db")
    val = {SRC.url: {"etag": '"abc"'}}
    store.record_source_result(SRC, SourceResult(SRC.id, ok=False, error="x", validators=val))
    assert store.validators(SRC.url) == {}
    store.record_source_result(SRC, SourceResult(SRC.id, ok=True, validators=val))
    assert store.validators(SRC.url) == {"etag": '"abc"'}
