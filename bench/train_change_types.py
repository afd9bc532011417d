"""Train (and evaluate) the change-type classifier on the heading-labelled lines of real changelogs.

Usage:
  .venv/bin/python bench/train_change_types.py [--corpus PATH] [--embed] [--out FILE]
  .venv/bin/python bench/train_change_types.py --lopo [--embed]   # leave one product out

Every corpus file is segmented (``crawlers.changelog.segment``) into entries and changes. A
change whose section (innermost part first) is a known category heading -- the heading keys of
``bench/eval_moves_corpus.py`` (Added, Features, Bug Fixes, Deprecated, Security, Performance...)
plus Improvements / Enhancements -- is a sample: the heading is its label, its text the input.
At most ``--cap`` samples per file and label. Training writes the model (lexical head, and the
embedded head with ``--embed``) to ``enrich.change_model.default_model_path()`` or ``--out``;
nothing from the corpus is written. ``--lopo`` trains on all products but one and tests on that
one, for each product: with the headings removed from the input (accuracy over four coarse
classes and over the fine labels, beside the "most common class" baseline) and with the headings
present (the share typed as the heading says). Writes bench/results/change_types.json.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawlers.changelog import segment  # noqa: E402
from enrich.change_model import (  # noqa: E402
    GROUPS,
    ChangeTypeModel,
    default_model_path,
    features,
    fit_head,
)
from enrich.change_rules import SECTION_JOIN, clean_text  # noqa: E402
from enrich.changes import type_changes  # noqa: E402
from radar.core.records import Change  # noqa: E402

DEFAULT_CORPUS = ROOT / ".." / "shared" / "corpus" / "changelogs"
COARSE = GROUPS  # new / fix / breaking / security
IMPROVEMENT_KEYS = ("improvements", "improvement", "enhancements", "enhancement")


def _eval_module():
    spec = importlib.util.spec_from_file_location(
        "eval_moves", ROOT / "bench" / "eval_moves_corpus.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_EVAL = _eval_module()
LABELS = {**_EVAL.LABELS, **dict.fromkeys(IMPROVEMENT_KEYS, "improvement")}
UNLABELLED = set(_EVAL.UNLABELLED) - set(IMPROVEMENT_KEYS)


def label_of(section: str | None) -> str | None:
    """The label of the innermost known heading of a section path; None when unlabelled."""
    for part in reversed((section or "").split(SECTION_JOIN)):
        key = _EVAL.heading_key(part)
        if key in LABELS:
            return LABELS[key]
        if key in UNLABELLED or "contributor" in key:
            return None
    return None


def product_of(rel: str) -> str:
    return rel.split("/")[1] if "/" in rel else rel


def collect(corpus: Path, cap: int) -> list[tuple[str, str, Change]]:
    """(product, label, change) samples, at most ``cap`` per file and label."""
    samples = []
    for path in _EVAL.corpus_files(corpus):
        rel = str(path.relative_to(corpus))
        counts: Counter[str] = Counter()
        for entry in segment(path.read_bytes(), path.as_uri()):
            for change in entry.changes:
                label = label_of(change.section)
                if label and counts[label] < cap and len(change.text.split()) >= 3:
                    counts[label] += 1
                    samples.append((product_of(rel), label, change))
    return samples


def embed_all(texts: list[str], embedder, cache: Path | None) -> np.ndarray:
    """Vectors of ``texts`` (their cleaned words); a cache file of sha1 of those words ->
    vector (no text) saves re-embedding."""
    words = [clean_text(t) or t for t in texts]
    keys = [hashlib.sha1(w.encode()).hexdigest() for w in words]
    known: dict[str, np.ndarray] = {}
    if cache and cache.exists():
        with np.load(cache) as data:
            known = dict(zip(data["keys"], data["vectors"], strict=True))
    todo = sorted({k: w for k, w in zip(keys, words, strict=True) if k not in known}.items())
    if todo:
        vectors = embedder.embed([w for _, w in todo])
        known.update({k: v for (k, _), v in zip(todo, vectors, strict=True)})
        if cache:
            np.savez(cache, keys=np.asarray(list(known)), vectors=np.stack(list(known.values())))
    return np.stack([known[k] for k in keys])


def train(samples, vectors: np.ndarray | None, embedder_name: str) -> ChangeTypeModel:
    texts, labels = [s[2].text for s in samples], [s[1] for s in samples]
    lexical = fit_head(features(texts), labels)
    embedded = fit_head(features(texts, vectors), labels) if vectors is not None else None
    return ChangeTypeModel(lexical, embedded, embedder_name if vectors is not None else "")


class _Fixed(ChangeTypeModel):
    """A model that answers a fold's predictions by text (the headings-present run)."""

    def __init__(self, answers: dict[str, str]):
        self.answers = answers

    def classify(self, texts, embedder=None):  # type: ignore[no-untyped-def]
        return [(self.answers[t], 1.0) for t in texts]


