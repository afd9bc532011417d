"""The store contract: what every layer above relies on, run on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from radar.core.errors import RadarError
from radar.core.records import Change, Item, SourceResult
from radar.core.settings import Settings
from radar.core.themes import DiscoveredTheme, ThemeEvent
from radar.store import open_store


@dataclass
class Source:
    id: str = "acme-changelog"
    competitor: str | None = "acme"
    type: str = "changelog"
    url: str = "http://127.0.0.1/changelog"


def item(n: int, body: str = "body", source: str = "acme-changelog", **kw: Any) -> Item:
    return Item(id=f"item-{n:03d}", source_id=source, kind="release", title=f"Release {n}",
                body=body, url=f"http://127.0.0.1/changelog#v{n}", competitor="acme", **kw)  # fmt: skip


def result(items: list[Item], removals: bool = False, **kw: Any) -> SourceResult:
    seen = [i.id for i in items]
    return SourceResult("acme-changelog", True, seen_ids=seen, items=items, removals=removals, **kw)


def test_a_source_result_written_twice_stores_each_item_once(store: Any) -> None:
    items = [item(n, changes=[Change(f"Added {n}", "Added", "launch", 0.5)]) for n in range(5)]
    first = store.record_source_result(Source(), result(items), now="2026-01-05T00:00:00Z")
    again = store.record_source_result(Source(), result(items), now="2026-01-06T00:00:00Z")
    assert (first["new"], again["new"], again["unchanged"]) == (5, 0, 5)
    assert store.count_items() == 5 and store.count_items(source_id="acme-changelog") == 5
    got = store.get_item("item-003")
    assert got.last_seen == "2026-01-06T00:00:00Z" and got.first_seen == "2026-01-05T00:00:00Z"
    assert got.changes == [Change("Added 3", "Added", "launch", 0.5, False)]
    assert [i.id for i in store.items()] == [f"item-{n:03d}" for n in range(5)]


def test_a_changed_item_keeps_its_old_text_as_a_revision_and_moves_up_in_seq(store: Any) -> None:
    store.upsert_item(item(1, "old"))
    store.upsert_item(item(2))
    before = store.newest_seq()
    assert store.upsert_item(item(1, "new", changes=[Change("Fixed", None, "fix")])) == "changed"
    assert [(r["body"], r["title"]) for r in store.revisions("item-001")] == [("old", "Release 1")]
    since = store.items_since(before, 10)
    assert [(s.item.id, s.item.body) for s in since] == [("item-001", "new")]
    assert since[0].seq > before == store.count_items() and store.count_items_since(before) == 1
    assert store.get_item("item-001").changes == [Change("Fixed", None, "fix")]


def test_entries_gone_from_a_page_are_marked_removed_and_come_back(store: Any) -> None:
    store.record_source_result(Source(), result([item(1), item(2)], removals=True))
    outcome = store.record_source_result(Source(), result([item(1)], removals=True))
    assert outcome["removed"] == 1
    assert [i.id for i in store.items(status="removed")] == ["item-002"]
    assert store.count_active_up_to(store.newest_seq()) == 1
    back = store.record_source_result(Source(), result([item(1), item(2)], removals=True))
    assert back["revived"] == 1 and store.count_items(status="active") == 2


def test_source_health_validators_and_snapshot_are_kept(store: Any) -> None:
    ok = result([item(1)], validators={"http://127.0.0.1/changelog": {"etag": '"v1"'}},
                snapshot={"url": "http://127.0.0.1/p", "text": "Pro $10", "hash": "h1"})  # fmt: skip
    store.record_source_result(Source(), ok, now="2026-01-05T00:00:00Z")
    store.record_source_result(Source(), SourceResult("acme-changelog", False, error="HTTP 500"))
    assert store.validators("http://127.0.0.1/changelog") == {"etag": '"v1"'}
    assert store.snapshot("acme-changelog") == "Pro $10" and store.snapshot("other") is None
    [health] = store.source_health()
    assert (health["last_success"], health["last_error"]) == ("2026-01-05T00:00:00Z", "HTTP 500")
    assert (health["consecutive_failures"], health["items_last"], health["counts"]) == (1, 1, [1])


def test_known_hashes_prefer_a_feed_fingerprint(store: Any) -> None:
    store.upsert_item(item(1))
    store.upsert_item(item(2, extra={"fingerprint": "fp-2"}))
    hashes = store.known_hashes("acme-changelog")
    assert hashes == {"item-001": item(1).content_hash, "item-002": "fp-2"}


def test_enrichment_is_saved_once_per_content_and_read_back(store: Any) -> None:
    store.upsert_item(item(1, published="2026-01-07"))
    store.upsert_item(item(2, published="2026-01-08"))
    todo = store.items_to_enrich()
    assert [i.id for i in todo] == ["item-001", "item-002"]
    mark = store.newest_seq()
    for each in todo:
        each.themes, each.move_type, each.mentions = [{"id": "ai", "score": 0.8}], "launch", ["b"]
        each.extra["summary"] = f"summary of {each.id}"
    store.save_enrichment(todo)
    assert store.items_to_enrich() == []
    got = store.get_item("item-001")
    assert (got.themes, got.move_type, got.mentions) == (
        [{"id": "ai", "score": 0.8}],
        "launch",
        ["b"],
    )
    assert got.extra == {"summary": "summary of item-001"}
    assert [i.id for i in store.enriched_items(after_seq=mark)] == ["item-001", "item-002"]
    assert [i.id for i in store.enriched_items(since="2026-01-08")] == ["item-002"]
    got.extra.pop("summary")
    store.save_enrichment([got])
    assert store.get_item("item-001").extra == {}


def test_enrichment_saves_typed_changes_only_for_the_content_it_read(store: Any) -> None:
    store.upsert_item(item(1, changes=[Change("Added SSO"), Change("Bump deps")]))
    store.upsert_item(item(2, changes=[Change("Fixed login")]))
    todo = store.items_to_enrich()
    store.upsert_item(item(2, "edited meanwhile", changes=[Change("Fixed logout")]))
    typed = [Change("Added SSO", None, "launch", 0.9), Change("Bump deps", None, "other", 0, True)]
    todo[0].changes, todo[1].changes = typed, [Change("Fixed login", None, "fix", 0.5)]
    store.save_enrichment(todo)
    store.save_enrichment([])
    assert store.get_item("item-001").changes == typed
    assert store.get_item("item-002").changes == [Change("Fixed logout")]
    assert [i.id for i in store.items_to_enrich()] == ["item-002"]


def test_embeddings_are_cached_per_model_and_the_newest_model_is_known(store: Any) -> None:
    vec = np.array([0.6, 0.8], dtype=np.float32)
    store.cache_embeddings({"h1": vec, "h2": vec * 0}, "model-a")
    store.cache_embeddings({"h1": vec}, "model-b")
    assert store.newest_embedding_model() == "model-b"
    store.cache_embeddings({"h2": vec}, "model-a")  # rewritten: model-a is the newest again
    assert store.newest_embedding_model() == "model-a"
    cached = store.cached_embeddings(["h1", "h2", "h3"], "model-a")
    assert sorted(cached) == ["h1", "h2"] and cached["h1"].tolist() == pytest.approx([0.6, 0.8])


def test_recent_items_and_active_vectors_join_items_with_their_vectors(store: Any) -> None:
    store.upsert_item(item(1, published="2026-01-07"))
    store.upsert_item(item(2, published="2025-01-07"))
    items = store.items_to_enrich()
    store.save_enrichment(items)
    store.cache_embeddings({i.content_hash: np.ones(3, np.float32) for i in items}, "m")
    assert [i.id for i, _ in store.recent_items("2026-01-01", "m")] == ["item-001"]
    chunks = list(store.active_vectors("m", chunk=1))
    assert [[row[0] for row in c] for c in chunks] == [["item-001"], ["item-002"]]


def _theme(tid: str, size: int) -> DiscoveredTheme:
    centroid = np.array([1.0, 0.0], dtype=np.float32)
    return DiscoveredTheme(tid, f"label {tid}", ["k1", "k2"], centroid, 0.3, size, ["item-001"])


@dataclass
class Spec:
    id: str
    name: str
    keywords: list[str]


def test_themes_are_saved_retired_and_counted_over_items(store: Any) -> None:
    store.save_configured_themes([Spec("pricing", "Pricing", ["price"])])
    store.save_themes([_theme("d1", 2), _theme("d2", 1)], [ThemeEvent("new", ["d1", "d2"])])
    store.save_themes([_theme("d1", 3)], [ThemeEvent("retired", ["d2"], ["d2"])])
    assert [t.id for t in store.discovered_themes()] == ["d1"]
    assert [t.id for t in store.discovered_themes("retired")] == ["d2"]
    [d1] = store.discovered_themes()
    assert (d1.size, d1.keywords, d1.centroid.tolist(), d1.radius) == (3, ["k1", "k2"], [1, 0], 0.3)
    assert store.theme_ids_used() == {"pricing", "d1", "d2"}
    assert store.theme_labels() == {"pricing": "Pricing", "d1": "label d1", "d2": "label d2"}
    assert [(r["id"], r["kind"]) for r in store.theme_rows()] == [
        ("pricing", "configured"), ("d1", "discovered"), ("d2", "discovered")]  # fmt: skip
    assert [e["kind"] for e in store.theme_events()] == ["retired", "new"]
    assert store.theme_events()[0]["from_ids"] == ["d2"]


def test_items_are_found_by_the_themes_they_carry(store: Any) -> None:
    day = datetime(2026, 3, 10, tzinfo=UTC)
    for n, (published, tags) in enumerate([
        ("2026-03-09", [{"id": "d1", "score": 0.9, "kind": "discovered"}]),
        ("2026-03-08", [{"id": "d1", "score": 0.7, "kind": "discovered"}, {"id": "p", "score": 0.5}]),
        ("2026-02-20", [{"id": "p", "score": 0.4}]),
        ("2026-03-09", []),
    ]):  # fmt: skip
        store.upsert_item(item(n, published=published, themes=tags))
    assert store.theme_sizes() == {"d1": 2, "p": 2}
    assert store.discovered_coverage() == (4, 2)
    assert [(t.id, t.score, t.day) for t in store.theme_items("d1")] == [
        ("item-000", 0.9, "2026-03-09"), ("item-001", 0.7, "2026-03-08")]  # fmt: skip
    assert store.theme_week_counts(day) == {"d1": (2, 0.0), "p": (1, 0.25)}


def test_week_event_and_recent_items_are_read_by_date(store: Any) -> None:
    store.upsert_item(item(1, published="2026-03-02T10:00:00Z", event_id="e1"))
    store.upsert_item(item(2, published="2026-03-08", event_id="e1"))
    store.upsert_item(item(3, published="2026-03-09", event_id="e2"))
    assert [i.id for i in store.week_items("2026-03-02", "2026-03-08")] == ["item-001", "item-002"]
    assert [i.id for i in store.event_items("e1", exclude="item-002")] == ["item-001"]
    assert [i.id for i in store.active_items_since("2026-03-08")] == ["item-002", "item-003"]


def test_index_state_is_saved_per_backend(store: Any) -> None:
    assert store.index_state("sqlite") is None
    store.save_index_state("sqlite", 7, "model-a")
    store.save_index_state("sqlite", 9, None)
    store.save_index_state("elasticsearch", 3, "model-a")
    state = store.index_state("sqlite")
    assert (state.backend, state.seq, state.vector_model) == ("sqlite", 9, None)
    assert store.index_state("elasticsearch").seq == 3


def test_alert_log_queues_once_and_retries_what_failed(store: Any) -> None:
    assert store.alert_mark("rule") is None
    store.queue_alerts("rule", ["slack", "mail"], {"item-1": "first", "item-2": "second"}, mark=4)
    store.queue_alerts("rule", ["slack"], {"item-1": "queued again"}, mark=6)
    assert store.alert_mark("rule") == 6
    pending = store.pending_alerts("rule", "slack")
    assert [(d.key, d.line, d.status) for d in pending] == [
        ("item-1", "first", "pending"), ("item-2", "second", "pending")]  # fmt: skip
    store.mark_sent("rule", "slack", ["item-1"])
    store.mark_failed("rule", "slack", ["item-2"], "HTTP 502")
    [left] = store.pending_alerts("rule", "slack")
    assert (left.key, left.status, left.attempts, left.last_error) == (
        "item-2",
        "failed",
        1,
        "HTTP 502",
    )
    assert store.count_unsent_alerts() == 3
    history = store.delivery_history()
    assert sorted(d.status for d in history) == ["failed", "pending", "pending", "sent"]
    assert len(store.delivery_history(limit=2)) == 2


def test_runs_are_logged_newest_first(store: Any) -> None:
    first, second = store.start_run("crawl"), store.start_run("daily")
    store.finish_run(first, "done", {"new": 2}, {"acme": {"ok": True}})
    assert second > first
    runs = store.runs()
    assert [r["command"] for r in runs] == ["daily", "crawl"]
    assert (runs[1]["status"], runs[1]["counts"], runs[1]["sources"]) == (
        "done", {"new": 2}, {"acme": {"ok": True}})  # fmt: skip


@pytest.mark.parametrize("how", ["upsert_items", "record_source_result"])
def test_writers_in_parallel_store_each_item_once(settings: Settings, how: str) -> None:
    """Four writers store the same 60 items at once: no duplicate, no lost item, no error."""
    errors: list[BaseException] = []
    outcomes: list[dict[str, int]] = []

    def write() -> None:
        try:
            store = open_store(settings)
            try:
                items = [item(n) for n in range(60)]
                if how == "upsert_items":
                    outcomes.append(store.upsert_items(items))
                else:
                    outcomes.append(store.record_source_result(Source(), result(items)))
            finally:
                store.close()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(o.get("new", 0) for o in outcomes) == 60
    assert sum(o.get("unchanged", 0) for o in outcomes) == 180
    with_store = open_store(settings)
    try:
        assert with_store.count_items() == 60
        assert len({s.seq for s in with_store.items_since(0, 100)}) == 60
    finally:
        with_store.close()


def test_a_read_only_store_refuses_writes(settings: Settings, store: Any) -> None:
    store.upsert_item(item(1))
    reader = open_store(settings, read_only=True)
    try:
        assert reader.get_item("item-001") is not None
        with pytest.raises(Exception, match="(?i)read.?only"):
            reader.upsert_item(item(2))
    finally:
        reader.close()


def test_an_absent_sqlite_store_names_what_to_run(tmp_path: Path) -> None:
    settings = Settings({"data_dir": str(tmp_path)}, env={})
    with pytest.raises(RadarError, match="no store at .*radar.db: run `radar crawl` first"):
        open_store(settings, create=False)


def test_an_unreachable_postgres_store_is_one_line_without_the_password(tmp_path: Path) -> None:
    pytest.importorskip("psycopg", reason="PostgreSQL store tests need the postgres extra")
    from tests.es_testserver import free_port

    url = f"postgresql://radar:s3cret@127.0.0.1:{free_port()}/radar"
    settings = Settings({"data_dir": str(tmp_path), "store_url": url}, env={})
    with pytest.raises(RadarError) as caught:
        open_store(settings, create=False)
    message = str(caught.value)
    assert message.startswith("cannot open the PostgreSQL store postgresql://radar@127.0.0.1:")
    assert "s3cret" not in message and "\n" not in message


def test_a_store_of_a_newer_schema_is_refused(settings: Settings, store: Any) -> None:
    if settings["store_url"]:
        store._db.execute("INSERT INTO schema_version (version) VALUES (99)")
    else:
        store._db.execute("PRAGMA user_version = 99")
    store.close()
    with pytest.raises(RadarError, match="has schema 99, newer than this Market Radar reads"):
        open_store(settings)


def test_store_url_is_empty_or_postgresql_and_never_shown() -> None:
    from radar.core.errors import ConfigError

    for url in ("", "postgresql://radar@db/radar", "postgres:///radar?host=/tmp"):
        assert Settings(env={"RADAR_STORE_URL": url})["store_url"] == url
    with pytest.raises(ConfigError) as caught:
        Settings(env={"RADAR_STORE_URL": "mysql://radar:s3cret@db/radar"})
    assert str(caught.value) == (
        "setting 'store_url' (env RADAR_STORE_URL) must be empty (the SQLite store in data_dir)"
        " or a postgresql:// URL, got a hidden value"
    )
