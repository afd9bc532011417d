"""`radar serve`: the web UI and JSON API over the trend index (read-only)."""

from __future__ import annotations

import ipaddress

import click

from radar.cli.base import config_option, data_dir_option, load_settings
from radar.core.errors import ConfigError, RadarError

LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"]


def is_loopback(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def loopback_hosts(host: str) -> list[str]:
    """Host headers accepted on loopback: the usual names and the address bound (127.0.0.2...)."""
    bound = host.strip("[]")
    return list(dict.fromkeys([*LOOPBACK_HOSTS, f"[{bound}]" if ":" in bound else bound]))


@click.command("serve")
@click.option("--host", default=None, help="Address to bind (default: setting serve_host, 127.0.0.1).")  # fmt: skip
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port (default: setting serve_port, 8080).")  # fmt: skip
@click.option("--workers", type=click.IntRange(1, 16), default=2, show_default=True,
              help="Threads answering queries (each holds its own store connection).")  # fmt: skip
@config_option
@data_dir_option
def serve(host: str | None, port: int | None, workers: int, config_path: str,
          data_dir: str | None) -> None:  # fmt: skip
    """Serve the web UI and JSON API (search, trends, themes, digests, sources), read-only.

    Binds to 127.0.0.1 by default; any other address needs a token (RADAR_SERVE_TOKEN), sent
    as `Authorization: Bearer <token>` or opened once as ?token=<token>.

    Example: radar serve --port 8080      (then open http://127.0.0.1:8080/)
    """
    settings = load_settings(config_path, data_dir)
    host = host or settings["serve_host"]
    port = settings["serve_port"] if port is None else port
    token = settings["serve_token"] or None
    loopback = is_loopback(host)
    if not loopback and not token:
        raise ConfigError(
            f"refusing to serve on {host} without a token: set RADAR_SERVE_TOKEN (setting"
            " serve_token), or bind to 127.0.0.1"
        )
    from radar.store import existing_store, store_is_file

    hint = "run `radar crawl` (or `radar import`) first"
    db = existing_store(settings.data_dir, hint) if store_is_file(settings) else None
    try:
        import uvicorn

        from radar.web import create_app
    except ImportError as exc:
        raise RadarError(f"the web UI needs {exc.name}: pip install market-radar") from None
    app = create_app(
        settings, db, token=token, allowed_hosts=loopback_hosts(host) if loopback else None,
        workers=workers, warm=True,
    )  # fmt: skip
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Market Radar on http://{shown}:{port}/ over {db} (read-only; Ctrl-C stops)")
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)


COMMANDS = [serve]
