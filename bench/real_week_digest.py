"""A real week's digest, from the real changelogs of ../shared/corpus/changelogs/markdown.

Usage: .venv/bin/python bench/real_week_digest.py [--corpus PATH] [--week 2025-W14] [--out DIR]

Every Markdown changelog is split into release entries with their changes (``crawlers.changelog``);
each product is a competitor. The ISO week in which the most products released is chosen (or
``--week``); its releases go into a fresh store, are enriched as `radar enrich` does (changes
typed, the entry's move type its most important change's; hash embedder, no model download) and
the digest is built from the store. Writes bench/results/real_week_digest.{md,html,json}: the
results folder is git-ignored, because the digest quotes the corpus, whose text must never be
committed. The JSON holds the checks (products named, lines, highlight lines in words). Exits 0
with a message when the corpus is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawlers.changelog import segment_markdown  # noqa: E402
from enrich.embed import HashEmbedder  # noqa: E402
from enrich.moves import MoveClassifier  # noqa: E402
from enrich.pipeline import Enricher  # noqa: E402
from radar.core.records import Item, item_id  # noqa: E402
from radar.digest import Digest, build_digest  # noqa: E402
from radar.digest_lines import in_words  # noqa: E402
from radar.digest_render import render_html, render_markdown  # noqa: E402
from radar.store import Store  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "changelogs" / "markdown"
SKIP_NAMES = {"MANIFEST.md", "README.md"}
MAX_LINES = 90


@dataclass
class Competitor:
    id: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass
class Config:
    competitors: list[Competitor]


def product_of(path: Path, corpus: Path) -> str:
    """The product a changelog belongs to: its folder (one folder per product)."""
    return path.relative_to(corpus).parts[0]


def releases(corpus: Path) -> list[Item]:
    """Every dated release entry of every changelog, as items of its product."""
    items: dict[str, Item] = {}
    for path in sorted(corpus.rglob("*")):
        if not path.is_file() or path.name in SKIP_NAMES:
            continue
        product = product_of(path, corpus)
        url = f"https://{product}.example/{path.name}"
        for entry in segment_markdown(path.read_text("utf-8", errors="replace"), url):
            if entry.date and entry.changes:
                item = _item(product, url, entry)
                items.setdefault(item.id, item)
    return list(items.values())


def _item(product: str, url: str, entry: Any) -> Item:
    item = Item(
        id=item_id(f"{product}-changelog", url, entry.anchor or entry.version or entry.title),
        source_id=f"{product}-changelog", kind="changelog_entry", title=entry.title,
        body=entry.body, url=entry.url or url, competitor=product, version=entry.version,
        published=entry.date[:10],
    )  # fmt: skip
    item.changes = list(entry.changes)
    return item


def busiest_week(items: list[Item]) -> str:
    """The ISO week in which the most products released (the latest of equals)."""
    products: dict[str, set[str]] = defaultdict(set)
    for item in items:
        iso = date.fromisoformat(item.published or "").isocalendar()
        products[f"{iso.year}-W{iso.week:02d}"].add(item.competitor or "")
    return max(products, key=lambda week: (len(products[week]), week))


def checks(d: Digest, markdown: str, released: set[str]) -> dict[str, Any]:
    """What the digest must show: every product that released named with a change in words, no
    highlight that is only a version or a date, at most MAX_LINES lines."""
    lines = [h.text for hs in d.highlights.values() for h in hs]
    return {
        "week": d.week,
        "released": sorted(released),
        "named_with_a_change": sorted(n for n in released if d.highlights.get(n)),
        "highlight_lines": len(lines),
        "not_in_words": [t for t in lines if not in_words(t)],
        "markdown_lines": len(markdown.splitlines()),
        "html_bytes": len(render_html(d).encode("utf-8")),
        "ok": bool(released)
        and all(d.highlights.get(n) for n in released)
        and all(in_words(t) for t in lines)
        and len(markdown.splitlines()) <= MAX_LINES,
    }


def real_week(corpus: Path, week: str | None, folder: Path) -> tuple[Digest, str, dict[str, Any]]:
    """Build the digest of one real week in a store under `folder`."""
    items = releases(corpus)
    week = week or busiest_week(items)
    store = Store(folder / "radar.db")
    store.upsert_items(i for i in items if _in_week(i, week))
    Enricher(store, HashEmbedder(), moves=MoveClassifier()).run()
    config = Config([Competitor(p, p) for p in sorted({i.competitor or "" for i in items})])
    d = build_digest(None, store, config, week)
    store.close()
    markdown = render_markdown(d)
    return d, markdown, checks(d, markdown, set(d.competitors))


def _in_week(item: Item, week: str) -> bool:
    iso = date.fromisoformat(item.published or "").isocalendar()
    return f"{iso.year}-W{iso.week:02d}" == week


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--week", default=None, help="ISO week such as 2025-W14")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"corpus absent: {args.corpus}; nothing to do")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        d, markdown, result = real_week(args.corpus, args.week, Path(tmp))
    (args.out / "real_week_digest.md").write_text(markdown, encoding="utf-8")
    (args.out / "real_week_digest.html").write_text(render_html(d), encoding="utf-8")
    (args.out / "real_week_digest.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "not_in_words"}, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
