"""One local HTTP server for every test site, on 127.0.0.1 and a free port.

Sites have host names under ``.localhost`` (``footer.localhost``, ``docs.docsco.localhost``).
Scrapy reaches them through this same server used as its HTTP proxy (``http_proxy`` in the
environment of the process under test), so no name needs to resolve; Chromium resolves
``*.localhost`` to 127.0.0.1 itself. The server logs every request as (host, path, status).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Resp:
    body: str | bytes = b""
    ctype: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


SILENT = Resp(status=0)  # close the connection without answering


def redirect(url: str, status: int = 301) -> Resp:
    return Resp(b"", "text/plain", status, {"Location": url})


class SitesServer:
    """Serve ``routes[host][path]``; anything else is a 404 (robots.txt: allow all)."""

    def __init__(self) -> None:
        self.routes: dict[str, dict[str, Resp]] = {}
        self.silent: set[str] = set()
        self.log: list[tuple[str, str, int]] = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> SitesServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def proxy(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def requests_to(self, host: str) -> list[str]:
        with self.lock:
            return [path for h, path, _ in self.log if h == host]

    def answer(self, host: str, path: str) -> Resp:
        if host in self.silent:
            return SILENT
        site = self.routes.get(host)
        if site is None:
            return Resp(b"no such site", "text/plain", 502)
        if path in site:
            return site[path]
        if path == "/robots.txt":
            return Resp(b"User-agent: *\nAllow: /\n", "text/plain")
        return Resp(b"<h1>Not found</h1>", status=404)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                parts = urlsplit(self.path)
                host = (parts.hostname or self.headers.get("Host", "")).split(":")[0].lower()
                path = (parts.path if parts.scheme else self.path.split("?")[0]) or "/"
                resp = server.answer(host, path)
                with server.lock:
                    server.log.append((host, path, resp.status))
                if resp.status == 0:
                    self.close_connection = True
                    return
                body = resp.body.encode() if isinstance(resp.body, str) else resp.body
                self.send_response(resp.status)
                self.send_header("Content-Type", resp.ctype)
                self.send_header("Content-Length", str(len(body)))
                for key, value in resp.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

        return Handler
