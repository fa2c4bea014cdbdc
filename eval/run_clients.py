"""eval.run's two ways to ask the gold questions: the pipeline in this process, or a running server."""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Protocol

from .args import EXIT_INPUT, CliError as EvalError

K = 5  # hit@5 and the k asked of /api/search


@dataclass
class Reply:
    answer: str
    language: str | None  # as the pipeline / server declared it
    refused: bool
    citations: list[dict]
    retrieved: list[str]  # chunk ids retrieval returned, best first
    ms: float  # wall time of the ask
    notes: dict = field(default_factory=dict)
    error: str | None = None
    first_ms: float | None = None  # the first answer text, as the pipeline timed it (timings.first_token_ms)


class Client(Protocol):
    mode: str
    label: str

    def ask(self, question: str, history: list[dict] | None, search_query: str) -> Reply: ...


class InProcess:
    """The pipeline in this process: retrieval comes from Answer.retrieved."""

    def __init__(self, pipeline) -> None:
        self.pipeline = pipeline
        llm = "none" if pipeline.llm is None else pipeline.settings.llm_mode
        self.mode = f"in-process, llm={llm}"
        if dim := getattr(pipeline.settings, "sentence_dim", None):  # a setting that moves retrieval: named
            self.mode += f", sentence vectors cut to {dim}-d"
        self.label = f"llm-{llm}"

    def ask(self, question: str, history: list[dict] | None, search_query: str) -> Reply:
        from qa.answer import QuestionError

        t0 = time.perf_counter()
        try:
            ans = self.pipeline.ask(question, history=history)
        except QuestionError as exc:
            return Reply("", None, False, [], [], _ms(t0), error=f"{exc.code}: {exc.message}")
        except Exception as exc:  # one broken question is a result, not the end of the run
            return Reply("", None, False, [], [], _ms(t0), error=f"{type(exc).__name__}: {exc}"[:300])
        ms = _ms(t0)
        d = ans.to_dict()
        return Reply(d["answer"], d["language"], bool(d["refused"]), d["citations"], list(ans.retrieved), ms,
                     dict(ans.notes), first_ms=_first(d, ms))


class Remote:
    """A running Khabar server: POST /api/ask for the answer, GET /api/search for retrieval (unless the
    ask response carries `retrieved` itself)."""

    RETRY_STATUS = {429, 503}

    def __init__(self, endpoint: str, timeout: float = 600.0) -> None:
        import httpx

        if not endpoint.startswith(("http://", "https://")):
            raise EvalError(f"--endpoint must look like http://host:port, got {endpoint!r}")
        self.endpoint = endpoint.rstrip("/")
        self.mode = f"endpoint {self.endpoint}"
        self.label = "endpoint"
        self.http = httpx.Client(timeout=httpx.Timeout(timeout, connect=10.0))

    def check(self, wait_s: float = 900.0) -> None:
        """Fail fast (one line) when the server is not there; wait while it is still loading models."""
        deadline = time.monotonic() + wait_s
        said = False
        while True:
            resp = self._request("GET", "/health")
            data = _json(resp)
            if resp.status_code == 200 and isinstance(data, dict) and data.get("status") == "loading":
                if time.monotonic() > deadline:
                    raise EvalError(f"{self.endpoint} is still loading after {wait_s:.0f} s", EXIT_INPUT)
                if not said:
                    print(f"eval.run: waiting for {self.endpoint} to load its models", file=sys.stderr)
                    said = True
                time.sleep(3.0)
                continue
            break
        resp = self._request("GET", "/api/search", params={"q": "test", "k": 1})
        if resp.status_code == 404:
            raise EvalError(f"{self.endpoint}/api/search: 404 (is this a Khabar server?)", EXIT_INPUT)

    def _request(self, method: str, path: str, **kw):
        import httpx

        for attempt in range(4):
            try:
                resp = self.http.request(method, self.endpoint + path, **kw)
            except httpx.TransportError as exc:
                raise EvalError(f"cannot reach {self.endpoint}: {type(exc).__name__}: {exc or 'no response'}",
                                EXIT_INPUT) from None
            if resp.status_code not in self.RETRY_STATUS or attempt == 3:
                return resp
            try:
                wait = min(30.0, float(resp.headers.get("retry-after", "")))
            except ValueError:
                wait = 2.0 * (attempt + 1)
            time.sleep(wait)
        return resp

    def search(self, query: str, k: int = K) -> list[str]:
        resp = self._request("GET", "/api/search", params={"q": query, "k": k})
        if resp.status_code != 200:
            return []
        return _hit_ids(_json(resp))

    def ask(self, question: str, history: list[dict] | None, search_query: str) -> Reply:
        t0 = time.perf_counter()
        resp = self._request("POST", "/api/ask", json={"question": question, "history": history or []})
        ms = _ms(t0)
        if resp.status_code == 404:
            raise EvalError(f"{self.endpoint}/api/ask: 404 (is this a Khabar server?)", EXIT_INPUT)
        data = _json(resp)
        if resp.status_code != 200 or not isinstance(data, dict) or "answer" not in data:
            return Reply("", None, False, [], self.search(search_query), ms,
                         error=f"HTTP {resp.status_code}: {_error_text(data, resp.text)}")
        retrieved = data.get("retrieved")
        if not isinstance(retrieved, list):
            retrieved = self.search(search_query)
        return Reply(str(data.get("answer", "")), data.get("language"), bool(data.get("refused")),
                     [c for c in data.get("citations") or [] if isinstance(c, dict)], [str(r) for r in retrieved],
                     ms, first_ms=_first(data, ms))


def _first(answer: dict, ms: float) -> float:
    """When the first answer text came: timings.first_token_ms, else (a refusal: one piece) the whole answer."""
    timings = answer.get("timings") if isinstance(answer.get("timings"), dict) else {}
    first = timings.get("first_token_ms")
    return float(first) if isinstance(first, (int, float)) and not isinstance(first, bool) else ms


def _json(resp):
    try:
        return resp.json()
    except ValueError:
        return None


def _error_text(data, text: str) -> str:
    """The server's {"error": {"code", "message"}} (or FastAPI's {"detail"}) as one short line."""
    err = data.get("error") or data.get("detail") if isinstance(data, dict) else None
    if isinstance(err, dict):
        err = f"{err.get('code', '')}: {err.get('message', '')}".strip(": ")
    return " ".join(str(err or text).split())[:200]


def _hit_ids(data) -> list[str]:
    if isinstance(data, dict):
        data = next((data[k] for k in ("hits", "results", "passages") if isinstance(data.get(k), list)), [])
    if not isinstance(data, list):
        return []
    return [str(h.get("chunk_id") or h.get("id")) for h in data if isinstance(h, dict) and (h.get("chunk_id") or h.get("id"))]


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 1)
