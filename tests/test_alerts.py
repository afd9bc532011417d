"""Theme alerts against real receivers: a local webhook server and a local SMTP server."""

from __future__ import annotations

from pathlib import Path

import pytest

from radar.alerts import AlertEngine, AppriseNotifier
from radar.alerts_config import load_alerts
from radar.core.errors import ConfigError
from radar.core.records import Item, item_id, utcnow
from radar.store import Store
from tests.receivers import SmtpReceiver, WebhookReceiver


def _add(
    store: Store, title: str, theme: str = "security-compliance", competitor: str | None = "acme"
) -> Item:
    item = Item(
        id=item_id("src", "https://acme.example/log", title),
        source_id="src",
        kind="changelog_entry",
        title=title,
        body=f"{title}. Details follow.",
        url=f"https://acme.example/log#{abs(hash(title))}",
        competitor=competitor,
        published=utcnow()[:10],
    )
    store.upsert_item(item)
    item.themes = [{"id": theme, "score": 0.9, "kind": "configured", "label": theme}]
    item.move_type = "security"
    store.save_enrichment([item])
    return item


def _config(tmp_path: Path, channels: dict[str, str], extra: str = "") -> Path:
    lines = ["channels:"] + [f'  {name}: "{url}"' for name, url in channels.items()]
    lines += [
        "rules:",
        "  - id: security-moves",
        "    theme: security-compliance",
        f"    channels: [{', '.join(channels)}]",
        "    batch: 10",
        extra,
    ]
    path = tmp_path / "alerts.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_each_matching_item_is_delivered_once_then_only_new_ones(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.db")
    with WebhookReceiver() as hook:
        config = load_alerts(_config(tmp_path, {"hook": hook.url}))
        _add(store, "Patched SSRF in webhooks")
        _add(store, "Dark mode", theme="ui")
        first = AlertEngine(store, config).run()
        assert (first.matched, first.delivered, first.messages) == (1, 1, 1)
        assert "Patched SSRF in webhooks" in hook.posts[0]["message"]
        assert (
            "acme" in hook.posts[0]["message"] and "security-compliance" in hook.posts[0]["message"]
        )
        assert AlertEngine(store, config).run().delivered == 0
        _add(store, "Rotated signing keys after token leak")
        third = AlertEngine(store, config).run()
        assert third.delivered == 1 and len(hook.posts) == 2
        assert (
            "Rotated signing keys" in hook.posts[1]["message"]
            and "Patched SSRF" not in hook.posts[1]["message"]
        )


@pytest.mark.parametrize("failure", ["error", "slow"])
def test_a_failed_webhook_delivery_is_retried_next_run_not_lost(
    tmp_path: Path, failure: str
) -> None:
    store = Store(tmp_path / "r.db")
    with WebhookReceiver() as hook:
        config = load_alerts(_config(tmp_path, {"hook": hook.url}))
        _add(store, "Patched SSRF in webhooks")
        hook.mode = failure
        failed = AlertEngine(store, config).run()
        assert (failed.delivered, failed.failed) == (0, 1)
        assert failed.errors and "\n" not in failed.errors[0]
        (row,) = AlertEngine(store, config).history()
        assert (row["status"], row["attempts"]) == ("failed", 1)
        hook.mode = "ok"
        retried = AlertEngine(store, config).run()
        assert retried.delivered == 1
        assert [p["message"].count("Patched SSRF") for p in hook.posts] == [1]


def test_email_delivery_through_a_real_smtp_server_and_a_refusal(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.db")
    with SmtpReceiver() as smtp:
        config = load_alerts(_config(tmp_path, {"mail": smtp.url()}))
        _add(store, "Patched SSRF in webhooks")
        smtp.refuse = True
        assert AlertEngine(store, config).run().failed == 1
        smtp.refuse = False
        assert AlertEngine(store, config).run().delivered == 1
        (message,) = smtp.messages
        assert message.rcpt_tos == ["pm@example.com"]
        assert b"Patched SSRF in webhooks" in message.content


def test_a_crash_between_delivery_and_logging_repeats_at_most_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.db")

    class CrashAfterSend(AppriseNotifier):
        def send(self, url: str, title: str, body: str) -> None:
            super().send(url, title, body)
            raise KeyboardInterrupt("killed after the channel accepted the message")

    with WebhookReceiver() as hook:
        config = load_alerts(_config(tmp_path, {"hook": hook.url}))
        _add(store, "Patched SSRF in webhooks")
        with pytest.raises(KeyboardInterrupt):
            AlertEngine(store, config, notifier=CrashAfterSend()).run()
        AlertEngine(store, config).run()
        AlertEngine(store, config).run()
        assert len(hook.posts) == 2  # the original and exactly one repeat; nothing lost


def test_a_spike_alerts_once_per_period(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.db")
    with WebhookReceiver() as hook:
        spike = "    spike: {window_days: 7, baseline_weeks: 4, ratio: 2.0, min_count: 3}"
        config = load_alerts(_config(tmp_path, {"hook": hook.url}, spike))
        for n in range(4):
            _add(store, f"Security fix number {n}")
        summary = AlertEngine(store, config).run()
        assert summary.spikes == ["security-moves: 4 vs 0.0"]
        assert any("spike: 4 matching items" in p["message"] for p in hook.posts)
        assert AlertEngine(store, config).run().spikes == ["security-moves: 4 vs 0.0"]
        assert sum("spike:" in p["message"] for p in hook.posts) == 1  # queued once per period


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'channels:\n  hook: "nosuchscheme://x"\n',
            "line 2: channel `hook` is not a URL apprise understands",
        ),
        (
            'channels:\n  hook: "json://127.0.0.1/x"\nrules:\n  - id: r\n    channels: [slack]\n    theme: x\n',
            "line 5: rule 'r' uses channel 'slack', which `channels` does not define",
        ),
        (
            'channels:\n  hook: "json://127.0.0.1/x"\nrules:\n  - id: r\n    channels: [hook]\n',
            "line 4: rule 'r' matches everything",
        ),
        ("rules:\n  - id: r\n    colour: red\n", "line 3: unknown key `colour` in a rule"),
        (
            'channels:\n  hook: "${NO_SUCH_HOOK}"\n',
            "uses ${NO_SUCH_HOOK} but that environment variable is not set",
        ),
    ],
)
def test_invalid_rules_and_channels_fail_with_one_line(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "alerts.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_alerts(path, env={})
    assert message in str(info.value) and "\n" not in str(info.value)
