"""A rule's move type matches the changes inside a release; the message quotes the change."""

from __future__ import annotations

from pathlib import Path

from radar.alerts import AlertEngine, item_line, matches
from radar.alerts_config import Rule, load_alerts
from radar.core.records import Change, Item, item_id, utcnow
from radar.store import Store


class _Notifier:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, url: str, title: str, body: str) -> None:
        self.sent.append(body)


def _release(title: str, changes: list[Change]) -> Item:
    item = Item(
        id=item_id("acme-log", "https://acme.example/log", title),
        source_id="acme-log",
        kind="changelog_entry",
        title=title,
        body=" ".join(c.text for c in changes),
        url=f"https://acme.example/log#{title}",
        competitor="acme",
        published=utcnow()[:10],
    )
    item.changes = changes
    item.move_type = max(changes, key=lambda c: c.importance).move_type
    return item


RELEASE = [
    Change("Added OpenID Connect to the OAuth server", "Features", "launch", 0.8),
    Change("Rotated signing keys after a token leak", "Security", "security", 0.7),
    Change("Fixed a typo", "Fixes", "fix", 0.2),
    Change("Bump lodash", None, "deprecation", 0.0, noise=True),
]


def test_a_rule_matches_a_change_that_is_not_the_releases_own_type() -> None:
    item = _release("4.2.0", RELEASE)
    assert item.move_type == "launch"
    assert matches(Rule(id="sec", channels=("c",), move_type=("security",)), item)
    assert not matches(Rule(id="pricing", channels=("c",), move_type=("pricing",)), item)
    assert not matches(Rule(id="dep", channels=("c",), move_type=("deprecation",)), item)  # noise


def test_the_line_quotes_the_change_that_matched() -> None:
    item = _release("4.2.0", RELEASE)
    rule = Rule(id="sec", channels=("c",), move_type=("security",))
    assert "“Rotated signing keys after a token leak”" in item_line(item, rule)
    assert "“Added OpenID Connect to the OAuth server”" in item_line(item)  # the top change


def test_delivered_message_names_the_change(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.db")
    item = _release("4.2.0", RELEASE)
    store.upsert_item(item)
    store.save_enrichment([item])
    config_file = tmp_path / "alerts.yaml"
    config_file.write_text(
        'channels:\n  hook: "json://127.0.0.1:9/"\nrules:\n'
        "  - id: security-moves\n    move_type: security\n    channels: [hook]\n"
    )
    notifier = _Notifier()
    summary = AlertEngine(store, load_alerts(config_file), notifier=notifier).run()
    assert summary.delivered == 1
    assert (
        "4.2.0" in notifier.sent[0]
        and "Rotated signing keys after a token leak" in notifier.sent[0]
    )
