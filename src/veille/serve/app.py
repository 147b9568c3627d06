"""The web application: REST API under ``/api``, analyst pages everywhere else.

``create_app(db, token)`` opens (and migrates) the store once and shares its engine. Reads are
open to clients on this machine; writes (ingesting an article) need the token given at start-up,
and with a token every request from another machine needs it too. Every response carries a
Content-Security-Policy that allows scripts from this server only, on top of Jinja2's
autoescaping: article text is hostile input.
"""

from __future__ import annotations

import secrets
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from veille.serve.templating import templates
from veille.store import open_store

HERE = Path(__file__).resolve().parent
# An article is at most veille.ingest.MAX_BYTES (5 MB); JSON escaping can double it.
MAX_BODY_BYTES = 10_000_000
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")


def plotly_js() -> Path:
    """plotly.min.js as shipped inside the installed ``plotly`` package: no CDN, works offline."""
    return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, whether or not they announce their length."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = f'{{"detail": "request body larger than {self.limit} bytes"}}'.encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


class Guard:
    """Security headers on every response; with a token, requests from other machines must carry it.

    Plain ASGI rather than ``@app.middleware``: it adds no task or stream per request.
    """

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app, self.token = app, token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        if self.token and (client is None or client[0] not in LOOPBACK):
            headers = dict(scope["headers"])
            given = _bearer(headers.get(b"authorization", b"").decode("latin-1")) or headers.get(
                b"x-veille-token", b""
            ).decode("latin-1")
            if not secrets.compare_digest(given.encode(), self.token.encode()):
                body = b'{"detail": "this server answers other machines only with its token"}'
                await send(
                    {
                        "type": "http.response.start",
                        "status": 401,
                        "headers": [(b"content-type", b"application/json"), (b"www-authenticate", b"Bearer")],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        # Swagger UI starts from an inline script; its page shows no article text.
        policy = DOCS_CSP if scope["path"] in ("/docs", "/redoc") else CSP

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"content-security-policy", policy.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                ]
            await send(message)

        await self.app(scope, receive, secured)


def _bearer(value: str) -> str | None:
    return value[7:].strip() if value.lower().startswith("bearer ") else None


def _token_of(request: Request) -> str | None:
    return _bearer(request.headers.get("authorization", "")) or request.headers.get("x-veille-token")


def token_ok(request: Request) -> bool:
    """Whether the request carries the token the server was started with."""
    expected: str | None = request.app.state.token
    given = _token_of(request)
    return expected is not None and given is not None and secrets.compare_digest(given, expected)


def create_app(db: str, token: str | None = None, max_body: int = MAX_BODY_BYTES) -> FastAPI:
    """The dashboard and API over the store at ``db`` (a path or SQLAlchemy URL)."""
    from veille.serve.alerts import router as alerts_router
    from veille.serve.api import router as api_router
    from veille.serve.pages import router as pages_router

    # FastAPIOffline serves Swagger UI and ReDoc from its own package: /docs works offline too.
    app = FastAPIOffline(
        title="veille",
        description="Arms transfers and military cooperation from French news: deals, events, entities, documents.",
        version="0.1.0",
    )
    app.state.engine = open_store(db)
    app.state.db = db
    app.state.token = token or None

    app.add_middleware(Guard, token=app.state.token)
    app.add_middleware(BodyLimit, limit=max_body)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        if _wants_json(request) or request.method != "GET":
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=getattr(exc, "headers", None))
        return templates.TemplateResponse(
            request, "error.html", {"status": exc.status_code, "detail": exc.detail}, status_code=exc.status_code
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Any:
        problems = [
            {"field": ".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]), "message": e["msg"]}
            for e in exc.errors()
        ]
        if _wants_json(request) or request.method != "GET":
            return JSONResponse({"detail": "invalid request", "problems": problems}, 422)
        text = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        return templates.TemplateResponse(request, "error.html", {"status": 422, "detail": text}, status_code=422)

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly() -> FileResponse:
        return FileResponse(plotly_js(), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api_router)
    app.include_router(alerts_router)
    app.include_router(pages_router)
    return app


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"
