"""The one search protocol every backend implements, and the records it exchanges.

The digest, alerts, CLI and web UI only see this protocol; `search.get_backend(settings)` picks
the backend (embedded SQLite by default, Elasticsearch by setting). Nothing else imports a backend
module directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

FILTER_FIELDS = ("competitor", "theme", "move_type", "kind", "source")
MODES = ("text", "semantic", "hybrid")
INTERVALS = ("week", "month")


@dataclass
class IndexDoc:
    """What a backend stores for one item (built from the store by the indexer)."""

    id: str
    title: str
    body: str
    url: str
    kind: str
    source: str
    competitor: str | None = None
    published: str | None = (
        None  # ISO date or datetime; the item's date (publisher's, else first seen)
    )
    themes: list[str] = field(default_factory=list)  # theme ids
    theme_labels: list[str] = field(default_factory=list)
    move_type: str | None = None
    mentions: list[str] = field(default_factory=list)
    event_id: str | None = None
    version: str | None = None
    vector: list[float] | None = None  # L2-normalised embedding, when enrichment ran


@dataclass
class SearchQuery:
    text: str = ""
    mode: str = "hybrid"  # text | semantic | hybrid; semantic and hybrid need `vector`
    vector: list[float] | None = None  # the query's embedding (the caller embeds the text)
    competitor: list[str] = field(default_factory=list)
    theme: list[str] = field(default_factory=list)
    move_type: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    since: str | None = None  # inclusive ISO date
    until: str | None = None  # inclusive ISO date
    sort: str = "relevance"  # relevance | date
    limit: int = 20
    offset: int = 0
    facets: list[str] = field(default_factory=list)  # any of FILTER_FIELDS


@dataclass
class Hit:
    id: str
    score: float
    title: str
    snippet: str  # HTML-escaped text with matches wrapped in <mark>...</mark>
    url: str
    kind: str
    source: str
    competitor: str | None = None
    published: str | None = None
    themes: list[str] = field(default_factory=list)
    move_type: str | None = None
    mentions: list[str] = field(default_factory=list)
    event_id: str | None = None
    version: str | None = None


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass
class TermTrend:
    term: str
    score: float  # significance of the rise (higher = more significant)
    count: int  # documents with the term in the period
    background: int  # documents with the term in the background


@runtime_checkable
class SearchBackend(Protocol):
    name: str

    def index(self, docs: Iterable[IndexDoc]) -> int: ...  # upsert; returns how many were written

    def delete(self, ids: Iterable[str]) -> int: ...

    def search(self, query: SearchQuery) -> SearchResult: ...

    def histogram(
        self, by: str, interval: str = "week", query: SearchQuery | None = None
    ) -> dict[str, dict[str, int]]:
        """Bucket start date (ISO) -> value of `by` (theme / competitor / move_type / kind) -> count."""
        ...

    def significant_terms(
        self,
        since: str,
        until: str | None = None,
        background_since: str | None = None,
        query: SearchQuery | None = None,
        size: int = 20,
    ) -> list[TermTrend]: ...

    def count(self) -> int: ...

    def clear(self) -> None: ...

    def check(self) -> None:
        """Raise BackendError with one readable line when the backend cannot be used."""
        ...

    def close(self) -> None: ...


def describe(backend: Any) -> str:
    return getattr(backend, "name", type(backend).__name__)
