"""Move-type accuracy on real changelog entries from ../shared/corpus/changelogs.

Usage: .venv/bin/python bench/eval_moves_corpus.py [--corpus PATH] [--embed] [--cap N]

Each file is split into release entries with ``crawlers.changelog.segment``; each entry body is
cut at its category sub-heading lines (Security, Deprecated, Removed, Breaking changes, Fixed,
Bug fixes, Added, Features, New, Performance...). The heading gives the label and is removed;
every bullet line under it (continuation lines joined) is classified on its own, with the
bullet as the title and no body. Headings that name no move type (Changed, Chores,
Documentation, Maintenance...) close the current label; other sub-headings ("For Mac",
"Windows") keep it. At most ``--cap`` lines per file and label are used, so that one large
changelog does not decide the score. Writes bench/results/moves_corpus.json; no corpus text is
written anywhere. Exits 0 with a message when the corpus is absent.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawlers.changelog import segment  # noqa: E402
from enrich.base import MOVE_TYPES  # noqa: E402
from enrich.moves import MoveClassifier  # noqa: E402

DEFAULT_CORPUS = ROOT / ".." / "shared" / "corpus" / "changelogs"
SKIP_NAMES = {"MANIFEST.md", "README.md"}
LABELS = {
    "security": "security", "security fixes": "security", "security fix": "security",
    "security updates": "security", "security patches": "security",
    "deprecated": "deprecation", "deprecations": "deprecation", "removed": "deprecation",
    "removals": "deprecation", "breaking": "deprecation", "breaking changes": "deprecation",
    "breaking change": "deprecation", "⚠ breaking changes": "deprecation",
    "fixed": "fix", "fixes": "fix", "bug fixes": "fix", "bugfixes": "fix", "bug fix": "fix",
    "added": "launch", "features": "launch", "new features": "launch", "new": "launch",
    "feature": "launch", "new feature": "launch",
    "performance": "performance", "performance improvements": "performance",
}  # fmt: skip
UNLABELLED = {
    "changed", "changes", "chores", "chore", "documentation", "docs", "maintenance", "improvements",
    "improvement", "enhancements", "other", "others", "misc", "miscellaneous", "dependencies",
    "dependency updates", "refactors", "refactor", "build system", "patch changes", "minor changes",
    "major changes", "what's changed", "new contributors", "contributors", "upgrades", "known issues",
    "compatibility", "types", "tests", "ci", "internal", "updated dependencies", "styles", "reverts",
    "bug fixes and enhancements", "deprecated and removed", "highlights", "notes", "updates",
}  # fmt: skip
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_NOISE = [
    re.compile(r"\[([^\]]*)\]\([^)]*\)"),  # markdown links -> their text
    re.compile(r"\((?:#\d+|[0-9a-f]{7,40})\)|\b[0-9a-f]{7,40}\b|![0-9]+|#\d+"),  # PR/commit refs
    re.compile(r"\s{2,}"),
]


def heading_key(line: str) -> str:
    text = re.sub(r"^[#=\s]+|[\s:#=]+$", "", line)
    text = re.sub(r"[^\w\s'⚠-]", "", text).strip().lower()
    return re.sub(r"\s+", " ", text)


def clean(text: str) -> str:
    text = _BULLET.sub("", text)
    text = _NOISE[0].sub(r"\1", text)
    text = _NOISE[1].sub("", text)
    return _NOISE[2].sub(" ", text).strip(" -–—,.;")


def is_heading(line: str) -> bool:
    stripped = line.strip()
    return (
        bool(stripped)
        and not _BULLET.match(line)
        and len(stripped) <= 60
        and not stripped.endswith((".", ","))
    )


def labelled_lines(body: str) -> list[tuple[str, str]]:
    """(label, text) for every bullet line under a labelled category heading."""
    out: list[tuple[str, str]] = []
    label: str | None = None
    for line in body.splitlines():
        if not line.strip():
            continue
        if is_heading(line) and (key := heading_key(line)) and (key in LABELS or key in UNLABELLED):
            label = LABELS.get(key)
            continue
        if is_heading(line) and "contributor" in heading_key(line):
            label = None
            continue
        if label is None or is_heading(line):
            continue
        if _BULLET.match(line) or not out or out[-1][0] != label:
            out.append((label, clean(line)))
        else:  # a continuation line of the previous bullet
            out[-1] = (label, f"{out[-1][1]} {clean(line)}")
    return [(lab, text) for lab, text in out if _is_change(text)]


def _is_change(text: str) -> bool:
    """A described change: three words or more, not a patch-release line or a doc reference."""
    return len(text.split()) >= 3 and not _NOT_A_CHANGE.search(text)


_NOT_A_CHANGE = re.compile(r"\breleased \d{4}-\d{2}-\d{2}|^:doc:|^\W*$")


def corpus_files(corpus: Path) -> list[Path]:
    return sorted(
        p
        for p in corpus.rglob("*")
        if p.is_file() and p.name not in SKIP_NAMES and p.suffix != ".json"
    )


def collect(corpus: Path, cap: int) -> list[tuple[str, str, str]]:
    """(file, label, text) samples, at most ``cap`` per file and label, in file order."""
    samples: list[tuple[str, str, str]] = []
    for path in corpus_files(corpus):
        rel = str(path.relative_to(corpus))
        try:
            entries = segment(path.read_bytes())
        except Exception as exc:  # a bench must report, not stop
            print(f"  {rel}: segment failed: {exc}", file=sys.stderr)
            continue
        counts: Counter[str] = Counter()
        for entry in entries:
            for label, text in labelled_lines(entry.body):
                if counts[label] < cap:
                    counts[label] += 1
                    samples.append((rel, label, text))
    return samples


def score(samples: list[tuple[str, str, str]], predictions: list[str]) -> dict:
    per_label: dict[str, Counter[str]] = defaultdict(Counter)
    per_file: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (rel, label, _), pred in zip(samples, predictions, strict=True):
        per_label[label][pred] += 1
        per_file[rel][0] += pred == label
        per_file[rel][1] += 1
    labels = sorted(per_label)
    acc = {lab: per_label[lab][lab] / sum(per_label[lab].values()) for lab in labels}
    correct = sum(per_label[lab][lab] for lab in labels)
    return {
        "n": len(samples),
        "accuracy": round(correct / max(1, len(samples)), 4),
        "macro_accuracy": round(sum(acc.values()) / max(1, len(acc)), 4),
        "per_label": {
            lab: {
                "n": sum(per_label[lab].values()),
                "accuracy": round(acc[lab], 4),
                "predicted": dict(per_label[lab].most_common()),
            }
            for lab in labels
        },  # fmt: skip
        "per_file": {
            rel: {"n": n, "accuracy": round(c / n, 4)} for rel, (c, n) in sorted(per_file.items())
        },
    }


def print_report(name: str, result: dict) -> None:
    print(
        f"\n== {name}: accuracy {result['accuracy']:.3f} (macro over labels {result['macro_accuracy']:.3f}), n={result['n']}"
    )
    for lab, row in result["per_label"].items():
        top = ", ".join(f"{k} {v}" for k, v in list(row["predicted"].items())[:4])
        print(f"  {lab:<12} n={row['n']:<5} acc={row['accuracy']:.3f}   predicted: {top}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--embed", action="store_true", help="also run rules + embeddings (slower)")
    parser.add_argument("--cap", type=int, default=150, help="max lines per file and label")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results" / "moves_corpus.json"
    )
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"corpus not found at {args.corpus}; nothing to evaluate")
        return 0
    samples = collect(args.corpus, args.cap)
    if not samples:
        print("no labelled category sections found")
        return 0
    titles, bodies = [s[2] for s in samples], [""] * len(samples)
    results = {
        "corpus": str(args.corpus),
        "cap": args.cap,
        "labels": sorted({s[1] for s in samples}),
    }
    started = time.perf_counter()
    results["rules"] = score(samples, [m for m, _ in MoveClassifier().classify(titles, bodies)])
    results["rules_seconds"] = round(time.perf_counter() - started, 2)
    print_report("rules only", results["rules"])
    if args.embed:
        from enrich.embed import SentenceTransformerEmbedder

        started = time.perf_counter()
        moves = MoveClassifier(SentenceTransformerEmbedder())
        results["rules_embeddings"] = score(samples, [m for m, _ in moves.classify(titles, bodies)])
        results["rules_embeddings_seconds"] = round(time.perf_counter() - started, 2)
        print_report("rules + embeddings", results["rules_embeddings"])
    assert set(results["labels"]) <= set(MOVE_TYPES)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
