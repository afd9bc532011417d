"""Learned configured themes: calibration learns a model, the sidecar keeps it, assign uses it."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from enrich.embed import HashEmbedder
from enrich.theme_learn import LearnedThemes
from enrich.themes import (
    ConfiguredThemes,
    load_learned,
    load_theme_specs,
    sidecar_path,
    write_thresholds,
)
from radar.core.errors import ConfigError

THEMES = """\
themes:
  - id: pricing
    name: Pricing
    description: plan prices
    examples: [price increase for plans, cheaper plan tier]
  - id: mobile
    name: Mobile
    description: phone apps
    examples: [iOS app released, Android app update]
  - id: security
    name: Security
    description: vulnerabilities
    examples: [security patch for vulnerability, CVE fixed]
"""

# "zebra" is in no prototype and no keyword: only a model learned from labels can tie it to
# security; the other words follow their themes' prototypes.
CUES = {"pricing": "price plan", "mobile": "Android app", "security": "zebra"}
FILLER = ["update", "release", "team", "week", "docs", "change", "notes", "today"]


def labelled(n: int, seed: int) -> tuple[list[str], list[set[str]]]:
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for _ in range(n):
        chosen = {t for t in CUES if rng.random() < 0.4}
        words = [str(w) for w in rng.choice(FILLER, 4)] + [CUES[t] for t in sorted(chosen)]
        texts.append(" ".join(words))
        labels.append(chosen)
    return texts, labels


@pytest.fixture()
def themes_file(tmp_path: Path) -> Path:
    path = tmp_path / "themes.yaml"
    path.write_text(THEMES, encoding="utf-8")
    return path


def calibrated(themes_file: Path) -> ConfiguredThemes:
    model = ConfiguredThemes(load_theme_specs(themes_file), HashEmbedder())
    texts, labels = labelled(80, seed=1)
    model.calibrate(HashEmbedder().embed(texts), texts, labels)
    return model


def security_of(model: ConfiguredThemes, texts: list[str]) -> list[bool]:
    return [
        "security" in {t for t, _ in row}
        for row in model.assign(HashEmbedder().embed(texts), texts)
    ]


def test_calibration_learns_a_model_that_assign_uses(themes_file: Path) -> None:
    model = calibrated(themes_file)
    assert model.learned is not None
    assert model.learned.learned == ["pricing", "mobile", "security"]
    texts = ["zebra notes from the team", "notes from the team this week"]
    assert security_of(model, texts) == [True, False]
    model.learned = None  # calibrated thresholds alone cannot tell what "zebra" means
    assert security_of(model, texts) != [True, False]


def test_round_trip_through_the_sidecar(themes_file: Path) -> None:
    model = calibrated(themes_file)
    assert model.learned is not None
    write_thresholds(themes_file, model.thresholds, model.learned)
    stored = json.loads(sidecar_path(themes_file).read_text(encoding="utf-8"))
    assert stored["version"] == 2
    assert set(stored["model"]["themes"]) == {"pricing", "mobile", "security"}
    again = ConfiguredThemes(
        load_theme_specs(themes_file), HashEmbedder(), learned=load_learned(themes_file)
    )
    assert again.learned is not None
    texts, _ = labelled(40, seed=2)
    vectors = HashEmbedder().embed(texts)
    np.testing.assert_allclose(
        again.decision(vectors, texts)[0], model.decision(vectors, texts)[0], atol=1e-4
    )
    assert [[t for t, _ in row] for row in again.assign(vectors, texts)] == [
        [t for t, _ in row] for row in model.assign(vectors, texts)
    ]


def test_learned_model_beats_thresholds_on_held_out_items(themes_file: Path) -> None:
    model = calibrated(themes_file)
    texts, labels = labelled(60, seed=3)
    vectors = HashEmbedder().embed(texts)

    def micro_f1() -> float:
        pred = [{t for t, _ in row} for row in model.assign(vectors, texts)]
        tp = sum(len(p & g) for p, g in zip(pred, labels, strict=True))
        wrong = sum(len(p ^ g) for p, g in zip(pred, labels, strict=True))
        return 2 * tp / (2 * tp + wrong)

    learned = micro_f1()
    model.learned = None
    assert learned > micro_f1()
    assert learned > 0.9


def test_old_sidecar_without_version_still_reads(themes_file: Path) -> None:
    sidecar_path(themes_file).write_text(
        json.dumps({"thresholds": {"pricing": 0.42, "mobile": 0.61}}), encoding="utf-8"
    )
    thresholds = {s.id: s.threshold for s in load_theme_specs(themes_file)}
    assert thresholds == {"pricing": 0.42, "mobile": 0.61, "security": None}
    assert load_learned(themes_file) is None


def test_no_sidecar_no_model(themes_file: Path) -> None:
    assert load_learned(themes_file) is None


def test_sidecar_from_a_newer_radar_is_refused(themes_file: Path) -> None:
    sidecar_path(themes_file).write_text(
        json.dumps({"version": 9, "thresholds": {}}), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"themes.thresholds.json: sidecar version 9 is not"):
        load_theme_specs(themes_file)


def test_malformed_model_names_the_sidecar(themes_file: Path) -> None:
    sidecar_path(themes_file).write_text(
        json.dumps({"version": 2, "thresholds": {}, "model": {"embedder": "hash-256"}}),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"themes.thresholds.json: the learned theme model is"):
        load_learned(themes_file)


def test_model_of_another_embedder_is_set_aside(
    themes_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    learned = calibrated(themes_file).learned
    assert isinstance(learned, LearnedThemes)
    with caplog.at_level(logging.WARNING, logger="enrich.themes"):
        other = ConfiguredThemes(load_theme_specs(themes_file), HashEmbedder(128), learned=learned)
    assert other.learned is None
    assert "learned with embedder hash-256, items are embedded with hash-128" in caplog.text


def test_theme_without_enough_examples_keeps_its_threshold(themes_file: Path) -> None:
    model = ConfiguredThemes(load_theme_specs(themes_file), HashEmbedder())
    texts, labels = labelled(80, seed=1)
    labels = [lab - {"mobile"} for lab in labels]
    model.calibrate(HashEmbedder().embed(texts), texts, labels)
    assert model.learned is not None
    assert model.learned.learned == ["pricing", "security"]
    scores, limits = model.decision(HashEmbedder().embed(texts), texts)
    gated = model.gated_scores(HashEmbedder().embed(texts), texts)
    np.testing.assert_array_equal(scores[:, 1], gated[:, 1])
    assert limits[1] == model.thresholds["mobile"]


def test_lexicon_matches_scikit_learn_tfidf() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from enrich.theme_lexical import Lexicon

    texts, _ = labelled(30, seed=4)
    texts += ["Zebra zebra ZEBRA price", "a b c", "GDPR and SOC 2 for EU-region data"]
    lexicon = Lexicon.learn(texts, min_df=2)
    reference = TfidfVectorizer(min_df=2, sublinear_tf=True, ngram_range=(1, 2)).fit(texts)
    assert lexicon.vocabulary == list(reference.get_feature_names_out())
    np.testing.assert_allclose(
        lexicon.transform(texts), reference.transform(texts).toarray(), atol=1e-5
    )
    assert not lexicon.transform(["nothing known here"]).any()


def test_cli_calibrate_writes_the_model_and_enrich_uses_it(
    themes_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from enrich import build_enricher
    from radar.cli import main
    from radar.cli.base import load_settings

    texts, labels = labelled(60, seed=5)
    jsonl = tmp_path / "labelled.jsonl"
    jsonl.write_text(
        "".join(
            json.dumps({"title": t, "body": "", "themes": sorted(lab)}) + "\n"
            for t, lab in zip(texts, labels, strict=True)
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("RADAR_EMBEDDING_MODEL", "hash")
    monkeypatch.setenv("RADAR_THEMES_FILE", str(themes_file))
    monkeypatch.setenv("RADAR_HOME", str(tmp_path / "data"))
    config = str(tmp_path / "sources.yaml")
    result = CliRunner().invoke(main, ["themes", "--config", config, "calibrate", str(jsonl)])
    assert result.exit_code == 0, result.output
    assert "security: threshold" in result.output and "learned model" in result.output
    assert load_learned(themes_file) is not None

    class Store:
        def save_configured_themes(self, specs: object) -> None:
            pass

    enricher = build_enricher(Store(), load_settings(config, None))
    assert enricher.configured is not None and enricher.configured.learned is not None
