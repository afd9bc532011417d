"""The embedded search backend: SQLite FTS5 (BM25, title weighted over body) and vectors
(memory-mapped files, searched exactly or through an IVF index: `search.sqlite_vectors`).

Zero services: its tables (see `search.sqlite_schema`) live in the store's own file by default,
so one file holds everything and backs up as one; the setting `search_sqlite_path` moves them to
another file. Hybrid ranking fuses the BM25 and the vector rankings with reciprocal rank fusion.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from radar.core.errors import BackendError
from search import sqlite_aggs, sqlite_counts, sqlite_write
from search.base import Hit, IndexDoc, SearchQuery, SearchResult, TermTrend
from search.fusion import HYBRID_WEIGHTS, rrf, window_size
from search.query import (
    MARK_CLOSE,
    MARK_OPEN,
    TIER_BONUS,
    ParsedQuery,
    fts5_all,
    fts5_any,
    fts5_optional,
    fts5_required,
    mark,
    parse,
    snippet,
)
from search.sqlite_schema import RANK_CONFIG, SCHEMA, TABLES, Plan, filter_sql
from search.sqlite_vectors import Change, VectorMatrix
from search.sqlite_write import day_of

logger = logging.getLogger(__name__)

SNIPPET_TOKENS = 32


class SQLiteBackend:
    name = "sqlite"

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._vectors = VectorMatrix(self.path)
        self._changes: list[Change] = []
        self._counts = sqlite_counts.Counts()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA cache_size=-65536")  # 64 MiB: row lookups of big indexes
            self._create()
        except (sqlite3.Error, OSError) as exc:
            raise BackendError(f"search index {self.path}: {exc}") from None

    def _create(self) -> None:
        tables = {
            r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        self.db.executescript(SCHEMA)
        if "search_fts" not in tables:
            for statement in (RANK_CONFIG, *sqlite_write.FTS_CONFIG):
                self.db.execute(statement)
        self.db.execute(
            "INSERT OR IGNORE INTO search_meta (key, value) VALUES ('index_id', ?)",
            (uuid.uuid4().hex,),
        )
        row = self.db.execute("SELECT value FROM search_meta WHERE key = 'index_id'").fetchone()
        self._index_id = str(row[0])
        if "search_fts" in tables and "search_counts" not in tables:  # from before the counts
            with self._write() as db:
                sqlite_counts.fill(db)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise BackendError(f"search index {self.path}: {exc}") from None

    @contextmanager
    def _write(self, reset: bool = False) -> Iterator[sqlite3.Connection]:
        """One transaction that bumps the generation; the vector files follow it after the commit."""
        with self._errors():
            self.db.execute("BEGIN IMMEDIATE")
            self._changes = []
            self._counts = sqlite_counts.Counts()
            try:
                before = self._generation()
                yield self.db
                self._counts.flush(self.db)
                self.db.execute(
                    "UPDATE search_meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'"
                )
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            with self._vectors.writing():
                self.db.execute("COMMIT")
                self._vectors.written(self.db, self._index_id, before, self._changes, reset)

    def _generation(self) -> int:
        row = self.db.execute("SELECT value FROM search_meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    # -- writing ---------------------------------------------------------------------------------
    def index(self, docs: Iterable[IndexDoc]) -> int:
        with self._write() as db:
            return sqlite_write.upsert(db, docs, self._counts, self._changes)

    def delete(self, ids: Iterable[str]) -> int:
        with self._write() as db:
            return sqlite_write.remove(db, ids, self._counts, self._changes)

    def count(self) -> int:
        with self._errors():
            return int(self.db.execute("SELECT COUNT(*) FROM search_docs").fetchone()[0])

    def clear(self) -> None:
        with self._write(reset=True) as db:
            for table in TABLES:
                db.execute(f"DROP TABLE IF EXISTS {table}")
            for statement in (*_statements(SCHEMA), RANK_CONFIG, *sqlite_write.FTS_CONFIG):
                db.execute(statement)

    def optimize(self) -> None:
        """Merge the full-text index's segments (after a bulk load: faster queries)."""
        with self._errors():
            self.db.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")

    def check(self) -> None:
        with self._errors():
            self.db.execute("SELECT COUNT(*) FROM search_meta").fetchone()

    def close(self) -> None:
        self.db.close()

    # -- searching -------------------------------------------------------------------------------
    def search(self, query: SearchQuery) -> SearchResult:
        with self._errors():
            plan = self._plan(query)
            if query.mode == "semantic" or (query.mode == "hybrid" and query.vector is not None):
                if query.vector is None:
                    raise BackendError(
                        "semantic search needs the query's vector (embed the text first)"
                    )
                ranked, total = self._fused(plan)
            else:
                ranked = self._ranking(plan, query.limit, query.offset)
                total = self._total(plan)
            hits = self._hits(plan, ranked)
            facets = {f: self._facet(plan, f) for f in query.facets}
        return SearchResult(total=total, hits=hits, facets=facets)

    def _plan(self, query: SearchQuery) -> Plan:
        parsed = parse(query.text)
        where, args = filter_sql(query)
        match, required, tiers = _text_match(parsed)
        every = fts5_all(parsed) if tiers else ""
        return Plan(query, match, where, args, parsed.words, required, tiers, every)

    def _order(self, plan: Plan) -> str:
        if plan.query.sort == "date" or not plan.match:
            return "ORDER BY d.day IS NULL, d.day DESC, d.n DESC"
        return "ORDER BY tier DESC, bm25 DESC"

    def _ranking(self, plan: Plan, limit: int, offset: int = 0) -> list[tuple[int, float]]:
        """A page of the text ranking; from the every-word tier alone when that fills the page (tried
        without filters only: with them the top tier rarely fills a page and the try costs)."""
        if plan.every and plan.where == "1" and plan.query.sort != "date" and limit > 0:
            top = Plan(plan.query, plan.every, plan.where, plan.args, plan.highlight)
            page = self._text_ranking(top, limit, offset)
            if len(page) == limit:  # the top tier holds the whole page: BM25 is the same there
                return [(n, score + len(plan.tiers) * TIER_BONUS) for n, score in page]
        return self._text_ranking(plan, limit, offset)

    def _text_ranking(self, plan: Plan, limit: int, offset: int = 0) -> list[tuple[int, float]]:
        """(doc number, score) of a page of the text ranking: its tier first, then BM25."""
        columns = f"{plan.tier_sql()} AS tier, -f.rank AS bm25" if plan.match else "0, 0.0"
        sql = f"SELECT d.n, {columns} FROM {plan.source()} {self._order(plan)} LIMIT ? OFFSET ?"
        args = [*plan.tiers, *plan.source_args, max(limit, 0), max(offset, 0)]
        return [(int(n), tier * TIER_BONUS + bm25) for n, tier, bm25 in self.db.execute(sql, args)]

    def _total(self, plan: Plan) -> int:
        if plan.match and plan.where == "1" and not plan.required:
            sql, args = "SELECT COUNT(*) FROM search_fts WHERE search_fts MATCH ?", [plan.match]
        else:
            sql, args = f"SELECT COUNT(*) FROM {plan.source()}", plan.source_args
        return int(self.db.execute(sql, args).fetchone()[0])

    def _fused(self, plan: Plan) -> tuple[list[tuple[int, float]], int]:
        """Semantic or hybrid: the candidate window of each ranking, fused, then the page."""
        q = plan.query
        k = window_size(q.offset, q.limit)
        assert q.vector is not None
        vector = self._nearest(plan, q.vector, k)
        rankings = [[str(n) for n, _ in vector]]
        if q.mode == "hybrid" and plan.match:
            rankings.insert(0, [str(n) for n, _ in self._ranking(plan, k)])
        fused = (
            [(int(n), s) for n, s in rrf(rankings, weights=HYBRID_WEIGHTS)]
            if len(rankings) > 1
            else [(n, s) for n, s in vector]
        )
        if q.sort == "date":
            days = self._days([n for n, _ in fused])
            fused.sort(key=lambda ns: days.get(ns[0]) or "", reverse=True)  # undated last
        return fused[q.offset : q.offset + max(q.limit, 0)], len(fused)

    def _nearest(self, plan: Plan, vector: list[float], k: int) -> list[tuple[int, float]]:
        self._vectors.load(self.db, self._index_id)
        allowed = None
        if plan.where != "1":
            allowed = [
                n
                for (n,) in self.db.execute(
                    f"SELECT d.n FROM search_docs d WHERE {plan.where}", plan.args
                )
            ]
        return self._vectors.nearest(vector, allowed, k)

    def _days(self, numbers: list[int]) -> dict[int, str | None]:
        out: dict[int, str | None] = {}
        for chunk in _chunks(numbers):
            rows = self.db.execute(
                f"SELECT n, day FROM search_docs WHERE n IN ({','.join('?' * len(chunk))})", chunk
            )
            out.update({int(n): d for n, d in rows})
        return out

    def _hits(self, plan: Plan, ranked: list[tuple[int, float]]) -> list[Hit]:
        if not ranked:
            return []
        numbers = [n for n, _ in ranked]
        marks = ",".join("?" * len(numbers))
        rows = {
            r["n"]: r
            for r in self._rows(
                f"SELECT d.*, f.body AS body FROM search_docs d JOIN search_fts f ON f.rowid = d.n WHERE d.n IN ({marks})",
                numbers,
            )
        }
        snippets = self._snippets(plan, numbers)
        hits = []
        for n, score in ranked:
            row = rows.get(n)
            if row is None:  # deleted between the ranking and now
                continue
            text = snippets.get(n) or snippet(row["body"], plan.highlight)
            hits.append(
                Hit(id=row["id"], score=score, title=row["title"], snippet=text, url=row["url"],
                    kind=row["kind"], source=row["source"], competitor=row["competitor"],
                    published=row["published"], themes=json.loads(row["themes"]), move_type=row["move_type"],
                    mentions=json.loads(row["mentions"]), event_id=row["event_id"], version=row["version"])
            )  # fmt: skip
        return hits

    def _snippets(self, plan: Plan, numbers: list[int]) -> dict[int, str]:
        """FTS5 snippets (stemming-aware) of the docs that match the words; marked and escaped."""
        if not plan.match:
            return {}
        marks = ",".join("?" * len(numbers))
        sql = (
            f"SELECT rowid, snippet(search_fts, 1, ?, ?, '…', {SNIPPET_TOKENS}) FROM search_fts"
            f" WHERE search_fts MATCH ? AND rowid IN ({marks})"
        )
        rows = self.db.execute(sql, [MARK_OPEN, MARK_CLOSE, plan.match, *numbers])
        return {int(n): mark(text) for n, text in rows if MARK_OPEN in text}

    def _rows(self, sql: str, args: list[Any]) -> list[sqlite3.Row]:
        cur = self.db.cursor()
        cur.row_factory = sqlite3.Row
        return list(cur.execute(sql, args))

    def _facet(self, plan: Plan, field: str) -> dict[str, int]:
        return sqlite_aggs.facet(self.db, plan, field)

    # -- aggregations ----------------------------------------------------------------------------
    def histogram(
        self, by: str, interval: str = "week", query: SearchQuery | None = None
    ) -> dict[str, dict[str, int]]:
        with self._errors():
            plan = self._plan(query or SearchQuery())
            return sqlite_aggs.histogram(self.db, plan, by, interval)

    def significant_terms(self, since: str, until: str | None = None, background_since: str | None = None,
                          query: SearchQuery | None = None, size: int = 20) -> list[TermTrend]:  # fmt: skip
        base = query or SearchQuery()
        fg = SearchQuery(**{**base.__dict__, "since": since, "until": until})
        start = background_since or "0001-01-01"
        before = (date.fromisoformat(day_of(since) or since) - timedelta(days=1)).isoformat()
        bg = SearchQuery(**{**base.__dict__, "since": start, "until": before})
        with self._errors():
            fg_plan, bg_plan = self._plan(fg), self._plan(bg)
            return sqlite_aggs.significant_terms(self.db, fg_plan, bg_plan, size)


def _text_match(parsed: ParsedQuery) -> tuple[str, str, list[str]]:
    """FTS5 expressions of the query: any part matches, the phrases required, one tier per word
    or compound (a row's tier is how many of them it holds)."""
    if parsed.empty:
        return "", "", []
    if not parsed.optional:  # phrases only: every one is required
        return fts5_required(parsed), "", []
    tiers = fts5_optional(parsed) if parsed.optional > 1 else []
    return fts5_any(parsed), fts5_required(parsed), tiers


def _chunks(values: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";\n") if s.strip()]
