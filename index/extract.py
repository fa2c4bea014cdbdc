"""Web pages -> article text and metadata, through trafilatura (publication dates through htmldate).

trafilatura finds the main text and drops navigation, related links, share bars, comment sections and
captions; Khabar's own line rules (index/clean.py: bylines, credits, "read also", subscribe
lines, ...) then take only what it leaves. The photo captions (`<figcaption>`) are read here and kept after
the body, as the line rules keep a text file's. Metadata: title, publication date, author, site name and
canonical URL (`<link rel="canonical">` or og:url, tracking parameters stripped).

`python -m eval.cleaners` measures this against the old HTML cleaner on tests/fixtures/news/.
"""
from __future__ import annotations

import html as htmllib
import logging
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from .clean import CAPTION_WORDS, CleanArticle, clean_lines
from .meta import ArticleMeta, iso_date
from .text import detect_language, normalize
from .urls import canonical_url

log = logging.getLogger("khabar.extract")
logging.getLogger("trafilatura").setLevel(logging.ERROR)
logging.getLogger("htmldate").setLevel(logging.ERROR)

_CANONICAL = re.compile(r"""<link\b[^>]*\brel\s*=\s*["']?canonical["']?[^>]*>""", re.IGNORECASE)
_OG_URL = re.compile(r"""<meta\b[^>]*\bproperty\s*=\s*["']og:url["'][^>]*>""", re.IGNORECASE)
_HREF = re.compile(r"""\b(?:href|content)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
# what the extractor may leave inside the text: a one-line "read also: <headline>" teaser, "Advertisement"
_LEFTOVER = re.compile(r"^\s*((اقرأ|إقرأ|اقرا)\s+(أيضا|أيضاً|ايضا|ايضاً|المزيد)|(read|see)\s+(also|more)|related|"
                       r"more on this|recommended)\s*[:：]\s*\S.{0,160}$|^\s*(advertisement|إعلان|اعلان|sponsored)\s*$|"
                       r"^.{0,80}\bcontributed( reporting)? (to this (report|story)|from)\b.{0,60}$|^\s*_{3,}\s*$",
                       re.IGNORECASE)


def page_url(html: str, fetched_url: str | None = None) -> str | None:
    """The page's canonical URL (link rel=canonical, then og:url, then where it was fetched), cleaned."""
    head = html[:200_000]
    for rx in (_CANONICAL, _OG_URL):
        for tag in rx.findall(head):
            m = _HREF.search(tag)
            if m and m.group(1).strip():
                url = urljoin(fetched_url or "", htmllib.unescape(m.group(1).strip()))
                if url.startswith(("http://", "https://")):
                    return canonical_url(url)
    return canonical_url(fetched_url) if fetched_url else None


MONTHS = {"يناير": 1, "كانون الثاني": 1, "فبراير": 2, "شباط": 2, "مارس": 3, "آذار": 3, "اذار": 3, "أبريل": 4,
          "ابريل": 4, "إبريل": 4, "نيسان": 4, "مايو": 5, "أيار": 5, "ايار": 5, "يونيو": 6, "يونيه": 6, "حزيران": 6,
          "يوليو": 7, "يوليه": 7, "تموز": 7, "أغسطس": 8, "اغسطس": 8, "آب": 8, "اب": 8, "سبتمبر": 9, "أيلول": 9,
          "ايلول": 9, "أكتوبر": 10, "اكتوبر": 10, "تشرين الأول": 10, "تشرين الاول": 10, "نوفمبر": 11,
          "تشرين الثاني": 11, "ديسمبر": 12, "كانون الأول": 12, "كانون الاول": 12}
_AR_DATE = re.compile(r"(?<!\d)(\d{1,2})\s+(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\s*/?\s*"
                      r"(?:[\u0600-\u06ff]+\s+)?(\d{4})")


def arabic_date(lines: list[str]) -> str | None:
    """"الخرطوم 12 فبراير 2023 (…)" in the first lines (a dateline): htmldate reads no Arabic month names."""
    for line in lines[:6]:
        m = _AR_DATE.search(line.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")))
        if m:
            return iso_date(f"{m[3]}-{MONTHS[m[2]]:02d}-{int(m[1]):02d}")
    return None


_TITLE_TAG = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TITLE_SEP = re.compile(r"\s+[-|–—:]{1,2}\s+")


def _best_title(title: str, html: str) -> str:
    """trafilatura may take the site's half of "<site> - <headline>": the longest half is the headline."""
    m = _TITLE_TAG.search(html[:200_000])
    parts = [p.strip() for p in _TITLE_SEP.split(htmllib.unescape(m.group(1)).strip())] if m else []
    if len(parts) > 1 and title.strip() in parts:
        longest = max(parts, key=lambda p: len(p.split()))
        if len(longest.split()) > len(title.split()):
            return longest
    return title


def _sitename(doc, url: str | None) -> str | None:
    """The site's own name; None when trafilatura only fell back to the URL's host (a feed's title is better)."""
    name = ((doc.sitename if doc is not None else "") or "").strip()
    host = urlsplit(url or "")
    if name and name.lower().removeprefix("www.") in {host.netloc.lower().removeprefix("www."),
                                                        (host.hostname or "").removeprefix("www.")}:
        return None
    return name or None


def _table_heavy(text: str) -> bool:
    rows = sum(len(ln) for ln in text.split("\n") if ln.lstrip().startswith("|"))
    return rows > 0.4 * len(text)


def _justext(html: str) -> str:
    """jusText (stop-word density, a trafilatura dependency) for pages trafilatura finds nothing in."""
    import justext

    arabic = len(re.findall(r"[\u0600-\u06ff]", html)) > 200
    paragraphs = justext.justext(html.encode("utf-8", "replace"), justext.get_stoplist("Arabic" if arabic else "English"),
                                 encoding="utf-8")
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


class _Figcaptions(HTMLParser):
    """The text of each <figcaption> (trafilatura drops it with the image); never a script's or a style's
    inside it."""

    HIDDEN = {"script", "style", "noscript", "template", "svg", "iframe"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.captions: list[str] = []
        self._depth = 0
        self._hidden = 0
        self._parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "figcaption":
            self._depth += 1
        elif tag in self.HIDDEN:
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1
        elif tag == "figcaption" and self._depth:
            self._depth -= 1
            if not self._depth:
                self.captions.append(" ".join("".join(self._parts).split()))
                self._parts = []

    def handle_data(self, data):
        if self._depth and not self._hidden:
            self._parts.append(data)


MAX_CAPTIONS, MAX_CAPTION_CHARS = 10, 400  # a hostile page's thousand captions cost nothing


def figcaptions(html: str) -> list[str]:
    """A page's photo captions, as the line rules keep a text file's (index/clean.py): what the reader sees
    under the picture, at most MAX_CAPTIONS of them, each of CAPTION_WORDS words or more."""
    parser = _Figcaptions()
    parser.feed(html)
    parser.close()
    found = [c[:MAX_CAPTION_CHARS] for c in parser.captions if len(c.split()) >= CAPTION_WORDS]
    return list(dict.fromkeys(found))[:MAX_CAPTIONS]


def extract(html: str, url: str | None = None) -> dict | None:
    """trafilatura's main text and metadata: {title, text, published, author, sitename, url}; None if no text.
    A page laid out in tables is read again without tables; a page trafilatura keeps nothing of (old
    table layouts, <br>-separated text) goes through jusText."""
    import trafilatura

    def run(tables: bool):
        return trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                           include_tables=tables, include_images=False, include_links=False,
                                           favor_precision=True, deduplicate=False,
                                           # dates from the page's markup only: a guess from free text
                                           # ("© 2023" -> 2023-01-01) is worse than none
                                           date_extraction_params={"extensive_search": False, "original_date": True})

    doc = run(True)
    if doc is not None and doc.text and _table_heavy(doc.text):
        doc = run(False) or doc
    text = doc.text if doc is not None and (doc.text or "").strip() and not _table_heavy(doc.text) else _justext(html)
    if not text.strip():
        return None
    title = _best_title((doc.title if doc is not None else "") or "", html)
    published = iso_date(doc.date) if doc is not None else None
    return {"title": title.strip(), "text": text, "captions": figcaptions(html),
            "published": published or arabic_date(text.split("\n")),
            "author": ((doc.author if doc is not None else "") or "").strip() or None,
            "sitename": _sitename(doc, url),
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
    lines = [ln for ln in text.split("\n") if not _LEFTOVER.match(ln)]
    guessed, paragraphs = clean_lines(lines, guess_title=not title)
    title = title or guessed or ""
    if title:
        paragraphs = [p for p in paragraphs if normalize(p) != normalize(title)]
    said = {normalize(p) for p in paragraphs}
    paragraphs += [c for c in found["captions"] if paragraphs and normalize(c) not in said]  # after the body
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
