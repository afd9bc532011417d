"""The cost that change typing and summaries add to `radar enrich`, per 1,000 items.

Usage: .venv/bin/python bench/enrich_changes_bench.py [--items 1000] [--changes 8] [--embedder hash|model]

Builds --items synthetic items (three releases with --changes changes each for every news item;
our own text), then runs the Enricher twice on fresh copies of the store: without the change typer
and the summarizer, and with them (the defaults of `radar enrich`). Embeddings are cached before
both runs, so the difference is the typing and summarizing alone, plus writing the changes.
Prints seconds and the added seconds per 1,000 items; writes bench/results/enrich_changes.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from enrich.moves import MoveClassifier  # noqa: E402
from enrich.pipeline import Enricher  # noqa: E402
from radar.core.records import Change, Item  # noqa: E402
from radar.store import Store  # noqa: E402

LINES = [
    ("Added {n} new export formats for dashboards", "Features"),
    ("Fixed a crash when a chart {n} has no series", "Bug fixes"),
    ("Removed the deprecated v{n} query filters", "Breaking changes"),
    ("Improved loading time of workspace {n}", None),
    ("Bump lodash from 4.17.{n} to 4.17.21", "Dependencies"),
    ("feat(api): add pagination to the events endpoint {n}", None),
    ("Patched SSRF in webhook previews, advisory {n}", "Security"),
    ("docs: clarify retention settings {n}", None),
]


def items(count: int, changes: int) -> list[Item]:
    out = []
    for n in range(count):
        if n % 4 == 3:
            body = (
                f"Story {n}. Acme raised prices for teams. Analysts expect rivals to follow soon."
            )
            out.append(Item(id=f"n{n}", source_id="news", kind="news", title=f"Acme story {n}",
                            body=body, url=f"https://news.example/{n}", published="2026-11-18"))  # fmt: skip
            continue
        lines = [LINES[(n + k) % len(LINES)] for k in range(changes)]
        item = Item(id=f"r{n}", source_id="acme-log", kind="changelog_entry", title=f"{n}.0.0",
                    body="\n".join(t.format(n=n) for t, _ in lines), competitor="acme",
                    url=f"https://acme.example/changelog#{n}", published="2026-11-18")  # fmt: skip
        item.changes = [Change(t.format(n=n), s) for t, s in lines]
        out.append(item)
    return out


def embedder_of(kind: str) -> Any:
    from enrich.embed import HashEmbedder, SentenceTransformerEmbedder

    return HashEmbedder() if kind == "hash" else SentenceTransformerEmbedder()


def timed_run(path: Path, embedder: Any, with_changes: bool) -> float:
    store = Store(path)
    kwargs: dict[str, Any] = {} if with_changes else {"change_typer": None, "summarizer": None}
    enricher = Enricher(store, embedder, moves=MoveClassifier(embedder), **kwargs)
    started = time.perf_counter()
    enricher.run()
    elapsed = time.perf_counter() - started
    store.close()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=8)
    parser.add_argument("--embedder", choices=["hash", "model"], default="hash")
    args = parser.parse_args()
    embedder = embedder_of(args.embedder)
    with tempfile.TemporaryDirectory() as tmp:
        seed = Path(tmp) / "seed.db"
        store = Store(seed)
        store.upsert_items(items(args.items, args.changes))
        Enricher(store, embedder).vectors(list(store.items()))  # embeddings cached for both runs
        store.close()
        runs = {}
        for name, flag in (("without", False), ("with", True)):
            copy = Path(tmp) / f"{name}.db"
            shutil.copy(seed, copy)
            runs[name] = timed_run(copy, embedder, flag)
    added = (runs["with"] - runs["without"]) / args.items * 1000
    result = {
        "items": args.items, "changes_per_release": args.changes, "embedder": args.embedder,
        "seconds_without": round(runs["without"], 3), "seconds_with": round(runs["with"], 3),
        "added_seconds_per_1000_items": round(added, 3),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
    }  # fmt: skip
    print(json.dumps(result, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "enrich_changes.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
