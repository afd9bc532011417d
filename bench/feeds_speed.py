"""Feed parsing CPU time: the lxml fast path against feedparser, same documents.

Usage: .venv/bin/python bench/feeds_speed.py [--corpus PATH] [--repeat 5]
Times parse_feed per document (best of --repeat) on the synthetic RSS feeds that
bench/crawl_bench.py serves and on every corpus feed, with the fast path on and off.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import crawl_bench  # noqa: E402

from crawlers.feeds import _parse_feed  # noqa: E402
from crawlers.feeds_fast import fast_parse  # noqa: E402
from radar.core.errors import ExtractionError  # noqa: E402

URL = "https://example.test/feed"
HEADERS = {"content-type": "application/xml", "content-location": URL}


def synthetic(count: int = 50) -> list[bytes]:
    rng = random.Random(7)
    return [
        crawl_bench.feed(rng, f"acme-{i}", "acme")
        .replace("{{BASE_URL}}", "http://127.0.0.1:8000")
        .encode()
        for i in range(count)
    ]


def best_ms(body: bytes, fast: bool, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        with contextlib.suppress(ExtractionError):
            _parse_feed(body, URL, {}, fast=fast)
        times.append(time.process_time() - start)
    return min(times) * 1000


def report(label: str, docs: list[bytes], repeat: int) -> None:
    slow = sum(best_ms(d, False, repeat) for d in docs)
    fast = sum(best_ms(d, True, repeat) for d in docs)
    taken = sum(fast_parse(d, URL, HEADERS) is not None for d in docs)
    print(
        f"{label:<22} {len(docs):>4} docs  fast path {taken:>4} ({taken / len(docs):.0%})  "
        f"feedparser {slow / len(docs):7.2f} ms/doc  with fast path {fast / len(docs):7.2f} ms/doc"
        f"  ({slow / fast:.1f}x)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / ".." / "shared" / "corpus")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    docs = synthetic()
    print(f"synthetic RSS: {sum(map(len, docs)) // len(docs)} bytes/doc on average")
    report("synthetic (crawl bench)", docs, args.repeat)
    feeds_dir = args.corpus / "feeds"
    if feeds_dir.is_dir():
        spec = __import__("eval_feeds")
        corpus = [p.read_bytes() for p in spec.feed_files(feeds_dir)]
        report("corpus", corpus, args.repeat)
    else:
        print(f"corpus not found at {feeds_dir.resolve()}: skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
