"""Records the store hands out besides items: what the indexer, the alerts and the views read."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from radar.core.records import Item


@dataclass(frozen=True)
class SeqItem:
    """An item as stored at one sequence number; the indexer walks these in seq order."""

    seq: int
    item: Item


@dataclass(frozen=True)
class IndexState:
    """How far `radar index` got for one backend, and with which embedding model."""

    backend: str
    seq: int
    updated: str
    vector_model: str | None = None


@dataclass(frozen=True)
class Delivery:
    """One queued or sent alert line of the delivery log (one rule, one key, one channel)."""

    rule_id: str
    key: str  # an item id, or spike:<period>
    channel: str
    line: str
    status: str = "pending"  # pending | sent | failed (failed is retried)
    attempts: int = 0
    last_error: str | None = None
    created: str = ""
    sent_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ThemeItem:
    """An active item carrying a theme, with the theme's score on it."""

    id: str
    title: str
    competitor: str | None
    day: str | None  # published, else first seen
    score: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
