"""Sources behind basic auth: credentials from the URL or the `auth` option, never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.credentials import auth_meta, redact, strip_credentials
from radar.core.config import load_config
from tests.conftest import run_radar, write_config
from tests.mockserver import AUTH_PASSWORD, AUTH_USER, MockServer

QUOTED = AUTH_PASSWORD.replace(":", "%3A")


def test_credentials_leave_the_url_and_become_request_meta() -> None:
    url = f"http://{AUTH_USER}:{QUOTED}@127.0.0.1:8080/feed.xml"
    assert strip_credentials(url) == ("http://127.0.0.1:8080/feed.xml", AUTH_USER, AUTH_PASSWORD)
    assert auth_meta(url) == {
        "http_user": AUTH_USER,
        "http_pass": AUTH_PASSWORD,
        "http_auth_domain": "127.0.0.1:8080",
    }
    assert auth_meta("https://example.com/feed.xml") == {}


def test_redact_hides_every_password_in_a_text() -> None:
    text = "GET http://u:pw@a.example/x failed; https://token@b.example/ too; mailto:me@c.example"
    assert redact(text) == (
        "GET http://u:***@a.example/x failed; https://token:***@b.example/ too; mailto:me@c.example"
    )


def test_the_auth_option_reads_the_password_from_the_environment(tmp_path: Path) -> None:
    cfg = tmp_path / "s.yaml"
    cfg.write_text(
        "industry:\n  - id: f\n    url: https://example.com/feed.xml\n"
        "    auth: {username: reader, password: '${FEED_PASSWORD}'}\n"
    )
    (source,) = load_config(cfg, env={"FEED_PASSWORD": "pw"}).sources
    assert (source.auth.username, source.auth.password) == ("reader", "pw")  # type: ignore[union-attr]
    assert "pw" not in repr(source)


def _config(tmp_path: Path, server: MockServer, password: str) -> Path:
    host = server.url.removeprefix("http://")
    feed = f"{server.url}/auth/feed.xml"
    return write_config(
        tmp_path / "s.yaml",
        "  - name: Testco\n    sources:\n"
        f'      - {{id: in-url, type: feed, url: "http://{AUTH_USER}:{password}@{host}/auth/feed.xml"}}\n'
        f'      - {{id: option, type: feed, url: "{feed}",'
        f' auth: {{username: {AUTH_USER}, password: "${{FEED_PASSWORD}}"}}}}\n'
        f'      - {{id: none, type: feed, url: "{feed}"}}\n'
        f'      - {{id: broken, type: feed, url: "http://{AUTH_USER}:{password}@{host}/status/404"}}\n',
    )


@pytest.mark.parametrize("password", [QUOTED])
def test_basic_auth_sources_are_crawled_and_the_password_is_shown_nowhere(
    server: MockServer, tmp_path: Path, password: str
) -> None:
    cfg = _config(tmp_path, server, password)
    data = tmp_path / "data"
    env = {"FEED_PASSWORD": AUTH_PASSWORD}
    result = run_radar(
        "crawl", "--config", str(cfg), "--data-dir", str(data), "--json", "-v", env=env
    )
    assert result.source("in-url")["ok"] and result.source("in-url")["new"] == 3
    assert result.source("option")["ok"] and result.source("option")["new"] == 3
    assert "401" in result.source("none")["error"]
    assert "404" in result.source("broken")["error"]
    status = run_radar("status", "--config", str(cfg), "--data-dir", str(data), "--json", env=env)
    urls = {s["id"]: s["url"] for s in status.data["sources"]}
    host = server.url.removeprefix("http://")
    assert urls["in-url"] == f"http://{AUTH_USER}:***@{host}/auth/feed.xml"
    shown = [
        result.stdout,
        result.stderr,
        status.stdout,
        (data / "radar.db").read_bytes().decode("latin-1"),
    ]
    shown += [p.read_text() for p in (data / "logs").glob("*")]
    for text in shown:
        assert AUTH_PASSWORD not in text and QUOTED not in text


def test_a_wrong_password_is_an_http_401(server: MockServer, tmp_path: Path) -> None:
    cfg = _config(tmp_path, server, "wrong")
    result = run_radar(
        "crawl",
        "--config",
        str(cfg),
        "--data-dir",
        str(tmp_path / "d"),
        "--json",
        env={"FEED_PASSWORD": "wrong"},
    )
    assert "HTTP 401" in result.source("in-url")["error"]
