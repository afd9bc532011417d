"""The `radar` command: a thin layer over the library.

Expected failures print one line and exit non-zero; no tracebacks for what a user can fix.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import sqlite3
import sys
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import click

from radar.core.config import Config, effective_settings, load_config
from radar.core.errors import RadarError
from radar.core.settings import Settings

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
    """Turn RadarError into one readable line and its exit code; load a command's module on first
    use, so a command pays only for its own imports (``radar add`` starts without the web UI's)."""

    lazy: Mapping[str, str] = MappingProxyType({})  # command name -> module listing it in COMMANDS

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            for command in importlib.import_module(self.lazy[cmd_name]).COMMANDS:
                self.add_command(command)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RadarError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except (sqlite3.DatabaseError, OSError) as exc:
            error = _known_failure(exc)
            if error is None:
                raise
            click.echo(f"error: {error}", err=True)
            ctx.exit(error.exit_code)


def _known_failure(exc: BaseException) -> RadarError | None:
    """A full disk (any command's write) or a damaged store met past the check on open."""
    from radar.writefail import is_write_failure, write_error

    if is_write_failure(exc):
        return write_error("the data dir", exc)
    if isinstance(exc, sqlite3.DatabaseError):
        from radar.store import corrupt_error, is_corruption

        if is_corruption(exc):
            return corrupt_error("file (radar.db in the data dir)", str(exc))
    return None


@click.group(cls=RadarGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="market-radar")
def main() -> None:
    """Market Radar: crawl what competitors ship and what the industry says.

    \b
    Quick start:
      radar init                 # write config/sources.yaml, themes.yaml, alerts.yaml
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


class _RunLog(logging.FileHandler):
    """The run log; when it cannot be written (disk full), one warning and the console goes on."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        logging.getLogger().removeHandler(self)
        error = sys.exc_info()[1]
        print(f"warning: cannot write the run log {self.baseFilename} ({error}); console only",
              file=sys.stderr)  # fmt: skip
        with contextlib.suppress(OSError):
            self.close()


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
        handler = _RunLog(log_file, encoding="utf-8")
        handler.setLevel(logging.INFO)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)


def load_optional_config(config_path: str | None) -> Config | None:
    """The sources file when there is one (commands that only read the store work without it)."""
    return load_config(config_path) if config_path and Path(config_path).exists() else None


def load_settings(config_path: str | None, data_dir: str | None) -> Settings:
    """Settings the one way (`effective_settings`), from the sources file when there is one."""
    return effective_settings(load_optional_config(config_path), data_dir)
