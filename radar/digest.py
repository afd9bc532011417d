"""The weekly competitor-moves digest: built from the store, rendered by digest_render.

The store is the source of truth: the week's items come from it, never from the search index
alone, so a crawl that was not indexed yet still makes a digest. Per competitor: at most five
highlight lines, each a change in words with its release and link (breaking and security first),
then one line counting the rest; competitors with nothing this week in one "quiet" line; the
complete list of the week's releases grouped by move type (near-duplicates shown once with all
their sources); industry news mentioning tracked competitors with its summary. Rising themes and
their chart need the search index: a lagging index is named in one line, not taken for a quiet
week.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from radar.core.records import Change, Item
from radar.digest_lines import Highlight, highlights, rest_line
from radar.services import index_lag, lag_message, theme_labels
from search.base import SearchBackend, SearchQuery

__all__ = ["Digest", "Highlight", "Move", "build_digest", "ordered_types", "parse_week"]

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
    summary: str | None = None  # news, blog posts: at most two sentences; releases: none
    changes: list[Change] = field(default_factory=list)
    lead: str = ""  # the first line of the body: what a release without changes says


@dataclass
class Digest:
    week: str  # e.g. 2026-W48
    start: date
    end: date
    total: int = 0
    competitors: dict[str, dict[str, list[Move]]] = field(
        default_factory=dict
    )  # name -> move type -> moves: the complete list
    highlights: dict[str, list[Highlight]] = field(default_factory=dict)  # name -> top changes
    rest: dict[str, str] = field(default_factory=dict)  # name -> "… and 14 more changes in 3 …"
    quiet: list[str] = field(default_factory=list)  # competitors with nothing this week
    rising: list[Any] = field(default_factory=list)  # search.trends.RisingTheme
    weekly: dict[str, dict[str, int]] = field(default_factory=dict)  # week start -> theme -> count
    theme_labels: dict[str, str] = field(default_factory=dict)
    new_themes: list[dict[str, Any]] = field(default_factory=list)
    industry: list[Move] = field(default_factory=list)
    broken: list[dict[str, Any]] = field(default_factory=list)
    stored: int = 0  # items in the store in all, to tell a quiet week from an empty store
    notes: list[str] = field(default_factory=list)  # one line each: a lagging index

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


def _day(item: Item) -> str:
    return (item.published or item.first_seen or "")[:10]


def group_events(items: list[Item]) -> list[list[Item]]:
    """Near-duplicates (one event_id) together; the earliest report first."""
    groups: dict[str, list[Item]] = {}
    for item in sorted(items, key=lambda i: (_day(i), i.id)):
        groups.setdefault(item.event_id or item.id, []).append(item)
    return list(groups.values())


def _lead(group: list[Item]) -> Item:
    return next((i for i in group if i.competitor and i.kind != "news"), group[0])


def to_move(group: list[Item], novel: bool) -> Move:
    lead = _lead(group)
    move_type = lead.move_type or "other"
    sources = sorted({(i.source_id, i.url) for i in group})
    importance = (
        MOVE_WEIGHT.get(move_type, 0.5)
        + 1.5 * math.log1p(len(sources) - 1)
        + (1.0 if novel else 0.0)
    )
    return Move(
        lead.title, lead.url, _day(lead) or None, lead.kind, move_type,
        [t["id"] for t in lead.themes], sources, round(importance, 2),
        summary=lead.extra.get("summary"), changes=list(lead.changes),
        lead=next((line.strip() for line in lead.body.splitlines() if line.strip()), "")[:400],
    )  # fmt: skip


def build_digest(
    backend: SearchBackend | None,
    store: Any,
    config: Any,
    week: str | None = None,
    today: date | None = None,
) -> Digest:
    """The week's digest from the store; the backend only adds rising themes and their chart."""
    label, start, end = parse_week(week, today)
    digest = Digest(label, start, end)
    items = store.week_items(start.isoformat(), end.isoformat())
    digest.total, digest.stored = len(items), store.count_items()
    names = {c.id: c.name for c in getattr(config, "competitors", None) or []}
    digest.theme_labels = theme_labels(store)
    _add_moves(digest, items, names)
    _add_highlights(digest)
    digest.quiet = sorted(set(names.values()) - set(digest.competitors))
    if backend is not None:
        _add_trends(digest, backend, store)
    digest.new_themes = _new_themes(store, start, end)
    digest.broken = [h for h in store.source_health() if h["consecutive_failures"] or h["suspect"]]
    return digest


def _add_moves(digest: Digest, items: list[Item], names: dict[str, str]) -> None:
    first = digest.start.isoformat()
    for group in group_events(items):
        move = to_move(group, novel=all(_day(i) >= first for i in group))
        owner = _lead(group).competitor if _lead(group).kind != "news" else None
        if owner:
            by_type = digest.competitors.setdefault(names.get(owner, owner), {})
            by_type.setdefault(move.move_type, []).append(move)
        elif any(i.mentions for i in group):
            digest.industry.append(move)
    for by_type in digest.competitors.values():
        for moves in by_type.values():
            moves.sort(key=lambda m: (-m.importance, m.day or ""))
    digest.industry.sort(key=lambda m: (-len(m.sources), m.day or ""))


def _add_highlights(digest: Digest) -> None:
    for name, by_type in digest.competitors.items():
        moves = [m for ms in by_type.values() for m in ms]
        digest.highlights[name] = top = highlights(moves)
        rest = rest_line(moves, top)
        if rest:
            digest.rest[name] = rest


def _add_trends(digest: Digest, backend: SearchBackend, store: Any) -> None:
    """Rising themes and weekly counts come from the index; a lagging one is named in one line."""
    from search.trends import rising_themes, window

    note = lag_message(index_lag(store, backend.name))
    if note:
        digest.notes.append(f"Rising themes may be incomplete: {note}.")
    win = window(digest.end, period_days=7, background_weeks=8)
    digest.rising = rising_themes(backend, win)[:6]
    digest.weekly = backend.histogram(
        "theme", "week", SearchQuery(since=win.background_since, until=digest.end.isoformat())
    )


def _new_themes(store: Any, start: date, end: date) -> list[dict[str, Any]]:
    rows = {r["id"]: r for r in store.theme_rows()}
    found = []
    for event in store.theme_events(500):
        if event["kind"] == "new" and start.isoformat() <= event["at"][:10] <= end.isoformat():
            found += [rows[t] for t in event["theme_ids"] if t in rows]
    return found


def ordered_types(by_type: dict[str, list[Move]]) -> list[str]:
    return sorted(by_type, key=lambda t: -MOVE_WEIGHT.get(t, 0))
