"""Index: POST /api/ingest (behind the API key) and GET /api/articles.

Uploads are saved into the articles root under their base name (through a temp file and an atomic
rename; the temp file never outlives the request), and a JSON path must resolve inside that root.
"""
from __future__ import annotations

import contextlib
import hmac
import json
import os
import tempfile
from pathlib import Path, PurePosixPath

from fastapi import APIRouter, Header, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from index.load import MAX_BYTES, SUFFIXES

from .errors import ApiError
from .schemas import ERRORS_COMMON, ArticleOut, ErrorOut, IngestOut
from .service import Service, utf8_ok

FORM_OVERHEAD = 64 * 1024  # multipart boundaries and part headers on top of the file bytes
MAX_JSON_BYTES = 64 * 1024
NAME_BYTES = 255  # a file name longer than this cannot exist on Linux filesystems
PATH_BYTES = 1024

INGEST_DOC = {
    **ERRORS_COMMON,
    400: {"model": ErrorOut, "description": "path_outside_root, invalid_path, no_files, unsupported_file_type, "
                                            "invalid_file_name, bad_request; for a url: url_not_allowed, "
                                            "invalid_url, robots_disallowed, unsupported_content_type, page_too_large"},
    502: {"model": ErrorOut, "description": "fetch_failed: the URL could not be fetched"},
    401: {"model": ErrorOut, "description": "unauthorized: missing or wrong `Authorization: Bearer <key>`"},
    403: {"model": ErrorOut, "description": "ingest_disabled: KHABAR_API_KEY is not set"},
    404: {"model": ErrorOut, "description": "not_found: no such file or folder in the articles root"},
    413: {"model": ErrorOut, "description": "upload_too_large"},
    415: {"model": ErrorOut, "description": "unsupported_media_type"},
    422: {"model": ErrorOut, "description": "invalid_request"},
    503: {"model": ErrorOut, "description": "loading"}}
INGEST_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "object", "properties": {
        "path": {"type": "string", "maxLength": PATH_BYTES,
                 "description": "file or folder inside the articles root"},
        "url": {"type": "string", "maxLength": 4000,
                "description": "a web page or an RSS/Atom feed (its entries' pages are fetched); "
                               "private addresses are refused"}}}},
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                  "description": ".txt / .md / .html articles"}}}}}}}


def bearer_ok(authorization: str | None, key: str) -> bool:
    scheme, _, token = (authorization or "").strip().partition(" ")
    supplied = token.strip().encode("utf-8", "replace") if scheme.lower() == "bearer" else b""
    return hmac.compare_digest(supplied, key.encode())  # constant time, also for a missing header


def upload_too_large(limit: int) -> ApiError:
    return ApiError(413, "upload_too_large", f"upload is larger than {limit:,} bytes")


def _limited(request: Request, limit: int) -> Request:
    """The same request, but reading more than `limit` body bytes answers 413 upload_too_large."""
    seen = 0

    async def receive():
        nonlocal seen
        message = await request.receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise upload_too_large(limit)
        return message

    return Request(request.scope, receive)


def _inside(root: Path, path: Path) -> bool:
    return path == root or path.is_relative_to(root)


def checked_name(filename: str | None) -> str:
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    if not name or not utf8_ok(name) or len(name.encode()) > NAME_BYTES or "\x00" in name:
        raise ApiError(400, "invalid_file_name", "file names must be UTF-8, without NUL, at most 255 bytes")
    if name.startswith(".") or Path(name).suffix.lower() not in SUFFIXES:
        raise ApiError(400, "unsupported_file_type",
                       f"only {', '.join(sorted(SUFFIXES))} files can be ingested, got {name!r}")
    return name


def resolve_inside(root: Path, path: object) -> Path:
    """A client's path (relative to the root) -> the resolved path, or a 4xx."""
    if not isinstance(path, str) or not path.strip() or "\x00" in path:
        raise ApiError(422, "invalid_request", "path: a file or folder inside the articles root is required")
    if not utf8_ok(path) or len(path.encode()) > PATH_BYTES or any(len(p.encode()) > NAME_BYTES
                                                                       for p in path.split("/")):
        raise ApiError(400, "invalid_path", f"path must be UTF-8, at most {PATH_BYTES} bytes, "
                                            f"each part at most {NAME_BYTES}")
    try:
        target = (root / path).resolve()  # an absolute path replaces root; .. and symlinks are resolved
        if not _inside(root, target):
            raise ApiError(400, "path_outside_root", "path must be inside the articles root")
        exists = target.exists()
    except OSError:
        raise ApiError(400, "invalid_path", "path cannot be read") from None
    if not exists:
        raise ApiError(404, "not_found", f"no such file or folder in the articles root: {path}")
    return target


