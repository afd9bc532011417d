"""Quality gate on the real changelog corpus (``../shared/corpus``), floors pinned in JSON."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "changelogs"
FLOORS = json.loads((Path(__file__).parent / "eval" / "changelog_floors.json").read_text("utf-8"))

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not (CORPUS / "MANIFEST.md").exists(), reason=f"corpus absent: {CORPUS}"),
]


def _load_eval():
    spec = importlib.util.spec_from_file_location(
        "eval_changelogs", ROOT / "bench" / "eval_changelogs.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rows():
    evaluation = _load_eval()
    manifest = evaluation.read_manifest(CORPUS / "MANIFEST.md")
    return {item[0]: evaluation.evaluate(*item) for item in manifest}


@pytest.mark.parametrize("name", sorted(FLOORS["files"]))
def test_file_stays_above_its_floors(rows, name: str) -> None:
    floor, row = FLOORS["files"][name], rows[name]
    assert abs(row.diff_pct) <= floor["max_count_diff_pct"], (row.expected, row.found)
    if floor["min_date_accuracy"] is not None:
        assert row.date_accuracy is not None
        assert row.date_accuracy >= floor["min_date_accuracy"]
    # A guard against runaway (super-linear) segmentation, not a speed target: speed lives in
    # bench/eval_changelogs.py, and a busy machine must not fail a test.
    assert row.seconds < 30.0


def test_every_manifest_file_has_a_floor(rows) -> None:
    assert set(rows) == set(FLOORS["files"])
