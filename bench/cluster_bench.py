"""Wall time and peak memory of ThemeModel.fit at 10k, 50k and 100k items.

Usage: .venv/bin/python bench/cluster_bench.py [--sizes 10000 50000 100000] [--full-up-to N]

Vectors: BBC News embeddings (bench/results/bbc_embeddings.npy, made by bench/eval_themes.py)
resampled with small Gaussian noise, texts and gold labels from the same articles; clustered
random 384-dim vectors with filler texts when the corpus or the cache is absent. Each run is a
subprocess, so its peak RSS (ru_maxrss, data included) is its own; "fit MB" is the peak of
memory allocated during fit (tracemalloc, which sees numpy's buffers); "cpu s" is the process's
CPU time (wall time on a shared machine is inflated by other load). "sample" is the default (cluster at most
``max_fit_items`` rows, assign the rest); "full" clusters every row. Writes
bench/results/cluster.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from enrich.discover import ThemeModel  # noqa: E402

RESULTS = ROOT / "bench" / "results"
EMBEDDINGS = RESULTS / "bbc_embeddings.npy"
CORPUS = ROOT.parent / "shared" / "corpus"
NOISE = 0.01  # per dimension; a resampled vector keeps cosine ~0.98 with its source
DIM = 384


def synthetic(n: int, seed: int = 0) -> tuple[np.ndarray, list[str], list[str], str]:
    """(vectors, texts, gold labels, source) for n items."""
    rng = np.random.default_rng(seed)
    if EMBEDDINGS.is_file() and (CORPUS / "labeled_news" / "bbc_news").is_dir():
        from bench.eval_themes import load_bbc

        _, titles, bodies, labels = load_bbc(CORPUS)
        base = np.load(EMBEDDINGS)
        texts = [f"{t}. {b[:600]}" for t, b in zip(titles, bodies, strict=True)]
        source = "bbc+noise"
    else:
        centres = rng.normal(size=(20, DIM))
        base = centres[np.arange(2000) % 20] + rng.normal(0, 0.08, (2000, DIM))
        labels = [str(i % 20) for i in range(2000)]
        texts = [f"topic{i % 20} alpha{i % 20} report update" for i in range(2000)]
        source = "random clusters"
    rows = rng.integers(0, len(base), n)
    x = base[rows].astype(np.float32)
    x += NOISE * rng.standard_normal(x.shape, dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x, [texts[i] for i in rows], [labels[i] for i in rows], source


def one(n: int, mode: str) -> dict[str, Any]:
    from sklearn.metrics import v_measure_score

    x, texts, gold, source = synthetic(n)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    model = ThemeModel(max_fit_items=n if mode == "full" else ThemeModel().max_fit_items)
    tracemalloc.start()
    start, cpu = time.perf_counter(), time.process_time()
    result = model.fit(x, texts, [str(i) for i in range(n)])
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    predicted = [a or f"outlier-{i}" for i, a in enumerate(result.assignments)]
    return {
        "items": n,
        "mode": mode,
        "source": source,
        "clustered_rows": min(n, model.max_fit_items),
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "fit_peak_mb": round(traced_peak / 2**20, 1),
        "peak_rss_mb": round(peak / 1024, 1),
        "rss_growth_mb": round((peak - before) / 1024, 1),
        "themes": len(result.themes),
        "outliers": round(result.assignments.count(None) / n, 4),
        "v_measure": round(float(v_measure_score(gold, predicted)), 4),
    }


def run(n: int, mode: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--one", str(n), "--mode", mode],
        capture_output=True,
        text=True,
        timeout=3600,
        cwd=ROOT,
    )
    if done.returncode != 0:
        return {"items": n, "mode": mode, "failed": done.stderr.strip().splitlines()[-1:]}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    parser.add_argument("--full-up-to", type=int, default=100_000, help="also cluster every row")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="sample", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.mode)))
        return 0
    rows = []
    print(
        f"{'items':>8}{'mode':>8}{'clustered':>10}{'wall s':>8}{'cpu s':>7}{'fit MB':>8}"
        f"{'RSS MB':>8}{'themes':>7}{'outliers':>9}{'V':>7}"
    )
    for n in args.sizes:
        for mode in ("sample", "full") if n <= args.full_up_to else ("sample",):
            if mode == "full" and n <= ThemeModel().max_fit_items:
                continue  # the same run
            row = run(n, mode)
            rows.append(row)
            if "failed" in row:
                print(f"{n:>8}{mode:>8}  failed: {row['failed']}")
                continue
            print(
                f"{n:>8}{mode:>8}{row['clustered_rows']:>10}{row['seconds']:>8.1f}"
                f"{row['cpu_seconds']:>7.1f}{row['fit_peak_mb']:>8.0f}{row['peak_rss_mb']:>8.0f}"
                f"{row['themes']:>7}{row['outliers']:>9.1%}{row['v_measure']:>7.3f}",
                flush=True,
            )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "cluster.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
