"""Short summaries in words: two sentences of an article, one line for a page change.

* :func:`article_summary`: extractive, at most two sentences -- the lead, and the sentence most
  central to the text (highest mean similarity to the other sentences: embeddings when an
  ``embedder`` is given, shared content words otherwise), in reading order.
* :func:`page_change_summary`: one line for the added and removed lines of a watched page; a
  price that changed reads "Pro: $20 → $24 per member".

Pure functions; the embedder is injected.
"""

from __future__ import annotations

import re

import numpy as np

from enrich.base import Embedder

__all__ = ["article_summary", "page_change_summary", "split_sentences"]

MAX_SENTENCES = 60  # only the first sentences compete for the second place
MAX_CHARS = 400  # per sentence in a summary
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Inc|Ltd|Co|Corp|St|vs|etc|e\.g|i\.e|U\.S|U\.K|No|Jan|Feb|Mar|Apr"
    r"|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)|\b[A-Z])\.$"
)
_WORD = re.compile(r"[a-z][a-z0-9'-]{2,}")
_STOP = frozenset(
    "the and for with that this from have has had was were are will would could should been "
    "their there they them then than into about over also more most such which while when what "
    "who whom whose its our your you his her she him not but can may might just very".split()
)
_PRICE = re.compile(
    r"(?P<price>[$€£¥]\s?\d[\d,]*(?:\.\d+)?|\d[\d,]*(?:\.\d+)?\s?(?:[$€£¥]|USD|EUR|GBP))"
)


def split_sentences(text: str) -> list[str]:
    """Sentences of a text (paragraph breaks end a sentence; common abbreviations do not)."""
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n|\n(?=[-*•] )", text):
        pending = ""
        for piece in _SENTENCE_END.split(" ".join(paragraph.split())):
            pending = f"{pending} {piece}".strip() if pending else piece
            if not _ABBREVIATION.search(pending):
                sentences.append(pending)
                pending = ""
        if pending:
            sentences.append(pending)
    return [s for s in sentences if len(s.split()) >= 3]


def _clip(sentence: str) -> str:
    return sentence if len(sentence) <= MAX_CHARS else sentence[: MAX_CHARS - 1].rstrip() + "…"


def _lexical_centrality(sentences: list[str]) -> np.ndarray:
    bags = [{w for w in _WORD.findall(s.lower()) if w not in _STOP} for s in sentences]
    scores = np.zeros(len(bags))
    for i, bag in enumerate(bags):
        if bag:
            overlaps = [
                len(bag & other) / (len(other) ** 0.5 or 1) for other in bags if other is not bag
            ]
            scores[i] = sum(overlaps) / (len(bag) ** 0.5 * max(1, len(overlaps)))
    return scores


def _embedded_centrality(sentences: list[str], embedder: Embedder) -> np.ndarray:
    vectors = np.asarray(embedder.embed(sentences), dtype=np.float32)
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, 0.0)
    return sims.sum(axis=1) / max(1, len(sentences) - 1)


def article_summary(text: str, embedder: Embedder | None = None, title: str = "") -> str:
    """At most two sentences of ``text``: its lead and its most central other sentence.

    A lead that only repeats ``title`` gives way to the next sentence."""
    sentences = split_sentences(text)[:MAX_SENTENCES]
    if sentences and title and sentences[0].strip(" .").lower() == title.strip(" .").lower():
        sentences = sentences[1:]
    if len(sentences) <= 2:
        return " ".join(_clip(s) for s in sentences)
    scores = (
        _embedded_centrality(sentences, embedder) if embedder else _lexical_centrality(sentences)
    )
    best = 1 + int(np.argmax(scores[1:]))
    return f"{_clip(sentences[0])} {_clip(sentences[best])}"


def _price_parts(line: str) -> tuple[str, str, str] | None:
    """(label before the price, the price, what follows it) of a line holding one price."""
    found = list(_PRICE.finditer(line))
    if len(found) != 1:
        return None
    match = found[0]
    return line[: match.start()].strip(" :-–—|"), match["price"], line[match.end() :].strip()


def _context(line: str, page: list[str]) -> str:
    """The nearest line above ``line`` in the page that holds no price (a plan's name)."""
    if line not in page:
        return ""
    for above in reversed(page[: page.index(line)]):
        if above.strip() and not _PRICE.search(above):
            return above.strip(" :")
    return ""


def _price_line(old: str, new: str, new_page: list[str]) -> str | None:
    before, after = _price_parts(old), _price_parts(new)
    if not before or not after or before[1] == after[1]:
        return None
    label = after[0] or before[0] or _context(new, new_page)
    unit = after[2] or before[2]
    line = f"{before[1]} → {after[1]}" + (f" {unit}" if unit else "")
    return f"{label}: {line}" if label else line


def page_change_summary(added: list[str], removed: list[str], new_text: str = "") -> str:
    """One line for a page change; price changes first ("Pro: $20 → $24 per member")."""
    page = new_text.splitlines()
    prices = [
        line
        for old, new in zip(removed, added, strict=False)
        if (line := _price_line(old, new, page))
    ]
    if prices:
        more = len(prices) - 1
        return prices[0] + (f" (and {more} more price change{'s' * (more > 1)})" if more else "")
    if added and removed:
        return f"{_clip(added[0])} (was: {_clip(removed[0])})" + _others(added, removed)
    if added:
        return f"Added: {_clip(added[0])}" + _others(added, [])
    if removed:
        return f"Removed: {_clip(removed[0])}" + _others([], removed)
    return ""


def _others(added: list[str], removed: list[str]) -> str:
    rest = max(0, len(added) - 1) + max(0, len(removed) - 1)
    return f" (+{rest} more line{'s' * (rest > 1)} changed)" if rest else ""
