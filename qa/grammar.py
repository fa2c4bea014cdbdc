"""The model copies, code checks: a GBNF grammar that admits only runs of one sentence's words (or only
listed options), and the snapping of a free-text reply to the sentence's best-matching run of words."""
from __future__ import annotations

from collections import Counter

from index.text import tokens

from .span import words


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def span_grammar(sentence: str) -> str:
    """GBNF: any contiguous run of the sentence's words, separated by single spaces."""
    ws = words(sentence)
    if not ws:
        return 'root ::= ""'
    rules = ["root ::= " + " | ".join(f"w{i}" for i in range(len(ws)))]
    for i, w in enumerate(ws):
        tail = f' (" " w{i + 1})?' if i + 1 < len(ws) else ""
        rules.append(f"w{i} ::= {_literal(w)}{tail}")
    return "\n".join(rules)


def complete_words(text: str, sentence: str) -> str:
    """A span cut by the token limit ends on a whole word of the sentence."""
    ws = words(sentence)
    out = text.strip().split(" ")
    while out and out[-1] not in ws:
        out.pop()
    return " ".join(out)


def choice_grammar(options: list[str]) -> str:
    return "root ::= " + " | ".join(_literal(o) for o in options)


def snap(reply: str, sentence: str) -> str | None:
    """The sentence span that best matches a free-text reply (token F1), or None below 0.5."""
    best, f1 = best_span(reply, sentence)
    return best if f1 >= 0.5 else None


def best_span(reply: str, sentence: str) -> tuple[str | None, float]:
    ws = words(sentence)
    toks = [tokens(w) for w in ws]
    want = Counter(tokens(reply))
    if not want:
        return None, 0.0
    best, best_f1 = None, 0.0
    for i in range(len(ws)):
        have: Counter = Counter()
        for j in range(i, min(len(ws), i + 25)):
            have.update(toks[j])
            common = sum((have & want).values())
            if not common:
                continue
            p, r = common / sum(have.values()), common / sum(want.values())
            f1 = 2 * p * r / (p + r)
            if f1 > best_f1:
                best, best_f1 = " ".join(ws[i:j + 1]), f1
    return best, best_f1
