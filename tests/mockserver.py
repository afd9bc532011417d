"""A local HTTP server with well-behaved and hostile routes, for crawl tests (no internet).

Modelled on Scrapy's ``tests/mockserver``: a ThreadingHTTPServer on 127.0.0.1 and a free port,
run from a daemon thread, with a fixed route table plus routes a test sets at runtime::

    with MockServer() as server:
        server.set_content("/counter/acme", b"<h2>1.0</h2>", "text/html")
        fetch(server.url + "/counter/acme")
        assert server.hits("/counter/acme") == 1

Routes (query parameters in brackets):

- ``/ok/changelog.md``, ``/ok/changelog.html``, ``/ok/feed.xml`` (RSS 2.0, 3 items), ``/ok/page.html``
- ``/status/<code>`` (``/status/503`` adds ``Retry-After: 1``)
- ``/slow-headers`` [delay=30] waits before answering; ``/slow-body`` [delay=30, interval=1]
  sends the headers, then one chunk per interval for ``delay`` seconds
- ``/redirect-loop`` (302 to itself, counting), ``/redirect/ok`` (301 to ``/ok/feed.xml``),
  ``/redirect/to`` [url] (302 to any URL, ``file:`` included)
- ``/auth/feed.xml``: the RSS feed behind basic auth (user ``AUTH_USER``, password ``AUTH_PASSWORD``);
  401 with ``WWW-Authenticate`` otherwise
- ``/big`` [size=20 MB] with Content-Length, ``/big-chunked`` [size] chunked,
  ``/gzip-bomb`` (small gzip body, 50 MB inflated)
- ``/malformed.xml``, ``/truncated.xml``, ``/wrong-encoding.xml``, ``/undeclared-encoding.html``,
  ``/html-as-feed``, ``/empty``, ``/duplicate-entries.md``
- ``/robots.txt`` (disallows ``/private/``), ``/private/secret.html``
- ``/etag/feed.xml`` and ``/counter/<name>``: ETag, Last-Modified and 304 answers;
  ``/counter/<name>`` says "version N", where ``server.bump(name)`` increments N.
- anything registered with ``set_content(path, body, content_type)`` (overrides the table).

``request_log`` holds ``(method, path, status)`` per answer (logged when the status line is sent),
``hits(path)`` counts them, and ``active`` is the number of requests being answered right now
(poll it with a deadline to know that a slow request has reached the server).
"""

from __future__ import annotations

import base64
import email.utils
import functools
import hashlib
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

MB = 1024 * 1024
RSS = "application/rss+xml"
HTML = "text/html; charset=utf-8"
AUTH_USER, AUTH_PASSWORD = "reader", "s3cret:pw"
MARKDOWN = "text/markdown; charset=utf-8"


# --- fixtures -------------------------------------------------------------------------------

CHANGELOG_MD = """# Changelog

All notable changes to this project are documented in this file.

## [Unreleased]

### Added
- Dark mode for the dashboard.

## [1.2.0] - 2026-11-10

### Added
- Slack alerts for failed syncs.

### Fixed
- Timezone offset in weekly reports.

## [1.1.0] - 2026-10-01

### Changed
- Exports are 3x faster.

### Security
- Session cookies are now `SameSite=Lax`.

## [1.0.0] - 2026-08-15

### Added
- First stable release.
"""

