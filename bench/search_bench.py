"""Search speed of the backends: indexing docs/s and query latency at 10k / 100k / 1M items.

Usage: .venv/bin/python bench/search_bench.py [--sizes 10000,100000] [--queries 200]
           [--backends sqlite,elasticsearch,opensearch] [--es-url URL] [--opensearch-url URL]
Synthetic items of realistic length: titles of 5-12 words and bodies of 50-300 words drawn from a
20,000-word vocabulary with Zipfian frequencies, 10 competitors, 12 themes (1-2 per item), 9 move
types, 5 kinds, 40 sources, dates over the last 2 years, 384-dim unit vectors clustered by theme.
Each size and backend runs in a child process (so peak RSS is its own) on a fresh index (a new
SQLite file; a new alias on an engine, deleted afterwards), indexed in batches of 500 as `radar
index` does, through `search.get_backend` with default settings (es_timeout 60 s). Engine URLs come
from the flags or build/engines.env (`make engines`); each engine's version, heap and node peak RSS
are recorded. Query words are 1-2 words drawn uniformly from vocabulary
ranks 100-5,000 (content words, not stop words); "common word" queries are one word of ranks
10-100 (matching a large share of all items: the worst case for BM25 ranking). Prints a table;
merges its figures into bench/results/search.json or --out (so a 1M run in the background adds
to earlier sizes): SQLite's under "sizes", an engine's under its name."""

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
import urllib.request
import uuid
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


def open_backend(name: str, url: str | None, tmp: Path) -> Any:
    """The backend `name` as `radar index` builds it: SQLite in `tmp`, an engine on a fresh alias."""
    from radar.core.settings import Settings
    from search import get_backend

    values: dict[str, Any] = {"search_backend": name, "data_dir": str(tmp)}
    if name != "sqlite":
        values |= {
            "es_url": url,
            "es_index": f"radar-bench-{uuid.uuid4().hex[:8]}",
            "es_timeout": 60,
        }
    return get_backend(Settings(values, env={}), tmp / "search.db")


def drop_engine_index(backend: Any) -> None:
    """Delete the bench's physical indices and template (by name: wildcard deletes are refused)."""
    indices = backend.client.indices
    for name in indices.get(index=f"{backend.alias}-v*", ignore_unavailable=True):
        indices.delete(index=name)
    indices.delete_index_template(name=f"{backend.alias}-template")


def index_all(backend: Any, n: int) -> float:
    """Seconds spent in backend.index over n docs in batches of 500 (generation not counted)."""
    index_s, batches = 0.0, make_docs(n)
    for batch in batches:
        start = time.perf_counter()
        backend.index(batch)
        index_s += time.perf_counter() - start
    return index_s


def engine_disk_mib(backend: Any) -> float:
    stats = backend.client.indices.stats(index=backend.alias, metric="store")
    return round(stats["_all"]["primaries"]["store"]["size_in_bytes"] / 2**20, 1)


