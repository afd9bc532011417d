"""Only http(s) leaves the crawler, only to public addresses, checked where Scrapy connects."""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.settings import Settings as ScrapySettings
from scrapy.utils.conf import build_component_list
from twisted.internet.error import DNSLookupError

from crawlers import guard
from crawlers.middlewares import AddressGuardMiddleware, RefusedAddress
from crawlers.settings import scrapy_settings
from radar.core.settings import Settings
from radar.store import Store
from tests.conftest import ROOT, CrawlResult, crawl, source_lines, write_config
from tests.mockserver import MockServer

SECRET = "TOPSECRET-7f3a"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "data:text/plain,hi",
        "s3://bucket/key",
        "ftp://127.0.0.1/x",
        "about:blank",
    ],
)
def test_only_http_and_https_urls_pass_the_guard_even_with_private_networks_allowed(
    url: str,
) -> None:
    with pytest.raises(RefusedAddress, match="only http and https URLs are fetched"):
        AddressGuardMiddleware(allow_private=True).process_request(Request(url))


def test_a_url_without_a_host_name_is_refused() -> None:
    assert guard.url_problem("http:///etc/passwd") == "refused a URL without a host name"
    assert guard.url_problem("https://example.com/feed") is None


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "::1",
        "fd00::1",
        "::127.0.0.1",
        "::ffff:127.0.0.1",
        "64:ff9b::7f00:1",
        "64:ff9b::a9fe:a9fe",
        "2002:7f00:1::1",
        "2002:a00:1::1",
        "224.0.0.1",
    ],
)
def test_private_loopback_link_local_and_embedded_ipv4_addresses_are_not_public(
    address: str,
) -> None:
    assert not guard.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700::1111", "64:ff9b::5db8:d822"])
def test_public_addresses_pass(address: str) -> None:
    assert guard.is_public(ipaddress.ip_address(address))


def test_a_failed_lookup_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    guard.resolve.cache_clear()
    monkeypatch.setattr(socket, "getaddrinfo", fail)
    try:
        with pytest.raises(RefusedAddress, match="DNS lookup failed"):
            AddressGuardMiddleware(allow_private=False).process_request(
                Request("http://no-such-host.test/feed.xml")
            )
    finally:
        guard.resolve.cache_clear()


def test_the_resolver_refuses_a_private_answer_unless_allowed() -> None:
    resolver = guard.GuardedResolver.__new__(guard.GuardedResolver)
    with pytest.raises(DNSLookupError, match="non-public address 127.0.0.1"):
        resolver._check("127.0.0.1", "rebind.test")
    assert resolver._check("93.184.216.34", "example.com") == "93.184.216.34"


def test_scrapy_settings_switch_off_other_schemes_and_install_the_guarded_resolver() -> None:
    settings = ScrapySettings(scrapy_settings(Settings(env={})))
    handlers = settings.getwithbase("DOWNLOAD_HANDLERS")
    assert {s for s, h in handlers.items() if h} == {"http", "https"}
    assert settings["TWISTED_DNS_RESOLVER"] == "crawlers.guard.GuardedResolver"


def test_a_json_feed_entry_or_a_redirect_to_a_local_file_is_never_read(
    server: MockServer, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(f"<html><body><article><p>{SECRET} " * 40 + "</p></article></body></html>")
    redirect = f"{server.url}/redirect/to?url={secret.as_uri()}"
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Hostile",
        "items": [
            {"id": "1", "url": secret.as_uri(), "title": "Local file", "content_text": "teaser"},
            {"id": "2", "url": redirect, "title": "Redirect", "content_text": "teaser"},
        ],
    }
    server.set_content("/hostile.json", json.dumps(feed).encode(), "application/feed+json")
    cfg = write_config(
        tmp_path / "s.yaml",
        industry=f'  - {{id: hostile, url: "{server.url}/hostile.json", full_text: true}}\n',
    )
    stats = crawl(cfg, tmp_path / "data").source("hostile")
    assert stats["ok"] and stats["new"] == 2
    assert any("file: URL" in w and "only http and https" in w for w in stats["warnings"])
    bodies = [i.body for i in Store.in_dir(tmp_path / "data").items()]
    assert bodies == ["teaser", "teaser"]


