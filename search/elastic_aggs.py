"""Elasticsearch aggregations as pure functions: counts over time and significant terms."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from radar.core.errors import RadarError
from search.base import INTERVALS, SearchQuery, TermTrend
from search.elastic_query import build_bool
from search.query import parse_day

HISTOGRAM_FIELDS = {
    "theme": "themes",
    "competitor": "competitor",
    "move_type": "move_type",
    "kind": "kind",
}
HISTOGRAM_TERMS = 500
SAMPLE_SIZE = 2000  # documents per shard that significant_text re-analyses


def build_histogram_body(by: str, interval: str, query: SearchQuery) -> dict[str, Any]:
    if by not in HISTOGRAM_FIELDS:
        raise RadarError(f"cannot count by '{by}': use one of {', '.join(HISTOGRAM_FIELDS)}")
    if interval not in INTERVALS:
        raise RadarError(f"unknown interval '{interval}': use one of {', '.join(INTERVALS)}")
    histogram = {
        "field": "published",
        "calendar_interval": interval,  # weeks start on Monday
        "format": "yyyy-MM-dd",
        "min_doc_count": 1,
    }
    terms = {"terms": {"field": HISTOGRAM_FIELDS[by], "size": HISTOGRAM_TERMS}}
    return {
        "size": 0,
        "query": build_bool(query),
        "aggs": {"buckets": {"date_histogram": histogram, "aggs": {"by": terms}}},
    }


def build_significant_terms_body(
    since: str,
    until: str | None = None,
    background_since: str | None = None,
    query: SearchQuery | None = None,
    size: int = 20,
) -> dict[str, Any]:
    """Words of the period [since, until] against the background [background_since, since)."""
    base = query or SearchQuery()
    start = parse_day(since, "since")
    assert start is not None
    before = (date.fromisoformat(start) - timedelta(days=1)).isoformat()
    foreground = replace(base, since=start, until=until)
    background = replace(base, since=background_since, until=before)
    significant = {
        "field": "terms",
        "source_fields": ["title", "body"],
        "filter_duplicate_text": True,
        "size": size,
        "min_doc_count": 2,
        "background_filter": build_bool(background),
    }
    return {
        "size": 0,
        "query": build_bool(foreground),
        "aggs": {
            "sample": {
                "sampler": {"shard_size": SAMPLE_SIZE},
                "aggs": {"terms": {"significant_text": significant}},
            }
        },
    }


def parse_histogram(resp: dict[str, Any]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for bucket in (resp.get("aggregations") or {}).get("buckets", {}).get("buckets", []):
        counts = {str(t["key"]): int(t["doc_count"]) for t in bucket["by"]["buckets"]}
        if counts:
            out[bucket["key_as_string"][:10]] = counts
    return out


def parse_significant_terms(resp: dict[str, Any]) -> list[TermTrend]:
    sample = (resp.get("aggregations") or {}).get("sample", {})
    return [
        TermTrend(
            term=str(b["key"]),
            score=float(b.get("score", 0.0)),
            count=int(b["doc_count"]),
            background=int(b.get("bg_count", 0)),
        )
        for b in sample.get("terms", {}).get("buckets", [])
    ]
