"""Bench sections `load` and `vectors` (opt-in: `--only load,vectors`).

* load    - `khabar serve` extractive (KHABAR_LLM=none, temp data dir, the bundled articles) in a
            subprocess, then eval.load: 50 clients x 200 requests each (10,000 in all) on /api/ask over
            loopback. Rows: p99 and max latency of every request (503s included: they are answers too),
            the share answered 200, every 503 with Retry-After, and the server's RSS before and after.
* vectors - eval.scale_vectors at 10,000 and 100,000 chunks (synthetic 768-d vectors in a real embedded
            Chroma; `--vectors-server` for a `chroma run` server): ingest outside the model, the full
            fused query's p50 / p95, keyword index build, a replica's start, peak RSS, and 100k vs 10k.
"""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Sequence

from index.config import REPO_ROOT

from .bench_report import Row, Target, fmt_mb, fmt_ms, load_text

LOAD_CLIENTS, LOAD_PER_CLIENT = 50, 200
VECTOR_SIZES = (10_000, 100_000)


def serve(data_dir: Path, port: int, **env: str) -> subprocess.Popen:
    """`khabar serve` extractive on loopback; returns once /health says ok."""
    import httpx

    proc = subprocess.Popen([sys.executable, "-m", "ui.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                            cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "KHABAR_DATA_DIR": str(data_dir), "KHABAR_LLM": "none", **env})
    deadline = time.time() + 600
    while time.time() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2, trust_env=False).json()["status"] == "ok":
                return proc
        except (httpx.HTTPError, ValueError, KeyError):
            pass
        time.sleep(1)
    stop(proc)
    raise RuntimeError("khabar serve did not become ready")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def run_load_rows(b, clients: int = LOAD_CLIENTS, per_client: int = LOAD_PER_CLIENT) -> None:
    import httpx

    import socket

    from .load import QUESTIONS, run_load

    with socket.socket() as sock:  # a free loopback port
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory(prefix="khabar-load-") as tmp:
        proc = serve(Path(tmp), port)
        try:
            url = f"http://127.0.0.1:{port}"
            with httpx.Client(trust_env=False, timeout=120) as c:  # warm: every question's embedding cached
                for q in QUESTIONS:
                    c.post(url + "/api/ask", json={"question": q})
            b.info.append(f"load: {load_text()} at start")
            r = asyncio.run(run_load(url, clients, clients * per_client, "/api/ask", timeout=3600,
                                     request_timeout=60, pid=proc.pid))
        finally:
            stop(proc)
    lat = r.latency_ms
    b.add(Row("load", f"{clients} clients x {per_client} requests, extractive /api/ask: p99 latency (all requests)",
              fmt_ms(lat.get("p99")), f"p50 {fmt_ms(lat.get('p50'))}, p95 {fmt_ms(lat.get('p95'))}",
              value=lat.get("p99"), target=Target("<=", 5000, " ms")),
          Row("load", "max latency", fmt_ms(lat.get("max")), f"{r.seconds:.0f} s, {r.requests_per_second} req/s",
              value=lat.get("max"), target=Target("<=", 10000, " ms")),
          Row("load", "answered 200 / 503 with Retry-After / anything else",
              f"{r.ok:,} / {r.busy_503_with_retry_after:,} / {r.total - r.ok - r.busy_503_with_retry_after:,}",
              f"200s p99 {fmt_ms(r.ok_latency_ms.get('p99'))}", value=r.total - r.ok - r.busy_503_with_retry_after,
              target=Target("<=", 0, "")),
          Row("load", "server RSS before / after",
              f"{fmt_mb((r.rss_before_mb or 0) * 2**20)} / {fmt_mb((r.rss_after_mb or 0) * 2**20)}",
              f"growth {r.rss_growth_mb} MB"))


def run_vector_rows(b, sizes: Sequence[int] = VECTOR_SIZES, server: bool = False, per_chunk: int = 5) -> None:
    from .scale_vectors import run as run_vectors

    with tempfile.TemporaryDirectory(prefix="khabar-vec-") as tmp:
        b.info.append(f"vectors: {load_text()} at start")
        results = run_vectors(list(sizes), server, per_chunk, Path(tmp))
        b.info.append(f"vectors: {load_text()} at end")
    for r in results:
        b.add(*vector_rows(r))
    if len(results) >= 2:
        b.add(*growth_rows(results[0], results[-1]))


def vector_rows(r: dict) -> list[Row]:
    n, where = r["size"], r["store"]
    cut = f", cut to {r['sentence_dim']}-d" if r.get("sentence_dim") else ""
    return [
        Row("vectors", f"{n:,} chunks + {r['sentences']:,} sentence vectors{cut} ({where} Chroma): ingest outside the model",
            f"{r['chunks_per_s']:,.0f} chunks/s", f"{r['vectors_per_s']:,.0f} vectors/s, {r['ingest_s']:.0f} s"),
        Row("vectors", f"{n:,} chunks: full fused query p50 (Arabic: dense + sentence + keyword)",
            fmt_ms(r["ar_p50_ms"]), f"p95 {fmt_ms(r['ar_p95_ms'])}; English (no keyword) p50 {fmt_ms(r['en_p50_ms'])}",
            value=r["ar_p50_ms"], target=Target("<=", 300, " ms")),
        Row("vectors", f"{n:,} chunks: keyword index full build / file", f"{r['keyword_build_s']:.1f} s",
            f"{r['keyword_file_mb']:.0f} MB"),
        Row("vectors", f"{n:,} chunks: replica start (new process: open store + keyword file + first fused query)",
            f"{r['replica_start_s']:.1f} s", f"open {r['replica_open_s']:.1f} s, first query "
            f"{fmt_ms(r['replica_first_query_ms'])}, RSS {fmt_mb(r['replica_rss_mb'] * 2**20)}",
            value=r["replica_start_s"], target=Target("<=", 10, " s")),
        Row("vectors", f"{n:,} chunks: peak RSS (worker{' / Chroma server' if r.get('chroma_server_peak_rss_mb') else ''})",
            fmt_mb(r["peak_rss_mb"] * 2**20) + (f" / {fmt_mb(r['chroma_server_peak_rss_mb'] * 2**20)}"
                                                  if r.get("chroma_server_peak_rss_mb") else ""), "",
            value=r["peak_rss_mb"] + (r.get("chroma_server_peak_rss_mb") or 0), target=Target("<=", 3072, " MB")),
    ]


def growth_rows(small: dict, large: dict) -> list[Row]:
    k = large["size"] / small["size"]
    out = []
    for key, what in (("ar_p50_ms", "fused query p50"), ("replica_start_s", "replica start"),
                      ("peak_rss_mb", "peak RSS")):
        g = large[key] / small[key] if small[key] else None
        out.append(Row("vectors", f"{what}, {large['size']:,} vs {small['size']:,} chunks (sub-linear: < {k:.0f}×)",
                       f"{g:.2f}×" if g else "n/a", "", value=g, target=Target("<", k, "×")))
    return out
