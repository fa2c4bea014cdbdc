"""The gate in front of every route, REST and the mounted Gradio chat alike (a pure ASGI middleware).

In order, for every HTTP request:
1. **Host allow-list.** A Host header that is not a loopback name, the bound address or one of
   KHABAR_ALLOWED_HOSTS gets 400 `invalid_host` (a web page cannot reach the server by DNS rebinding).
2. **Body limit by Content-Length.** A declared body over the limit (KHABAR_MAX_BODY_BYTES; /api/ingest
   has its own) answers 413 `body_too_large` (`upload_too_large` on ingest) before anything is read.
3. **Route allow-list.** Our own routes pass. Of what Gradio mounts, only what the chat page uses passes
   (the page, its assets and config, the queue); every other Gradio route (files, uploads, recordings,
   component server, run/call/api, monitoring, ...) answers 404 `not_found` without reaching Gradio.
4. **Body limit while reading.** A body without a Content-Length answers the same 413 as soon as the
   bytes read pass the limit; the route never sees more.
5. **CORS.** No cross-origin access unless KHABAR_CORS_ORIGINS names the origin: any
   Access-Control-Allow-* header a route sets (Gradio reflects every Origin) is dropped otherwise.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Iterable

Scope = dict
Message = dict
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
ANY_ADDRESS = ("0.0.0.0", "::", "")

# what the chat page itself requests (read off a headless-Chromium session; tests/test_security.py)
GRADIO_GET = re.compile(
    r"^/(|theme\.css|favicon\.ico|(assets|static)/[^\s]+|gradio_api/(queue/data|heartbeat/[^/]+))$")
QUEUE_JOIN = "/gradio_api/queue/join"
GRADIO_POST = re.compile(r"^/gradio_api/queue/join$")
HOST = re.compile(r"^(?:\[(?P<v6>[0-9a-f:.]+)\]|(?P<name>[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?))(?::(?P<port>\d{1,5}))?$")
SESSION = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# headers a proxy would set: there is none we trust, so a client can't make Gradio build URLs from them
DROPPED_HEADERS = {b"x-forwarded-host", b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-port",
                   b"x-forwarded-prefix", b"forwarded", b"x-real-ip"}


class _TooLarge(Exception):
    pass


def _error(status: int, code: str, message: str, headers: Iterable[tuple[bytes, bytes]] = ()) -> tuple[dict, dict]:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    start = {"type": "http.response.start", "status": status,
             "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                         *headers]}
    return start, {"type": "http.response.body", "body": body}


def host_name(value: str) -> str:
    """The name part of a well-formed Host header, lower case ('Example.com:8000' -> 'example.com',
    '[::1]:80' -> '::1'); '' for anything else ('localhost:evil.com', '127.0.0.1:80@evil.com', '[::1]x')."""
    m = HOST.match(value.strip().lower())
    if not m:
        return ""
    return m.group("v6") or m.group("name")


def queue_join_problem(body: bytes, n_fns: int, max_text: int) -> str | None:
    """What is wrong with a Gradio queue/join request, or None. The chat's functions take only text (the
    question) and server-side State, so anything but a string or null in `data` is refused before Gradio
    sees it (Gradio would copy a "file" dict's path into its cache)."""
    try:
        req = json.loads(body)
    except ValueError:
        return "body is not valid JSON"
    if not isinstance(req, dict):
        return "body must be a JSON object"
    data, fn = req.get("data"), req.get("fn_index")
    if not isinstance(fn, int) or isinstance(fn, bool) or not 0 <= fn < n_fns:
        return "fn_index: not a function of this page"
    if not isinstance(data, list) or len(data) > 8:
        return "data: a list of at most 8 inputs is required"
    for item in data:
        if item is not None and not isinstance(item, str):
            return "data: only text inputs are accepted"
        if isinstance(item, str) and len(item) > max_text:
            return f"data: text longer than {max_text} characters"
    if not isinstance(req.get("session_hash"), str) or not SESSION.match(req["session_hash"]):
        return "session_hash: 1-64 letters, digits, _ or -"
    for key, value in req.items():
        if key not in ("data", "fn_index", "session_hash") and not (
                value is None or isinstance(value, (bool, int, float)) or (isinstance(value, str) and len(value) <= 200)):
            return f"{key}: unexpected value"
    return None


@dataclass
class GuardConfig:
    allowed_hosts: set[str]
    cors_origins: set[str]
    max_body: int
    body_limits: dict[str, tuple[int, str]] = field(default_factory=dict)  # path -> (its own limit, code)
    own_routes: list[tuple[re.Pattern, set[str]]] = field(default_factory=list)  # our routes and their methods
    catch_all: list[tuple[re.Pattern, set[str]]] = field(default_factory=list)  # /api/{rest}: 404 in our shape
    gradio_fns: int = 0  # event handlers of the chat page (fn_index bound for queue/join)
    max_text: int = 2000  # longest text a chat input may carry (the question)
    gradio: bool = True

    @classmethod
    def build(cls, bound_host: str, extra_hosts: Iterable[str], cors_origins: Iterable[str], max_body: int,
              **kw) -> "GuardConfig":
        hosts = {*LOOPBACK_HOSTS, *(h.strip().lower() for h in extra_hosts if h.strip())}
        if bound_host not in ANY_ADDRESS:
            hosts.add(host_name(bound_host) if bound_host.startswith("[") else bound_host.lower())
        return cls(hosts, {o.strip().rstrip("/") for o in cors_origins if o.strip()}, max_body, **kw)

    def host_ok(self, host: str) -> bool:
        name = host_name(host)
        return bool(name) and ("*" in self.allowed_hosts or name in self.allowed_hosts)

    def route_ok(self, method: str, path: str) -> bool:
        return self.route(method, path) == "ok"

    def methods(self, path: str) -> set[str]:
        """The methods our routes take on this path (empty: not one of ours)."""
        allowed = ({m for pattern, methods in self.own_routes if pattern.match(path) for m in methods}
                   or {m for pattern, methods in self.catch_all if pattern.match(path) for m in methods})
        if "GET" in allowed:
            allowed.add("HEAD")
        if allowed and self.cors_origins:
            allowed.add("OPTIONS")  # CORS preflight
        return allowed

    def route(self, method: str, path: str) -> str:
        """"ok", "not_found" or "method_not_allowed" (a path of ours with a method none of its routes take)."""
        allowed = self.methods(path)
        if allowed:
            return "ok" if method in allowed else "method_not_allowed"
        if not self.gradio:
            return "ok"  # no mount: the router's own 404 answers
        if method in ("GET", "HEAD"):
            return "ok" if GRADIO_GET.match(path) else "not_found"
        return "ok" if method == "POST" and GRADIO_POST.match(path) else "not_found"


class Guard:
    def __init__(self, app, config: GuardConfig) -> None:
        self.app = app
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":  # nothing of ours speaks websocket
            return await send({"type": "websocket.close", "code": 1008})
        raw = scope.get("headers", [])
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in raw}
        cfg = self.config
        path, method = scope.get("path", ""), scope.get("method", "GET")
        limit, code = cfg.body_limits.get(path, (cfg.max_body, "body_too_large"))
        too_large_reply = _error(413, code, f"request body is larger than {limit:,} bytes", [(b"connection", b"close")])
        refused = self.refusal(raw, headers, method, path, limit, too_large_reply)
        if refused is not None:
            return await _send(send, *refused)
        scope = {**scope, "headers": [(k, v) for k, v in raw if k.lower() not in DROPPED_HEADERS]}
        if method == "POST" and path == QUEUE_JOIN and cfg.gradio:
            body = await _read_body(receive, limit)
            if body is None:
                return await _send(send, *too_large_reply)
            problem = queue_join_problem(body, cfg.gradio_fns, cfg.max_text)
            if problem:
                return await _send(send, *_error(422, "invalid_request", problem))
            receive = _replay(body, receive)
        origin = headers.get("origin", "").rstrip("/")
        limited = _Limited(receive, send, limit, cors_ok=bool(origin) and origin in cfg.cors_origins)
        try:
            await self.app(scope, limited.receive, limited.send)
        except Exception:
            if not limited.too_large or limited.started:
                raise
        if limited.too_large and not limited.started:
            await _send(send, *too_large_reply)

    def refusal(self, raw: list, headers: dict[str, str], method: str, path: str, limit: int,
                too_large_reply: tuple[dict, dict]) -> tuple[dict, dict] | None:
        """The reply to a request refused before any route sees it: Host, declared length, route."""
        cfg = self.config
        hosts = [v for k, v in raw if k.lower() == b"host"]
        if len(hosts) != 1 or not cfg.host_ok(hosts[0].decode("latin-1")):
            return _error(400, "invalid_host", "this server does not answer to that Host name")
        length = headers.get("content-length", "")
        if length.strip().isdigit() and int(length) > limit:
            return too_large_reply
        verdict = cfg.route(method, path)
        if verdict == "not_found":
            return _error(404, "not_found", f"no such endpoint: {path}")
        if verdict == "method_not_allowed":
            allow = ", ".join(sorted(cfg.methods(path))).encode()
            return _error(405, "method_not_allowed", f"{method} is not allowed on {path}", [(b"allow", allow)])
        return None


