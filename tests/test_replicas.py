"""Two `khabar serve` replicas sharing one Chroma server (all on loopback): what one ingests, the other
finds within 5 s by its dense, sentence and keyword signals; what one rewrites, the other stops finding.

Replica B runs with KHABAR_DENSE_WEIGHT=0 so that an Arabic question is ranked by the keyword signal
alone: its top score is 1.0 only if B's keyword index holds the new article (a stale index scores every
candidate 0). English questions stay dense + sentence (KHABAR_DENSE_WEIGHT_EN=1).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from index.config import BUNDLED_ARTICLES
from tests import servers

KEY = "replica-test-key"
RARE = "زيبراكوفسكي"  # in no seed article
ARTICLE = (f"مهرجان الطائرات الورقية في العقبة\n\n"
           f"افتتح المنظم {RARE} مهرجان الطائرات الورقية على شاطئ العقبة صباح الجمعة بمشاركة ثلاثمئة هاوٍ. "
           f"وقال {RARE} إن المهرجان يستمر أربعة أيام وإن الجائزة الكبرى تذهب لأطول طائرة ورقية. "
           f"وحضر الافتتاح آلاف الزوار من الأردن والدول المجاورة رغم الرياح القوية.")
REWRITE = ("مهرجان الطائرات الورقية في العقبة\n\n"
           "ألغي مهرجان الطائرات الورقية هذا العام بسبب الأحوال الجوية، وفق ما أعلنته البلدية في بيان قصير. "
           "ولم تحدد البلدية موعدا جديدا للمهرجان حتى الآن.")
DENSE_Q = "How long does the kite festival in Aqaba last?"


@pytest.fixture
def chroma_server(tmp_path):
    with servers.chroma_server(tmp_path / "chroma-server") as url:
        yield url


def _replica(tmp_path: Path, name: str, chroma_url: str, articles: Path, **env) -> tuple[subprocess.Popen, str]:
    port = servers.free_port()
    full = {**os.environ, "KHABAR_CHROMA_URL": chroma_url, "KHABAR_DATA_DIR": str(tmp_path / f"data-{name}"),
            "KHABAR_ARTICLES_DIR": str(articles), "KHABAR_API_KEY": KEY, "KHABAR_LLM": "none", **env}
    log = open(tmp_path / f"replica-{name}.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "ui.cli", "serve", "--port", str(port), "--llm", "none"],
                            env=full, stdout=log, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[1])
    return proc, f"http://127.0.0.1:{port}"


def _search(base: str, q: str, k: int = 3) -> list[dict]:
    r = httpx.get(f"{base}/api/search", params={"q": q, "k": k}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def _until(check, seconds: float = 5.0):
    """check() until it returns something truthy, for at most `seconds`; returns (value, elapsed)."""
    t0 = time.perf_counter()
    while True:
        value = check()
        if value or time.perf_counter() - t0 > seconds:
            return value, time.perf_counter() - t0
        time.sleep(0.1)


@pytest.mark.models
def test_an_article_ingested_through_one_replica_is_found_through_the_other(tmp_path, chroma_server):
    seeds = tmp_path / "articles-a"
    shutil.copytree(BUNDLED_ARTICLES, seeds)
    (tmp_path / "articles-b").mkdir()
    a, url_a = _replica(tmp_path, "a", chroma_server, seeds)
    b = None
    try:
        servers.wait_http(f"{url_a}/health", lambda r: r.json().get("status") == "ok", 600, "replica A", a)  # indexes the seeds
        b, url_b = _replica(tmp_path, "b", chroma_server, tmp_path / "articles-b",
                            KHABAR_DENSE_WEIGHT="0.0", KHABAR_DENSE_WEIGHT_EN="1.0")
        servers.wait_http(f"{url_b}/health", lambda r: r.json().get("status") == "ok", 300, "replica B", b)
        assert httpx.get(f"{url_b}/health").json()["chunks"] > 0, "B sees A's index: it did not ingest its own"
        before = _search(url_b, RARE)
        assert all(h["score"] == 0.0 for h in before), "nothing has the rare word yet"

        headers = {"Authorization": f"Bearer {KEY}"}
        r = httpx.post(f"{url_a}/api/ingest", headers=headers, timeout=300,
                       files={"files": ("kites.txt", ARTICLE.encode(), "text/plain")})
        assert r.status_code == 200 and r.json()["added"] >= 1, r.text

        # keyword signal, through B: the rare word alone
        hits, waited = _until(lambda: [h for h in _search(url_b, RARE) if h["article_id"] == "kites"
                                       and h["score"] == 1.0])
        assert hits, f"B's keyword index did not see A's write within 5 s: {_search(url_b, RARE)}"
        assert _search(url_b, RARE)[0]["article_id"] == "kites"
        # dense + sentence signals, through B: an English question with none of the article's words
        hits, _ = _until(lambda: (lambda hs: hs and hs[0]["article_id"] == "kites")(_search(url_b, DENSE_Q)))
        assert _search(url_b, DENSE_Q, 1)[0]["article_id"] == "kites"
        arts = httpx.get(f"{url_b}/api/articles").json()
        assert "kites" in {x["article_id"] for x in arts}

        # A re-ingests the article without the rare word: B stops finding it by that word
        r = httpx.post(f"{url_a}/api/ingest", headers=headers, timeout=300,
                       files={"files": ("kites.txt", REWRITE.encode(), "text/plain")})
        assert r.status_code == 200 and r.json()["updated"] + r.json()["deleted"] >= 1, r.text
        gone, waited = _until(lambda: all(h["score"] == 0.0 for h in _search(url_b, RARE)))
        assert gone, f"the rare word is still found through B: {_search(url_b, RARE)}"
        assert all(RARE not in h["text"] for h in _search(url_b, DENSE_Q, 5))
    finally:
        if b is not None:
            servers.stop(b)
        servers.stop(a)
