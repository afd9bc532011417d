"""Discovered themes on BBC News (../shared/corpus/labeled_news/bbc_news): V-measure, stability.

Usage: .venv/bin/python bench/eval_themes.py [--corpus PATH] [--no-bertopic]

Embeds the 2,225 articles once with all-MiniLM-L6-v2 (about 3-4 minutes on 2 CPU cores; cached in
bench/results/bbc_embeddings.npy), then compares ThemeModel.fit (no k given) with KMeans told the
true k=5 (mean of 5 seeds) and with BERTopic's defaults on the same embeddings, and measures id
stability: fit on a random 90 %, re-fit on 100 % with the first fit as ``previous``.
Writes bench/results/themes.json. Exits 0 with a message when the corpus is absent.

BERTopic runs in its own venv so the project's stays untouched:
    python3 -m venv /tmp/btvenv && /tmp/btvenv/bin/pip install torch==2.13.0 \
        && /tmp/btvenv/bin/pip install bertopic
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, v_measure_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from enrich.discover import ThemeModel  # noqa: E402
from enrich.embed import item_text  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
RESULTS = ROOT / "bench" / "results"
EMBEDDINGS = RESULTS / "bbc_embeddings.npy"
BERTOPIC_PYTHON = Path("/tmp/btvenv/bin/python")


def bbc_dir(corpus: Path) -> Path:
    return corpus / "labeled_news" / "bbc_news"


def load_bbc(corpus: Path) -> tuple[list[str], list[str], list[str], list[str]]:
    """(item ids, titles, bodies, labels), sorted by folder then file name."""
    ids, titles, bodies, labels = [], [], [], []
    for path in sorted(bbc_dir(corpus).glob("*/*.txt")):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        title, _, body = text.strip().partition("\n")
        ids.append(f"{path.parent.name}/{path.stem}")
        titles.append(title.strip())
        bodies.append(body.strip())
        labels.append(path.parent.name)
    return ids, titles, bodies, labels


def embeddings(titles: list[str], bodies: list[str], cache: Path = EMBEDDINGS) -> np.ndarray:
    """all-MiniLM-L6-v2 vectors of item_text(title, body), cached as .npy (a few minutes on CPU)."""
    if cache.is_file():
        vectors = np.load(cache)
        if len(vectors) == len(titles):
            return vectors
    from enrich.embed import SentenceTransformerEmbedder

    vectors = SentenceTransformerEmbedder().embed(
        [item_text(t, b) for t, b in zip(titles, bodies, strict=True)]
    )
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.save(cache, vectors)
    return vectors


def scores(gold: list[str], assigned: list[str | None]) -> dict[str, float]:
    """V-measure and ARI with every outlier as a cluster of its own; the outlier share."""
    predicted = [a if a is not None else f"outlier-{i}" for i, a in enumerate(assigned)]
    return {
        "v_measure": round(float(v_measure_score(gold, predicted)), 4),
        "ari": round(float(adjusted_rand_score(gold, predicted)), 4),
        "outliers": round(sum(a is None for a in assigned) / max(len(assigned), 1), 4),
    }


def run_ours(
    vectors: np.ndarray, texts: list[str], ids: list[str], gold: list[str]
) -> dict[str, Any]:
    start = time.perf_counter()
    result = ThemeModel().fit(vectors, texts, ids)
    seconds = time.perf_counter() - start
    return {
        **scores(gold, result.assignments),
        "themes": len(result.themes),
        "seconds": round(seconds, 2),
        "labels": [f"{t.id} ({t.size}): {t.label}" for t in result.themes],
    }


def run_kmeans(vectors: np.ndarray, gold: list[str], seeds: int = 5) -> dict[str, Any]:
    k = len(set(gold))
    runs = [
        scores(gold, [str(c) for c in KMeans(k, n_init=10, random_state=s).fit_predict(vectors)])
        for s in range(seeds)
    ]
    return {
        "v_measure": round(float(np.mean([r["v_measure"] for r in runs])), 4),
        "ari": round(float(np.mean([r["ari"] for r in runs])), 4),
        "outliers": 0.0,
        "themes": k,
        "seeds": seeds,
    }


def stability(
    vectors: np.ndarray, texts: list[str], ids: list[str], share: float = 0.9, seed: int = 0
) -> dict[str, Any]:
    """Fit on a random 90 %, re-fit on 100 % with ``previous``: share of the 90 % whose theme id
    is unchanged (an outlier that stays an outlier counts as unchanged)."""
    rows = np.sort(
        np.random.default_rng(seed).choice(len(ids), int(share * len(ids)), replace=False)
    )
    model = ThemeModel()
    first = model.fit(vectors[rows], [texts[i] for i in rows], [ids[i] for i in rows])
    before = dict(zip([ids[i] for i in rows], first.assignments, strict=True))
    out: dict[str, Any] = {"first_themes": len(first.themes)}
    for name, known in (("with_assignments", before), ("centroids_only", None)):
        second = ThemeModel().fit(
            vectors,
            texts,
            ids,
            previous=first.themes,
            used_ids={t.id for t in first.themes},
            previous_assignments=known,
        )
        after = dict(zip(ids, second.assignments, strict=True))
        same = sum(after[item] == theme for item, theme in before.items())
        out[name] = {
            "unchanged": round(same / len(before), 4),
            "themes": len(second.themes),
            "events": [f"{e.kind} {e.theme_ids} <- {e.from_ids}" for e in second.events],
        }
    return out


BERTOPIC_SCRIPT = """
import json, sys, time
import numpy as np
from bertopic import BERTopic
vectors = np.load(sys.argv[1])
texts = json.load(open(sys.argv[2], encoding="utf-8"))
start = time.perf_counter()
topics, _ = BERTopic().fit_transform(texts, embeddings=vectors)
seconds = time.perf_counter() - start
import bertopic
json.dump({"topics": [int(t) for t in topics], "seconds": seconds, "version": bertopic.__version__},
          open(sys.argv[3], "w"))
