"""Bench section `answers`: time to first token and whole answer of the pipeline against a raw llama-cpp
call with the pipeline's own final prompt and against a naive LlamaIndex as_query_engine() (default
SentenceSplitter, default prompts, similarity_top_k=2 and 3, the same llama_cpp.Llama behind a thin
CustomLLM), interleaved per question, on >= 30 gold dev questions. Correctness is the strict `right`;
prompt tokens count every LLM call of an answer on both sides. Ratios: median [min-max] over REPEATS
blocks of consecutive questions."""
from __future__ import annotations

import time
from typing import Sequence

from .bench_data import correct, load_gold, pick_questions
from .bench_report import REPEATS, Row, Target, fmt_ms, fmt_s, fmt_spread, load_text, median_of, percentile, ratio

ANSWER_QUESTIONS = 30
SYSTEMS = ("ours", "raw", "naive2", "naive3")


def load_llm(b) -> float:
    from qa.llm_local import load_local_llm

    t = time.perf_counter()
    b.llm = load_local_llm(b.settings)
    return time.perf_counter() - t


def run(b) -> None:
    """Adds the answer rows to the Bench `b` (which has run the ingest and retrieval sections)."""
    from qa.pipeline import Pipeline

    from .bench_naive import naive_llm, naive_prompt_pair

    s = b.settings
    print("answers: pipeline vs raw llama-cpp (same prompt) vs naive as_query_engine()", flush=True)
    b.info.append(f"answers: {load_text()} at start")
    load_s = load_llm(b)
    b.info.append(f"LLM load {load_s:.1f} s; embedding model load {b.embed_load_s:.1f} s")
    questions = pick_questions(load_gold(), b.questions or ANSWER_QUESTIONS)
    llama = b.llm.llm
    rec = Recorder(b.llm)
    pipe = Pipeline(s, b.store, b.embedder, rec)
    index, _ = b.naive
    wrapper = naive_llm(llama, s.max_answer_tokens, s.llm_ctx)
    engines = {k: index.as_query_engine(llm=wrapper, similarity_top_k=k, streaming=True) for k in (2, 3)}
    # One shared Llama, four systems: each call starts from that system's own steady state, i.e. the KV cache
    # holds its fixed prompt prefix (what llama.cpp keeps between two requests of one server), never another
    # system's prompt.
    prefixes = {"ours": fixed_prefix(llama, pipeline_prompt_pair()), "naive2": fixed_prefix(llama, naive_prompt_pair())}
    prefixes["raw"] = prefixes["ours"]
    prefixes["naive3"] = prefixes["naive2"]

    def ask(system: str, g: dict, res: dict) -> dict:
        if system == "ours":
            return ask_pipeline(b, pipe, rec, g)
        if system == "raw":
            return ask_raw(b, llama, res["ours"][-1])
        return ask_naive(b, engines[int(system[-1])], wrapper, g, system)

    b.embedder._cache.clear()
    res, matched = _interleaved(b, questions, llama, prefixes, ask)
    b.info.append(
        "KV cache reset before each call (--reset-kv)" if b.reset_kv else
        f"KV cache primed before each call with that system's fixed prompt prefix (pipeline and raw "
        f"{len(prefixes['ours'])} tokens, naive {len(prefixes['naive2'])} tokens); the real prompt started with "
        f"it in {'/'.join(str(matched[n]) for n in SYSTEMS)} of {len(questions)} calls ({'/'.join(SYSTEMS)})")
    _rows(b, res, questions)
    errs = [x["err"] for x in res["naive2"] + res["naive3"] if x["err"]]
    if errs:
        b.info.append(f"naive errors ({len(errs)}): {errs[0]}")
    b.answers = res


def _interleaved(b, questions: list[dict], llama, prefixes: dict[str, list[int]], ask) -> tuple[dict, dict]:
    """Every question to the four systems back to back (rotating order, raw right after ours: it replays
    the pipeline's prompt), so they see the same machine load. Returns (results per system, how many
    calls reused the primed prefix per system)."""
    res: dict[str, list[dict]] = {n: [] for n in SYSTEMS}
    matched = {n: 0 for n in SYSTEMS}
    names = list(SYSTEMS)
    for qi, g in enumerate(questions):
        order = names[qi % 4:] + names[:qi % 4]
        if order.index("raw") < order.index("ours"):
            order.remove("raw")
            order.insert(order.index("ours") + 1, "raw")
        for system in order:
            llama.reset()
            if not b.reset_kv and prefixes[system]:
                llama.eval(prefixes[system])
            res[system].append(ask(system, g, res))
            matched[system] += prefix_reused(llama, prefixes[system])
    return res, matched


