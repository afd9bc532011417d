"""Every setting in one place, with its default and a help text (datasette's ``Setting``).

Precedence, lowest first: the defaults below, the ``settings:`` section of the sources file,
then environment variables ``RADAR_<NAME>`` (upper case).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from radar.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "data_dir",
        "radar-data",
        "Folder holding the SQLite store and run logs (env RADAR_HOME also sets it).",
    ),
    Setting(
        "user_agent",
        "MarketRadar/0.1 (+{contact_url})",
        "User-Agent sent with every request; {contact_url} is filled in.",
    ),
    Setting(
        "contact_url",
        "https://github.com/market-radar/market-radar",
        "A URL or mailto: where site owners can reach whoever runs this crawler.",
    ),
    Setting("obey_robots", True, "Obey robots.txt (Scrapy's ROBOTSTXT_OBEY)."),
    Setting("download_timeout", 30, "Seconds before a request is abandoned."),
    Setting(
        "download_maxsize",
        10 * 1024 * 1024,
        "Largest response body accepted, in bytes (also bounds gzip expansion).",
    ),
    Setting(
        "download_warnsize",
        4 * 1024 * 1024,
        "Response size in bytes above which a warning is logged.",
    ),
    Setting("retry_times", 2, "Retries for timeouts, 5xx and connection errors."),
    Setting(
        "retry_after_max",
        30,
        "Longest Retry-After (seconds) honoured before a retry; longer ones give up at once.",
    ),
    Setting("concurrent_requests", 16, "Requests in flight across all sites."),
    Setting("concurrent_requests_per_domain", 2, "Requests in flight per site (politeness)."),
    Setting("autothrottle", True, "Adapt the delay per site to its latency (Scrapy AutoThrottle)."),
    Setting("download_delay", 0.0, "Minimum seconds between two requests to one site."),
    Setting(
        "allow_private_networks",
        False,
        "Allow URLs resolving to private, loopback or link-local addresses (the demo and tests need 127.0.0.1).",
    ),
    Setting(
        "github_base_url",
        "https://github.com",
        "Base URL for github_releases sources given as repo: owner/name.",
    ),
    Setting(
        "broken_drop_ratio",
        0.5,
        "A source whose item count falls below this share of its recent median is flagged as probably broken.",
    ),
    Setting(
        "log_level", "WARNING", "Console log level for crawls (the run log file always gets INFO)."
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


class Settings(Mapping[str, Any]):
    """Read-only view of the effective settings."""

    def __init__(
        self, overrides: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
    ):
        values = {s.name: s.default for s in SETTINGS}
        for key, value in (overrides or {}).items():
            if key not in _BY_NAME:
                raise ConfigError(f"unknown setting '{key}' (see `radar settings` for the list)")
            values[key] = _coerce(key, value)
        env = os.environ if env is None else env
        if env.get("RADAR_HOME"):
            values["data_dir"] = env["RADAR_HOME"]
        for s in SETTINGS:
            raw = env.get(f"RADAR_{s.name.upper()}")
            if raw is not None:
                values[s.name] = _coerce(s.name, raw)
        self._values = values

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def with_overrides(self, **kw: Any) -> Settings:
        new = Settings.__new__(Settings)
        new._values = {**self._values, **{k: _coerce(k, v) for k, v in kw.items() if v is not None}}
        return new

    @property
    def data_dir(self) -> Path:
        return Path(self._values["data_dir"])


def _coerce(name: str, value: Any) -> Any:
    default = _BY_NAME[name].default
    try:
        if isinstance(default, bool):
            if isinstance(value, str):
                lowered = value.strip().lower()
                if lowered not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
                    raise ValueError(value)
                return lowered in {"1", "true", "yes", "on"}
            return bool(value)
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
        return str(value)
    except (TypeError, ValueError):
        kind = type(default).__name__
        raise ConfigError(f"setting '{name}' must be a {kind}, got {value!r}") from None
