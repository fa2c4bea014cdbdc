"""The one error shape every REST response uses: {"error": {"code": "...", "message": "..."}}.

Codes are stable for clients; messages are for people. No handler ever puts a traceback, an
exception repr or a file path from a crash into a response body: unexpected exceptions are logged
server-side and answered with 500 "internal_error".
"""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from index.embed import EmbedServerError
from qa.answer import QuestionError

log = logging.getLogger("khabar.api")

RETRY_AFTER_SECONDS = 5

# status -> code for errors raised by the framework itself (routing, body parsing)
STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    503: "unavailable",
}


class ApiError(Exception):
    """Raise anywhere in a request: becomes `status` with the error shape (and optional headers)."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_body(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message), status_code=status, headers=headers)


def loading_error() -> ApiError:
    return ApiError(503, "loading", "the models are still loading, try again shortly",
                    {"Retry-After": str(RETRY_AFTER_SECONDS)})


def busy_error() -> ApiError:
    return ApiError(503, "busy", "too many questions waiting, try again shortly",
                    {"Retry-After": str(RETRY_AFTER_SECONDS)})


def _validation_message(exc: RequestValidationError) -> str:
    """First schema problem as one line: where it is and what is wrong (never the input echoed back)."""
    errors = exc.errors()
    if not errors:
        return "invalid request"
    err = errors[0]
    where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
    msg = str(err.get("msg", "invalid value")).splitlines()[0][:200]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {msg}{more}"


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(QuestionError)
    async def _question_error(request: Request, exc: QuestionError):
        return error_response(422, exc.code, exc.message)

    @app.exception_handler(EmbedServerError)
    async def _embedder_down(request: Request, exc: EmbedServerError):
        log.error("embedding server: %s", exc)
        return error_response(503, exc.code, "the embedding server is not answering, try again shortly",
                              {"Retry-After": str(RETRY_AFTER_SECONDS)})

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError):
        return error_response(422, "invalid_request", _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        code = STATUS_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) and exc.status_code < 500 else code.replace("_", " ")
        return error_response(exc.status_code, code, message, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(500, "internal_error", "internal error (logged on the server)")
