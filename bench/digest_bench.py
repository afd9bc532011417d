"""Weekly digest generation: build (search backend + store) and render HTML, for 1k and 10k items.

Usage: .venv/bin/python bench/digest_bench.py [--sizes 1000,10000] [--repeat 3]
For each size, a fresh store (SQLite, embedded search backend) holds that many enriched items dated
in the digest's week (the last complete ISO week) plus 8 background weeks at a quarter of that rate
(so rising themes have a baseline). Texts come from bench/daily_bench.py's generator: 20
competitors, 8 move types mapped to the configured themes (config/themes.yaml), 10 % of items
reported twice (one event, two sources), 5 % industry news mentioning a competitor. Items are
written with Store and Item, enriched fields set directly, and indexed with search's Indexer.
Times `build_digest` and `render_html` (chart PNG inline) --repeat times; the first call pays
the imports (matplotlib); then one more call under tracemalloc for the peak of Python allocations. Writes bench/results/digest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
from daily_bench import NAMES, entry  # noqa: E402

from radar.core.records import Item, item_id  # noqa: E402
from radar.core.settings import Settings  # noqa: E402
from radar.digest import build_digest, parse_week  # noqa: E402
from radar.digest_render import render_html, render_markdown  # noqa: E402
from radar.store import Store  # noqa: E402
from search import get_backend  # noqa: E402
from search.indexer import Indexer  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "digest.json"
THEME = {
    "ai": "ai-ml",
    "security": "security-compliance",
    "pricing": "pricing-packaging",
    "integration": "integrations-ecosystem",
    "performance": "performance-reliability",
    "launch": "developer-experience",
    "deprecation": "developer-experience",
    "fix": "data-analytics",
}
MOVE = {"ai": "launch"}  # the generator's "ai" entries are launches with the ai-ml theme


class Competitor:
    def __init__(self, name: str) -> None:
        self.id, self.name, self.aliases = name.lower(), f"{name} Cloud", (name,)


class Config:
    competitors = [Competitor(n) for n in NAMES.split()[:20]]


def make_items(
    rng: random.Random, count: int, start: Any, days: int, ai_share: float
) -> list[Item]:
    out: list[Item] = []
    comps = Config.competitors
    while len(out) < count:
        comp = rng.choice(comps)
        move, title, body = entry(rng, "ai" if rng.random() < ai_share else None)
        day = (start + timedelta(days=rng.randrange(days))).isoformat()
        news = rng.random() < 0.05
        source = "news-0" if news else f"{comp.id}-{rng.choice(['changelog', 'blog'])}-{rng.randrange(5)}"  # fmt: skip
        if news:
            title = f"{comp.name.split()[0]}: {title}"
        url = f"https://{source}.example/{len(out)}-{abs(hash(title)) % 10**8}"
        item = Item(
            id=item_id(source, url, title),
            source_id=source,
            kind="news" if news else "changelog_entry",
            title=title,
            body=body,
            url=url,
            competitor=None if news else comp.id,
            published=day,
        )
        item.move_type = None if news else MOVE.get(move, move)
        item.mentions = [comp.id] if news else []
        item.themes = [{"id": THEME[move], "score": round(rng.uniform(0.5, 0.9), 3), "kind": "configured"}]  # fmt: skip
        out.append(item)
        if rng.random() < 0.1 and not news and len(out) < count:  # the same event, another source
            twin = Item(
                id=item_id(f"{comp.id}-blog-9", url + "-b", title),
                source_id=f"{comp.id}-blog-9",
                kind="blog_post",
                title=f"{title} (blog)",
                body=body,
                url=url + "-b",
                competitor=comp.id,
                published=day,
            )
            item.event_id = twin.event_id = f"ev-{item.id[:12]}"
            twin.move_type, twin.themes = item.move_type, item.themes
            out.append(twin)
    return out


def build_store(tmp: Path, size: int, monday: Any) -> tuple[Store, Any, float]:
    from enrich.themes import load_theme_specs

    rng = random.Random(size)
    items = make_items(rng, size, monday, 7, ai_share=0.25)
    items += make_items(rng, 8 * (size // 4), monday - timedelta(weeks=8), 56, ai_share=0.08)
    started = time.perf_counter()
    store = Store(tmp / "radar.db")
    store.save_configured_themes(load_theme_specs(ROOT / "config" / "themes.yaml"))
    for item in items:
        item.first_seen = item.last_seen = f"{item.published}T12:00:00Z"
    store.upsert_items(items)
    store.save_enrichment(items)
    backend = get_backend(Settings({"data_dir": str(tmp)}, env={}), tmp / "radar.db")
    Indexer(store, backend).run()
    return store, backend, round(time.perf_counter() - started, 2)


def measure(size: int, repeat: int) -> dict[str, Any]:
    week, monday, _ = parse_week(None)
    with tempfile.TemporaryDirectory(prefix="digest-bench-") as tmp:
        store, backend, setup_s = build_store(Path(tmp), size, monday)
        runs = []
        try:
            for n in range(repeat + 1):  # the last run only measures memory (tracemalloc is slow)
                if n == repeat:
                    tracemalloc.start()
                t0 = time.perf_counter()
                digest = build_digest(backend, store, Config(), week)
                t1 = time.perf_counter()
                html = render_html(digest)
                t2 = time.perf_counter()
                markdown = render_markdown(digest)
                t3 = time.perf_counter()
                if n < repeat:
                    runs.append({"build_s": t1 - t0, "html_s": t2 - t1, "md_s": t3 - t2})
            peak_mib = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
            tracemalloc.stop()
        finally:
            backend.close()
            store.close()
        total_items = store_count(Path(tmp))
    moves = sum(len(m) for c in digest.competitors.values() for m in c.values())
    best = {k: round(min(r[k] for r in runs), 3) for k in runs[0]}
    return {
        "week_items": digest.total,
        "store_items": total_items,
        "setup_s": setup_s,
        "moves": moves,
        "competitors": len(digest.competitors),
        "rising_themes": len(digest.rising),
        "industry": len(digest.industry),
        "best": {
            **best,
            "build_plus_html_s": round(min(r["build_s"] + r["html_s"] for r in runs), 3),
        },  # fmt: skip
        "first": {k: round(v, 3) for k, v in runs[0].items()},
        "tracemalloc_peak_mib": peak_mib,
        "html_bytes": len(html.encode()),
        "html_chart_bytes": html.count("data:image/png;base64,") and _chart_bytes(html),
        "markdown_bytes": len(markdown.encode()),
    }


def _chart_bytes(html: str) -> int:
    start = html.index("data:image/png;base64,")
    return html.index('"', start) - start


def store_count(tmp: Path) -> int:
    store = Store(tmp / "radar.db")
    try:
        return store.count_items()
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    load_before = [round(x, 2) for x in os.getloadavg()]
    rows = {}
    for size in (int(s) for s in args.sizes.split(",")):
        rows[size] = measure(size, args.repeat)
        print(f"{size}: {rows[size]}", flush=True)
    head = f"{'week items':>10} {'store items':>11} {'moves':>6} {'build s':>8} {'HTML s':>7} {'build+HTML s':>12} {'first call s':>12} {'HTML KiB':>9} {'chart KiB':>9} {'MD KiB':>7} {'peak MiB':>8}"  # fmt: skip
    lines = [head, "-" * len(head)]
    for r in rows.values():
        b, f = r["best"], r["first"]
        lines.append(
            f"{r['week_items']:>10} {r['store_items']:>11} {r['moves']:>6} {b['build_s']:>8} {b['html_s']:>7} "
            f"{b['build_plus_html_s']:>12} {f['build_s'] + f['html_s']:>12.3f} {r['html_bytes'] / 1024:>9.1f} "
            f"{r['html_chart_bytes'] / 1024:>9.1f} {r['markdown_bytes'] / 1024:>7.1f} {r['tracemalloc_peak_mib']:>8.1f}"
        )
    load_after = [round(x, 2) for x in os.getloadavg()]
    print("\n".join(lines))
    print(f"best of {args.repeat}; load avg before {load_before}, after {load_after} ({os.cpu_count()} CPUs)")  # fmt: skip
    result = {"repeat": args.repeat, "load_avg_before": load_before, "load_avg_after": load_after}
    result["sizes"] = {str(k): v for k, v in rows.items()}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
