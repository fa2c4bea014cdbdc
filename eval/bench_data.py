"""What the benchmark measures on: gold dev questions, a synthetic corpus built from the seed articles'
sentences, and this process's memory (RSS, peak RSS)."""
from __future__ import annotations

import random
from pathlib import Path
from typing import Sequence

from index.config import BUNDLED_ARTICLES

from .goldset import DEFAULT_GOLD, load_gold  # noqa: F401  (the bench never reads the frozen test split)


def correct(answer: str, item: dict, refused: bool = False) -> bool:
    """The strict `right` of eval.metrics (whole tokens, the question's language) for a gold item."""
    from .goldset import is_right

    return is_right(answer or "", refused, item)


# ---- questions ---------------------------------------------------------------------------------
def pick_questions(gold: Sequence[dict], n: int, answerable_only: bool = True) -> list[dict]:
    """n standalone questions, half Arabic half English, spread evenly over each language's list."""
    out: list[dict] = []
    langs = ("ar", "en")
    for i, lang in enumerate(langs):
        pool = [g for g in gold if g["lang"] == lang and g.get("follows") is None
                and (g.get("answerable", True) or not answerable_only)]
        want = min(len(pool), n // len(langs) + (1 if i < n % len(langs) else 0))
        if want:
            step = len(pool) / want
            out += [pool[int(j * step)] for j in range(want)]
    return out


# ---- synthetic corpus --------------------------------------------------
def seed_sentences(articles_dir: Path = BUNDLED_ARTICLES) -> list[str]:
    """The cleaned seed articles' sentences (>= 5 words), in file order."""
    from index.clean import clean
    from index.load import load_folder
    from index.text import split_sentences

    raws, _ = load_folder(articles_dir)
    out: list[str] = []
    for raw in raws:
        out += [s for s in split_sentences(clean(raw).text) if len(s.split()) >= 5]
    return out


def synthetic_corpus(out_dir: Path, n_articles: int, sentences: Sequence[str], seed: int = 0,
                     min_sentences: int = 10, max_sentences: int = 30) -> list[Path]:
    """n_articles .txt files in out_dir: a title line, then paragraphs of seed sentences shuffled.
    Deterministic for a given (sentences, seed)."""
    if not sentences:
        raise ValueError("no seed sentences")
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n_articles):
        picked = [sentences[rng.randrange(len(sentences))] for _ in range(rng.randint(min_sentences, max_sentences))]
        title = " ".join(picked[0].split()[:8]).rstrip(".،,:؛!?؟")
        paras, j = [], 0
        while j < len(picked):
            k = rng.randint(3, 5)
            paras.append(" ".join(picked[j:j + k]))
            j += k
        path = out_dir / f"syn_{seed}_{i:06d}.txt"
        path.write_text(f"{title} {i}\n\n" + "\n\n".join(paras) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


# ---- process facts -----------------------------------------------------------------------------
def _status_kb(key: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def rss_bytes() -> int | None:
    kb = _status_kb("VmRSS")
    return None if kb is None else kb * 1024


def peak_rss_bytes() -> int | None:
    kb = _status_kb("VmHWM")
    if kb is None:
        import resource

        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb * 1024


def reset_peak_rss() -> bool:
    """Linux: writing 5 to clear_refs resets VmHWM to the current RSS."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False
