"""Query parameters shared by the pages and the API (FastAPI dependencies), checked once.

A value a user can fix (`since=yesterday`) is a BadRequest: HTTP 400 with one readable line.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from radar.core.errors import RadarError
from radar.web.models import SearchParams
from radar.web.service import BadRequest
from search.query import MAX_QUERY_CHARS, parse_day

Text = Annotated[
    str,
    Query(
        max_length=MAX_QUERY_CHARS, description='Plain words and "quoted phrases"; no operators.'
    ),
]
Values = Annotated[list[str] | None, Query(description="Repeat the parameter for several values.")]
Day = Annotated[str | None, Query(description="ISO date, YYYY-MM-DD (inclusive).")]


def day(value: str | None, name: str) -> str | None:
    try:
        return parse_day(value, name)
    except RadarError as exc:
        raise BadRequest(str(exc)) from None


def date_range(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    start, end = day(since, "since"), day(until, "until")
    if start and end and start > end:
        raise BadRequest(f"since ({start}) is after until ({end})")
    return start, end


def search_params(
    q: Text = "",
    mode: Annotated[
        str | None,
        Query(
            pattern="^(text|semantic|hybrid)?$",
            description="text, semantic or hybrid; default: hybrid when the index has embeddings.",
        ),
    ] = None,
    competitor: Values = None,
    theme: Values = None,
    move_type: Values = None,
    kind: Values = None,
    source: Values = None,
    since: Day = None,
    until: Day = None,
    sort: Annotated[str, Query(pattern="^(relevance|date)$")] = "relevance",
    limit: Annotated[int, Query(ge=0, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> SearchParams:
    start, end = date_range(since, until)
    return SearchParams(
        q=q, mode=mode or "", competitor=_clean(competitor), theme=_clean(theme),
        move_type=_clean(move_type), kind=_clean(kind), source=_clean(source),
        since=start, until=end, sort=sort, limit=limit, offset=offset,
    )  # fmt: skip


def _clean(values: list[str] | None) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in values or [] if v.strip()))


class TrendParams:
    def __init__(
        self,
        by: Annotated[str, Query(pattern="^(theme|competitor|move_type|kind)$")] = "theme",
        interval: Annotated[str, Query(pattern="^(week|month)$")] = "week",
        since: Day = None,
        until: Day = None,
        q: Text = "",
        top: Annotated[int, Query(ge=1, le=50, description="Largest series shown.")] = 8,
    ):
        self.by, self.interval, self.q, self.top = by, interval, q, top
        self.since, self.until = date_range(since, until)


class RisingParams:
    def __init__(
        self,
        period_days: Annotated[int, Query(ge=1, le=365)] = 7,
        background_weeks: Annotated[int, Query(ge=1, le=104)] = 8,
        q: Text = "",
        terms: Annotated[int, Query(ge=0, le=100)] = 15,
    ):
        self.period_days, self.background_weeks = period_days, background_weeks
        self.q, self.terms = q, terms
