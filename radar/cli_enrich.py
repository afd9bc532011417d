"""`radar enrich` and `radar themes`."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from radar.cli import config_option, data_dir_option, json_option, load_settings, main
from radar.errors import RadarError


def _context(config_path: str, data_dir: str | None) -> tuple[Any, Any, Any]:
    from pathlib import Path

    from radar.config import load_config
    from radar.store import Store, existing_store

    config = load_config(config_path) if Path(config_path).exists() else None
    settings = load_settings(config_path, data_dir)
    return (
        config,
        settings,
        Store(existing_store(settings.data_dir, "run `radar crawl` (or `radar import`) first")),
    )


@main.command()
@config_option
@data_dir_option
@json_option
def enrich(config_path: str, data_dir: str | None, as_json: bool) -> None:
    """Embed, theme and classify every new or changed item; re-running with nothing new does nothing.

    Example: radar enrich --data-dir radar-data
    """
    from enrich import build_enricher
    from radar.report import progress_bar

    config, settings, store = _context(config_path, data_dir)
    if not store.items_to_enrich():  # don't load the model for nothing
        click.echo(
            json.dumps({"processed": 0, "messages": ["nothing new to enrich"]})
            if as_json
            else "nothing new to enrich"
        )
        return
    enricher = build_enricher(store, settings, config)
    with progress_bar("enriching", enabled=not as_json and sys.stderr.isatty()) as advance:
        summary = enricher.run(on_progress=advance)
    if summary.processed and not store.discovered_themes():
        result = enricher.fit(settings["theme_window_days"])
        summary.messages = [m for m in summary.messages if "themes fit" not in m]
        summary.messages.append(
            result.message or f"first fit: {len(result.themes)} discovered themes"
        )
    if as_json:
        click.echo(json.dumps(summary.to_json(), indent=2))
        return
    moves = (
        ", ".join(f"{n} {m}" for m, n in sorted(summary.moves.items(), key=lambda kv: -kv[1]))
        or "none"
    )
    click.echo(
        f"enriched {summary.processed} items ({summary.embedded} embedded, {summary.cached} from cache); "
        f"configured themes on {summary.configured_tagged}, discovered themes on {summary.discovered_assigned} "
        f"({summary.outliers} outliers); move types: {moves}; {summary.with_mentions} with mentions; "
        f"{summary.events_joined} joined an existing event"
    )
    for message in summary.messages:
        click.echo(message)


@main.group(invoke_without_command=True)
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


def theme_overview(store: Any) -> list[dict[str, Any]]:
    from radar.store_enrich import theme_week_counts

    weeks = theme_week_counts(store.db)
    sizes = dict(
        store.db.execute(
            "SELECT json_extract(t.value, '$.id'), COUNT(*) FROM items, json_each(items.themes) AS t"
            " WHERE items.status = 'active' GROUP BY 1"
        ).fetchall()
    )
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
    rows = store.db.execute(
        "SELECT items.title FROM items, json_each(items.themes) AS t WHERE json_extract(t.value, '$.id') = ?"
        " AND items.status = 'active' ORDER BY json_extract(t.value, '$.score') DESC LIMIT 3",
        (theme_id,),
    )
    return [r[0] for r in rows]


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
    items = store.db.execute(
        "SELECT items.id, items.title, items.competitor, COALESCE(items.published, items.first_seen) AS day,"
        " json_extract(t.value, '$.score') AS score FROM items, json_each(items.themes) AS t"
        " WHERE json_extract(t.value, '$.id') = ? AND items.status = 'active' ORDER BY score DESC LIMIT 20",
        (theme_id,),
    )
    row["items"] = [dict(r) for r in items]
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
    }
    if as_json:
        click.echo(json.dumps(out, indent=2))
        return
    click.echo(result.message or f"{out['themes']} discovered themes, {out['outliers']} outliers")
    for e in result.events:
        click.echo(f"  {e.kind}: {', '.join(e.from_ids) or '-'} -> {', '.join(e.theme_ids)}")


@themes.command("calibrate")
@click.argument("labelled", type=click.Path(exists=True, dir_okay=False))
@click.pass_obj
def themes_calibrate(obj: tuple[str, str | None], labelled: str) -> None:
    """Set configured-theme thresholds from labelled examples (JSONL: title, body, themes).

    Example: radar themes calibrate my-labelled-items.jsonl
    """
    from enrich import build_embedder
    from enrich.embed import item_text
    from enrich.themes import ConfiguredThemes, load_theme_specs, write_thresholds

    settings = load_settings(*obj)
    path = settings["themes_file"]
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
    where = write_thresholds(path, thresholds)
    for tid, value in sorted(thresholds.items()):
        click.echo(f"{tid}: threshold {value:.3f}")
    click.echo(f"wrote thresholds to {where}")
