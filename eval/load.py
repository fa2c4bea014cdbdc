"""Load test against a running Khabar server on this machine:

    python -m eval.load --url http://127.0.0.1:8000 [--clients 50] [--requests 200] [--path /api/ask]
                        [--timeout 120] [--request-timeout 60] [--pid PID] [--question Q ...] [--json]

`--clients` concurrent clients (asyncio + httpx) send `--requests` requests in all, cycling through a
small set of Arabic and English questions. The run is bounded by that count and by `--timeout`
seconds in total (requests not finished by then count as `unfinished`). Only loopback hosts are
accepted: this is a tool to measure your own server, not anyone else's.

Reports: total, ok (2xx), 503 (and how many carried a Retry-After), other 5xx, other statuses,
client errors (connect / timeout / broken stream), p50 / p95 / p99 / max latency, requests/s, and the
server's RSS before and after (from /proc/PID with --pid, or from /health if it reports `rss_bytes`).
Exit 0 when every request got 2xx or 503 + Retry-After, 1 otherwise, 2 for bad arguments.
"""
from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from .metrics import percentile

QUESTIONS = [
    "من ترأس الوفد الروسي في محادثات جنيف؟",
    "How long did the security talks in Geneva last?",
    "كم طلبا أرسلت روسيا إلى واشنطن للتحقيق في الهجمات الإلكترونية؟",
    "Who led the US delegation at the Geneva talks?",
    "كيف وصف أوشاكوف المكالمة الهاتفية بين بوتين وبايدن؟",
    "How many people have died in the conflict in eastern Ukraine?",
]
PATHS = ("/api/ask", "/api/ask/stream", "/v1/chat/completions", "/api/search", "/health")
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def check_loopback(url: str) -> str:
    """The URL without a trailing slash, if it is http(s) on a loopback host; else UsageError."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise UsageError(f"--url must look like http://127.0.0.1:PORT, got {url!r}")
    host = parsed.hostname
    if host != "localhost":
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise UsageError(f"refusing to load-test {host!r}: only loopback hosts (127.0.0.0/8, ::1, localhost)")
    if parsed.path not in ("", "/") or parsed.query:
        raise UsageError("--url is the server root (http://127.0.0.1:PORT); pass the endpoint with --path")
    return url.rstrip("/")


def rss_of(pid: int) -> int | None:
    """Resident set size in bytes from /proc (Linux), None if unavailable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


@dataclass
class Result:
    status: int | None  # None: no HTTP response (client error)
    seconds: float
    retry_after: bool = False
    error: str = ""


@dataclass
class Report:
    url: str
    path: str
    clients: int
    requests: int
    total: int = 0  # requests that finished (with a response or a client error)
    ok: int = 0
    busy_503: int = 0
    busy_503_with_retry_after: int = 0
    other_5xx: int = 0
    other_status: int = 0  # 1xx/3xx/4xx
    errors: int = 0  # connect errors, timeouts, broken streams
    unfinished: int = 0  # not finished within --timeout
    statuses: dict[str, int] = field(default_factory=dict)
    error_kinds: dict[str, int] = field(default_factory=dict)
    latency_ms: dict[str, float] = field(default_factory=dict)  # p50, p95, p99, max over finished requests
    ok_latency_ms: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    requests_per_second: float = 0.0
    rss_before_mb: float | None = None
    rss_after_mb: float | None = None
    rss_growth_mb: float | None = None
    server_alive_after: bool | None = None

    @property
    def passed(self) -> bool:
        return (self.other_5xx == 0 and self.errors == 0 and self.unfinished == 0 and self.other_status == 0
                and self.busy_503 == self.busy_503_with_retry_after)

    def to_dict(self) -> dict:
        return {**asdict(self), "passed": self.passed}


