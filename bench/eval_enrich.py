"""Configured themes and move types on the labelled set tests/eval/labelled_items.jsonl.

Usage: .venv/bin/python bench/eval_enrich.py [--hash] [--folds 5]

Themes are judged on tests/eval/labelled_items.jsonl and tests/data/labelled_themes.jsonl together
(at least 40 positives per theme; both written for this project, fictional companies); moves on
the first only.

Themes: per-theme precision / recall / F1 and micro / macro averages, (a) with the default
threshold, no calibration, (b) calibrated as `radar themes calibrate` does (per-theme thresholds
and a learned model per theme, enrich/theme_learn.py) and (c) with calibrated thresholds only,
both cross-validated: calibration learns on k-1 folds (choosing its own settings inside them) and
is measured on the held-out fold, so no number is an in-sample one. Moves (competitor items only): accuracy and confusion matrix, rules only and
rules + embeddings. Writes bench/results/enrich.json. ``--hash`` uses the hashing test
embedder instead of all-MiniLM-L6-v2 (fast, meaningless for quality).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from enrich.base import MOVE_TYPES  # noqa: E402
from enrich.embed import item_text  # noqa: E402
from enrich.moves import MoveClassifier  # noqa: E402
from enrich.themes import ConfiguredThemes, load_theme_specs  # noqa: E402

LABELLED = ROOT / "tests" / "eval" / "labelled_items.jsonl"
MORE_THEMES = ROOT / "tests" / "data" / "labelled_themes.jsonl"  # theme labels only
THEMES = ROOT / "config" / "themes.yaml"


def load_items(path: Path = LABELLED) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def prf(pred: np.ndarray, truth: np.ndarray) -> dict[str, float | int]:
    tp, fp, fn = int(np.sum(pred & truth)), int(np.sum(pred & ~truth)), int(np.sum(~pred & truth))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def theme_metrics(pred: np.ndarray, truth: np.ndarray, ids: list[str]) -> dict[str, Any]:
    """Per theme, micro and macro P/R/F1 from (n, n_themes) boolean matrices."""
    per = {tid: prf(pred[:, c], truth[:, c]) for c, tid in enumerate(ids)}
    micro = prf(pred.ravel(), truth.ravel())
    macro = {
        k: round(float(np.mean([m[k] for m in per.values()])), 4)
        for k in ("precision", "recall", "f1")
    }
    return {"per_theme": per, "micro": micro, "macro": macro}


def cross_validated(
    themes: ConfiguredThemes,
    vectors: np.ndarray,
    texts: list[str],
    labels: list[set[str]],
    folds: int,
    learn: bool = True,
) -> np.ndarray:
    """Predictions where each fold is judged by a calibration (thresholds, and with ``learn``
    the learned model) made on the other folds only; ``themes`` is left as it was given."""
    n = len(texts)
    order = np.random.default_rng(0).permutation(n)
    pred = np.zeros((n, len(themes.ids)), dtype=bool)
    given = ([s.threshold for s in themes.specs], themes.learned)
    for k in range(folds):
        test = order[k::folds]
        train = np.setdiff1d(order, test)
        themes.calibrate(
            vectors[train], [texts[i] for i in train], [labels[i] for i in train], learn=learn
        )
        assigned = themes.assign(vectors[test], [texts[i] for i in test])
        pred[test] = as_matrix(assigned, themes.ids)
        for spec, threshold in zip(themes.specs, given[0], strict=True):
            spec.threshold = threshold
        themes.learned = given[1]
    return pred


def as_matrix(assigned: list[list[tuple[str, float]]], ids: list[str]) -> np.ndarray:
    return np.asarray([[tid in {t for t, _ in row} for tid in ids] for row in assigned], bool)


def evaluate_themes(
    items: list[dict[str, Any]], vectors: np.ndarray, embedder: Any, folds: int
) -> dict[str, Any]:
    themes = ConfiguredThemes(load_theme_specs(THEMES), embedder)
    texts = [item_text(i["title"], i["body"]) for i in items]
    labels = [set(i["themes"]) for i in items]
    truth = np.asarray([[tid in lab for tid in themes.ids] for lab in labels])
    default = as_matrix(themes.assign(vectors, texts), themes.ids)
    calibrated = cross_validated(themes, vectors, texts, labels, folds)
    thresholds_only = cross_validated(themes, vectors, texts, labels, folds, learn=False)
    return {
        "default_threshold": theme_metrics(default, truth, themes.ids),
        "calibrated_cv": theme_metrics(calibrated, truth, themes.ids),
        "thresholds_only_cv": theme_metrics(thresholds_only, truth, themes.ids),
        "folds": folds,
        "items": len(items),
        "positives": {tid: int(truth[:, c].sum()) for c, tid in enumerate(themes.ids)},
        "median_themes_per_item": {
            "default_threshold": float(np.median(default.sum(axis=1))),
            "calibrated_cv": float(np.median(calibrated.sum(axis=1))),
            "thresholds_only_cv": float(np.median(thresholds_only.sum(axis=1))),
            "labelled": float(np.median(truth.sum(axis=1))),
        },
    }


def move_metrics(truth: list[str], pred: list[str]) -> dict[str, Any]:
    confusion = {t: dict.fromkeys(MOVE_TYPES, 0) for t in MOVE_TYPES}
    for t, p in zip(truth, pred, strict=True):
        confusion[t][p] += 1
    per = {t: round(confusion[t][t] / max(1, sum(confusion[t].values())), 4) for t in MOVE_TYPES}
    return {
        "accuracy": round(sum(t == p for t, p in zip(truth, pred, strict=True)) / len(truth), 4),
        "per_type_recall": per,
        "confusion": confusion,
        "n": len(truth),
    }


def evaluate_moves(
    items: list[dict[str, Any]], vectors: np.ndarray, embedder: Any
) -> dict[str, Any]:
    rows = [n for n, i in enumerate(items) if i["move_type"]]
    titles = [items[n]["title"] for n in rows]
    bodies = [items[n]["body"] for n in rows]
    truth = [items[n]["move_type"] for n in rows]
    rules = [m for m, _ in MoveClassifier().classify(titles, bodies)]
    blended = [m for m, _ in MoveClassifier(embedder).classify(titles, bodies, vectors[rows])]
    return {"rules": move_metrics(truth, rules), "rules_embeddings": move_metrics(truth, blended)}


def print_themes(name: str, result: dict[str, Any]) -> None:
    print(f"\n== themes, {name}")
    print(f"  {'theme':<26}{'P':>7}{'R':>7}{'F1':>7}   tp/fp/fn")
    for tid, m in result["per_theme"].items():
        print(
            f"  {tid:<26}{m['precision']:>7.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}   {m['tp']}/{m['fp']}/{m['fn']}"
        )
    for avg in ("micro", "macro"):
        m = result[avg]
        print(f"  {avg:<26}{m['precision']:>7.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}")


def print_moves(name: str, result: dict[str, Any]) -> None:
    print(f"\n== moves, {name}: accuracy {result['accuracy']:.3f} (n={result['n']})")
    short = [m[:5] for m in MOVE_TYPES]
    print("  truth \\ predicted " + " ".join(f"{s:>5}" for s in short))
    for t in MOVE_TYPES:
        print(f"  {t:<18}" + " ".join(f"{result['confusion'][t][p]:>5}" for p in MOVE_TYPES))


def build_embedder(use_hash: bool) -> Any:
    from enrich.embed import HashEmbedder, SentenceTransformerEmbedder

    return HashEmbedder() if use_hash else SentenceTransformerEmbedder()


def run(use_hash: bool = False, folds: int = 5) -> dict[str, Any]:
    """Moves on the labelled set; configured themes on it and the theme-only set together."""
    items = load_items()
    theme_items = items + load_items(MORE_THEMES)
    embedder = build_embedder(use_hash)
    started = time.perf_counter()
    vectors = embedder.embed([item_text(i["title"], i["body"]) for i in theme_items])
    return {
        "embedder": embedder.name,
        "items": len(items),
        "theme_items": len(theme_items),
        "embed_seconds": round(time.perf_counter() - started, 2),
        "themes": evaluate_themes(theme_items, vectors, embedder, folds),
        "moves": evaluate_moves(items, vectors[: len(items)], embedder),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hash", action="store_true", help="use the hashing test embedder")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "enrich.json")
    args = parser.parse_args(argv)
    results = run(args.hash, args.folds)
    print(
        f"{results['items']} labelled items ({results['theme_items']} for themes),"
        f" embedder {results['embedder']}"
    )
    print_themes("default threshold (no calibration)", results["themes"]["default_threshold"])
    print_themes(
        f"calibrated (thresholds + learned model), {args.folds}-fold cross-validated",
        results["themes"]["calibrated_cv"],
    )
    print_themes(
        f"calibrated thresholds only, {args.folds}-fold cross-validated",
        results["themes"]["thresholds_only_cv"],
    )
    print(f"  median configured themes per item: {results['themes']['median_themes_per_item']}")
    print_moves("rules only", results["moves"]["rules"])
    print_moves("rules + embeddings", results["moves"]["rules_embeddings"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