def run_size(n: int, queries: int, name: str = "sqlite", url: str | None = None) -> dict[str, Any]:
    """Index n synthetic docs into a fresh index and time the queries (runs in a child process)."""
    out: dict[str, Any] = {"items": n, "backend": name}
    with tempfile.TemporaryDirectory() as tmp:
        backend = open_backend(name, url, Path(tmp))
        try:
            index_s = index_all(backend, n)
            out["index_docs_per_s"] = round(n / index_s)
            out["index_s"] = round(index_s, 1)
            start = time.perf_counter()
            if hasattr(backend, "optimize"):
                backend.optimize()
            out["optimize_s"] = round(time.perf_counter() - start, 1)
            if name == "sqlite":
                backend.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                out["disk_mib"] = round(
                    sum(f.stat().st_size for f in Path(tmp).rglob("*") if f.is_file()) / 2**20, 1
                )
            else:
                out["disk_mib"] = engine_disk_mib(backend)
            out.update(time_queries(backend, queries))
            if name == "sqlite":
                out.update(vector_figures(backend, Path(tmp) / "search.db", queries))
        finally:
            if name != "sqlite":
                drop_engine_index(backend)
            backend.close()
    out["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["load_avg_after"] = [round(x, 2) for x in os.getloadavg()]
    return out


def time_queries(backend: Any, queries: int) -> dict[str, Any]:
    """p50 / p95 of each query type over `queries` queries; the figures of `run_size`."""
    from search.base import SearchQuery

    out: dict[str, Any] = {}
    vocab, _ = vocabulary(np.random.default_rng(0))
    rng = np.random.default_rng(42)
    words = [
        " ".join(vocab[int(r)] for r in rng.integers(100, 5000, int(rng.integers(1, 3))))
        for _ in range(queries)
    ]
    common = [vocab[int(r)] for r in rng.integers(10, 100, queries)]
    comps = [COMPETITORS[int(r)] for r in rng.integers(0, 10, queries)]
    starts = [TODAY - timedelta(days=int(r)) for r in rng.integers(90, 730, queries)]
    qvecs = query_vectors(rng, queries)

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
    return out


def query_vectors(rng: np.random.Generator, n: int) -> np.ndarray:
    """Query vectors drawn as the docs' are (a theme centroid plus noise): queries resemble docs."""
    centroids = np.random.default_rng(0).normal(size=(len(THEMES), DIM)).astype(np.float32)
    vectors = centroids[rng.integers(0, len(THEMES), n)] + rng.normal(scale=1.5, size=(n, DIM))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def vector_figures(backend: Any, path: Path, queries: int) -> dict[str, Any]:
    """SQLite (issue 14): a new process's first hybrid search (the vector files mapped, page cache
    warm) and recall@10 of the semantic ranking, as searched and with float16 vectors, against exact."""
    from search.base import SearchQuery
    from search.sqlite import SQLiteBackend

    qvecs = query_vectors(np.random.default_rng(7), min(queries, 50))
    start = time.perf_counter()
    fresh = SQLiteBackend(path)
    fresh.search(SearchQuery(text="report", mode="hybrid", vector=qvecs[0].tolist(), limit=10))
    out: dict[str, Any] = {"startup_s": round(time.perf_counter() - start, 3)}
    vectors, found, half = fresh._vectors, [], []
    matrix = np.asarray(vectors.mapped.matrix)
    live = vectors.live()[2]
    for q in qvecs:
        exact = {n for n, _ in vectors.exact(q.tolist(), 10)}
        found.append(len(exact & {n for n, _ in vectors.nearest(q.tolist(), None, 10)}) / 10)
        scores = (
            matrix.astype(np.float16).astype(np.float32) @ q if len(matrix) <= 200_000 else None
        )
        if scores is not None:
            scores[~live] = -np.inf
            top = np.argsort(-scores)[:10]
            half.append(len(exact & {int(vectors.mapped.ids[i]) for i in top}) / 10)
    out["ann"] = vectors.mapped.centroids is not None  # the IVF index answered, not an exact scan
    out["recall_at_10"] = round(float(np.mean(found)), 3)
    out["recall_at_10_float16"] = round(float(np.mean(half)), 3) if half else None
    fresh.close()
    return out


ENV_FILE = ROOT / "build" / "engines.env"
URL_KEYS = {"elasticsearch": "RADAR_ES_URL", "opensearch": "RADAR_OPENSEARCH_URL"}


def engines_env() -> dict[str, str]:
    """What `make engines` wrote to build/engines.env: URLs and node pids."""
    lines = ENV_FILE.read_text().splitlines() if ENV_FILE.is_file() else []
    return dict(line.split("=", 1) for line in lines if "=" in line)


def engine_urls(args: argparse.Namespace) -> dict[str, str]:
    """Engine URLs: --es-url / --opensearch-url, else build/engines.env."""
    found = engines_env()
    flags = {"elasticsearch": args.es_url, "opensearch": args.opensearch_url}
    return {name: flags[name] or found.get(key, "") for name, key in URL_KEYS.items()}


def engine_info(url: str, pid: str | None) -> dict[str, Any]:
    """The engine's version and heap (from its node info), and its process's peak RSS."""
    from tests.es_testserver.engines import version_of

    with urllib.request.urlopen(f"{url}/_nodes/_local/jvm", timeout=30) as resp:
        jvm = next(iter(json.loads(resp.read())["nodes"].values()))["jvm"]
    info = {"version": version_of(url), "heap_max_mib": jvm["mem"]["heap_max_in_bytes"] // 2**20}
    status = Path(f"/proc/{pid}/status")
    if pid and status.is_file():
        hwm = next(line for line in status.read_text().splitlines() if line.startswith("VmHWM"))
        info["node_peak_rss_mib"] = round(int(hwm.split()[1]) / 1024, 1)
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--backends", default="sqlite", help="sqlite,elasticsearch,opensearch")
    parser.add_argument("--es-url", default="", help="default: RADAR_ES_URL in build/engines.env")
    parser.add_argument("--opensearch-url", default="", help="default: build/engines.env")
    parser.add_argument(
        "--out",
        type=Path,
        default=RESULTS,
        help=f"JSON merged into (default {RESULTS.relative_to(ROOT)})",
    )
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--backend", default="sqlite", help=argparse.SUPPRESS)
    parser.add_argument("--url", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_size(args.child, args.queries, args.backend, args.url)))
        return
    results = json.loads(args.out.read_text()) if args.out.exists() else {}
    import sqlite3

    results.update(cpus=os.cpu_count(), machine=platform.platform(),
                   python=platform.python_version(), sqlite=sqlite3.sqlite_version)  # fmt: skip
    urls = engine_urls(args)
    for name in args.backends.split(","):
        if name != "sqlite" and not urls.get(name):
            sys.exit(
                f"no {name} URL: run `make engines` or pass --{name.replace('elasticsearch', 'es')}-url"
            )
        run_backend(name, urls.get(name), args, results)
    print(f"wrote {args.out}")


def run_backend(
    name: str, url: str | None, args: argparse.Namespace, results: dict[str, Any]
) -> None:
    """Each size in a child process; SQLite figures under "sizes", an engine's under its name."""
    if name == "sqlite":
        sizes = results.setdefault("sizes", {})
    else:
        entry = results.setdefault(name, {})
        sizes = entry.setdefault("sizes", {})
    for n in (int(s) for s in args.sizes.split(",")):
        cmd = [sys.executable, __file__, "--child", str(n), "--queries", str(args.queries),
               "--backend", name, "--url", url or ""]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode:
            sys.exit(f"{name} at {n} items failed: {proc.stderr[-2000:]}")
        sizes[str(n)] = json.loads(proc.stdout.strip().splitlines()[-1])
        if name != "sqlite" and url:
            pid = engines_env().get(f"{URL_KEYS[name]}_PID")
            entry.update(engine_info(url, pid), url=url)
        print(f"{name}: ", end="")
        print_row(sizes[str(n)])
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n")


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
    for key in ("startup_s", "recall_at_10", "recall_at_10_float16"):
        if key in r:
            cells.append(f"{key} {r[key]}")
    print(" | ".join(cells), flush=True)


if __name__ == "__main__":
    main()
