"""Clean an article: find its real title, strip site boilerplate, keep paragraphs.

Rules are by pattern, not by file: mastheads, bylines and datelines in the header, subscribe / follow /
share / print lines, comment forms, reporter credits, "read also" blocks at the end, one-word tag lines and
repeated lines. A photo caption is what the reader sees under the picture ("who took the photo?", "who is
the Swiss president pictured?"): it is kept, once, after the body, where it neither becomes the title nor
splits the lead from its paragraph.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from .load import RawArticle
from .meta import ArticleMeta, sidecar, split_front_matter
from .text import detect_language, normalize


@dataclass
class CleanArticle:
    article_id: str
    title: str
    text: str  # cleaned body: paragraphs separated by blank lines
    source: str  # the file (or URL) it came from
    language: str
    meta: ArticleMeta = field(default_factory=ArticleMeta)  # published, outlet, url, author (index/meta.py)


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(parts), re.IGNORECASE)


# only in the header (before the first real paragraph)
HEADER_ONLY = _rx(
    r"مجلس التحرير", r"رئيس التحرير", r"أوراق اعتماد", r"نقابة الصحفيين", r"editorial board", r"editor[- ]in[- ]chief",
    r"دقائق القراءة", r"دقيقة قراءة", r"\bmin(ute)?s? read\b", r"reading icon",
)
# anywhere in the article
ANYWHERE = _rx(
    r"اشترك الآن", r"subscribe now", r"sign up for",
    r"leave a reply", r"leave a comment", r"please enter your (comment|name|email)", r"أفكارك وتعليقاتك",
    r"أضف تعليق", r"اترك تعليقا", r"^\s*التعليقات\s*$",
    r"معاييرنا\s*:", r"thomson reuters trust principles", r"مبادئ الثقة في thomson reuters",
    r"^\s*\((تستمر|يتبع|continued|more)\)\s*$",
    r"^\s*(شارك|مشاركة|طباعة|اطبع|share|print|tweet|email|facebook|twitter|whatsapp|telegram)"
    r"(\s*(عبر|on|via|this)?\s*(facebook|twitter|whatsapp|telegram|فيسبوك|تويتر|واتساب|تلغرام|المقال|الخبر|article|story)?)*\s*$",
    r"all rights reserved", r"جميع الحقوق محفوظة",
)
# a photo caption: a credit ("تصوير: …", "Photo: …") or an agency at the end ("… - REUTERS")
CAPTION = _rx(r"تصوير\s*[:：]", r"^\s*(photo|image|picture)\s*[:：]",
              r"[-–—]\s*(reuters|afp|ap|getty images|رويترز|أ ف ب)\s*$")
CAPTION_WORDS = 6  # a bare credit ("تصوير: رويترز") says nothing worth keeping
CREDIT = re.compile(r"^\s*(تقرير|إعداد|اعداد|reporting by|additional reporting)\b.*(تحرير|بقلم|editing by|writing by)", re.IGNORECASE)
URL = re.compile(r"https?://\S+|www\.\S+")
RELATED = re.compile(r"^\s*(اقرأ أيضا|اقرأ ايضا|اقرأ أيضاً|اقرأ ايضاً|انظر أيضا|انظر ايضا|انظر أيضاً|انظر ايضاً|"
                     r"read more|read also|related( articles| stories)?|more from|المزيد|ذات صلة|مواضيع ذات صلة)\s*:?\s*$",
                     re.IGNORECASE)
PUBLISHED = re.compile(r"^\s*(نشر|نشرت|نشر في|published|posted)\s*:?\s*$", re.IGNORECASE)
DATELINE = re.compile(r"^\s*[^\s.!?؟،:]+(\s[^\s.!?؟،:]+)?\s*[-–/]\s*[^\s.!?؟،:]+(\s[^\s.!?؟،:]+){0,3}\s*$")  # "جنيف-سانا", "القاهرة - أ ش أ"
BULLET = re.compile(r"^\s*[•·▪●◦*\-–]\s+")
LINE_ENDS_SENTENCE = re.compile(r"[.!?؟:]\s*$")  # a heading does not (index/text.py SENTENCE_END cuts sentences)


def _words(line: str) -> int:
    return len(line.split())


def is_boilerplate(line: str, in_header: bool) -> bool:
    s = line.strip()
    if ANYWHERE.search(s) or CREDIT.search(s):
        return True
    if URL.search(s) and _words(URL.sub("", s)) <= 12:
        return True  # "follow us on Telegram https://…", bare links
    if in_header and (HEADER_ONLY.search(s) or DATELINE.match(s)):
        return True
    if _words(s) == 1 and not re.search(r"\d", s):
        return True  # tag / category labels ("روسيا")
    return False


def clean_lines(lines: list[str], guess_title: bool = True) -> tuple[str | None, list[str]]:
    """Return (title or None, body paragraphs) from the article's lines. guess_title=False when the
    format gave the title (Markdown `#`, HTML h1/title): no body line is taken for one."""
    lines = [ln.strip() for ln in lines]
    first_para = next((i for i, ln in enumerate(lines) if _words(ln) >= 20), len(lines))
    # cut a trailing "read also / related" block; a mid-article one only loses its own line
    for i, ln in enumerate(lines):
        if RELATED.match(ln) and i >= 0.6 * len(lines):
            lines = lines[:i]
            break
    kept: list[tuple[int, str]] = []
    captions: list[tuple[int, str]] = []
    skip_next = False
    for i, ln in enumerate(lines):
        if not ln:
            continue
        if skip_next:
            skip_next = False
            if _words(ln) <= 4:
                continue  # the site name after "نشر"
        if PUBLISHED.match(ln):
            skip_next = True
            continue
        if CAPTION.search(ln):
            if _words(ln) >= CAPTION_WORDS and not URL.search(ln):
                captions.append((i, ln))
            continue
        if RELATED.match(ln) or is_boilerplate(ln, in_header=i < first_para):
            continue
        kept.append((i, ln))
    # repeated lines (duplicated titles, captions): keep the first
    seen, body = set(), []
    for i, ln in kept + captions:
        key = normalize(re.sub(r"\s+", " ", ln))
        if key in seen:
            continue
        seen.add(key)
        body.append((i, ln))
    title = None
    in_caption = {i for i, _ in captions}
    for i, ln in (body if guess_title else []):
        if i in in_caption:
            continue
        if i >= first_para:
            break
        if _words(ln) <= 25 and not LINE_ENDS_SENTENCE.search(ln):
            title = BULLET.sub("", ln)
            if not BULLET.match(ln):
                body = [(j, x) for j, x in body if j != i]
            break
    return title, [BULLET.sub("", ln) for _, ln in body]


class _HTMLText(HTMLParser):
    BLOCK = {"p", "div", "br", "h1", "h2", "h3", "h4", "li", "section", "article", "tr", "blockquote", "figcaption"}
    SKIP = {"script", "style", "noscript", "nav", "footer", "aside", "form", "header", "svg", "iframe", "figure", "button"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.title = ""
        self.h1 = ""
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip += 1
        elif tag in ("title", "h1"):
            self._in = tag
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skip:
            self.skip -= 1
        if tag == self._in:
            self._in = None
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if self._in == "title" and not self.title:
            self.title = data.strip()
            return
        if self.skip:
            return
        if self._in == "h1" and not self.h1:
            self.h1 = data.strip()
        self.parts.append(data)


def html_to_text(raw: str) -> tuple[str | None, str]:
    parser = _HTMLText()
    parser.feed(raw)
    parser.close()
    text = re.sub(r"[ \t\r\f\v]+", " ", "".join(parser.parts))
    return (parser.h1 or parser.title or None), re.sub(r"\n\s*\n+", "\n\n", text)


_MD_RAW_HTML = re.compile(r"<(script|style|noscript)\b[^>]*>.*?(</\1\s*>|\Z)|<!--.*?(-->|\Z)", re.IGNORECASE | re.DOTALL)


def markdown_to_text(raw: str) -> tuple[str | None, str]:
    raw = _MD_RAW_HTML.sub("", raw)  # raw HTML blocks Markdown allows: script / style text is never indexed
    title = None
    out = []
    for line in raw.splitlines():
        m = re.match(r"^\s{0,3}#\s+(.+?)\s*#*\s*$", line)
        if m and title is None:
            title = m.group(1)
            continue
        line = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", line)  # images
        line = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line)  # links -> text
        line = re.sub(r"^\s{0,3}#{1,6}\s+", "", line)
        line = re.sub(r"(\*\*|__|\*|_|`)(\S.*?\S|\S)\1", r"\2", line)
        line = re.sub(r"^\s*>\s?", "", line)
        out.append(line)
    return title, "\n".join(out)


def clean(raw: RawArticle) -> CleanArticle:
    """HTML goes through the extractor (index/extract.py); .txt/.md through the rules here. Either way the
    front matter or a sidecar JSON (index/meta.py) gives published / source / url / author."""
    if raw.fmt == "html":
        from .extract import clean_html

        art = clean_html(raw.text, raw.article_id, str(raw.path))
        if art is not None:
            art.meta = (sidecar(raw.path) or ArticleMeta()).merged(art.meta)
            return art
        return clean_text(raw)  # nothing the extractor would keep: the old HTML rules
    front, text = split_front_matter(raw.text)
    art = clean_text(RawArticle(raw.article_id, raw.path, text, raw.fmt))
    art.meta = (front or ArticleMeta()).merged(sidecar(raw.path) or ArticleMeta())
    return art


def clean_text(raw: RawArticle) -> CleanArticle:
    """Khabar's own rules (the cleaner for .txt/.md, and for HTML the extractor keeps nothing of)."""
    title_hint = None
    text = raw.text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    if raw.fmt == "html":
        title_hint, text = html_to_text(text)
    elif raw.fmt == "md":
        title_hint, text = markdown_to_text(text)
    text = html.unescape(text) if raw.fmt != "html" else text
    text = re.sub(r"[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]", "", text)  # stray bidi marks
    text = "".join(ch for ch in text if ch in "\n\t" or ord(ch) >= 32)
    title, paragraphs = clean_lines(text.split("\n"), guess_title=not title_hint)
    if title_hint:
        title = title_hint
        paragraphs = [p for p in paragraphs if normalize(p) != normalize(title_hint)]
    body = "\n\n".join(paragraphs)
    if not title:
        first = body.split("\n", 1)[0]
        title = " ".join(first.split()[:12]) + ("…" if _words(first) > 12 else "")
    return CleanArticle(article_id=raw.article_id, title=title.strip() or raw.article_id, text=body,
                        source=str(raw.path), language=detect_language(body[:2000]) if body else "en")
