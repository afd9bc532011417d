"""Pre-aggregated counts of the embedded backend: docs per (field, day, value), kept by every write.

`search_counts` holds, for each histogram field (theme, competitor, move type, kind, source), how
many docs of a day have a value, with the day's week and month beside it. The backend adds and
subtracts in the same transaction as the docs (`Counts.add` per doc, `Counts.flush` before the
commit), so the counts are exactly what a scan would find. A histogram without words or filters
other than dates (a trend chart over a year) sums a few thousand of these rows instead of
scanning every doc of the range.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from search.query import parse_day

FIELDS = ("competitor", "move_type", "kind", "source")  # columns of search_docs; theme apart
DOC_VALUES = "day, competitor, move_type, kind, source, themes"  # what `add` reads of a row

SCHEMA = """
CREATE TABLE IF NOT EXISTS search_counts (
    field TEXT NOT NULL,
    day TEXT NOT NULL,
    value TEXT NOT NULL,
    week TEXT NOT NULL,
    month TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (field, day, value)
) WITHOUT ROWID;
"""

_FILL = """
INSERT INTO search_counts (field, day, value, week, month, n)
SELECT ?, d.day, {column}, d.week, d.month, COUNT(*) FROM {source}
WHERE d.day IS NOT NULL AND {column} IS NOT NULL GROUP BY d.day, {column}
"""


class Counts:
    """Count changes of one transaction, written by `flush`."""

    def __init__(self) -> None:
        self.delta: Counter[tuple[str, str, str]] = Counter()

    def add(self, values: Sequence[Any], sign: int) -> None:
        """One doc's values (`DOC_VALUES` order; themes as a list or its JSON) counted in or out."""
        day, *fields, themes = values
        if not day:
            return
        if isinstance(themes, str):
            themes = json.loads(themes)
        for name, value in zip(FIELDS, fields, strict=True):
            if value is not None:
                self.delta[(name, day, str(value))] += sign
        for theme in {t for t in themes if t}:
            self.delta[("theme", day, str(theme))] += sign

    def flush(self, db: sqlite3.Connection) -> None:
        rows = [(f, d, v, _week(d), d[:7] + "-01", n) for (f, d, v), n in self.delta.items() if n]
        db.executemany(
            "INSERT INTO search_counts (field, day, value, week, month, n) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (field, day, value) DO UPDATE SET n = n + excluded.n",
            rows,
        )
        if any(n < 0 for *_, n in rows):
            db.execute("DELETE FROM search_counts WHERE n <= 0")
        self.delta.clear()


def fill(db: sqlite3.Connection) -> None:
    """Count every indexed doc (an index written before the counts existed)."""
    db.execute("DELETE FROM search_counts")
    for name in FIELDS:
        db.execute(_FILL.format(column=f"d.{name}", source="search_docs d"), (name,))
    themes = "search_docs d JOIN search_themes t ON t.doc = d.n"
    db.execute(_FILL.format(column="t.theme", source=themes), ("theme",))


def answers(query: Any, match: str) -> bool:
    """Whether the counts answer a histogram of this query: no words, no filters but dates."""
    filters = (query.competitor, query.move_type, query.kind, query.source, query.theme)
    return not match and not any(v for f in filters for v in f)


def histogram(
    db: sqlite3.Connection, query: Any, by: str, interval: str
) -> dict[str, dict[str, int]]:
    """Bucket start -> value -> count, summed from the counts of the query's date range."""
    since = parse_day(query.since, "since") or "0000-01-01"
    until = parse_day(query.until, "until") or "9999-12-31"
    sql = (
        f"SELECT {interval}, value, SUM(n) FROM search_counts"
        " WHERE field = ? AND day >= ? AND day <= ? GROUP BY 1, 2 HAVING SUM(n) > 0 ORDER BY 1, 2"
    )
    out: dict[str, dict[str, int]] = {}
    for start, value, n in db.execute(sql, (by, since, until)):
        out.setdefault(start, {})[str(value)] = int(n)
    return out


@functools.lru_cache(maxsize=4096)
def _week(day: str) -> str:
    d = date.fromisoformat(day)
    return (d - timedelta(days=d.weekday())).isoformat()
