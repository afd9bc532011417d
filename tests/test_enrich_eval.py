"""Configured themes and move types with the real model on the labelled set, against pinned floors.

Configured themes are judged with the default thresholds (no calibration) and calibrated by 5-fold
cross-validation (thresholds and the learned model made on four folds, measured on the fifth),
never in-sample.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
FLOORS = json.loads((ROOT / "tests" / "eval" / "enrich_floors.json").read_text("utf-8"))

# the module's fixture runs the whole bench (embedding, two cross-validated calibrations)
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_enrich", ROOT / "bench" / "eval_enrich.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    return _bench().run(use_hash=False, folds=5)


def test_labelled_set_is_well_formed() -> None:
    bench = _bench()
    items = bench.load_items()
    from enrich.base import MOVE_TYPES
    from enrich.themes import load_theme_specs

    theme_ids = {s.id for s in load_theme_specs(ROOT / "config" / "themes.yaml")}
    assert len(items) >= 300
    assert len({i["id"] for i in items}) == len(items)
    for item in items:
        assert item["kind"] in {"changelog_entry", "release", "blog", "news"}
        assert (item["move_type"] is None) == (item["kind"] == "news")
        assert item["move_type"] is None or item["move_type"] in MOVE_TYPES
        assert set(item["themes"]) <= theme_ids, item["id"]
    counts = {m: sum(i["move_type"] == m for i in items) for m in MOVE_TYPES}
    assert min(counts.values()) >= 15, counts


def test_theme_floors_default_threshold(results: dict[str, Any]) -> None:
    got = results["themes"]["default_threshold"]
    floors = FLOORS["themes_default"]
    assert got["micro"]["f1"] >= floors["micro_f1"]
    assert got["macro"]["f1"] >= floors["macro_f1"]
    below = {
        tid: (m["precision"], m["recall"])
        for tid, m in got["per_theme"].items()
        if m["precision"] < floors["per_theme"][tid]["precision"]
        or m["recall"] < floors["per_theme"][tid]["recall"]
    }
    assert not below, f"themes under their floors (precision, recall): {below}"


def test_theme_floors_cross_validated_calibration(results: dict[str, Any]) -> None:
    got = results["themes"]["calibrated_cv"]
    assert got["micro"]["f1"] >= FLOORS["themes_calibrated_cv"]["micro_f1"]
    assert got["macro"]["f1"] >= FLOORS["themes_calibrated_cv"]["macro_f1"]


def test_learned_model_beats_calibrated_thresholds_alone(results: dict[str, Any]) -> None:
    themes = results["themes"]
    learned, alone = themes["calibrated_cv"]["micro"], themes["thresholds_only_cv"]["micro"]
    assert learned["f1"] > alone["f1"] + 0.02, (learned, alone)


@pytest.mark.parametrize("mode", ["rules", "rules_embeddings"])
def test_move_floors(results: dict[str, Any], mode: str) -> None:
    got = results["moves"][mode]
    assert got["accuracy"] >= FLOORS[f"moves_{mode}_accuracy"]
    weak = {
        m: r for m, r in got["per_type_recall"].items() if r < FLOORS["moves_min_recall_per_type"]
    }
    assert not weak, f"move types under the recall floor: {weak}"


def test_every_theme_has_forty_positives_and_items_carry_few_themes(
    results: dict[str, Any],
) -> None:
    themes = results["themes"]
    weak = {t: n for t, n in themes["positives"].items() if n < FLOORS["themes_min_positives"]}
    assert not weak, f"themes with too few labelled positives: {weak}"
    floors = FLOORS["themes_calibrated_cv"]
    assert themes["calibrated_cv"]["micro"]["precision"] >= floors["micro_precision"]
    for how in ("default_threshold", "calibrated_cv"):
        assert themes["median_themes_per_item"][how] <= floors["max_median_themes_per_item"]
