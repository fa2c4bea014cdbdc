"""`khabar ingest URL`: one article page, or an RSS/Atom feed whose entries' pages are fetched.

Each page goes through the extractor (index/extract.py) and gets the article id of its canonical URL
(index/urls.py: tracking parameters stripped), so the same article reached through different links is
stored once. Then the same indexer as files (index/ingest.py): unchanged text embeds nothing, changed
text replaces its chunks, near-duplicates are remembered, not indexed. A cron job can re-run a feed
every 15 minutes: only new or changed entries are embedded.
"""
from __future__ import annotations

import time
from urllib.parse import urljoin, urlsplit

from .clean import CleanArticle
from .config import Settings
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


def ingest_url(url: str, store: Store, embedder: Embedder, settings: Settings,
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
            feed = feedparser.parse(got.body)
            outlet = (feed.feed.get("title") or "").strip() or None
            for entry in feed.entries[:settings.feed_max_entries]:
                link = urljoin(got.url, (entry.get("link") or "").strip())
                if not entry.get("link"):
                    report.skipped.append(Skipped(file=f"{got.url} entry {entry.get('id', '?')}", reason="no link"))
                    continue
                hint = ArticleMeta(published=iso_date(entry.get("published_parsed") or entry.get("updated_parsed")),
                                   source=outlet, author=(entry.get("author") or "").strip() or None)
                try:
                    page = fetcher.get(link, PAGE_TYPES)
                except FetchError as exc:
                    report.skipped.append(Skipped(file=link, reason=f"{exc.code}: {exc.message}"))
                    continue
                _add(indexer, report, page, hint)
        else:
            _add(indexer, report, got, None)
        indexer.finish()
    finally:
        if own:
            fetcher.close()
    report.seconds = time.perf_counter() - started
    return report


def _add(indexer: Indexer, report: IngestReport, page: Fetched, hint: ArticleMeta | None) -> None:
    art = page_article(page, hint)
    if art is None:
        report.skipped.append(Skipped(file=page.url, reason="no article text found on the page"))
        return
    indexer.add(art, art.source)