CHANGELOG_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Changelog - Testco</title></head>
<body>
<nav><a href="/">Home</a> <a href="/ok/changelog.html">Changelog</a></nav>
<main>
<h1>Changelog</h1>
<h2 id="v1-2-0">1.2.0 &mdash; November 10, 2026</h2>
<h3>Added</h3><ul><li>Slack alerts for failed syncs.</li></ul>
<h3>Fixed</h3><ul><li>Timezone offset in weekly reports.</li></ul>
<h2 id="v1-1-0">1.1.0 &mdash; October 1, 2026</h2>
<h3>Changed</h3><ul><li>Exports are 3x faster.</li></ul>
<h2 id="v1-0-0">1.0.0 &mdash; August 15, 2026</h2>
<p>First stable release.</p>
</main>
<footer>&copy; 2026 Testco</footer>
</body></html>
"""

FEED_ITEMS = [
    ("Testco launches AI summaries", "ai-summaries", "Tue, 24 Nov 2026 09:00:00 GMT"),
    ("Testco raises prices on the Team plan", "team-pricing", "Thu, 19 Nov 2026 14:30:00 GMT"),
    ("Security advisory: token leak fixed", "token-leak", "Mon, 09 Nov 2026 08:15:00 GMT"),
]


def rss(items: Iterable[tuple[str, str, str]], title: str = "Testco blog") -> str:
    entries = "".join(
        f"    <item>\n      <title>{name}</title>\n      <link>/posts/{slug}.html</link>\n"
        f'      <guid isPermaLink="false">testco-{slug}</guid>\n      <pubDate>{date}</pubDate>\n'
        f"      <description>{name}. Details inside.</description>\n    </item>\n"
        for name, slug, date in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">\n  <channel>\n'
        f"    <title>{title}</title>\n    <link>/</link>\n"
        f"    <description>News from Testco</description>\n{entries}  </channel>\n</rss>\n"
    )


FEED_XML = rss(FEED_ITEMS)

PAGE_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Pricing - Testco</title></head>
<body><nav><a href="/">Home</a></nav>
<main><h1>Pricing</h1>
<section><h2>Starter</h2><p>$0 / month</p></section>
<section><h2>Team</h2><p>$29 per user / month</p></section>
<section><h2>Enterprise</h2><p>Contact sales</p></section>
</main><footer>&copy; 2026 Testco</footer></body></html>
"""

MALFORMED_XML = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Broken & proud</title>
<item><title>First item survives</title><link>/posts/one.html</link>
<pubDate>Tue, 24 Nov 2026 09:00:00 GMT</pubDate><description>An <b>unclosed tag</description></item>
<item><title>Second item & an unescaped ampersand</title><link>/posts/two.html</link>
<pubDate>Mon, 23 Nov 2026 09:00:00 GMT</pubDate></item>
<item><title>Third item</title><link>/posts/three.html</link></itm>
</channel></rss>
"""

TRUNCATED_XML = FEED_XML[: FEED_XML.index("<item>") + 120]

WRONG_ENCODING_XML = (
    '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
    "<title>Caf\xe9 Soci\xe9t\xe9 news</title><link>/</link><description>r\xe9sum\xe9</description>"
    "<item><title>Na\xefve pricing: \xa3 and \xe9</title><link>/posts/naive.html</link>"
    "<pubDate>Tue, 24 Nov 2026 09:00:00 GMT</pubDate></item>"
    "</channel></rss>\n"
).encode("latin-1")

UNDECLARED_ENCODING_HTML = (
    "<html><head><title>\u201cSmart\u201d quotes \u2014 caf\xe9</title></head><body>"
    "<h1>Price: \u20ac49 \u2013 per seat</h1><p>We\u2019re \u201cthrilled\u201d.</p>"
    "</body></html>\n"
).encode("cp1252")

HTML_AS_FEED = """<!DOCTYPE html>
<html><head><title>Not a feed</title>
<link rel="alternate" type="application/rss+xml" title="Testco blog" href="/ok/feed.xml">
</head><body><h1>This is an HTML page served as application/rss+xml</h1></body></html>
"""

DUPLICATE_ENTRIES_MD = """# Changelog

## [2.0.0] - 2026-11-20
### Added
- Webhooks.

## [1.9.0] - 2026-10-02
### Fixed
- Login redirect loop.

