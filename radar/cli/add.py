"""`radar add`: discover a competitor's sources from its domain and add them to sources.yaml."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from radar.cli.base import config_option, data_dir_option, json_option, setup_logging


@click.command()
@click.argument("target")
@click.option("--name", default=None, help="Competitor name (default: the site's own name).")
@click.option("--yes", is_flag=True, help="Add the proposed sources without asking.")
@config_option
@data_dir_option
@json_option
def add(
    target: str, name: str | None, yes: bool, config_path: str, data_dir: str | None, as_json: bool
) -> None:
    """Find a competitor's changelog, feeds, GitHub releases and pricing page, and add them.

    Follows what a person would from the home page (feed links, "What's new" and "Pricing"
    links, common paths, the sitemap, GitHub and docs links) in at most 40 requests, through the
    crawl's robots.txt, address guard and limits; tries each with the real extractors; prints a
    table and adds the competitor and its sources to the sources file (comments kept).

    Example: radar add acme.com --name "Acme Analytics" --yes
    """
    from radar.add import discover_site, load_if_present, propose, write_proposal
    from radar.core.config import effective_settings

    path = Path(config_path)
    config = load_if_present(path)
    settings = effective_settings(config, data_dir)
    setup_logging(settings["log_level"])
    proposal = propose(discover_site(target, settings), config, name)
    if not as_json:
        _print_table(proposal)
    write = yes or (not as_json and bool(proposal.sources) and _confirm(proposal, path))
    if as_json:
        click.echo(
            json.dumps(
                {**proposal.to_json(), "written": write and bool(proposal.sources)}, indent=2
            )
        )
    if write and proposal.sources:
        write_proposal(path, proposal)
        if not as_json:
            click.echo(f"added {len(proposal.sources)} source(s) to {path}: run `radar crawl`")
    elif not as_json and not proposal.sources:
        click.echo("nothing new to add")


def _confirm(proposal: Any, path: Path) -> bool:
    if not sys.stdin.isatty():
        click.echo("not a terminal: nothing written (use --yes to add without asking)")
        return False
    what = "to the existing competitor" if proposal.existing else "as a new competitor"
    return click.confirm(f"Add {len(proposal.sources)} source(s) {what} in {path}?", default=True)


def _print_table(proposal: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    known = "existing competitor" if proposal.existing else "new competitor"
    table = Table(title=f"{proposal.name} ({proposal.competitor_id}, {known}): {proposal.homepage}")
    for column in ("id", "type", "URL", "found", "confidence"):
        table.add_column(column)
    for p in proposal.sources:
        f = p.finding
        url = p.entry.get("repo") or f.url
        render = " (render: true)" if f.render else ""
        table.add_row(p.entry["id"], f.type, url, f.found + render, f.confidence)
    for f in proposal.already:
        table.add_row("(already in the file)", f.type, f.repo or f.url, f.found, f.confidence)
    Console(width=160).print(table)
    _print_not_chosen(proposal)


def _print_not_chosen(proposal: Any) -> None:
    chosen = {p.finding.url for p in proposal.sources} | {f.url for f in proposal.already}
    rejected = [f for f in proposal.findings if f.url not in chosen]
    for f in rejected[:8]:
        click.echo(f"  not added: {f.type} {f.url}: {f.found}")
    if len(rejected) > 8:
        click.echo(f"  ... and {len(rejected) - 8} more candidates not added")


COMMANDS = [add]
