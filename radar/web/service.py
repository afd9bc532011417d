"""The one service layer of the web UI and the JSON API: every page and every /api route calls it.

Each worker thread opens its own store and backend (SQLite connections stay in their thread) and
keeps them, so the embedded backend's vector matrix is loaded once per worker. Every method is
synchronous and returns a model of `radar.web.models`; the routes run them on the worker pool.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

from radar.core.errors import BackendError, RadarError, StoreCorruptError
from radar.services import (
    choose_mode,
    index_lag,
    lag_message,
    theme_labels,
    theme_overview,
    trend_window,
)
from radar.web import models as m
from radar.web import views
from radar.web.cache import AnswerCache
from search import FILTER_FIELDS, SearchBackend, SearchQuery
from search.trends import bucket_starts, rising_terms, rising_themes, series, window

T = TypeVar("T")
TIMELINE_WEEKS = 26
MIN_CHART_WEEKS = 12
COMPETITOR_MOVES = 300  # newest moves shown on a competitor's timeline


class BadRequest(RadarError):
    """A request parameter a user can fix (HTTP 400)."""


class NotFound(RadarError):
    """An unknown id (HTTP 404)."""


class Service:
    def __init__(self, settings: Any, store_path: str | Path, workers: int = 2):
        self.settings = settings
        self.store_path = Path(store_path)
        self.digest_dir = Path(settings["data_dir"]) / "digests"
        self.today: Callable[[], date] = date.today
        self._local = threading.local()
        self.workers = max(1, workers)
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self._embed_lock = threading.Lock()
        self._embedder: Any = None
        self._cache = AnswerCache()

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a service method on the worker pool (SQLite connections live in those threads)."""
        with self._pool_lock:  # made on first use: an app may start and stop several times
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="radar-web")
            pool = self._pool
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(pool, functools.partial(fn, *args))

    def warm(self) -> None:
        """Open this worker's store and backend, and load the embedder when the index has vectors.

        `radar serve` runs it in the background at start, so the first search is not the one
        that waits for the model.
        """
        with self._open() as (store, backend):
            if _vector_model(store, backend):
                self._get_embedder()

    def close(self) -> None:
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    # -- resources -----------------------------------------------------------------------------
    @contextmanager
    def _open(self) -> Any:
        """(store, backend) of this thread; store errors become BackendError (HTTP 503)."""
        local = self._local
        try:
            if getattr(local, "store", None) is None:
                from radar.store import open_store

                # the web UI never writes
                local.store = open_store(self.settings, path=self.store_path, read_only=True)
            if getattr(local, "backend", None) is None:
                from search import get_backend

                local.backend = get_backend(self.settings, store_path=local.store.path)
            yield local.store, local.backend
        except sqlite3.Error as exc:
            raise BackendError(f"the store {self.store_path} cannot be read: {exc}") from None
        except StoreCorruptError as exc:
            raise BackendError(str(exc)) from None

    def labels(self, store: Any) -> dict[str, str]:
        return theme_labels(store)

    # -- search --------------------------------------------------------------------------------
    def search(self, p: m.SearchParams) -> m.SearchPage:
        with self._open() as (store, backend):
            query = SearchQuery(
                text=p.q, competitor=p.competitor, theme=p.theme, move_type=p.move_type,
                kind=p.kind, source=p.source, since=p.since, until=p.until, sort=p.sort,
                limit=p.limit, offset=p.offset, facets=list(FILTER_FIELDS),
            )  # fmt: skip
            notes = self._choose_mode(store, backend, query, p.mode) + _lag(store, backend)
            result = backend.search(query)
            labels = self.labels(store)
            histogram = self._match_histogram(backend, query)
        params = p.model_copy(update={"mode": query.mode})
        return m.SearchPage(
            query=params,
            total=result.total,
            hits=[views.hit(h, labels) for h in result.hits],
            facets=views.facets(result.facets, params, labels),
            histogram=histogram,
            notes=notes,
        )

    def _choose_mode(
        self, store: Any, backend: SearchBackend, query: SearchQuery, mode: str | None
    ) -> list[str]:
        model = _vector_model(store, backend)
        return choose_mode(query, mode, model, self._get_embedder, self._embed_lock)

    def _get_embedder(self) -> Any:
        with self._embed_lock:
            if self._embedder is None:
                from enrich import build_embedder

                self._embedder = build_embedder(self.settings)
            return self._embedder

    def _match_histogram(self, backend: SearchBackend, query: SearchQuery) -> list[m.Bucket]:
        plain = SearchQuery(**{**query.__dict__, "mode": "text", "vector": None, "facets": []})
        hist = backend.histogram("kind", "week", plain)
        if not hist:
            return []
        first = date.fromisoformat(query.since or min(hist))
        last = date.fromisoformat(query.until or max(hist))
        if not query.since:  # a few weeks of context around a narrow match
            first = min(first, last - timedelta(weeks=MIN_CHART_WEEKS - 1))
        last = max(first, min(last, first + timedelta(weeks=156)))
        totals = {start: sum(counts.values()) for start, counts in hist.items()}
        return [
            m.Bucket(start=b, count=totals.get(b, 0)) for b in bucket_starts(first, last, "week")
        ]

    # -- trends --------------------------------------------------------------------------------
    def trends(
        self, by: str, interval: str, since: str | None, until: str | None, q: str, top: int
    ) -> m.Trends:
        try:
            start, end = trend_window(since, until, interval, self.today())
        except RadarError as exc:
            raise BadRequest(str(exc)) from None
        with self._open() as (store, backend):
            key = ("trends", by, interval, start, end, q, top, _index_state(store, backend))
            answer = self._cache.get(key, lambda: self._trends(store, backend, by, interval, start, end, q, top))  # fmt: skip
            return answer.model_copy(update={"notes": _lag(store, backend)})

    def _trends(self, store: Any, backend: SearchBackend, by: str, interval: str, start: date,
                end: date, q: str, top: int) -> m.Trends:  # fmt: skip
        query = SearchQuery(text=q, mode="text", since=start.isoformat(), until=end.isoformat())
        hist = backend.histogram(by, interval, query)
        labels = self.labels(store) if by == "theme" else {}
        buckets = bucket_starts(start, end, interval)
        rows = series(hist, buckets, top)
        return m.Trends(
            by=by, interval=interval, since=start.isoformat(), until=end.isoformat(),
            buckets=buckets,
            series=[m.Series(value=v, label=views.value_label(by, v, labels), counts=c, total=sum(c))
                    for v, c in rows.items()],
        )  # fmt: skip

    def rising(self, period_days: int, background_weeks: int, q: str, terms: int) -> m.Rising:
        win = window(self.today(), period_days, background_weeks)
        with self._open() as (store, backend):
            key = (
                "rising",
                win.since,
                win.background_since,
                q,
                terms,
                _index_state(store, backend),
            )
            return self._cache.get(key, lambda: self._rising(store, backend, win, q, terms))

    def _rising(self, store: Any, backend: SearchBackend, win: Any, q: str, terms: int) -> m.Rising:
        query = SearchQuery(text=q, mode="text")
        themes = rising_themes(backend, win, query)
        words = rising_terms(backend, win, query, size=terms)
        labels = self.labels(store)
        return m.Rising(
            window=m.Window(**win.__dict__),
            themes=[views.rising_theme(t, labels) for t in themes],
            terms=[m.RisingTerm(**t.__dict__) for t in words],
        )

    # -- themes --------------------------------------------------------------------------------
    def themes(self) -> list[m.ThemeSummary]:
        with self._open() as (store, _):
            rows = theme_overview(store)
        return [m.ThemeSummary(**{k: v for k, v in r.items() if k != "representatives"}) for r in rows]  # fmt: skip

    def theme(self, theme_id: str) -> m.ThemeDetail:
        with self._open() as (store, backend):
            row = next((r for r in store.theme_rows() if r["id"] == theme_id), None)
            if row is None:
                raise NotFound(f"no theme '{theme_id}'")
            labels = self.labels(store)
            this_week, before = store.theme_week_counts().get(theme_id, (0, 0.0))
            found = backend.search(
                SearchQuery(
                    mode="text",
                    theme=[theme_id],
                    sort="date",
                    limit=8,
                    facets=["theme", "competitor"],
                )  # fmt: skip
            )
            reps = [i for i in map(store.get_item, row["representatives"]) if i is not None]
            timeline = self._timeline(backend, SearchQuery(theme=[theme_id]), "theme", theme_id)
        related = [
            m.RelatedTheme(id=t, label=labels.get(t, t), count=n)
            for t, n in found.facets.get("theme", {}).items()
            if t != theme_id
        ][:10]
        return m.ThemeDetail(
            id=row["id"], kind=row["kind"], label=row["label"], keywords=row["keywords"],
            size=found.total, this_week=this_week, weekly_avg_before=round(before, 2),
            status=row["status"],
            representatives=[views.item_ref(i) for i in reps][:8] or [views.hit_ref(h) for h in found.hits],
            timeline=timeline, related=related,
            competitors=views.facet_values("competitor", found.facets.get("competitor", {}), [], labels),
        )  # fmt: skip

    def _timeline(
        self, backend: SearchBackend, query: SearchQuery, by: str, value: str | None
    ) -> list[m.Bucket]:
        """Weekly counts over the last TIMELINE_WEEKS weeks (of `value` of `by`, or of all)."""
        end = self.today()
        start = end - timedelta(weeks=TIMELINE_WEEKS - 1)
        query.since, query.until, query.mode = start.isoformat(), end.isoformat(), "text"
        hist = backend.histogram(by, "week", query)
        return [
            m.Bucket(
                start=b,
                count=hist.get(b, {}).get(value, 0) if value else sum(hist.get(b, {}).values()),
            )
            for b in bucket_starts(start, end, "week")
        ]

    # -- competitors ---------------------------------------------------------------------------
    def competitors(self) -> list[m.CompetitorSummary]:
        with self._open() as (_, backend):
            found = backend.search(SearchQuery(mode="text", limit=0, facets=["competitor"]))
        counts = found.facets.get("competitor", {})
        return [m.CompetitorSummary(name=c, items=n) for c, n in counts.items()]

    def competitor(self, name: str) -> m.CompetitorTimeline:
        with self._open() as (store, backend):
            query = SearchQuery(mode="text", competitor=[name], sort="date",
                                limit=COMPETITOR_MOVES, facets=["move_type"])  # fmt: skip
            found = backend.search(query)
            if not found.total:
                raise NotFound(f"no items from a competitor named '{name}'")
            histogram = self._timeline(backend, SearchQuery(competitor=[name]), "kind", None)
            changes = store.changes_of([h.id for h in found.hits])
        return m.CompetitorTimeline(
            name=name, total=found.total, shown=len(found.hits), histogram=histogram,
            move_types=views.facet_values("move_type", found.facets.get("move_type", {}), [], {}),
            weeks=views.weeks_of_moves(found.hits, changes),
        )  # fmt: skip

    # -- items ---------------------------------------------------------------------------------
    def item(self, item_id: str) -> m.ItemDetail:
        with self._open() as (store, _):
            item = store.get_item(item_id)
            if item is None:
                raise NotFound(f"no item with id '{item_id}'")
            others = _same_event(store, item.event_id, item.id) if item.event_id else []
            revisions = store.revisions(item_id)
            labels = self.labels(store)
        return views.item_detail(item, labels, others, revisions)

    # -- sources and digests -------------------------------------------------------------------
    def sources(self) -> list[m.Source]:
        with self._open() as (store, _):
            rows = [views.source(row) for row in store.source_health()]
        return sorted(rows, key=lambda s: (views.STATE_ORDER.index(s.state), s.id))

    def digests(self) -> list[m.DigestInfo]:
        return views.digest_archive(self.digest_dir)

    def digest(self, week: str) -> m.DigestDetail:
        info = next((d for d in self.digests() if d.week == week), None)
        if info is None:
            raise NotFound(f"no digest for week '{week}' (run `radar digest --week {week}`)")
        md = self.digest_dir / f"{week}.md"
        return m.DigestDetail(
            **info.model_dump(),
            markdown=md.read_text(encoding="utf-8", errors="replace")
            if "md" in info.formats
            else None,
            html_url=f"/digests/{week}/html" if "html" in info.formats else None,
        )

    def digest_file(self, week: str, fmt: str) -> Path:
        """The archived digest of a week ('html' or 'md'); NotFound for anything else."""
        for info in self.digests():
            if info.week == week and fmt in info.formats:
                return self.digest_dir / f"{info.week}.{fmt}"
        raise NotFound(f"no {fmt} digest for week '{week}' (run `radar digest --week {week}`)")


def _index_state(store: Any, backend: SearchBackend) -> tuple[int, str, str | None] | None:
    """(high-water seq, when, vector model) that `radar index` recorded for this backend.

    It changes whenever the index does, so it is also the key of cached answers.
    """
    state = store.index_state(backend.name)
    return (state.seq, state.updated, state.vector_model) if state else None


def _lag(store: Any, backend: SearchBackend) -> list[str]:
    """The note naming a lagging index (none when it is up to date): never cached."""
    message = lag_message(index_lag(store, backend.name))
    return [message] if message else []


def _vector_model(store: Any, backend: SearchBackend) -> str | None:
    state = _index_state(store, backend)
    return state[2] if state else None


def _same_event(store: Any, event_id: str, item_id: str) -> list[m.ItemRef]:
    return [
        m.ItemRef(id=i.id, title=i.title, url=i.url, source=i.source_id, competitor=i.competitor,
                  published=i.published, kind=i.kind, move_type=i.move_type)
        for i in store.event_items(event_id, exclude=item_id, limit=50)
    ]  # fmt: skip
