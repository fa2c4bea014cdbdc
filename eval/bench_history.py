"""What a long history costs: `POST /api/ask` with a 20,000-character history message against the same
question without history, through a real `khabar serve` on loopback (real models).

    python -m eval.bench_history [--repeats 7] [--llm none|local] [--json]

Questions alternate (plain, long, plain, long, ...) so that drift in the machine's load hits both
alike, and each repeat asks a new question (no cache hit); the ratio is the median over the repeats
of long/plain, with min-max. Target: <= 1.5x.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

TARGET = 1.5
QUESTION = "من ترأس الوفد الروسي في محادثات جنيف؟"
LONG = [{"role": "user", "content": ("ما الذي حدث في جنيف بين الوفدين الروسي والأمريكي؟ " * 400)[:20_000]},
        {"role": "assistant", "content": ("The talks lasted more than seven hours. " * 500)[:20_000]}]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(client, server, timeout: float = 600) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit("error: khabar serve exited (models set up? ./setup.sh)")
        try:
            if client.get("/health").json().get("status") == "ok":
                return
        except Exception:
            pass
        time.sleep(1)
    raise SystemExit("error: khabar serve was not ready in time")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.bench_history", description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--llm", choices=["none", "local"], default="none")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    import httpx

    port = _free_port()
    data = tempfile.mkdtemp(prefix="khabar-bench-history-")
    env = {**os.environ, "KHABAR_DATA_DIR": data, "KHABAR_LLM": args.llm}
    # a real `khabar serve` (it indexes the bundled articles into the empty data dir first)
    server = subprocess.Popen([sys.executable, "-m", "ui.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    plain, long = [], []
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=300) as c:
            _wait_ready(c, server)
            c.post("/api/ask", json={"question": QUESTION})  # warm-up
            for i in range(args.repeats):
                # a new question and history each time: the embedder's query cache must not answer
                question = f"{QUESTION} ({i})"
                history = [{**LONG[0], "content": f"({i}) {LONG[0]['content']}"[:20_000]}, LONG[1]]
                for bucket, body in ((plain, {"question": question}),
                                     (long, {"question": f"{question} ", "history": history})):
                    t0 = time.perf_counter()
                    resp = c.post("/api/ask", json=body)
                    bucket.append(time.perf_counter() - t0)
                    if resp.status_code != 200:
                        print(f"error: {resp.status_code} {resp.text[:200]}", file=sys.stderr)
                        return 1
    finally:
        server.terminate()
        server.wait(30)
    ratios = [lg / pl for pl, lg in zip(plain, long)]
    out = {"plain_ms": round(statistics.median(plain) * 1000), "long_history_ms": round(statistics.median(long) * 1000),
           "ratio": round(statistics.median(ratios), 3), "ratio_min": round(min(ratios), 3),
           "ratio_max": round(max(ratios), 3), "repeats": args.repeats, "llm": args.llm, "target": TARGET,
           "met": statistics.median(ratios) <= TARGET}
    print(f"plain question p50 {out['plain_ms']} ms; with a 20,000-char history message p50 {out['long_history_ms']} ms")
    print(f"ratio {out['ratio']} [{out['ratio_min']}-{out['ratio_max']}] over {args.repeats} pairs "
          f"(target <= {TARGET}): {'met' if out['met'] else 'NOT met'}")
    if args.json:
        print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
