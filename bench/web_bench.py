"""Web UI and JSON API latency over the embedded backend at 100k items (`radar serve`'s app).

Usage: .venv/bin/python bench/web_bench.py [--items 100000] [--requests 100] [--store DIR]
The synthetic items of bench/search_bench.py (same generator, same seed) go into a store file
with its search tables (built once into --store, or a temporary folder), the app runs under
uvicorn on 127.0.0.1 in this process, and an HTTP client with keep-alive times whole requests
(routing, service, backend, templates or JSON, headers) one at a time. Words are 1-2 content words
(vocabulary ranks 100-5,000), filters a competitor and a theme. Writes bench/results/web.json and
the "Web" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
RESULTS = ROOT / "bench" / "results" / "web.json"
DOCS = ROOT / "docs" / "benchmarks.md"

from search_bench import COMPETITORS, THEMES, make_docs, percentiles, vocabulary  # noqa: E402


def build(data_dir: Path, n: int) -> float:
    """The store and its index of n synthetic items; seconds spent (0 when already built)."""
    from radar.store import Store
    from search.sqlite import SQLiteBackend

    db = data_dir / "radar.db"
    if db.exists():
        return 0.0
    start = time.perf_counter()
    store = Store(db)
    store.save_configured_themes(
        [type("Spec", (), {"id": t, "name": f"Theme {t[5:]}", "keywords": [t]})() for t in THEMES]
    )
    backend = SQLiteBackend(db)
    for batch in make_docs(n):
        for doc in batch:
            doc.vector = None  # text mode: the web's default without a recorded vector model
        backend.index(batch)
    backend.optimize()
    backend.close()
    store.close()
    return time.perf_counter() - start


class Server:
    """`radar serve`'s app under uvicorn in a child process (a client in the same process as
    an in-thread server adds ~40 ms per keep-alive request here); ready once it answers."""

    def __init__(self, data_dir: Path):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = [sys.executable, __file__, "--serve", str(data_dir), "--port", str(self.port)]

    def __enter__(self) -> Server:
        import httpx

        self.proc = subprocess.Popen(self.args)
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.url}/static/radar.css").status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("the web server did not start")
            time.sleep(0.05)

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def serve(data_dir: Path, port: int) -> None:
    import uvicorn

    from radar.core.settings import Settings
    from radar.web import create_app

    app = create_app(Settings({"data_dir": str(data_dir)}, env={}), warm=True)  # as radar serve
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def scenarios(requests: int) -> dict[str, list[str]]:
    vocab, _ = vocabulary(np.random.default_rng(0))
    rng = np.random.default_rng(7)
    words = [
        "+".join(vocab[int(r)] for r in rng.integers(100, 5000, int(rng.integers(1, 3))))
        for _ in range(requests)
    ]
    comps = [COMPETITORS[int(r)] for r in rng.integers(0, len(COMPETITORS), requests)]
    themes = [THEMES[int(r)] for r in rng.integers(0, len(THEMES), requests)]
    search = [f"q={w}&mode=text&competitor={c}" for w, c in zip(words, comps, strict=True)]
    browse = [f"competitor={c}&theme={t}" for c, t in zip(comps, themes, strict=True)]
    return {
        "search page: words + competitor filter, 5 facets, weekly chart": [
            f"/?{s}" for s in search
        ],
        "search API: the same": [f"/api/search?{s}" for s in search],
        "search page: filters only (competitor + theme), newest first": [
            f"/?{b}&sort=date" for b in browse
        ],  # fmt: skip
        "trends page (default, cached after the first load)": ["/trends"] * requests,
        "trends page: different words each time (uncached)": [f"/trends?q={w}" for w in words],
        "trends API: weekly counts by theme, 12 weeks": ["/api/trends?by=theme"] * requests,
        "rising API: themes and terms, different words (uncached)": [
            f"/api/rising?q={w}" for w in words
        ],  # fmt: skip
    }


def measure(url: str, paths: list[str]) -> dict[str, Any]:
    import httpx

    with httpx.Client(base_url=url, timeout=120) as client:
        first = time.perf_counter()
        assert client.get(paths[0]).status_code == 200
        out: dict[str, Any] = {"first_ms": round((time.perf_counter() - first) * 1000, 1)}
        times = []
        for path in paths:
            start = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200, (path, response.status_code, response.text[:200])
    return {**out, **percentiles(times), "requests": len(paths)}


def run(items: int, requests: int, data_dir: Path) -> dict[str, Any]:
    build_s = build(data_dir, items)
    results: dict[str, Any] = {}
    with Server(data_dir) as server:
        for name, paths in scenarios(requests).items():
            results[name] = measure(server.url, paths)
            r = results[name]
            print(f"{name:<64} p50 {r['p50_ms']:>7} ms  p95 {r['p95_ms']:>7} ms  first {r['first_ms']:>7} ms", flush=True)  # fmt: skip
    return {
        "items": items, "requests_per_scenario": requests, "build_s": round(build_s, 1),
        "date": date.today().isoformat(), "cpus": os.cpu_count(), "machine": platform.platform(),
        "python": platform.python_version(), "scenarios": results,
    }  # fmt: skip


def markdown(r: dict[str, Any]) -> str:
    lines = [
        "## Web",
        "",
        f"`radar serve`'s app (FastAPI under uvicorn, 2 worker threads) over the embedded backend"
        f" with {r['items']:,} synthetic items (bench/search_bench.py's generator), text mode;"
        f" {r['requests_per_scenario']} sequential requests per row from one keep-alive HTTP client"
        f" on the same machine ({r['cpus']} CPUs, {r['machine']}, Python {r['python']},"
        f" {r['date']}). Whole requests: routing, service, backend, HTML templates or JSON."
        " *first* is a row's first request: for the first row the first after start (store"
        " opened, modules imported), for the default trends page the computation the later"
        " loads reuse until the index changes (rising terms over a week of 100k items).",
        "",
        "Command: `.venv/bin/python bench/web_bench.py --items 100000 --requests 100`",
        "",
        "| request | p50 ms | p95 ms | first ms |",
        "|---|---:|---:|---:|",
    ]
    for name, s in r["scenarios"].items():
        lines.append(f"| {name} | {s['p50_ms']} | {s['p95_ms']} | {s['first_ms']} |")
    return "\n".join(lines) + "\n"


def write_section(section: str) -> None:
    """Replace the '## Web' section of docs/benchmarks.md (or append it); others stay as they are."""
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    start = text.find("\n## Web\n")
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + 1)
        text = text[: start + 1] + section + (text[end:] if end >= 0 else "")
    DOCS.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--store", default=None, help="Folder to build the store in once and reuse.")  # fmt: skip
    parser.add_argument("--serve", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve), args.port)
        return
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(args.store or tmp)
        data_dir.mkdir(parents=True, exist_ok=True)
        result = run(args.items, args.requests, data_dir)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    write_section(markdown(result))
    print(f"wrote {RESULTS} and the Web section of {DOCS}")


if __name__ == "__main__":
    main()
