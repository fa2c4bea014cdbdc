"""The ingest pipeline: load -> clean -> chunk -> embed -> store, idempotent and streamed in batches.

Unchanged chunks are not re-embedded or rewritten; a changed article has its chunks replaced; with
prune, articles no longer in the folder lose their chunks. Writes go per article batch with
deterministic ids, so an interrupted run leaves no duplicates and the next run completes it.

A re-ingest never loses the old version of an article: the new chunks are upserted over the old ones
(each chunk is always there, old or new) and only then are the old version's extra chunks deleted.
Each batch's files are noted in a journal (`<data_dir>/ingest-journal.json`) before its writes and
the note is cleared after them; `resume()` (run by `khabar serve` at startup and by `khabar ingest`)
re-ingests whatever a crash left noted, so leftovers of an old version don't outlive a restart.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .chunk import Chunk, chunk_article, make_splitter
from .clean import CleanArticle, clean
from .config import Settings
from .embed import Embedder
from .load import Skipped, find_files, read_article
from .store import Store
from .text import evidence_sentences

ARTICLES_PER_BATCH = 16


@dataclass
class IngestReport:
    articles: int = 0
    chunks: int = 0
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        d = asdict(self)
        d["seconds"] = round(self.seconds, 2)
        return d


def stored_hash(chunk: Chunk, title: str, embedder_name: str, sentences: bool = True) -> str:
    """What decides re-embedding: the text, the title (it is embedded too), the model, and whether the
    chunk's sentences are stored (an index built without them gets them on the next ingest)."""
    key = f"{embedder_name}\n{title}\n{chunk.text}" + ("\nsentences" if sentences else "")
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def to_nodes(article: CleanArticle, chunks: list[Chunk], hashes: list[str], vectors: list[list[float]]):
    from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

    nodes = []
    for chunk, h, vec in zip(chunks, hashes, vectors):
        meta = {"article_id": article.article_id, "title": article.title, "source": article.source,
                "n": chunk.n, "start": chunk.start, "end": chunk.end, "language": chunk.language,
                "content_hash": h}
        nodes.append(TextNode(
            id_=chunk.chunk_id, text=chunk.text, embedding=vec, metadata=meta,
            excluded_embed_metadata_keys=list(meta), excluded_llm_metadata_keys=list(meta),
            relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=article.article_id)},
        ))
    return nodes


def sentence_rows(nodes, embedder: Embedder) -> dict[str, list[tuple[str, list[float]]]]:
    """Each chunk's evidence sentences with their vectors (each distinct sentence embedded once: the
    chunks overlap), so answering a question needs no encoding beyond the question itself."""
    per_chunk = {n.id_: evidence_sentences(n.text) for n in nodes}
    unique = list(dict.fromkeys(s for sents in per_chunk.values() for s in sents))
    vectors = dict(zip(unique, embedder.embed_documents(unique))) if unique else {}
    return {cid: [(s, vectors[s]) for s in sents] for cid, sents in per_chunk.items()}


class Journal:
    """Files whose writes are under way. A batch adds its files before writing and removes them after,
    so whatever is noted after a crash is exactly what may be half-written."""

    def __init__(self, settings: Settings) -> None:
        self.path = settings.data_dir / "ingest-journal.json"

    def pending(self) -> list[str]:
        try:
            files = json.loads(self.path.read_text(encoding="utf-8"))["files"]
        except (OSError, ValueError, KeyError, TypeError):
            return []
        return [f for f in files if isinstance(f, str)]

    def begin(self, files: list[Path]) -> None:
        self._write(list(dict.fromkeys(self.pending() + [str(f.resolve()) for f in files])))

    def end(self, files: list[Path]) -> None:
        done = {str(f.resolve()) for f in files}
        self._write([f for f in self.pending() if f not in done])

    def _write(self, files: list[str]) -> None:
        if not files:
            self.path.unlink(missing_ok=True)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".journal-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"files": files}, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)


