"""Use cases shared by the CLI, the daily job and the web UI: one rule each, written once."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from datetime import date, timedelta
from pathlib import Path
from threading import Lock
from typing import Any

from radar.alerts import AlertEngine
from radar.alerts_config import AlertsConfig, load_alerts
from radar.core.errors import ConfigError, RadarError
from search.query import parse

MAX_TREND_DAYS = 5 * 366  # about five years: 262 weekly buckets at most


class SearchModeError(RadarError):
    """The mode asked for cannot run on this index (semantic search without its vectors)."""


class NoAlertsFile(ConfigError):
    """The `alerts_file` setting names no file."""


class RangeError(RadarError):
    """A date range that is inverted or too long to count."""


def theme_overview(store: Any) -> list[dict[str, Any]]:
    weeks, sizes = store.theme_week_counts(), store.theme_sizes()
    rows = []
    for theme in store.theme_rows():
        if theme["status"] != "active":
            continue
        this_week, before = weeks.get(theme["id"], (0, 0.0))
        reps = [store.get_item(i) for i in theme["representatives"]]
        rows.append(
            {
                "id": theme["id"],
                "kind": theme["kind"],
                "label": theme["label"],
                "keywords": theme["keywords"],
                "size": sizes.get(theme["id"], 0),
                "this_week": this_week,
                "weekly_avg_before": round(before, 2),
                "representatives": [r.title for r in reps if r is not None][:3]
                or _examples(store, theme["id"]),
            }
        )
    return rows


def _examples(store: Any, theme_id: str) -> list[str]:
    return [t.title for t in store.theme_items(theme_id, limit=3)]


# -- theme labels ----------------------------------------------------------------------------------
def theme_labels(store: Any) -> dict[str, str]:
    """Theme id -> readable label, for every theme the store knows (configured and discovered)."""
    return dict(store.theme_labels())


# -- the search mode -------------------------------------------------------------------------------
def choose_mode(query: Any, requested: str | None, index_model: str | None,
                embedder: Callable[[], Any], lock: Lock | None = None) -> list[str]:  # fmt: skip
    """Set query.mode (and query.vector); return notes for the user. The default is hybrid when
    the index has vectors, else text; no words browse the filters; semantic search that cannot
    run is an error, hybrid falls back to words with a note."""
    query.mode = requested or ("hybrid" if index_model else "text")
    if query.mode == "text":
        return []
    if parse(query.text).empty:
        asked, query.mode = query.mode, "text"
        return [f"{asked} search needs words: showing all matches"] if requested else []
    if not index_model:
        return _no_vectors(query, "the index has no embeddings: run `radar enrich`, then `radar index`")  # fmt: skip
    model = embedder()
    if model.name != index_model:
        return _no_vectors(
            query,
            f"the index holds vectors from {index_model} but `embedding_model` gives {model.name}:"
            " run `radar enrich`, then `radar index`",
        )
    with lock or nullcontext():
        query.vector = [float(x) for x in model.embed([query.text.strip()])[0]]
    return []


def _no_vectors(query: Any, reason: str) -> list[str]:
    if query.mode == "semantic":
        raise SearchModeError(reason)
    query.mode = "text"
    return [f"{reason}; searched words only"]


# -- enrich, then the first fit --------------------------------------------------------------------
def enrich_new(
    store: Any, settings: Any, config: Any, on_progress: Callable[[int, int], None] | None = None
) -> Any:
    """Enrich new and changed items; fit discovered themes once, the first time there are items.

    Returns the enricher's summary; with nothing new, the model is not even loaded.
    """
    from enrich import EnrichSummary, build_enricher  # loads the model stack: only when needed

    if not store.items_to_enrich():
        return EnrichSummary(messages=["nothing new to enrich"])
    enricher = build_enricher(store, settings, config)
    summary = enricher.run(on_progress=on_progress)
    if summary.processed and not store.discovered_themes():
        result = enricher.fit(settings["theme_window_days"])
        summary.messages = [m for m in summary.messages if "themes fit" not in m]
        summary.messages.append(
            result.message or f"first fit: {len(result.themes)} discovered themes"
        )
    return summary


# -- the alert engine ------------------------------------------------------------------------------
def load_alert_rules(settings: Any) -> AlertsConfig:
    """The rules of the `alerts_file` setting; NoAlertsFile when there is none."""
    path = Path(settings["alerts_file"])
    if not path.exists():
        raise NoAlertsFile(
            f"{path}: no alerts file (setting alerts_file); see the README, section Alerts"
        )
    return load_alerts(path)


def build_alert_engine(store: Any, settings: Any, rules: AlertsConfig) -> AlertEngine:
    """The alert engine over a store, with the embedder only when a rule is semantic."""
    embedder = None
    if any(rule.semantic for rule in rules.rules):
        from enrich import build_embedder  # loads the model stack: only when needed

        embedder = build_embedder(settings)
    return AlertEngine(store, rules, embedder=embedder)


# -- trend windows ---------------------------------------------------------------------------------
def trend_window(
    since: str | None, until: str | None, interval: str, today: date
) -> tuple[date, date]:
    """(first, last) day counted: by default the last 12 weeks (or 12 months); at most
    MAX_TREND_DAYS, so a request can never ask for thousands of buckets."""
    end = date.fromisoformat(until) if until else today
    span = timedelta(weeks=12) if interval == "week" else timedelta(weeks=52)
    start = date.fromisoformat(since) if since else end - span
    if start > end:
        raise RangeError(f"since ({start}) is after until ({end})")
    if end > today + timedelta(days=366):
        raise RangeError(f"until ({end}) is more than a year ahead")
    if (end - start).days > MAX_TREND_DAYS:
        raise RangeError(
            f"the range {start} … {end} is longer than {MAX_TREND_DAYS // 365} years:"
            " give a later since (or an earlier until)"
        )
    return start, end
