"""Discovered themes on BBC News (../shared/corpus/labeled_news/bbc_news): V-measure, stability.

Usage: .venv/bin/python bench/eval_themes.py [--corpus PATH] [--no-bertopic]

Embeds the 2,225 articles once with all-MiniLM-L6-v2 (about 3-4 minutes on 2 CPU cores; cached in
bench/results/bbc_embeddings.npy), then compares ThemeModel.fit (no k given) with KMeans told the
true k=5 (mean of 5 seeds) and with BERTopic's defaults on the same embeddings, and measures id
stability: fit on a random 90 %, re-fit on 100 % with the first fit as ``previous``. History: the
articles spread over twelve months and stored, then enriched and fitted in-process exactly as one
`radar daily` after `radar import` does (``radar.services.enrich_new``): share of items with a
theme, outliers, V-measure.
Writes bench/results/themes.json. Exits 0 with a message when the corpus is absent.

BERTopic runs in its own venv so the project's stays untouched:
    python3 -m venv /tmp/btvenv && /tmp/btvenv/bin/pip install torch==2.13.0 \
        && /tmp/btvenv/bin/pip install bertopic
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
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
    start, cpu = time.perf_counter(), time.process_time()
    result = ThemeModel().fit(vectors, texts, ids)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        **scores(gold, result.assignments),
        "themes": len(result.themes),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
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


class CachedEmbedder:
    """all-MiniLM-L6-v2 vectors looked up by text (the cached corpus), the model for the rest."""

    name, dim = "all-MiniLM-L6-v2@256", 384

    def __init__(self, texts: list[str], vectors: np.ndarray):
        self.known = dict(zip(texts, vectors, strict=True))
        self.model: Any = None

    def embed(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in texts if t not in self.known]
        if missing:
            from enrich.embed import SentenceTransformerEmbedder

            self.model = self.model or SentenceTransformerEmbedder()
            self.known.update(zip(missing, self.model.embed(missing), strict=True))
        return np.stack([self.known[t] for t in texts]).astype(np.float32)


def run_history(
    ids: list[str], titles: list[str], bodies: list[str], gold: list[str], vectors: np.ndarray,
    months: int = 12,
) -> dict[str, Any]:  # fmt: skip
    """The articles spread over ``months`` (seeded order, newest today), stored as news items,
    then the stages of one `radar daily` after an import: enrich, then the first fit."""
    from radar.core.config import effective_settings
    from radar.core.records import Item, item_id
    from radar.services import enrich_new
    from radar.store import Store

    order = np.random.default_rng(0).permutation(len(ids))
    today = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "radar.db")
        by_item: dict[str, str] = {}
        for rank, row in enumerate(order):
            url = f"https://news.example/{ids[row]}"
            item = Item(id=item_id("bbc", url, titles[row]), source_id="bbc", kind="news",
                        title=titles[row], body=bodies[row], url=url,
                        published=(today - timedelta(days=rank * 30.5 * months / len(ids))
                                   ).strftime("%Y-%m-%d"))  # fmt: skip
            store.upsert_item(item)
            by_item[item.id] = gold[row]
        texts = [item_text(t, b) for t, b in zip(titles, bodies, strict=True)]
        start = time.perf_counter()
        summary = enrich_new(
            store, effective_settings(None, tmp), None, embedder=CachedEmbedder(texts, vectors)
        )
        seconds = time.perf_counter() - start
        assigned = {i.id: _discovered(i.themes) for i in store.items(status="active")}
        store.close()
    keys = sorted(by_item)
    got = [assigned.get(k) for k in keys]
    return {
        **scores([by_item[k] for k in keys], got),
        "themed": round(sum(a is not None for a in got) / len(got), 4),
        "themes": len({a for a in got if a is not None}),
        "months": months,
        "seconds": round(seconds, 1),
        "messages": summary.messages,
    }


def _discovered(tags: list[dict[str, Any]]) -> str | None:
    return next((str(t["id"]) for t in tags if t.get("kind") == "discovered"), None)


def evaluate(corpus: Path, bertopic_python: Path | None = None) -> dict[str, Any]:
    ids, titles, bodies, gold = load_bbc(corpus)
    vectors = embeddings(titles, bodies)
    texts = [item_text(t, b) for t, b in zip(titles, bodies, strict=True)]
    result: dict[str, Any] = {
        "items": len(ids),
        "ours": run_ours(vectors, texts, ids, gold),
        "kmeans_true_k": run_kmeans(vectors, gold),
        "stability": stability(vectors, texts, ids),
        "history": run_history(ids, titles, bodies, gold, vectors),
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
    print(
        f"ours: fit CPU {result['ours']['cpu_seconds']:.1f} s, load average {os.getloadavg()[0]:.1f}"
    )
    for label in result["ours"]["labels"]:
        print(f"  {label}")
    hist = result["history"]
    print(
        f"history ({hist['months']} months, one `radar daily` after the import): themes on"
        f" {hist['themed']:.1%} of items, {hist['outliers']:.1%} outliers, V {hist['v_measure']:.3f},"
        f" ARI {hist['ari']:.3f}, {hist['themes']} themes, {hist['seconds']:.0f} s"
    )
    for message in hist["messages"]:
        print(f"  {message}")
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
