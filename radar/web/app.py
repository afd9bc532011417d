"""The FastAPI app of `radar serve`: pages, the JSON API, static files, errors, security.

app = create_app(settings)            # over <data_dir>/radar.db and the configured backend
uvicorn.run(app, host="127.0.0.1", port=8080)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from radar.core.errors import BackendError, RadarError
from radar.web import api, pages
from radar.web.security import Guard
from radar.web.service import BadRequest, NotFound, Service

logger = logging.getLogger(__name__)
STATIC = Path(__file__).with_name("static")
TITLES = {400: "Bad request", 401: "Token needed", 404: "Not found", 405: "Not allowed",
          500: "Internal error", 503: "Backend unavailable"}  # fmt: skip
DESCRIPTION = """Read-only JSON API of Market Radar's trend index: search with filters and facets,
counts over time, rising themes and terms, themes, competitor timelines, items with their
revisions, source health and the digest archive. Errors are `{"status": ..., "error": "..."}`."""


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or request.url.path == "/openapi.json"


async def error_response(request: Request, status: int, message: str) -> Response:
    """JSON for the API, the error page for everything else."""
    if wants_json(request):
        return JSONResponse({"status": status, "error": message}, status_code=status)
    title = TITLES.get(status, "Error")
    return pages.render(request, "error.html", status, code=status, title=title, message=message)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        name = ".".join(str(p) for p in error.get("loc", ())[1:]) or "request"
        parts.append(f"{name}: {error.get('msg', 'is not valid')}")
    return "; ".join(parts) or "the request is not valid"


def _install_errors(app: FastAPI) -> None:
    async def bad(request: Request, exc: Exception) -> Response:
        return await error_response(request, 400, str(exc))

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return await error_response(request, 400, _validation_message(exc))

    async def missing(request: Request, exc: Exception) -> Response:
        return await error_response(request, 404, str(exc))

    async def down(request: Request, exc: Exception) -> Response:
        logger.warning("backend unavailable: %s", exc)
        return await error_response(request, 503, f"the search backend is unavailable: {exc}")

    async def http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        message = "no such page" if exc.status_code == 404 else str(exc.detail)
        return await error_response(request, exc.status_code, message)

    for exc_class, handler in ((BadRequest, bad), (RequestValidationError, invalid),
                               (NotFound, missing), (BackendError, down), (RadarError, bad),
                               (HTTPException, http)):  # fmt: skip
        app.add_exception_handler(exc_class, handler)


def _openapi(app: FastAPI) -> Any:
    """The schema without FastAPI's 422 answers: bad parameters are a 400 with an Error here."""

    def schema() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(title=app.title, version=app.version,
                               description=app.description, routes=app.routes)  # fmt: skip
            for path in spec.get("paths", {}).values():
                for operation in path.values():
                    operation.get("responses", {}).pop("422", None)
            for name in ("HTTPValidationError", "ValidationError"):
                spec.get("components", {}).get("schemas", {}).pop(name, None)
            app.openapi_schema = spec
        return app.openapi_schema

    return schema


def _log_warm_failure(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.warning("could not prepare search at start: %s", task.exception())


def create_app(
    settings: Any,
    store_path: str | Path | None = None,
    token: str | None = None,
    allowed_hosts: list[str] | None = None,
    workers: int = 2,
    warm: bool = False,
) -> FastAPI:
    """The web app over the store and the configured backend (read-only).

    `token`: every request needs it (see `radar.web.security.Guard`). `allowed_hosts`: Host
    headers accepted (loopback names when bound to loopback: no DNS rebinding). `warm`: load the
    embedder in the background at start.
    """
    service = Service(settings, store_path or Path(settings["data_dir"]) / "radar.db", workers)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm:
            warming = asyncio.ensure_future(service.call(service.warm))
            warming.add_done_callback(_log_warm_failure)
        yield
        service.close()

    app = FastAPI(
        title="Market Radar",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )  # fmt: skip  (their pages load a CDN)
    app.state.service = service
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _install_errors(app)
    app.openapi = _openapi(app)  # type: ignore[method-assign]
    if allowed_hosts:  # inside the Guard, so its 400 carries the security headers too
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)
    app.add_middleware(Guard, token=token, on_error=error_response)
    return app
