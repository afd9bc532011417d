"""Evaluate changelog segmentation on the real-world corpus in ``../shared/corpus/changelogs``.

For every file in the tables of ``MANIFEST.md`` this runs :func:`crawlers.changelog.segment` and
compares with the manifest:

* **expected** is the leading number of the "Release entries" column. For the two Mattermost
  files that is the number of ``## Release vX.Y`` headings; the patch releases listed as bold
  bullet lines (``- **10.12.4, released ...**``) are part of those entries' bodies, not entries
  of their own (they sit under a release heading and the manifest counts them separately).
* **found** is the number of entries returned; **diff %** is ``(found - expected) / expected``.
* **date accuracy**, ground truth: the manifest's per-file regex is applied line by line (fenced
  code skipped, except in the Mattermost files, as the manifest does) to find the lines that open
  a release; each line's version and date are read with a small parser *in this script*,
  independent of ``crawlers.dates`` (ISO, "Month D, YYYY", "D Month, YYYY", "Wed 02 Oct 2024",
  "M/D/YYYY"). When the heading carries no date, the next three non-blank lines are read if they
  are a release-date sentence or shortcode ("Released on ...", ``{{< release-date ... >}}``; not
  list items). For HTML the heading element's text is used. Each ground-truth release is matched
  to a found entry with the same version (in order), or by position for date-only headings;
  accuracy = ground-truth dates equal to the matched entry's date / ground-truth dates.
  ``dated`` is the number of found entries with any date; ``gtdate`` the number of
  ground-truth releases with a date; ``gt_found`` how many regex-counted releases have an entry
  of the same version (recall: an over-count with full recall means the segmenter returns
  releases the manifest's regex leaves out, e.g. pre-releases such as ``3.0.0rc5``).

Writes ``bench/results/changelogs.json``. Exits 0 with a message when the corpus is absent.
Usage: ``.venv/bin/python bench/eval_changelogs.py``
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawlers.changelog import ChangelogEntry, segment  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "changelogs"
RESULTS = ROOT / "bench" / "results" / "changelogs.json"
BASE_URL = "https://example.test/changelog"
COUNT_TOLERANCE = 0.02
DATE_TARGET = 0.98

_ROW = re.compile(r"^\|\s*`(?P<file>[^`]+)`\s*\|")
_SECTION = re.compile(r"^## (?P<name>\w+)/")
_RULE_REGEX = re.compile(r"(?:;\s*|regex\s+)`(?P<regex>[^`]+)`\s*$")
_VERSION = re.compile(r"(?<![\w.])v?(\d+(?:\.(?:\d+|x))+(?:-[0-9A-Za-z.]+|[a-z]+\d*)?)")
_STYLE = re.compile(r"<(style|script)\b.*?</\1>", re.S | re.I)
_TAGS = re.compile(r"<[^>]+>")
_GT_FORMATS = (
    (re.compile(r"\d{4}-\d{2}-\d{2}"), "%Y-%m-%d"),
    (re.compile(r"[A-Z][a-z]+ \d{1,2}, \d{4}"), "%B %d, %Y"),
    (re.compile(r"\d{1,2} [A-Z][a-z]+,? \d{4}"), "%d %B %Y"),
    (re.compile(r"\d{2} [A-Z][a-z]{2} \d{4}"), "%d %b %Y"),
    (re.compile(r"\d{1,2}/\d{1,2}/\d{4}"), "%m/%d/%Y"),
)
_DATE_SENTENCE = re.compile(r"releas|date=", re.I)


@dataclass
class Truth:
    version: str | None
    date: str | None


@dataclass
class Row:
    file: str
    expected: int
    found: int
    diff_pct: float
    dated: int
    truth_dates: int
    truth_found: str
    date_accuracy: float | None
    seconds: float
    ok: bool


def read_manifest(path: Path) -> list[tuple[str, int, str | None]]:
    """(relative path, expected count, counting regex or None) for every table row."""
    rows, section = [], ""
    for line in path.read_text(encoding="utf-8").splitlines():
        heading = _SECTION.match(line)
        if heading:
            section = heading["name"]
        row = _ROW.match(line)
        if not row or not section:
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        count = int(re.match(r"\d+", cells[2]).group())  # type: ignore[union-attr]
        rule = _RULE_REGEX.search(cells[3])
        rows.append((f"{section}/{row['file']}", count, rule["regex"] if rule else None))
    return rows


def _strptime(text: str, fmt: str) -> str:
    text, fmt = text.replace(",", ""), fmt.replace(",", "")
    try:
        return dt.datetime.strptime(text, fmt).date().isoformat()
    except ValueError:  # abbreviated month names ("Apr 30, 2015", "Sept 3, 2014")
        text = re.sub(r"\b(Sep)t\b", r"\1", text)
        return dt.datetime.strptime(text, fmt.replace("%B", "%b")).date().isoformat()


def gt_date(text: str) -> str | None:
    for pattern, fmt in _GT_FORMATS:
        for match in pattern.finditer(text):
            try:
                return _strptime(match.group(), fmt)
            except ValueError:
                continue
    return None


def _heading_text(line: str, start: int, html: bool) -> str:
    if not html:
        return line
    end = re.search(r"</h\d>", line[start:])
    element = line[start : start + end.end()] if end else line[start:]
    return _TAGS.sub("", _STYLE.sub("", element))


def _following_date(lines: list[str], index: int) -> str | None:
    following = [line for line in lines[index + 1 : index + 12] if line.strip()][:3]
    for line in following:
        if not line.lstrip().startswith(("-", "*")) and _DATE_SENTENCE.search(line):
            return gt_date(line)
    return None


def ground_truth(path: Path, regex: str) -> list[Truth]:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    skip_fences = "mattermost" not in str(path)
    pattern, in_fence, truths = re.compile(regex), False, []
    for index, line in enumerate(lines):
        if skip_fences and line.lstrip().startswith("```"):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        matches = pattern.finditer(line) if path.suffix == ".html" else [pattern.search(line)]
        for match in filter(None, matches):
            text = _heading_text(line, match.start(), path.suffix == ".html")
            version = _VERSION.search(text)
            date = gt_date(text) or _following_date(lines, index)
            truths.append(Truth(version.group(1) if version else None, date))
    return truths


def date_accuracy(truths: list[Truth], entries: list[ChangelogEntry]) -> tuple[int, float | None]:
    by_version: dict[str | None, list[ChangelogEntry]] = defaultdict(list)
    for entry in entries:
        by_version[entry.version].append(entry)
    dated = [t for t in truths if t.date]
    right = 0
    for truth in dated:
        candidates = by_version.get(truth.version) or []
        if candidates and candidates.pop(0).date == truth.date:
            right += 1
    return len(dated), (right / len(dated) if dated else None)


def truths_found(truths: list[Truth], entries: list[ChangelogEntry]) -> str:
    """How many regex-counted releases have an entry with the same version ("-": no regex)."""
    if not truths:
        return "-"
    versions = Counter(entry.version for entry in entries)
    hits = 0
    for truth in truths:
        if versions[truth.version] > 0:
            versions[truth.version] -= 1
            hits += 1
    return f"{hits}/{len(truths)}"


def evaluate(relative: str, expected: int, regex: str | None) -> Row:
    path = CORPUS / relative
    started = time.perf_counter()
    entries = segment(path.read_bytes(), BASE_URL)
    seconds = time.perf_counter() - started
    truths = ground_truth(path, regex) if regex else []
    truth_dates, accuracy = date_accuracy(truths, entries)
    diff = (len(entries) - expected) / expected
    ok = abs(diff) <= COUNT_TOLERANCE and (accuracy is None or accuracy >= DATE_TARGET)
    dated = sum(1 for e in entries if e.date)
    return Row(
        relative,
        expected,
        len(entries),
        diff * 100,
        dated,
        truth_dates,
        truths_found(truths, entries),
        accuracy,
        seconds,
        ok,
    )


def _print(rows: list[Row]) -> None:
    print(
        f"{'file':52} {'expect':>6} {'found':>6} {'diff%':>7} {'dated':>6} {'gtdate':>6} {'gt_found':>9} {'date_acc':>8} {'sec':>5}  ok"
    )
    for r in rows:
        acc = "-" if r.date_accuracy is None else f"{r.date_accuracy:.1%}"
        print(
            f"{r.file:52} {r.expected:6d} {r.found:6d} {r.diff_pct:7.1f} {r.dated:6d} "
            f"{r.truth_dates:6d} {r.truth_found:>9} {acc:>8} {r.seconds:5.2f}  {'yes' if r.ok else 'NO'}"
        )


def main() -> int:
    manifest = CORPUS / "MANIFEST.md"
    if not manifest.exists():
        print(f"corpus not found at {CORPUS}; nothing to evaluate")
        return 0
    rows = [evaluate(*item) for item in read_manifest(manifest)]
    _print(rows)
    expected, found = sum(r.expected for r in rows), sum(r.found for r in rows)
    gt = sum(r.truth_dates for r in rows)
    right = sum(round((r.date_accuracy or 0) * r.truth_dates) for r in rows)
    within = sum(1 for r in rows if abs(r.diff_pct) <= COUNT_TOLERANCE * 100)
    print(
        f"\nTOTAL expected {expected}, found {found}; files within 2% of count: {within}/{len(rows)}; "
        f"dates right {right}/{gt} ({right / gt:.1%}); files meeting both targets: "
        f"{sum(r.ok for r in rows)}/{len(rows)}"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps([asdict(r) for r in rows], indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
