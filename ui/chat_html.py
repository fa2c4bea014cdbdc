"""The chat's messages as HTML (pure functions, tested without a browser) and the page's CSS.

Every message is our own HTML, built from escaped text (html.escape: HTML in an article never runs
in the page), one line, no blank lines (so Markdown leaves it alone), and every block of text carries
dir="auto" + unicode-bidi: plaintext: Arabic lays out right-to-left, English left-to-right, and mixed
text follows its own first strong character (Gradio's Chatbot sets dir="ltr" on every message).
Gradio's DOMPurify sanitizer stays on as a second layer.
"""
from __future__ import annotations

import html
import re

from index.text import detect_language
from qa.answer import Answer, Sources

TEXT = {
    "en": {"searching": "Searching the articles…", "writing": "Found passages, writing the answer…",
           "sources": "Sources", "passages": "Passages found", "loading": "The models are still loading. "
           "Please ask again in a moment.", "busy": "Too many questions are waiting. Please try again shortly.",
           "failed": "Something went wrong while answering. Please try again.",
           "unavailable": "The models failed to load, so questions can't be answered right now.",
           "no_sources": "No article passage answers this question."},
    "ar": {"searching": "جارٍ البحث في المقالات…", "writing": "وُجدت فقرات، جارٍ كتابة الإجابة…",
           "sources": "المصادر", "passages": "الفقرات التي وُجدت", "loading": "ما زالت النماذج قيد التحميل. "
           "يرجى إعادة السؤال بعد قليل.", "busy": "هناك أسئلة كثيرة في الانتظار. يرجى المحاولة بعد قليل.",
           "failed": "حدث خطأ أثناء الإجابة. يرجى المحاولة مرة أخرى.",
           "unavailable": "تعذّر تحميل النماذج، لذا لا يمكن الإجابة عن الأسئلة الآن.",
           "no_sources": "لا توجد فقرة في المقالات تجيب عن هذا السؤال."},
}

CITATION_MARKER = re.compile(r"\[(\d{1,2})\]")  # "[2]" in an answer, shown as a superscript
QUOTE_CHARS = 700  # passages shown while the answer is written are cut to this (citations never are)


def esc(text: str) -> str:
    """Escaped text on one line: newlines become <br>, so Markdown never sees a blank line."""
    lines = html.escape(text, quote=True).replace("\r", "").split("\n")
    return "<br>".join(line.strip() for line in lines if line.strip())


def language_of(text: str) -> str:
    try:
        return detect_language(text)
    except Exception:
        return "en"


def _dir(language: str) -> str:
    return "rtl" if language == "ar" else "ltr"


def render_user(question: str) -> str:
    return f'<div class="kh-msg kh-user" dir="auto">{esc(question)}</div>'


def _text_block(text: str, cls: str = "") -> str:
    body = CITATION_MARKER.sub(r'<span class="kh-ref">[\1]</span>', esc(text))
    return f'<div class="kh-msg{" " + cls if cls else ""}" dir="auto">{body}</div>'


def byline(source: str | None, published: str | None, url: str | None = None) -> str:
    """"Reuters · 2022-01-10" under a quote (escaped; the outlet links to the article when it has an http(s) URL)."""
    parts = [p for p in (source, published) if p]
    if not parts:
        return ""
    text = esc(" · ".join(parts))
    if url and url.lower().startswith(("http://", "https://")):
        text = f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer nofollow">{text}</a>'
    return f'<div class="kh-byline"><bdi>{text}</bdi></div>'  # aligned with the quotes, isolated inside'


def _details(n: int, title: str, quote: str, limit: int | None = None, cite=None) -> str:
    if limit and len(quote) > limit:
        quote = quote[:limit].rsplit(" ", 1)[0] + " …"
    by = byline(cite.source, cite.published, cite.url) if cite is not None else ""
    return (f'<details class="kh-cite"><summary dir="auto"><span class="kh-n">[{n}]</span> '
            f'{esc(title) or "—"}</summary><div class="kh-quote" dir="auto">{esc(quote)}</div>{by}</details>')


def _cites(heading: str, items: list[str], language: str) -> str:
    if not items:
        return ""
    return (f'<div class="kh-cites" dir="{_dir(language)}"><div class="kh-cites-h">{html.escape(heading)}</div>'
            + "".join(items) + "</div>")


def render_status(text: str, language: str, cls: str = "kh-status") -> str:
    return f'<div class="kh-msg {cls}" dir="{_dir(language)}">{esc(text)}</div>'


