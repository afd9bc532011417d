"""Crawled text in alerts is inert in every channel's format (issue 10.3).

The hostile titles go through the alert engine and the real apprise plugins to real local
receivers: Slack's and Discord's webhook addresses are pointed at a local HTTP server, plain-text
JSON goes to the webhook receiver, email to a local SMTP server.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from apprise.plugins import discord, slack

from radar.alerts import AlertEngine
from radar.alerts_config import load_alerts
from radar.store import Store
from tests.receivers import SmtpReceiver, WebhookReceiver
from tests.test_alerts import _add, _config

PING = "<!channel> <https://evil.example|Click here>"
MASKED = "[Reset your password](https://evil.example/phish)"
PIXEL = '<img src="https://evil.example/pixel.gif"> @everyone'
BIDI = "Invoice \u202egpj.exe\u202c paid \u2066x\u2069 \u200ey\u200f"


class ServiceReceiver:
    """Stands in for Slack's and Discord's webhook servers: keeps each JSON post, answers 'ok'."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.posts.append(json.loads(body or b"{}"))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> ServiceReceiver:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def services(monkeypatch: pytest.MonkeyPatch) -> Iterator[ServiceReceiver]:
    with ServiceReceiver() as receiver:
        monkeypatch.setattr(slack.NotifySlack, "webhook_url", f"{receiver.base}/services")
        monkeypatch.setattr(discord.NotifyDiscord, "notify_url", f"{receiver.base}/api/webhooks")
        yield receiver


def _run(tmp_path: Path, url: str, *titles: str) -> None:
    store = Store(tmp_path / "r.db")
    for title in titles:
        _add(store, title)
    summary = AlertEngine(store, load_alerts(_config(tmp_path, {"ch": url}))).run()
    assert summary.delivered == len(titles), summary.errors


def test_slack_gets_no_ping_and_no_masked_link(tmp_path: Path, services: ServiceReceiver) -> None:
    _run(tmp_path, "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/", PING, MASKED)
    (post,) = services.posts
    text = post["attachments"][0]["text"]
    assert "<!channel>" not in text and "<!" not in text
    assert "<https://evil.example" not in text  # neither <url|label> nor <url>
    assert "Click here" in text and "Reset your password" in text
    assert "https://evil.example/phish" in text  # shown as text, the target visible
    assert "<https://acme.example/log#" in text or "https://acme.example/log#" in text


def test_discord_gets_no_masked_link_and_no_mass_mention(
    tmp_path: Path, services: ServiceReceiver
) -> None:
    _run(tmp_path, "discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js", MASKED, PIXEL, PING)
    content = " ".join(p["content"] for p in services.posts)
    assert "Reset your password" in content
    assert re.search(r"(?<!\\)\]\(", content) is None  # no unescaped "](": no masked link
    assert re.search(r"(?<!\\)<", content) is None  # no raw tag or <!channel>
    assert "@everyone" not in content


def test_plain_text_is_readable_bounded_and_has_no_bidi_overrides(tmp_path: Path) -> None:
    huge = "A" * 9_000_000
    with WebhookReceiver() as hook:
        _run(tmp_path, hook.url, MASKED, BIDI, huge)
        message = " ".join(p["message"] for p in hook.posts)
    assert "[Reset your password](https://evil.example/phish)" in message  # literal, unescaped
    assert "\\" not in message  # no Markdown escapes in plain text
    assert not set(message) & set(
        "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
    )
    assert "Invoice gpj.exe paid x y" in message
    assert len(message) < 5_000


def test_email_html_has_no_live_tag(tmp_path: Path) -> None:
    with SmtpReceiver() as smtp:
        _run(tmp_path, smtp.url(), PIXEL, MASKED)
        (envelope,) = smtp.messages
    mail = message_from_bytes(envelope.content)
    (html,) = [
        p.get_payload(decode=True).decode()
        for p in mail.walk()
        if p.get_content_type() == "text/html"
    ]
    assert "<img" not in html and "&lt;img" in html
    assert 'href="https://evil.example' not in html
    assert "<b>[Reset your password](https://evil.example/phish)</b>" in html
