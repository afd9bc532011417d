"""The `radar` command: a thin layer over the library.

Expected failures print one line and exit non-zero; no tracebacks for what a user can fix.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

import click

from radar.errors import ConfigError, RadarError

DEFAULT_CONFIG = "config/sources.yaml"

config_option = click.option(
    "--config",
    "config_path",
    default=lambda: os.environ.get("RADAR_CONFIG", DEFAULT_CONFIG),
    show_default=DEFAULT_CONFIG,
    help="Sources file (env RADAR_CONFIG).",
)
data_dir_option = click.option(
    "--data-dir", default=None, help="Data folder (default ./radar-data or RADAR_HOME)."
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


class RadarGroup(click.Group):
    """Turn RadarError into one readable line and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RadarError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=RadarGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="market-radar")
def main() -> None:
    """Market Radar: crawl what competitors ship and what the industry says.

    \b
    Quick start:
      radar init                 # write a commented config/sources.yaml
      radar crawl                # crawl every source into ./radar-data
      radar status               # health of every source
    """


class _QuietScrapy(logging.Filter):
    """On the console, Scrapy's own warnings repeat what the per-source line says."""

    def __init__(self, level: str):
        super().__init__()
        self.verbose = level.upper() in ("INFO", "DEBUG")

    def filter(self, record: logging.LogRecord) -> bool:
        return (
            self.verbose
            or not record.name.startswith(("scrapy", "twisted"))
            or record.levelno >= logging.CRITICAL
        )


def setup_logging(level: str, log_file: Path | None = None) -> None:
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(level.upper())
    console.addFilter(_QuietScrapy(level))
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(console)
    if log_file:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setLevel(logging.INFO)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)


def load_settings(config_path: str | None, data_dir: str | None) -> Any:
    from radar.config import load_config
    from radar.settings import Settings

    overrides: dict[str, Any] = {}
    if config_path and Path(config_path).exists():
        overrides = load_config(config_path).settings
    return Settings(overrides).with_overrides(data_dir=data_dir)


@main.command()
@click.option(
    "--path", default=DEFAULT_CONFIG, show_default=True, help="Where to write the starter config."
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: str, force: bool) -> None:
    """Write a commented starter sources file.

    Example: radar init --path config/sources.yaml
    """
    target = Path(path)
    if target.exists() and not force:
        raise ConfigError(f"{target} already exists (use --force to overwrite)")
    target.parent.mkdir(parents=True, exist_ok=True)
    template = Path(__file__).with_name("templates") / "sources.yaml"
    target.write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
    click.echo(f"wrote {target}: edit it, then run `radar crawl --config {target}`")


@main.command()
@config_option
@click.option("--source", default=None, help="Only these source ids (comma-separated).")
@data_dir_option
@click.option(
    "--shard", default=None, help="Only sources whose id hashes to shard i of N, e.g. 1/4."
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
    2 when every source failed.

    Example: radar crawl --config config/sources.yaml --source acme-changelog
    """
    from radar.config import load_config
    from radar.crawl import effective_settings, run_crawl
    from radar.report import crawl_progress, print_crawl_summary

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


@main.command()
@data_dir_option
@config_option
@json_option
def status(data_dir: str | None, config_path: str, as_json: bool) -> None:
    """Health of every source: last success, last error, failures in a row, suspected breakage.

    Example: radar status --json
    """
    from radar.report import print_status
    from radar.store import Store, existing_store

    settings = load_settings(config_path, data_dir)
    db = existing_store(settings.data_dir)
    store = Store(db)
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


@main.command()
@click.option("--markdown", is_flag=True, help="Print the README's settings table.")
def settings(markdown: bool) -> None:
    """List every setting with its default and help text.

    Example: radar settings
    """
    from radar.settings import SETTINGS, markdown_table

    if markdown:
        click.echo(markdown_table())
        return
    for s in SETTINGS:
        click.echo(f"{s.name} = {s.default!r}\n    {s.help}  (env RADAR_{s.name.upper()})")


from radar import cli_alerts, cli_data, cli_digest, cli_enrich, cli_search, cli_web  # noqa: E402,F401  (register the other commands)
