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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from radar import textsafe
from radar.alerts_config import AlertsConfig, Rule
from radar.core.errors import DeliveryError
from radar.core.protocols import AlertLog
from radar.core.records import Change, Item
from radar.core.stored import Delivery

logger = logging.getLogger(__name__)

LABEL_LIMIT = 80
CHANGE_LIMIT = 240  # the quoted change
# apprise plugins whose Markdown dialect the alert lines are converted to; any other channel gets
# plain text, which apprise escapes for the channel's own format
CHANNEL_FORMATS = {"NotifySlack": "slack", "NotifyDiscord": "markdown", "NotifyEmail": "html"}


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

        declared = {"text": apprise.NotifyFormat.TEXT, "html": apprise.NotifyFormat.HTML}
        sender = apprise.Apprise()
        if not sender.add(url):
            raise DeliveryError(f"not a URL apprise understands: {url.split('://', 1)[0]}://…")
        logs: list[str] = []
        fmt = CHANNEL_FORMATS.get(type(sender[0]).__name__, "text")
        result = sender.notify(
            body=textsafe.convert(body, fmt),
            title=textsafe.convert(title, "text" if fmt == "html" else fmt),  # a subject
            # declared text is escaped by apprise for the channel; our Markdown is escaped already
            body_format=declared.get(fmt, apprise.NotifyFormat.MARKDOWN),
            log_callback=lambda entry, _plugin: logs.append(str(getattr(entry, "message", entry))),
        )
        if not result:
            raise DeliveryError(logs[-1] if logs else "the channel refused the message")


def item_line(item: Item, rule: Rule | None = None) -> str:
    """One match as a line of our Markdown, crawled text escaped (`textsafe.convert` adapts it);
    a release quotes its change that matched the rule (else its most important change)."""
    labels = (t.get("label") or t["id"] for t in item.themes[:3])
    themes = ", ".join(textsafe.markdown(label, LABEL_LIMIT) for label in labels) or "no theme"
    who = textsafe.markdown(item.competitor or "industry", LABEL_LIMIT)
    day = textsafe.markdown((item.published or item.first_seen or "")[:10])
    url = textsafe.http_url(item.url) or ""
    change = quoted_change(item, rule.move_type if rule else [])
    quote = f" “{textsafe.markdown(change.text, CHANGE_LIMIT)}”" if change else ""
    return f"- **{textsafe.markdown(item.title)}**{quote} ({who}; {themes}; {day}) {url}".rstrip()


def quoted_change(item: Item, move_types: Sequence[str] = ()) -> Change | None:
    """The most important change of the item that is not noise, of one of `move_types` if any."""
    typed = [c for c in item.changes if c.move_type and not c.noise]
    if move_types:
        typed = [c for c in typed if c.move_type in move_types]
    return max(typed, key=lambda c: c.importance, default=None)


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
    if rule.move_type and not set(item.move_types) & set(rule.move_type):
        return False  # any of the release's changes may match
    if rule.kind and item.kind not in rule.kind:
        return False
    if rule.query:
        text = f"{item.title} {item.body}".casefold()
        return all(word in text for word in rule.query.casefold().split())
    return True


class AlertEngine:
    def __init__(
        self,
        store: AlertLog,
        config: AlertsConfig,
        embedder: Any = None,
        notifier: Any = None,
        now: Callable[[], datetime] | None = None,
    ):
        self.store = store
        self.config = config
        self.embedder = embedder
        self.notifier = notifier or AppriseNotifier()
        self.now = now or (lambda: datetime.now(UTC))

    # -- matching -------------------------------------------------------------------------------
    def collect(self, summary: AlertSummary) -> None:
        for rule in self.config.rules:
            items, top = self._candidates(self.store.alert_mark(rule.id))
            found = self._match(rule, items)
            lines = {item.id: item_line(item, rule) for item in found}
            self.store.queue_alerts(rule.id, rule.channels, lines, mark=top)
            summary.matched += len(found)
            if rule.spike is not None:
                self._check_spike(rule, summary)

    def _candidates(self, mark: int | None) -> tuple[list[Item], int]:
        """Enriched active items newer than the rule's mark; a new rule looks at items dated in the last week."""

        top = self.store.newest_seq()
        if mark is not None:
            return self.store.enriched_items(after_seq=mark), top
        since = (self.now() - timedelta(days=7)).strftime("%Y-%m-%d")
        return self.store.enriched_items(since=since), top

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

    def _check_spike(self, rule: Rule, summary: AlertSummary) -> None:

        spike = rule.spike
        assert spike is not None
        now = self.now()
        start = now - timedelta(days=spike.window_days + 7 * spike.baseline_weeks)
        window_start = (now - timedelta(days=spike.window_days)).strftime("%Y-%m-%d")
        days = [
            (i.published or i.first_seen or "")[:10]
            for i in self.store.active_items_since(start.strftime("%Y-%m-%d"))
            if matches(rule, i)
        ]
        current = sum(d >= window_start for d in days)
        baseline = (len(days) - current) / spike.baseline_weeks * (spike.window_days / 7)
        if current >= spike.min_count and current >= spike.ratio * max(baseline, 1.0):
            period = now.strftime("%G-W%V")
            line = f"- spike: {current} matching items in the last {spike.window_days} days against about {baseline:.1f} usually"
            self.store.queue_alerts(rule.id, rule.channels, {f"spike:{period}": line})
            summary.spikes.append(f"{rule.id}: {current} vs {baseline:.1f}")

    # -- delivery -------------------------------------------------------------------------------
    def deliver(self, summary: AlertSummary) -> None:
        for rule in self.config.rules:
            for channel in rule.channels:
                rows = self.store.pending_alerts(rule.id, channel)
                for start in range(0, len(rows), rule.batch):
                    self._send_batch(rule, channel, rows[start : start + rule.batch], summary)

    def _send_batch(
        self, rule: Rule, channel: str, rows: list[Delivery], summary: AlertSummary
    ) -> None:
        keys = [r.key for r in rows]
        title = f"Market Radar · {rule.id}: {len(rows)} new match{'es' if len(rows) != 1 else ''}"
        body = "\n".join(r.line for r in rows)
        try:
            self.notifier.send(self.config.channels[channel], title, body)
        except DeliveryError as exc:
            summary.failed += len(rows)
            summary.errors.append(f"{rule.id} → {channel}: {exc}")
            self.store.mark_failed(rule.id, channel, keys, str(exc))
            return
        self.store.mark_sent(rule.id, channel, keys)
        summary.delivered += len(rows)
        summary.messages += 1

    def run(self) -> AlertSummary:
        summary = AlertSummary()
        self.collect(summary)
        self.deliver(summary)
        return summary

    def history(self, limit: int = 50) -> list[dict[str, Any]]:
        return [d.to_json() for d in self.store.delivery_history(limit)]

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