def _accuracy(pairs: list[tuple[str, str]], coarse: bool = False) -> float:
    if not pairs:
        return 0.0
    if coarse:
        pairs = [(COARSE[a], COARSE.get(b, "new")) for a, b in pairs]
    return round(sum(a == b for a, b in pairs) / len(pairs), 4)


def _baseline(labels: list[str], coarse: bool) -> float:
    keys = [COARSE[lab] if coarse else lab for lab in labels]
    return round(Counter(keys).most_common(1)[0][1] / len(keys), 4)


def _print_fold(product: str, pairs: list[tuple[str, str]]) -> None:
    """One row of the per-product table: coarse and fine accuracy, the coarse baseline."""
    coarse, fine = _accuracy(pairs, True), _accuracy(pairs)
    base = _baseline([label for label, _ in pairs], True)
    print(
        f"  {product:<22} n={len(pairs):<5} coarse {coarse:.3f} fine {fine:.3f} "
        f"(most common class {base:.3f})",
        flush=True,
    )


def lopo(samples, vectors: np.ndarray | None, embedder_name: str) -> dict:
    """Leave one product out: train on the others, type the held-out product's changes.

    Features are computed once; each fold fits the head on the other products' rows. With
    the headings removed the model types every change (no section); with them present the
    whole typing order runs (section table first)."""
    texts, labels = [s[2].text for s in samples], [s[1] for s in samples]
    matrix = features(texts, vectors)
    bare: list[tuple[str, str]] = []
    present: list[tuple[str, str]] = []
    for product in sorted({s[0] for s in samples}):
        train_rows = [i for i, s in enumerate(samples) if s[0] != product]
        test_rows = [i for i, s in enumerate(samples) if s[0] == product]
        head = fit_head(matrix[train_rows], [labels[i] for i in train_rows])
        found = [move for move, _ in head.predict(matrix[test_rows])]
        fixed = _Fixed({texts[i]: move for i, move in zip(test_rows, found, strict=True)})
        stripped = type_changes([Change(texts[i]) for i in test_rows], model=fixed)
        bare += [
            (labels[i], c.move_type or "other") for i, c in zip(test_rows, stripped, strict=True)
        ]
        typed = type_changes([samples[i][2] for i in test_rows], model=fixed)
        present += [
            (labels[i], c.move_type or "other") for i, c in zip(test_rows, typed, strict=True)
        ]
        _print_fold(product, bare[-len(test_rows) :])
    return {
        "n": len(samples),
        "products": len({s[0] for s in samples}),
        "labels": dict(Counter(labels).most_common()),
        "headings_removed": {
            "coarse_accuracy": _accuracy(bare, True),
            "fine_accuracy": _accuracy(bare),
            "coarse_baseline_most_common": _baseline(labels, True),
            "fine_baseline_most_common": _baseline(labels, False),
        },
        "headings_present": {"typed_as_heading": _accuracy(present)},
        "confusion": dict(Counter(f"{a}->{b}" for a, b in bare if a != b).most_common(12)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--embed", action="store_true", help="add the embedding head (slower)")
    parser.add_argument("--lopo", action="store_true", help="evaluate leaving one product out")
    parser.add_argument("--cap", type=int, default=150, help="max samples per file and label")
    parser.add_argument("--out", type=Path, default=None, help="model file (default: cache)")
    parser.add_argument("--vectors-cache", type=Path, default=None)
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"corpus not found at {args.corpus}; nothing to train on")
        return 0
    started = time.perf_counter()
    samples = collect(args.corpus, args.cap)
    print(
        f"{len(samples)} labelled changes from {len({s[0] for s in samples})} products "
        f"({time.perf_counter() - started:.1f}s): {dict(Counter(s[1] for s in samples))}"
    )
    vectors, name = None, ""
    if args.embed:
        from enrich.embed import SentenceTransformerEmbedder

        embedder = SentenceTransformerEmbedder()
        name = embedder.name
        vectors = embed_all([s[2].text for s in samples], embedder, args.vectors_cache)
    if args.lopo:
        result = lopo(samples, vectors, name)
        result["embedded"] = bool(args.embed)
        out = ROOT / "bench" / "results" / "change_types.json"
        out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(
            json.dumps(
                {k: result[k] for k in ("n", "headings_removed", "headings_present")}, indent=2
            )
        )
        return 0
    path = args.out or default_model_path()
    train(samples, vectors, name).save(path)
    print(
        f"wrote {path} ({path.stat().st_size // 1024} KiB) in {time.perf_counter() - started:.1f}s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
