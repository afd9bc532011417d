"""`radar init`, `radar crawl`, `radar status`, `radar settings`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from radar.cli.base import (
    DEFAULT_CONFIG,
    config_option,
    data_dir_option,
    json_option,
    load_settings,
    setup_logging,
)
from radar.core.errors import ConfigError


@click.command()
@click.option(
    "--path", default=DEFAULT_CONFIG, show_default=True, help="Where to write the sources file."
)
@click.option("--force", is_flag=True, help="Overwrite existing files.")
def init(path: str, force: bool) -> None:
    """Write a commented starter sources.yaml, with themes.yaml and alerts.yaml beside it.

    Example: radar init --path config/sources.yaml
    """
    target = Path(path)
    files = _starter_files(target)
    existing = [str(p) for p in files if p.exists()]
    if existing and not force:
        raise ConfigError(f"already exists: {', '.join(existing)} (use --force to overwrite)")
    target.parent.mkdir(parents=True, exist_ok=True)
    for dest, template in files.items():
        dest.write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
    click.echo(
        f"wrote {', '.join(map(str, files))}: edit them, then run `radar crawl --config {target}`"
    )


def _starter_files(target: Path) -> dict[Path, Path]:
    """Each file `radar init` writes, with the template it copies."""
    from radar.core.configfiles import DEFAULT_THEMES

    templates = Path(__file__).parent.parent / "templates"
    return {
        target: templates / "sources.yaml",
        target.with_name("themes.yaml"): DEFAULT_THEMES,
        target.with_name("alerts.yaml"): templates / "alerts.yaml",
    }


@click.command()
@config_option
@click.option("--source", default=None, help="Only these source ids (comma-separated).")
@data_dir_option
@click.option(
    "--shard",
    default=None,
    help="Only sources whose id hashes to shard i of N, e.g. 1/4; `auto` takes i/N from a"
    " Kubernetes Indexed Job (JOB_COMPLETION_INDEX + 1, JOB_COMPLETIONS).",
)
@json_option
@click.option("-v", "--verbose", is_flag=True, help="Log progress details to the console.")
def crawl(
    config_path: str,
    source: str | None,
    data_dir: str | None,
    shard: str | None,
    as_json: bool,
    verbose: bool,
) -> None:
    """Crawl the configured sources into the store.

    Exit code 0 when the run completed (failed sources are listed), 1 on a config error,
    2 when every source failed, 5 when the store could not be written (disk full).

    Example: radar crawl --config config/sources.yaml --source acme-changelog
    """
    from radar.core.config import effective_settings, load_config
    from radar.core.sharding import resolve_shard
    from radar.crawl import run_crawl
    from radar.report import crawl_progress, print_crawl_summary

    shard = resolve_shard(shard)
    config = load_config(config_path)
    settings = effective_settings(config, data_dir)
    log_file = settings.data_dir / "logs" / "crawl.log"
    setup_logging("INFO" if verbose else settings["log_level"], log_file)
    with crawl_progress(enabled=not as_json and sys.stderr.isatty()) as progress:
        summary = run_crawl(
            config,
            data_dir=data_dir,
            source=source,
            shard=shard,
            on_start=progress.start,
            on_source_done=progress.advance,
        )
    if as_json:
        click.echo(json.dumps(summary.to_json(), indent=2))
    else:
        print_crawl_summary(summary, log_file)
    sys.exit(summary.exit_code)


@click.command()
@data_dir_option
@config_option
@json_option
def status(data_dir: str | None, config_path: str, as_json: bool) -> None:
    """Health of every source: last success, last error, failures in a row, suspected breakage.

    Example: radar status --json
    """
    from radar.report import print_status
    from radar.store import open_store, store_location

    settings = load_settings(config_path, data_dir)
    store = open_store(settings, create=False)
    db = store_location(settings)
    health, runs = store.source_health(), store.runs(limit=1)
    if as_json:
        click.echo(
            json.dumps(
                {"store": str(db), "sources": health, "last_run": runs[0] if runs else None},
                indent=2,
            )
        )
    else:
        print_status(health, runs[0] if runs else None, db)


@click.command()
@click.option("--markdown", is_flag=True, help="Print the README's settings table.")
@config_option
@data_dir_option
def settings(markdown: bool, config_path: str, data_dir: str | None) -> None:
    """List every setting: its value here (defaults, the sources file, RADAR_* env), checked, and help.

    Example: radar settings --config config/sources.yaml
    """
    from radar.core.settings import SECRETS, SETTINGS, markdown_table

    if markdown:
        click.echo(markdown_table())
        return
    values = load_settings(config_path, data_dir)
    for s in SETTINGS:
        value = values[s.name]
        shown = "'(hidden)'" if s.name in SECRETS and value else repr(value)
        default = "" if value == s.default else f"  (default {s.default!r})"
        click.echo(f"{s.name} = {shown}{default}\n    {s.help}  (env RADAR_{s.name.upper()})")


COMMANDS = [init, crawl, status, settings]
