"""Pre-aggregated counts of the embedded backend answer histograms as a scan would (issue 14)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from search import sqlite_counts
from search.base import IndexDoc, SearchQuery
from search.sqlite import SQLiteBackend


def _doc(i: int, **changes: object) -> IndexDoc:
    values: dict[str, object] = dict(
        id=f"d{i}", title=f"doc {i}", body="alpha beta", url="https://x.example/",
        kind=("news", "release")[i % 2], source=f"s{i % 3}", competitor=(None, "acme", "globex")[i % 3],
        published=f"2026-0{1 + i % 3}-{1 + i % 27:02d}", themes=[f"t{i % 4}", f"t{i % 5}"],
        move_type=("launch", None, "fix")[i % 3],
    )  # fmt: skip
    return IndexDoc(**{**values, **changes})  # type: ignore[arg-type]


def _histograms(backend: SQLiteBackend, query: SearchQuery) -> dict[str, object]:
    return {
        f"{by}/{interval}": backend.histogram(by, interval, query)
        for by in ("theme", "competitor", "move_type", "kind")
        for interval in ("week", "month")
    }


@pytest.fixture
def backend(tmp_path: Path) -> SQLiteBackend:
    backend = SQLiteBackend(tmp_path / "i.db")
    backend.index([_doc(i) for i in range(60)])
    backend.index(
        [_doc(i, competitor="initech", themes=["t9"], published=None) for i in range(0, 60, 7)]
    )
    backend.index([_doc(i, published="2026-03-30", move_type="pricing") for i in range(1, 60, 11)])
    backend.delete([f"d{i}" for i in range(2, 60, 13)])
    return backend


def _scanned(
    backend: SQLiteBackend, query: SearchQuery, monkeypatch: pytest.MonkeyPatch
) -> dict[str, object]:
    with monkeypatch.context() as patch:
        patch.setattr(sqlite_counts, "answers", lambda *_: False)
        return _histograms(backend, query)


@pytest.mark.parametrize("since, until", [(None, None), ("2026-01-14", "2026-03-02")])
def test_counts_match_a_scan_after_updates_and_deletions(
    backend: SQLiteBackend, monkeypatch: pytest.MonkeyPatch, since: str | None, until: str | None
) -> None:
    query = SearchQuery(since=since, until=until)
    counted = _histograms(backend, query)
    assert counted == _scanned(backend, query, monkeypatch)
    assert sum(sum(v.values()) for v in counted["kind/month"].values()) > 10  # type: ignore[attr-defined]


def test_an_index_from_before_the_counts_is_counted_when_opened(
    backend: SQLiteBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _histograms(backend, SearchQuery())
    backend.close()
    with sqlite3.connect(tmp_path / "i.db") as db:
        db.execute("DROP TABLE search_counts")
    reopened = SQLiteBackend(tmp_path / "i.db")
    assert _histograms(reopened, SearchQuery()) == expected
    assert expected == _scanned(reopened, SearchQuery(), monkeypatch)


def test_clear_empties_the_counts(backend: SQLiteBackend) -> None:
    backend.clear()
    assert backend.histogram("theme", "week") == {}
    assert backend.db.execute("SELECT COUNT(*) FROM search_counts").fetchone()[0] == 0


def test_words_and_filters_still_scan(backend: SQLiteBackend) -> None:
    filtered = backend.histogram("kind", "month", SearchQuery(competitor=["acme"]))
    assert set().union(*(v.keys() for v in filtered.values())) <= {"news", "release"}
    total = backend.search(SearchQuery(competitor=["acme"], limit=0)).total
    assert sum(sum(v.values()) for v in filtered.values()) == total