def _p50(xs: list[dict], key: str) -> float | None:
    return percentile([x[key] for x in xs if x.get(key) is not None], 50)


def _block_ratios(ours: list[dict], other: list[dict], key: str) -> list[float | None]:
    """REPEATS blocks of consecutive questions: p50(other) / p50(ours) in each."""
    bounds = [round(i * len(ours) / REPEATS) for i in range(REPEATS + 1)]
    return [ratio(_p50(other[a:b], key), _p50(ours[a:b], key)) for a, b in zip(bounds, bounds[1:]) if b > a]


def _rows(b, res: dict[str, list[dict]], questions: list[dict]) -> None:
    ours, naive2, naive3 = res["ours"], res["naive2"], res["naive3"]
    raw = [x for x in res["raw"] if x["whole"] is not None]
    acc = {name: sum(x["ok"] for x in xs) for name, xs in res.items()}
    n = len(questions)
    nl = len([g for g in questions if g["lang"] == "ar"])
    label = f"{n} gold dev questions ({nl} ar, {n - nl} en)"
    others = "raw llama-cpp {raw}; naive k=2 {n2}; k=3 {n3}"

    def beside(fn) -> str:
        return others.format(raw=fn(raw), n2=fn(naive2), n3=fn(naive3))

    b.add(
        Row("answers", f"time to first token p50 ({label})", fmt_s(_p50(ours, "first")),
            beside(lambda xs: fmt_s(_p50(xs, "first"))), value=_p50(ours, "first"), target=Target("<=", 5, " s")),
        Row("answers", "whole answer p50", fmt_s(_p50(ours, "whole")),
            beside(lambda xs: fmt_s(_p50(xs, "whole"))), value=_p50(ours, "whole"), target=Target("<=", 12, " s")),
        Row("answers", "whole answer p95", fmt_s(percentile([o["whole"] for o in ours], 95)),
            beside(lambda xs: fmt_s(percentile([x["whole"] for x in xs], 95)))),
        Row("answers", "right (strict: whole tokens, question's language)", f"{acc['ours']}/{n}",
            others.format(raw=f"{acc['raw']}/{len(raw)}", n2=f"{acc['naive2']}/{n}", n3=f"{acc['naive3']}/{n}")),
    )
    for k, xs in ((2, naive2), (3, naive3)):
        whole = _block_ratios(ours, xs, "whole")
        b.add(Row("answers", f"speed-up vs naive as_query_engine(similarity_top_k={k}) (whole answer p50; "
                             f"median [min–max] of {len(whole)} question blocks)",
                  fmt_spread(whole), f"first token {fmt_spread(_block_ratios(ours, xs, 'first'))}",
                  value=median_of(whole), target=Target(">=", 3, "×"),
                  also=acc["ours"] >= acc[f"naive{k}"], also_text=f"right ≥ naive k={k}"))
    tok = [o["tokens"] for o in ours if o["tokens"]]
    ntok = {k: [x["tokens"] for x in res[k] if x["tokens"]] for k in ("naive2", "naive3")}
    b.add(Row("answers", "prompt tokens per answer, every LLM call counted (max; p50)",
              f"{max(tok) if tok else 'n/a'}; {percentile(tok, 50) or 0:.0f} "
              f"({max((o['calls'] for o in ours), default=0)} calls max)",
              f"naive k=2 p50 {percentile(ntok['naive2'], 50) or 0:.0f}, k=3 p50 "
              f"{percentile(ntok['naive3'], 50) or 0:.0f} ({max((x['calls'] for x in naive2 + naive3), default=0)} "
              f"calls max)", value=max(tok) if tok else None, target=Target("<=", 400)))
    steps = {k: percentile([o["timings"].get(k) for o in ours if o["timings"].get(k) is not None], 50)
             for k in ("retrieve_ms", "evidence_ms", "choose_ms")}
    b.add(Row("answers", "pipeline before first token, p50: retrieve / evidence / choose step",
              " / ".join(fmt_ms(v) for v in steps.values())))


