"""A small static HTTP server over layered directories, for the demo and the tests.

A path is looked up from the last layer to the first, so a later layer overrides an earlier one;
a file named ``<name>.deleted`` in a later layer hides ``<name>`` from the earlier ones. That is
how the bundled demo site plays "day 2": ``[day1, day2]`` where day2 holds only what changed.

The server behaves like a polite real web server so the crawler's HTTP handling is exercised:
strong ETags, stable Last-Modified, 304 answers to conditional requests, gzip when asked for.
``{{BASE_URL}}`` in served text files is replaced by the server's own base URL, so feeds and pages
can hold absolute links to the server without knowing its port.

    python -m radar.devserver radar/demo_site/day1 radar/demo_site/day2 --port 8000
"""

from __future__ import annotations

import argparse
import email.utils
import gzip
import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

__all__ = ["DEMO_SITE", "SiteServer", "demo_layers", "main", "resolve"]

logger = logging.getLogger(__name__)

DEMO_SITE = Path(__file__).parent / "demo_site"
BASE_URL_PLACEHOLDER = b"{{BASE_URL}}"
GZIP_MIN_BYTES = 1024
DELETED_SUFFIX = ".deleted"

_TEXT = "; charset=utf-8"
CONTENT_TYPES = {
    ".html": "text/html" + _TEXT,
    ".htm": "text/html" + _TEXT,
    ".md": "text/markdown" + _TEXT,
    ".txt": "text/plain" + _TEXT,
    ".xml": "application/rss+xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".json": "application/json",
}
SUBSTITUTED_SUFFIXES = frozenset({".html", ".htm", ".md", ".txt", ".xml", ".rss", ".atom", ".json"})

NOT_FOUND_PAGE = (
    b"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>404 Not Found</title></head>"
    b"<body><h1>404 Not Found</h1><p>Nothing lives at this address.</p></body></html>\n"
)


def demo_layers(day: int = 1) -> list[Path]:
    """Layers of the bundled demo site as it looks on ``day`` (1 or 2)."""
    if day not in (1, 2):
        raise ValueError(f"the demo site has days 1 and 2, not {day}")
    return [DEMO_SITE / f"day{n}" for n in range(1, day + 1)]


@dataclass(frozen=True)
class Resolved:
    """The file that answers a request path, with the times used for Last-Modified."""

    path: Path
    last_modified: int  # seconds since the epoch


def resolve(layers: list[Path], rel: str) -> Resolved | None:
    """Find ``rel`` in the layers, last layer first; ``None`` when missing or deleted.

    Last-Modified is the winning file's mtime, but always later than any version of the same
    path in earlier layers, so a day-2 override is never older than the day-1 file it replaces
    (checkouts give every file about the same mtime).
    """
    if rel.endswith(DELETED_SUFFIX):
        return None  # markers are layer bookkeeping, never content
    found: Resolved | None = None
    previous = 0  # Last-Modified of this path in the earlier layers
    for layer in layers:  # first to last: later layers win
        candidate = layer / rel
        if (layer / (rel + DELETED_SUFFIX)).is_file():
            found = None
        elif candidate.is_file():
            mtime = int(candidate.stat().st_mtime)
            found = Resolved(candidate, max(mtime, previous + 1) if previous else mtime)
            previous = found.last_modified
    return found


def safe_relative_path(url_path: str) -> str | None:
    """The request path as a relative file path, or ``None`` if it tries to leave the root."""
    path = unquote(urlsplit(url_path).path)
    if path.endswith("/"):
        path += "index.html"
    parts = PurePosixPath(path).parts
    if any(part == ".." or "\\" in part for part in parts):
        return None
    rel = "/".join(part for part in parts if part not in ("/", "."))
    return rel or None


def content_type_for(path: Path, body: bytes) -> str:
    suffix = path.suffix.lower()
    if suffix == ".json" and _is_json_feed(body):
        return "application/feed+json"
    return CONTENT_TYPES.get(suffix, "application/octet-stream")


def _is_json_feed(body: bytes) -> bool:
    try:
        version = json.loads(body).get("version", "")
    except (ValueError, AttributeError):
        return False
    return isinstance(version, str) and "jsonfeed" in version


