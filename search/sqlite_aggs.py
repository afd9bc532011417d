"""Aggregations of the embedded backend: facets, date histograms, significant terms."""

from __future__ import annotations

import functools
import math
import random
import sqlite3
from collections import Counter

from radar.core.errors import RadarError
from search import sqlite_counts
from search.base import FILTER_FIELDS, INTERVALS, TermTrend
from search.query import words
from search.sqlite_schema import HISTOGRAM_FIELDS, Plan

SAMPLE = 5000  # docs tokenised per side for significant terms; larger sides are sampled
TEXT_CHARS = 5000  # characters of each body read for significant terms
MIN_DOCS = 2  # a term must be in at least this many period docs


def facet(db: sqlite3.Connection, plan: Plan, field: str) -> dict[str, int]:
    """Value -> number of matching docs, most common first; docs without a value are left out."""
    if field not in FILTER_FIELDS:
        raise RadarError(f"cannot facet on '{field}': use one of {', '.join(FILTER_FIELDS)}")
    column = "t.theme" if field == "theme" else f"d.{field}"
    sql = (
        f"SELECT {column}, COUNT(*) FROM {plan.source(themes=field == 'theme')}"
        f" AND {column} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1"
    )
    return {str(value): int(n) for value, n in db.execute(sql, plan.source_args)}


def histogram(
    db: sqlite3.Connection, plan: Plan, by: str, interval: str
) -> dict[str, dict[str, int]]:
    """Bucket start (Monday of the week, or first of the month) -> value of `by` -> count."""
    if by not in HISTOGRAM_FIELDS:
        raise RadarError(f"cannot count by '{by}': use one of {', '.join(HISTOGRAM_FIELDS)}")
    if interval not in INTERVALS:
        raise RadarError(f"unknown interval '{interval}': use one of {', '.join(INTERVALS)}")
    if sqlite_counts.answers(plan.query, plan.match or plan.required):
        return sqlite_counts.histogram(db, plan.query, by, interval)
    bucket = f"d.{interval}"
    column = "t.theme" if by == "theme" else f"d.{by}"
    sql = (
        f"SELECT {bucket}, {column}, COUNT(*) FROM {plan.source(themes=by == 'theme')}"
        f" AND {bucket} IS NOT NULL AND {column} IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2"
    )
    out: dict[str, dict[str, int]] = {}
    for start, value, n in db.execute(sql, plan.source_args):
        out.setdefault(start, {})[str(value)] = int(n)
    return out


def significant_terms(
    db: sqlite3.Connection, period: Plan, background: Plan, size: int
) -> list[TermTrend]:
    """Terms in unusually many period docs compared with the background (log-likelihood G²).

    Both sides are tokenised the same way (words of 3+ letters, English stop words left out);
    a side larger than SAMPLE docs is sampled and its counts scaled up.
    """
    fg_n, fg = _doc_freqs(db, period)
    bg_n, bg = _doc_freqs(db, background)
    if not fg_n:
        return []
    trends = []
    for term, a in fg.items():
        c = bg.get(term, 0)
        if a < MIN_DOCS or (bg_n and a / fg_n <= c / bg_n):
            continue
        trends.append(TermTrend(term, round(_g2(a, fg_n - a, c, bg_n - c), 3), a, c))
    trends.sort(key=lambda t: (-t.score, t.term))
    return trends[:size]


def _doc_freqs(db: sqlite3.Connection, plan: Plan) -> tuple[int, Counter[str]]:
    """(number of docs, term -> docs holding it), both scaled up when sampled."""
    numbers = [n for (n,) in db.execute(f"SELECT d.n FROM {plan.source()}", plan.source_args)]
    sample = random.Random(0).sample(numbers, SAMPLE) if len(numbers) > SAMPLE else numbers
    counts: Counter[str] = Counter()
    for start in range(0, len(sample), 500):
        chunk = sample[start : start + 500]
        rows = db.execute(
            f"SELECT title, substr(body, 1, {TEXT_CHARS}) FROM search_fts"
            f" WHERE rowid IN ({','.join('?' * len(chunk))})",
            chunk,
        )
        for title, body in rows:
            counts.update({w for w in words(f"{title} {body}") if _keep(w)})
    if len(sample) < len(numbers):
        scale = len(numbers) / len(sample)
        counts = Counter({t: round(n * scale) for t, n in counts.items()})
    return len(numbers), counts


def _keep(word: str) -> bool:
    return len(word) > 2 and not word.isdigit() and word not in _stop_words()


@functools.cache
def _stop_words() -> frozenset[str]:
    """scikit-learn's English stop words, imported on first use (a search never pays for it)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def _g2(a: int, b: int, c: int, d: int) -> float:
    """Dunning's log-likelihood ratio for the 2x2 table [[a, b], [c, d]]."""
    n = a + b + c + d
    total = 0.0
    for observed, row, col in (
        (a, a + b, a + c),
        (b, a + b, b + d),
        (c, c + d, a + c),
        (d, c + d, b + d),
    ):
        expected = row * col / n if n else 0
        if observed > 0 and expected > 0:
            total += observed * math.log(observed / expected)
    return 2 * total
