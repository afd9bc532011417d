"""`radar export`, `radar import`, `radar extract` and `radar demo`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from radar.cli.base import config_option, data_dir_option, json_option, load_settings
from radar.core.errors import RadarError


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option(
    "--out", type=click.Path(dir_okay=False), default="-", help="Output file (default: stdout)."
)
@click.option(
    "--status",
    type=click.Choice(["active", "removed"]),
    default=None,
    help="Only items with this status.",
)
@data_dir_option
@config_option
def export_cmd(
    fmt: str, out: str, status: str | None, data_dir: str | None, config_path: str
) -> None:
    """Write every item as JSON Lines.

    Example: radar export --format jsonl --out items.jsonl
    """
    from radar.jsonl import export_items

    store = _open_store(data_dir, config_path)
    stream = sys.stdout if out == "-" else open(out, "w", encoding="utf-8")  # noqa: SIM115
    try:
        n = export_items(store.items(status=status), stream)
    finally:
        if stream is not sys.stdout:
            stream.close()
    click.echo(f"exported {n} items" + ("" if out == "-" else f" to {out}"), err=True)


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@data_dir_option
@config_option
def import_cmd(file: str, data_dir: str | None, config_path: str) -> None:
    """Read items from a JSON Lines file; bad lines are reported by number and skipped.

    Example: radar import items.jsonl
    """
    from radar.jsonl import import_items

    store = _open_store(data_dir, config_path, create=True)
    with open(file, encoding="utf-8", errors="replace") as lines:
        report = import_items(store, lines)
    for error in report.errors:
        click.echo(f"skipped {error}", err=True)
    counts = ", ".join(f"{v} {k}" for k, v in sorted(report.counts.items())) or "nothing"
    click.echo(f"imported: {counts}; {len(report.errors)} bad lines")
    sys.exit(1 if report.errors and not report.counts else 0)


def _open_store(data_dir: str | None, config_path: str, create: bool = False) -> Any:
    from radar.store import open_store

    return open_store(load_settings(config_path, data_dir), create=create)


@click.group()
def extract() -> None:
    """Run one extractor on a file or URL and print what it finds."""


def _read(target: str, config_path: str) -> tuple[str | bytes, str, dict[str, str]]:
    if target.startswith(("http://", "https://")):
        from crawlers.fetch import fetch

        fetched = fetch(target, load_settings(config_path, None))
        return fetched.body, fetched.url, fetched.headers
    path = Path(target)
    if not path.is_file():
        raise RadarError(f"{target}: no such file (give a path or an http(s) URL)")
    return path.read_bytes(), path.resolve().as_uri(), {}


@extract.command("changelog")
@click.argument("target")
@json_option
@config_option
def extract_changelog(target: str, as_json: bool, config_path: str) -> None:
    """Split a changelog page (HTML or Markdown) into release entries.

    Example: radar extract changelog CHANGELOG.md --json
    """
    from crawlers.changelog import segment

    body, url, headers = _read(target, config_path)
    entries = segment(body, url, headers.get("content-type"))
    if as_json:
        rows = [{**e.to_json(), "changes": _typed_changes(e.changes)} for e in entries]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for e in entries:
        click.echo(f"{e.date or '----------'}  {e.version or '-':<12} {e.title}")
    click.echo(f"{len(entries)} entries", err=True)


def _typed_changes(changes: list) -> list[dict]:
    """An entry's changes typed by the rules or the trained model (no embedder is loaded)."""
    from enrich.changes import type_changes

    return [
        {"text": c.text, "section": c.section, "move_type": c.move_type, "importance": c.importance}
        for c in type_changes(changes)
    ]


@extract.command("feed")
@click.argument("target")
@json_option
@config_option
def extract_feed(target: str, as_json: bool, config_path: str) -> None:
    """Parse an RSS, Atom or JSON feed.

    Example: radar extract feed https://example.com/feed.xml --json
    """
    from crawlers.feeds import parse_feed

    body, url, headers = _read(target, config_path)
    raw = body.encode("utf-8") if isinstance(body, str) else body
    feed = parse_feed(raw, url, headers)
    if as_json:
        click.echo(json.dumps(feed.to_json(), indent=2, ensure_ascii=False))
        return
    click.echo(feed.title)
    for e in feed.entries:
        click.echo(f"{e.published or '-':<20}  {e.title}  <{e.url}>")


@extract.command("article")
@click.argument("target")
@json_option
@config_option
def extract_article_cmd(target: str, as_json: bool, config_path: str) -> None:
    """Extract an article page's main text.

    Example: radar extract article page.html --json
    """
    from crawlers.articles import extract_article

    body, url, _ = _read(target, config_path)
    article = extract_article(body, url)
    if as_json:
        click.echo(json.dumps(article.to_json(), indent=2, ensure_ascii=False))
        return
    click.echo(f"{article.title or '(no title)'}  {article.published or ''}\n\n{article.text}")


@click.command()
@click.option(
    "--data-dir", default="radar-data/demo", show_default=True, help="Where the demo store goes."
)
@click.option(
    "--keep", is_flag=True, help="Keep the previous demo store instead of starting fresh."
)
@click.option("--serve", is_flag=True, help="Keep serving the demo site afterwards.")
def demo(data_dir: str, keep: bool, serve: bool) -> None:
    """Serve the bundled demo site on 127.0.0.1, crawl it on day 1 and day 2, print what changed.

    Example: radar demo
    """
    from radar.demo import run_demo

    sys.exit(run_demo(Path(data_dir), keep=keep, serve=serve))


COMMANDS = [export_cmd, import_cmd, extract, demo]