def render_sources(sources: Sources, draft: str = "") -> str:
    """While the answer is written: the draft (if any) and the retrieved passages, collapsed."""
    t = TEXT[sources.language]
    head = _text_block(draft, "kh-draft") if draft.strip() else render_status(t["writing"], sources.language)
    items = [_details(p.n, p.title, p.quote, QUOTE_CHARS, p) for p in sources.passages]
    return head + _cites(t["passages"], items, sources.language)


def render_answer(answer: Answer) -> str:
    t = TEXT[answer.language]
    if answer.refused:
        return _text_block(answer.answer, "kh-refused")
    items = [_details(c.n, c.title, c.quote, cite=c) for c in answer.citations]
    return _text_block(answer.answer) + _cites(t["sources"], items, answer.language)


def render_error(kind: str, language: str) -> str:
    return render_status(TEXT[language][kind], language, "kh-error")


def status_banner(service) -> str:
    """The loading / failed banner above the chat (ui/service.py: Service.status)."""
    if service.status == "loading":
        return ('<div class="kh-banner kh-loading" role="status">'
                '<span dir="ltr"><span class="kh-spin"></span>Loading the models… the chat answers as soon as they are ready.</span>'
                '<span dir="rtl">جارٍ تحميل النماذج…</span></div>')
    if service.status == "error":
        return ('<div class="kh-banner kh-failed" role="alert"><span dir="ltr">The models failed to load: '
                f'{html.escape(service.error or "unknown error")}</span></div>')
    return ""


CSS = """
.gradio-container { max-width: 980px !important; margin: 0 auto !important; }
#kh-header h1 { margin-bottom: 0.1em; }
#kh-header p { margin: 0; color: var(--body-text-color-subdued); text-align: start; }
#kh-header { display: flex; flex-direction: column; gap: 0.15em; }
.kh-msg, .kh-cite summary, .kh-quote, .kh-cites-h { unicode-bidi: plaintext; text-align: start; }
.kh-msg { line-height: 1.7; font-size: 1.02em; }
.kh-msg[dir="rtl"], .kh-msg:dir(rtl), .kh-quote:dir(rtl), .kh-cite summary:dir(rtl) {
  font-family: "Noto Naskh Arabic", "Noto Sans Arabic", "Amiri", "Arial", sans-serif; }
.kh-ref { color: var(--color-accent); font-size: 0.8em; vertical-align: super; white-space: nowrap;
  padding: 0 1px; font-weight: 600; }
.kh-status { color: var(--body-text-color-subdued); font-style: italic; }
.kh-error { color: var(--error-text-color, #b91c1c); font-weight: 600; }
.kh-refused { color: var(--body-text-color-subdued); }
.kh-draft { opacity: 0.85; }
.kh-cites { margin-top: 0.7em; padding-top: 0.5em; border-top: 1px solid var(--border-color-primary);
  font-size: 0.92em; }
.kh-cites-h { font-weight: 600; margin-bottom: 0.3em; color: var(--body-text-color-subdued); }
.kh-cite { margin: 0.25em 0; border: 1px solid var(--border-color-primary); border-radius: 6px;
  padding: 0.3em 0.6em; background: var(--background-fill-secondary); }
.kh-cite summary { cursor: pointer; font-weight: 500; }
.kh-cite .kh-n { color: var(--color-accent); font-weight: 700; }
.kh-quote { margin-top: 0.4em; padding-inline-start: 0.7em; border-inline-start: 3px solid var(--color-accent);
  max-height: 16em; overflow-y: auto; line-height: 1.7; }
.kh-byline { margin-top: 0.3em; font-size: 0.85em; color: var(--body-text-color-subdued); text-align: start; }
.kh-banner { padding: 0.6em 1em; border-radius: 8px; display: flex; justify-content: space-between; gap: 1em;
  font-weight: 600; }
.kh-spin { display: inline-block; width: 0.9em; height: 0.9em; margin-inline-end: 0.5em; vertical-align: -0.1em;
  border: 2px solid currentColor; border-top-color: transparent; border-radius: 50%; animation: kh-spin 0.9s linear infinite; }
@keyframes kh-spin { to { transform: rotate(360deg); } }
#kh-send, #kh-new { white-space: nowrap; }
#kh-toolbar { align-items: center; }
.kh-loading { background: #fff7e0; color: #7a5200; border: 1px solid #f0d48a; }
.kh-failed { background: #fdecec; color: #8a1c1c; border: 1px solid #f3b4b4; }
#kh-input textarea { unicode-bidi: plaintext; text-align: start; }
.kh-examples button { unicode-bidi: plaintext; }
#kh-footer { text-align: center; font-size: 0.85em; color: var(--body-text-color-subdued); }
"""
