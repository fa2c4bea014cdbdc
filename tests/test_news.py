"""Real news: metadata (published, source, url, author) on chunks, hits and citations; filters inside the
vector query; web pages through the extractor; pages and feeds fetched safely from a local test server;
idempotent by canonical URL and content; near-duplicates kept once.

Network: the only traffic goes to the loopback HTTP server these tests start (with
KHABAR_ALLOW_PRIVATE_URLS on); the address check is tested with a stubbed resolver.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from index.clean import clean
from index.config import REPO_ROOT
from index.extract import clean_html
from index.feeds import ingest_url
from index.fetch import Fetcher, FetchError, address_allowed
from index.ingest import ingest
from index.load import RawArticle
from index.meta import split_front_matter, where
from index.urls import canonical_url, url_article_id
from qa.answer import Citation

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "news"
SEED_META = {"000_61330ebac7948799": ("2022-01-10", "Al-Amsar"), "001_e812f4507972c678": ("2022-01-10", "SANA"),
             "002_8f7b2033fd4e924f": ("2021-12-28", "Reuters"), "003_b556f401f158842d": ("2021-09-30", "Asharq"),
             "004_c0fc1715b878b95d": ("2021-12-31", "UrduPoint / Sputnik")}


def _articles(store) -> dict[str, dict]:
    return {a["article_id"]: a for a in store.articles()}


# ---- metadata from files ------------------------------------------------------------------------
def test_front_matter_gives_the_fields_and_leaves_the_body():
    text = "---\npublished: 2022-01-10T08:00:00Z\nsource: Reuters\nurl: https://x.example/a\nauthor: A. B.\n---\nTitle\n\nBody."
    meta, body = split_front_matter(text)
    assert (meta.published, meta.source, meta.url, meta.author) == ("2022-01-10", "Reuters", "https://x.example/a", "A. B.")
    assert body == "Title\n\nBody."
    assert split_front_matter("---\n\nA Markdown rule, not front matter.\n---\n")[0] is None


def test_front_matter_wins_over_the_sidecar(tmp_path):
    (tmp_path / "a.txt").write_text("---\nsource: Front\n---\nA title\n\n" + "word " * 30, encoding="utf-8")
    (tmp_path / "a.json").write_text(json.dumps({"source": "Side", "date": "2021-05-06", "url": "https://s/a"}))
    art = clean(RawArticle("a", tmp_path / "a.txt", (tmp_path / "a.txt").read_text(encoding="utf-8"), "txt"))
    assert (art.meta.source, art.meta.published, art.meta.url) == ("Front", "2021-05-06", "https://s/a")
    assert "source" not in art.text and art.title == "A title"


def test_seed_articles_carry_their_dates_and_outlets(indexed):
    arts = _articles(indexed)
    assert {aid: (a["published"], a["outlet"]) for aid, a in arts.items()} == SEED_META
    for _, _, meta in indexed.iter_chunks():
        assert meta["published_int"] == int(meta["published"].replace("-", ""))
        assert meta["outlet_key"] == meta["outlet"].casefold()


def test_changed_metadata_relabels_without_embedding(settings, articles, indexed, embedder):
    side = articles / "002_8f7b2033fd4e924f.json"
    side.write_text(json.dumps({"published": "2022-01-11", "source": "Reuters Arabic"}), encoding="utf-8")
    calls = []
    real = embedder.embed_documents
    embedder.embed_documents = lambda texts, titles=None: calls.append(len(texts)) or real(texts, titles)
    report = ingest(articles, indexed, embedder, settings, progress=False)
    assert (report.added, report.updated, report.relabelled) == (0, 0, _articles(indexed)["002_8f7b2033fd4e924f"]["chunks"])
    assert calls == []  # nothing embedded
    assert _articles(indexed)["002_8f7b2033fd4e924f"]["outlet"] == "Reuters Arabic"
    # the sentences were relabelled too: the filter finds them
    got = indexed.sentences.get(where={"outlet_key": "reuters arabic"}, include=["metadatas"])
    assert got["ids"] and all(m["published_int"] == 20220111 for m in got["metadatas"])
    again = ingest(articles, indexed, embedder, settings, progress=False)
    assert (again.added, again.updated, again.relabelled) == (0, 0, 0)


# ---- hits, citations, filters ------------------------------------------------------------------------
def test_hits_and_citations_carry_date_and_outlet(make_pipeline):
    from ui.app import create_app

    pipe = make_pipeline()
    client = TestClient(create_app(pipe.settings, pipe, web=False))
    hits = client.get("/api/search", params={"q": "ريابكوف جنيف", "k": 5}).json()
    assert hits and all((h["published"], h["source"]) == SEED_META[h["article_id"]] for h in hits)
    body = client.post("/api/ask", json={"question": "من ترأس الوفد الروسي في محادثات جنيف؟"}).json()
    assert body["citations"]
    for c in body["citations"]:
        assert (c["published"], c["source"]) == SEED_META[c["article_id"]] and "url" in c and "author" in c
    arts = client.get("/api/articles").json()
    assert {a["article_id"]: (a["published"], a["outlet"]) for a in arts} == SEED_META
    assert all(a["source"].endswith(".txt") for a in arts)  # `source` stays the file
    v1 = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "من ترأس الوفد الروسي؟"}]}).json()
    assert all(c["source"] for c in v1["citations"]) and "Sources:" in v1["choices"][0]["message"]["content"]


def test_filters_apply_inside_the_vector_query(make_pipeline, monkeypatch):
    pipe = make_pipeline()
    seen = []
    query = pipe.store.collection.query
    monkeypatch.setattr(pipe.store.collection, "query", lambda **kw: seen.append(kw.get("where")) or query(**kw))
    hits = pipe.search("روسيا الولايات المتحدة جنيف", 10, where=where(since="2022-01-10"))
    assert hits and {h.article_id for h in hits} <= {"000_61330ebac7948799", "001_e812f4507972c678"}
    assert seen[0] == {"published_int": {"$gte": 20220110}}
    assert pipe.search("روسيا", 10, where=where(since="2022-01-11")) == []
    hits = pipe.search("روسيا الولايات المتحدة", 10, where=where(source="REUTERS, sana"))
    assert {h.article_id for h in hits} == {"002_8f7b2033fd4e924f", "001_e812f4507972c678"}
    hits = pipe.search("روسيا", 10, where=where(since="2021-09-01", until="2021-09-30"))
    assert {h.article_id for h in hits} == {"003_b556f401f158842d"}


def test_filters_over_http_and_in_the_answer(make_pipeline):
    from ui.app import create_app

    pipe = make_pipeline()
    client = TestClient(create_app(pipe.settings, pipe, web=False))
    hits = client.get("/api/search", params={"q": "ريابكوف", "source": "Reuters", "k": 10}).json()
    assert hits and {h["source"] for h in hits} == {"Reuters"}
    assert client.get("/api/search", params={"q": "ريابكوف", "since": "2022-01-11"}).json() == []
    bad = client.get("/api/search", params={"q": "ريابكوف", "since": "last week"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_request"
    body = client.post("/api/ask", json={"question": "من ترأس الوفد الروسي؟", "until": "2021-12-31"}).json()
    assert all(c["published"] <= "2021-12-31" for c in body["citations"])
    body = client.post("/api/ask", json={"question": "من ترأس الوفد الروسي؟", "since": "2030-01-01"}).json()
    assert body["refused"] and body["citations"] == []


def test_cli_search_since(settings, indexed, embedder, monkeypatch, capsys):
    from qa.pipeline import Pipeline
    from ui import cli

    monkeypatch.setattr(Pipeline, "from_settings", classmethod(lambda cls, s, llm=None: Pipeline(settings, indexed, embedder, None)))
    assert cli.main(["search", "ريابكوف جنيف", "--since", "2022-01-10", "--json", "-k", "10"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits and all(h["published"] >= "2022-01-10" for h in hits)
    assert cli.main(["search", "ريابكوف", "--since", "2022-01-11", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert cli.main(["ask", "من ترأس الوفد الروسي؟", "--source", "sana", "--json"]) == 0
    assert {c["source"] for c in json.loads(capsys.readouterr().out)["citations"]} == {"SANA"}
    assert cli.main(["search", "x", "--until", "yesterday"]) == cli.EXIT_USAGE


# ---- the chat -----------------------------------------------------------------------------------------
def test_chat_shows_outlet_and_date_under_each_quote():
    from qa.answer import Answer
    from ui.web import render_answer

    cites = [Citation(1, "a:0", "a", "T", "quote one", "2022-01-10", "Reuters", "https://r.example/a?x=1&y=2"),
             Citation(2, "b:0", "b", "T2", "quote two", None, "<b>Evil</b>", "javascript:alert(1)"),
             Citation(3, "c:0", "c", "T3", "quote three")]
    html = render_answer(Answer("answer [1] [2] [3].", "en", False, cites))
    assert 'Reuters · 2022-01-10</a></bdi></div>' in html and 'href="https://r.example/a?x=1&amp;y=2"' in html
    assert "&lt;b&gt;Evil&lt;/b&gt;" in html and "javascript:" not in html
    assert html.count('class="kh-byline"') == 2


# ---- extractor ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("page", sorted(p.stem for p in FIXTURES.glob("*.html")))
def test_extractor_keeps_the_body_and_the_metadata(page):
    expected = json.loads((FIXTURES / f"{page}.json").read_text(encoding="utf-8"))
    art = clean_html((FIXTURES / f"{page}.html").read_text(encoding="utf-8"), page, f"{page}.html")
    assert art.title == expected["title"]
    for line in expected["body"]:
        assert line in art.text, line
    for key in ("published", "source", "author", "url"):
        assert getattr(art.meta, key) == expected[key], key
    for junk in ("cookie", "ملفات تعريف الارتباط", "الكوكيز", "Share on", "فيسبوك", "اترك تعليق", "الأكثر قراءة",
                 "Most Read", "Most viewed", "RELATED COVERAGE", "ذات صلة", "Advertisement", "إعلان", "Sign up",
                 "اشترك", "طباعة", "عدد القراءات", "All Rights Reserved",
                 "جميع الحقوق محفوظة", "اقرأ أيضا"):
        assert junk.casefold() not in art.text.casefold(), junk
    # a photo caption is kept once, after the body: read by the line rules (index/clean.py) or, where
    # trafilatura drops it with the image, from the <figcaption> (index/extract.py)
    captions = expected.get("captions", [])
    for caption in captions:
        assert art.text.count(caption) == 1, caption
    assert art.text.split("\n\n")[-len(captions):] == captions if captions else True


def test_a_hostile_page_s_captions_are_bounded():
    from index.extract import MAX_CAPTION_CHARS, MAX_CAPTIONS, figcaptions

    page = "<p>body</p>" + "".join(f"<figure><figcaption>caption number {i} {'word ' * 300}</figcaption></figure>"
                                   for i in range(1000)) + "<figcaption>too short</figcaption><figcaption>"
    found = figcaptions(page)
    assert len(found) == MAX_CAPTIONS and all(len(c) <= MAX_CAPTION_CHARS for c in found)
    assert found[0].startswith("caption number 0 word")
    # a script or a style inside a caption is never its text
    sneaky = ("<figcaption>Ships wait outside the port of Rotterdam on Tuesday <script>zqtoken7()</script>"
              "<style>.zqtoken8{}</style><noscript>zqtoken9</noscript> morning.</figcaption>")
    assert figcaptions(sneaky) == ["Ships wait outside the port of Rotterdam on Tuesday morning."]


def test_new_cleaner_is_at_least_as_clean_as_the_old_one():
    from eval.cleaners import fixtures, seeds

    fx = fixtures()
    assert len(fx) >= 5
    assert sum(r["new"]["lost"] for r in fx) <= sum(r["old"]["lost"] for r in fx)
    assert sum(r["new"]["left"] for r in fx) < sum(r["old"]["left"] for r in fx) / 5
    for r in seeds():
        assert r["new"]["lost"] == 0 and r["new"]["boilerplate"] == [], r["name"]


def test_html_file_in_a_folder_goes_through_the_extractor(settings, store, embedder):
    settings.articles_dir.mkdir(parents=True)
    shutil.copy(FIXTURES / "en_wire.html", settings.articles_dir / "wire.html")
    ingest(settings.articles_dir, store, embedder, settings, progress=False)
    (art,) = store.articles()
    assert (art["published"], art["outlet"]) == ("2023-10-19", "Continental Press")
    assert "Cookies" not in " ".join(doc for _, doc, _ in store.iter_chunks())


# ---- URLs -----------------------------------------------------------------------------------------------
def test_canonical_url_strips_tracking_and_noise():
    a = canonical_url("HTTPS://News.Example:443/a/b?id=7&utm_source=tw&utm_medium=x&fbclid=zz&gclid=1#top")
    assert a == "https://news.example/a/b?id=7"
    assert url_article_id("https://news.example/a/b?id=7&utm_campaign=y") == url_article_id(a)
    assert canonical_url("http://user:pw@[::1]:8080/x") == "http://[::1]:8080/x"


def _resolver(*ips):
    def resolve(host, port, type=0, **kw):
        return [(socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in ips]
    return resolve


@pytest.mark.parametrize("ips", [("10.1.2.3",), ("127.0.0.1",), ("169.254.169.254",), ("192.168.0.10",),
                                 ("172.16.5.5",), ("100.64.0.1",), ("0.0.0.0",), ("::1",), ("fe80::1",), ("fc00::5",),
                                 ("::ffff:127.0.0.1",), ("224.0.0.1",), ("240.0.0.1",),
                                 ("93.184.215.14", "10.0.0.1")])  # one private answer among public ones is enough
def test_private_addresses_are_refused_by_the_check(settings, ips):
    with Fetcher(settings, resolver=_resolver(*ips)) as f:
        with pytest.raises(FetchError) as exc:
            f.get("http://news.example/article")  # never connects: the check comes first
    assert exc.value.code == "url_not_allowed" and exc.value.status == 400


def test_public_addresses_pass_and_the_setting_allows_private(settings):
    with Fetcher(settings, resolver=_resolver("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c")) as f:
        assert f.check("https://news.example/a") == ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]
    allow = settings.model_copy(update={"allow_private_urls": True})
    with Fetcher(allow, resolver=_resolver("10.1.2.3")) as f:
        assert f.check("http://intranet.example/") == ["10.1.2.3"]
    for bad in ("file:///etc/passwd", "ftp://x.example/", "http://u:p@x.example/", "javascript:alert(1)"):
        with pytest.raises(FetchError) as exc:
            Fetcher(settings).check(bad)
        assert exc.value.code == "invalid_url"
    assert address_allowed("8.8.8.8") and not address_allowed("::ffff:10.0.0.1")


def test_api_refuses_a_private_url_with_400(make_pipeline, monkeypatch):
    from ui.app import create_app

    pipe = make_pipeline(api_key="k")
    client = TestClient(create_app(pipe.settings, pipe, web=False))
    auth = {"Authorization": "Bearer k"}
    for url in ("http://127.0.0.1:9/feed.xml", "http://169.254.169.254/latest/meta-data/", "http://[::1]/"):
        resp = client.post("/api/ingest", json={"url": url}, headers=auth)
        assert resp.status_code == 400 and resp.json()["error"]["code"] == "url_not_allowed", resp.text
    assert client.post("/api/ingest", json={"url": "http://127.0.0.1:9/"}).status_code == 401
    resp = client.post("/api/ingest", json={"url": 5}, headers=auth)
    assert resp.status_code == 422


def test_cli_refuses_a_private_url_before_loading_models(tmp_path, monkeypatch, capsys):
    from ui import cli

    monkeypatch.setenv("KHABAR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KHABAR_MODELS_DIR", str(tmp_path / "no-models"))
    assert cli.main(["ingest", "http://127.0.0.1:9/feed.xml"]) == cli.EXIT_INPUT
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "url_not_allowed" in err


# ---- a local news site ----------------------------------------------------------------------------------
def _page(title: str, body: str, date: str = "2022-01-12", site: str = "Local Wire", canonical: str = "") -> str:
    paras = "".join(f"<p>{p}</p>" for p in body.split("\n"))
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (f'<html><head><title>{title}</title>{link}<meta property="og:site_name" content="{site}">'
            f'<meta property="article:published_time" content="{date}T10:00:00Z"></head><body>'
            f'<nav><a href="/">Home</a> <a href="/world">World</a></nav><article><h1>{title}</h1>{paras}</article>'
            f'<footer>Copyright Local Wire. All rights reserved.</footer></body></html>')


STORIES = {
    "a1": ("Talks resume in Vienna", "Negotiators from both delegations met again in Vienna on Wednesday to discuss the "
           "nuclear file, officials said after a five hour session.\nThe next round is expected next week, and both "
           "sides described the atmosphere as constructive and businesslike."),
    "a2": ("Floods hit the northern valley", "Heavy rain flooded dozens of villages in the northern valley overnight, "
           "forcing hundreds of families to leave their homes, the civil defence said.\nRescue teams used boats to "
           "reach people trapped on rooftops, and the army opened two schools as shelters."),
    "a3": ("Central bank keeps rates unchanged", "The central bank kept its main interest rate unchanged on Thursday, "
           "citing slowing inflation and weak growth in the second half of the year.\nAnalysts had expected the "
           "decision, though two members of the board voted for a small cut."),
}


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".xml": "application/rss+xml", ".html": "text/html"}

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/go/"):  # a redirect to wherever the test says
            self.send_response(302)
            self.send_header("Location", (Path(self.directory) / "redirect.txt").read_text().strip())
            self.end_headers()
            return
        super().do_GET()


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    (root / "news").mkdir(parents=True)
    (root / "private").mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=str(root)))
    base = f"http://127.0.0.1:{server.server_address[1]}"
    for slug, (title, body) in STORIES.items():
        (root / "news" / f"{slug}.html").write_text(_page(title, body), encoding="utf-8")
    (root / "private" / "p.html").write_text(_page("Hidden", STORIES["a1"][1]), encoding="utf-8")
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    items = "".join(f"<item><title>{t}</title><link>{base}/news/{s}.html?utm_source=rss</link>"
                    f"<pubDate>Wed, 1{i} Jan 2022 09:00:00 GMT</pubDate><author>desk@localwire.example (Desk)</author></item>"
                    for i, (s, (t, _)) in enumerate(STORIES.items(), 1))
    items += f"<item><title>Hidden</title><link>{base}/private/p.html</link></item>"
    (root / "feed.xml").write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>Local Wire RSS</title>'
                                   f"<link>{base}/</link>{items}</channel></rss>", encoding="utf-8")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, base
    server.shutdown()
    server.server_close()


@pytest.fixture
def local(settings):
    return settings.model_copy(update={"allow_private_urls": True, "fetch_timeout": 5.0})


def test_feed_is_ingested_once_and_changed_entries_are_updated(site, local, store, embedder):
    root, base = site
    first = ingest_url(f"{base}/feed.xml", store, embedder, local)
    assert first.articles == 3 and first.added == first.chunks > 0
    assert [s.reason.split(":")[0] for s in first.skipped] == ["robots_disallowed"]
    arts = _articles(store)
    assert {a["published"] for a in arts.values()} == {"2022-01-11", "2022-01-12", "2022-01-13"}  # the feed's dates
    assert {a["outlet"] for a in arts.values()} == {"Local Wire"}
    assert all(a["url"].startswith(f"{base}/news/") and "utm_" not in a["url"] for a in arts.values())
    statuses = []
    orig = _Handler.send_response
    _Handler.send_response = lambda self, code, *a: statuses.append(code) or orig(self, code, *a)
    try:
        second = ingest_url(f"{base}/feed.xml", store, embedder, local)
    finally:
        _Handler.send_response = orig
    assert (second.added, second.updated, second.deleted, second.relabelled) == (0, 0, 0, 0)
    assert second.unchanged == first.chunks and second.articles == 3
    assert statuses.count(304) == 3  # the entry pages were asked for only if changed
    title, body = STORIES["a2"]
    a2 = root / "news" / "a2.html"
    a2.write_text(_page(title, body + "\nThe river level fell again by Friday evening, officials said."),
                  encoding="utf-8")
    os.utime(a2, (a2.stat().st_atime, a2.stat().st_mtime + 5))  # Last-Modified has one-second resolution
    third = ingest_url(f"{base}/feed.xml", store, embedder, local)
    assert third.updated + third.added > 0 and third.unchanged >= first.chunks - 2
    a2 = next(a for a in _articles(store).values() if a["url"].endswith("/news/a2.html"))
    assert "river level fell" in " ".join(d for _, d, m in store.iter_chunks() if m["article_id"] == a2["article_id"])
    assert len(_articles(store)) == 3


def test_same_page_through_tracking_links_is_stored_once(site, local, store, embedder):
    _, base = site
    one = ingest_url(f"{base}/news/a1.html?utm_source=x&utm_medium=y", store, embedder, local)
    two = ingest_url(f"{base}/news/a1.html?fbclid=abc#comments", store, embedder, local)
    assert one.added > 0 and (two.added, two.updated) == (0, 0)
    (art,) = store.articles()
    assert art["article_id"] == url_article_id(f"{base}/news/a1.html") and art["url"] == f"{base}/news/a1.html"


def test_fetch_limits(site, local, store, embedder):
    root, base = site
    (root / "notes.txt").write_text("plain text " * 50)
    (root / "big.html").write_text(_page("Big", "word " * 5000))
    with pytest.raises(FetchError) as exc:
        ingest_url(f"{base}/notes.txt", store, embedder, local)
    assert exc.value.code == "unsupported_content_type"
    with pytest.raises(FetchError) as exc:
        ingest_url(f"{base}/big.html", store, embedder, local.model_copy(update={"fetch_max_bytes": 10_000}))
    assert exc.value.code == "page_too_large"
    with pytest.raises(FetchError) as exc:
        ingest_url(f"{base}/private/p.html", store, embedder, local)
    assert exc.value.code == "robots_disallowed"
    with pytest.raises(FetchError) as exc:
        ingest_url(f"{base}/missing.html", store, embedder, local)
    assert exc.value.code == "fetch_failed" and exc.value.status == 502
    (root / "redirect.txt").write_text(f"{base}/go/again")  # a redirect loop
    with pytest.raises(FetchError) as exc:
        ingest_url(f"{base}/go/x", store, embedder, local)
    assert exc.value.code == "fetch_failed" and "redirects" in exc.value.message
    assert store.count() == 0


def test_redirect_target_is_checked_again(site, settings, monkeypatch):
    """Loopback is allowed for the test server only; its redirect to a link-local address is refused
    by the check before any connection."""
    root, base = site
    (root / "redirect.txt").write_text("http://169.254.169.254/latest/meta-data/")
    monkeypatch.setattr("index.fetch.address_allowed", lambda ip: ip == "127.0.0.1")
    with Fetcher(settings) as f:
        with pytest.raises(FetchError) as exc:
            f.get(f"{base}/go/x")
    assert exc.value.code == "url_not_allowed"


def test_user_agent_is_sent(site, local):
    root, base = site
    seen = []
    orig = _Handler.do_GET

    def spy(self):
        seen.append(self.headers.get("User-Agent"))
        return orig(self)

    _Handler.do_GET = spy
    try:
        with Fetcher(local) as f:
            f.get(f"{base}/news/a1.html")
    finally:
        _Handler.do_GET = orig
    assert seen and all(ua.startswith("Khabar/") for ua in seen)


# ---- near-duplicates ---------------------------------------------------------------------------------------
WIRE = ("The annual zebra festival in Khabarville drew 12,000 visitors on Sunday, the organisers said, and the parade "
        "of painted carts lasted three hours. The mayor opened the festival with a speech about the town's history "
        "and thanked the volunteers who had prepared the carts for months. Local businesses said sales doubled "
        "during the weekend, and the organisers plan to extend the festival to four days next year.")


def test_near_duplicate_is_kept_once_and_remembers_its_source(settings, store, embedder):
    root = settings.articles_dir
    root.mkdir(parents=True)
    (root / "a_wire.txt").write_text(f"---\nsource: Wire Agency\npublished: 2022-03-01\n---\nZebra festival\n\n{WIRE}\n")
    (root / "b_copy.txt").write_text(f"---\nsource: Daily Copy\npublished: 2022-03-02\nurl: https://copy.example/z\n---\n"
                                     f"Zebra festival draws crowds\n\n{WIRE} (Wire Agency)\n")
    (root / "c_other.txt").write_text("Other news\n\n" + STORIES["a2"][1].replace("\n", " ") + "\n")
    report = ingest(root, store, embedder, settings, progress=False)
    assert report.articles == 2 and [(d.duplicate_of, Path(d.file).name) for d in report.duplicates] == [("a_wire", "b_copy.txt")]
    assert {a["article_id"] for a in store.articles()} == {"a_wire", "c_other"}
    from qa.pipeline import Pipeline

    hits = Pipeline(settings, store, embedder, None).search("zebra festival visitors", 5)
    assert [h.article_id for h in hits].count("a_wire") == 1 and "b_copy" not in [h.article_id for h in hits]
    from index.meta import public

    also = public(hits[0].metadata)["also"]
    assert [(a["source"], a["url"], a["published"]) for a in also] == [("Daily Copy", "https://copy.example/z", "2022-03-02")]
    again = ingest(root, store, embedder, settings, progress=False)  # stable: nothing new, the copy listed once
    assert (again.added, again.updated) == (0, 0) and len(again.duplicates) == 1
    assert len(public(store.article_chunks("a_wire")[0][2])["also"]) == 1


def test_fixture_feed_of_news_sites(local, store, embedder):
    """tests/fixtures/news/feed.xml (relative links) served as it is: five sites, their outlets and dates."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=str(FIXTURES)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        report = ingest_url(f"http://127.0.0.1:{server.server_address[1]}/feed.xml", store, embedder, local)
    finally:
        server.shutdown()
        server.server_close()
    assert report.articles == 5 and not report.skipped and not report.duplicates
    got = {a["url"]: (a["published"], a["outlet"]) for a in store.articles()}
    for page in FIXTURES.glob("*.json"):
        expected = json.loads(page.read_text(encoding="utf-8"))
        if expected.get("url"):
            assert got[expected["url"]] == (expected["published"], expected["source"]), page.name
    # the table-layout agency page has no site name: the feed's title stands in
    assert ("2023-02-12", "Khabar test feed") in got.values()


