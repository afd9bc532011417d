"""Elasticsearch bulk writes: documents as index sources, streamed in chunks, failures named."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from search.base import IndexDoc
from search.elastic_client import one_line
from search.query import strip_markers

CHUNK = 500


def doc_source(doc: IndexDoc) -> dict[str, Any]:
    source: dict[str, Any] = {
        "id": doc.id,
        "title": strip_markers(doc.title),
        "body": strip_markers(doc.body),
        "url": doc.url,
        "kind": doc.kind,
        "source": doc.source,
        "competitor": doc.competitor,
        "published": normalise_date(doc.published),
        "themes": list(doc.themes),
        "theme_labels": list(doc.theme_labels),
        "move_type": doc.move_type,
        "mentions": list(doc.mentions),
        "event_id": doc.event_id,
        "version": doc.version,
    }
    if doc.vector is not None and any(doc.vector):  # cosine rejects zero vectors
        source["vector"] = [float(x) for x in doc.vector]
    return source


def normalise_date(value: str | None) -> str | None:
    """An ISO date or datetime Elasticsearch accepts; None for anything unreadable."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip()).isoformat()
    except ValueError:
        pass
    try:
        return date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        return None


def item_result(item: dict[str, Any]) -> dict[str, Any]:
    """The inside of one bulk response entry: {"index": {...}} -> {...}."""
    result = next(iter(item.values()), None) if item else None
    return result if isinstance(result, dict) else {}


def describe_item(item: dict[str, Any]) -> str:
    """The reason one bulk item failed, from its response entry."""
    result = item_result(item)
    error = result.get("error")
    reason = f"{error.get('type')}: {error.get('reason')}" if isinstance(error, dict) else error
    return one_line(f"id {result.get('_id')}: {reason or result.get('status')}")


def bulk_options(retries: int, initial_backoff: float, max_backoff: float) -> dict[str, Any]:
    """Keyword arguments for `helpers.streaming_bulk`: chunks, retries on 429, no raising."""
    return {
        "chunk_size": CHUNK,
        "max_retries": retries,
        "initial_backoff": initial_backoff,
        "max_backoff": max_backoff,
        "raise_on_error": False,
    }


def run_bulk(
    helpers: Any,
    client: Any,
    index: str,
    actions: Iterable[dict[str, Any]],
    options: dict[str, Any],
) -> tuple[int, list[Any]]:
    """(items done, failed items' response entries); refreshes `index` when anything was done."""
    done, failed = 0, []
    try:
        for ok, item in helpers.streaming_bulk(client, actions, **options):
            if ok:
                done += 1
            else:
                failed.append(item)
    finally:
        if done:
            client.indices.refresh(index=index)
    return done, failed
