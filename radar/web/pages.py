"""The HTML pages: Jinja2 templates (autoescaped) over the same service calls as the API."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined

from radar.web import charts
from radar.web import models as m
from radar.web.api import WEEK, Svc
from radar.web.params import RisingParams, TrendParams, search_params
from radar.web.security import DIGEST_CSP, safe_url, snippet_html
from search import FILTER_FIELDS
from search.trends import sparkline

NAV = [("/", "Search"), ("/trends", "Trends"), ("/themes", "Themes"),
       ("/competitors", "Competitors"), ("/digests", "Digests"), ("/sources", "Sources")]  # fmt: skip
FIELD_TITLES = {"competitor": "Competitor", "theme": "Theme", "move_type": "Move type",
                "kind": "Kind", "source": "Source"}  # fmt: skip
DEFAULT_LIMIT = 20

router = APIRouter(include_in_schema=False)


def search_url(p: m.SearchParams, **changes: Any) -> str:
    """The search page's URL for these parameters (defaults left out)."""
    data = {**p.model_dump(), **changes}
    pairs: list[tuple[str, Any]] = [("q", data["q"])] if data["q"] else []
    if data["mode"]:
        pairs.append(("mode", data["mode"]))
    pairs += [(f, v) for f in FILTER_FIELDS for v in data[f]]
    pairs += [(k, data[k]) for k in ("since", "until") if data[k]]
    if data["sort"] != "relevance":
        pairs.append(("sort", data["sort"]))
    if data["limit"] != DEFAULT_LIMIT:
        pairs.append(("limit", data["limit"]))
    if data["offset"]:
        pairs.append(("offset", data["offset"]))
    return "/?" + urlencode(pairs) if pairs else "/"


def toggle(p: m.SearchParams, field: str, value: str) -> str:
    """The URL with `value` added to the `field` filter, or removed when it is there."""
    values: list[str] = getattr(p, field)
    changed = [v for v in values if v != value] if value in values else [*values, value]
    return search_url(p, **{field: changed, "offset": 0})


def bars(buckets: list[m.Bucket], title: str) -> Any:
    return charts.bar_chart([b.start for b in buckets], [b.count for b in buckets], title)


def lines(trends: m.Trends, title: str) -> Any:
    return charts.line_chart(trends.buckets, [(s.label, s.counts) for s in trends.series], title)


def day(value: str | None) -> str:
    return (value or "")[:10] or "undated"


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("radar.web", "templates"),
        autoescape=True,  # every crawled string is text, whatever it holds
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(link=safe_url, snippet=snippet_html, day=day, spark=sparkline,
                       short=charts.short_day, path=lambda v: quote(str(v), safe=""))  # fmt: skip
    env.globals.update(NAV=NAV, FIELDS=FILTER_FIELDS, FIELD_TITLES=FIELD_TITLES,
                       search_url=search_url, toggle=toggle, bars=bars, lines=lines,
                       p_empty=m.SearchParams())  # fmt: skip
    return env


ENV = _environment()


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    section = "/" + request.url.path.strip("/").split("/")[0]
    html = ENV.get_template(name).render(section=section, **context)
    return HTMLResponse(html, status_code=status)


@router.get("/", response_class=HTMLResponse)
async def search_page(
    request: Request, svc: Svc, p: Annotated[m.SearchParams, Depends(search_params)]
) -> Response:
    page = await svc.call(svc.search, p)
    return render(request, "search.html", page=page, p=page.query, asked_mode=p.mode)


@router.get("/trends", response_class=HTMLResponse)
async def trends_page(
    request: Request,
    svc: Svc,
    t: Annotated[TrendParams, Depends()],
    r: Annotated[RisingParams, Depends()],
) -> Response:
    themes = await svc.call(svc.trends, "theme", t.interval, t.since, t.until, t.q, t.top)
    competitors = await svc.call(svc.trends, "competitor", t.interval, t.since, t.until, t.q, t.top)
    rising = await svc.call(svc.rising, r.period_days, r.background_weeks, t.q, r.terms)
    return render(request, "trends.html", t=t, themes=themes, competitors=competitors,
                  rising=rising)  # fmt: skip


@router.get("/themes", response_class=HTMLResponse)
async def themes_page(request: Request, svc: Svc) -> Response:
    return render(request, "themes.html", themes=await svc.call(svc.themes))


@router.get("/themes/{theme_id}", response_class=HTMLResponse)
async def theme_page(request: Request, svc: Svc, theme_id: str) -> Response:
    return render(request, "theme.html", theme=await svc.call(svc.theme, theme_id))


@router.get("/competitors", response_class=HTMLResponse)
async def competitors_page(request: Request, svc: Svc) -> Response:
    return render(request, "competitors.html", competitors=await svc.call(svc.competitors))


@router.get("/competitors/{name:path}", response_class=HTMLResponse)
async def competitor_page(request: Request, svc: Svc, name: str) -> Response:
    return render(request, "competitor.html", c=await svc.call(svc.competitor, name))


@router.get("/items/{item_id}", response_class=HTMLResponse)
async def item_page(request: Request, svc: Svc, item_id: str) -> Response:
    return render(request, "item.html", item=await svc.call(svc.item, item_id))


@router.get("/sources", response_class=HTMLResponse)
async def sources_page(request: Request, svc: Svc) -> Response:
    return render(request, "sources.html", sources=await svc.call(svc.sources))


@router.get("/digests", response_class=HTMLResponse)
async def digests_page(request: Request, svc: Svc) -> Response:
    return render(request, "digests.html", digests=await svc.call(svc.digests))


@router.get("/digests/{week}", response_class=HTMLResponse)
async def digest_page(request: Request, svc: Svc, week: WEEK) -> Response:
    return render(request, "digest.html", digest=await svc.call(svc.digest, week))


@router.get("/digests/{week}/html", response_class=HTMLResponse)
async def digest_html(svc: Svc, week: WEEK) -> Response:
    """The archived HTML as we wrote it, under a CSP of its own: sandboxed, no script."""
    path = await svc.call(svc.digest_file, week, "html")
    text = path.read_text(encoding="utf-8", errors="replace")
    text = text.replace("<head>", '<head><base target="_blank">', 1)  # links leave the frame
    return HTMLResponse(text, headers={"content-security-policy": DIGEST_CSP})


@router.get("/digests/{week}/md", response_class=PlainTextResponse)
async def digest_md(svc: Svc, week: WEEK) -> Response:
    path = await svc.call(svc.digest_file, week, "md")
    return PlainTextResponse(path.read_text(encoding="utf-8", errors="replace"))
