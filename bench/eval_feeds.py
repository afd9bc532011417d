"""Run parse_feed over every document in ../shared/corpus/feeds and compare with expected output.

Usage: .venv/bin/python bench/eval_feeds.py [--corpus PATH]
Prints a summary and writes bench/results/feeds.json. Exits 0 with a message when the corpus is
absent. Expected output comes from the source repositories' own tests: rss-parser/expected/*.json
(`feed.items`) and feed-rs/expected/*.serde.json (`entries`); we compare entry counts and the
first entry's title (HTML stripped, whitespace collapsed on both sides).
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawlers.feeds import collapse, html_to_text, parse_feed  # noqa: E402
from radar.core.errors import ExtractionError  # noqa: E402

DEFAULT_CORPUS = ROOT / ".." / "shared" / "corpus"
FEED_URL = "https://example.test/feed"
SKIP_NAMES = {"MANIFEST.md", "README.md"}


def feed_files(feeds_dir: Path) -> list[Path]:
    """Every feed document: all files except expected-output folders and manifests."""
    return sorted(
        p
        for p in feeds_dir.rglob("*")
        if p.is_file() and "expected" not in p.relative_to(feeds_dir).parts[:-1]
        if p.name not in SKIP_NAMES
    )


def _read_json(path: Path) -> Any:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return json.loads(text)


def expectations(feeds_dir: Path) -> dict[str, tuple[int, str | None]]:
    """Relative feed path -> (expected entry count, expected first title)."""
    found: dict[str, tuple[int, str | None]] = {}
    for exp in sorted(feeds_dir.glob("*/expected/*.json")):
        stem = exp.name.removesuffix(".json").removesuffix(".serde")
        data = _read_json(exp)
        items = data.get("feed", {}).get("items") if "feed" in data else data.get("entries")
        if not isinstance(items, list):
            continue
        title = items[0].get("title") if items else None
        if isinstance(title, dict):  # feed-rs: {"content": ...}
            title = title.get("content")
        for doc in exp.parent.parent.glob(f"{stem}.*"):
            if doc.is_file() and doc.name.removesuffix(doc.suffix) == stem:
                found[str(doc.relative_to(feeds_dir))] = (len(items), title)
    return found


def _norm(title: str | None) -> str:
    return collapse(html_to_text(title or "")) if title else ""


def evaluate(corpus: Path) -> dict[str, Any]:
    feeds_dir = corpus / "feeds"
    expected = expectations(feeds_dir)
    result: dict[str, Any] = {
        "files": 0,
        "with_entries": 0,
        "entries": 0,
        "empty": [],
        "errors": [],
        "crashes": [],
        "warnings": [],
        "expected": {"compared": 0, "count_match": 0, "title_match": 0, "mismatches": []},
    }
    for path in feed_files(feeds_dir):
        name = str(path.relative_to(feeds_dir))
        result["files"] += 1
        try:
            feed = parse_feed(path.read_bytes(), FEED_URL)
        except ExtractionError as exc:
            result["errors"].append({"file": name, "reason": str(exc)})
            _compare(result["expected"], name, expected.get(name), None, None)
            continue
        except Exception as exc:  # a crash is a bug: report it, keep going
            result["crashes"].append({"file": name, "error": repr(exc)})
            traceback.print_exc()
            continue
        result["entries"] += len(feed.entries)
        if feed.entries:
            result["with_entries"] += 1
        else:
            result["empty"].append(name)
        if feed.warning:
            result["warnings"].append({"file": name, "warning": feed.warning})
        first = feed.entries[0].title if feed.entries else None
        _compare(result["expected"], name, expected.get(name), len(feed.entries), first)
    return result


def _compare(
    summary: dict[str, Any],
    name: str,
    want: tuple[int, str | None] | None,
    count: int | None,
    first: str | None,
) -> None:
    if want is None:
        return
    summary["compared"] += 1
    want_count, want_title = want
    count_ok = count == want_count
    title_ok = _norm(want_title) == _norm(first)
    summary["count_match"] += count_ok
    summary["title_match"] += title_ok
    if not (count_ok and title_ok):
        summary["mismatches"].append(
            {
                "file": name,
                "expected_count": want_count,
                "count": count,
                "expected_title": want_title,
                "title": first,
            }
        )


def report(result: dict[str, Any]) -> str:
    exp = result["expected"]
    lines = [
        f"feed documents:        {result['files']}",
        f"  yielding entries:    {result['with_entries']} ({result['entries']} entries)",
        f"  well-formed, empty:  {len(result['empty'])}",
        f"  ExtractionError:     {len(result['errors'])}",
        f"  crashes:             {len(result['crashes'])}",
        f"  with a warning:      {len(result['warnings'])}",
        f"expected outputs compared: {exp['compared']}: counts match {exp['count_match']}, "
        f"first titles match {exp['title_match']}",
    ]
    lines += [f"  error  {e['file']}: {e['reason']}" for e in result["errors"]]
    lines += [f"  CRASH  {c['file']}: {c['error']}" for c in result["crashes"]]
    lines += [f"  warn   {w['file']}: {w['warning']}" for w in result["warnings"]]
    lines += [
        f"  differs {m['file']}: count {m['count']} (expected {m['expected_count']}), "
        f"title {m['title']!r} (expected {m['expected_title']!r})"
        for m in exp["mismatches"]
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args(argv)
    if not (args.corpus / "feeds").is_dir():
        print(f"corpus not found at {args.corpus.resolve()}/feeds: nothing to evaluate")
        return 0
    result = evaluate(args.corpus)
    print(report(result))
    out = ROOT / "bench" / "results" / "feeds.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(f"written {out.relative_to(ROOT)}")
    return 1 if result["crashes"] else 0


if __name__ == "__main__":
    sys.exit(main())
