"""The embedded backend's memory-mapped vector files and IVF index (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from search import sqlite_vectors
from search.base import IndexDoc, SearchQuery
from search.sqlite import SQLiteBackend

DIM = 16


def _vectors(n: int, seed: int = 0, centres: int = 8) -> np.ndarray:
    rng = np.random.default_rng(seed)
    middle = rng.normal(size=(centres, DIM))
    v = middle[rng.integers(0, centres, n)] + rng.normal(scale=0.4, size=(n, DIM))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def _docs(vectors: np.ndarray, start: int = 0) -> list[IndexDoc]:
    return [
        IndexDoc(
            id=f"d{start + i}",
            title=f"doc {start + i}",
            body="body text",
            url="https://x.example/",
            kind="news",
            source=f"s{(start + i) % 3}",
            competitor=None,
            published="2026-01-05",
            vector=v.tolist(),
        )  # fmt: skip
        for i, v in enumerate(vectors)
    ]


def _semantic(
    backend: SQLiteBackend, vector: np.ndarray, limit: int = 10, **filters: object
) -> list[str]:
    query = SearchQuery(mode="semantic", vector=vector.tolist(), limit=limit, **filters)  # type: ignore[arg-type]
    return [h.id for h in backend.search(query).hits]


def _exact(vectors: np.ndarray, query: np.ndarray, ids: list[str], k: int = 10) -> list[str]:
    order = np.argsort(-(vectors @ query), kind="stable")[:k]
    return [ids[i] for i in order]


def _header(path: Path) -> dict[str, int]:
    return json.loads((Path(str(path) + ".vectors") / "header.json").read_text())


def test_a_new_process_maps_the_files_the_indexer_wrote(tmp_path: Path) -> None:
    vectors = _vectors(200)
    writer = SQLiteBackend(tmp_path / "i.db")
    writer.index(_docs(vectors[:120]))
    writer.index(_docs(vectors[120:], start=120))
    assert _header(tmp_path / "i.db")["rows"] == 200
    reader = SQLiteBackend(tmp_path / "i.db")
    ids = [f"d{i}" for i in range(200)]
    assert _semantic(reader, vectors[7]) == _exact(vectors, vectors[7], ids)
    assert reader._vectors.mapped is not None and reader._vectors.mapped.header.rows == 200


def test_a_stale_or_missing_file_is_rebuilt_from_the_index(tmp_path: Path) -> None:
    vectors = _vectors(60)
    backend = SQLiteBackend(tmp_path / "i.db")
    backend.index(_docs(vectors))
    header = _header(tmp_path / "i.db")
    (Path(str(tmp_path / "i.db") + ".vectors") / "header.json").write_text(
        json.dumps({**header, "generation": header["generation"] - 1, "rows": 10})
    )
    ids = [f"d{i}" for i in range(60)]
    assert _semantic(SQLiteBackend(tmp_path / "i.db"), vectors[3]) == _exact(
        vectors, vectors[3], ids
    )
    assert _header(tmp_path / "i.db")["rows"] == 60
    for path in Path(str(tmp_path / "i.db") + ".vectors").iterdir():
        path.unlink()
    assert _semantic(SQLiteBackend(tmp_path / "i.db"), vectors[5]) == _exact(
        vectors, vectors[5], ids
    )


def test_a_crashed_append_leaves_a_readable_prefix_that_the_next_write_overwrites(
    tmp_path: Path,
) -> None:
    vectors = _vectors(40)
    backend = SQLiteBackend(tmp_path / "i.db")
    backend.index(_docs(vectors[:30]))
    root = Path(str(tmp_path / "i.db") + ".vectors")
    header = _header(tmp_path / "i.db")
    with open(root / f"matrix.{header['epoch']}.f32", "ab") as handle:  # rows written, header not
        handle.write(np.ones((5, DIM), dtype=np.float32).tobytes())
    backend.index(_docs(vectors[30:], start=30))
    assert _header(tmp_path / "i.db")["rows"] == 40
    ids = [f"d{i}" for i in range(40)]
    assert _semantic(SQLiteBackend(tmp_path / "i.db"), vectors[33]) == _exact(
        vectors, vectors[33], ids
    )


def test_updates_and_deletions_replace_earlier_rows(tmp_path: Path) -> None:
    vectors = _vectors(50)
    backend = SQLiteBackend(tmp_path / "i.db")
    backend.index(_docs(vectors))
    backend.index(_docs(vectors[:1][::-1] * -1, start=10))  # d10 now points the other way
    backend.delete(["d3"])
    hits = _semantic(SQLiteBackend(tmp_path / "i.db"), vectors[3], limit=50)
    assert "d3" not in hits and hits[-1] == "d10" and len(hits) == 49


def test_clear_empties_the_vectors_too(tmp_path: Path) -> None:
    backend = SQLiteBackend(tmp_path / "i.db")
    backend.index(_docs(_vectors(20)))
    backend.clear()
    assert _semantic(SQLiteBackend(tmp_path / "i.db"), _vectors(1)[0]) == []
    assert _header(tmp_path / "i.db")["rows"] == 0


def test_the_ivf_index_finds_the_exact_neighbours_and_honours_filters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_vectors, "ANN_MIN", 1000)
    monkeypatch.setattr(sqlite_vectors, "EXACT_ALLOWED", 10)
    vectors = _vectors(3000, seed=1)
    backend = SQLiteBackend(tmp_path / "i.db")
    for start in range(0, 3000, 500):
        backend.index(_docs(vectors[start : start + 500], start=start))
    header = _header(tmp_path / "i.db")
    assert header["trained_rows"] >= 1000 and header["rows"] == 3000
    reader = SQLiteBackend(tmp_path / "i.db")
    ids = [f"d{i}" for i in range(3000)]
    noisy = vectors[::100] + np.random.default_rng(2).normal(scale=0.2, size=(30, DIM))
    queries = (noisy / np.linalg.norm(noisy, axis=1, keepdims=True)).astype(np.float32)
    found = sum(len(set(_semantic(reader, q)) & set(_exact(vectors, q, ids))) for q in queries)
    assert reader._vectors.mapped is not None and reader._vectors.mapped.centroids is not None
    assert found / (10 * len(queries)) >= 0.95
    in_s1 = [i for i in range(3000) if i % 3 == 1]
    filtered = _semantic(reader, queries[0], source=["s1"])
    assert filtered == _exact(vectors[in_s1], queries[0], [ids[i] for i in in_s1])
