"""A competitor's week in words: the highlight lines (a change with its release) and the line that
counts the rest. Breaking and security changes come first, then the most important; noise is never
a highlight, and a highlight is never only a version number or a date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from enrich.change_rules import clean_text

MAX_HIGHLIGHTS = 5
FIRST = ("deprecation", "security")  # breaking and security changes lead
TEXT_LIMIT = 220
# a move without typed changes ranks by its type, on the changes' 0-1 importance scale
TYPE_IMPORTANCE = {
    "deprecation": 0.95, "security": 0.95, "pricing": 0.9, "launch": 0.8, "integration": 0.75,
    "company": 0.7, "performance": 0.5, "improvement": 0.45, "fix": 0.3, "other": 0.1,
}  # fmt: skip
PLURALS = {
    "launch": ("new feature", "new features"),
    "improvement": ("improvement", "improvements"),
    "fix": ("fix", "fixes"),
    "performance": ("performance change", "performance changes"),
    "integration": ("integration", "integrations"),
    "deprecation": ("breaking change", "breaking changes"),
    "security": ("security fix", "security fixes"),
    "pricing": ("pricing change", "pricing changes"),
    "company": ("company update", "company updates"),
    "other": ("other change", "other changes"),
    "noise": ("chore", "chores"),
}
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATES_AND_VERSIONS = re.compile(
    rf"(?i)\b\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}\b|\b\d{{1,2}}[-/.]\d{{1,2}}[-/.]\d{{2,4}}\b"
    rf"|\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b|\b\d{{1,2}}\s+{_MONTH}\s+\d{{4}}\b"
    rf"|\b{_MONTH}\s+\d{{4}}\b|\bv?\d[\w.+-]*"
)
_FILLER = frozenset(
    "v version versions release released releases rel unreleased latest changelog change log"
    " notes note patch minor major update updates new on of the and in to at from build".split()
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Highlight:
    """One line of the digest: a change in words, with the release it shipped in and its link."""

    text: str
    move_type: str
    release: str  # the release's title (its version, date or name)
    url: str
    day: str | None
    importance: float


def in_words(text: str) -> bool:
    """Whether a line says something beyond a version number, a date or 'Unreleased'."""
    left = _DATES_AND_VERSIONS.sub(" ", text)
    words = re.findall(r"[^\W\d_]{2,}", left.casefold())
    return any(w not in _FILLER for w in words)


def _clip(text: str) -> str:
    """A change's words on one line, without links and PR references, cut to TEXT_LIMIT."""
    line = clean_text(" ".join(text.split())) or " ".join(text.split())
    if line.count("(") > line.count(")"):  # clean_text strips a closing parenthesis at the end
        line += ")"
    return line if len(line) <= TEXT_LIMIT else line[: TEXT_LIMIT - 1].rstrip() + "…"


def _move_text(move: Any) -> str | None:
    """What a move without changes says: its title when it is words, else its summary's or its
    body's first sentence."""
    if in_words(move.title):
        return str(move.title)
    for text in (getattr(move, "summary", None), getattr(move, "lead", None)):
        first = _SENTENCE.split((text or "").strip(), maxsplit=1)[0]
        if in_words(first):
            return first
    return None


def candidates(move: Any) -> list[Highlight]:
    """Every line a move could give: its typed changes that are not noise, or itself in words."""
    lines = [
        Highlight(_clip(c.text), c.move_type, move.title, move.url, move.day, c.importance)
        for c in move.changes
        if c.move_type and not c.noise and in_words(c.text)
    ]
    if lines or any(c.move_type for c in move.changes):
        return lines
    text = _move_text(move)
    weight = TYPE_IMPORTANCE.get(move.move_type, 0.1)
    return (
        [Highlight(_clip(text), move.move_type, move.title, move.url, move.day, weight)]
        if text
        else []
    )


def _rank(line: Highlight) -> tuple[int, float, str]:
    return (0 if line.move_type in FIRST else 1, -line.importance, line.day or "")


def highlights(moves: Sequence[Any], limit: int = MAX_HIGHLIGHTS) -> list[Highlight]:
    """The competitor's top lines of the week, one text once (a change listed in two releases)."""
    seen: set[str] = set()
    out: list[Highlight] = []
    lines = [h for m in moves for h in candidates(m)]
    if any(h.move_type != "other" for h in lines):  # "other" only when nothing else was said
        lines = [h for h in lines if h.move_type != "other"]
    for line in sorted(lines, key=_rank):
        key = line.text.casefold()
        if key not in seen:
            seen.add(key)
            out.append(line)
    return out[:limit]


def _rest_counts(moves: Sequence[Any], shown: list[Highlight]) -> tuple[dict[str, int], int]:
    """Move type (or 'noise') -> changes not highlighted; and how many releases they are in."""
    taken = {(h.url, h.text) for h in shown}
    counts: dict[str, int] = {}
    releases = 0
    for move in moves:
        left = [
            "noise" if c.noise or not c.move_type else c.move_type
            for c in move.changes
            if (move.url, _clip(c.text)) not in taken
        ]
        if not move.changes and not any(h.url == move.url for h in shown):
            left = [move.move_type]
        for kind in left:
            counts[kind] = counts.get(kind, 0) + 1
        releases += bool(left)
    return counts, releases


def rest_line(moves: Sequence[Any], shown: list[Highlight]) -> str | None:
    """'… and 14 more changes in 3 releases: 9 fixes, 3 improvements, 2 chores' (or None);
    '2 releases: 3 fixes' when no line was highlighted."""
    counts, releases = _rest_counts(moves, shown)
    total = sum(counts.values())
    if not total:
        return None
    order = sorted(counts, key=lambda k: (k == "noise", -counts[k], k))
    parts = ", ".join(f"{counts[k]:,} {PLURALS.get(k, (k, k))[counts[k] != 1]}" for k in order)
    where = f"{releases:,} release{'s' if releases != 1 else ''}"
    if not shown:  # nothing said in words: what the releases hold
        return f"{where}: {parts}"
    return f"… and {total:,} more change{'s' if total != 1 else ''} in {where}: {parts}"
