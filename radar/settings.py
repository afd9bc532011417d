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
    Setting(
        "search_backend",
        "sqlite",
        "Search backend: 'sqlite' (embedded, no service) or 'elasticsearch'.",
    ),
    Setting(
        "search_sqlite_path",
        "",
        "File of the embedded search index; empty keeps it in the store's own radar.db.",
    ),
    Setting(
        "es_url", "http://127.0.0.1:9200", "Elasticsearch (or OpenSearch) URL (env RADAR_ES_URL)."
    ),
    Setting(
        "es_index",
        "market-radar",
        "Alias the Elasticsearch backend reads and writes; documents live in <es_index>-v<N>.",
    ),
    Setting("es_username", "", "Elasticsearch user for basic auth (env RADAR_ES_USERNAME)."),
    Setting(
        "es_password",
        "",
        "Password for es_username; set it through RADAR_ES_PASSWORD, never logged.",
    ),
    Setting(
        "es_api_key",
        "",
        "Elasticsearch API key (base64 'id:key'), used instead of user/password; env RADAR_ES_API_KEY.",
    ),
    Setting("es_verify_certs", True, "Verify the cluster's TLS certificate (https URLs)."),
    Setting(
        "es_timeout", 10, "Seconds before an Elasticsearch request is abandoned (then retried)."
    ),  # enrichment
    Setting(
        "embedding_model",
        "default",
        "sentence-transformers model name or local path; 'default' is the bundled all-MiniLM-L6-v2; 'hash' is a model-free hashing embedder (fast tests, poor themes).",
    ),
    Setting(
        "embedding_device", "auto", "Device for embeddings: auto (CUDA when present), cpu or cuda."
    ),
    Setting("embedding_batch_size", 64, "Texts per embedding batch."),
    Setting(
        "embedding_precision",
        "auto",
        "Weights precision: auto (bf16 on CPUs with native bf16, else fp32), fp32, bf16 or fp16.",
    ),
    Setting(
        "themes_file",
        "config/themes.yaml",
        "Configured themes (name, description, examples, keywords, threshold).",
    ),
    Setting(
        "theme_window_days",
        90,
        "Days of items that `radar themes fit` clusters into discovered themes.",
    ),
    Setting(
        "min_cluster_items", 50, "Fewest items in the window before discovered themes are fitted."
    ),
    Setting(
        "event_similarity",
        0.78,
        "Cosine similarity above which two items from different sources are one event.",
    ),
    Setting(
        "event_window_days",
        7,
        "Days apart within which near-duplicates are grouped into one event.",
    ),
    # alerts and digest
    Setting("alerts_file", "config/alerts.yaml", "Alert rules and channels (apprise URLs)."),
    Setting("digest_to", "", "Digest recipients for `radar digest --send`, comma-separated."),
    Setting("smtp_host", "127.0.0.1", "SMTP server for the digest."),
    Setting("smtp_port", 25, "SMTP port (587 for STARTTLS, 465 for SSL)."),
    Setting("smtp_tls", "none", "none, starttls or ssl."),
    Setting("smtp_user", "", "SMTP user (empty: no login)."),
    Setting(
        "smtp_password", "", "SMTP password; set it through RADAR_SMTP_PASSWORD, never in a file."
    ),
    Setting("smtp_from", "Market Radar <radar@localhost>", "From address of the digest."),
    # web UI
    Setting(
        "serve_host",
        "127.0.0.1",
        "Address `radar serve` binds to; any address but loopback requires serve_token.",
    ),
    Setting("serve_port", 8080, "Port of `radar serve`."),
    Setting(
        "serve_token",
        "",
        "Bearer token the web UI and API require (needed off loopback); set it through RADAR_SERVE_TOKEN.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def markdown_table() -> str:
    """The settings as the Markdown table kept in the README (a test keeps them equal)."""
    rows = ["| setting | default | what it does |", "|---|---|---|"]
    rows += [f"| `{s.name}` | `{s.default!r}` | {s.help.replace('|', '/')} |" for s in SETTINGS]
    return "\n".join(rows)


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
