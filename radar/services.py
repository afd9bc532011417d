"""Use cases shared by the CLI, the daily job and the web UI: one rule each, written once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext
from datetime import date, timedelta
from pathlib import Path
from threading import Lock
from typing import Any

from radar.alerts import AlertEngine
from radar.alerts_config import AlertsConfig, load_alerts
from radar.core.configfiles import DEFAULT_THEMES
from radar.core.errors import ConfigError, RadarError
from search.query import parse

logger = logging.getLogger(__name__)
MAX_TREND_DAYS = 5 * 366  # about five years: 262 weekly buckets at most


class SearchModeError(RadarError):
    """The mode asked for cannot run on this index (semantic search without its vectors)."""


class NoAlertsFile(ConfigError):
    """No alerts file: none beside the sources file, or the one `alerts_file` names is missing
    (``named``: worth a warning where alerts are optional, as in `radar daily`)."""

    def __init__(self, message: str, named: bool = False):
        super().__init__(message)
        self.named = named


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


# -- a lagging index ------------------------------------------------------------------------------
def index_lag(store: Any, backend_name: str) -> int:
    """Item changes the search index has not received yet (0: it is up to date)."""
    state = store.index_state(backend_name)
    return int(store.count_items_since(state.seq if state else 0))


def lag_message(lag: int) -> str | None:
    """The one line that names a lagging index, so an empty answer never reads as an empty crawl."""
    if not lag:
        return None
    return f"the search index is {lag:,} item{'s' if lag != 1 else ''} behind: run `radar index`"


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
    store: Any,
    settings: Any,
    config: Any,
    on_progress: Callable[[int, int], None] | None = None,
    embedder: Any = None,
) -> Any:
    """Enrich new and changed items; fit discovered themes once, the first time there are items
    (the fit then gives every active item, history included, its theme or none).

    Returns the enricher's summary; with nothing new, the model is not even loaded.
    """
    from enrich import EnrichSummary, build_enricher  # loads the model stack: only when needed

    if not store.items_to_enrich():
        return EnrichSummary(messages=["nothing new to enrich"])
    enricher = build_enricher(store, settings, config, embedder=embedder)
    summary = enricher.run(on_progress=on_progress)
    if summary.processed and not store.discovered_themes():
        result = enricher.fit(settings["theme_window_days"])
        summary.messages = [m for m in summary.messages if "themes fit" not in m]
        summary.messages += result.notes
        summary.messages.append(result.message or fit_line(result, "first fit: "))
    return summary


def fit_line(result: Any, prefix: str = "") -> str:
    """ "5 discovered themes; 2,131 of 2,225 items carry one (4.2 % outliers)" after a fit."""
    line = f"{prefix}{len(result.themes)} discovered themes"
    if result.coverage is None:
        return line
    themed, total = result.coverage
    return f"{line}; {themed:,} of {total:,} items carry one ({outlier_share(total, themed):.1%} outliers)"


def outlier_share(total: int, themed: int) -> float:
    """Share of active items without a discovered theme (0 when there are none)."""
    return (total - themed) / total if total else 0.0


def theme_coverage(store: Any) -> dict[str, Any]:
    """Active items, those with a discovered theme, and the outlier share, for `radar themes`."""
    total, themed = store.discovered_coverage()
    return {"items": total, "with_discovered_theme": themed,
            "outlier_share": round(outlier_share(total, themed), 4)}  # fmt: skip


# -- the alert engine ------------------------------------------------------------------------------
def load_alert_rules(settings: Any) -> AlertsConfig:
    """The rules of the `alerts_file` setting; NoAlertsFile when there is none."""
    if not settings["alerts_file"]:
        raise NoAlertsFile(
            "no alerts file: write alerts.yaml beside the sources file (`radar init` writes one)"
            " or set alerts_file; see the README, section Alerts"
        )
    path = Path(settings["alerts_file"])
    if not path.is_file():
        raise NoAlertsFile(f"{path}: alerts file not found (setting alerts_file)", named=True)
    return load_alerts(path)


def themes_file_warning(settings: Any) -> str | None:
    """One line when items will get no configured themes because there is no themes file."""
    name = settings["themes_file"]
    if not name:
        return (
            "no themes file (themes.yaml beside the sources file, or the default themes):"
            " items get no configured themes; `radar init` writes one"
        )
    if not Path(name).is_file():
        return (
            f"{name}: themes file not found (setting themes_file): items get no configured themes"
        )
    return None


def calibrated_themes_file(settings: Any) -> Path:
    """The themes file `radar themes calibrate` writes thresholds beside; never the package's own
    default themes (that would write into the installed package)."""
    path = Path(settings["themes_file"])
    if not settings["themes_file"] or path == DEFAULT_THEMES:
        raise ConfigError(
            "no themes file of your own to calibrate (the default themes are part of the package):"
            " run `radar init` to write themes.yaml beside the sources file"
        )
    return path


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
