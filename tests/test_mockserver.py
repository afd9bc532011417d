"""The mock server answers each route the way crawl tests rely on."""

from __future__ import annotations

import gzip
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message

import pytest

from tests.mockserver import MockServer

TIMEOUT = 2.0


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer() as mock:
        yield mock


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def fetch(
    url: str,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    follow: bool = True,
    timeout: float = TIMEOUT,
) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_ok_fixtures(server: MockServer) -> None:
    status, headers, body = fetch(server.url + "/ok/feed.xml")
    assert (status, headers["Content-Type"]) == (200, "application/rss+xml")
    assert body.count(b"<item>") == 3
    assert fetch(server.url + "/ok/changelog.md")[2].startswith(b"# Changelog")
    assert b'<h2 id="v1-2-0">' in fetch(server.url + "/ok/changelog.html")[2]
    assert b"$29 per user" in fetch(server.url + "/ok/page.html")[2]


@pytest.mark.parametrize("code", [404, 500, 503])
def test_status_routes(server: MockServer, code: int) -> None:
    status, headers, _ = fetch(f"{server.url}/status/{code}")
    assert status == code
    assert headers["Retry-After"] == ("1" if code == 503 else None)


def test_unknown_path_is_404(server: MockServer) -> None:
    assert fetch(server.url + "/nope")[0] == 404


def test_slow_headers_time_out_without_blocking_other_requests(server: MockServer) -> None:
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        fetch(server.url + "/slow-headers?delay=5", timeout=0.2)
    assert fetch(server.url + "/ok/page.html", timeout=0.5)[0] == 200


def test_slow_headers_answers_after_delay(server: MockServer) -> None:
    assert fetch(server.url + "/slow-headers?delay=0.1")[2] == b"<h1>finally</h1>"


def test_slow_body_sends_headers_then_trickles(server: MockServer) -> None:
    url = server.url + "/slow-body?delay=10&interval=1"
    with urllib.request.urlopen(url, timeout=0.5) as response:
        assert response.status == 200
        assert response.read(68).startswith(b"<p>x")
        with pytest.raises(TimeoutError):
            response.read()


def test_stop_is_quick_while_a_slow_request_is_pending() -> None:
    mock = MockServer().start()
    client = threading.Thread(
        target=fetch, args=(mock.url + "/slow-headers",), kwargs={"timeout": 5}, daemon=True
    )
    client.start()
    deadline = time.monotonic() + TIMEOUT
    while not mock.active and time.monotonic() < deadline:
        time.sleep(0.01)  # poll with a deadline until the request reaches the handler
    assert mock.active == 1
    started = time.monotonic()
    mock.stop()
    client.join(timeout=TIMEOUT)
    assert time.monotonic() - started < 1.0
    assert not client.is_alive()


def test_redirect_loop_counts(server: MockServer) -> None:
    status, headers, _ = fetch(server.url + "/redirect-loop", follow=False)
    assert (status, headers["Location"]) == (302, server.url + "/redirect-loop?n=1")
    assert fetch(headers["Location"], follow=False)[1]["Location"].endswith("?n=2")


def test_redirect_ok(server: MockServer) -> None:
    status, headers, _ = fetch(server.url + "/redirect/ok", follow=False)
    assert (status, headers["Location"]) == (301, server.url + "/ok/feed.xml")
    assert fetch(server.url + "/redirect/ok")[2].count(b"<item>") == 3


def test_big_announces_its_length(server: MockServer) -> None:
    _, headers, body = fetch(server.url + "/big", method="HEAD")
    assert (headers["Content-Length"], body) == (str(20 * 1024 * 1024), b"")
    _, headers, body = fetch(server.url + "/big?size=100000")
    assert (headers["Content-Length"], len(body)) == ("100000", 100000)


def test_big_chunked_has_no_length(server: MockServer) -> None:
    _, headers, body = fetch(server.url + "/big-chunked?size=200000")
    assert headers["Content-Length"] is None
    assert headers["Transfer-Encoding"] == "chunked"
    assert len(body) == 200000