def resume(store: Store, embedder: Embedder, settings: Settings) -> IngestReport | None:
    """Finish what a crash interrupted: re-ingest every file the journal still notes (None: nothing was)."""
    journal = Journal(settings)
    pending = [Path(f) for f in journal.pending()]
    if not pending:
        return None
    report = IngestReport()
    for file in pending:
        if file.is_file():
            r = ingest(file, store, embedder, settings, progress=False)
            for name in ("articles", "chunks", "added", "updated", "deleted", "unchanged"):
                setattr(report, name, getattr(report, name) + getattr(r, name))
            report.skipped.extend(r.skipped)
        journal.end([file])
    return report


def ingest(path: Path, store: Store, embedder: Embedder, settings: Settings, prune: bool = False,
           progress: bool = True) -> IngestReport:
    started = time.perf_counter()
    report = IngestReport()
    splitter = make_splitter(settings.chunk_words, settings.chunk_overlap_words)
    if not path.exists():
        raise FileNotFoundError(f"no such file or folder: {path}")  # and above all: nothing to prune against
    existing = store.chunk_hashes()
    files = find_files(path)
    present = {f.stem for f in files}  # prune keeps an article whose file is there, even if unreadable now
    seen_ids: dict[str, str] = {}
    journal = Journal(settings)
    bar = _bar(len(files), progress)
    for i in range(0, len(files), ARTICLES_PER_BATCH):
        work = []  # (article, chunks, hashes, indexes to embed)
        for file in files[i:i + ARTICLES_PER_BATCH]:
            bar.update(1)
            try:
                raw = read_article(file)
            except (ValueError, OSError) as exc:
                report.skipped.append(Skipped(file=str(file), reason=str(exc)))
                continue
            if raw.article_id in seen_ids:
                report.skipped.append(Skipped(file=str(file), reason=f"duplicate article id {raw.article_id!r} "
                                                                     f"(also {seen_ids[raw.article_id]})"))
                continue
            seen_ids[raw.article_id] = str(file)
            article = clean(raw)
            chunks = chunk_article(article, splitter)
            if not chunks:
                report.skipped.append(Skipped(file=str(file), reason="no text left after cleaning"))
                continue
            report.articles += 1
            report.chunks += len(chunks)
            old = existing.get(article.article_id, {})
            hashes = [stored_hash(c, article.title, embedder.name, settings.evidence_vectors) for c in chunks]
            todo = []
            for j, (c, h) in enumerate(zip(chunks, hashes)):
                if old.get(c.chunk_id) == h:
                    report.unchanged += 1
                else:
                    todo.append(j)
                    report.updated += c.chunk_id in old
                    report.added += c.chunk_id not in old
            stale = sorted(set(old) - {c.chunk_id for c in chunks})
            work.append((article, chunks, hashes, todo, stale))
        texts = [(a.title, cs[j].text) for a, cs, _, todo, _ in work for j in todo]
        vectors = embedder.embed_documents([t for _, t in texts], [ti for ti, _ in texts]) if texts else []
        pos, nodes, stale_ids = 0, [], []
        for article, chunks, hashes, todo, stale in work:
            vecs = vectors[pos:pos + len(todo)]
            pos += len(todo)
            nodes += to_nodes(article, [chunks[j] for j in todo], [hashes[j] for j in todo], vecs)
            stale_ids += stale
        # one write per batch: each Chroma call costs ~10-50 ms whatever its size
        if nodes or stale_ids:
            batch = files[i:i + ARTICLES_PER_BATCH]
            journal.begin(batch)
            if settings.evidence_vectors:
                store.add_sentences(sentence_rows(nodes, embedder))
            store.add(nodes)
            store.delete(stale_ids)
            journal.end(batch)
        report.deleted += len(stale_ids)
    bar.close()
    if prune:
        for article_id, chunk_ids in existing.items():
            if article_id not in present:
                store.delete(sorted(chunk_ids))
                report.deleted += len(chunk_ids)
    report.seconds = time.perf_counter() - started
    return report


def _bar(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="ingest", unit="article", disable=not enabled, leave=False)