# ---- one question, one system ---------------------------------------------------------------------
def ask_pipeline(b, pipe, rec, g: dict) -> dict:
    from qa.answer import Answer
    from qa.prompt import ANSWER

    rec.calls.clear()
    t, first, answer = time.perf_counter(), None, None
    for ev in pipe.stream(g["question"]):
        if isinstance(ev, str) and first is None and ev.strip():
            first = time.perf_counter() - t
        elif isinstance(ev, Answer):
            answer = ev
    whole = time.perf_counter() - t
    final = next((m for kind, m in reversed(rec.calls) if kind == "stream"), None)
    choose = next((m for kind, m in rec.calls if kind == "choose"), None)
    if final is None and choose is not None:  # declined at step 1: raw gets the step-2 prompt for [1]
        final = choose + [{"role": "assistant", "content": "1"},
                          {"role": "user", "content": ANSWER[g["lang"]].format(n=1)}]
    tokens = [b.llm.count_tokens(m) for _, m in rec.calls]  # every call: choose, answer, any retry
    out = {"q": g, "first": first if first is not None else whole, "whole": whole,
           "ok": correct(answer.answer, g, answer.refused), "refused": answer.refused, "prompt": final,
           "tokens": sum(tokens) if tokens else None, "calls": len(tokens), "timings": answer.timings}
    print(f"    khabar {g['id']}: first {out['first']:.1f} s, whole {whole:.1f} s, "
          f"{'ok' if out['ok'] else 'miss'}: {answer.answer[:80]!r}", flush=True)
    return out


def ask_raw(b, llama, o: dict) -> dict:
    """The raw llama-cpp call on the pipeline's final prompt for the same question."""
    from qa.llm import STOP

    if o["prompt"] is None:  # refused before the LLM: nothing to compare
        return {"first": None, "whole": None, "ok": False}
    t, first, text = time.perf_counter(), None, ""
    for part in llama.create_chat_completion(messages=o["prompt"], temperature=0.0, top_k=1,
                                             max_tokens=b.settings.max_answer_tokens, stream=True, stop=STOP):
        delta = part["choices"][0]["delta"].get("content")
        if delta:
            if first is None and delta.strip():
                first = time.perf_counter() - t
            text += delta
    whole = time.perf_counter() - t
    return {"first": first if first is not None else whole, "whole": whole, "ok": correct(text, o["q"])}


def ask_naive(b, engine, wrapper, g: dict, label: str = "naive") -> dict:
    wrapper._seen.clear()
    t, first, text, err = time.perf_counter(), None, "", ""
    try:
        resp = engine.query(g["question"])
        for delta in resp.response_gen:
            if first is None and delta.strip():
                first = time.perf_counter() - t
            text += delta
    except Exception as exc:  # e.g. a prompt longer than the context window
        err = f"{type(exc).__name__}: {exc}"[:120]
    whole = time.perf_counter() - t
    tokens = [b.llm.count_tokens(m) for m in wrapper._seen]
    out = {"first": first if first is not None else whole, "whole": whole, "ok": correct(text, g),
           "tokens": sum(tokens) if tokens else None, "calls": len(tokens), "err": err}
    print(f"    {label:6} {g['id']}: first {out['first']:.1f} s, whole {whole:.1f} s, "
          f"{'ok' if out['ok'] else 'miss'}{' ' + err if err else ''}: {text[:80]!r}", flush=True)
    return out


def chatml(messages: Sequence[dict]) -> str:
    """The Qwen2.5 GGUF chat template (ChatML), as llama-cpp-python renders it for a completion."""
    return "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages) + "<|im_start|>assistant\n"


def common_prefix(a: Sequence, b: Sequence) -> list:
    out = []
    for x, y in zip(a, b):
        if x != y:
            break
        out.append(x)
    return out


def pipeline_prompt_pair() -> tuple[list[dict], list[dict]]:
    """Two pipeline prompts with nothing in common but the template: their shared prefix is what a
    server's KV cache keeps from one question to the next."""
    from qa.evidence import Evidence
    from qa.prompt import choose_messages

    return (choose_messages("Who?", [Evidence(1, "a:0", "a", "t", "Alpha went north.", 0.0)]),
            choose_messages("ماذا؟", [Evidence(1, "b:0", "b", "u", "ذهب بيتا جنوبا.", 0.0)]))


def fixed_prefix(llama, pair: tuple[list[dict], list[dict]]) -> list[int]:
    a, b = (llama.tokenize(chatml(m).encode(), add_bos=False, special=True) for m in pair)
    return common_prefix(a, b)


def prefix_reused(llama, prefix: list[int]) -> bool:
    """After a call, the KV cache starts with the primed prefix: llama.cpp could reuse it."""
    return bool(prefix) and list(llama.input_ids[:len(prefix)]) == list(prefix)


class Recorder:
    """Delegates to the real LLM and records every prompt the pipeline sends (for the raw baseline)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.name = inner.name
        self.calls: list[tuple[str, list[dict]]] = []

    def count_tokens(self, messages):
        return self.inner.count_tokens(messages)

    kind = "local"

    def stream(self, messages, max_tokens, grammar=None):
        choice = grammar is not None and grammar.startswith("root ::= [0-")  # qa/choose.py: the passage choice
        self.calls.append(("choose" if choice else "stream", messages))
        return self.inner.stream(messages, max_tokens, grammar)