def test_gzip_bomb_is_small_on_the_wire(server: MockServer) -> None:
    _, headers, body = fetch(server.url + "/gzip-bomb")
    assert headers["Content-Encoding"] == "gzip"
    assert len(body) < 100_000
    assert len(gzip.decompress(body)) == 50 * 1024 * 1024


def test_encoding_traps(server: MockServer) -> None:
    _, _, body = fetch(server.url + "/wrong-encoding.xml")
    assert b'encoding="utf-8"' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert "Café" in body.decode("latin-1")
    _, headers, body = fetch(server.url + "/undeclared-encoding.html")
    assert headers["Content-Type"] == "text/html"
    assert b"charset" not in body
    assert "€49" in body.decode("cp1252")


def test_broken_documents(server: MockServer) -> None:
    assert b"</itm>" in fetch(server.url + "/malformed.xml")[2]
    assert not fetch(server.url + "/truncated.xml")[2].rstrip().endswith(b"</rss>")
    status, headers, body = fetch(server.url + "/html-as-feed")
    assert headers["Content-Type"] == "application/rss+xml"
    assert body.startswith(b"<!DOCTYPE html>")
    assert fetch(server.url + "/empty")[:1] == (200,)
    assert fetch(server.url + "/empty")[2] == b""
    assert fetch(server.url + "/duplicate-entries.md")[2].count(b"## [2.0.0]") == 2


def test_robots(server: MockServer) -> None:
    assert fetch(server.url + "/robots.txt")[2] == b"User-agent: *\nDisallow: /private/\n"
    assert fetch(server.url + "/private/secret.html")[0] == 200  # robots is the client's job


def test_etag_feed_answers_304(server: MockServer) -> None:
    status, headers, body = fetch(server.url + "/etag/feed.xml")
    assert status == 200 and body.count(b"<item>") == 3
    etag, last_modified = headers["ETag"], headers["Last-Modified"]
    assert fetch(server.url + "/etag/feed.xml", {"If-None-Match": etag})[:1] == (304,)
    assert fetch(server.url + "/etag/feed.xml", {"If-Modified-Since": last_modified})[0] == 304
    assert fetch(server.url + "/etag/feed.xml", {"If-None-Match": '"stale"'})[0] == 200


def test_set_content_overrides_and_changes(server: MockServer) -> None:
    server.set_content("/ok/page.html", b"<p>replaced</p>")
    server.set_content("/dynamic/a.md", b"## 1.0", "text/markdown")
    try:
        assert fetch(server.url + "/ok/page.html")[2] == b"<p>replaced</p>"
        status, headers, body = fetch(server.url + "/dynamic/a.md")
        assert (status, headers["Content-Type"], body) == (200, "text/markdown", b"## 1.0")
        validators = {"If-None-Match": headers["ETag"]}
        assert fetch(server.url + "/dynamic/a.md", validators)[0] == 304
        server.set_content("/dynamic/a.md", b"## 1.1\n## 1.0", "text/markdown")
        assert fetch(server.url + "/dynamic/a.md", validators)[:1] == (200,)
        since = {"If-Modified-Since": headers["Last-Modified"]}
        assert fetch(server.url + "/dynamic/a.md", since)[2] == b"## 1.1\n## 1.0"
    finally:
        server.remove_content("/ok/page.html")
        server.remove_content("/dynamic/a.md")
    assert b"$29" in fetch(server.url + "/ok/page.html")[2]


def test_counter_version_and_hits() -> None:
    with MockServer() as mock:
        _, headers, body = fetch(mock.url + "/counter/acme")
        assert b"version 0" in body
        assert fetch(mock.url + "/counter/acme", {"If-None-Match": headers["ETag"]})[0] == 304
        assert mock.bump("acme") == 1
        status, _, body = fetch(mock.url + "/counter/acme", {"If-None-Match": headers["ETag"]})
        assert (status, b"version 1" in body) == (200, True)
        fetch(mock.url + "/counter/acme?x=1")
        assert mock.hits("/counter/acme") == 4
        assert mock.hits("/counter/acme?x=1") == 1
        assert mock.request_log[:2] == [
            ("GET", "/counter/acme", 200),
            ("GET", "/counter/acme", 304),
        ]
