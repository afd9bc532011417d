"""extract_article on trafilatura's evaluation pages (../shared/corpus/articles): floors held."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / ".." / "shared" / "corpus"
EVALDATA = CORPUS / "articles" / "trafilatura-eval" / "evaldata.json"
FLOORS = json.loads((ROOT / "tests" / "eval" / "articles_floors.json").read_text("utf-8"))

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not EVALDATA.is_file(), reason=f"corpus absent: {EVALDATA.resolve()}"),
]


def test_article_scores_above_floors() -> None:
    spec = importlib.util.spec_from_file_location(
        "eval_articles", ROOT / "bench" / "eval_articles.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.evaluate(CORPUS)
    assert result["pages"] >= FLOORS["min_pages"]
    assert result["with_share"] >= FLOORS["min_with_share"], result["imperfect_pages"]
    assert result["without_share"] >= FLOORS["min_without_share"], result["imperfect_pages"]
