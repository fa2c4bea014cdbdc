"""The Gradio chat, mounted at `/` of the FastAPI app.

Every message is our own HTML, built from escaped text (html.escape: HTML in an article never runs
in the page), one line, no blank lines (so Markdown leaves it alone), and every block of text carries
dir="auto" + unicode-bidi: plaintext: Arabic lays out right-to-left, English left-to-right, and mixed
text follows its own first strong character (Gradio's Chatbot sets dir="ltr" on every message).
Gradio's DOMPurify sanitizer stays on as a second layer.
"""
from __future__ import annotations

import html
import logging
import re

from index.text import detect_language
from qa.answer import Answer, QuestionError, Sources

from .errors import ApiError
from .service import Service

log = logging.getLogger("khabar.web")

EXAMPLES = [
    "من ترأس الوفد الروسي في محادثات جنيف؟",
    "Who led the US delegation in Geneva?",
    "متى عقدت المحادثات الأمنية بين روسيا والولايات المتحدة في جنيف؟",
    "What did Peskov say about a Putin–Biden phone call?",
]

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

MARKER = re.compile(r"\[(\d{1,2})\]")
QUOTE_CHARS = 700  # passages shown while the answer is written are cut to this (citations never are)
CHAT_MESSAGES = 40  # what a session keeps on the server (and re-sends each turn): the newest 20 turns
STATE_SECONDS = 3600  # a session's chat is forgotten an hour after its last turn
SESSIONS = 1000  # sessions whose chat the server keeps (the oldest go first)


# ---- HTML for messages (pure functions, tested without a browser) -----------------------------
def esc(text: str) -> str:
    """Escaped text on one line: newlines become <br>, so Markdown never sees a blank line."""
    lines = html.escape(text, quote=True).replace("\r", "").split("\n")
    return "<br>".join(line.strip() for line in lines if line.strip())


def _lang(text: str) -> str:
    try:
        return detect_language(text)
    except Exception:
        return "en"


def _dir(language: str) -> str:
    return "rtl" if language == "ar" else "ltr"


def render_user(question: str) -> str:
    return f'<div class="kh-msg kh-user" dir="auto">{esc(question)}</div>'


def _text_block(text: str, cls: str = "") -> str:
    body = MARKER.sub(r'<span class="kh-ref">[\1]</span>', esc(text))
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


def status_banner(service: Service) -> str:
    if service.status == "loading":
        return ('<div class="kh-banner kh-loading" role="status">'
                '<span dir="ltr"><span class="kh-spin"></span>Loading the models… the chat answers as soon as they are ready.</span>'
                '<span dir="rtl">جارٍ تحميل النماذج…</span></div>')
    if service.status == "error":
        return ('<div class="kh-banner kh-failed" role="alert"><span dir="ltr">The models failed to load: '
                f'{html.escape(service.error or "unknown error")}</span></div>')
    return ""


# ---- the chat turn ---------------------------------------------------------------------------------
def chat_filters(since: str | None, until: str | None, source: str | None) -> dict | None:
    """The chat's filter boxes as a Chroma where (index/meta.py); QuestionError for a bad date."""
    from index.meta import parse_date_arg, where

    try:
        return where(parse_date_arg(since), parse_date_arg(until), (source or "").strip() or None)
    except ValueError as exc:
        raise QuestionError("invalid_filter", f"{exc} · التاريخ بالشكل YYYY-MM-DD") from None


def respond(service: Service, message: str, chat: list[dict], history: list[dict],
            filters: tuple[str | None, str | None, str | None] | None = None):
    """Generator of (textbox, chat, history): the question at once, the passages as soon as retrieval
    is done, then the answer as it is written, then the final checked answer with its citations.
    filters: (since, until, source) from the chat's filter boxes."""
    message = message.strip() if isinstance(message, str) else ""  # a client can send any JSON here
    chat, history = list(chat or [])[-CHAT_MESSAGES:], list(history or [])[-8:]
    if not message:
        yield "", chat, history
        return
    try:
        service.check_question(message)  # before anything is kept: the page's max_length is the browser's
    except QuestionError as exc:
        yield "", chat + [{"role": "assistant", "content": render_status(exc.message, "en", "kh-error")}], history
        return
    language = _lang(message)
    chat.append({"role": "user", "content": render_user(message)})
    chat.append({"role": "assistant", "content": render_status(TEXT[language]["searching"], language)})
    yield "", list(chat), list(history)
    run = None
    try:
        run = service.run(message, history[-8:] or None, where=chat_filters(*(filters or (None, None, None))))
        sources, draft = None, ""
        for event in run:
            if isinstance(event, Sources):
                sources = event
                chat[-1] = {"role": "assistant", "content": render_sources(sources)}
            elif isinstance(event, str):
                draft += event
                if sources is not None:
                    chat[-1] = {"role": "assistant", "content": render_sources(sources, draft)}
            elif isinstance(event, Answer):
                chat[-1] = {"role": "assistant", "content": render_answer(event)}
                history += [{"role": "user", "content": message}, {"role": "assistant", "content": event.answer}]
            yield "", list(chat), list(history)
    except QuestionError as exc:
        chat[-1] = {"role": "assistant", "content": render_status(exc.message, "en", "kh-error")}
        yield message, chat, history
    except ApiError as exc:
        kind = {"loading": "loading", "busy": "busy"}.get(exc.code, "unavailable")
        chat[-1] = {"role": "assistant", "content": render_error(kind, language)}
        yield message, chat, history  # the question stays in the box, to send again
    except Exception as exc:
        log.error("chat turn failed", exc_info=exc)
        chat[-1] = {"role": "assistant", "content": render_error("failed", language)}
        yield message, chat, history
    finally:
        if run is not None:
            run.close()


