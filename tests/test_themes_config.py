"""Configured themes: loader errors with file and line, multi-label assignment, calibration."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from enrich.embed import HashEmbedder
from enrich.themes import (
    ConfiguredThemes,
    ThemeSpec,
    load_theme_specs,
    sidecar_path,
    write_thresholds,
)
from radar.core.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]

GOOD = """\
# comment kept by calibration
themes:
  - id: billing
    name: Billing
    description: prices and plans
    examples: [price increase, new plan]
    keywords: [pricing]
  - id: mobile
    name: Mobile
    examples: [iOS app, Android app]
    threshold: 0.4
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "themes.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_loads_default_config() -> None:
    specs = load_theme_specs(ROOT / "config" / "themes.yaml")
    assert len(specs) >= 10
    assert all(s.name and (s.description or s.examples) for s in specs)
    assert "enterprise-admin" in {s.id for s in specs}


def test_loads_specs(tmp_path: Path) -> None:
    specs = load_theme_specs(write(tmp_path, GOOD))
    assert specs == [
        ThemeSpec(
            "billing",
            "Billing",
            "prices and plans",
            ["price increase", "new plan"],
            ["pricing"],
            None,
        ),
        ThemeSpec("mobile", "Mobile", "", ["iOS app", "Android app"], [], 0.4),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "themes:\n  - id: a\n    name: 'A\n",
            "line 4: invalid YAML: found unexpected end of stream",
        ),
        (
            "themes:\n  - id: a\n    name: A\n    colour: red\n    examples: [x]\n",
            "line 4: unknown key `colour` in a theme (allowed: id, name, description, examples, keywords, threshold)",
        ),
        ("themes:\n  - name: A\n    examples: [x]\n", "line 2: `id` is missing for a theme"),
        ("themes:\n  - id: a\n    examples: [x]\n", "line 2: `name` is missing for theme 'a'"),
        (
            "themes:\n  - id: a\n    name: A\n",
            "line 2: theme 'a' needs a `description` or `examples` (or both)",
        ),
        (
            "themes:\n  - id: a\n    name: A\n    examples: [x]\n  - id: a\n    name: B\n    examples: [y]\n",
            "line 5: duplicate theme id 'a' (first defined on line 2)",
        ),
        (
            "themes:\n  - id: a\n    name: A\n    examples: [x]\n    threshold: 1.5\n",
            "line 5: `threshold` of theme 'a' must be a number between 0 and 1 (exclusive), got 1.5",
        ),
        (
            "themes:\n  - id: a\n    name: A\n    examples: [x]\n    threshold: high\n",
            "line 5: `threshold` of theme 'a' must be a number between 0 and 1 (exclusive), got high",
        ),
        (
            "themes:\n  - id: a\n    name: A\n    examples: x\n",
            "line 4: `examples` of theme 'a' must be a list of phrases",
        ),
        ("theme:\n  - id: a\n", "line 1: unknown key `theme` in the top level (allowed: themes)"),
        ("", "the file is empty (expected `themes:`)"),
    ],
)
def test_loader_errors(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_theme_specs(path)
    separator = ": " if message.startswith("the file") else " "
    assert str(err.value) == f"{path}{separator}{message}"


def test_thresholds_round_trip_through_sidecar(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    target = write_thresholds(path, {"billing": 0.61234, "mobile": 0.3})
    assert target == sidecar_path(path) == tmp_path / "themes.thresholds.json"
    assert path.read_text(encoding="utf-8") == GOOD  # the user's file is untouched
    assert {s.id: s.threshold for s in load_theme_specs(path)} == {"billing": 0.6123, "mobile": 0.3}


def test_bad_sidecar_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    sidecar_path(path).write_text(json.dumps({"thresholds": {"billing": 2}}), encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"themes.thresholds.json: threshold of theme 'billing' must be"
    ):
        load_theme_specs(path)


SPECS = [
    ThemeSpec(
        "pricing",
        "Pricing",
        "plan prices",
        ["price increase for plans", "cheaper plan tier"],
        ["pricing"],
    ),
    ThemeSpec(
        "mobile", "Mobile", "phone apps", ["iOS app released", "Android app update"], ["android"]
    ),
    ThemeSpec(
        "security",
        "Security",
        "vulnerabilities",
        ["security patch for vulnerability", "CVE fixed"],
        ["CVE"],
    ),
]


def themes() -> ConfiguredThemes:
    return ConfiguredThemes([ThemeSpec(**vars(s)) for s in SPECS], HashEmbedder())


def test_assign_is_multi_label_best_first() -> None:
    texts = [
        "Android app update and a price increase for plans",
        "quarterly newsletter from the team",
    ]
    model = themes()
    assigned = model.assign(HashEmbedder().embed(texts), texts)
    assert {t for t, _ in assigned[0][:2]} == {"mobile", "pricing"}
    assert [s for _, s in assigned[0]] == sorted((s for _, s in assigned[0]), reverse=True)
    assert all(isinstance(s, float) and s == round(s, 3) for _, s in assigned[0])
    assert assigned[1] == []


def test_scores_in_unit_interval_and_keyword_bonus() -> None:
    model = themes()
    texts = ["we fixed CVE-2024-1 today", "we fixed a thing today"]
    scores = model.scores(HashEmbedder().embed(texts), texts)
    assert scores.shape == (2, 3)
    assert np.all((scores >= 0) & (scores <= 1))
    assert scores[0, 2] > scores[1, 2]


def test_calibration_raises_f1() -> None:
    rng = np.random.default_rng(3)
    words = {
        "pricing": "price plan tier cheaper",
        "mobile": "iOS Android app phone",
        "security": "security vulnerability CVE patch",
    }
    texts, labels = [], []
    for _ in range(60):
        chosen = {t for t in words if rng.random() < 0.4}
        noise = " ".join(rng.choice(["update", "release", "team", "week", "docs", "change"], 4))
        parts = [" ".join(rng.choice(words[t].split(), 1)) for t in sorted(chosen)]
        texts.append(f"{noise} {' '.join(parts)}")
        labels.append(chosen)
    model = themes()
    vectors = HashEmbedder().embed(texts)

    def micro_f1() -> float:
        pred = [{t for t, _ in row} for row in model.assign(vectors, texts)]
        tp = sum(len(p & g) for p, g in zip(pred, labels, strict=True))
        fp = sum(len(p - g) for p, g in zip(pred, labels, strict=True))
        fn = sum(len(g - p) for p, g in zip(pred, labels, strict=True))
        return 2 * tp / (2 * tp + fp + fn)

    before = micro_f1()
    found = model.calibrate(vectors, texts, labels)
    assert set(found) == {"pricing", "mobile", "security"}
    assert all(0 < v < 1 for v in found.values())
    assert micro_f1() > before


def test_calibrate_keeps_default_without_positives() -> None:
    model = themes()
    texts = ["a price increase", "an iOS app"]
    found = model.calibrate(HashEmbedder().embed(texts), texts, [{"pricing"}, {"mobile"}])
    assert found == {"pricing": 0.5, "mobile": 0.5, "security": 0.5}
