"""Near-duplicate events: the same story from several sources becomes one event."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from enrich.base import Vectors
from radar.core.records import Item


def event_key(item: Item) -> str:
    return f"ev-{item.id}"


def _version(item: Item) -> str | None:
    return item.version.lower().lstrip("v") if item.version else None


def _when(item: Item) -> datetime | None:
    raw = item.published or item.first_seen
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")[:25]).replace(tzinfo=None)
    except ValueError:
        return None


class EventGrouper:
    """Give each new item the event of its most similar earlier item from another source, if the
    two are similar enough and close enough in time; else an event of its own. Two competitors'
    own items are never one event (their releases may read alike); industry news joins either."""

    def __init__(self, threshold: float = 0.85, window_days: int = 7):
        self.threshold = threshold
        self.window = timedelta(days=window_days)
        self.items: list[Item] = []
        self._matrix = np.zeros((0, 0), dtype=np.float32)  # rows = known vectors, grown in blocks
        self._rows = 0

    def add_known(self, item: Item, vector: Vectors) -> None:
        if self._rows == len(self._matrix):
            grown = np.zeros((max(256, 2 * len(self._matrix)), len(vector)), dtype=np.float32)
            if self._rows:
                grown[: self._rows] = self._matrix[: self._rows]
            self._matrix = grown
        self._matrix[self._rows] = vector
        self._rows += 1
        self.items.append(item)

    def assign(self, item: Item, vector: Vectors) -> str:
        match = self._best_match(item, vector)
        event = match.event_id if match is not None and match.event_id else event_key(item)
        item.event_id = event
        self.add_known(item, vector)
        return event

    def _best_match(self, item: Item, vector: Vectors) -> Item | None:
        if not self.items:
            return None
        same_release = self._same_release(item)
        if same_release is not None:
            return same_release
        sims = self._matrix[: self._rows] @ vector
        when = _when(item)
        for index in np.argsort(-sims):
            if sims[index] < self.threshold:
                return None
            other = self.items[int(index)]
            if other.source_id == item.source_id or other.id == item.id:
                continue
            if item.competitor and other.competitor and item.competitor != other.competitor:
                continue
            other_when = _when(other)
            if when and other_when and abs(when - other_when) > self.window:
                continue
            return other
        return None

    def _same_release(self, item: Item) -> Item | None:
        """A changelog entry and a release (or post) of one competitor with one version are one event."""
        version = _version(item)
        if not version or not item.competitor:
            return None
        for other in reversed(self.items):
            if (
                other.competitor == item.competitor
                and other.source_id != item.source_id
                and _version(other) == version
            ):
                return other
        return None
