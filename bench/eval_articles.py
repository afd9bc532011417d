"""Score extract_article on ../shared/corpus/articles/trafilatura-eval.

Usage: .venv/bin/python bench/eval_articles.py [--corpus PATH]
evaldata.json maps a page URL to {"file", "with": [...], "without": [...]}: "with" snippets must
appear in the extracted text, "without" snippets (boilerplate) must not. Only pages present in
pages/ are scored. Prints the shares and writes bench/results/articles.json; exits 0 with a
message when the corpus is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawlers.articles import EXTRACT_OPTIONS, extract_article  # noqa: E402
from radar.core.errors import ExtractionError  # noqa: E402

DEFAULT_CORPUS = ROOT / ".." / "shared" / "corpus"


def evaluate(corpus: Path) -> dict[str, Any]:
    base = corpus / "articles" / "trafilatura-eval"
    evaldata = json.loads((base / "evaldata.json").read_text("utf-8"))
    cases = [
        (url, case) for url, case in evaldata.items() if (base / "pages" / case["file"]).is_file()
    ]
    with_found = with_total = without_absent = without_total = 0
    pages: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []
    started = time.perf_counter()
    for url, case in cases:
        try:
            text = extract_article((base / "pages" / case["file"]).read_bytes(), url).text
        except ExtractionError as exc:
            errors.append({"file": case["file"], "reason": str(exc)})
            text = ""
        missing = [s for s in case["with"] if s not in text]
        leaked = [s for s in case["without"] if s in text]
        with_found += len(case["with"]) - len(missing)
        with_total += len(case["with"])
        without_absent += len(case["without"]) - len(leaked)
        without_total += len(case["without"])
        if missing or leaked:
            pages.append({"file": case["file"], "missing": missing, "leaked": leaked})
    with_share = with_found / with_total if with_total else 0.0
    without_share = without_absent / without_total if without_total else 0.0
    f1 = 2 * with_share * without_share / (with_share + without_share) if with_share else 0.0
    return {
        "pages": len(cases),
        "options": EXTRACT_OPTIONS,
        "with_found": with_found,
        "with_total": with_total,
        "with_share": round(with_share, 4),
        "without_absent": without_absent,
        "without_total": without_total,
        "without_share": round(without_share, 4),
        "harmonic_mean": round(f1, 4),
        "seconds": round(time.perf_counter() - started, 1),
        "errors": errors,
        "imperfect_pages": pages,
    }


def report(result: dict[str, Any]) -> str:
    lines = [
        f"pages scored:            {result['pages']} ({result['seconds']} s)",
        f"'with' snippets found:   {result['with_found']}/{result['with_total']} "
        f"= {result['with_share']:.3f}",
        f"'without' absent:        {result['without_absent']}/{result['without_total']} "
        f"= {result['without_share']:.3f}",
        f"harmonic mean:           {result['harmonic_mean']:.3f}",
        f"ExtractionError pages:   {len(result['errors'])}",
    ]
    lines += [f"  error  {e['file']}: {e['reason']}" for e in result["errors"]]
    lines += [
        f"  {p['file']}: {len(p['missing'])} missing, {len(p['leaked'])} leaked"
        for p in result["imperfect_pages"]
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args(argv)
    if not (args.corpus / "articles" / "trafilatura-eval" / "evaldata.json").is_file():
        print(f"corpus not found at {args.corpus.resolve()}/articles: nothing to evaluate")
        return 0
    result = evaluate(args.corpus)
    print(report(result))
    out = ROOT / "bench" / "results" / "articles.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(f"written {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
