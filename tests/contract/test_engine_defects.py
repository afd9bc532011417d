"""Defects only a real engine shows (issue 13), each asserted on every backend of the contract.

On the Elasticsearch emulator some pass trivially; on Elasticsearch 8.19 and OpenSearch 2.19 they
failed before the fix: `check()` called `GET /` (absent without rest-root, needs
cluster:monitor/main), `clear()` used `_delete_by_query`, a new embedding model kept the old
vector size, offsets past 10,000 and bodies over 1,000,000 characters were refused.
"""

from __future__ import annotations

import pytest

from search.base import IndexDoc, SearchBackend, SearchQuery


def _doc(doc_id: str, body: str, vector: list[float] | None = None) -> IndexDoc:
    return IndexDoc(id=doc_id, title=f"Title {doc_id}", body=body, url=f"https://x/{doc_id}",
                    kind="news", source="s", published="2025-01-02", vector=vector)  # fmt: skip


def test_check_and_clear_need_no_cluster_level_endpoint(backend: SearchBackend) -> None:
    backend.check()
    backend.index([_doc("a", "zebrafish pricing", [1.0, 0.0, 0.0])])
    backend.clear()
    assert backend.count() == 0
    backend.index([_doc("b", "zebrafish again", [0.0, 1.0, 0.0])])
    assert backend.count() == 1


def test_a_new_model_after_clear_gets_a_new_vector_size(backend: SearchBackend) -> None:
    backend.index([_doc("a", "kraken", [1.0, 0.0, 0.0])])
    backend.clear()  # what `radar index` does when the embedding model changed
    backend.index([_doc("a", "kraken", [0.0, 1.0, 0.0, 0.0]), _doc("b", "squid", [1.0, 0, 0, 0])])
    nearest = backend.search(SearchQuery(mode="semantic", vector=[0.0, 1.0, 0.0, 0.0], limit=1))
    assert [h.id for h in nearest.hits] == ["a"] and backend.count() == 2


def test_pages_past_the_result_window_are_empty_not_refused(backend: SearchBackend) -> None:
    backend.index([_doc("a", "zebrafish"), _doc("b", "zebrafish too")])
    deep = backend.search(SearchQuery(text="zebrafish", mode="text", offset=20_000, limit=10))
    assert deep.hits == [] and deep.total in (0, 2)  # a capped total is allowed


@pytest.mark.slow
def test_a_body_past_the_highlight_limit_still_answers(backend: SearchBackend) -> None:
    body = "zebrafish " + "lorem ipsum " * 90_000  # > 1,000,000 characters
    backend.index([_doc("big", body), _doc("small", "zebrafish small")])
    found = backend.search(SearchQuery(text="zebrafish", mode="text"))
    assert {h.id for h in found.hits} == {"big", "small"}
