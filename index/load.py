"""Load a folder of articles (.txt, .md, .html). Unreadable files are reported, not fatal."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

SUFFIXES = {".txt", ".md", ".html", ".htm"}
MAX_BYTES = 2_000_000  # a news article is never this big; a 10 MB file would take hours to embed


@dataclass
class RawArticle:
    article_id: str  # file name without extension
    path: Path
    text: str
    fmt: str  # "txt" | "md" | "html"


@dataclass
class Skipped:
    file: str
    reason: str


def read_article(path: Path) -> RawArticle:
    """Read one article; raises ValueError with a human reason when it can't be used."""
    if path.is_symlink():  # a link could point anywhere on the machine (outside the articles root)
        raise ValueError("symbolic link (not followed)")
    size = path.stat().st_size
    if size == 0:
        raise ValueError("empty file")
    if size > MAX_BYTES:
        raise ValueError(f"too large ({size:,} bytes > {MAX_BYTES:,})")
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise ValueError("binary file (NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid UTF-8 (byte {exc.start})") from None
    if not text.strip():
        raise ValueError("no text (only whitespace)")
    fmt = {".md": "md", ".html": "html", ".htm": "html"}.get(path.suffix.lower(), "txt")
    return RawArticle(article_id=path.stem, path=path, text=text, fmt=fmt)


def find_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
                  and not any(part.startswith(".") for part in p.relative_to(root).parts))


def read_all(files: list[Path]) -> Iterator[RawArticle | Skipped]:
    """Each file read, or why it is skipped (unreadable, or an article id an earlier file has)."""
    seen: dict[str, str] = {}
    for path in files:
        try:
            art = read_article(path)
        except (ValueError, OSError) as exc:
            yield Skipped(file=str(path), reason=str(exc))
            continue
        if art.article_id in seen:
            yield Skipped(file=str(path), reason=f"duplicate article id {art.article_id!r} (also {seen[art.article_id]})")
            continue
        seen[art.article_id] = str(path)
        yield art


def load_folder(root: Path) -> tuple[list[RawArticle], list[Skipped]]:
    articles: list[RawArticle] = []
    skipped: list[Skipped] = []
    for item in read_all(find_files(root)):
        (articles if isinstance(item, RawArticle) else skipped).append(item)
    return articles, skipped
