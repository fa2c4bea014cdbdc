"""XQuAD answers (`python -m eval.xquad --answers`): the pipeline answers XQuAD questions in English and
Arabic about the indexed Arabic paragraphs of a split's articles; `right`, EM and F1 against XQuAD's own
spans; questions about held-out articles should be refused."""
from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from qa.config import QASettings as Settings

from . import metrics as M
from .xquad_data import XquadError, article_number, load, write_paragraphs

COLLECTION = "xquad"
SPLITS = {"dev": range(0, 12), "test": range(12, 24), "all": range(0, 10**6)}
ANSWER_LANGS = {"en": ("question_en", "answers_en"), "ar": ("question_ar", "answers_ar")}


def answer_split(paragraphs: list[dict], questions: list[dict], split: str, limit: int | None):
    """(indexed paragraphs, answerable questions, held-out questions, articles, held-out articles):
    the split's articles (the first `limit`), of which the last quarter (at least one when there are
    two or more) are held out of the index."""
    articles = sorted({article_number(p["pid"]) for p in paragraphs if article_number(p["pid"]) in SPLITS[split]})
    if limit:
        articles = articles[:limit]
    held = set(articles[len(articles) - max(1, len(articles) // 4):]) if len(articles) >= 2 else set()
    indexed = [p for p in paragraphs if article_number(p["pid"]) in set(articles) - held]
    known = {str(p["pid"]) for p in indexed}
    answerable = [q for q in questions if str(q["pid"]) in known]
    unanswerable = [q for q in questions if article_number(q["pid"]) in held]
    return indexed, answerable, unanswerable, articles, sorted(held)


def score_answer(answer: str, refused: bool, lang: str, q: dict) -> dict:
    own = [str(a) for a in q.get(f"answers_{lang}") or []]
    other = [str(a) for a in q.get("answers_ar" if lang == "en" else "answers_en") or []]
    refs = M.references_for(lang, *((own, other) if lang == "ar" else (other, own)))
    answered = not refused
    return {"right": M.is_right(answer, refused, lang, refs),
            "em": M.exact_match(answer, refs) if answered else 0.0,
            "f1": M.best_f1(answer, refs) if answered else 0.0}


def answers_benchmark(data_dir: Path, settings: Settings, make_pipeline, split: str = "test",
                      limit: int | None = None, progress: bool = False, details: Path | None = None) -> dict:
    """Answer XQuAD questions with the pipeline. `make_pipeline(settings)` builds it on the given
    (temp) settings; the paragraphs are ingested into its store. details: a JSONL file that gets one
    line per question asked (question, expected, answer, scores and the answer's notes), to read the
    misses of a dev run by cause."""
    from tqdm import tqdm

    from index.ingest import ingest

    started = time.perf_counter()
    paragraphs, questions = load(data_dir)
    indexed, answerable, unanswerable, articles, held = answer_split(paragraphs, questions, split, limit)
    if not indexed:
        raise XquadError(f"no paragraphs of the {split} split in {data_dir}")
    scores = {lang: {"right": [], "em": [], "f1": [], "refused": []} for lang in ANSWER_LANGS}
    refused_unanswerable: list[bool] = []
    examples = []
    with tempfile.TemporaryDirectory(prefix="khabar-xquad-answers-") as tmp:
        folder = Path(tmp) / "paragraphs"
        write_paragraphs(folder, indexed)
        local = settings.model_copy(update={"data_dir": Path(tmp) / "data", "chroma_url": None,
                                            "collection": COLLECTION, "articles_dir": folder})
        pipe = make_pipeline(local)
        ingest(folder, pipe.store, pipe.embedder, local, progress=progress)
        jobs = [(q, lang, True) for q in answerable for lang in ANSWER_LANGS] + \
               [(q, lang, False) for q in unanswerable for lang in ANSWER_LANGS]
        lines = details.open("w", encoding="utf-8") if details else None
        for q, lang, has_answer in tqdm(jobs, desc="xquad answers", unit="q", file=sys.stderr, disable=not progress):
            text = str(q.get(ANSWER_LANGS[lang][0]) or "").strip()
            if not text:
                continue
            ans = pipe.ask(text)
            s = score_answer(ans.answer, ans.refused, lang, q) if has_answer else {}
            if lines:
                lines.write(json.dumps({"qid": q.get("qid"), "pid": q.get("pid"), "lang": lang, "answerable": has_answer,
                                        "question": text, "expected": q.get(ANSWER_LANGS[lang][1]),
                                        "got": ans.answer, "refused": ans.refused, **s,
                                        "notes": ans.notes}, ensure_ascii=False) + "\n")
            if not has_answer:
                refused_unanswerable.append(ans.refused)
                continue
            for key, value in s.items():
                scores[lang][key].append(float(value))
            scores[lang]["refused"].append(float(ans.refused))
            if len(examples) < 6:
                examples.append({"lang": lang, "question": text, "expected": q.get(ANSWER_LANGS[lang][1]),
                                 "got": ans.answer, **s})
        if lines:
            lines.close()
        chunks = pipe.store.count()
        del pipe
    out: dict = {lang: {"right": M.mean(v["right"]), "em": M.mean(v["em"]), "f1": M.mean(v["f1"]),
                        "n": len(v["right"])} for lang, v in scores.items()}
    out = rounded(out)
    out["refused_unanswerable"] = rounded(M.mean(refused_unanswerable))
    out["false_refusals"] = rounded(M.mean([r for v in scores.values() for r in v["refused"]]))
    out["seconds"] = round(time.perf_counter() - started, 1)
    out["meta"] = {"data": str(data_dir), "split": split, "articles": articles, "held_out_articles": held,
                   "paragraphs": len(indexed), "chunks": chunks, "answerable_questions": len(answerable),
                   "held_out_questions": len(unanswerable), "unanswerable_asked": len(refused_unanswerable),
                   "refusal_threshold": settings.refusal_threshold, "examples": examples}
    return out


def answers_table(result: dict) -> str:
    meta = result.get("meta", {})
    lines = [f"XQuAD answers ({meta.get('data', '')}, split {meta.get('split')}): articles {meta.get('articles')}, "
             f"held out {meta.get('held_out_articles')}; {meta.get('paragraphs')} paragraphs indexed; "
             f"{result['seconds']} s", "",
             "| question language | n | right | EM | F1 |", "|---|---:|---:|---:|---:|"]
    for lang in ANSWER_LANGS:
        r = result[lang]
        lines.append(f"| {lang} | {r['n']} | {fmt3(r['right'])} | {fmt3(r['em'])} | {fmt3(r['f1'])} |")
    lines += ["", f"refused, questions of held-out articles: {fmt3(result['refused_unanswerable'])} "
                  f"({meta.get('unanswerable_asked')} asked); refused, answerable: {fmt3(result['false_refusals'])}"]
    return "\n".join(lines)


def fmt3(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def rounded(d):
    """Floats rounded to 4 places, recursively through dicts."""
    if isinstance(d, dict):
        return {k: rounded(v) for k, v in d.items()}
    return round(d, 4) if isinstance(d, float) else d
