"""`radar index`, `radar search` and `radar trends`: thin over `search`."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import asdict
from datetime import date
from typing import Any

import click
from click.core import ParameterSource

from radar.cli.base import config_option, data_dir_option, json_option, load_settings
from radar.services import choose_mode, index_lag, lag_message, theme_labels, trend_window


class _Context:
    """Settings, store and backend of one command; labels of themes for display."""

    def __init__(self, config_path: str, data_dir: str | None):
        from radar.store import open_store
        from search import get_backend

        self.settings = load_settings(config_path, data_dir)
        hint = "run `radar crawl` (or `radar import`) first"
        self.store = open_store(self.settings, create=False, hint=hint)
        self.backend = get_backend(self.settings, store_path=self.store.path)
        self.backend.check()

    def indexer(self, batch_size: int | None = None) -> Any:
        from search.indexer import BATCH_SIZE, Indexer

        return Indexer(self.store, self.backend, batch_size or BATCH_SIZE)

    def labels(self) -> dict[str, str]:
        return theme_labels(self.store)

    def lag(self) -> str | None:
        """The line naming a lagging index, or None when it is up to date."""
        return lag_message(index_lag(self.store, self.backend.name))


def _values(raw: tuple[str, ...]) -> list[str]:
    return [v.strip() for item in raw for v in item.split(",") if v.strip()]


# -- radar index ---------------------------------------------------------------------------------
@click.command("index")
@click.option("--rebuild", is_flag=True, help="Clear the index and index every item again.")
@click.option("--batch-size", type=int, default=None, help="Items per batch sent to the backend.")
@config_option
@data_dir_option
@json_option
def index_cmd(
    rebuild: bool, batch_size: int | None, config_path: str, data_dir: str | None, as_json: bool
) -> None:
    """Send new, changed and removed items to the search backend (resumes where it stopped).

    Example: radar index            (or: radar index --rebuild)
    """
    from radar.report import progress_bar

    ctx = _Context(config_path, data_dir)
    with progress_bar("indexing", enabled=not as_json and sys.stderr.isatty()) as advance:
        summary = ctx.indexer(batch_size).run(rebuild=rebuild, on_progress=advance)
    if as_json:
        click.echo(json.dumps({"backend": ctx.backend.name, **summary.to_json()}, indent=2))
        return
    for message in summary.messages:
        click.echo(message)
    if not summary.batches:
        click.echo(f"index is up to date ({summary.total} documents in {ctx.backend.name})")
        return
    vectors = (
        f"; vectors from {summary.vector_model} on {summary.with_vectors}"
        if summary.vector_model
        else "; no embeddings yet (run `radar enrich` for semantic search)"
    )
    click.echo(
        f"indexed {summary.indexed} items, deleted {summary.deleted}: {summary.total} documents"
        f" in {ctx.backend.name}{vectors}"
    )


# -- radar search --------------------------------------------------------------------------------
@click.command("search")
@click.argument("text", required=False, default="")
@click.option("--mode", type=click.Choice(["text", "semantic", "hybrid"]), default=None,
              help="Default: hybrid when the index has embeddings, else text.")  # fmt: skip
@click.option(
    "--competitor", multiple=True, help="Only these competitors (repeat or comma-separate)."
)
@click.option("--theme", multiple=True, help="Only items with these theme ids.")
@click.option("--move-type", multiple=True, help="Only these move types.")
@click.option("--kind", multiple=True, help="Only these kinds (changelog_entry, release, news...).")
@click.option("--source", multiple=True, help="Only these source ids.")
@click.option("--since", default=None, help="From this date, inclusive (YYYY-MM-DD).")
@click.option("--until", default=None, help="Up to this date, inclusive (YYYY-MM-DD).")
@click.option(
    "--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True
)
@click.option("--limit", type=click.IntRange(0, 1000), default=10, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0, help="Skip this many hits (paging).")
@config_option
@data_dir_option
@json_option
def search_cmd(text: str, mode: str | None, competitor: tuple[str, ...], theme: tuple[str, ...],
               move_type: tuple[str, ...], kind: tuple[str, ...], source: tuple[str, ...],
               since: str | None, until: str | None, sort: str, limit: int, offset: int,
               config_path: str, data_dir: str | None, as_json: bool) -> None:  # fmt: skip
    """Search indexed items: words (BM25), meaning (embeddings) or both fused (hybrid).

    The text is searched as plain words (every word must match; "quoted phrases" too);
    operators like AND, OR, NOT, * or : are not special.

    Example: radar search "usage-based pricing" --competitor acme --since 2026-01-01
    """
    from search import SearchQuery
    from search.query import parse_day

    ctx = _Context(config_path, data_dir)
    query = SearchQuery(
        text=text, competitor=_values(competitor), theme=_values(theme),
        move_type=_values(move_type), kind=_values(kind), source=_values(source),
        since=parse_day(since, "--since"), until=parse_day(until, "--until"), sort=sort,
        limit=limit, offset=offset, facets=[],
    )  # fmt: skip
    notes = _choose_mode(ctx, query, mode)
    result = ctx.backend.search(query)
    lag = ctx.lag()
    if lag and (result.hits or as_json):
        notes.append(f"note: {lag}")
    if as_json:
        labels = ctx.labels()
        hits = [
            {**asdict(h), "theme_labels": [labels.get(t, t) for t in h.themes]} for h in result.hits
        ]
        out = {
            "query": text,
            "mode": query.mode,
            "total": result.total,
            "hits": hits,
            "notes": notes,
        }
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    for note in notes:
        click.echo(note, err=True)
    _print_hits(ctx, query, result, lag)


def _choose_mode(ctx: _Context, query: Any, mode: str | None) -> list[str]:
    from enrich import build_embedder

    _, model = ctx.indexer().state()
    notes = choose_mode(query, mode, model, lambda: build_embedder(ctx.settings))
    return [f"note: {n}" for n in notes]


def _print_hits(ctx: _Context, query: Any, result: Any, lag: str | None) -> None:
    words = f'"{query.text}"' if query.text else "everything"
    if not result.hits:
        empty = " (the index is empty: run `radar index`)" if not ctx.backend.count() else ""
        click.echo(f"no results for {words}: {lag}" if lag else f"no results for {words}{empty}")
        return
    first = query.offset + 1
    click.echo(
        f"{result.total} results for {words} ({query.mode}); showing {first}-{query.offset + len(result.hits)}"
    )
    labels = ctx.labels()
    for rank, hit in enumerate(result.hits, start=first):
        meta = [hit.competitor or "industry", (hit.published or "undated")[:10], hit.kind]
        if hit.move_type:
            meta.append(hit.move_type)
        click.echo(f"\n{rank:>3}. " + click.style(hit.title, bold=True))
        click.echo("     " + " · ".join(meta))
        if hit.themes:
            click.echo("     themes: " + ", ".join(labels.get(t, t) for t in hit.themes))
        click.echo("     " + _terminal(hit.snippet))
        click.echo("     " + hit.url)


def _terminal(snippet: str) -> str:
    """The HTML snippet for a terminal: marks in bold yellow, entities unescaped, one line."""
    import html

    parts = re.split(r"(<mark>.*?</mark>)", snippet)
    out = [
        click.style(html.unescape(p[6:-7]), fg="yellow", bold=True)
        if p.startswith("<mark>")
        else html.unescape(p)
        for p in parts
    ]
    return re.sub(r"\s+", " ", "".join(out)).strip()


# -- radar trends --------------------------------------------------------------------------------
@click.group("trends", invoke_without_command=True)
@click.option(
    "--by",
    type=click.Choice(["theme", "competitor", "move_type", "kind"]),
    default="theme",
    show_default=True,
)
@click.option("--interval", type=click.Choice(["week", "month"]), default="week", show_default=True)
@click.option(
    "--since", default=None, help="First date counted (default: 12 weeks or 12 months ago)."
)
@click.option("--query", "text", default=None, help="Only items matching these words.")
@click.option("--top", type=int, default=15, show_default=True, help="Rows shown (largest totals).")
@config_option
@data_dir_option
@json_option
@click.pass_context
def trends(click_ctx: click.Context, by: str, interval: str, since: str | None, text: str | None,
           top: int, config_path: str, data_dir: str | None, as_json: bool) -> None:  # fmt: skip
    """Items per week or month by theme, competitor or move type, with sparklines.

    Example: radar trends --by competitor --interval month      (and: radar trends rising)
    """
    click_ctx.obj = (config_path, data_dir)
    if click_ctx.invoked_subcommand is not None:
        return
    from search import SearchQuery
    from search.query import parse_day
    from search.trends import bucket_starts, series, sparkline

    ctx = _Context(config_path, data_dir)
    first, today = trend_window(parse_day(since, "--since"), None, interval, date.today())
    start = first.isoformat()
    query = SearchQuery(text=text or "", mode="text", since=start, until=today.isoformat())
    hist = ctx.backend.histogram(by, interval, query)  # future-dated items are left out
    buckets = bucket_starts(date.fromisoformat(start), today, interval)
    rows = series(hist, buckets, top)
    labels = ctx.labels() if by == "theme" else {}
    lag = ctx.lag()
    if as_json:
        out = {"by": by, "interval": interval, "since": start, "buckets": buckets,
               "series": rows, "labels": {v: labels.get(v, v) for v in rows},
               "notes": [lag] if lag else []}  # fmt: skip
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    if not rows:
        matching = f' matching "{text}"' if text else ""
        click.echo(f"no dated items{matching} in the index since {start}: {lag}" if lag
                   else f"no dated items since {start}{matching}")  # fmt: skip
        return
    if lag:
        click.echo(f"note: {lag}", err=True)
    click.echo(f"items per {interval} by {by} since {start} ({buckets[0]} … {buckets[-1]})")
    width = max(len(labels.get(v, v)) for v in rows)
    for value, counts in rows.items():
        click.echo(
            f"  {labels.get(value, value):<{width}}  {sum(counts):>6}  {sparkline(counts)}  {counts[-1]:>4} latest"
        )


@trends.command("rising")
@click.option("--period-days", type=click.IntRange(1, 365), default=7, show_default=True)
@click.option("--background-weeks", type=click.IntRange(1, 104), default=8, show_default=True)
@click.option("--query", "text", default=None, help="Only items matching these words.")
@click.option("--terms", type=int, default=15, show_default=True, help="Rising terms shown.")
@config_option
@data_dir_option
@json_option
@click.pass_obj
def trends_rising(obj: tuple[str, str | None], period_days: int, background_weeks: int,
                  text: str | None, terms: int, config_path: str, data_dir: str | None,
                  as_json: bool) -> None:  # fmt: skip
    """Themes and terms rising in the latest period against the weeks before.

    Example: radar trends rising --period-days 7 --background-weeks 8
    """
    from search import SearchQuery
    from search.trends import rising_terms, rising_themes, window

    if click.get_current_context().get_parameter_source("config_path") == ParameterSource.DEFAULT:
        config_path = obj[0]  # given to `radar trends` before the subcommand
    ctx = _Context(config_path, data_dir or obj[1])
    win = window(date.today(), period_days, background_weeks)
    query = SearchQuery(text=text or "", mode="text")
    themes = rising_themes(ctx.backend, win, query)
    words = rising_terms(ctx.backend, win, query, size=terms)
    labels = ctx.labels()
    lag = ctx.lag()
    if as_json:
        out = {
            "notes": [lag] if lag else [],
            "window": asdict(win),
            "themes": [
                {
                    **asdict(t),
                    "label": labels.get(t.theme, t.theme),
                    "ratio": None if t.ratio == float("inf") else round(t.ratio, 2),
                }
                for t in themes
            ],
            "terms": [asdict(t) for t in words],
        }
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    if lag:
        click.echo(f"note: {lag}", err=True)
    click.echo(f"{win.since} … {win.until} against {win.background_since} … {win.background_until}")
    click.echo("rising themes:" if themes else "rising themes: none")
    for t in themes:
        click.echo(
            f"  {labels.get(t.theme, t.theme):<30} {t.count:>4} items, {t.expected:.1f} expected  (score {t.score:.1f})"
        )
    click.echo("rising terms:" if words else "rising terms: none")
    for term in words:
        click.echo(
            f"  {term.term:<30} {term.count:>4} docs, {term.background} before  (score {term.score:.1f})"
        )


COMMANDS = [index_cmd, search_cmd, trends]
