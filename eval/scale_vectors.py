"""The full fused search at 10k-100k chunks, synthetic vectors in a real Chroma (embedded or a server):

    python -m eval.scale_vectors --chunks 10000,100000 [--server] [--sentences 5] [--json]

Per size, in a fresh worker process (so RSS is its own):
* ingest outside the model: ~200-word chunks of seed sentences (4 per article) and `--sentences` evidence
  sentences per chunk, each with a random unit 768-d vector, written through the product's own Store.add
  and Store.add_sentences (batches of 1,000 chunks): chunks/s and vectors/s;
* the keyword index (FTS5) built from its one full scan of the store;
* query p50 / p95 of Retriever.search, the FULL fused search (dense chunks + dense sentences + keyword),
  over 20 Arabic dev questions (eval/gold/dev.jsonl; English questions skip the keyword signal);
* a replica's start: a new process that opens the store and the keyword file and answers one question
  (wall time from spawn, models aside: they load in parallel with this in `khabar serve`);
* peak RSS of the worker (and of the Chroma server with --server).
KHABAR_SENTENCE_DIM=256 stores the sentence vectors cut to 256 dimensions, as ingest would.
The query vectors are random too (deterministic per question): the HNSW work is the same as for real
vectors, the ranking is meaningless. Random 768-d vectors are a hard case for HNSW (no clusters).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from index.config import REPO_ROOT
from qa.config import QASettings as Settings

DIM = 768
BATCH = 1000
CHUNKS_PER_ARTICLE = 4


class RandomEmbedder:
    """A unit vector per text, seeded by its hash: same text, same vector; no model."""

    name = "random-768"

    def __init__(self, dim: int = DIM) -> None:
        self.dim = dim

    def _vec(self, text: str) -> list[float]:
        import numpy as np

        rng = np.random.default_rng(int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little"))
        v = rng.standard_normal(self.dim).astype("float32")
        return (v / np.linalg.norm(v)).tolist()

    def embed_queries(self, texts):
        return [self._vec(t) for t in texts]

    def embed_documents(self, texts, titles=None):
        return [self._vec(t) for t in texts]

    embed_sentences = embed_documents


def dev_questions(lang: str = "ar", n: int = 20) -> list[str]:
    rows = [json.loads(x) for x in (REPO_ROOT / "eval" / "gold" / "dev.jsonl").read_text().splitlines() if x.strip()]
    return [g["question"] for g in rows if g["lang"] == lang and g.get("follows") is None][:n]


def rss_mb(pid: int | str = "self", key: str = "VmRSS") -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _texts(n_chunks: int, per_chunk: int):
    """(chunk id, article id, text, its sentences) for n_chunks synthetic chunks, deterministic."""
    from eval.bench_data import seed_sentences

    rng = random.Random(0)
    pool = seed_sentences()
    for i in range(n_chunks):
        words: list[str] = []
        sents: list[str] = []
        while len(words) < 200:
            s = pool[rng.randrange(len(pool))]
            sents.append(s)
            words += s.split()
        aid = f"syn{i // CHUNKS_PER_ARTICLE:06d}"
        yield f"{aid}:{i % CHUNKS_PER_ARTICLE}", aid, " ".join(words[:200]), sents[:per_chunk]


def worker(n_chunks: int, data_dir: Path, chroma_url: str | None, per_chunk: int, out: Path,
           chroma_pid: int | None) -> None:
    import numpy as np
    from llama_index.core.schema import TextNode

    from index.store import Store
    from qa.retrieve import Retriever

    settings = Settings(data_dir=data_dir, chroma_url=chroma_url)
    store = Store(settings, name="vec")
    rng = np.random.default_rng(0)
    peak_chroma = 0.0

    def unit(k: int):
        v = rng.standard_normal((k, DIM)).astype("float32")
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    t0 = time.perf_counter()
    nodes, rows = [], {}
    written = sentences = 0
    for cid, aid, text, sents in _texts(n_chunks, per_chunk):
        nodes.append(TextNode(id_=cid, text=text, metadata={"article_id": aid, "title": aid, "n": int(cid[-1])}))
        rows[cid] = sents
        if len(nodes) == BATCH or written + len(nodes) == n_chunks:
            vecs = unit(len(nodes)).tolist()
            svecs = unit(sum(len(s) for s in rows.values())).tolist()
            it = iter(svecs)
            store.add_sentences({c: [(s, next(it)) for s in ss] for c, ss in rows.items()})
            for node, v in zip(nodes, vecs):
                node.embedding = v
            store.add(nodes)
            written += len(nodes)
            sentences += len(svecs)
            nodes, rows = [], {}
            if chroma_pid:
                peak_chroma = max(peak_chroma, rss_mb(chroma_pid) or 0)
    ingest_s = time.perf_counter() - t0
    rss_ingest = rss_mb(key="VmHWM")

    retriever = Retriever.from_settings(store, RandomEmbedder(), settings)
    t = time.perf_counter()
    retriever.keywords()  # no file yet: the one full scan
    keyword_build = time.perf_counter() - t
    times = {}
    for lang in ("ar", "en"):
        qs = dev_questions(lang)
        retriever.search(qs[0], settings.top_k)  # warm
        times[lang] = []
        for q in qs:
            t = time.perf_counter()
            hits, _ = retriever.search(q, settings.top_k)
            times[lang].append((time.perf_counter() - t) * 1000)
            assert hits, q
    if chroma_pid:
        peak_chroma = max(peak_chroma, rss_mb(chroma_pid) or 0)
    from eval.metrics import percentile

    replica = replica_start(data_dir, chroma_url)
    out.write_text(json.dumps({
        "chunks": store.count(), "sentences": store.sentences.count(), "sentence_dim": settings.sentence_dim,
        "ingest_s": ingest_s,
        "chunks_per_s": n_chunks / ingest_s, "vectors_per_s": (n_chunks + sentences) / ingest_s,
        "keyword_build_s": keyword_build, "keyword_file_mb": store.keywords_path.stat().st_size / 1e6,
        **{f"{lang}_p{p}_ms": percentile(v, p, "nearest") for lang, v in times.items() for p in (50, 95)},
        "replica_start_s": replica["wall_s"], "replica_open_s": replica["open_s"],
        "replica_first_query_ms": replica["first_query_ms"], "replica_rss_mb": replica["rss_mb"],
        "peak_rss_ingest_mb": rss_ingest, "peak_rss_mb": rss_mb(key="VmHWM"), "rss_mb": rss_mb(),
        "chroma_server_peak_rss_mb": peak_chroma or None,
    }))


def replica_start(data_dir: Path, chroma_url: str | None) -> dict:
    """A new process: open the store and the keyword index, answer one Arabic question (fused)."""
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "eval.scale_vectors", "--replica", str(data_dir)]
                          + (["--chroma-url", chroma_url] if chroma_url else []),
                          capture_output=True, text=True, cwd=REPO_ROOT, check=True)
    wall = time.perf_counter() - t
    return {"wall_s": wall, **json.loads(proc.stdout.strip().splitlines()[-1])}


def replica(data_dir: Path, chroma_url: str | None) -> None:
    t = time.perf_counter()
    from index.store import Store
    from qa.retrieve import Retriever

    settings = Settings(data_dir=data_dir, chroma_url=chroma_url)
    store = Store(settings, name="vec")
    retriever = Retriever.from_settings(store, RandomEmbedder(), settings)
    kw = retriever.keywords()
    assert kw.rebuilds == 0, "the keyword file was rebuilt, not loaded"
    opened = time.perf_counter() - t
    t = time.perf_counter()
    hits, _ = retriever.search(dev_questions()[0], settings.top_k)
    assert hits
    print(json.dumps({"open_s": opened, "first_query_ms": (time.perf_counter() - t) * 1000, "rss_mb": rss_mb()}))


def chroma_server(path: Path, port: int):
    chroma = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen([str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import httpx

    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("chroma run did not start")


def run(sizes: list[int], server: bool, per_chunk: int, workdir: Path) -> list[dict]:
    import socket

    results = []
    for n in sizes:
        chroma_proc = url = None
        if server:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            chroma_proc = chroma_server(workdir / f"chroma{n}", port)
            url = f"http://127.0.0.1:{port}"
        out = workdir / f"vec{n}.json"
        try:
            cmd = [sys.executable, "-m", "eval.scale_vectors", "--worker", str(n), "--data", str(workdir / f"data{n}"),
                   "--sentences", str(per_chunk), "--out", str(out)]
            if url:
                cmd += ["--chroma-url", url, "--chroma-pid", str(chroma_proc.pid)]
            subprocess.run(cmd, cwd=REPO_ROOT, check=True)
        finally:
            if chroma_proc is not None:
                chroma_proc.terminate()
                chroma_proc.wait(30)
        r = {"size": n, "store": "server" if server else "embedded", **json.loads(out.read_text())}
        print(json.dumps(r), flush=True)
        results.append(r)
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.scale_vectors", description=__doc__.splitlines()[0])
    ap.add_argument("--chunks", default="10000,100000", help="comma list of chunk counts")
    ap.add_argument("--server", action="store_true", help="a `chroma run` server on loopback instead of embedded")
    ap.add_argument("--sentences", type=int, default=5, help="evidence sentences per chunk (seed corpus: ~5.4)")
    ap.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--replica", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--chroma-url", help=argparse.SUPPRESS)
    ap.add_argument("--chroma-pid", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(args.worker, args.data, args.chroma_url, args.sentences, args.out, args.chroma_pid)
        return 0
    if args.replica:
        replica(args.replica, args.chroma_url)
        return 0
    import os

    print(f"load average {os.getloadavg()[0]:.2f} at start", flush=True)
    with tempfile.TemporaryDirectory(prefix="khabar-vec-") as tmp:
        run([int(x) for x in args.chunks.split(",")], args.server, args.sentences, Path(tmp))
    print(f"load average {os.getloadavg()[0]:.2f} at end", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
