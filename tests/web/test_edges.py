"""Web edges: security headers on every answer, no redirect off the site, bounded date ranges,
and `radar serve` on any loopback address."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from radar.cli.web import loopback_hosts
from radar.web import create_app
from radar.web.security import CSP, HEADERS
from tests.web.store import settings

ROOT = Path(__file__).resolve().parents[2]


def test_a_foreign_host_gets_its_400_with_every_security_header(web_data: Path) -> None:
    app = create_app(settings(web_data), allowed_hosts=["127.0.0.1", "localhost"])
    with TestClient(app, base_url="http://127.0.0.1:8080") as client:
        refused = client.get("/", headers={"host": "evil.example"})
    assert refused.status_code == 400
    assert {k: refused.headers.get(k) for k in HEADERS} == HEADERS
    assert refused.headers["content-security-policy"] == CSP


@pytest.mark.parametrize(
    "path", ["//evil.example/x", "///evil.example/x", "/%2Fevil.example/x", "/%5Cevil.example/x"]
)
def test_the_token_redirect_stays_on_the_site(web_data: Path, path: str) -> None:
    with TestClient(create_app(settings(web_data), token="s3cret")) as client:
        response = client.get(f"http://testserver{path}?token=s3cret&q=1", follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\"))
    assert httpx.URL("http://testserver/").join(location).host == "testserver"
    assert location.endswith("?q=1")


@pytest.mark.parametrize(
    "query", ["since=0001-01-01", "until=9999-12-31", "since=2000-01-01&until=2026-01-01"]
)
def test_a_trend_range_of_centuries_is_a_quick_clear_400(client: TestClient, query: str) -> None:
    for path in ("/trends", "/api/trends"):
        started = time.monotonic()
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, path
        assert time.monotonic() - started < 1.0
    assert re.search("longer than 5 years|more than a year ahead", response.json()["error"])


def test_a_trend_range_of_four_years_is_answered(client: TestClient) -> None:
    response = client.get("/api/trends?since=2022-01-01&until=2025-12-31&interval=month")
    assert response.status_code == 200 and len(response.json()["buckets"]) == 48


def test_loopback_hosts_include_the_address_bound() -> None:
    assert "127.0.0.2" in loopback_hosts("127.0.0.2")
    assert "[::1]" in loopback_hosts("::1") and "localhost" in loopback_hosts("127.0.0.1")


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _get(url: str, deadline: float, proc: Any) -> httpx.Response:
    while True:
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise
            time.sleep(0.05)  # polling with a deadline until the server listens


def test_radar_serve_on_another_loopback_address_answers(web_data: Path, tmp_path: Path) -> None:
    port = _free_port("127.0.0.2")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RADAR_EMBEDDING_MODEL": "hash",
           "RADAR_SERVE_TOKEN": ""}  # fmt: skip
    args = ["serve", "--host", "127.0.0.2", "--port", str(port), "--data-dir", str(web_data),
            "--config", str(tmp_path / "none.yaml")]  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-m", "radar", *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    try:
        response = _get(f"http://127.0.0.2:{port}/api/sources", time.monotonic() + 30, proc)
        assert response.status_code == 200
        assert response.headers["content-security-policy"] == CSP
    finally:
        proc.terminate()
        proc.wait(10)
