"""`radar digest`: the weekly competitor-moves digest (HTML, Markdown, email)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from radar.cli.base import config_option, data_dir_option, load_settings


@click.command()
@click.option(
    "--week", default=None, help="ISO week such as 2026-W47 (default: the last complete week)."
)
@click.option(
    "--format", "fmt", type=click.Choice(["html", "md"]), default="html", show_default=True
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write here (default: the digest archive).",
)
@click.option("--send", is_flag=True, help="Also email it (settings smtp_* and digest_to).")
@config_option
@data_dir_option
def digest(
    week: str | None, fmt: str, out: str | None, send: bool, config_path: str, data_dir: str | None
) -> None:
    """Build the weekly digest: moves per competitor, rising themes with a chart, broken sources.

    Every digest is also kept in the archive (<data dir>/digests/), which `radar serve` shows.

    Example: radar digest --week 2026-W47 --format html --out digest.html
    """
    from radar.core.config import load_config
    from radar.digest import build_digest
    from radar.digest_render import render_html, render_markdown, send_digest
    from radar.store import open_store
    from search import get_backend

    config = load_config(config_path) if Path(config_path).exists() else None
    settings = load_settings(config_path, data_dir)
    hint = "run `radar daily` (or crawl, enrich and index) first"
    store = open_store(settings, create=False, hint=hint)
    backend = get_backend(settings, store.path)
    try:
        built = build_digest(backend, store, config, week)
    finally:
        backend.close()
    archive = settings.data_dir / "digests"
    archive.mkdir(parents=True, exist_ok=True)
    html, markdown = render_html(built), render_markdown(built)
    (archive / f"{built.week}.html").write_text(html, encoding="utf-8")
    (archive / f"{built.week}.md").write_text(markdown, encoding="utf-8")
    text = html if fmt == "html" else markdown
    if out == "-":
        sys.stdout.write(text)
    else:
        target = Path(out) if out else archive / f"{built.week}.{fmt}"
        target.write_text(text, encoding="utf-8")
        click.echo(
            f"digest {built.week}: {built.total} items, {sum(len(m) for c in built.competitors.values() for m in c.values())} "
            f"moves from {len(built.competitors)} competitors -> {target}"
        )
    if send:
        recipients = [a.strip() for a in settings["digest_to"].split(",") if a.strip()]
        send_digest(built, settings, recipients)
        click.echo(f"sent to {', '.join(recipients)}")


COMMANDS = [digest]
