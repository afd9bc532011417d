"""`radar enrich` as a library: batches, the embedding cache, interruption, mentions and events."""

from __future__ import annotations

from pathlib import Path

import pytest

from enrich.embed import HashEmbedder
from enrich.events import EventGrouper
from enrich.mentions import MentionFinder
from enrich.pipeline import Enricher
from radar.core.records import Item, item_id
from radar.store import Store


class CountingEmbedder(HashEmbedder):
    """The hashing test embedder, counting texts; can be told to fail after N calls."""

    def __init__(self, fail_after: int | None = None):
        super().__init__()
        self.texts = 0
        self.calls = 0
        self.fail_after = fail_after

    def embed(self, texts: list[str]):  # type: ignore[no-untyped-def]
        self.calls += 1
        if self.fail_after is not None and self.calls > self.fail_after:
            raise KeyboardInterrupt("interrupted")
        self.texts += len(texts)
        return super().embed(texts)


def _item(
    source: str, title: str, body: str, competitor: str | None = None, day: str = "2026-11-20"
) -> Item:
    kind = "news" if competitor is None else "changelog_entry"
    return Item(
        id=item_id(source, f"https://{source}.example/", title),
        source_id=source,
        kind=kind,
        title=title,
        body=body,
        url=f"https://{source}.example/{abs(hash(title))}",
        competitor=competitor,
        published=day,
    )


def _store(tmp_path: Path, n: int = 10) -> Store:
    store = Store(tmp_path / "r.db")
    for k in range(n):
        store.upsert_item(
            _item(
                "acme-log",
                f"Release {k}: dashboards item {k}",
                f"Body of release {k} with charts.",
                "acme",
            )
        )
    return store


def test_enrich_processes_everything_once_and_reruns_do_nothing(tmp_path: Path) -> None:
    store = _store(tmp_path)
    embedder = CountingEmbedder()
    first = Enricher(store, embedder, batch_size=4).run()
    assert (first.processed, first.embedded, first.cached) == (10, 10, 0)
    second = Enricher(store, embedder, batch_size=4).run()
    assert second.processed == 0 and second.messages == ["nothing new to enrich"]
    assert embedder.texts == 10


def test_an_interrupted_run_is_finished_by_the_next_without_embedding_twice(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        Enricher(store, CountingEmbedder(fail_after=2), batch_size=4).run()
    assert len(store.items_to_enrich()) == 2  # two batches of 4 were committed
    embedder = CountingEmbedder()
    summary = Enricher(store, embedder, batch_size=4).run()
    assert (summary.processed, summary.embedded) == (2, 2)
    assert store.items_to_enrich() == []


def test_a_changed_item_is_enriched_again_and_identical_text_uses_the_cache(tmp_path: Path) -> None:
    store = _store(tmp_path, n=2)
    embedder = CountingEmbedder()
    Enricher(store, embedder).run()
    edited = _item(
        "acme-log",
        "Release 0: dashboards item 0",
        "Body of release 0 with charts, now with PDF export.",
        "acme",
    )
    assert store.upsert_item(edited) == "changed"
    summary = Enricher(store, embedder).run()
    assert (summary.processed, summary.embedded) == (1, 1)
    copy = _item("mirror", "Release 1: dashboards item 1", "Body of release 1 with charts.", "acme")
    store.upsert_item(copy)
    assert Enricher(store, embedder).run().cached == 1  # same content hash: no new embedding


def test_mentions_events_and_language_are_recorded(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.db")
    story = "Acme Analytics acquires Lumbergh Labs to add pipeline observability to its warehouse product line."
    store.upsert_item(_item("wire", "Acme Analytics acquires Lumbergh Labs", story))
    store.upsert_item(
        _item(
            "ledger", "Acme Analytics acquires Lumbergh Labs", story + " Terms were not disclosed."
        )
    )
    store.upsert_item(
        _item(
            "ledger",
            "Globex raises prices",
            "Globex Cloud raises its Pro plan price by 20 percent.",
            day="2026-11-21",
        )
    )
    store.upsert_item(_item("digest", "Old story", story, day="2026-01-02"))
    mentions = MentionFinder(
        [("acme", ["Acme Analytics", "Acme"]), ("globex", ["Globex", "Globex Cloud"])]
    )
    Enricher(store, HashEmbedder(), mentions=mentions, events=EventGrouper(0.8, 7)).run()
    items = {(i.source_id, i.title): i for i in store.items()}
    first, second = (
        items[("wire", "Acme Analytics acquires Lumbergh Labs")],
        items[("ledger", "Acme Analytics acquires Lumbergh Labs")],
    )
    assert first.mentions == ["acme"] and items[("ledger", "Globex raises prices")].mentions == [
        "globex"
    ]
    assert first.event_id == second.event_id == f"ev-{first.id}"
    assert items[("ledger", "Globex raises prices")].event_id != first.event_id
    assert items[("digest", "Old story")].event_id != first.event_id  # too far apart in time
    assert first.language == "en"


def test_a_changelog_entry_and_a_release_of_the_same_version_are_one_event(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.db")
    entry = _item(
        "acme-log", "3.2.0 - 2026-11-18", "GPU instances in preview; build cache shared.", "acme"
    )
    entry.version = "3.2.0"
    release = _item(
        "acme-releases", "v3.2.0: GPU instances (preview)", "Deploy models on GPUs.", "acme"
    )
    release.version = "v3.2.0"
    other = _item("acme-releases", "v3.1.0", "Unrelated improvements.", "acme")
    other.version = "3.1.0"
    for item in (entry, release, other):
        store.upsert_item(item)
    Enricher(store, HashEmbedder(), events=EventGrouper(0.99, 7)).run()
    events = {i.title: i.event_id for i in store.items()}
    assert events["3.2.0 - 2026-11-18"] == events["v3.2.0: GPU instances (preview)"]
    assert events["v3.1.0"] != events["3.2.0 - 2026-11-18"]


def test_two_competitors_own_items_are_never_one_event(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.db")
    text = "Single sign-on with SAML and SCIM provisioning is now available on every plan."
    store.upsert_item(_item("acme-log", "SSO for everyone", text, "acme"))
    store.upsert_item(_item("globex-log", "SSO for everyone", text, "globex"))
    store.upsert_item(_item("wire", "SSO for everyone", text))
    Enricher(store, HashEmbedder(), events=EventGrouper(0.8, 7)).run()
    events = {i.source_id: i.event_id for i in store.items()}
    assert events["acme-log"] != events["globex-log"]
    assert events["wire"] in (events["acme-log"], events["globex-log"])
