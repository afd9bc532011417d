"""Real receivers for alert deliveries: an HTTP webhook server and an SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


class WebhookReceiver:
    """Collects JSON posts; `mode` = 'ok' | 'error' (HTTP 500) | 'slow' (answers after `delay` s)."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.mode = "ok"
        self.delay = 3.0
        self._stop = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if receiver.mode == "slow" and receiver._stop.wait(receiver.delay):
                    return
                if receiver.mode == "error":
                    self.send_response(500)
                    self.end_headers()
                    return
                receiver.posts.append(json.loads(body or b"{}"))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"json://127.0.0.1:{self.server.server_address[1]}/hook?rto=1&cto=1"

    def __enter__(self) -> WebhookReceiver:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpReceiver:
    """A real SMTP server on 127.0.0.1; `refuse = True` makes it answer 554 to every message."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.refuse = False
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return "554 Transaction failed: refused by policy"
        self.messages.append(envelope)
        return "250 OK"

    def url(self, to: str = "pm@example.com") -> str:
        return f"mailto://127.0.0.1:{self.port}?from=radar@example.com&to={to}&mode=insecure"

    def __enter__(self) -> SmtpReceiver:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
