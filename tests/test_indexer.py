"""`radar index` as a library: incremental, resumable, removals, rebuilds, vectors by model."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from enrich.embed import HashEmbedder
from radar.core.errors import BackendError
from radar.core.records import Item, SourceResult, item_id
from radar.store import Store
from search import SearchQuery, get_backend
from search.base import IndexDoc, SearchBackend
from search.indexer import Indexer
from search.sqlite import SQLiteBackend


def _item(n: int, title: str | None = None, body: str | None = None, **kw: Any) -> Item:
    return Item(
        id=item_id("acme-log", "https://acme.example/changelog", f"entry {n}"),
        source_id="acme-log", kind="changelog_entry", competitor="acme",
        title=title or f"Release {n}: widget {n}", body=body or f"Body of release {n} with gizmo{n}.",
        url=f"https://acme.example/changelog#{n}", published=f"2025-03-{1 + n % 28:02d}", **kw,
    )  # fmt: skip


def _store(tmp_path: Path, n: int = 10) -> Store:
    store = Store(tmp_path / "radar.db")
    for k in range(n):
        store.upsert_item(_item(k))
    return store


def _backend(tmp_path: Path) -> SQLiteBackend:
    from radar.core.settings import Settings

    backend = get_backend(Settings({"data_dir": str(tmp_path)}, env={}), tmp_path / "radar.db")
    assert isinstance(backend, SQLiteBackend)
    return backend


def _all_ids(backend: SearchBackend) -> list[str]:
    return [h.id for h in backend.search(SearchQuery(mode="text", limit=1000)).hits]


class FailingBackend:
    """Wraps a backend; the Nth call to index() raises BackendError (after writing nothing)."""

    def __init__(self, inner: SearchBackend, fail_on: int):
        self.inner, self.fail_on, self.calls, self.sent = inner, fail_on, 0, []  # type: ignore[var-annotated]
        self.name = inner.name

    def index(self, docs: Iterable[IndexDoc]) -> int:
        self.calls += 1
        docs = list(docs)
        if self.calls == self.fail_on:
            raise BackendError("connection refused")
        self.sent.extend(d.id for d in docs)
        return self.inner.index(docs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_indexes_everything_once_then_only_what_changed(tmp_path: Path) -> None:
    store, backend = _store(tmp_path), _backend(tmp_path)
    first = Indexer(store, backend, batch_size=4).run()
    assert (first.indexed, first.deleted, first.batches, first.total) == (10, 0, 3, 10)
    again = Indexer(store, backend).run()
    assert (again.indexed, again.batches, again.total) == (0, 0, 10)
    store.upsert_item(_item(3, body="Now with a flux capacitor."))
    store.upsert_item(_item(42))
    third = Indexer(store, backend).run()
    assert (third.indexed, third.total) == (2, 11)
    assert [h.id for h in backend.search(SearchQuery("capacitor", mode="text")).hits] == [
        _item(3).id
    ]
    assert backend.search(SearchQuery("gizmo3", mode="text")).total == 0


def test_removed_items_are_deleted_from_the_index(tmp_path: Path) -> None:
    store, backend = _store(tmp_path, 5), _backend(tmp_path)
    Indexer(store, backend).run()
    source = SimpleNamespace(
        id="acme-log", competitor="acme", type="changelog", url="https://acme.example/changelog"
    )
    keep = [_item(k).id for k in (0, 1, 2)]
    store.record_source_result(
        source, SourceResult("acme-log", ok=True, seen_ids=keep, removals=True)
    )
    summary = Indexer(store, backend).run()
    assert (summary.indexed, summary.deleted, summary.total) == (0, 2, 3)
    assert sorted(_all_ids(backend)) == sorted(keep)
    store.upsert_item(_item(4))  # it comes back
    assert Indexer(store, backend).run().total == 4


def test_a_failed_run_resumes_with_nothing_lost_or_doubled(tmp_path: Path) -> None:
    store, backend = _store(tmp_path, 10), _backend(tmp_path)
    flaky = FailingBackend(backend, fail_on=3)
    indexer = Indexer(store, flaky, batch_size=3)  # type: ignore[arg-type]
    with pytest.raises(BackendError, match="connection refused.*6 items sent.*resume"):
        indexer.run()
    assert backend.count() == 6 and indexer.pending() == 4
    store.upsert_item(
        _item(1, body="Changed while the backend was down.")
    )  # already sent, now changed
    resumed = Indexer(store, backend, batch_size=3).run()
    assert resumed.indexed == 5  # the 4 never acknowledged + the changed one
    ids = _all_ids(backend)
    assert sorted(ids) == sorted({_item(k).id for k in range(10)}) and len(ids) == 10
    assert backend.search(SearchQuery("backend down", mode="text")).total == 1


def test_rebuild_clears_what_the_store_does_not_hold(tmp_path: Path) -> None:
    store, backend = _store(tmp_path, 4), _backend(tmp_path)
    Indexer(store, backend).run()
    backend.index(
        [IndexDoc(id="stray", title="stray doc", body="x", url="u", kind="news", source="s")]
    )
    assert backend.count() == 5
    summary = Indexer(store, backend).run(rebuild=True)
    assert (summary.indexed, summary.total) == (4, 4)
    assert "stray" not in _all_ids(backend)


def test_an_emptied_index_is_filled_again(tmp_path: Path) -> None:
    store, backend = _store(tmp_path, 4), _backend(tmp_path)
    Indexer(store, backend).run()
    backend.clear()  # e.g. the search file was deleted or a new cluster configured
    summary = Indexer(store, backend).run()
    assert summary.total == 4 and "indexed everything again" in summary.messages[0]


def test_vectors_come_from_the_newest_embedding_model(tmp_path: Path) -> None:
    store, backend = _store(tmp_path, 6), _backend(tmp_path)
    embedder = HashEmbedder()
    items = list(store.items())
    vectors = embedder.embed([f"{i.title}. {i.body}" for i in items])
    store.cache_embeddings(
        {i.content_hash: v for i, v in zip(items, vectors, strict=True)}, embedder.name
    )
    summary = Indexer(store, backend).run()
    assert (summary.vector_model, summary.with_vectors) == ("hash-256", 6)
    assert Indexer(store, backend).state()[1] == "hash-256"
    query = SearchQuery(mode="semantic", vector=vectors[2].tolist(), limit=3)
    assert backend.search(query).hits[0].id == items[2].id
    other = HashEmbedder(dim=64)
    store.cache_embeddings({items[0].content_hash: other.embed(["x"])[0]}, other.name)
    changed = Indexer(store, backend).run()
    assert changed.vector_model == "hash-64" and changed.with_vectors == 1 and changed.total == 6
    assert "rebuilt" in changed.messages[0]


def test_documents_carry_enrichment_and_fall_back_to_first_seen(tmp_path: Path) -> None:
    store, backend = Store(tmp_path / "radar.db"), _backend(tmp_path)
    item = _item(1)
    item.published = None
    item.first_seen = "2025-02-02T08:00:00Z"
    store.upsert_item(item)
    item.themes = [{"id": "pricing", "score": 0.8, "kind": "configured", "label": "Pricing"}]
    item.move_type = "pricing_change"
    store.save_enrichment([item])
    Indexer(store, backend).run()
    (hit,) = backend.search(
        SearchQuery(mode="text", theme=["pricing"], move_type=["pricing_change"])
    ).hits
    assert hit.published == "2025-02-02T08:00:00Z" and hit.themes == ["pricing"]
