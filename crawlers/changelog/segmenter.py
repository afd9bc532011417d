"""Blocks to release entries: pick the level that opens releases, cut the document there.

The heuristic: every heading level (h1..h6) and every kind of heading-like line (bold
paragraph, bold bullet, plain "v1.2.3 - date" line) is a candidate level. Each level scores the
candidates that look like a release (a version or a date near the start, see
:func:`~crawlers.changelog.headings.analyse`). Real headings win over heading-like lines; the best
level opens the entries, and shallower heading levels that are mostly releases join it (minor
releases as h1 above patch releases as h2). Candidates of the chosen level that do not look like
a release (a category such as "Fixed" at the same level) are folded into the current entry;
"Unreleased" sections are dropped. With no such level the document is one release.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from crawlers.changelog.changes import extract_changes
from crawlers.changelog.headings import HeadingInfo, analyse, clean_title, find_version
from crawlers.changelog.model import Block, ChangelogEntry
from crawlers.dates import find_date, parse_date

__all__ = ["segment_blocks"]

_PSEUDO_KINDS = ("bold", "bullet", "line", "nested")
_MIN_RELEASES = 2
_EXTRA_LEVEL_SHARE = 0.5
_CATEGORY_WORDS = 5
_BODY_DATE_LINES = 3
_BODY_DATE_MAX_CHARS = 100
_PROSE_DATE_LINES = 40
_SHORTCODE_ONLY = re.compile(r"^\s*(?:\{\{[<%].*?[%>]\}\}\s*)+$|^\s*\([\w.-]+\)=\s*$")
_RELEASE_DATE_HINT = re.compile(r"releas|\bdate\b|\bpublished\b|\bshipped\b", re.I)
_FILENAME_VERSION = re.compile(r"v?(\d+(?:[._]\d+)+(?:-?[A-Za-z]+\d*)?)(?=\.[A-Za-z]+$|$)")
_META_DATE_KEYS = ("date", "released", "release_date", "published", "pubdate")
_META_VERSION_KEYS = ("version", "release")


@dataclass
class _Draft:
    head: Block
    info: HeadingInfo
    blocks: list[Block] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return [line for block in self.blocks for line in block.lines]


def _heading_level(kind: str) -> int:
    return int(kind[1]) if kind[0] == "h" and kind[1:].isdigit() else 7


def _level_stats(
    blocks: list[Block], infos: dict[int, HeadingInfo]
) -> tuple[Counter, Counter, Counter]:
    """Per candidate kind: release-like candidates, all candidates, category-like ones."""
    releases: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    for index, info in infos.items():
        kind = blocks[index].kind
        totals[kind] += 1
        releases[kind] += info.release_like
        categories[kind] += _is_category(blocks[index].title)
    return releases, totals, categories


def _is_category(title: str) -> bool:
    """A short heading without a digit: "Features", "🐛 Bug Fixes" (not a release)."""
    return len(title.split()) <= _CATEGORY_WORDS and not any(c.isdigit() for c in title)


def _joins(kind: str, releases: Counter, totals: Counter, categories: Counter) -> bool:
    """A shallower heading level opens releases too when most of its headings are releases,
    not counting category headings when it has two releases or more (``## 🚀 New Features``
    at the level of ``## [1.2.0] - (2023-06-04)``)."""
    if releases[kind] / totals[kind] >= _EXTRA_LEVEL_SHARE:
        return True
    others = totals[kind] - categories[kind]
    return releases[kind] >= _MIN_RELEASES and releases[kind] / max(1, others) >= _EXTRA_LEVEL_SHARE


def _best(kinds: Iterable[str], releases: Counter, minimum: int) -> str | None:
    ranked = [(releases[k], -_heading_level(k), k) for k in kinds if releases[k] >= minimum]
    return max(ranked)[2] if ranked else None


def _release_kinds(blocks: list[Block], infos: dict[int, HeadingInfo], titled: bool) -> set[str]:
    """The candidate kinds that open releases (empty: the document is one release)."""
    releases, totals, categories = _level_stats(blocks, infos)
    if totals["forced"]:
        return {"forced"}
    headings = [k for k in totals if k.startswith("h")]
    best = _best(headings, releases, _MIN_RELEASES) or _best(_PSEUDO_KINDS, releases, _MIN_RELEASES)
    if best is None and not titled:
        best = _best(headings, releases, 1)
    if best is None:
        return set()
    chosen = {best}
    if best in headings:
        level = _heading_level(best)
        chosen |= {
            k
            for k in headings
            if _heading_level(k) < level and _joins(k, releases, totals, categories)
        }
    return chosen


def _date_from_body(lines: list[str]) -> str | None:
    for line in [line for line in lines if line.strip()][:_BODY_DATE_LINES]:
        if len(line) <= _BODY_DATE_MAX_CHARS or _RELEASE_DATE_HINT.search(line):
            date = find_date(line)
            if date:
                return date
    return None


def _clean_body(lines: list[str]) -> str:
    kept = [line.rstrip() for line in lines if line.strip() and not _SHORTCODE_ONLY.match(line)]
    margin = min((len(line) - len(line.lstrip(" ")) for line in kept), default=0)
    return "\n".join(line[margin:] for line in kept)


def _entry(
    title: str,
    version: str | None,
    date: str | None,
    lines: list[str],
    url: str,
    anchor: str | None,
) -> ChangelogEntry:
    link = f"{url}#{anchor}" if anchor else url
    return ChangelogEntry(title, version, date, _clean_body(lines), link, anchor)


def _finish(draft: _Draft, url: str) -> ChangelogEntry:
    head, info = draft.head, draft.info
    lines = draft.lines
    date = info.date or _date_from_body(lines)
    entry = _entry(head.title, info.version, date, lines, url, head.anchor)
    entry.changes = extract_changes(draft.blocks)
    return entry


def _series_title(
    blocks: list[Block], infos: dict[int, HeadingInfo], kinds: set[str]
) -> int | None:
    """The first release heading when it is a page title carrying only the minor version of
    the deeper patch releases below it (``# 4.2`` above ``## 4.2.3 - 2024-03-02``)."""
    opening = [
        i
        for i, info in infos.items()
        if blocks[i].kind in kinds and info.release_like and not info.unreleased
    ]
    if len(opening) < _MIN_RELEASES:
        return None
    first, second = sorted(opening)[:2]
    head, after = infos[first], infos[second]
    minor = (head.version or "").removesuffix(".x")
    if head.date or minor.count(".") != 1 or not (after.version or "").startswith(minor + "."):
        return None
    deeper = _heading_level(blocks[second].kind) > _heading_level(blocks[first].kind)
    return first if deeper else None


def _cut(
    blocks: list[Block], infos: dict[int, HeadingInfo], kinds: set[str], url: str
) -> list[ChangelogEntry]:
    entries: list[ChangelogEntry] = []
    draft: _Draft | None = None
    title = _series_title(blocks, infos, kinds)
    for index, block in enumerate(blocks):
        info = infos.get(index)
        opens = info is not None and block.kind in kinds and index != title
        if opens and info and (info.release_like or block.kind == "forced") and not info.unreleased:
            if draft:
                entries.append(_finish(draft, url))
            draft = _Draft(block, info)
        elif opens and info and info.unreleased:
            if draft:
                entries.append(_finish(draft, url))
            draft = None
        elif draft:
            draft.blocks.append(block)
    if draft:
        entries.append(_finish(draft, url))
    return entries


def _filename_version(url: str) -> str | None:
    name = url.split("?")[0].split("#")[0].rstrip("/").rsplit("/", 1)[-1]
    match = _FILENAME_VERSION.search(name)
    return match.group(1).replace("_", ".") if match else None


def _single(blocks: list[Block], url: str, meta: dict[str, str]) -> list[ChangelogEntry]:
    """The whole document as one release: title, version and date from wherever they are."""
    top = next((b for b in blocks if b.kind == "h1" and b.title), None)
    lines = [line for b in blocks if b is not top for line in b.lines]
    title = clean_title(meta.get("title", "")) or (top.title if top else "")
    if not title and not lines:
        return []
    version = (
        find_version(title)
        or next((find_version(meta[k]) for k in _META_VERSION_KEYS if meta.get(k)), None)
        or _filename_version(url)
        or find_version(" ".join(lines[:2]))
    )
    date = next((parse_date(meta[k]) for k in _META_DATE_KEYS if meta.get(k)), None)
    date = date or find_date(title) or _prose_date(lines)
    title = title or (f"v{version}" if version else lines[0] if lines else "")
    entry = _entry(title, version, date, lines, url, None)
    entry.changes = extract_changes(b for b in blocks if b is not top)
    return [entry]


def _prose_date(lines: list[str]) -> str | None:
    for line in lines[:_PROSE_DATE_LINES]:
        if _RELEASE_DATE_HINT.search(line):
            date = find_date(line)
            if date:
                return date
    return None


def segment_blocks(
    blocks: list[Block], url: str = "", meta: dict[str, str] | None = None
) -> list[ChangelogEntry]:
    """Cut a document's blocks into release entries (see the module docstring)."""
    meta = meta or {}
    infos = {i: analyse(b.title) for i, b in enumerate(blocks) if b.is_candidate and b.title}
    tops = [i for i in infos if blocks[i].kind == "h1"]
    titled = bool(meta.get("title")) or any(infos[i].version for i in tops)
    kinds = _release_kinds(blocks, infos, titled)
    if not kinds:
        if any(info.unreleased for info in infos.values()):
            return []  # a changelog whose only section is "Unreleased"
        return _single(blocks, url, meta)
    return _cut(blocks, infos, kinds, url)
