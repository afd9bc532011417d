"""Tables of the embedded backend and the SQL pieces its queries share.

Everything lives in tables prefixed `search_` so they can sit in the store's own file:
`search_docs` (one row per item: the filterable fields and precomputed day/week/month buckets),
`search_fts` (FTS5 over title and body; the body is kept only here), `search_themes` (item ->
theme id, for theme filters, facets and histograms), `search_vectors` (float32 blobs) and
`search_meta` (a generation number bumped on every write, so the vector files know they are
stale) and `search_counts` (docs per field, day and value: see `search.sqlite_counts`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from search.base import FILTER_FIELDS, SearchQuery
from search.query import parse_day
from search.sqlite_counts import SCHEMA as COUNTS_SCHEMA

TITLE_WEIGHT, BODY_WEIGHT = 3.0, 1.0

SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS search_docs (
    n INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    competitor TEXT,
    published TEXT,
    day TEXT,
    week TEXT,
    month TEXT,
    themes TEXT NOT NULL DEFAULT '[]',
    theme_labels TEXT NOT NULL DEFAULT '[]',
    move_type TEXT,
    mentions TEXT NOT NULL DEFAULT '[]',
    event_id TEXT,
    version TEXT
);
-- covering the date range, buckets and filter fields: histograms and facets never read rows
CREATE INDEX IF NOT EXISTS search_docs_when
    ON search_docs(day, week, month, competitor, move_type, kind, source);
CREATE INDEX IF NOT EXISTS search_docs_competitor ON search_docs(competitor, day);
CREATE INDEX IF NOT EXISTS search_docs_kind ON search_docs(kind, day);
CREATE INDEX IF NOT EXISTS search_docs_source ON search_docs(source, day);
CREATE INDEX IF NOT EXISTS search_docs_move ON search_docs(move_type, day);
CREATE TABLE IF NOT EXISTS search_themes (
    theme TEXT NOT NULL,
    doc INTEGER NOT NULL,
    PRIMARY KEY (theme, doc)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS search_themes_doc ON search_themes(doc);
CREATE TABLE IF NOT EXISTS search_vectors (doc INTEGER PRIMARY KEY, vector BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS search_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
    title, body, tokenize = 'porter unicode61'
);
INSERT OR IGNORE INTO search_meta (key, value) VALUES ('generation', '0');
"""
    + COUNTS_SCHEMA
)
RANK_CONFIG = f"INSERT INTO search_fts(search_fts, rank) VALUES ('rank', 'bm25({TITLE_WEIGHT}, {BODY_WEIGHT})')"
TABLES = ("search_docs", "search_themes", "search_vectors", "search_fts", "search_counts")

DOC_COLUMNS = (
    "id, title, url, kind, source, competitor, published, day, week, month, themes,"
    " theme_labels, move_type, mentions, event_id, version"
)
FACET_COLUMNS = {"theme": "t.theme", **{f: f"d.{f}" for f in FILTER_FIELDS if f != "theme"}}
BUCKETS = {"week": "d.week", "month": "d.month"}
HISTOGRAM_FIELDS = ("theme", "competitor", "move_type", "kind")


def filter_sql(query: SearchQuery, dates: bool = True) -> tuple[str, list[Any]]:
    """WHERE clause (on alias `d`) and its arguments for the query's filters."""
    clauses: list[str] = []
    args: list[Any] = []
    for name in ("competitor", "move_type", "kind", "source"):
        values = [v for v in getattr(query, name) if v]
        if values:
            clauses.append(f"d.{name} IN ({','.join('?' * len(values))})")
            args.extend(values)
    themes = [v for v in query.theme if v]
    if themes:
        marks = ",".join("?" * len(themes))
        clauses.append(f"d.n IN (SELECT doc FROM search_themes WHERE theme IN ({marks}))")
        args.extend(themes)
    since, until = parse_day(query.since, "since"), parse_day(query.until, "until")
    if dates and since:
        clauses.append("d.day >= ?")
        args.append(since)
    if dates and until:
        clauses.append("d.day <= ?")
        args.append(until)
    return " AND ".join(clauses) or "1", args


@dataclass
class Plan:
    """A search query turned into SQL pieces: the FTS5 expressions, the filters, their arguments.

    `match` finds the documents holding any part of the query (and ranks them by BM25);
    `required` (the quoted phrases) must also match; `tiers` are the expressions whose matches
    count (see `tier_sql`): a row holding more of them ranks first.
    """

    query: SearchQuery
    match: str  # "" when no words are searched
    where: str  # on alias `d` (search_docs)
    args: list[Any]
    highlight: list[str]
    required: str = ""
    tiers: list[str] = field(default_factory=list)
    every: str = (
        ""  # FTS5 MATCH of the docs holding every part (the top tier), when there are tiers
    )

    def source(self, themes: bool = False) -> str:
        """FROM ... WHERE ... of the matching docs (alias d; f the FTS table; t the themes)."""
        themes_join = " CROSS JOIN search_themes t ON t.doc = d.n" if themes else ""
        if not self.match:
            return f"search_docs d{themes_join} WHERE {self.where}"
        required = f" AND f.rowid IN ({MATCHING})" if self.required else ""
        # CROSS JOIN keeps the full-text match as the outer loop: a filter index first would
        # probe FTS5 once per filtered row (40x slower at 100k items)
        return (
            f"search_fts f CROSS JOIN search_docs d ON d.n = f.rowid{themes_join}"
            f" WHERE search_fts MATCH ?{required} AND {self.where}"
        )

    @property
    def source_args(self) -> list[Any]:
        if not self.match:
            return list(self.args)
        return [self.match, *([self.required] if self.required else []), *self.args]

    def tier_sql(self) -> str:
        """How many tier expressions a row (alias f) matches: 0 when there are none."""
        return " + ".join(f"(f.rowid IN ({MATCHING}))" for _ in self.tiers) or "0"


MATCHING = "SELECT rowid FROM search_fts WHERE search_fts MATCH ?"
