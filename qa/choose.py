"""How the small model is asked, on any backend (qa/llm.py: stream with an optional grammar).

Two steps, measured better with the 1.5B model (README, "Why it answers this way"): first the model picks
the passage that answers (0 = none) under the grammar [0-k]; then the answer is copied from that passage,
under a grammar built from it where the backend takes grammars. A backend that takes none answers freely
and code parses (the choice) or snaps (the span) what it wrote; so does a server that ignores grammars.
"""
from __future__ import annotations

import re

from index.text import tokens

from .llm import LLM, GrammarUnsupported, text
from .params import PARAMS
from .grammar import choice_grammar

MAX_PASSAGES = 9  # the choice grammar is one digit


def parse_choice(reply: str, k: int) -> int:
    """The first number in a reply, 0 unless it is in 0..k (a reply without a number chose none)."""
    m = re.search(r"\d+", reply or "")
    n = int(m.group()) if m else 0
    return n if 0 <= n <= k else 0


def choose_passage(llm: LLM, messages: list[dict], k: int) -> int:
    """Step 1: the number of the passage that answers, 0 = none."""
    k = min(k, MAX_PASSAGES)
    try:
        reply = text(llm, messages, PARAMS.choice_tokens, f"root ::= [0-{k}]")
    except GrammarUnsupported:
        reply = text(llm, messages, PARAMS.free_choice_tokens)
    return parse_choice(reply, k)


def constrained(llm: LLM, messages: list[dict], grammar: str, max_tokens: int) -> str | None:
    """The reply under a GBNF grammar, or None when the backend takes no grammar (the caller then asks
    for free text and snaps it)."""
    try:
        return text(llm, messages, max_tokens, grammar)
    except GrammarUnsupported:
        return None


def pick_option(llm: LLM, messages: list[dict], options: list[str], max_tokens: int) -> str:
    """One of the options (dates, numbers listed by code): under a grammar that allows only them, else
    the option sharing the most words with the free reply."""
    reply = constrained(llm, messages, choice_grammar(options), max_tokens)
    if reply is None:
        free = text(llm, messages, max_tokens)
        reply = max(options, key=lambda o: len(set(tokens(o)) & set(tokens(free))))
    return reply.strip() if reply.strip() in options else options[0]
