"""XQuAD-format data for eval.xquad: reading `paragraphs.jsonl` / `questions.jsonl`, picking questions,
article numbers, and writing paragraphs as files for the ingest pipeline."""
from __future__ import annotations

import json
import re
from pathlib import Path

from index.config import REPO_ROOT

from .args import EXIT_INPUT, CliError

DEFAULT_DATA = REPO_ROOT / "eval" / "data" / "xquad_dev"
_SAFE_ID = re.compile(r"^[\w-][\w.-]*$")


class XquadError(CliError):
    default_code = EXIT_INPUT


def _jsonl(path: Path, required: set[str]) -> list[dict]:
    if not path.is_file():
        raise XquadError(f"not found: {path}")
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise XquadError(f"{path}:{n}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not required <= set(row):
            raise XquadError(f"{path}:{n}: needs keys {sorted(required)}")
        rows.append(row)
    if not rows:
        raise XquadError(f"{path} is empty")
    return rows


def load(data_dir: Path) -> tuple[list[dict], list[dict]]:
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise XquadError(f"--data is not a folder: {data_dir}")
    paragraphs = _jsonl(data_dir / "paragraphs.jsonl", {"pid", "text_ar"})
    questions = _jsonl(data_dir / "questions.jsonl", {"pid", "question_en", "question_ar"})
    pids = [str(p["pid"]) for p in paragraphs]
    if len(set(pids)) != len(pids):
        raise XquadError(f"{data_dir / 'paragraphs.jsonl'}: duplicate pid")
    return paragraphs, questions


def _article(p: dict) -> str:
    """The article a paragraph belongs to: its title, else the '<article>-<para>' pid prefix."""
    return str(p.get("title") or str(p["pid"]).rsplit("-", 1)[0])


def select(paragraphs: list[dict], questions: list[dict], limit: int | None) -> tuple[list[dict], list[dict]]:
    """The first `limit` questions, and the paragraphs they need plus all paragraphs of the same
    articles (so the distractors within an article stay). Questions without a paragraph are dropped."""
    known = {str(p["pid"]) for p in paragraphs}
    questions = [q for q in questions if str(q["pid"]) in known]
    if limit:
        questions = questions[:limit]
        need = {str(q["pid"]) for q in questions}
        articles = {_article(p) for p in paragraphs if str(p["pid"]) in need}
        paragraphs = [p for p in paragraphs if _article(p) in articles]
    return paragraphs, questions



def _file_ids(pids: list[str]) -> dict[str, str]:
    """article id (file stem) for each pid: the pid itself when it is a safe file name."""
    out, used = {}, set()
    for i, pid in enumerate(pids):
        stem = pid if _SAFE_ID.match(pid) and pid.lower() not in used else f"p{i:06d}"
        used.add(stem.lower())
        out[pid] = stem
    return out



def write_paragraphs(folder: Path, paragraphs: list[dict]) -> dict[str, str]:
    """Each paragraph's text_ar as `<stem>.txt` in folder (created); returns pid -> stem (= article id)."""
    folder.mkdir()
    stems = _file_ids([str(p["pid"]) for p in paragraphs])
    for p in paragraphs:
        (folder / f"{stems[str(p['pid'])]}.txt").write_text(str(p["text_ar"]), encoding="utf-8")
    return stems


def article_number(pid: str) -> int:
    head = str(pid).split("-", 1)[0]
    return int(head) if head.isdigit() else -1
