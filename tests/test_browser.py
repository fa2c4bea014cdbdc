"""The chat page in headless Chromium against a real `khabar serve` (real embedder, KHABAR_LLM=none).

Screenshots go to test-artifacts/ (gitignored).
"""
from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from tests.servers import health, khabar_serve

from index.config import BUNDLED_ARTICLES

pytestmark = [pytest.mark.browser, pytest.mark.models]

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
AR_Q = "من ترأس الوفد الروسي في محادثات جنيف؟"
EN_Q = "How many visitors did the zebra festival in Khabarville draw?"
# an English article whose text carries HTML: it must show as text, never run
EVIL = ("Zebra festival draws record crowds in Khabarville\n\n"
        'The annual zebra festival in Khabarville drew 12,000 visitors <img src=x onerror="window.__pwned=1"> '
        "on Sunday, the organisers said.\n\n"
        "<script>window.__pwned=2</script>Organisers said the festival will return next spring with more events.\n")

# direction and alignment of a message: computed `direction`, and where its last line sits in its box
GEOMETRY = """e => {
  const cs = getComputedStyle(e), box = e.getBoundingClientRect();
  const range = document.createRange(); range.selectNodeContents(e);
  const rects = [...range.getClientRects()].filter(r => r.width > 0);
  const bottom = Math.max(...rects.map(r => r.bottom));
  const last = rects.filter(r => r.bottom > bottom - 4);
  const left = Math.min(...last.map(r => r.left)), right = Math.max(...last.map(r => r.right));
  return {direction: cs.direction, gapLeft: left - box.left - parseFloat(cs.paddingLeft),
          gapRight: box.right - parseFloat(cs.paddingRight) - right, lines: new Set(rects.map(r => Math.round(r.top))).size};
}"""


def browser_corpus(tmp_path_factory, name: str):
    """Skip without Chromium or Playwright; else a temp folder with a copy of the bundled articles."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api")
    tmp = tmp_path_factory.mktemp(name)
    shutil.copytree(BUNDLED_ARTICLES, tmp / "articles")
    return tmp, tmp / "articles"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp, articles = browser_corpus(tmp_path_factory, "browser")
    (articles / "zebra_festival.txt").write_text(EVIL, encoding="utf-8")
    with khabar_serve(tmp, articles, "none", 60) as running:
        yield running


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _wait_ready(server, timeout: float = 300) -> None:
    deadline = time.time() + timeout
    while (h := health(server["url"])) is None or h["status"] != "ok":
        assert server["proc"].poll() is None, "khabar serve exited"
        assert h is None or h["status"] != "error", h
        assert time.time() < deadline, f"models not ready after {timeout}s: {h}"
        time.sleep(1)


def _ask(page, question: str, heading: str):
    page.fill("#kh-input textarea", question)
    page.click("#kh-send")
    bot = page.locator('#kh-chat [data-testid="bot"]').last
    bot.locator(f'.kh-cites-h:text-is("{heading}")').wait_for(timeout=120_000)
    return page.locator('#kh-chat [data-testid="user"] .kh-user').last, bot


def test_chat_page(server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    url = server["url"]
    page = browser.new_page(viewport={"width": 1100, "height": 1100}, locale="en-US")
    outside, errors = [], []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((url, "data:", "blob:")) else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(url + "/")
        page.wait_for_selector("#kh-input textarea", timeout=60_000)
        if health(url)["status"] == "loading":  # a visible message while the models load
            banner = page.locator(".kh-loading")
            banner.wait_for(timeout=10_000)
            assert "Loading the models" in banner.inner_text()
            page.screenshot(path=str(ARTIFACTS / "browser-loading.png"), full_page=True)
        _wait_ready(server)
        page.locator(".kh-loading").wait_for(state="detached", timeout=15_000)

        # Arabic: right-to-left, with a numbered, expandable citation under the answer
        question, bot = _ask(page, AR_Q, "المصادر")
        answer = bot.locator(".kh-msg").first
        for el in (question, answer):
            geo = el.evaluate(GEOMETRY)
            assert geo["direction"] == "rtl", geo
        geo = answer.evaluate(GEOMETRY)
        if geo["lines"] > 1:  # the last line hugs the right edge
            assert abs(geo["gapRight"]) < 3 and geo["gapLeft"] > 3, geo
        cite = bot.locator("details.kh-cite").first
        summary = cite.locator("summary")
        assert summary.is_visible() and summary.inner_text().startswith("[1]")
        assert summary.evaluate("e => getComputedStyle(e).direction") == "rtl"
        quote = cite.locator(".kh-quote")
        assert not quote.is_visible()
        summary.click()
        assert quote.is_visible() and len(quote.inner_text()) > 20
        # under the quote: the outlet and the date (data/articles/*.json), e.g. "Al-Amsar · 2022-01-10"
        byline = cite.locator(".kh-byline")
        assert byline.is_visible(), cite.inner_html()
        assert re.fullmatch(r"(Al-Amsar|SANA|Reuters|Asharq|UrduPoint / Sputnik) · 20\d\d-\d\d-\d\d",
                            byline.inner_text().strip()), byline.inner_text()
        page.screenshot(path=str(ARTIFACTS / "browser-arabic.png"), full_page=True)

        # English: left-to-right; the article's HTML shows as text and never runs
        question, bot = _ask(page, EN_Q, "Sources")
        answer = bot.locator(".kh-msg").first
        assert question.evaluate(GEOMETRY)["direction"] == "ltr"
        geo = answer.evaluate(GEOMETRY)
        assert geo["direction"] == "ltr", geo
        if geo["lines"] > 1:  # the last line hugs the left edge
            assert abs(geo["gapLeft"]) < 3 and geo["gapRight"] > 3, geo
        assert "12,000" in answer.inner_text()
        assert bot.locator(".kh-cites").evaluate("e => getComputedStyle(e).direction") == "ltr"
        summary = bot.locator("details.kh-cite summary").first
        assert summary.inner_text().startswith("[1]") and "Zebra festival" in summary.inner_text()
        summary.click()
        assert '<img src=x onerror="window.__pwned=1">' in bot.locator(".kh-quote").first.inner_text()
        assert page.locator("#kh-chat img[src=x], #kh-chat script").count() == 0
        assert page.evaluate("() => window.__pwned") is None
        page.screenshot(path=str(ARTIFACTS / "browser-english.png"), full_page=True)

        # the Filters row: only SANA's passages (a new conversation: the zebra question is no context for it)
        page.click("#kh-new")
        page.locator('#kh-chat [data-testid="bot"]').first.wait_for(state="detached", timeout=15_000)
        page.click("#kh-filters button, #kh-filters .label-wrap")
        page.fill("#kh-source textarea, #kh-source input", "SANA")
        page.keyboard.press("Tab")
        question, bot = _ask(page, AR_Q, "المصادر")
        page.screenshot(path=str(ARTIFACTS / "browser-filter.png"), full_page=True)
        texts = bot.locator(".kh-byline").all_text_contents()  # collapsed: text_content, not inner_text
        assert texts and all(t.strip().startswith("SANA · ") for t in texts), texts
        page.fill("#kh-source textarea, #kh-source input", "")

        # a new conversation empties the chat
        page.click("#kh-new")
        page.locator('#kh-chat [data-testid="bot"]').first.wait_for(state="detached", timeout=10_000)

        assert outside == [], f"the page fetched from outside the server: {outside}"
        assert errors == [], errors
    finally:
        page.close()
