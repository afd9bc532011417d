"""User query text made safe: words and balanced "phrases", never search-engine syntax.

Every backend searches the user's text as plain words. FTS5 and Lucene operators (`AND`, `OR`,
`NOT`, `NEAR(`, `*`, `:`, `-`, parentheses, unbalanced quotes) are not operators here: they are
either words or separators. A multi-word query matches documents holding *every* word (and every
balanced double-quoted phrase); ranking is the backend's (BM25). Two kinds of words are left out
so that "every word" stays useful: operators typed in capitals (AND, OR, NOT, NEAR), and Lucene's
English stop words (what Elasticsearch's `english` analyzer drops), unless nothing would remain.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date

from radar.core.errors import RadarError

MAX_QUERY_CHARS = 1000
MAX_TERMS = 32
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"  # private-use markers, turned into <mark> after escaping

OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})
STOP_WORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then"
    " there these they this to was will with".split()
)
_WORD = re.compile(r"[^\W_]+")  # like FTS5's unicode61 tokenizer: letters and digits
_PHRASE = re.compile(r'"([^"]*)"')


@dataclass
class ParsedQuery:
    terms: list[str] = field(default_factory=list)  # lower-cased words
    phrases: list[list[str]] = field(default_factory=list)  # each a list of words, 2 or more

    @property
    def empty(self) -> bool:
        return not self.terms and not self.phrases

    @property
    def words(self) -> list[str]:
        """Every word, phrases included, once each (for highlighting)."""
        return list(dict.fromkeys([*self.terms, *(w for p in self.phrases for w in p)]))


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def parse(text: str | None) -> ParsedQuery:
    """Split user text into words and balanced quoted phrases; everything else is a separator."""
    text = (text or "")[:MAX_QUERY_CHARS]
    if text.count('"') % 2:  # an unbalanced quote quotes nothing
        text = text.replace('"', " ")
    parsed = ParsedQuery()
    for phrase in _PHRASE.findall(text):
        found = words(phrase)
        if len(found) > 1:
            parsed.phrases.append(found[:MAX_TERMS])
        else:
            parsed.terms.extend(found)
    parsed.terms.extend(
        w.lower() for w in _WORD.findall(_PHRASE.sub(" ", text)) if w not in OPERATORS
    )
    terms = list(dict.fromkeys(parsed.terms))
    parsed.terms = ([t for t in terms if t not in STOP_WORDS] or terms)[:MAX_TERMS]
    parsed.phrases = parsed.phrases[: max(0, MAX_TERMS - len(parsed.terms))]
    return parsed


def fts5_match(parsed: ParsedQuery) -> str:
    """An FTS5 MATCH expression: every word and phrase quoted, joined by implicit AND."""
    parts = [f'"{t}"' for t in parsed.terms] + ['"' + " ".join(p) + '"' for p in parsed.phrases]
    return " ".join(parts)


def parse_day(value: str | None, name: str = "date") -> str | None:
    """An ISO date or datetime reduced to YYYY-MM-DD; a readable error for anything else."""
    if value in (None, ""):
        return None
    assert value is not None
    try:
        return date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        raise RadarError(f"{name} '{value}' is not a date: use YYYY-MM-DD") from None


def mark(text: str) -> str:
    """HTML-escape text holding MARK_OPEN/MARK_CLOSE markers and turn them into <mark> tags."""
    return html.escape(text).replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")


def strip_markers(text: str) -> str:
    return text.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")


def snippet(body: str, highlight: list[str], size: int = 200) -> str:
    """A window of the body around the first highlighted word (prefix match), escaped and marked.

    Used where the engine gives no snippet (semantic hits, filter-only browsing).
    """
    stems = [w[: max(4, len(w) - 2)] for w in highlight if w]
    pattern = (
        re.compile(r"\b(" + "|".join(re.escape(s) for s in stems) + r")[^\W_]*", re.IGNORECASE)
        if stems
        else None
    )
    first = pattern.search(body) if pattern else None
    start = 0 if first is None else max(0, first.start() - size // 3)
    if start:
        start = body.rfind(" ", 0, start) + 1
    window = body[start : start + size]
    if start + size < len(body):
        window = window[: window.rfind(" ")] if " " in window[size // 2 :] else window
    marked = (
        pattern.sub(lambda m: MARK_OPEN + m.group(0) + MARK_CLOSE, window) if pattern else window
    )
    return ("…" if start else "") + mark(marked) + ("…" if start + len(window) < len(body) else "")
