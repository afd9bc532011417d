"""Theme alerts: every new matching item is delivered once per rule and channel.

Delivery is at-least-once. Matches are queued in a delivery log before anything is sent; a row is
marked sent only after the channel accepted the message. A failed delivery stays queued and is
retried on the next run, never lost. A crash between a successful send and its log write means the
same message goes out once more on the next run: at most one duplicate, chosen over the risk of a
lost alert (an analyst can ignore a repeat; a missed security move is worse). One more case is
indistinguishable from a failure: a channel that accepts a message but answers after the timeout
(apprise's `rto`) gets it again on each run until it answers in time.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from radar.alerts_config import AlertsConfig, Rule
from radar.errors import DeliveryError
from radar.records import Item, utcnow

logger = logging.getLogger(__name__)

ALERT_SCHEMA = """
CREATE TABLE IF NOT EXISTS alert_deliveries (
    rule_id TEXT NOT NULL,
    key TEXT NOT NULL,            -- an item id, or spike:<period>
    channel TEXT NOT NULL,
    line TEXT NOT NULL,           -- the message line for this match
    status TEXT NOT NULL DEFAULT 'pending',   -- pending | sent | failed (failed is retried)
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created TEXT NOT NULL,
    sent_at TEXT,
    PRIMARY KEY (rule_id, key, channel)
);
CREATE TABLE IF NOT EXISTS alert_state (
    rule_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    updated TEXT NOT NULL
);
"""


@dataclass
class AlertSummary:
    matched: int = 0
    delivered: int = 0
    failed: int = 0
    messages: int = 0
    spikes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class AppriseNotifier:
    """Send one message to one apprise URL; raise DeliveryError with one readable line."""

    def send(self, url: str, title: str, body: str) -> None:
        import apprise

        sender = apprise.Apprise()
        if not sender.add(url):
            raise DeliveryError(f"not a URL apprise understands: {url.split('://', 1)[0]}://…")
        logs: list[str] = []
        result = sender.notify(
            body=body,
            title=title,
            body_format=apprise.NotifyFormat.MARKDOWN,
            log_callback=lambda entry, _plugin: logs.append(str(getattr(entry, "message", entry))),
        )
        if not result:
            raise DeliveryError(logs[-1] if logs else "the channel refused the message")


def item_line(item: Item) -> str:
    themes = ", ".join(t.get("label") or t["id"] for t in item.themes[:3]) or "no theme"
    who = item.competitor or "industry"
    day = (item.published or item.first_seen or "")[:10]
    return f"- **{item.title}** ({who}; {themes}; {day}) {item.url}"


def matches(rule: Rule, item: Item) -> bool:
    """The rule's field filters and text query; semantic and spike are checked by the engine."""
    if rule.theme and not {t["id"] for t in item.themes} & set(rule.theme):
        return False
    if (
        rule.competitor
        and item.competitor not in rule.competitor
        and not set(item.mentions) & set(rule.competitor)
    ):
        return False
    if rule.move_type and item.move_type not in rule.move_type:
        return False
    if rule.kind and item.kind not in rule.kind:
        return False
    if rule.query:
        text = f"{item.title} {item.body}".casefold()
        return all(word in text for word in rule.query.casefold().split())
    return True


