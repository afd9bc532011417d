"""The embedded backend's text fast path: a page the every-word tier fills skips the tiers (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

import search.sqlite
from search.base import IndexDoc, SearchQuery
from search.sqlite import SQLiteBackend

BODIES = ["alpha beta gamma", "alpha beta", "alpha", "beta delta", "alpha beta beta epsilon",
          "gamma delta", "beta", "alpha alpha beta"]  # fmt: skip


@pytest.fixture
def backend(tmp_path: Path) -> SQLiteBackend:
    backend = SQLiteBackend(tmp_path / "i.db")
    backend.index(
        IndexDoc(
            id=f"d{i}",
            title=f"item {i}",
            body=f"{BODIES[i % len(BODIES)]} filler {i}",
            url="https://x.example/",
            kind="news",
            source="s",
            competitor=("acme", "globex")[i % 2],
            published="2026-01-05",
        )  # fmt: skip
        for i in range(40)
    )
    return backend


def _page(backend: SQLiteBackend, query: SearchQuery) -> list[tuple[str, float, str]]:
    return [(h.id, round(h.score, 6), h.snippet) for h in backend.search(query).hits]


def _statements(backend: SQLiteBackend, query: SearchQuery) -> list[str]:
    seen: list[str] = []
    backend.db.set_trace_callback(seen.append)
    try:
        backend.search(query)
    finally:
        backend.db.set_trace_callback(None)
    return seen


@pytest.mark.parametrize(
    "query",
    [
        SearchQuery(text="alpha beta", limit=5),  # 20 docs hold both: the top tier fills the page
        SearchQuery(text="alpha beta", limit=5, offset=10),
        SearchQuery(text="alpha beta", limit=5, competitor=["globex"]),
        SearchQuery(text="alpha gamma", limit=10),  # 5 hold both: the page needs the next tier
        SearchQuery(text='alpha "beta epsilon"', limit=3),
    ],
)
def test_the_fast_path_returns_the_page_the_tiers_give(
    backend: SQLiteBackend, monkeypatch: pytest.MonkeyPatch, query: SearchQuery
) -> None:
    fast = _page(backend, query)
    with monkeypatch.context() as patch:
        patch.setattr(search.sqlite, "fts5_all", lambda parsed: "")
        assert fast == _page(backend, query)
    assert (
        backend.search(query).total
        == backend.search(SearchQuery(**{**query.__dict__, "limit": 100})).total
    )


def test_a_full_top_tier_skips_the_tier_counting(backend: SQLiteBackend) -> None:
    full = _statements(backend, SearchQuery(text="alpha beta", limit=5))
    short = _statements(backend, SearchQuery(text="alpha gamma", limit=10))
    assert not any("IN (SELECT rowid" in s for s in full)
    assert any("IN (SELECT rowid" in s for s in short)
