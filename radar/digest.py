"""The weekly competitor-moves digest: built from the search backend, rendered by digest_render.

Per competitor, the week's moves grouped by move type and ranked by importance (the move type's
weight, how many sources reported the same event, novelty); near-duplicates shown once with all
their sources; rising themes with a chart of weekly counts; newly discovered themes; industry
news mentioning tracked competitors; sources that failed or look broken.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from radar.services import theme_labels
from search.base import Hit, SearchBackend, SearchQuery

MOVE_WEIGHT = {
    "security": 5.0,
    "launch": 5.0,
    "pricing": 5.0,
    "deprecation": 4.5,
    "company": 4.0,
    "integration": 3.0,
    "performance": 2.5,
    "improvement": 2.0,
    "fix": 1.0,
    "other": 0.5,
}
MOVE_TITLES = {
    "launch": "Launches and new features",
    "pricing": "Pricing and packaging",
    "security": "Security",
    "deprecation": "Deprecations and breaking changes",
    "company": "Company news",
    "integration": "Integrations and partnerships",
    "performance": "Performance and reliability",
    "improvement": "Improvements",
    "fix": "Fixes",
    "other": "Other",
}
PAGE = 500


@dataclass
class Move:
    title: str
    url: str
    day: str | None
    kind: str
    move_type: str
    themes: list[str]
    sources: list[tuple[str, str]]  # (source id, url) of every report of this event
    importance: float


@dataclass
class Digest:
    week: str  # e.g. 2026-W48
    start: date
    end: date
    total: int = 0
    competitors: dict[str, dict[str, list[Move]]] = field(
        default_factory=dict
    )  # name -> move type -> moves
    rising: list[Any] = field(default_factory=list)  # search.trends.RisingTheme
    weekly: dict[str, dict[str, int]] = field(default_factory=dict)  # week start -> theme -> count
    theme_labels: dict[str, str] = field(default_factory=dict)
    new_themes: list[dict[str, Any]] = field(default_factory=list)
    industry: list[Move] = field(default_factory=list)
    broken: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.total == 0


def parse_week(spec: str | None, today: date | None = None) -> tuple[str, date, date]:
    """'2026-W47' (or None for the last complete week) -> (label, Monday, Sunday)."""
    from radar.core.errors import ConfigError

    if spec is None:
        today = today or date.today()
        monday = today - timedelta(days=today.weekday() + 7)
    else:
        try:
            year, week = spec.upper().split("-W")
            monday = date.fromisocalendar(int(year), int(week), 1)
        except ValueError:
            raise ConfigError(f"--week must look like 2026-W47, got {spec!r}") from None
    iso = monday.isocalendar()
    return f"{iso.year}-W{iso.week:02d}", monday, monday + timedelta(days=6)


def week_hits(backend: SearchBackend, start: date, end: date) -> list[Hit]:
    """Every item dated in the week, through the protocol, page by page."""
    hits: list[Hit] = []
    while True:
        query = SearchQuery(
            mode="text",
            since=start.isoformat(),
            until=end.isoformat(),
            sort="date",
            limit=PAGE,
            offset=len(hits),
        )
        result = backend.search(query)
        hits += result.hits
        if not result.hits or len(hits) >= result.total:
            return hits


def group_events(hits: list[Hit]) -> list[list[Hit]]:
    """Near-duplicates (one event_id) together; the earliest report first."""
    groups: dict[str, list[Hit]] = {}
    for hit in sorted(hits, key=lambda h: (h.published or "", h.id)):
        groups.setdefault(getattr(hit, "event_id", None) or hit.id, []).append(hit)
    return list(groups.values())


def to_move(group: list[Hit], novel: bool) -> Move:
    lead = next((h for h in group if h.competitor and h.kind != "news"), group[0])
    move_type = lead.move_type or "other"
    sources = sorted({(h.source, h.url) for h in group})
    importance = (
        MOVE_WEIGHT.get(move_type, 0.5)
        + 1.5 * math.log1p(len(sources) - 1)
        + (1.0 if novel else 0.0)
    )
    return Move(
        lead.title,
        lead.url,
        (lead.published or "")[:10] or None,
        lead.kind,
        move_type,
        lead.themes,
        sources,
        round(importance, 2),
    )


def build_digest(
    backend: SearchBackend,
    store: Any,
    config: Any,
    week: str | None = None,
    today: date | None = None,
) -> Digest:
    from search.trends import rising_themes, window

    label, start, end = parse_week(week, today)
    digest = Digest(label, start, end)
    hits = week_hits(backend, start, end)
    digest.total = len(hits)
    names = {c.id: c.name for c in getattr(config, "competitors", [])}
    digest.theme_labels = theme_labels(store) if store else {}
    for group in group_events(hits):
        novel = all((h.published or "")[:10] >= start.isoformat() for h in group)
        move = to_move(group, novel)
        owner = next((h.competitor for h in group if h.competitor and h.kind != "news"), None)
        if owner:
            by_type = digest.competitors.setdefault(names.get(owner, owner), {})
            by_type.setdefault(move.move_type, []).append(move)
        elif any(getattr(h, "mentions", None) for h in group):
            digest.industry.append(move)
    for by_type in digest.competitors.values():
        for moves in by_type.values():
            moves.sort(key=lambda m: (-m.importance, m.day or ""))
    digest.industry.sort(key=lambda m: (-len(m.sources), m.day or ""))
    win = window(end, period_days=7, background_weeks=8)
    digest.rising = rising_themes(backend, win)[:6]
    digest.weekly = backend.histogram(
        "theme", "week", SearchQuery(since=win.background_since, until=end.isoformat())
    )
    if store is not None:
        digest.new_themes = _new_themes(store, start, end)
        digest.broken = [
            h for h in store.source_health() if h["consecutive_failures"] or h["suspect"]
        ]
    return digest


def _new_themes(store: Any, start: date, end: date) -> list[dict[str, Any]]:
    rows = {r["id"]: r for r in store.theme_rows()}
    found = []
    for event in store.theme_events(500):
        if event["kind"] == "new" and start.isoformat() <= event["at"][:10] <= end.isoformat():
            found += [rows[t] for t in event["theme_ids"] if t in rows]
    return found


def ordered_types(by_type: dict[str, list[Move]]) -> list[str]:
    return sorted(by_type, key=lambda t: -MOVE_WEIGHT.get(t, 0))
