"""Wall time and peak memory of ThemeModel.fit at 10k, 50k and 100k items.

Usage: .venv/bin/python bench/cluster_bench.py [--sizes 10000 50000 100000] [--full-up-to N]
       [--refit]

Vectors: BBC News embeddings (bench/results/bbc_embeddings.npy, made by bench/eval_themes.py)
resampled with small Gaussian noise, texts and gold labels from the same articles; clustered
random 384-dim vectors with filler texts when the corpus or the cache is absent. Each run is a
subprocess, so its peak RSS (ru_maxrss, data included) is its own; "fit MB" is the peak of
memory allocated during a second, untimed fit (tracemalloc, which sees numpy's buffers, slows
Python code); "cpu s" is the process's CPU time (wall time on a shared machine is inflated by
other load; "load" is the 1-minute load average when the row finished). ``--refit`` also times a
weekly re-fit: fit on 90 % of the rows, re-fit on all with the first fit as ``previous``. "sample" is the default (cluster at most
``max_fit_items`` rows, assign the rest); "full" clusters every row. Writes
bench/results/cluster.json.
"""

from __future__ import annotations

import argparse
import json
import os
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


def one(n: int, mode: str, previous: bool = False) -> dict[str, Any]:
    from sklearn.metrics import v_measure_score

    x, texts, gold, source = synthetic(n)
    ids = [str(i) for i in range(n)]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    model = ThemeModel(max_fit_items=n if mode == "full" else ThemeModel().max_fit_items)
    start, cpu = time.perf_counter(), time.process_time()
    result = model.fit(x, texts, ids)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()  # a second fit, traced: tracemalloc slows Python code, so it is not timed
    model.fit(x, texts, ids)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    predicted = [a or f"outlier-{i}" for i, a in enumerate(result.assignments)]
    row = {
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
    return row | (refit(model, x, texts, ids, result) if previous else {})


def refit(
    model: ThemeModel, x: np.ndarray, texts: list[str], ids: list[str], _: Any
) -> dict[str, Any]:
    """A weekly re-fit: fit on the first 90 % of the rows, then time a re-fit on all of them
    with the first fit as ``previous``; the share of the 90 % whose theme id is unchanged."""
    keep = int(0.9 * len(ids))
    first = model.fit(x[:keep], texts[:keep], ids[:keep])
    known = dict(zip(ids[:keep], first.assignments, strict=True))
    start, cpu = time.perf_counter(), time.process_time()
    second = model.fit(
        x, texts, ids, previous=first.themes, used_ids={t.id for t in first.themes},
        previous_assignments=known,
    )  # fmt: skip
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    same = sum(a == known[i] for i, a in zip(ids[:keep], second.assignments, strict=False))
    return {
        "refit_seconds": round(seconds, 1),
        "refit_cpu_seconds": round(cpu, 1),
        "refit_unchanged": round(same / keep, 4),
        "refit_warm_start": bool(getattr(model.clusterer, "warm_", False)),
    }


def run(n: int, mode: str, previous: bool) -> dict[str, Any]:
    command = [sys.executable, __file__, "--one", str(n), "--mode", mode]
    done = subprocess.run(
        command + (["--refit"] if previous else []),
        capture_output=True,
        text=True,
        timeout=3600,
        cwd=ROOT,
    )
    if done.returncode != 0:
        return {"items": n, "mode": mode, "failed": done.stderr.strip().splitlines()[-1:]}
    return dict(json.loads(done.stdout.strip().splitlines()[-1])) | {
        "load_average": round(os.getloadavg()[0], 2)
    }


HEADER = (
    f"{'items':>8}{'mode':>8}{'clustered':>10}{'wall s':>8}{'cpu s':>7}{'fit MB':>8}"
    f"{'RSS MB':>8}{'themes':>7}{'outliers':>9}{'V':>7}{'load':>6}"
)


def show(row: dict[str, Any]) -> None:
    if "failed" in row:
        print(f"{row['items']:>8}{row['mode']:>8}  failed: {row['failed']}")
        return
    print(
        f"{row['items']:>8}{row['mode']:>8}{row['clustered_rows']:>10}{row['seconds']:>8.1f}"
        f"{row['cpu_seconds']:>7.1f}{row['fit_peak_mb']:>8.0f}{row['peak_rss_mb']:>8.0f}"
        f"{row['themes']:>7}{row['outliers']:>9.1%}{row['v_measure']:>7.3f}"
        f"{row['load_average']:>6.1f}",
        flush=True,
    )
    if "refit_seconds" in row:
        print(
            f"{'':>8}{'re-fit':>8}{'':>10}{row['refit_seconds']:>8.1f}"
            f"{row['refit_cpu_seconds']:>7.1f}  ids unchanged {row['refit_unchanged']:.2%},"
            f" warm start won: {row['refit_warm_start']}",
            flush=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    parser.add_argument("--full-up-to", type=int, default=100_000, help="also cluster every row")
    parser.add_argument("--refit", action="store_true", help="also time a re-fit (90 %% -> 100 %%)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="sample", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.mode, args.refit)))
        return 0
    rows = []
    print(HEADER)
    for n in args.sizes:
        for mode in ("sample", "full") if n <= args.full_up_to else ("sample",):
            if mode == "full" and n <= ThemeModel().max_fit_items:
                continue  # the same run
            rows.append(run(n, mode, args.refit))
            show(rows[-1])
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "cluster.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