def test_chat_filters_narrow_the_passages(make_pipeline):
    from ui.service import Service
    from ui.web import respond

    pipe = make_pipeline()
    service = Service(pipe.settings, pipe)
    *_, (_, chat, _) = respond(service, "من ترأس الوفد الروسي في محادثات جنيف؟", [], [], ("", "", "sana"))
    html = chat[-1]["content"]
    assert "SANA · 2022-01-10" in html and "Al-Amsar" not in html and "Reuters" not in html
    *_, (box, chat, _) = respond(service, "من ترأس الوفد الروسي؟", [], [], ("10/01/2022", "", ""))
    assert box == "من ترأس الوفد الروسي؟" and "kh-error" in chat[-1]["content"] and "YYYY-MM-DD" in chat[-1]["content"]


def test_stream_sources_carry_date_and_outlet(make_pipeline):
    from ui.app import create_app

    pipe = make_pipeline()
    client = TestClient(create_app(pipe.settings, pipe, web=False))
    resp = client.post("/api/ask/stream", json={"question": "من ترأس الوفد الروسي؟", "source": "Reuters"})
    sources = json.loads(resp.text.split("event: sources\ndata: ", 1)[1].split("\n", 1)[0])
    assert sources["passages"] and {p["source"] for p in sources["passages"]} == {"Reuters"}
    assert all(p["published"] == "2021-12-28" for p in sources["passages"])


