"""The web app: REST API (+ an OpenAI-compatible chat endpoint) with the Gradio chat mounted at `/`.

    create_app(settings, pipeline=None) -> FastAPI

It assembles the routers (api_questions, api_ingest, api_openai, health here), the error shape
(errors.py), local API docs (docs.py) and the gate in front of everything (guard.py). With no
pipeline given, the models load in a background thread at startup: the page and /health answer at
once (/health says "loading", /api/ask answers 503 "loading" with Retry-After).
"""
from __future__ import annotations

import contextlib
import time

from fastapi import FastAPI, Request
from starlette.middleware.cors import CORSMiddleware

from index.config import offline_env

from . import api_ingest, api_openai, api_questions
from .config import Settings
from .docs import install_docs
from .errors import ApiError, install as install_errors
from .guard import Guard, GuardConfig
from .schemas import ERRORS_COMMON, HealthOut
from .service import Service

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def create_app(settings: Settings, pipeline=None, *, ingest_if_empty: bool = False, web: bool = True) -> FastAPI:
    """REST + OpenAI-compatible API, and (web=True) the Gradio chat at `/`.

    pipeline=None: Pipeline.from_settings(settings) is built in a background thread at startup;
    ingest_if_empty: that thread then indexes settings.articles_dir when the index is empty (and
    always finishes an ingest that a crash interrupted).
    """
    offline_env()
    service = Service(settings, pipeline)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        if pipeline is None:
            service.start_loading(ingest_if_empty=ingest_if_empty)
        yield

    app = FastAPI(title="Khabar", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Questions about Arabic and English news articles, answered with cited passages. "
                              "Every error is `{\"error\": {\"code\", \"message\"}}` with a stable code.")
    app.state.service = service
    install_errors(app)
    install_docs(app)
    app.include_router(api_questions.router(service))
    app.include_router(api_ingest.router(service))

    @app.get("/health", response_model=HealthOut, tags=["service"], responses=ERRORS_COMMON)
    def health():
        """ok | loading (models still loading) | error; index size; which generator."""
        return service.health()

    app.include_router(api_openai.router(service, int(time.time())))
    _not_found_routes(app)

    guard = GuardConfig.build(settings.host, settings.allowed_host_list, settings.cors_origin_list,
                              settings.max_body_bytes, gradio=web,
                              body_limits={"/api/ingest": (settings.max_upload_bytes + api_ingest.FORM_OVERHEAD,
                                                           "upload_too_large")})
    routes = [(r.path_regex, set(getattr(r, "methods", None) or {"GET", "HEAD"}), "{rest:path}" in r.path)
              for r in flat_routes(app.routes)]
    guard.own_routes = [(regex, methods) for regex, methods, catch_all in routes if not catch_all]
    guard.catch_all = [(regex, methods) for regex, methods, catch_all in routes if catch_all]
    if settings.cors_origin_list:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origin_list, allow_credentials=False,
                           allow_methods=["GET", "POST"], allow_headers=["authorization", "content-type"])
    app.add_middleware(Guard, config=guard)  # added last: runs first
    app.state.guard = guard
    if web:
        from .web import mount

        mount(app, service)
    return app


def flat_routes(routes) -> list:
    """Every route with a path_regex, routers included (FastAPI keeps an included router as one entry;
    ours have no prefix, so their routes' own patterns are the final ones)."""
    out = []
    for r in routes:
        inner = getattr(r, "original_router", None)
        if inner is not None:
            out += flat_routes(inner.routes)
        elif getattr(r, "path_regex", None) is not None:
            out.append(r)
    return out


def _not_found_routes(app: FastAPI) -> None:
    """Unknown /api and /v1 paths get the error shape, not the chat page's 404 (405 for a known path)."""
    api_routes = flat_routes(app.routes)

    @app.api_route("/api/{rest:path}", methods=METHODS, include_in_schema=False)
    @app.api_route("/v1/{rest:path}", methods=METHODS, include_in_schema=False)
    def not_found(request: Request, rest: str):
        path = request.url.path
        if any(r.path_regex.match(path) for r in api_routes):
            raise ApiError(405, "method_not_allowed", f"{request.method} is not allowed on {path}")
        raise ApiError(404, "not_found", f"no such endpoint: {path}")
