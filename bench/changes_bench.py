"""Changes extracted per second on the changelog corpus, and the cost of typing them.

Usage: .venv/bin/python bench/changes_bench.py [--corpus PATH] [--repeat N] [--gate-step N]

Segments every corpus file (``crawlers.changelog.segment``: entries and their changes) and
reports entries and changes per second, the share of segmentation time spent extracting
changes (the same run with extraction switched off), and the time ``enrich.changes.type_changes``
adds per 1,000 entries (rules or the trained lexical head, no embedder; the embedded head adds
one embedding batch per entry's untyped changes), and, in the same run, the move rules over
every ``--gate-step``-th change with and without the literal gate (same answers, speed-up).
Writes bench/results/changes_bench.json.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import crawlers.changelog.segmenter as segmenter  # noqa: E402
from crawlers.changelog import segment  # noqa: E402
from enrich.change_model import default_model  # noqa: E402
from enrich.change_rules import clean_text  # noqa: E402
from enrich.changes import RULES_ONLY, type_changes  # noqa: E402
from enrich.moves import _RULES  # noqa: E402
from enrich.regex_gate import PatternSet  # noqa: E402

DEFAULT_CORPUS = ROOT / ".." / "shared" / "corpus" / "changelogs"


def _files(corpus: Path) -> list[bytes]:
    return [
        p.read_bytes()
        for p in sorted(corpus.rglob("*"))
        if p.is_file() and p.name not in ("MANIFEST.md", "README.md") and p.suffix != ".json"
    ]


def _segment_all(blobs: list[bytes]) -> tuple[float, list]:
    started = time.perf_counter()
    entries = [e for blob in blobs for e in segment(blob)]
    return time.perf_counter() - started, entries


def _gate_ratio(texts: list[str]) -> dict[str, float]:
    """The move rules over the same texts: one plain search per rule, then the literal gate
    (``enrich.regex_gate``) that skips the rules whose literals are absent."""
    plain = [re.compile(pattern, re.I) for _, _, pattern in _RULES]
    gated = PatternSet([pattern for _, _, pattern in _RULES], re.I)
    started = time.perf_counter()
    found = [[i for i, p in enumerate(plain) if p.search(text)] for text in texts]
    middle = time.perf_counter()
    same = found == [gated.matching(text) for text in texts]
    ended = time.perf_counter()
    return {
        "gate_texts": len(texts),
        "gate_same_answers": same,
        "rules_plain_texts_per_second": round(len(texts) / (middle - started)),
        "rules_gated_texts_per_second": round(len(texts) / (ended - middle)),
        "gate_speedup": round((middle - started) / (ended - middle), 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=2, help="best of N runs")
    parser.add_argument("--gate-step", type=int, default=10, help="every Nth change, gate ratio")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"corpus not found at {args.corpus}; nothing to measure")
        return 0
    blobs = _files(args.corpus)
    with_changes = min(_segment_all(blobs)[0] for _ in range(args.repeat))
    seconds, entries = _segment_all(blobs)
    original = segmenter.extract_changes
    segmenter.extract_changes = lambda blocks: []  # type: ignore[assignment]
    try:
        without = min(_segment_all(blobs)[0] for _ in range(args.repeat))
    finally:
        segmenter.extract_changes = original
    changes = sum(len(e.changes) for e in entries)
    result = {
        "files": len(blobs),
        "entries": len(entries),
        "changes": changes,
        "seconds": round(with_changes, 3),
        "changes_per_second": round(changes / with_changes),
        "extraction_share": round(max(0.0, with_changes - without) / with_changes, 3),
    }
    model = default_model()
    for name, chosen in (("rules", RULES_ONLY), ("model", model)):
        if chosen is None:
            continue
        started = time.perf_counter()
        for entry in entries:
            type_changes(entry.changes, model=chosen)
        spent = time.perf_counter() - started
        result[f"typing_{name}_ms_per_1000_entries"] = round(spent / len(entries) * 1e6)
        result[f"typing_{name}_changes_per_second"] = round(changes / spent)
    texts = [clean_text(c.text) for e in entries for c in e.changes][:: args.gate_step]
    result.update(_gate_ratio(texts))
    print(json.dumps(result, indent=2))
    out = ROOT / "bench" / "results" / "changes_bench.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