def test_api_ingests_a_feed_url(site, make_pipeline):
    from ui.app import create_app

    _, base = site
    pipe = make_pipeline(api_key="k", allow_private_urls=True)
    client = TestClient(create_app(pipe.settings, pipe, web=False))
    auth = {"Authorization": "Bearer k"}
    first = client.post("/api/ingest", json={"url": f"{base}/feed.xml"}, headers=auth)
    assert first.status_code == 200, first.text
    assert first.json()["articles"] == 3 and first.json()["added"] > 0
    again = client.post("/api/ingest", json={"url": f"{base}/feed.xml"}, headers=auth).json()
    assert (again["added"], again["updated"]) == (0, 0)
    hits = client.get("/api/search", params={"q": "floods northern valley", "source": "local wire", "k": 3}).json()
    assert hits and hits[0]["url"] == f"{base}/news/a2.html" and hits[0]["published"] == "2022-01-12"
    missing = client.post("/api/ingest", json={"url": f"{base}/nope.html"}, headers=auth)
    assert missing.status_code == 502 and missing.json()["error"]["code"] == "fetch_failed"


def test_api_ingest_of_a_page_whose_captions_are_hostile_keeps_at_most_ten_and_no_script(site, make_pipeline):
    """Through the real route: a page with 500 long captions, one of them hiding a script, ingested by URL.
    Its captions are kept after the body (index/extract.py), bounded, and the script's words are never
    indexed."""
    from ui.app import create_app

    root, base = site
    title, body = STORIES["a1"]
    figures = "".join(f"<figure><img src='x{i}.jpg'><figcaption>Photo number {i} of the harbour at dawn {'word ' * 200}"
                      f"</figcaption></figure>" for i in range(500))
    sneaky = "<figure><figcaption>Ships wait at anchor outside the port <script>zqtoken7()</script> at dawn today</figcaption></figure>"
    page = _page(title, body).replace("</article>", sneaky + figures + "</article>")
    (root / "news" / "hostile.html").write_text(page, encoding="utf-8")
    pipe = make_pipeline(api_key="k", allow_private_urls=True)
    client = TestClient(create_app(pipe.settings, pipe, web=False))
    resp = client.post("/api/ingest", json={"url": f"{base}/news/hostile.html"}, headers={"Authorization": "Bearer k"})
    assert resp.status_code == 200, resp.text
    text = " ".join(doc for _, doc, _ in pipe.store.iter_chunks())
    assert "zqtoken7" not in text and "Ships wait at anchor outside the port at dawn today" in text
    assert text.count("Photo number") == 9  # ten captions in all, the script's caption first
