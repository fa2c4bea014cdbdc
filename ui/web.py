"""The Gradio chat, mounted at `/` of the FastAPI app: one chat turn (respond), the page (build) and
its mount. The messages' HTML and the CSS are in ui/chat_html.py."""
from __future__ import annotations

import logging

from qa.answer import Answer, QuestionError, Sources

from .chat_html import (CSS, TEXT, language_of, render_answer, render_error, render_sources, render_status,
                        render_user, status_banner)
from .errors import ApiError
from .service import Service

log = logging.getLogger("khabar.web")

EXAMPLES = [
    "من ترأس الوفد الروسي في محادثات جنيف؟",
    "Who led the US delegation in Geneva?",
    "متى عقدت المحادثات الأمنية بين روسيا والولايات المتحدة في جنيف؟",
    "What did Peskov say about a Putin–Biden phone call?",
]

CHAT_MESSAGES = 40  # what a session keeps on the server (and re-sends each turn): the newest 20 turns
STATE_SECONDS = 3600  # a session's chat is forgotten an hour after its last turn
SESSIONS = 1000  # sessions whose chat the server keeps (the oldest go first)


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
    language = language_of(message)
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
        banner, clear = _header(gr, service)
        chatbot = _chatbot(gr)
        shown = gr.State([], time_to_live=STATE_SECONDS)  # the chat as displayed: server-side, what _respond reads
        history = gr.State([], time_to_live=STATE_SECONDS)  # plain question/answer turns for follow-ups
        box, send, filters, examples = _inputs(gr, service)
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


def _header(gr, service: Service):
    """The title, the loading banner and the new-conversation button."""
    gr.HTML('<div id="kh-header"><h1>Khabar · خبر</h1>'
            '<p dir="ltr">Ask about the news articles in Arabic or English: every answer cites its passages.</p>'
            '<p dir="rtl">اسأل عن المقالات بالعربية أو بالإنجليزية: كل إجابة تذكر الفقرات التي تستند إليها.</p></div>')
    with gr.Row(equal_height=True, elem_id="kh-toolbar"):
        banner = gr.HTML(status_banner(service), elem_id="kh-banner", scale=10)
        clear = gr.Button("⟲ New conversation · محادثة جديدة", variant="secondary", size="sm", scale=0,
                          min_width=260, elem_id="kh-new")
    return banner, clear


def _chatbot(gr):
    """The chat, an output only: our sanitised HTML, no Markdown maths, no files, no buttons."""
    return gr.Chatbot(elem_id="kh-chat", label="Khabar", show_label=False, height="62vh",
                      min_height=420, layout="bubble",
                      render_markdown=True, sanitize_html=True, latex_delimiters=[], line_breaks=False,
                      allow_tags=False, buttons=[], feedback_options=None,
                      group_consecutive_messages=False, autoscroll=True, allow_file_downloads=False,
                      placeholder="<div dir=\"auto\">Ask a question about the articles · اطرح سؤالًا عن المقالات</div>")


def _inputs(gr, service: Service):
    """The question box and its button, the filter boxes, the example questions."""
    with gr.Row(equal_height=True):
        box = gr.Textbox(elem_id="kh-input", show_label=False, scale=10, lines=1, max_lines=4, autofocus=True,
                         max_length=service.settings.max_question_chars,
                         placeholder="Your question… · سؤالك…", submit_btn=False)
        send = gr.Button("Ask · اسأل", variant="primary", scale=0, min_width=140, elem_id="kh-send")
    with gr.Accordion("Filters · تصفية", open=False, elem_id="kh-filters"):
        with gr.Row(equal_height=True):
            since = gr.Textbox(label="Since · من", placeholder="YYYY-MM-DD", max_lines=1, scale=1, elem_id="kh-since")
            until = gr.Textbox(label="Until · إلى", placeholder="YYYY-MM-DD", max_lines=1, scale=1, elem_id="kh-until")
            source = gr.Textbox(label="Outlets · المصادر", placeholder="Reuters, SANA", max_lines=1, scale=2,
                                elem_id="kh-source")
    with gr.Row(elem_classes=["kh-examples"]):
        examples = [gr.Button(q, size="sm", variant="secondary", elem_classes=["kh-example"], scale=1)
                    for q in EXAMPLES]
    return box, send, [since, until, source], examples


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