# ---- page ---------------------------------------------------------------------------------------
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


def build(service: Service):
    """The page. The conversation lives on the server (gr.State): the Chatbot is only ever an output, so
    nothing a client sends besides the question text reaches the chat function (a client-made
    "file" message cannot make Gradio serve a file)."""
    import gradio as gr

    def _respond(message, chat, history, since=None, until=None, source=None):
        for text, shown, kept in respond(service, message, chat, history, (since, until, source)):
            yield text, shown, shown, kept

    def _tick():
        banner = status_banner(service)
        return banner, gr.Timer(active=service.status == "loading")

    with gr.Blocks(title="Khabar — خبر", analytics_enabled=False) as demo:
        gr.HTML('<div id="kh-header"><h1>Khabar · خبر</h1>'
                '<p dir="ltr">Ask about the news articles in Arabic or English: every answer cites its passages.</p>'
                '<p dir="rtl">اسأل عن المقالات بالعربية أو بالإنجليزية: كل إجابة تذكر الفقرات التي تستند إليها.</p></div>')
        with gr.Row(equal_height=True, elem_id="kh-toolbar"):
            banner = gr.HTML(status_banner(service), elem_id="kh-banner", scale=10)
            clear = gr.Button("⟲ New conversation · محادثة جديدة", variant="secondary", size="sm", scale=0,
                              min_width=260, elem_id="kh-new")
        chatbot = gr.Chatbot(elem_id="kh-chat", label="Khabar", show_label=False, height="62vh",
                             min_height=420, layout="bubble",
                             render_markdown=True, sanitize_html=True, latex_delimiters=[], line_breaks=False,
                             allow_tags=False, buttons=[], feedback_options=None,
                             group_consecutive_messages=False, autoscroll=True, allow_file_downloads=False,
                             placeholder="<div dir=\"auto\">Ask a question about the articles · اطرح سؤالًا عن المقالات</div>")
        shown = gr.State([], time_to_live=STATE_SECONDS)  # the chat as displayed: server-side, what _respond reads
        history = gr.State([], time_to_live=STATE_SECONDS)  # plain question/answer turns for follow-ups
        with gr.Row(equal_height=True):
            box = gr.Textbox(elem_id="kh-input", show_label=False, scale=10, lines=1, max_lines=4, autofocus=True,
                             max_length=service.settings.max_question_chars,
                             placeholder="Your question… · سؤالك…", submit_btn=False)
            send = gr.Button("Ask · اسأل", variant="primary", scale=0, min_width=140, elem_id="kh-send")
        with gr.Accordion("Filters · تصفية", open=False, elem_id="kh-filters"):
            with gr.Row(equal_height=True):
                since = gr.Textbox(label="Since · من", placeholder="YYYY-MM-DD", max_lines=1, scale=1,
                                   elem_id="kh-since")
                until = gr.Textbox(label="Until · إلى", placeholder="YYYY-MM-DD", max_lines=1, scale=1,
                                   elem_id="kh-until")
                source = gr.Textbox(label="Outlets · المصادر", placeholder="Reuters, SANA", max_lines=1, scale=2,
                                    elem_id="kh-source")
        filters = [since, until, source]
        with gr.Row(elem_classes=["kh-examples"]):
            examples = [gr.Button(q, size="sm", variant="secondary", elem_classes=["kh-example"], scale=1)
                        for q in EXAMPLES]
        gr.HTML('<div id="kh-footer">REST API: <a href="/docs">/docs</a> · OpenAI-compatible: '
                '<code>/v1/chat/completions</code> · <a href="/health">/health</a></div>')

        private = dict(api_visibility="private", show_progress="hidden")
        io = dict(outputs=[box, chatbot, shown, history], concurrency_id="chat", concurrency_limit=1, **private)
        box.submit(_respond, [box, shown, history, *filters], **io)
        send.click(_respond, [box, shown, history, *filters], **io)
        for b in examples:
            b.click(_respond, [b, shown, history, *filters], **io)
        clear.click(lambda: ("", [], [], []), None, [box, chatbot, shown, history], **private)
        chatbot.clear(lambda: ("", [], []), None, [box, shown, history], **private)  # the chat's own bin icon

        timer = gr.Timer(1.0, active=service.status == "loading")
        timer.tick(_tick, None, [banner, timer], **private)
        demo.load(_tick, None, [banner, timer], **private)
    demo.queue(default_concurrency_limit=1, max_size=max(8, 4 * service.settings.queue_size))
    demo.state_session_capacity = SESSIONS
    return demo


def mount(app, service: Service):
    """Mount the chat at `/`. Which of Gradio's routes a client may reach is decided in ui/guard.py
    (the page, its assets, config and queue only); Gradio's own file checks are on as a second layer,
    with nothing allowed and the data, models and articles folders blocked."""
    import gradio as gr

    s = service.settings
    demo = build(service)
    blocked = [str(p.resolve()) for p in (s.data_dir, s.models_dir, s.articles_dir)] + ["/proc", "/etc", "/root"]
    app = gr.mount_gradio_app(app, demo, path="/", css=CSS, footer_links=[], run_history=False,
                              show_error=False, theme=gr.themes.Default(), allowed_paths=[],
                              blocked_paths=blocked, max_file_size=1, mcp_server=False)
    demo.has_launched = True  # Gradio checks file paths against the lists above only once "launched"
    guard = getattr(app.state, "guard", None)
    if guard is not None:
        guard.gradio_fns = len(demo.fns)
        guard.max_text = s.max_question_chars
    return app
