"""The chat page with the local LLM (issue 15): a refusal, and an English answer to a question about an
Arabic article, with the Arabic only in the expandable quote and the translation labelled as such.

Real models and headless Chromium, like tests/test_browser.py. Screenshots go to test-artifacts/
(gitignored); docs/screenshots/ holds copies of them (README, "Screenshots").
"""
from __future__ import annotations

import re

import pytest

from tests.servers import khabar_serve
from tests.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, _wait_ready, browser_corpus

pytestmark = [pytest.mark.browser, pytest.mark.models]

ARABIC = re.compile("[\u0600-\u06ff]")
REFUSED_Q = "What did French President Emmanuel Macron say about the results of the Geneva talks?"
# the 1.5B model's "clear and specific" for Ushakov's "صريحة وموضوعية ومحددة" (the question asked here until
# the thirteenth pass) is refused by the faithfulness check now: a question whose translation passes it
ENGLISH_Q = "According to Peskov, why was it too early to judge the outcome of the Geneva talks?"


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory):
    tmp, articles = browser_corpus(tmp_path_factory, "browser-llm")
    with khabar_serve(tmp, articles, "local", 120) as running:
        yield running


def _send(page, question: str):
    page.fill("#kh-input textarea", question)
    page.click("#kh-send")
    return page.locator('#kh-chat [data-testid="bot"]').last


def _shot(page, name: str) -> None:
    """The chat box alone, scrolled to its top so the question shows above the answer."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("""() => document.querySelectorAll('#kh-chat, #kh-chat *').forEach(
        e => { if (e.scrollHeight > e.clientHeight) e.scrollTop = 0; })""")
    page.locator("#kh-chat").screenshot(path=str(ARTIFACTS / name))


def test_chat_refuses_and_answers_english_with_the_arabic_only_in_the_quote(llm_server):
    from playwright.sync_api import sync_playwright

    url = llm_server["url"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 900, "height": 900}, locale="en-US")
        try:
            page.goto(url + "/")
            page.wait_for_selector("#kh-input textarea", timeout=60_000)
            _wait_ready(llm_server)
            page.locator(".kh-loading").wait_for(state="detached", timeout=15_000)

            # a person the articles never mention: refused, nothing cited
            bot = _send(page, REFUSED_Q)
            refusal = bot.locator(".kh-refused")
            refusal.wait_for(timeout=180_000)
            assert refusal.inner_text().strip() == "The articles don't say."
            assert bot.locator("details.kh-cite").count() == 0
            _shot(page, "chat-refusal.png")

            # an English question about an Arabic article: English answer, Arabic only in the quote
            page.click("#kh-new")
            page.locator('#kh-chat [data-testid="bot"]').first.wait_for(state="detached", timeout=15_000)
            bot = _send(page, ENGLISH_Q)
            bot.locator('.kh-cites-h:text-is("Sources")').wait_for(timeout=240_000)
            answer = bot.locator(".kh-msg").first.inner_text()
            assert not ARABIC.search(answer), answer
            assert "machine translation" in answer, answer
            summary = bot.locator("details.kh-cite summary").first
            summary.click()
            quote = bot.locator(".kh-quote").first.inner_text()
            assert ARABIC.search(quote) and "بيسكوف" in quote, quote
            _shot(page, "chat-english-gloss.png")
        finally:
            page.close()
            browser.close()
