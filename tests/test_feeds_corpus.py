"""parse_feed on the real-world corpus (../shared/corpus/feeds): no crash, floors held."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from crawlers.feeds import parse_feed
from radar.core.errors import ExtractionError

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / ".." / "shared" / "corpus"
FLOORS = json.loads((ROOT / "tests" / "eval" / "feeds_floors.json").read_text("utf-8"))

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(
        not (CORPUS / "feeds").is_dir(), reason=f"corpus absent: {CORPUS.resolve()}/feeds"
    ),
]


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_feeds", ROOT / "bench" / "eval_feeds.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _feed_files() -> list[Path]:
    return _bench().feed_files(CORPUS / "feeds") if (CORPUS / "feeds").is_dir() else []


@pytest.mark.parametrize("path", _feed_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_crash(path: Path) -> None:
    try:
        feed = parse_feed(path.read_bytes(), "https://example.test/feed")
    except ExtractionError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert feed.warning is None or "\n" not in feed.warning
        for entry in feed.entries:
            assert entry.id
            assert entry.url == "" or entry.url.startswith(("http://", "https://"))


@pytest.fixture(scope="module")
def result() -> dict:
    return _bench().evaluate(CORPUS)


def test_floors(result: dict) -> None:
    exp = result["expected"]
    assert len(result["crashes"]) <= FLOORS["max_crashes"], result["crashes"]
    assert result["with_entries"] >= FLOORS["min_files_with_entries"], result["errors"]
    assert len(result["errors"]) <= FLOORS["max_errors"], result["errors"]
    assert exp["compared"] >= FLOORS["min_expected_compared"]
    assert exp["count_match"] >= FLOORS["min_count_match"], exp["mismatches"]
    assert exp["title_match"] >= FLOORS["min_title_match"], exp["mismatches"]
