"""Markdown/plain-text changelog segmentation speed: ms per file, fast path against markdown-it.

Times :func:`crawlers.changelog.segment_markdown` on every Markdown/plain-text file of
``../shared/corpus/changelogs/markdown`` and on the synthetic changelogs that
``bench/crawl_bench.py`` serves, once as shipped (fast parser where it applies) and once with
the Markdown reader forced through markdown-it (``markdown_blocks_slow``, the reference), the
two interleaved so that machine load hits both alike. CPU time, best of ``--repeat`` per file.
Usage: ``.venv/bin/python bench/changelog_speed.py [--repeat 5] [--synthetic 50] [--quiet]``
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from crawl_bench import changelog  # noqa: E402

from crawlers.changelog import api, segment_markdown  # noqa: E402
from crawlers.changelog.markdown import markdown_blocks_fast, markdown_blocks_slow  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "changelogs" / "markdown"


def _slow(text: str) -> object:
    with mock.patch.object(api, "markdown_blocks", markdown_blocks_slow):
        return segment_markdown(text)


def best_ms(funcs: list[Callable[[str], object]], text: str, repeat: int) -> list[float]:
    best = [float("inf")] * len(funcs)
    for _ in range(repeat):
        for i, func in enumerate(funcs):
            started = time.process_time()
            func(text)
            best[i] = min(best[i], time.process_time() - started)
    return [b * 1000 for b in best]


def _summary(label: str, rows: list[list[float]]) -> str:
    slow, fast = [r[0] for r in rows], [r[1] for r in rows]
    return (
        f"{label}: markdown-it median {statistics.median(slow):.2f} ms, "
        f"fast median {statistics.median(fast):.2f} ms "
        f"(total {sum(slow):.1f} -> {sum(fast):.1f} ms, {sum(slow) / sum(fast):.1f}x)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--synthetic", type=int, default=50)
    parser.add_argument("--quiet", action="store_true", help="summary lines only")
    args = parser.parse_args(argv)
    funcs: list[Callable[[str], object]] = [_slow, segment_markdown]

    rng = random.Random(7)
    synthetic = [changelog(rng, "acme") for _ in range(args.synthetic)]
    rows = [best_ms(funcs, text, args.repeat) for text in synthetic]
    size = statistics.mean(len(t) for t in synthetic) / 1024
    print(_summary(f"synthetic crawl-bench pages ({len(rows)}, mean {size:.1f} KB)", rows))

    files = sorted(p for p in CORPUS.rglob("*") if p.is_file()) if CORPUS.exists() else []
    rows = []
    for path in files:
        text = path.read_text("utf-8", errors="replace")
        rows.append(best_ms(funcs, text, args.repeat))
        if not args.quiet:
            taken = "fast" if markdown_blocks_fast(text) is not None else "markdown-it"
            print(
                f"  {str(path.relative_to(CORPUS)):45} {len(text) / 1024:7.1f} KB  "
                f"markdown-it {rows[-1][0]:8.2f} ms  shipped {rows[-1][1]:8.2f} ms  ({taken})"
            )
    if rows:
        print(_summary(f"corpus ({len(rows)} files)", rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
