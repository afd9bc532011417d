"""Discovered themes on BBC News (../shared/corpus/labeled_news/bbc_news): floors held.

Uses bench/results/bbc_embeddings.npy when bench/eval_themes.py has made it; otherwise embeds the
2,225 articles first (about 3-4 minutes on 2 CPU cores).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
BBC = CORPUS / "labeled_news" / "bbc_news"
FLOORS = json.loads((ROOT / "tests" / "eval" / "themes_floors.json").read_text("utf-8"))

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.slow,
    pytest.mark.skipif(not BBC.is_dir(), reason=f"corpus absent: {BBC.resolve()}"),
]


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_themes", ROOT / "bench" / "eval_themes.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bbc(bench: ModuleType) -> tuple[Any, list[str], list[str], list[str]]:
    ids, titles, bodies, gold = bench.load_bbc(CORPUS)
    texts = [bench.item_text(t, b) for t, b in zip(titles, bodies, strict=True)]
    return bench.embeddings(titles, bodies), texts, ids, gold


@pytest.mark.timeout(900)
def test_themes_without_k_match_kmeans_told_the_true_k(bench: ModuleType, bbc: Any) -> None:
    vectors, texts, ids, gold = bbc
    assert len(ids) == FLOORS["items"]
    ours = bench.run_ours(vectors, texts, ids, gold)
    assert ours["v_measure"] >= FLOORS["min_v_measure"], ours
    assert ours["ari"] >= FLOORS["min_ari"], ours
    assert ours["outliers"] <= FLOORS["max_outliers"], ours
    assert FLOORS["min_themes"] <= ours["themes"] <= FLOORS["max_themes"], ours


@pytest.mark.timeout(900)
def test_theme_ids_survive_a_refit_with_ten_percent_more_items(bench: ModuleType, bbc: Any) -> None:
    vectors, texts, ids, _ = bbc
    result = bench.stability(vectors, texts, ids)
    assert result["with_assignments"]["unchanged"] >= FLOORS["min_stability"], result
    assert result["centroids_only"]["unchanged"] >= FLOORS["min_stability"], result


@pytest.mark.timeout(900)
def test_a_year_of_history_gets_its_themes_in_one_daily_run(bench: ModuleType, bbc: Any) -> None:
    vectors, _, _, _ = bbc
    ids, titles, bodies, gold = bench.load_bbc(CORPUS)
    got = bench.run_history(ids, titles, bodies, gold, vectors)
    floors = FLOORS["history"]
    assert got["themed"] >= floors["min_themed"], got
    assert got["outliers"] <= floors["max_outliers"], got
    assert got["v_measure"] >= floors["min_v_measure"], got