def _latencies(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ms = [v * 1000 for v in values]
    return {"p50": round(percentile(ms, 50, "nearest"), 1), "p95": round(percentile(ms, 95, "nearest"), 1),
            "p99": round(percentile(ms, 99, "nearest"), 1), "max": round(max(ms), 1)}


def _request(path: str, question: str) -> tuple[str, dict]:
    """(method, httpx kwargs) for one request to `path`."""
    if path in ("/api/ask", "/api/ask/stream"):
        return "POST", {"json": {"question": question}}
    if path == "/v1/chat/completions":
        return "POST", {"json": {"model": "khabar", "messages": [{"role": "user", "content": question}]}}
    if path == "/api/search":
        return "GET", {"params": {"q": question}}
    return "GET", {}


async def _one(client, base: str, path: str, question: str) -> Result:
    import httpx

    method, kwargs = _request(path, question)
    t0 = time.perf_counter()
    try:
        async with client.stream(method, base + path, **kwargs) as resp:
            body = await resp.aread()  # streams too: the whole response counts
        seconds = time.perf_counter() - t0
        retry = resp.headers.get("retry-after", "")
        result = Result(resp.status_code, seconds, retry_after=retry.isdigit() and int(retry) > 0)
        if resp.status_code == 200 and path == "/api/ask/stream":
            text = body.decode("utf-8", "replace")
            if "event: error" in text or "event: answer" not in text:
                result.error = "stream_without_answer"
        elif resp.status_code == 200 and path == "/v1/chat/completions" and b'"choices"' not in body:
            result.error = "completion_without_choices"
        return result
    except httpx.TimeoutException:
        return Result(None, time.perf_counter() - t0, error="timeout")
    except httpx.HTTPError as exc:
        return Result(None, time.perf_counter() - t0, error=type(exc).__name__)


def health(base: str, timeout: float = 5.0) -> dict | None:
    import httpx

    try:
        with httpx.Client(trust_env=False, timeout=timeout) as client:
            resp = client.get(base + "/health")
        return resp.json() if resp.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        return None


def server_rss(base: str, pid: int | None) -> int | None:
    if pid:
        return rss_of(pid)
    h = health(base) or {}
    value = h.get("rss_bytes")
    return int(value) if isinstance(value, (int, float)) else None


def _tally(report: Report, results: list[Result]) -> None:
    """Count the finished requests into the report by outcome."""
    for r in results:
        report.total += 1
        if r.status is not None:
            report.statuses[str(r.status)] = report.statuses.get(str(r.status), 0) + 1
        if r.status is None or (200 <= r.status < 300 and r.error):  # no response, or a broken 200
            report.errors += 1
            report.error_kinds[r.error] = report.error_kinds.get(r.error, 0) + 1
        elif 200 <= r.status < 300:
            report.ok += 1
        elif r.status == 503:
            report.busy_503 += 1
            report.busy_503_with_retry_after += r.retry_after
        elif r.status >= 500:
            report.other_5xx += 1
        else:
            report.other_status += 1


async def run_load(url: str, clients: int = 50, requests: int = 200, path: str = "/api/ask",
                   questions: list[str] | None = None, timeout: float = 120.0, request_timeout: float = 60.0,
                   pid: int | None = None) -> Report:
    import httpx

    base = check_loopback(url)
    if path not in PATHS:
        raise UsageError(f"--path must be one of {', '.join(PATHS)}")
    if clients < 1 or requests < 1 or timeout <= 0 or request_timeout <= 0:
        raise UsageError("--clients, --requests and the timeouts must be positive")
    questions = questions or QUESTIONS
    report = Report(url=base, path=path, clients=clients, requests=requests)
    before = server_rss(base, pid)
    results: list[Result] = []
    next_index = 0

    async def client_loop(client) -> None:
        nonlocal next_index
        while next_index < requests:
            i = next_index
            next_index += 1
            results.append(await _one(client, base, path, questions[i % len(questions)]))

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    t0 = time.perf_counter()
    # trust_env=False: no proxy from the environment ever sees these requests; no redirects followed
    async with httpx.AsyncClient(trust_env=False, timeout=request_timeout, limits=limits,
                                 follow_redirects=False) as client:
        tasks = [asyncio.create_task(client_loop(client)) for _ in range(min(clients, requests))]
        done, pending = await asyncio.wait(tasks, timeout=timeout)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for task in done:
            if task.exception() is not None:  # a bug in this tool, not the server: say so
                raise task.exception()
    report.seconds = round(time.perf_counter() - t0, 2)

    _tally(report, results)
    report.unfinished = requests - report.total
    report.latency_ms = _latencies([r.seconds for r in results])
    report.ok_latency_ms = _latencies([r.seconds for r in results if r.status and 200 <= r.status < 300])
    report.requests_per_second = round(report.total / report.seconds, 1) if report.seconds else 0.0
    after = server_rss(base, pid)
    if before is not None:
        report.rss_before_mb = round(before / 2**20, 1)
    if after is not None:
        report.rss_after_mb = round(after / 2**20, 1)
    if before is not None and after is not None:
        report.rss_growth_mb = round((after - before) / 2**20, 1)
    report.server_alive_after = (health(base) or {}).get("status") == "ok"
    return report


def summary(report: Report) -> str:
    lat, okl = report.latency_ms, report.ok_latency_ms
    rss = (f"{report.rss_before_mb} -> {report.rss_after_mb} MB ({report.rss_growth_mb:+} MB)"
           if report.rss_growth_mb is not None else "unknown (pass --pid)")
    lines = [
        f"load: {report.clients} clients, {report.requests} requests, {report.path} at {report.url}",
        f"  finished {report.total}  ok {report.ok}  503 {report.busy_503} "
        f"(Retry-After on {report.busy_503_with_retry_after})  other 5xx {report.other_5xx}  "
        f"other status {report.other_status}  errors {report.errors}  unfinished {report.unfinished}",
        f"  latency all  p50 {lat.get('p50', '-')} ms  p95 {lat.get('p95', '-')} ms  p99 {lat.get('p99', '-')} ms  max {lat.get('max', '-')} ms",
        f"  latency ok   p50 {okl.get('p50', '-')} ms  p95 {okl.get('p95', '-')} ms  p99 {okl.get('p99', '-')} ms  max {okl.get('max', '-')} ms",
        f"  {report.requests_per_second} requests/s over {report.seconds} s;  server RSS {rss};  "
        f"alive after: {report.server_alive_after}",
    ]
    if report.error_kinds:
        lines.append(f"  errors: {report.error_kinds}")
    lines.append("  PASS: only 2xx and 503 + Retry-After" if report.passed else "  FAIL: see the counts above")
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval.load", description=__doc__.split("\n\n")[0])
    p.add_argument("--url", required=True, help="server root on loopback, e.g. http://127.0.0.1:8000")
    p.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    p.add_argument("--requests", type=int, default=200, help="requests in all (default 200)")
    p.add_argument("--path", default="/api/ask", choices=PATHS)
    p.add_argument("--timeout", type=float, default=120.0, help="seconds for the whole run (default 120)")
    p.add_argument("--request-timeout", type=float, default=60.0, help="seconds per request (default 60)")
    p.add_argument("--pid", type=int, default=None, help="server process id, for its RSS before/after")
    p.add_argument("--question", action="append", default=None, help="a question to cycle through (repeatable)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        report = asyncio.run(run_load(args.url, args.clients, args.requests, args.path, args.question,
                                      args.timeout, args.request_timeout, args.pid))
    except UsageError as exc:
        print(f"eval.load: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(json.dumps(report.to_dict(), ensure_ascii=False) if args.json else summary(report))
    return EXIT_OK if report.passed else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
