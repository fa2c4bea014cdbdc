"""kill -9 at every write step of the re-ingest of a changed article, then a restart.

The article must be answerable right after the crash (old or new version, never missing) and, after
the restart (`resume`, what `khabar serve` and `khabar ingest` run first), be exactly its new version
with no leftovers of the old one and no duplicates."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from index.config import REPO_ROOT
from ui.config import Settings
from index.ingest import Journal, ingest, resume
from index.store import Store
from tests.fakes import FakeEmbedder

SCRIPT = r'''
import os, signal, sys
from pathlib import Path
from ui.config import Settings
from index.ingest import ingest
from index.store import Store
from tests.fakes import FakeEmbedder

src, data, kill_at = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
settings = Settings(data_dir=data, articles_dir=src, llm="none")
store = Store(settings)
calls = 0


def counted(fn):
    def wrapper(*a, **kw):
        global calls
        if calls == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        calls += 1
        return fn(*a, **kw)
    return wrapper


for coll in (store.collection, store.sentences):
    for name in ("upsert", "delete", "add"):
        setattr(coll, name, counted(getattr(coll, name)))
ingest(src, store, FakeEmbedder(), settings, progress=False)
print("writes", calls, flush=True)
'''

OLD = "Zebra festival in Khabarville\n\n" + " ".join(
    f"Old sentence {i} about the annual zebra festival and its {i} striped visitors." for i in range(120)) + "\n"
NEW = "Zebra festival in Khabarville\n\n" + " ".join(
    f"New sentence {i} says the zebra festival moved to Saturday with {i} guests." for i in range(30)) + "\n"


def _fresh_store(data: Path) -> Store:
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    return Store(Settings(data_dir=data))


def _article(store: Store, article_id: str) -> dict[str, tuple[str, str]]:
    out = {}
    for cid, doc, meta in store.iter_chunks():
        if meta["article_id"] == article_id:
            assert cid not in out
            out[cid] = (doc, meta["content_hash"])
    return out


def _sentences(store: Store) -> dict[str, str]:
    page = store.sentences.get(include=["documents"])
    return dict(zip(page["ids"], page["documents"]))


def _run(src: Path, data: Path, kill_at: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run([sys.executable, "-c", SCRIPT, str(src), str(data), str(kill_at)], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=240)


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    """The clean old and new state of the index (the seed articles plus the zebra article)."""
    from index.config import BUNDLED_ARTICLES
    import shutil

    out = {}
    for name, text in (("old", OLD), ("new", NEW)):
        tmp = tmp_path_factory.mktemp(name)
        shutil.copytree(BUNDLED_ARTICLES, tmp / "articles")
        (tmp / "articles" / "zebra.txt").write_text(text, encoding="utf-8")
        settings = Settings(data_dir=tmp / "data", articles_dir=tmp / "articles", llm="none")
        store = Store(settings)
        ingest(tmp / "articles", store, FakeEmbedder(), settings, progress=False)
        out[name] = (_article(store, "zebra"), _sentences(store))
    assert len(out["old"][0]) > len(out["new"][0]) >= 1, "the new version is shorter: the old one leaves a tail"
    return out


@pytest.mark.parametrize("step", range(8))
def test_kill_9_at_each_write_of_a_reingest_then_restart(versions, tmp_path, step):
    from index.config import BUNDLED_ARTICLES
    import shutil

    src, data = tmp_path / "articles", tmp_path / "data"
    shutil.copytree(BUNDLED_ARTICLES, src)
    (src / "zebra.txt").write_text(OLD, encoding="utf-8")
    settings = Settings(data_dir=data, articles_dir=src, llm="none")
    ingest(src, Store(settings), FakeEmbedder(), settings, progress=False)
    (src / "zebra.txt").write_text(NEW, encoding="utf-8")  # the article changed: re-ingest it

    # only the zebra batch writes (the seeds are unchanged), so write k of that batch is killed
    proc = _run(src, data, step)
    killed = proc.returncode == -signal.SIGKILL
    if not killed:  # the re-ingest has fewer writes than this step: it ran to the end
        assert proc.returncode == 0 and int(proc.stdout.split()[-1]) <= step, proc.stdout + proc.stderr[-2000:]
    store = _fresh_store(data)
    after_crash = _article(store, "zebra")
    assert after_crash, "the article is never missing"
    old, new = versions["old"][0], versions["new"][0]
    for cid, value in after_crash.items():
        assert value in (old.get(cid), new.get(cid)), f"{cid} is neither its old nor its new version"
    hits = store.query(FakeEmbedder().embed_queries(["zebra festival"])[0], 3)
    assert any(h.article_id == "zebra" for h in hits), "answerable right after the crash"
    if killed:
        assert Journal(settings).pending(), "a crash mid-write leaves the batch noted"

    report = resume(store, FakeEmbedder(), settings)  # what a restart runs first
    assert (report is not None) == killed
    store = _fresh_store(data)
    assert _article(store, "zebra") == new, "after the restart: exactly the new version, no old leftovers"
    assert _sentences(store) == versions["new"][1], "the sentence vectors agree with the chunks"
    assert not Journal(settings).path.exists()
    docs = [doc for _, doc, _ in store.iter_chunks()]
    assert len(docs) == len(set(docs)), "no duplicate chunks"
    print(f"\nKILL at write {step}: killed={killed}, {len(after_crash)} chunks right after, {len(new)} after restart")
