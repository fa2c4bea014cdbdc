"""eval.run's scoring: one record per question, then the summaries (overall, per language, per kind)."""
from __future__ import annotations

from . import goldset as G
from . import metrics as M
from .run_clients import K, Reply


def score(item: dict, reply: Reply, chunk_counts: dict[str, int] | None = None) -> dict:
    """One question's record: what was expected, what came back, and every check. `chunk_counts`
    (chunks per article in the index) gives the random-ranking baseline of hit@1 / hit@5."""
    from index.text import detect_language

    answerable = bool(item["answerable"])
    body = M.strip_citations(reply.answer).strip()
    detected = detect_language(body) if body else None
    refs = G.reference_strings(item)
    rec = {
        "id": item["id"], "lang": item["lang"], "kind": G.kind_of(item), "question": item["question"],
        "follows": item["follows"], "answerable": answerable,
        "expected": (refs or item["answers"]) if answerable else "(refusal)", "docs": item["docs"],
        "got": reply.answer, "refused": reply.refused, "language": detected, "declared_language": reply.language,
        "retrieved": reply.retrieved, "retrieved_articles": M.dedupe(M.article_of(c) for c in reply.retrieved),
        "citations": [c.get("chunk_id", "") for c in reply.citations], "ms": reply.ms, "first_ms": reply.first_ms, "error": reply.error,
        "notes": reply.notes,
    }
    if answerable:
        rec.update(_answer_checks(item, reply, body, rec["retrieved_articles"], chunk_counts))
    if rec["citations"]:
        rec["citation_valid"] = M.citation_valid(rec["citations"], reply.retrieved)
    rec["language_match"] = detected == item["lang"]
    rec["reasons"] = _reasons(rec, reply)
    return rec


def _answer_checks(item: dict, reply: Reply, body: str, retrieved_articles: list[str],
                   chunk_counts: dict[str, int] | None) -> dict:
    """Retrieval and answer scores of an answerable question."""
    aliases, docs, refs = item["answers"], item["docs"], G.reference_strings(item)
    answered = not reply.refused and reply.error is None
    out = {"rank": M.rank_of(retrieved_articles, docs), "hit@1": M.hit_at_k(retrieved_articles, docs, 1),
           "hit@5": M.hit_at_k(retrieved_articles, docs, K), "rr": M.reciprocal_rank(retrieved_articles, docs),
           "right": answered and G.is_right(body, False, item),
           "em": M.exact_match(body, refs) if answered else 0.0,
           "f1": M.best_f1(body, refs) if answered else 0.0,
           "answer_bearing": answered and M.alias_match(body, aliases)}
    if chunk_counts:
        total = sum(chunk_counts.values())
        gold_chunks = sum(chunk_counts.get(d, 0) for d in docs)
        out["random_hit@1"] = M.random_hit_at_k(total, gold_chunks, 1)
        out["random_hit@5"] = M.random_hit_at_k(total, gold_chunks, K)
    if reply.citations:
        out["citation_supported"] = M.citation_supported([c.get("quote", "") for c in reply.citations], aliases)
    return out


def _reasons(rec: dict, reply: Reply) -> list[str]:
    """Why a question counts as a miss (empty when it does not)."""
    cited = bool(rec["citations"])
    reasons = ["error"] if reply.error else []
    if rec["answerable"]:
        if reply.refused:
            reasons.append("false_refusal")
        elif not rec["right"] and not reply.error:
            reasons.append("wrong_answer")
        if not rec["hit@5"]:
            reasons.append("retrieval_miss")
        if cited and not rec["citation_supported"]:
            reasons.append("unsupported_citation")
    elif not reply.refused and reply.error is None:
        reasons.append("answered_unanswerable")
    if cited and not rec["citation_valid"]:
        reasons.append("invalid_citation")
    if not rec["language_match"] and not reply.error and not reply.refused:
        reasons.append("language_mismatch")
    return reasons


RATE_KEYS = ("right", "em", "f1", "answer_bearing", "hit@1", "hit@5", "mrr", "random_hit@1", "random_hit@5",
             "citation_support", "language_match", "refusal_precision", "refusal_recall",
             "refusal_recall_offtopic", "refusal_precision_offtopic", "refusal_recall_plausible",
             "refusal_precision_plausible", "false_refusals")


def summarize(records: list[dict]) -> dict:
    ans = [r for r in records if r["answerable"]]
    refused = [r["refused"] for r in records]
    answerable = [r["answerable"] for r in records]
    kinds = [r["kind"] for r in records]
    off = M.refusal_by_kind(refused, kinds, answerable, "offtopic")
    plausible = M.refusal_by_kind(refused, kinds, answerable, "plausible_unanswerable")
    return {
        "questions": len(records),
        "answerable": len(ans),
        "unanswerable": len(records) - len(ans),
        "right": M.mean(r["right"] for r in ans),
        "em": M.mean(r["em"] for r in ans),
        "f1": M.mean(r["f1"] for r in ans),
        "answer_bearing": M.mean(r["answer_bearing"] for r in ans),
        "hit@1": M.mean(r["hit@1"] for r in ans),
        "hit@5": M.mean(r["hit@5"] for r in ans),
        "mrr": M.mean(r["rr"] for r in ans),
        "random_hit@1": M.mean(r["random_hit@1"] for r in ans if "random_hit@1" in r),
        "random_hit@5": M.mean(r["random_hit@5"] for r in ans if "random_hit@5" in r),
        "citation_support": M.mean(r["citation_supported"] for r in ans if "citation_supported" in r),
        "language_match": M.mean(r["language_match"] for r in records if not r["refused"] and not r["error"]),
        "refusal_precision": M.refusal_precision(refused, answerable),
        "refusal_recall": M.refusal_recall(refused, answerable),
        "refusal_recall_offtopic": off["recall"], "refusal_precision_offtopic": off["precision"],
        "offtopic": off["n"],
        "refusal_recall_plausible": plausible["recall"], "refusal_precision_plausible": plausible["precision"],
        "plausible_unanswerable": plausible["n"],
        "false_refusals": M.false_refusal_rate(refused, answerable),
        "false_refusal_count": sum(1 for r in ans if r["refused"]),
        "errors": sum(1 for r in records if r["error"]),
        "latency_p50_ms": M.percentile([r["ms"] for r in records], 50),
        "latency_p95_ms": M.percentile([r["ms"] for r in records], 95),
        "first_token_p50_ms": M.percentile([r["first_ms"] if r.get("first_ms") is not None else r["ms"]
                                            for r in records], 50),
    }


def by_kind(records: list[dict]) -> dict:
    """Per kind: n, right / EM / F1 for answerable kinds, refusal rate for all."""
    out = {}
    for kind in G.KINDS:
        rows = [r for r in records if r["kind"] == kind]
        if not rows:
            continue
        out[kind] = {"n": len(rows), "refused": M.mean(r["refused"] for r in rows)}
        if rows[0]["answerable"]:
            out[kind].update({"right": M.mean(r["right"] for r in rows), "em": M.mean(r["em"] for r in rows),
                              "f1": M.mean(r["f1"] for r in rows)})
    return out


def invariants(records: list[dict]) -> dict:
    """Checks that must always hold (tested, not headline numbers): every cited chunk was retrieved."""
    cited = [r for r in records if "citation_valid" in r]
    return {"answers_with_citations": len(cited),
            "invalid_citations": [r["id"] for r in cited if not r["citation_valid"]]}