class _Limited:
    """The route's receive and send, watched: past `limit` body bytes the route sees a disconnect and
    the client gets the 413 (whatever the route says after the cut-off); CORS headers only for an
    allowed origin."""

    def __init__(self, receive: Receive, send: Send, limit: int, cors_ok: bool) -> None:
        self._receive, self._send, self.limit, self.cors_ok = receive, send, limit, cors_ok
        self.seen, self.too_large, self.started = 0, False, False

    async def receive(self) -> Message:
        if self.too_large:
            return {"type": "http.disconnect"}
        message = await self._receive()
        if message["type"] == "http.request":
            self.seen += len(message.get("body", b""))
            if self.seen > self.limit:
                self.too_large = True
                return {"type": "http.disconnect"}  # the route stops reading; the guard answers 413
        return message

    async def send(self, message: Message) -> None:
        if self.too_large and not self.started:
            return
        if message["type"] == "http.response.start":
            self.started = True
            if not self.cors_ok:
                message = {**message, "headers": [(k, v) for k, v in message.get("headers", [])
                                                  if not k.lower().startswith(b"access-control-allow-")]}
        await self._send(message)


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or None once it passes `limit` bytes."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > limit:
            return None
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body already read, then whatever the client sends next (its disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _send(send: Send, start: dict, body: dict) -> None:
    await send(start)
    await send(body)