def etag_for(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest() + '"'


def is_not_modified(headers: Any, etag: str, last_modified: int) -> bool:
    """RFC 9110 conditional GET: If-None-Match wins over If-Modified-Since when both are sent."""
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag in tags or etag[:-1] + '-gzip"' in tags
    if_modified_since = headers.get("If-Modified-Since")
    if if_modified_since:
        try:
            since = email.utils.parsedate_to_datetime(if_modified_since).timestamp()
        except (TypeError, ValueError):
            return False
        return last_modified <= since
    return False


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "RadarDevServer/1.0"

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def _serve(self, send_body: bool) -> None:
        site = self.server.site
        if site.latency:
            time.sleep(site.latency)  # a simulated network round trip (benchmarks only)
        rel = safe_relative_path(self.path)
        layers = site.layers
        found = resolve(layers, rel) if rel else None
        if found is None and rel and resolve(layers, rel + "/index.html"):
            location = urlsplit(self.path).path + "/"
            self._send(301, b"", {"Location": location}, send_body)
            return
        if found is None:
            self._send(404, NOT_FOUND_PAGE, {"Content-Type": "text/html" + _TEXT}, send_body)
            return
        body = found.path.read_bytes()
        if found.path.suffix.lower() in SUBSTITUTED_SUFFIXES:
            body = body.replace(BASE_URL_PLACEHOLDER, site.url.encode())
        gzipped = len(body) > GZIP_MIN_BYTES and "gzip" in self.headers.get("Accept-Encoding", "")
        etag = etag_for(body)
        headers = {
            "Content-Type": content_type_for(found.path, body),
            # a strong ETag names one representation: the gzipped one gets its own
            "ETag": etag[:-1] + '-gzip"' if gzipped else etag,
            "Last-Modified": email.utils.formatdate(found.last_modified, usegmt=True),
            "Vary": "Accept-Encoding",
        }
        if is_not_modified(self.headers, etag, found.last_modified):
            self._send(304, b"", headers, send_body=False)
            return
        if gzipped:
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
        self._send(200, body, headers, send_body)

    def _send(self, status: int, body: bytes, headers: dict[str, str], send_body: bool) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        status = int(code) if isinstance(code, int) else 0
        self.server.site.record(self.command or "-", self.path, status)
        logger.debug("%s %s -> %s", self.command, self.path, status)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug(format, *args)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], site: SiteServer) -> None:
        self.site = site
        super().__init__(address, _Handler)


class SiteServer:
    """Serve layered directories over HTTP from a daemon thread.

    >>> with SiteServer(demo_layers(1)) as server:   # doctest: +SKIP
    ...     urllib.request.urlopen(server.url + "/acme/changelog.html")
    """

    def __init__(self, layers: list[Path], host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.latency = 0.0  # seconds slept before each answer, to imitate a remote site
        self.request_log: list[tuple[str, str, int]] = []
        self._layers = [Path(layer) for layer in layers]
        self._lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def layers(self) -> list[Path]:
        with self._lock:
            return list(self._layers)

    def set_layers(self, layers: list[Path]) -> None:
        """Switch the served content at runtime (the demo's "day 2")."""
        with self._lock:
            self._layers = [Path(layer) for layer in layers]

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("SiteServer is not started; call start() first")
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        return f"http://{host}:{self.port}"

    def record(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self.request_log.append((method, path, status))

    def start(self) -> SiteServer:
        if self._httpd is not None:
            return self
        self._httpd = _HTTPServer((self.host, self.port), self)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"SiteServer:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m radar.devserver",
        description="Serve layered directories (later ones override earlier ones) over HTTP.",
        epilog="example: python -m radar.devserver radar/demo_site/day1 radar/demo_site/day2",
    )
    parser.add_argument(
        "dirs", nargs="*", type=Path, help="layer directories (default: the demo site, day 1)"
    )
    parser.add_argument("--day", type=int, choices=(1, 2), help="serve the bundled demo site")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds to wait before each answer"
    )
    args = parser.parse_args(argv)
    layers = args.dirs or demo_layers(args.day or 1)
    missing = [str(layer) for layer in layers if not layer.is_dir()]
    if missing:
        parser.error("not a directory: " + ", ".join(missing))
    server = SiteServer(layers, host=args.host, port=args.port)
    server.latency = args.latency
    server.start()
    print(server.url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
