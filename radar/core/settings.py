"""Every setting in one place, with its default and a help text (datasette's ``Setting``).

Precedence, lowest first: the defaults below, the ``settings:`` section of the sources file,
then environment variables ``RADAR_<NAME>`` (upper case).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from radar.core.checks import Bool, Choice, File, Float, Int, StoreUrl, Template, Text, Url, Workers
from radar.core.errors import ConfigError

Check = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class Setting:
    """One setting: its default, a help text, and the check of its type and range."""

    name: str
    default: Any
    help: str
    check: Check


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "data_dir",
        "radar-data",
        "Folder holding the SQLite store and run logs (env RADAR_HOME also sets it).",
        Text(required=True),
    ),
    Setting(
        "store_url",
        "",
        "Where the store lives: empty is the SQLite file in data_dir; postgresql://user@host/db"
        " a shared PostgreSQL store (env RADAR_STORE_URL; `pip install market-radar[postgres]`).",
        StoreUrl(),
    ),
    Setting(
        "user_agent",
        "MarketRadar/0.1 (+{contact_url})",
        "User-Agent sent with every request; {contact_url} is filled in.",
        Template(("contact_url",)),
    ),
    Setting(
        "contact_url",
        "https://github.com/market-radar/market-radar",
        "A URL or mailto: where site owners can reach whoever runs this crawler.",
        Url(("http", "https", "mailto")),
    ),
    Setting("obey_robots", True, "Obey robots.txt (Scrapy's ROBOTSTXT_OBEY).", Bool()),
    Setting("download_timeout", 30, "Seconds before a request is abandoned.", Int(1, 3600)),
    Setting(
        "download_maxsize",
        10 * 1024 * 1024,
        "Largest response body accepted, in bytes (also bounds gzip expansion).",
        Int(1024, 2**40),
    ),
    Setting(
        "download_warnsize",
        4 * 1024 * 1024,
        "Response size in bytes above which a warning is logged.",
        Int(0, 2**40),
    ),
    Setting("retry_times", 2, "Retries for timeouts, 5xx and connection errors.", Int(0, 20)),
    Setting(
        "retry_after_max",
        30,
        "Longest Retry-After (seconds) honoured before a retry; longer ones give up at once.",
        Int(0, 3600),
    ),
    Setting("concurrent_requests", 16, "Requests in flight across all sites.", Int(1, 1000)),
    Setting(
        "concurrent_requests_per_domain",
        2,
        "Requests in flight per site (politeness).",
        Int(1, 100),
    ),
    Setting(
        "autothrottle",
        True,
        "Adapt the delay per site to its latency (Scrapy AutoThrottle).",
        Bool(),
    ),
    Setting(
        "download_delay", 0.0, "Minimum seconds between two requests to one site.", Float(0, 3600)
    ),
    Setting(
        "parse_workers",
        "auto",
        "Processes that parse crawled pages beside the crawl: auto is one per core, 0 parses in"
        " the crawl's own process.",
        Workers(256),
    ),
    Setting(
        "allow_private_networks",
        False,
        "Allow URLs resolving to private, loopback or link-local addresses (the demo and tests need 127.0.0.1).",
        Bool(),
    ),
    Setting(
        "github_base_url",
        "https://github.com",
        "Base URL for github_releases sources given as repo: owner/name.",
        Url(),
    ),
    Setting(
        "chromium_path",
        "/usr/bin/chromium",
        "Chromium that `render: true` sources drive through Playwright (Debian: apt-get install -y chromium).",
        Text(required=True),
    ),
    Setting(
        "render_timeout",
        20,
        "Seconds a `render: true` page may take to load and settle in the browser.",
        Int(1, 600),
    ),
    Setting(
        "render_concurrency",
        2,
        "Browser pages rendered at once (each costs memory; other requests are not limited).",
        Int(1, 32),
    ),
    Setting(
        "broken_drop_ratio",
        0.5,
        "A source whose item count falls below this share of its recent median is flagged as probably broken.",
        Float(0, 1),
    ),
    Setting(
        "log_level",
        "WARNING",
        "Console log level for crawls (the run log file always gets INFO).",
        Choice(("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"), upper=True),
    ),
    Setting(
        "search_backend",
        "sqlite",
        "Search backend: 'sqlite' (embedded, no service), 'elasticsearch' or 'opensearch' (both use the es_* settings).",
        Choice(("sqlite", "elasticsearch", "opensearch")),
    ),
    Setting(
        "search_sqlite_path",
        "",
        "File of the embedded search index; empty keeps it in the store's own radar.db.",
        Text(),
    ),
    Setting(
        "es_url",
        "http://127.0.0.1:9200",
        "Elasticsearch (or OpenSearch) URL (env RADAR_ES_URL).",
        Url(),
    ),
    Setting(
        "es_index",
        "market-radar",
        "Alias the Elasticsearch backend reads and writes; documents live in <es_index>-v<N>.",
        Text(True, r"[a-z0-9][a-z0-9._-]{0,200}", "lower-case letters, digits, ., _ or -"),
    ),
    Setting(
        "es_username", "", "Elasticsearch user for basic auth (env RADAR_ES_USERNAME).", Text()
    ),
    Setting(
        "es_password",
        "",
        "Password for es_username; set it through RADAR_ES_PASSWORD, never logged.",
        Text(),
    ),
    Setting(
        "es_api_key",
        "",
        "Elasticsearch API key (base64 'id:key'), used instead of user/password; env RADAR_ES_API_KEY.",
        Text(),
    ),
    Setting("es_verify_certs", True, "Verify the cluster's TLS certificate (https URLs).", Bool()),
    Setting(
        "es_timeout",
        10,
        "Seconds before an Elasticsearch request is abandoned (then retried).",
        Int(1, 3600),
    ),  # enrichment
    Setting(
        "embedding_model",
        "default",
        "sentence-transformers model name or local path; 'default' is the bundled all-MiniLM-L6-v2; 'hash' is a model-free hashing embedder (fast tests, poor themes).",
        Text(required=True),
    ),
    Setting(
        "embedding_device",
        "auto",
        "Device for embeddings: auto (CUDA when present), cpu or cuda.",
        Text(True, r"auto|cpu|mps|cuda(:\d+)?", "auto, cpu, cuda, cuda:N or mps"),
    ),
    Setting("embedding_batch_size", 64, "Texts per embedding batch.", Int(1, 4096)),
    Setting(
        "embedding_precision",
        "auto",
        "Weights precision: auto (bf16 on CPUs with native bf16, else fp32), fp32, bf16 or fp16.",
        Choice(("auto", "fp32", "bf16", "fp16")),
    ),
    Setting(
        "themes_file",
        "",
        "Configured themes (name, description, examples, keywords, threshold); empty: themes.yaml beside the sources file, else the default themes shipped with Market Radar. A relative path in the sources file is relative to that file.",
        File(),
    ),
    Setting(
        "theme_window_days",
        90,
        "Days of items that `radar themes fit` clusters into discovered themes.",
        Int(1, 3650),
    ),
    Setting(
        "min_cluster_items",
        50,
        "Fewest items in the window before discovered themes are fitted.",
        Int(2, 10**6),
    ),
    Setting(
        "event_similarity",
        0.78,
        "Cosine similarity above which two items from different sources are one event.",
        Float(0, 1),
    ),
    Setting(
        "event_window_days",
        7,
        "Days apart within which near-duplicates are grouped into one event.",
        Int(0, 365),
    ),
    # alerts and digest
    Setting(
        "alerts_file",
        "",
        "Alert rules and channels (apprise URLs); empty: alerts.yaml beside the sources file, else no alerts. A relative path in the sources file is relative to that file.",
        Text(),
    ),
    Setting(
        "digest_to",
        "",
        "Digest recipients for `radar digest --send`, comma-separated.",
        Text(False, r"[^,@]*@[^,@]+(,[^,@]*@[^,@]+)*", "e-mail addresses separated by commas"),
    ),
    Setting("smtp_host", "127.0.0.1", "SMTP server for the digest.", Text(required=True)),
    Setting("smtp_port", 25, "SMTP port (587 for STARTTLS, 465 for SSL).", Int(1, 65535)),
    Setting("smtp_tls", "none", "none, starttls or ssl.", Choice(("none", "starttls", "ssl"))),
    Setting("smtp_user", "", "SMTP user (empty: no login).", Text()),
    Setting(
        "smtp_password",
        "",
        "SMTP password; set it through RADAR_SMTP_PASSWORD, never in a file.",
        Text(),
    ),
    Setting(
        "smtp_from",
        "Market Radar <radar@localhost>",
        "From address of the digest.",
        Text(required=True),
    ),
    # web UI
    Setting(
        "serve_host",
        "127.0.0.1",
        "Address `radar serve` binds to; any address but loopback requires serve_token.",
        Text(required=True),
    ),
    Setting("serve_port", 8080, "Port of `radar serve`.", Int(0, 65535)),
    Setting(
        "serve_token",
        "",
        "Bearer token the web UI and API require (needed off loopback); set it through RADAR_SERVE_TOKEN.",
        Text(),
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}
SECRETS = frozenset({"es_password", "es_api_key", "smtp_password", "serve_token", "store_url"})


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
            values["data_dir"] = _coerce("data_dir", env["RADAR_HOME"], " (env RADAR_HOME)")
        for s in SETTINGS:
            raw = env.get(f"RADAR_{s.name.upper()}")
            if raw is not None:
                values[s.name] = _coerce(s.name, raw, f" (env RADAR_{s.name.upper()})")
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


def _coerce(name: str, value: Any, where: str = "") -> Any:
    """The value checked against its setting's type and range; ConfigError in one line if not."""
    setting = _BY_NAME[name]
    try:
        return setting.check(value, setting.default)
    except ValueError as exc:
        shown = "a hidden value" if name in SECRETS else repr(value)
        raise ConfigError(f"setting '{name}'{where} {exc}, got {shown}") from None
