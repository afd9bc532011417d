"""The JSON API under /api: the same service calls as the pages, described by /openapi.json."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from radar.web import models as m
from radar.web.params import RisingParams, TrendParams, search_params
from radar.web.service import Service

ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": m.Error, "description": "A parameter is not valid (the message says which)."},
    401: {"model": m.Error, "description": "A token is required (serve_token)."},
    404: {"model": m.Error, "description": "No such id."},
    503: {"model": m.Error, "description": "The search backend or the store is unavailable."},
}
WEEK = Annotated[str, Path(description="ISO week, e.g. 2026-W48.")]

router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)


def service(request: Request) -> Service:
    return request.app.state.service  # type: ignore[no-any-return]


Svc = Annotated[Service, Depends(service)]


@router.get("/search", summary="Search with filters, facets and matches per week")
async def search(svc: Svc, p: Annotated[m.SearchParams, Depends(search_params)]) -> m.SearchPage:
    return await svc.call(svc.search, p)


@router.get("/trends", summary="Items per week or month by theme, competitor, move type or kind")
async def trends(svc: Svc, t: Annotated[TrendParams, Depends()]) -> m.Trends:
    return await svc.call(svc.trends, t.by, t.interval, t.since, t.until, t.q, t.top)


@router.get("/rising", summary="Themes and terms rising in the latest period")
async def rising(svc: Svc, r: Annotated[RisingParams, Depends()]) -> m.Rising:
    return await svc.call(svc.rising, r.period_days, r.background_weeks, r.q, r.terms)


@router.get("/themes", summary="Active themes with their sizes and latest weekly counts")
async def themes(svc: Svc) -> list[m.ThemeSummary]:
    return await svc.call(svc.themes)


@router.get("/themes/{theme_id}", summary="One theme: keywords, examples, timeline, related")
async def theme(svc: Svc, theme_id: str) -> m.ThemeDetail:
    return await svc.call(svc.theme, theme_id)


@router.get("/competitors", summary="Competitors with their item counts")
async def competitors(svc: Svc) -> list[m.CompetitorSummary]:
    return await svc.call(svc.competitors)


@router.get("/competitors/{name}", summary="A competitor's moves by week and move type")
async def competitor(svc: Svc, name: str) -> m.CompetitorTimeline:
    return await svc.call(svc.competitor, name)


@router.get("/items/{item_id}", summary="One item: text, themes, other sources, revisions")
async def item(svc: Svc, item_id: str) -> m.ItemDetail:
    return await svc.call(svc.item, item_id)


@router.get("/sources", summary="Health of every source")
async def sources(svc: Svc) -> list[m.Source]:
    return await svc.call(svc.sources)


@router.get("/digests", summary="The archive of weekly digests")
async def digests(svc: Svc) -> list[m.DigestInfo]:
    return await svc.call(svc.digests)


@router.get("/digests/{week}", summary="One archived digest: its Markdown and where its HTML is")
async def digest(svc: Svc, week: WEEK) -> m.DigestDetail:
    return await svc.call(svc.digest, week)
