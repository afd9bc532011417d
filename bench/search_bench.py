"""Search speed of the embedded backend: indexing docs/s and query latency at 10k / 100k / 1M items.

Usage: .venv/bin/python bench/search_bench.py [--sizes 10000,100000] [--queries 200]
Synthetic items of realistic length: titles of 5-12 words and bodies of 50-300 words drawn from a
20,000-word vocabulary with Zipfian frequencies, 10 competitors, 12 themes (1-2 per item), 9 move
types, 5 kinds, 40 sources, dates over the last 2 years, 384-dim unit vectors clustered by theme.
Each size runs in a child process (so peak RSS is its own) on a fresh index file, indexed in
batches of 500 as `radar index` does. Query words are 1-2 words drawn uniformly from vocabulary
ranks 100-5,000 (content words, not stop words); "common word" queries are one word of ranks
10-100 (matching a large share of all items: the worst case for BM25 ranking). Prints a table; merges its figures into
bench/results/search.json (so a 1M run in the background adds to earlier sizes).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "search.json"
VOCAB, DIM, BATCH = 20_000, 384, 500
COMPETITORS = [f"comp{i}" for i in range(10)]
THEMES = [f"theme{i}" for i in range(12)]
MOVES = ["launch", "pricing_change", "improvement", "fix", "deprecation", "partnership",
         "acquisition", "hiring", "security"]  # fmt: skip
KINDS = ["changelog_entry", "release", "news", "blog", "page_change"]
TODAY = date.today()


def vocabulary(rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    syllables = [c + v for c in "bcdfghjklmnprstvz" for v in "aeiou"] + ["an", "er", "on", "ix"]
    words: dict[str, None] = {}
    while len(words) < VOCAB:
        n = int(rng.integers(2, 5))
        words["".join(syllables[int(i)] for i in rng.integers(0, len(syllables), n))] = None
    ranks = np.arange(1, VOCAB + 1)
    weights = 1.0 / ranks**1.07
    return list(words), weights / weights.sum()


def make_docs(n: int, seed: int = 1) -> Any:
    """Yield batches of IndexDoc, deterministic for a seed."""
    from search.base import IndexDoc

    rng = np.random.default_rng(seed)
    vocab, probs = vocabulary(np.random.default_rng(0))
    centroids = np.random.default_rng(0).normal(size=(len(THEMES), DIM)).astype(np.float32)
    for start in range(0, n, BATCH):
        size = min(BATCH, n - start)
        title_len, body_len = rng.integers(5, 13, size), rng.integers(50, 301, size)
        tokens = rng.choice(VOCAB, size=int(title_len.sum() + body_len.sum()), p=probs)
        theme_idx = rng.integers(0, len(THEMES), size)
        vectors = centroids[theme_idx] + rng.normal(scale=1.5, size=(size, DIM)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        pos, docs = 0, []
        for i in range(size):
            title = " ".join(vocab[t] for t in tokens[pos : pos + title_len[i]]).capitalize()
            pos += title_len[i]
            body = " ".join(vocab[t] for t in tokens[pos : pos + body_len[i]]) + "."
            pos += body_len[i]
            themes = [THEMES[theme_idx[i]]] + (
                [THEMES[int(rng.integers(12))]] if rng.random() < 0.3 else []
            )
            day = TODAY - timedelta(days=int(rng.integers(0, 730)))
            comp = COMPETITORS[int(rng.integers(10))]
            docs.append(IndexDoc(
                id=f"d{start + i}", title=title, body=body, url=f"https://{comp}.example/{start + i}",
                kind=KINDS[int(rng.integers(5))], source=f"{comp}-src{int(rng.integers(4))}",
                competitor=comp, published=day.isoformat(), themes=list(dict.fromkeys(themes)),
                move_type=MOVES[int(rng.integers(9))], vector=vectors[i].tolist(),
            ))  # fmt: skip
        yield docs


def percentiles(times: list[float]) -> dict[str, float]:
    ms = np.asarray(times) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
    }


def timed(fn: Any, n: int) -> dict[str, float]:
    times = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
    return percentiles(times)


def run_size(n: int, queries: int) -> dict[str, Any]:
    """Index n synthetic docs into a fresh file and time the queries (runs in a child process)."""
    from search.base import SearchQuery
    from search.sqlite import SQLiteBackend

    out: dict[str, Any] = {"items": n}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "search.db"
        backend = SQLiteBackend(path)
        gen_s = index_s = 0.0
        batches = make_docs(n)
        while True:
            start = time.perf_counter()
            batch = next(batches, None)
            gen_s += time.perf_counter() - start
            if batch is None:
                break
            start = time.perf_counter()
            backend.index(batch)
            index_s += time.perf_counter() - start
        out["index_docs_per_s"] = round(n / index_s)
        out["index_s"] = round(index_s, 1)
        start = time.perf_counter()
        backend.optimize()
        out["optimize_s"] = round(time.perf_counter() - start, 1)
        backend.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        out["disk_mib"] = round(sum(f.stat().st_size for f in Path(tmp).iterdir()) / 2**20, 1)

        vocab, _ = vocabulary(np.random.default_rng(0))
        rng = np.random.default_rng(42)
        words = [
            " ".join(vocab[int(r)] for r in rng.integers(100, 5000, int(rng.integers(1, 3))))
            for _ in range(queries)
        ]
        common = [vocab[int(r)] for r in rng.integers(10, 100, queries)]
        comps = [COMPETITORS[int(r)] for r in rng.integers(0, 10, queries)]
        starts = [TODAY - timedelta(days=int(r)) for r in rng.integers(90, 730, queries)]
        qvecs = rng.normal(size=(queries, DIM)).astype(np.float32)
        qvecs /= np.linalg.norm(qvecs, axis=1, keepdims=True)

        def text(i: int) -> None:
            backend.search(SearchQuery(text=words[i], mode="text", limit=10))

        def text_common(i: int) -> None:
            backend.search(SearchQuery(text=common[i], mode="text", limit=10))

        def filtered(i: int) -> None:
            backend.search(SearchQuery(text=words[i], mode="text", competitor=[comps[i]], limit=10,
                                       since=starts[i].isoformat(), until=(starts[i] + timedelta(days=90)).isoformat()))  # fmt: skip

        def facets(i: int) -> None:
            backend.search(
                SearchQuery(text=words[i], mode="text", limit=10, facets=["competitor", "theme"])
            )

        def hybrid(i: int) -> None:
            backend.search(
                SearchQuery(text=words[i], mode="hybrid", vector=qvecs[i].tolist(), limit=10)
            )

        def histogram(i: int) -> None:
            backend.histogram(
                "theme",
                "week",
                SearchQuery(mode="text", since=(TODAY - timedelta(weeks=52)).isoformat()),
            )

        out["text"] = timed(text, queries)
        out["text_common_word"] = timed(text_common, queries)
        out["text_filter_dates"] = timed(filtered, queries)
        out["text_facets"] = timed(facets, queries)
        start = time.perf_counter()
        hybrid(0)
        out["vector_load_s"] = round(time.perf_counter() - start, 2)
        out["hybrid"] = timed(hybrid, queries)
        out["histogram_theme_week"] = timed(histogram, max(10, queries // 10))
        start = time.perf_counter()
        backend.significant_terms(
            (TODAY - timedelta(days=6)).isoformat(),
            background_since=(TODAY - timedelta(weeks=9)).isoformat(),
        )
        out["significant_terms_s"] = round(time.perf_counter() - start, 2)
        for key, texts in (("avg_text_matches", words), ("avg_common_word_matches", common)):
            totals = [
                backend.search(SearchQuery(text=w, mode="text", limit=0)).total for w in texts[:50]
            ]
            out[key] = round(float(np.mean(totals)))
        backend.close()
    out["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["load_avg_after"] = [round(x, 2) for x in os.getloadavg()]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_size(args.child, args.queries)))
        return
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.update(
        {
            "cpus": os.cpu_count(),
            "machine": platform.platform(),
            "python": platform.python_version(),
        }
    )
    import sqlite3

    results["sqlite"] = sqlite3.sqlite_version
    sizes = results.setdefault("sizes", {})
    for n in (int(s) for s in args.sizes.split(",")):
        proc = subprocess.run([sys.executable, __file__, "--child", str(n), "--queries", str(args.queries)],
                              capture_output=True, text=True, check=True)  # fmt: skip
        sizes[str(n)] = json.loads(proc.stdout.strip().splitlines()[-1])
        print_row(sizes[str(n)])
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {RESULTS}")


def print_row(r: dict[str, Any]) -> None:
    cells = [f"{r['items']:>8,} items", f"index {r['index_docs_per_s']:>6,}/s", f"disk {r['disk_mib']} MiB",
             f"rss {r['peak_rss_mib']} MiB"]  # fmt: skip
    for key in (
        "text",
        "text_common_word",
        "text_filter_dates",
        "text_facets",
        "hybrid",
        "histogram_theme_week",
    ):
        cells.append(f"{key} {r[key]['p50_ms']}/{r[key]['p95_ms']} ms")
    print(" | ".join(cells), flush=True)


if __name__ == "__main__":
    main()
