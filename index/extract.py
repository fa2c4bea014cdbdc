"""Web pages -> article text and metadata, through trafilatura (publication dates through htmldate).

trafilatura finds the main text and drops navigation, related links, share bars, comment sections and
most captions; Khabar's own line rules (index/clean.py: bylines, credits, "read also", subscribe
lines, ...) then take only what it leaves. Metadata: title, publication date, author, site name and
canonical URL (`<link rel="canonical">` or og:url, tracking parameters stripped).

`python -m eval.cleaners` measures this against the old HTML cleaner on tests/fixtures/news/.
"""
from __future__ import annotations

import logging
import re
from urllib.parse import urljoin

from .clean import CleanArticle, clean_lines
from .meta import ArticleMeta, iso_date
from .text import detect_language, normalize
from .urls import canonical_url

log = logging.getLogger("khabar.extract")
logging.getLogger("trafilatura").setLevel(logging.ERROR)
logging.getLogger("htmldate").setLevel(logging.ERROR)

_CANONICAL = re.compile(r"""<link\b[^>]*\brel\s*=\s*["']?canonical["']?[^>]*>""", re.IGNORECASE)
_OG_URL = re.compile(r"""<meta\b[^>]*\bproperty\s*=\s*["']og:url["'][^>]*>""", re.IGNORECASE)
_HREF = re.compile(r"""\b(?:href|content)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def page_url(html: str, fetched_url: str | None = None) -> str | None:
    """The page's canonical URL (link rel=canonical, then og:url, then where it was fetched), cleaned."""
    head = html[:200_000]
    for rx in (_CANONICAL, _OG_URL):
        for tag in rx.findall(head):
            m = _HREF.search(tag)
            if m and m.group(1).strip():
                url = urljoin(fetched_url or "", m.group(1).strip())
                if url.startswith(("http://", "https://")):
                    return canonical_url(url)
    return canonical_url(fetched_url) if fetched_url else None


def extract(html: str, url: str | None = None) -> dict | None:
    """trafilatura's main text and metadata: {title, text, published, author, sitename, url}; None if no text."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                      include_tables=True, include_images=False, include_links=False,
                                      favor_precision=True, deduplicate=False)
    if doc is None or not (doc.text or "").strip():
        return None
    return {"title": (doc.title or "").strip(), "text": doc.text, "published": iso_date(doc.date),
            "author": (doc.author or "").strip() or None, "sitename": (doc.sitename or "").strip() or None,
            "url": page_url(html, url)}


def clean_html(html: str, article_id: str, source: str, url: str | None = None) -> CleanArticle | None:
    """A web page as a CleanArticle with its metadata; None when the extractor finds no text."""
    try:
        found = extract(html, url)
    except Exception as exc:  # a malformed page must never stop an ingest
        log.warning("extractor failed on %s: %s", source, exc)
        return None
    if found is None:
        return None
    text = re.sub(r"[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]", "", found["text"].replace("\u00a0", " "))
    title = found["title"]
    guessed, paragraphs = clean_lines(text.split("\n"), guess_title=not title)
    title = title or guessed or ""
    if title:
        paragraphs = [p for p in paragraphs if normalize(p) != normalize(title)]
    body = "\n\n".join(paragraphs)
    if not body:
        return None
    if not title:
        first = body.split("\n", 1)[0]
        title = " ".join(first.split()[:12]) + ("…" if len(first.split()) > 12 else "")
    meta = ArticleMeta(published=found["published"], source=found["sitename"], url=found["url"],
                       author=found["author"])
    return CleanArticle(article_id=article_id, title=title.strip() or article_id, text=body, source=source,
                        language=detect_language(body[:2000]), meta=meta)
