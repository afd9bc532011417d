"""User query text made safe: words and balanced "phrases", never search-engine syntax.

Every backend searches the user's text as plain words. FTS5 and Lucene operators (`AND`, `OR`,
`NOT`, `NEAR(`, `*`, `:`, `-`, parentheses, unbalanced quotes) are not operators here: they are
either words or separators.

The rule, the same in every backend: a document matches when it holds *any* word of the query
(BM25, as Elasticsearch's `match` does), ranked in `minimum_should_match` tiers: documents holding
every word first, then those holding all but one, and so on; BM25 orders each tier. (Tiers by
count beat a single every-word tier on bench/eval_search.py: no query group lost in hybrid
search.) A balanced "quoted phrase" is
exact and required. A word joined by `_ . - /` (`max_network_retries`, `CVE-2024-31449`,
`sign-in`) is a *compound*: one word of the query, matched as a phrase of its parts. Two kinds of
words are left out so that ranking stays useful: operators typed in capitals (AND, OR, NOT, NEAR),
and Lucene's English stop words (what Elasticsearch's `english` analyzer drops), unless nothing
would remain.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date

from radar.core.errors import RadarError

MAX_QUERY_CHARS = 1000
MAX_TERMS = 32
# Added to the BM25 score per tier, so a document holding every word outscores one holding some
# (BM25 of a short query stays far below it); both backends report scores on this scale.
TIER_BONUS = 1000.0
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"  # private-use markers, turned into <mark> after escaping

OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})
STOP_WORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then"
    " there these they this to was will with".split()
)
_WORD = re.compile(r"[^\W_]+")  # like FTS5's unicode61 tokenizer: letters and digits
_PHRASE = re.compile(r'"([^"]*)"')
_COMPOUND = re.compile(r"[^\W_]+(?:[_./-]+[^\W_]+)+")  # words joined by _ . - /


@dataclass(frozen=True)
class Phrase:
    """Words that must appear next to each other, in order."""

    text: str  # as typed: an engine with its own analyzer tokenises it the way it indexed
    words: tuple[str, ...]  # lower-cased letters and digits, as FTS5's unicode61 splits them


@dataclass
class ParsedQuery:
    terms: list[str] = field(default_factory=list)  # lower-cased words; any one may match
    compounds: list[Phrase] = field(default_factory=list)  # words of the query matched as phrases
    phrases: list[Phrase] = field(default_factory=list)  # "quoted": required and exact

    @property
    def empty(self) -> bool:
        return not self.terms and not self.compounds and not self.phrases

    @property
    def words(self) -> list[str]:
        """Every word, phrases included, once each (for highlighting)."""
        phrased = (w for p in [*self.compounds, *self.phrases] for w in p.words)
        return list(dict.fromkeys([*self.terms, *phrased]))

    @property
    def optional(self) -> int:
        """How many parts a document may or may not hold: words and compounds."""
        return len(self.terms) + len(self.compounds)


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _phrase(text: str) -> Phrase:
    return Phrase(text.strip(), tuple(words(text)[:MAX_TERMS]))


def parse(text: str | None) -> ParsedQuery:
    """Split user text into words, compounds and balanced quoted phrases; the rest separates."""
    text = (text or "")[:MAX_QUERY_CHARS]
    if text.count('"') % 2:  # an unbalanced quote quotes nothing
        text = text.replace('"', " ")
    parsed = ParsedQuery()
    phrases = [_phrase(p) for p in _PHRASE.findall(text) if words(p)]
    rest = _PHRASE.sub(" ", text)
    compounds = [_phrase(c) for c in _COMPOUND.findall(rest)]
    terms = [w.lower() for w in _WORD.findall(_COMPOUND.sub(" ", rest)) if w not in OPERATORS]
    terms = list(dict.fromkeys(terms))
    parsed.terms = ([t for t in terms if t not in STOP_WORDS] or terms)[:MAX_TERMS]
    room = MAX_TERMS - len(parsed.terms)
    parsed.compounds = list(dict.fromkeys(compounds))[: max(0, room)]
    parsed.phrases = list(dict.fromkeys(phrases))[: max(0, room - len(parsed.compounds))]
    return parsed


def _fts5(words_: list[str] | tuple[str, ...]) -> str:
    return '"' + " ".join(words_) + '"'


def fts5_optional(parsed: ParsedQuery) -> list[str]:
    """Each word and compound as an FTS5 string (quoted: never an operator); one tier each."""
    return [_fts5([t]) for t in parsed.terms] + [_fts5(c.words) for c in parsed.compounds]


def fts5_parts(parsed: ParsedQuery) -> list[str]:
    """Each word, compound and phrase as an FTS5 string."""
    return fts5_optional(parsed) + [_fts5(p.words) for p in parsed.phrases]


def fts5_any(parsed: ParsedQuery) -> str:
    """The FTS5 MATCH expression of the documents holding any part (BM25 sums over all parts)."""
    return " OR ".join(fts5_parts(parsed))


def fts5_all(parsed: ParsedQuery) -> str:
    """The FTS5 MATCH expression of the documents holding every part (the top tier)."""
    return " AND ".join(fts5_parts(parsed))


def fts5_required(parsed: ParsedQuery) -> str:
    """The quoted phrases every document must hold, as FTS5 MATCH ("" when none)."""
    return " AND ".join(_fts5(p.words) for p in parsed.phrases)


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
