"""Trends over any backend: bucket ranges, sparklines, and themes rising against their background.

A theme rises when its count in the latest period (the last 7 days by default) is improbably high
for a Poisson rate estimated on the weeks before it (8 by default). The score is the difference
of the square roots (Anscombe's variance-stabilising transform), which behaves like a z-score
and stays sensible when the background count is zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from search.base import SearchBackend, SearchQuery, TermTrend

SPARKS = "▁▂▃▄▅▆▇█"
MIN_COUNT = 3  # a theme needs at least this many items in the period to be called rising
MIN_SCORE = 2.0


@dataclass
class Window:
    """The latest period and its background, both as inclusive ISO dates."""

    since: str
    until: str
    background_since: str
    background_until: str

    @property
    def period_days(self) -> int:
        return (date.fromisoformat(self.until) - date.fromisoformat(self.since)).days + 1

    @property
    def background_days(self) -> int:
        end = date.fromisoformat(self.background_until)
        return (end - date.fromisoformat(self.background_since)).days + 1


@dataclass
class RisingTheme:
    theme: str
    count: int  # items in the period
    background: int  # items in the background
    expected: float  # items expected in the period at the background's rate
    score: float  # significance of the rise (about a z-score)

    @property
    def ratio(self) -> float:
        return self.count / self.expected if self.expected else math.inf


def window(today: date | None = None, period_days: int = 7, background_weeks: int = 8) -> Window:
    today = today or date.today()
    since = today - timedelta(days=period_days - 1)
    before = since - timedelta(days=1)
    return Window(
        since.isoformat(),
        today.isoformat(),
        (since - timedelta(weeks=background_weeks)).isoformat(),
        before.isoformat(),
    )


def rise_score(count: int, expected: float) -> float:
    return 2.0 * (math.sqrt(count + 0.375) - math.sqrt(expected + 0.375))


def rising_themes(
    backend: SearchBackend,
    win: Window,
    query: SearchQuery | None = None,
    min_count: int = MIN_COUNT,
) -> list[RisingTheme]:
    """Themes whose period count is significantly above their background rate, strongest first."""
    period = _theme_counts(backend, query, win.since, win.until)
    background = _theme_counts(backend, query, win.background_since, win.background_until)
    scale = win.period_days / max(win.background_days, 1)
    found = []
    for theme, count in period.items():
        expected = background.get(theme, 0) * scale
        score = rise_score(count, expected)
        if count >= min_count and score >= MIN_SCORE:
            found.append(RisingTheme(theme, count, background.get(theme, 0), expected, score))
    return sorted(found, key=lambda r: (-r.score, r.theme))


def rising_terms(
    backend: SearchBackend, win: Window, query: SearchQuery | None = None, size: int = 20
) -> list[TermTrend]:
    return backend.significant_terms(
        win.since, win.until, background_since=win.background_since, query=query, size=size
    )


def _theme_counts(
    backend: SearchBackend, query: SearchQuery | None, since: str, until: str
) -> dict[str, int]:
    base = query or SearchQuery()
    q = SearchQuery(
        **{**base.__dict__, "mode": "text", "vector": None, "since": since, "until": until},
    )
    q.limit, q.offset, q.facets = 0, 0, ["theme"]
    return backend.search(q).facets.get("theme", {})


def bucket_starts(since: date, until: date, interval: str) -> list[str]:
    """Every bucket start from the one holding `since` to the one holding `until`."""
    out = []
    if interval == "week":
        day = since - timedelta(days=since.weekday())
        while day <= until:
            out.append(day.isoformat())
            day += timedelta(weeks=1)
        return out
    year, month = since.year, since.month
    while (year, month) <= (until.year, until.month):
        out.append(f"{year:04d}-{month:02d}-01")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def series(
    hist: dict[str, dict[str, int]], buckets: list[str], top: int | None = None
) -> dict[str, list[int]]:
    """Value -> counts per bucket (zeros filled in), largest totals first."""
    values: dict[str, list[int]] = {}
    index = {b: i for i, b in enumerate(buckets)}
    for bucket, counts in hist.items():
        if bucket not in index:
            continue
        for value, n in counts.items():
            values.setdefault(value, [0] * len(buckets))[index[bucket]] += n
    ranked = sorted(values.items(), key=lambda kv: (-sum(kv[1]), kv[0]))
    return dict(ranked[:top] if top else ranked)


def sparkline(counts: list[int]) -> str:
    """▁▂▃▄▅▆▇█ scaled to the largest count; a zero is always the lowest bar."""
    peak = max(counts, default=0)
    if peak <= 0:
        return SPARKS[0] * len(counts)
    return "".join(
        SPARKS[min(len(SPARKS) - 1, round(n / peak * (len(SPARKS) - 1)))] for n in counts
    )