## [2.0.0] - 2026-11-20
### Added
- Webhooks.
"""

ROBOTS_TXT = "User-agent: *\nDisallow: /private/\n"
SECRET_HTML = "<html><body><h1>Private roadmap</h1><p>Robots must not read this.</p></body></html>"


# --- responses ------------------------------------------------------------------------------


@dataclass
class Response:
    """What a route answers. ``chunks`` streams the body; ``chunked`` drops Content-Length."""

    status: int = 200
    body: bytes = b""
    content_type: str | None = HTML
    headers: dict[str, str] = field(default_factory=dict)
    chunks: Iterable[bytes] | None = None
    length: int | None = None  # Content-Length announced for a streamed body
    chunked: bool = False


@dataclass
class Content:
    """A body set at runtime (``set_content``), with the validators for conditional GET."""

    body: bytes
    content_type: str
    last_modified: float = field(default_factory=time.time)

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest() + '"'


def conditional(headers: Any, content: Content) -> Response:
    """A 200 with validators, or a 304 when the client already holds this content."""
    validators = {
        "ETag": content.etag,
        "Last-Modified": email.utils.formatdate(int(content.last_modified), usegmt=True),
    }
    if_none_match = headers.get("If-None-Match")
    if_modified_since = headers.get("If-Modified-Since")
    if if_none_match is not None:
        fresh = content.etag in {tag.strip() for tag in if_none_match.split(",")}
    elif if_modified_since:
        try:
            since = email.utils.parsedate_to_datetime(if_modified_since).timestamp()
        except (TypeError, ValueError):
            since = -1.0
        fresh = int(content.last_modified) <= since
    else:
        fresh = False
    if fresh:
        return Response(304, content_type=None, headers=validators)
    return Response(200, content.body, content.content_type, validators)


def filler(size: int, block: int = 64 * 1024) -> Iterator[bytes]:
    pattern = (b"<!-- filler " + b"." * 50 + b" -->\n") * (block // 64 + 1)
    while size > 0:
        yield pattern[: min(block, size)]
        size -= block


@functools.cache
def gzip_bomb(inflated: int = 50 * MB) -> bytes:
    """About 50 KB of gzip that inflates to ``inflated`` bytes of zeros."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip container
    zeros = bytes(MB)
    parts = [compressor.compress(zeros) for _ in range(inflated // MB)]
    return b"".join(parts) + compressor.flush()


def _number(query: dict[str, list[str]], name: str, default: float) -> float:
    try:
        return float(query[name][0])
    except (KeyError, ValueError):
        return default


# --- server ---------------------------------------------------------------------------------

Route = Callable[["MockServer", "_Handler", dict[str, list[str]]], Response]


class MockServer:
    """The mock web server; start it with ``with MockServer() as server`` or ``.start()``."""

    def __init__(self) -> None:
        self.request_log: list[tuple[str, str, int]] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._dynamic: dict[str, Content] = {}
        self._versions: dict[str, int] = {}
        self._active = 0
        self._etag_feed = Content(FEED_XML.encode(), RSS, last_modified=1_763_000_000)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("MockServer is not started")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> MockServer:
        self.stopping.clear()
        self._httpd = _HTTPServer(("127.0.0.1", 0), self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self.stopping.set()  # slow routes notice this and return at once
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- what tests call

    def urljoin(self, path: str) -> str:
        return self.url + path

    def set_content(self, path: str, body: bytes, content_type: str = HTML) -> None:
        """Register or replace ``path`` (served with ETag/Last-Modified; overrides the table)."""
        with self._lock:
            old = self._dynamic.get(path)
            stamp = time.time()
            if old is not None and int(stamp) <= int(old.last_modified):
                stamp = old.last_modified + 1  # a change is always newer, even within a second
            self._dynamic[path] = Content(body, content_type, stamp)

    def remove_content(self, path: str) -> None:
        with self._lock:
            self._dynamic.pop(path, None)

    def bump(self, name: str) -> int:
        """Increment the version that ``/counter/<name>`` serves; returns the new version."""
        with self._lock:
            self._versions[name] = self._versions.get(name, 0) + 1
            return self._versions[name]

    def hits(self, path: str) -> int:
        """Requests seen for ``path`` (any query string unless ``path`` has one)."""
        with self._lock:
            paths = [logged for _, logged, _ in self.request_log]
        if "?" not in path:
            paths = [logged.split("?", 1)[0] for logged in paths]
        return paths.count(path)

    @property
    def active(self) -> int:
        """Requests being answered right now (a slow route counts from its first byte in)."""
        with self._lock:
            return self._active

    def record(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self.request_log.append((method, path, status))

    def _track(self, delta: int) -> None:
        with self._lock:
            self._active += delta

    # -- routing

    def route(self, handler: _Handler) -> Response:
        parts = urlsplit(handler.path)
        path, query = parts.path, parse_qs(parts.query)
        with self._lock:
            content = self._dynamic.get(path)
        if content is not None:
            return conditional(handler.headers, content)
        if path in STATIC:
            body, content_type = STATIC[path]
            return Response(200, body, content_type)
        if path in ROUTES:
            return ROUTES[path](self, handler, query)
        for prefix, prefixed_route in PREFIX_ROUTES.items():
            if path.startswith(prefix):
                return prefixed_route(self, handler, query)
        return Response(404, b"<h1>404 Not Found</h1>")

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; False when the server is stopping."""
        return not self.stopping.wait(seconds)


def _status(server: MockServer, handler: _Handler, query: dict[str, list[str]]) -> Response:
    code = urlsplit(handler.path).path.rsplit("/", 1)[-1]
    status = int(code) if code.isdigit() and 200 <= int(code) <= 599 else 404
    headers = {"Retry-After": "1"} if status == 503 else {}
    return Response(status, f"<h1>status {status}</h1>".encode(), headers=headers)


def _slow_headers(server: MockServer, handler: _Handler, query: dict[str, list[str]]) -> Response:
    server.wait(_number(query, "delay", 30))
    return Response(200, b"<h1>finally</h1>")


def _slow_body(server: MockServer, handler: _Handler, query: dict[str, list[str]]) -> Response:
    delay, interval = _number(query, "delay", 30), _number(query, "interval", 1)
    count = max(1, int(delay / interval)) if interval > 0 else 1

    def trickle() -> Iterator[bytes]:
        for _ in range(count):
            yield b"<p>" + b"x" * 60 + b"</p>\n"
            if not server.wait(interval):
                return

    return Response(200, chunks=trickle(), length=count * 68)


def _redirect_loop(server: MockServer, handler: _Handler, query: dict[str, list[str]]) -> Response:
    n = int(_number(query, "n", 0)) + 1
    return Response(
        302, content_type=None, headers={"Location": f"{server.url}/redirect-loop?n={n}"}
    )


def _redirect_ok(server: MockServer, handler: _Handler, query: dict[str, list[str]]) -> Response:
    return Response(301, content_type=None, headers={"Location": f"{server.url}/ok/feed.xml"})


def _redirect_to(server: MockServer, handler: _Handler, query: dict[str, list[str]]) -> Response:
    target = query.get("url", [f"{server.url}/ok/feed.xml"])[0]
    return Response(302, content_type=None, headers={"Location": target})


def _basic_auth(server: MockServer, handler: _Handler, query: dict[str, list[str]]) -> Response:
    token = base64.b64encode(f"{AUTH_USER}:{AUTH_PASSWORD}".encode()).decode()
    if handler.headers.get("Authorization") != f"Basic {token}":
        return Response(401, b"<h1>401</h1>", headers={"WWW-Authenticate": 'Basic realm="feed"'})
    return Response(200, FEED_XML.encode(), RSS)


def _big(server: MockServer, handler: _Handler, query: dict[str, list[str]]) -> Response:
    size = int(_number(query, "size", 20 * MB))
    return Response(200, chunks=filler(size), length=size)


def _big_chunked(server: MockServer, handler: _Handler, query: dict[str, list[str]]) -> Response:
    return Response(200, chunks=filler(int(_number(query, "size", 20 * MB))), chunked=True)


def _gzip_bomb(server: MockServer, handler: _Handler, query: dict[str, list[str]]) -> Response:
    return Response(200, gzip_bomb(), headers={"Content-Encoding": "gzip"})


def _etag_feed(server: MockServer, handler: _Handler, query: dict[str, list[str]]) -> Response:
    return conditional(handler.headers, server._etag_feed)


def _counter(server: MockServer, handler: _Handler, query: dict[str, list[str]]) -> Response:
    name = urlsplit(handler.path).path.removeprefix("/counter/")
    with server._lock:
        version = server._versions.get(name, 0)
    body = f"<html><body><h1>{name}</h1><p>version {version}</p></body></html>\n".encode()
    return conditional(handler.headers, Content(body, HTML, last_modified=1_763_000_000 + version))


STATIC: dict[str, tuple[bytes, str]] = {
    "/ok/changelog.md": (CHANGELOG_MD.encode(), MARKDOWN),
    "/ok/changelog.html": (CHANGELOG_HTML.encode(), HTML),
    "/ok/feed.xml": (FEED_XML.encode(), RSS),
    "/ok/page.html": (PAGE_HTML.encode(), HTML),
    "/malformed.xml": (MALFORMED_XML.encode(), RSS),
    "/truncated.xml": (TRUNCATED_XML.encode(), RSS),
    "/wrong-encoding.xml": (WRONG_ENCODING_XML, RSS),
    "/undeclared-encoding.html": (UNDECLARED_ENCODING_HTML, "text/html"),
    "/html-as-feed": (HTML_AS_FEED.encode(), RSS),
    "/empty": (b"", HTML),
    "/duplicate-entries.md": (DUPLICATE_ENTRIES_MD.encode(), MARKDOWN),
    "/robots.txt": (ROBOTS_TXT.encode(), "text/plain; charset=utf-8"),
    "/private/secret.html": (SECRET_HTML.encode(), HTML),
}

ROUTES: dict[str, Route] = {
    "/slow-headers": _slow_headers,
    "/slow-body": _slow_body,
    "/redirect-loop": _redirect_loop,
    "/redirect/ok": _redirect_ok,
    "/redirect/to": _redirect_to,
    "/auth/feed.xml": _basic_auth,
    "/big": _big,
    "/big-chunked": _big_chunked,
    "/gzip-bomb": _gzip_bomb,
    "/etag/feed.xml": _etag_feed,
}

PREFIX_ROUTES: dict[str, Route] = {"/status/": _status, "/counter/": _counter}


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        mock = self.server.mock
        mock._track(+1)
        try:
            self._write(mock.route(self), send_body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (timeout, size limit): fine
        finally:
            mock._track(-1)
            if mock.stopping.is_set():
                self.close_connection = True  # do not wait for another request on this socket

    def _write(self, response: Response, send_body: bool) -> None:
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif response.status != 304:
            length = response.length if response.chunks is not None else len(response.body)
            self.send_header("Content-Length", str(length))
        self.end_headers()
        if not send_body:
            return
        for chunk in response.chunks if response.chunks is not None else [response.body]:
            if response.chunked:
                chunk = b"%x\r\n%s\r\n" % (len(chunk), chunk)
            self.wfile.write(chunk)
            self.wfile.flush()
        if response.chunked:
            self.wfile.write(b"0\r\n\r\n")

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        status = int(code) if isinstance(code, int) else 0
        self.server.mock.record(self.command or "-", self.path, status)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], mock: MockServer) -> None:
        self.mock = mock
        super().__init__(address, _Handler)


__all__ = ["MockServer", "Response", "gzip_bomb"]
