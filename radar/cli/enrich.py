"""`radar enrich` and `radar themes`."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from radar.cli.base import (
    config_option,
    data_dir_option,
    json_option,
    load_optional_config,
    load_settings,
)
from radar.core.config import effective_settings
from radar.core.errors import RadarError
from radar.services import (
    calibrated_themes_file,
    enrich_new,
    fit_line,
    theme_coverage,
    theme_overview,
)


def _context(config_path: str, data_dir: str | None) -> tuple[Any, Any, Any]:
    from radar.store import open_store

    config = load_optional_config(config_path)
    settings = effective_settings(config, data_dir)
    return (
        config,
        settings,
        open_store(settings, create=False, hint="run `radar crawl` (or `radar import`) first"),
    )


@click.command()
@config_option
@data_dir_option
@json_option
def enrich(config_path: str, data_dir: str | None, as_json: bool) -> None:
    """Embed, theme and classify every new or changed item; re-running with nothing new does nothing.

    Example: radar enrich --data-dir radar-data
    """
    from radar.report import progress_bar

    config, settings, store = _context(config_path, data_dir)
    with progress_bar("enriching", enabled=not as_json and sys.stderr.isatty()) as advance:
        summary = enrich_new(store, settings, config, on_progress=advance)
    if as_json:
        click.echo(json.dumps(summary.to_json(), indent=2))
        return
    if summary.processed:
        click.echo(_enriched_line(summary))
    for message in summary.messages:
        click.echo(message)


def _enriched_line(summary: Any) -> str:
    moves = (
        ", ".join(f"{n} {m}" for m, n in sorted(summary.moves.items(), key=lambda kv: -kv[1]))
        or "none"
    )
    return (
        f"enriched {summary.processed} items ({summary.embedded} embedded, {summary.cached} from cache); "
        f"configured themes on {summary.configured_tagged}, discovered themes on {summary.discovered_assigned} "
        f"({summary.outliers} outliers); move types: {moves}; {summary.with_mentions} with mentions; "
        f"{summary.events_joined} joined an existing event"
    )


@click.group(invoke_without_command=True)
@config_option
@data_dir_option
@json_option
@click.pass_context
def themes(ctx: click.Context, config_path: str, data_dir: str | None, as_json: bool) -> None:
    """List configured and discovered themes: size, this week against the 4 weeks before, examples.

    Example: radar themes --json
    """
    ctx.obj = (config_path, data_dir)
    if ctx.invoked_subcommand is not None:
        return
    _, _, store = _context(config_path, data_dir)
    rows = theme_overview(store)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    from radar.report import print_themes

    print_themes(rows)
    click.echo(_coverage_line(theme_coverage(store)))


def _coverage_line(coverage: dict[str, Any]) -> str:
    return (
        f"discovered themes on {coverage['with_discovered_theme']:,} of {coverage['items']:,}"
        f" active items ({coverage['outlier_share']:.1%} outliers)"
    )


@themes.command("show")
@click.argument("theme_id")
@json_option
@click.pass_obj
def themes_show(obj: tuple[str, str | None], theme_id: str, as_json: bool) -> None:
    """One theme: label, keywords, weekly counts, its items (best first) and its history.

    Example: radar themes show d0003
    """
    _, _, store = _context(*obj)
    row = next((r for r in theme_overview(store) if r["id"] == theme_id), None)
    if row is None:
        raise RadarError(f"no theme with id '{theme_id}' (see `radar themes`)")
    row["items"] = [t.to_json() for t in store.theme_items(theme_id, limit=20)]
    row["history"] = [
        e for e in store.theme_events(200) if theme_id in e["theme_ids"] + e["from_ids"]
    ]
    if as_json:
        click.echo(json.dumps(row, indent=2))
        return
    click.echo(
        f"{row['id']}  {row['label']}  ({row['kind']}, {row['size']} items, {row['this_week']} this week, "
        f"{row['weekly_avg_before']}/week before)"
    )
    click.echo("keywords: " + ", ".join(row["keywords"]))
    for item in row["items"]:
        click.echo(
            f"  {item['score']:.2f}  {(item['day'] or '')[:10]}  {item['competitor'] or 'industry':<16} {item['title']}"
        )
    for event in row["history"]:
        click.echo(
            f"  {event['at'][:10]} {event['kind']}: {', '.join(event['from_ids'])} -> {', '.join(event['theme_ids'])}"
        )


@themes.command("fit")
@click.option(
    "--window-days",
    type=int,
    default=None,
    help="Days of items to cluster (setting theme_window_days).",
)
@json_option
@click.pass_obj
def themes_fit(obj: tuple[str, str | None], window_days: int | None, as_json: bool) -> None:
    """Re-fit discovered themes on the recent window; ids stay stable, merges and splits are recorded.

    Every active item, old ones included, then gets its nearest theme or none (outside every
    theme's radius); the output names the outlier share.

    Example: radar themes fit --window-days 90
    """
    from enrich import build_enricher

    config, settings, store = _context(*obj)
    enricher = build_enricher(store, settings, config)
    result = enricher.fit(window_days or settings["theme_window_days"])
    out = {
        "themes": len(result.themes),
        "outliers": sum(a is None for a in result.assignments),
        "events": [e.__dict__ for e in result.events],
        "message": result.message,
        "notes": result.notes,
        "coverage": theme_coverage(store),
    }
    if as_json:
        click.echo(json.dumps(out, indent=2))
        return
    for note in result.notes:
        click.echo(note)
    click.echo(result.message or fit_line(result))
    for e in result.events:
        click.echo(f"  {e.kind}: {', '.join(e.from_ids) or '-'} -> {', '.join(e.theme_ids)}")


@themes.command("calibrate")
@click.argument("labelled", type=click.Path(exists=True, dir_okay=False))
@click.pass_obj
def themes_calibrate(obj: tuple[str, str | None], labelled: str) -> None:
    """Set configured-theme thresholds and learn a model per theme from labelled examples (JSONL: title, body, themes).

    Example: radar themes calibrate my-labelled-items.jsonl
    """
    from enrich import build_embedder
    from enrich.embed import item_text
    from enrich.themes import ConfiguredThemes, load_theme_specs, write_thresholds

    settings = load_settings(*obj)
    path = calibrated_themes_file(settings)
    rows = []
    with open(labelled, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise RadarError(f"{labelled} line {number}: not valid JSON ({exc.msg})") from None
    if not rows:
        raise RadarError(f"{labelled}: no labelled examples")
    embedder = build_embedder(settings)
    texts = [item_text(r.get("title", ""), r.get("body", "")) for r in rows]
    themes_model = ConfiguredThemes(load_theme_specs(path), embedder)
    thresholds = themes_model.calibrate(
        embedder.embed(texts), texts, [set(r.get("themes") or []) for r in rows]
    )
    where = write_thresholds(path, thresholds, themes_model.learned)
    learned = themes_model.learned.learned if themes_model.learned else []
    for tid, value in sorted(thresholds.items()):
        click.echo(f"{tid}: threshold {value:.3f}" + (", learned model" if tid in learned else ""))
    click.echo(f"wrote thresholds to {where}")


COMMANDS = [enrich, themes]