async def save_uploads(request: Request, root: Path, limit: int) -> list[Path]:
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit + FORM_OVERHEAD:
        raise upload_too_large(limit)
    form = await _limited(request, limit + FORM_OVERHEAD).form(max_files=100, max_fields=20)
    try:
        files = [v for _, v in form.multi_items() if isinstance(v, UploadFile)]
        if not files:
            raise ApiError(400, "no_files", "no files in the upload (multipart field `files`)")
        if sum(f.size or 0 for f in files) > limit:
            raise upload_too_large(limit)
        if any((f.size or 0) > MAX_BYTES for f in files):  # the loader would skip it after saving it
            raise ApiError(413, "upload_too_large", f"an article file is at most {MAX_BYTES:,} bytes")
        targets = []
        for f in files:
            name = checked_name(f.filename)
            dest = (root / name).resolve()
            if not _inside(root, dest) or dest.parent != root:
                raise ApiError(400, "path_outside_root", f"{name!r} would be saved outside the articles root")
            targets.append((f, dest))
        root.mkdir(parents=True, exist_ok=True)
        return [_save(await f.read(), root, dest) for f, dest in targets]
    finally:
        await form.close()


def _save(data: bytes, root: Path, dest: Path) -> Path:
    fd, tmp = tempfile.mkstemp(dir=root, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, dest)
    except OSError:
        raise ApiError(400, "invalid_file_name", f"{dest.name!r} cannot be saved in the articles root") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return dest


async def json_target(request: Request, root: Path) -> Path | str:
    """The checked path of {"path": ...}, or the URL (a str) of {"url": ...}."""
    raw = await _limited(request, MAX_JSON_BYTES).body()
    try:
        body = json.loads(raw)
    except ValueError:
        raise ApiError(422, "invalid_request", "body is not valid JSON") from None
    url = body.get("url") if isinstance(body, dict) else None
    if url is not None:
        if not isinstance(url, str) or not url.strip() or len(url) > 4000 or not utf8_ok(url):
            raise ApiError(422, "invalid_request", "url: an http(s) URL of a web page or an RSS/Atom feed")
        return url.strip()
    return resolve_inside(root, body.get("path") if isinstance(body, dict) else None)


def router(service: Service) -> APIRouter:
    r = APIRouter(tags=["index"])
    settings = service.settings

    @r.get("/api/articles", response_model=list[ArticleOut], responses=ERRORS_COMMON)
    def articles():
        """The indexed articles, with their chunk counts (`source`: the file, relative to the articles root
        when it is inside it)."""
        arts = service.pipeline().store.articles()
        root = settings.articles_dir.resolve()
        for a in arts:
            with contextlib.suppress(ValueError, OSError):
                a["source"] = str(Path(a["source"]).resolve().relative_to(root)) if a.get("source") else ""
        return arts

    @r.post("/api/ingest", response_model=IngestOut, responses=INGEST_DOC, openapi_extra=INGEST_BODY)
    async def ingest(request: Request, authorization: str | None = Header(None, include_in_schema=False)):
        """Index uploaded articles (saved into the articles root), a file/folder already inside it, or a URL
        (a web page or an RSS/Atom feed). Needs `Authorization: Bearer $KHABAR_API_KEY`. Returns the
        ingest report."""
        if not settings.api_key:
            raise ApiError(403, "ingest_disabled", "ingest over HTTP is disabled: set KHABAR_API_KEY to enable it")
        if not bearer_ok(authorization, settings.api_key):
            raise ApiError(401, "unauthorized", "missing or wrong API key (Authorization: Bearer <key>)",
                           {"WWW-Authenticate": "Bearer"})
        service.pipeline()  # 503 while loading, before reading any body
        root = settings.articles_dir.resolve()
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "multipart/form-data":
            paths = await save_uploads(request, root, settings.max_upload_bytes)
        elif ctype == "application/json":
            target = await json_target(request, root)
            if isinstance(target, str):  # {"url": ...}: a web page or an RSS/Atom feed
                return await run_in_threadpool(service.ingest_url, target)
            paths = [target]
        else:
            raise ApiError(415, "unsupported_media_type",
                           "send multipart/form-data files, JSON {\"path\": ...} inside the articles root, "
                           "or JSON {\"url\": ...}")
        return await run_in_threadpool(service.ingest_paths, paths)

    return r