"""


def run_bertopic(
    python: Path, vectors_path: Path, texts: list[str], gold: list[str]
) -> dict[str, Any]:
    """BERTopic with its defaults, in its own venv, on the same cached embeddings."""
    if not python.is_file():
        return {"skipped": f"no BERTopic venv at {python} (see this file's docstring)"}
    with tempfile.TemporaryDirectory() as tmp:
        texts_path, out_path = Path(tmp) / "texts.json", Path(tmp) / "out.json"
        texts_path.write_text(json.dumps(texts), encoding="utf-8")
        done = subprocess.run(
            [str(python), "-c", BERTOPIC_SCRIPT, str(vectors_path), str(texts_path), str(out_path)],
            capture_output=True,
            text=True,
            timeout=1800,
        )
        if done.returncode != 0:
            return {"failed": done.stderr.strip().splitlines()[-1:]}
        data = json.loads(out_path.read_text("utf-8"))
    assigned = [str(t) if t >= 0 else None for t in data["topics"]]
    return {
        **scores(gold, assigned),
        "themes": len({t for t in data["topics"] if t >= 0}),
        "seconds": round(data["seconds"], 2),
        "version": data["version"],
    }


def evaluate(corpus: Path, bertopic_python: Path | None = None) -> dict[str, Any]:
    ids, titles, bodies, gold = load_bbc(corpus)
    vectors = embeddings(titles, bodies)
    texts = [item_text(t, b) for t, b in zip(titles, bodies, strict=True)]
    result: dict[str, Any] = {
        "items": len(ids),
        "ours": run_ours(vectors, texts, ids, gold),
        "kmeans_true_k": run_kmeans(vectors, gold),
        "stability": stability(vectors, texts, ids),
    }
    if bertopic_python is not None:
        result["bertopic"] = run_bertopic(bertopic_python, EMBEDDINGS, texts, gold)
    return result


def print_table(result: dict[str, Any]) -> None:
    print(f"BBC News, {result['items']} items, all-MiniLM-L6-v2")
    print(f"{'method':<16}{'themes':>7}{'V':>8}{'ARI':>8}{'outliers':>10}{'seconds':>9}")
    for name in ("ours", "kmeans_true_k", "bertopic"):
        row = result.get(name)
        if row is None:
            continue
        if "v_measure" not in row:
            print(f"{name:<16}{row}")
            continue
        print(
            f"{name:<16}{row['themes']:>7}{row['v_measure']:>8.3f}{row['ari']:>8.3f}"
            f"{row['outliers']:>10.1%}{row.get('seconds', float('nan')):>9.1f}"
        )
    for label in result["ours"]["labels"]:
        print(f"  {label}")
    stab = result["stability"]
    for name in ("with_assignments", "centroids_only"):
        print(
            f"stability ({name}): {stab[name]['unchanged']:.1%} of the 90 % keep their id; "
            f"events: {stab[name]['events']}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--bertopic-python", type=Path, default=BERTOPIC_PYTHON)
    parser.add_argument("--no-bertopic", action="store_true")
    args = parser.parse_args()
    if not bbc_dir(args.corpus).is_dir():
        print(f"corpus absent: {bbc_dir(args.corpus).resolve()}; nothing to evaluate")
        return 0
    result = evaluate(args.corpus, None if args.no_bertopic else args.bertopic_python)
    print_table(result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "themes.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
