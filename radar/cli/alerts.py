"""`radar alerts`: run, test and inspect theme alerts."""

from __future__ import annotations

import json
from typing import Any

import click

from radar.cli.base import config_option, data_dir_option, json_option, load_settings
from radar.services import build_alert_engine, load_alert_rules


def build_engine(config_path: str, data_dir: str | None) -> Any:
    from radar.store import open_store

    settings = load_settings(config_path, data_dir)
    rules = load_alert_rules(settings)
    return build_alert_engine(open_store(settings, create=False), settings, rules)


@click.group()
def alerts() -> None:
    """Theme alerts: deliver new matching items once per rule (Slack, Teams, email, webhooks)."""


@alerts.command("run")
@config_option
@data_dir_option
@json_option
def alerts_run(config_path: str, data_dir: str | None, as_json: bool) -> None:
    """Match new items against the rules and deliver them; failed deliveries are retried next run.

    Example: radar alerts run
    """
    summary = build_engine(config_path, data_dir).run()
    if as_json:
        click.echo(json.dumps(summary.to_json(), indent=2))
    else:
        click.echo(
            f"alerts: {summary.matched} new matches, {summary.delivered} delivered in {summary.messages} messages, "
            f"{summary.failed} failed (retried next run)"
            + (f", spikes: {'; '.join(summary.spikes)}" if summary.spikes else "")
        )
        for error in summary.errors:
            click.echo(f"  {error}", err=True)
    raise SystemExit(1 if summary.failed and not summary.delivered else 0)


@alerts.command("test")
@click.argument("rule_id")
@config_option
@data_dir_option
def alerts_test(rule_id: str, config_path: str, data_dir: str | None) -> None:
    """Send a sample message to each channel of one rule.

    Example: radar alerts test security-moves
    """
    lines = build_engine(config_path, data_dir).test(rule_id)
    for line in lines:
        click.echo(line)
    raise SystemExit(1 if any("FAILED" in line for line in lines) else 0)


@alerts.command("history")
@click.option("--limit", type=int, default=50, show_default=True)
@config_option
@data_dir_option
@json_option
def alerts_history(limit: int, config_path: str, data_dir: str | None, as_json: bool) -> None:
    """What was sent (or is waiting for a retry), newest first.

    Example: radar alerts history --limit 20
    """
    rows = build_engine(config_path, data_dir).history(limit)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        when = (r["sent_at"] or r["created"])[:16]
        error = f"  ({r['last_error']})" if r["last_error"] else ""
        click.echo(
            f"{when}  {r['status']:<7} {r['rule_id']} → {r['channel']}: {r['line'][:90]}{error}"
        )


@click.command()
@config_option
@data_dir_option
@click.option(
    "--shard",
    default=None,
    help="Only sources whose id hashes to shard i of N, e.g. 2/4; `auto` takes i/N from a"
    " Kubernetes Indexed Job (JOB_COMPLETION_INDEX + 1, JOB_COMPLETIONS).",
)
@json_option
@click.option("-v", "--verbose", is_flag=True, help="Log details to the console.")
def daily(
    config_path: str, data_dir: str | None, shard: str | None, as_json: bool, verbose: bool
) -> None:
    """Crawl, enrich, index and send alerts: the job to schedule once a day.

    Exit codes: 0 done, 1 config error, 2 every source failed, 3 a stage after the crawl failed,
    4 another run is still going, 5 the store could not be written (disk full).

    Example: radar daily --config config/sources.yaml
    """
    from radar.cli.base import setup_logging
    from radar.core.config import effective_settings, load_config
    from radar.core.sharding import resolve_shard
    from radar.daily import run_daily

    shard = resolve_shard(shard)
    config = load_config(config_path)
    settings = effective_settings(config, data_dir)
    setup_logging(
        "INFO" if verbose else settings["log_level"], settings.data_dir / "logs" / "daily.log"
    )

    def show(stage: Any) -> None:
        if not as_json:
            state = "ok" if stage.ok else f"FAILED: {stage.error}"
            click.echo(
                f"{stage.name:<8} {state}  ({stage.seconds:.1f}s, peak {stage.peak_mib:.0f} MiB) {_brief(stage.counts)}"
            )

    summary = run_daily(config, data_dir=data_dir, shard=shard, on_stage=show)
    if as_json:
        click.echo(json.dumps(summary.to_json(), indent=2, default=str))
    elif summary.failed_stage:
        click.echo(f"daily run {summary.run_id}: stage '{summary.failed_stage}' failed", err=True)
    raise SystemExit(summary.exit_code)


def _brief(counts: dict[str, Any]) -> str:
    keys = (
        "new",
        "changed",
        "removed",
        "failed",
        "processed",
        "indexed",
        "deleted",
        "matched",
        "delivered",
    )
    return ", ".join(f"{k} {counts[k]}" for k in keys if isinstance(counts.get(k), int))


COMMANDS = [alerts, daily]