class AlertEngine:
    def __init__(
        self,
        store: Any,
        config: AlertsConfig,
        embedder: Any = None,
        notifier: Any = None,
        now: Callable[[], datetime] | None = None,
    ):
        self.store = store
        self.db: sqlite3.Connection = store.db
        self.db.executescript(ALERT_SCHEMA)
        self.config = config
        self.embedder = embedder
        self.notifier = notifier or AppriseNotifier()
        self.now = now or (lambda: datetime.now(UTC))

    # -- matching -------------------------------------------------------------------------------
    def collect(self, summary: AlertSummary) -> None:
        for rule in self.config.rules:
            mark = self.db.execute(
                "SELECT seq FROM alert_state WHERE rule_id = ?", (rule.id,)
            ).fetchone()
            items, top = self._candidates(mark[0] if mark else None)
            found = self._match(rule, items)
            with self.store.transaction():
                for item in found:
                    self._queue(rule, item.id, item_line(item))
                self.db.execute(
                    "INSERT INTO alert_state (rule_id, seq, updated) VALUES (?, ?, ?)"
                    " ON CONFLICT(rule_id) DO UPDATE SET seq = excluded.seq, updated = excluded.updated",
                    (rule.id, top, utcnow()),
                )
            summary.matched += len(found)
            if rule.spike is not None:
                self._check_spike(rule, summary)

    def _candidates(self, mark: int | None) -> tuple[list[Item], int]:
        """Enriched active items newer than the rule's mark; a new rule looks at items dated in the last week."""
        from radar.store import _row_to_item

        top = int(self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM items").fetchone()[0])
        if mark is None:
            since = (self.now() - timedelta(days=7)).strftime("%Y-%m-%d")
            rows = self.db.execute(
                "SELECT * FROM items WHERE status = 'active' AND enriched_hash IS NOT NULL"
                " AND COALESCE(published, first_seen) >= ?",
                (since,),
            )
        else:
            rows = self.db.execute(
                "SELECT * FROM items WHERE status = 'active' AND enriched_hash IS NOT NULL AND seq > ?",
                (mark,),
            )
        return [_row_to_item(r) for r in rows], top

    def _match(self, rule: Rule, items: list[Item]) -> list[Item]:
        found = [i for i in items if matches(rule, i)]
        if rule.semantic and found:
            if self.embedder is None:
                raise DeliveryError(
                    f"rule '{rule.id}' has a semantic query but no embedder is configured"
                )
            query = self.embedder.embed([rule.semantic])[0]
            vectors = self.store.cached_embeddings(
                (i.content_hash for i in found), self.embedder.name
            )
            found = [
                i
                for i in found
                if i.content_hash in vectors
                and float(np.dot(vectors[i.content_hash], query)) >= rule.min_score
            ]
        return found

    def _queue(self, rule: Rule, key: str, line: str) -> None:
        for channel in rule.channels:
            self.db.execute(
                "INSERT OR IGNORE INTO alert_deliveries (rule_id, key, channel, line, created) VALUES (?, ?, ?, ?, ?)",
                (rule.id, key, channel, line, utcnow()),
            )

    def _check_spike(self, rule: Rule, summary: AlertSummary) -> None:
        from radar.store import _row_to_item

        spike = rule.spike
        assert spike is not None
        now = self.now()
        start = now - timedelta(days=spike.window_days + 7 * spike.baseline_weeks)
        window_start = (now - timedelta(days=spike.window_days)).strftime("%Y-%m-%d")
        rows = self.db.execute(
            "SELECT * FROM items WHERE status = 'active' AND COALESCE(published, first_seen) >= ?",
            (start.strftime("%Y-%m-%d"),),
        )
        days = [
            (i.published or i.first_seen or "")[:10]
            for i in map(_row_to_item, rows)
            if matches(rule, i)
        ]
        current = sum(d >= window_start for d in days)
        baseline = (len(days) - current) / spike.baseline_weeks * (spike.window_days / 7)
        if current >= spike.min_count and current >= spike.ratio * max(baseline, 1.0):
            period = now.strftime("%G-W%V")
            line = f"- spike: {current} matching items in the last {spike.window_days} days against about {baseline:.1f} usually"
            with self.store.transaction():
                self._queue(rule, f"spike:{period}", line)
            summary.spikes.append(f"{rule.id}: {current} vs {baseline:.1f}")

    # -- delivery -------------------------------------------------------------------------------
    def deliver(self, summary: AlertSummary) -> None:
        for rule in self.config.rules:
            for channel in rule.channels:
                rows = self.db.execute(
                    "SELECT key, line FROM alert_deliveries WHERE rule_id = ? AND channel = ? AND status != 'sent'"
                    " ORDER BY created, key",
                    (rule.id, channel),
                ).fetchall()
                for start in range(0, len(rows), rule.batch):
                    self._send_batch(rule, channel, rows[start : start + rule.batch], summary)

    def _send_batch(self, rule: Rule, channel: str, rows: list[Any], summary: AlertSummary) -> None:
        keys = [r["key"] for r in rows]
        title = f"Market Radar · {rule.id}: {len(rows)} new match{'es' if len(rows) != 1 else ''}"
        body = "\n".join(r["line"] for r in rows)
        marks = ",".join("?" * len(keys))
        try:
            self.notifier.send(self.config.channels[channel], title, body)
        except DeliveryError as exc:
            summary.failed += len(rows)
            summary.errors.append(f"{rule.id} → {channel}: {exc}")
            self.db.execute(
                f"UPDATE alert_deliveries SET status = 'failed', attempts = attempts + 1, last_error = ?"
                f" WHERE rule_id = ? AND channel = ? AND key IN ({marks})",
                (str(exc), rule.id, channel, *keys),
            )
            return
        self.db.execute(
            f"UPDATE alert_deliveries SET status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = NULL"
            f" WHERE rule_id = ? AND channel = ? AND key IN ({marks})",
            (utcnow(), rule.id, channel, *keys),
        )
        summary.delivered += len(rows)
        summary.messages += 1

    def run(self) -> AlertSummary:
        summary = AlertSummary()
        self.collect(summary)
        self.deliver(summary)
        return summary

    def history(self, limit: int = 50) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT rule_id, key, channel, line, status, attempts, last_error, created, sent_at FROM alert_deliveries"
            " ORDER BY COALESCE(sent_at, created) DESC LIMIT ?",
            (limit,),
        )
        return [dict(r) for r in rows]

    def test(self, rule_id: str) -> list[str]:
        """Send a sample message for one rule to each of its channels; return one line per channel."""
        rule = self.config.rule(rule_id)
        results = []
        for channel in rule.channels:
            try:
                self.notifier.send(
                    self.config.channels[channel],
                    f"Market Radar · {rule.id}: test message",
                    "- **This is a test** of the alert rule; real matches look like this line.",
                )
                results.append(f"{channel}: sent")
            except DeliveryError as exc:
                results.append(f"{channel}: FAILED: {exc}")
        return results
