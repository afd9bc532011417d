"""The layered static server behind the demo, and the bundled demo site itself."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

from radar.devserver import DEMO_SITE, SiteServer, demo_layers, resolve

TIMEOUT = 2.0
LONG_TEXT = "Release notes line that is long enough to be worth compressing.\n" * 40


def fetch(
    url: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def write(path: Path, text: str, mtime: int | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if mtime is not None:
        os.utime(path, (mtime, mtime))


@pytest.fixture
def layers(tmp_path: Path) -> list[Path]:
    day1, day2 = tmp_path / "day1", tmp_path / "day2"
    write(day1 / "index.html", "<h1>home</h1>")
    write(day1 / "acme" / "index.html", "<h1>acme</h1>")
    write(day1 / "acme" / "changelog.html", "<h2>1.0</h2>", mtime=1_700_000_000)
    write(day1 / "acme" / "old.html", "<p>old</p>")
    write(day1 / "feed.xml", "<rss><link>{{BASE_URL}}/acme/</link></rss>")
    write(day1 / "notes.md", LONG_TEXT)
    write(day1 / "feed.json", json.dumps({"version": "https://jsonfeed.org/version/1.1"}))
    write(day1 / "data.json", json.dumps({"version": 2}))
    write(day1 / "releases.atom", "<feed/>")
    write(day2 / "acme" / "changelog.html", "<h2>1.1</h2><h2>1.0</h2>", mtime=1_600_000_000)
    write(day2 / "acme" / "old.html.deleted", "")
    write(day2 / "acme" / "new.md", "# new")
    return [day1, day2]


@pytest.fixture
def server(layers: list[Path]) -> Iterator[SiteServer]:
    with SiteServer(layers) as site:
        yield site


def test_later_layers_override_and_delete(server: SiteServer) -> None:
    assert fetch(server.url + "/acme/changelog.html")[2] == b"<h2>1.1</h2><h2>1.0</h2>"
    assert fetch(server.url + "/acme/new.md")[2] == b"# new"
    assert fetch(server.url + "/acme/old.html")[0] == 404
    assert fetch(server.url + "/acme/old.html.deleted")[0] == 404
    assert fetch(server.url + "/acme/")[2] == b"<h1>acme</h1>"
    assert fetch(server.url + "/")[2] == b"<h1>home</h1>"
    assert fetch(server.url + "/acme")[2] == b"<h1>acme</h1>"  # 301 to /acme/


def test_set_layers_switches_content(server: SiteServer, layers: list[Path]) -> None:
    server.set_layers(layers[:1])
    assert fetch(server.url + "/acme/changelog.html")[2] == b"<h2>1.0</h2>"
    assert fetch(server.url + "/acme/old.html")[0] == 200
    server.set_layers(layers)
    assert fetch(server.url + "/acme/old.html")[0] == 404


def test_base_url_is_substituted(server: SiteServer) -> None:
    assert (
        fetch(server.url + "/feed.xml")[2] == f"<rss><link>{server.url}/acme/</link></rss>".encode()
    )


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/index.html", "text/html; charset=utf-8"),
        ("/notes.md", "text/markdown; charset=utf-8"),
        ("/feed.xml", "application/rss+xml"),
        ("/releases.atom", "application/atom+xml"),
        ("/feed.json", "application/feed+json"),
        ("/data.json", "application/json"),
    ],
)
def test_content_types(server: SiteServer, path: str, content_type: str) -> None:
    assert fetch(server.url + path)[1]["Content-Type"] == content_type


def test_etag_and_last_modified_give_304(server: SiteServer) -> None:
    url = server.url + "/acme/changelog.html"
    status, headers, _ = fetch(url)
    assert status == 200
    assert fetch(url, {"If-None-Match": headers["ETag"]})[0] == 304
    assert fetch(url, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert fetch(url, {"If-None-Match": '"other"'})[0] == 200
    assert fetch(url)[1]["ETag"] == headers["ETag"]  # stable across requests


def test_day2_version_is_newer_than_day1_even_with_an_older_mtime(
    server: SiteServer, layers: list[Path]
) -> None:
    server.set_layers(layers[:1])
    _, day1_headers, _ = fetch(server.url + "/acme/changelog.html")
    server.set_layers(layers)
    since = {"If-Modified-Since": day1_headers["Last-Modified"]}
    status, headers, _ = fetch(server.url + "/acme/changelog.html", since)
    assert status == 200
    assert headers["ETag"] != day1_headers["ETag"]
    assert resolve(layers, "acme/changelog.html").last_modified == 1_700_000_001  # type: ignore[union-attr]


def test_gzip_only_when_asked_and_large(server: SiteServer) -> None:
    status, headers, body = fetch(server.url + "/notes.md", {"Accept-Encoding": "gzip"})
    assert (status, headers["Content-Encoding"]) == (200, "gzip")
    assert gzip.decompress(body).decode() == LONG_TEXT
    assert fetch(server.url + "/notes.md")[1]["Content-Encoding"] is None
    small = fetch(server.url + "/index.html", {"Accept-Encoding": "gzip"})
    assert small[1]["Content-Encoding"] is None
    validators = {"Accept-Encoding": "gzip", "If-None-Match": headers["ETag"]}
    assert fetch(server.url + "/notes.md", validators)[0] == 304


def test_head_and_request_log(server: SiteServer) -> None:
    status, headers, body = fetch(server.url + "/notes.md", method="HEAD")
    assert (status, headers["Content-Length"], body) == (200, str(len(LONG_TEXT)), b"")
    fetch(server.url + "/missing")
    assert server.request_log == [("HEAD", "/notes.md", 200), ("GET", "/missing", 404)]


def test_paths_cannot_escape_the_layers(server: SiteServer, layers: list[Path]) -> None:
    write(layers[0].parent / "secret.txt", "secret")
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    connection.request("GET", "/../secret.txt")
    assert connection.getresponse().status == 404
    connection.close()


def test_url_requires_start(layers: list[Path]) -> None:
    with pytest.raises(RuntimeError):
        _ = SiteServer(layers).url


# --- the bundled demo site -------------------------------------------------------------------

LINK = re.compile(r"\{\{BASE_URL\}\}(/[^\"'<>\s)]*)")
XML_SUFFIXES = (".xml", ".atom")


def demo_files(day: int) -> dict[str, Path]:
    """Every path the demo serves on ``day``, resolved through the layers."""
    layers = demo_layers(day)
    names = {
        str(path.relative_to(layer)).removesuffix(".deleted")
        for layer in layers
        for path in layer.rglob("*")
        if path.is_file()
    }
    found = {name: resolve(layers, name) for name in names}
    return {name: hit.path for name, hit in found.items() if hit is not None}


@pytest.mark.parametrize("day", [1, 2])
def test_demo_site_links_resolve_and_feeds_parse(day: int) -> None:
    files = demo_files(day)
    for name, path in files.items():
        text = path.read_text(encoding="utf-8")
        for link in LINK.findall(text):
            target = link.split("#", 1)[0].lstrip("/")
            target = target + "index.html" if target.endswith("/") or not target else target
            assert target in files, f"day {day}: {name} links to missing {link}"
        if name.endswith(XML_SUFFIXES):
            ET.fromstring(text.replace("{{BASE_URL}}", "http://127.0.0.1:1"))


def test_demo_day2_changes() -> None:
    day1, day2 = demo_files(1), demo_files(2)
    assert set(day2) - set(day1) >= {"news/articles/globex-raises-pro-price-adds-team-plan.html"}
    changed = {name for name in day1 if day1[name] != day2.get(name)}
    assert changed >= {
        "acme/changelog.html",
        "globex/pricing.html",
        "initech/changelog.html",
        "news/rss.xml",
    }
    assert (DEMO_SITE / "sources.yaml").is_file()
