"""`khabar ingest URL`: one article page, or an RSS/Atom feed whose entries' pages are fetched.

Each page goes through the extractor (index/extract.py) and gets the article id of its canonical URL
(index/urls.py: tracking parameters stripped), so the same article reached through different links is
stored once. Then the same indexer as files (index/ingest.py): unchanged text embeds nothing, changed
text replaces its chunks, near-duplicates are remembered, not indexed. A cron job can re-run a feed
every 15 minutes: only new or changed entries are embedded, and an entry page fetched before is asked
for with If-None-Match / If-Modified-Since (a 304 costs nothing).
"""
from __future__ import annotations

import json
import os
import time
from urllib.parse import urljoin, urlsplit

from .clean import CleanArticle
from .config import IndexSettings
from .embed import Embedder
from .extract import clean_html
from .fetch import PAGE_TYPES, Fetched, Fetcher, FetchError
from .ingest import Indexer, IngestReport
from .load import Skipped
from .meta import ArticleMeta, iso_date
from .store import Store
from .urls import canonical_url, url_article_id


def is_url(text: str) -> bool:
    return text.strip().lower().startswith(("http://", "https://"))


def is_feed(got: Fetched) -> bool:
    head = got.body[:4096].lstrip().lower()
    if got.content_type in PAGE_TYPES and not head.startswith(b"<?xml"):
        return False
    return any(tag in head for tag in (b"<rss", b"<feed", b"<rdf:rdf"))


def _decode(body: bytes) -> str:
    from trafilatura.utils import decode_file

    return decode_file(body)


def page_article(got: Fetched, hint: ArticleMeta | None = None) -> CleanArticle | None:
    """A fetched page as an article; hint: what the feed entry says (its date wins over the page's)."""
    html = _decode(got.body)
    art = clean_html(html, "page", got.url, url=got.url)
    if art is None:
        return None
    url = art.meta.url or canonical_url(got.url)
    art.article_id = url_article_id(url)
    art.source = url
    hint = hint or ArticleMeta()
    host = urlsplit(url).hostname or None
    art.meta = ArticleMeta(published=hint.published or art.meta.published,
                           source=art.meta.source or hint.source or host, url=url,
                           author=art.meta.author or hint.author)
    return art


def ingest_url(url: str, store: Store, embedder: Embedder, settings: IndexSettings,
               fetcher: Fetcher | None = None) -> IngestReport:
    """Index a page or a feed. FetchError when the URL itself can't be fetched; a feed entry that
    can't be is reported in `skipped`."""
    import feedparser

    started = time.perf_counter()
    report = IngestReport()
    own = fetcher is None
    fetcher = fetcher or Fetcher(settings)
    try:
        got = fetcher.get(url.strip())
        indexer = Indexer(store, embedder, settings, report)
        if is_feed(got):
            cache = _load_cache(settings)
            feed = feedparser.parse(got.body)
            outlet = (feed.feed.get("title") or "").strip() or None
            for entry in feed.entries[:settings.feed_max_entries]:
                link = urljoin(got.url, (entry.get("link") or "").strip())
                if not entry.get("link"):
                    report.skipped.append(Skipped(file=f"{got.url} entry {entry.get('id', '?')}", reason="no link"))
                    continue
                hint = ArticleMeta(published=iso_date(entry.get("published_parsed") or entry.get("updated_parsed")),
                                   source=outlet, author=(entry.get("author") or "").strip() or None)
                known = cache.get(link)
                stored = indexer.state.get(known["article_id"], {}) if known else {}
                try:  # a page fetched before is asked for only if it changed (ETag / Last-Modified)
                    page = fetcher.get(link, PAGE_TYPES, headers=_conditional(known) if stored else None)
                except FetchError as exc:
                    report.skipped.append(Skipped(file=link, reason=f"{exc.code}: {exc.message}"))
                    continue
                if page.status == 304:
                    report.articles += 1
                    report.chunks += len(stored)
                    report.unchanged += len(stored)
                    continue
                art = _add(indexer, report, page, hint)
                if art is not None:
                    cache[link] = {"article_id": art.article_id, "etag": page.headers.get("etag"),
                                   "last_modified": page.headers.get("last-modified")}
            _save_cache(settings, cache)
        else:
            _add(indexer, report, got, None)
        indexer.finish()
    finally:
        if own:
            fetcher.close()
    report.seconds = time.perf_counter() - started
    return report


def _add(indexer: Indexer, report: IngestReport, page: Fetched, hint: ArticleMeta | None) -> CleanArticle | None:
    art = page_article(page, hint)
    if art is None:
        report.skipped.append(Skipped(file=page.url, reason="no article text found on the page"))
        return None
    indexer.add(art, art.source)
    return art


# ---- conditional requests: feed entries' validators, kept in KHABAR_DATA_DIR/fetched.json ------------
CACHE_ENTRIES = 5000


def _conditional(known: dict | None) -> dict:
    headers = {}
    if known and known.get("etag"):
        headers["If-None-Match"] = known["etag"]
    if known and known.get("last_modified"):
        headers["If-Modified-Since"] = known["last_modified"]
    return headers


def _load_cache(settings: IndexSettings) -> dict:
    try:
        data = json.loads((settings.data_dir / "fetched.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save_cache(settings: IndexSettings, cache: dict) -> None:
    items = list(cache.items())[-CACHE_ENTRIES:]
    path = settings.data_dir / "fetched.json"
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(dict(items), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # only politeness is lost: the next run fetches the pages again