def test_an_autodiscovered_feed_on_a_local_file_is_never_read(
    server: MockServer, tmp_path: Path
) -> None:
    secret = tmp_path / "feed.xml"
    secret.write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{SECRET}</title>'
        f"<item><title>{SECRET}</title><guid>s</guid></item></channel></rss>"
    )
    page = f'<html><head><link rel="alternate" type="application/rss+xml" href="{secret.as_uri()}"></head><body><p>Blog</p></body></html>'
    server.set_content("/blog.html", page.encode())
    cfg = write_config(
        tmp_path / "s.yaml", source_lines(server.url, {"blog": ("feed", "/blog.html")})
    )
    result = crawl(cfg, tmp_path / "data")
    assert not result.source("blog")["ok"]
    assert SECRET not in result.stdout
    assert Store.in_dir(tmp_path / "data").count_items() == 0


REBIND = """
import socket, sys
real_gai, calls = socket.getaddrinfo, []

def answer():
    calls.append(1)
    return "93.184.216.34" if len(calls) == 1 else "127.0.0.1"

def getaddrinfo(host, *args, **kwargs):
    return real_gai(answer() if host == "rebind.test" else host, *args, **kwargs)

real_ghbn = socket.gethostbyname
socket.getaddrinfo = getaddrinfo
socket.gethostbyname = lambda host: answer() if host == "rebind.test" else real_ghbn(host)
from radar.cli import main
sys.argv = ["radar", *sys.argv[1:]]
main()
"""


def test_dns_rebinding_to_loopback_is_refused_at_connect_time(
    server: MockServer, tmp_path: Path
) -> None:
    """The first lookup answers a public address, the next one 127.0.0.1 (a rebinding name)."""
    port = server.url.rsplit(":", 1)[1]
    settings = "settings:\n  autothrottle: false\n  download_timeout: 5\n  retry_times: 0\n"
    cfg = write_config(
        tmp_path / "s.yaml",
        source_lines(f"http://rebind.test:{port}", {"feed": ("feed", "/ok/feed.xml")}),
        settings=settings,
    )
    args = ["crawl", "--config", str(cfg), "--data-dir", str(tmp_path / "data"), "--json"]
    proc = subprocess.run(
        [sys.executable, "-c", REBIND, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    result = CrawlResult(proc.returncode, proc.stdout, proc.stderr)
    assert result.stdout.startswith("{"), result.stderr[-3000:]
    assert not result.source("feed")["ok"]
    assert server.hits("/ok/feed.xml") == 0 and server.hits("/robots.txt") == 0


def _listening_inodes() -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as fh:
            for line in fh.readlines()[1:]:
                fields = line.split()
                if fields[3] == "0A":  # LISTEN
                    inodes.add(fields[9])
    return inodes


def _sockets_of(pid: int) -> set[str]:
    out = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            out.add(target[8:-1])
    return out


def test_scrapy_extensions_the_crawl_does_not_need_are_off() -> None:
    settings = ScrapySettings(scrapy_settings(Settings(env={})))
    enabled = build_component_list(settings.getwithbase("EXTENSIONS"))
    assert sorted(e.rsplit(".", 1)[1] for e in enabled) == [
        "AutoThrottle",
        "CloseSpider",
        "CoreStats",
        "LogCount",
        "LogStats",
    ]
    assert not settings.getbool("TELNETCONSOLE_ENABLED")
    assert not settings.getbool("REMOTE_CONTROL_ENABLED")


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc")
def test_a_crawl_leaves_no_listener_and_no_token_file(server: MockServer, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    cfg = write_config(
        tmp_path / "s.yaml", source_lines(server.url, {"slow": ("feed", "/slow-headers?delay=3")})
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(home)}
    env.pop("XDG_STATE_HOME", None)
    cmd = [sys.executable, "-m", "radar", "crawl", "--config", str(cfg), "--data-dir"]
    proc = subprocess.Popen([*cmd, str(tmp_path / "data"), "--json"], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        while server.active < 1 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert server.active >= 1, "the crawl should be waiting on the slow source"
        assert not _sockets_of(proc.pid) & _listening_inodes()
    finally:
        proc.wait(timeout=60)
    assert [p.name for p in home.rglob("*")] == []
