"""Configured themes with precision: the item's own background (margin) and a cap per item."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from enrich.embed import HashEmbedder
from enrich.themes import ConfiguredThemes, ThemeSpec, load_theme_specs, pick

ROOT = Path(__file__).resolve().parents[1]
SPECS = [
    ("pricing", ["price increase for plans", "cheaper plan tier"], ["pricing"]),
    ("mobile", ["iOS app released", "Android app update"], ["android"]),
    ("security", ["security patch for vulnerability", "CVE fixed"], ["CVE"]),
]
TEXT = "Android app update, a price increase for plans and a CVE fixed"


def themes(**options: float) -> ConfiguredThemes:
    specs = [
        ThemeSpec(tid, tid.title(), "", examples, keywords) for tid, examples, keywords in SPECS
    ]
    return ConfiguredThemes(specs, HashEmbedder(), **options)  # type: ignore[arg-type]


def test_pick_keeps_the_best_themes_up_to_the_cap_best_first() -> None:
    scores = np.asarray([[0.9, 0.6, 0.7], [0.2, 0.3, 0.1]], dtype=np.float32)
    limits = np.asarray([0.5, 0.5, 0.5], dtype=np.float32)
    assert pick(scores, limits, ["a", "b", "c"], 2) == [[("a", 0.9), ("c", 0.7)], []]
    assert pick(scores, limits, ["a", "b", "c"], 3)[0][-1] == ("b", 0.6)


def test_a_theme_far_below_the_items_best_is_gated_out() -> None:
    vectors = HashEmbedder().embed([TEXT])
    wide = themes(margin=10.0).gated_scores(vectors, [TEXT])
    narrow = themes(margin=0.0).gated_scores(vectors, [TEXT])
    assert np.count_nonzero(wide) == 3
    assert np.count_nonzero(narrow) == 1 and narrow.argmax() == wide.argmax()


def test_an_item_carries_at_most_max_themes() -> None:
    vectors = HashEmbedder().embed([TEXT])
    model = themes(margin=10.0, max_themes=2, default_threshold=0.01)
    assigned = model.assign(vectors, [TEXT])[0]
    assert len(assigned) == 2
    assert [s for _, s in assigned] == sorted((s for _, s in assigned), reverse=True)


def test_the_theme_labelled_set_is_well_formed_and_has_forty_positives_per_theme() -> None:
    ids = {s.id for s in load_theme_specs(ROOT / "config" / "themes.yaml")}
    rows = []
    for path in (ROOT / "tests" / "eval" / "labelled_items.jsonl",
                 ROOT / "tests" / "data" / "labelled_themes.jsonl"):  # fmt: skip
        rows += [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    assert len({r["id"] for r in rows}) == len(rows)
    assert all(set(r["themes"]) <= ids and r["title"] for r in rows)
    counts = {tid: sum(tid in r["themes"] for r in rows) for tid in ids}
    assert min(counts.values()) >= 40, counts
