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
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .chunk import Chunk, chunk_article, make_splitter
from .clean import CleanArticle, clean
from .config import IndexSettings
from .dedup import Deduper
from . import embed as embed_mod
from . import joined as joined_mod
from .embed import Embedder, embed_with_sentences, joined_or_separate, pooled_vectors
from .load import Skipped, find_files, read_all
from .meta import chroma_fields, filter_fields, meta_hash, public
from .store import Store
from .text import evidence_sentences

ARTICLES_PER_BATCH = 16
WEB_ID = re.compile(r"web_[0-9a-f]{16}")  # index/urls.py: url_article_id


@dataclass
class Duplicate:
    file: str  # the file or URL not indexed
    duplicate_of: str  # the article id that was kept
    similarity: float


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
    relabelled: int = 0  # chunks whose metadata (date, outlet, url, author) changed: not re-embedded
    duplicates: list[Duplicate] = field(default_factory=list)  # near-duplicates not indexed (index/dedup.py)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["seconds"] = round(self.seconds, 2)
        for dup in d["duplicates"]:
            dup["similarity"] = round(dup["similarity"], 3)
        return d

    def merge(self, other: "IngestReport") -> None:
        for name in ("articles", "chunks", "added", "updated", "deleted", "unchanged", "relabelled"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.skipped.extend(other.skipped)
        self.duplicates.extend(other.duplicates)


def stored_hash(chunk: Chunk, title: str, embedder_name: str, sentences: bool = True, way: str = "separate",
                dim: int | None = None) -> str:
    """What decides re-embedding: the text, the title (it is embedded too), the model, and whether the
    chunk's sentences are stored (an index built without them gets them on the next ingest) and how
    (KHABAR_SENTENCE_VECTORS: switching it re-embeds, so an index never mixes the kinds; `pooled` also
    records how sentence vectors are weighted into the chunk's; KHABAR_SENTENCE_DIM: the cut sentences
    live in another collection, which a switch fills)."""
    tag = ""
    if sentences:
        tag = "\nsentences" + {"separate": "", "late": ":late", "joined": f":joined-{joined_mod.JOIN_LAYER}"}.get(
            way, f":{way}-{embed_mod.POOL_WEIGHT}")
        tag += f":d{dim}" if dim else ""
    key = f"{embedder_name}\n{title}\n{chunk.text}" + tag
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def to_nodes(article: CleanArticle, chunks: list[Chunk], hashes: list[str], vectors: list[list[float]],
             extra: dict | None = None):
    from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

    nodes = []
    for chunk, h, vec in zip(chunks, hashes, vectors):
        meta = {"article_id": article.article_id, "title": article.title, "source": article.source,
                "n": chunk.n, "start": chunk.start, "end": chunk.end, "language": chunk.language,
                "content_hash": h, **(extra or {})}
        nodes.append(TextNode(
            id_=chunk.chunk_id, text=chunk.text, embedding=vec, metadata=meta,
            excluded_embed_metadata_keys=list(meta), excluded_llm_metadata_keys=list(meta),
            relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=article.article_id)},
        ))
    return nodes


def sentence_rows(nodes, embedder: Embedder, late: dict[str, list] | None = None) -> dict[str, list[tuple[str, list[float]]]]:
    """Each chunk's evidence sentences with their vectors, so answering a question needs no encoding beyond
    the question itself. late: chunk_id -> [(sentence, vector or None)] already made (pooled from the
    chunk's own pass with KHABAR_SENTENCE_VECTORS=late; encoded before the chunk vector with `pooled`);
    every other sentence is encoded on its own, each distinct one once (the chunks overlap)."""
    per_chunk = {n.id_: evidence_sentences(n.text) for n in nodes}
    have = {cid: {s: v for s, v in pairs if v is not None} for cid, pairs in (late or {}).items()}
    unique = list(dict.fromkeys(s for cid, sents in per_chunk.items() for s in sents if s not in have.get(cid, {})))
    vectors = dict(zip(unique, embedder.embed_documents(unique))) if unique else {}
    return {cid: [(s, have.get(cid, {}).get(s) or vectors[s]) for s in sents] for cid, sents in per_chunk.items()}


class Journal:
    """Files whose writes are under way. A batch adds its files before writing and removes them after,
    so whatever is noted after a crash is exactly what may be half-written."""

    def __init__(self, settings: IndexSettings) -> None:
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


def resume(store: Store, embedder: Embedder, settings: IndexSettings) -> IngestReport | None:
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


def article_fields(article: CleanArticle) -> dict:
    """The metadata fields of an article's chunks (index/meta.py) and their hash."""
    fields = chroma_fields(article.meta)
    return {**fields, "meta_hash": meta_hash(fields)}


# KHABAR_SENTENCE_VECTORS ways that make chunk and sentence vectors together (index/embed.py); `separate`
# encodes the chunks, then each sentence again
SENTENCE_WAYS = {
    "late": embed_with_sentences,  # one pass per chunk gives its vector and its sentences'
    "pooled": pooled_vectors,  # each distinct sentence encoded once; chunk vector = their mean
    "joined": joined_or_separate,  # sentences encoded once; chunk vector joined from their middle layer (joined.py)
}


class Indexer:
    """Cleaned articles in, chunks out: unchanged chunks are left alone, changed metadata is re-labelled
    without embedding, new or changed text is embedded; near-duplicates of an indexed article are not
    indexed (the kept copy remembers them). Writes go ARTICLES_PER_BATCH articles at a time."""

    def __init__(self, store: Store, embedder: Embedder, settings: IndexSettings, report: IngestReport) -> None:
        self.store, self.embedder, self.settings, self.report = store, embedder, settings, report
        self.splitter = make_splitter(settings.chunk_words, settings.chunk_overlap_words)
        self.state = store.chunk_state()
        self.dedup = Deduper(store, settings.dedup_threshold)
        self.work: list = []
        self.also: dict[str, list[dict]] = {}  # kept article id -> other copies found in this run
        self.journal = Journal(settings)
        # how the sentence vectors are made (KHABAR_SENTENCE_VECTORS); only with sentence vectors stored
        self.way = settings.sentence_vectors if settings.evidence_vectors else "separate"

    def add(self, article: CleanArticle, origin: str) -> None:
        chunks = chunk_article(article, self.splitter)
        if not chunks:
            self.report.skipped.append(Skipped(file=origin, reason="no text left after cleaning"))
            return
        old = self.state.get(article.article_id, {})
        if not old and self.dedup.enabled:
            kept, sim = self.dedup.check(article.article_id, [c.text for c in chunks])
            if kept is not None:
                self.report.duplicates.append(Duplicate(file=origin, duplicate_of=kept, similarity=sim))
                copy = {k: v for k, v in public(chroma_fields(article.meta)).items() if k != "also"}
                self.also.setdefault(kept, []).append({**copy, "article_id": article.article_id})
                return
        self.report.articles += 1
        self.report.chunks += len(chunks)
        fields = article_fields(article)
        hashes = [stored_hash(c, article.title, self.embedder.name, self.settings.evidence_vectors, self.way,
                              self.store.sentence_dim) for c in chunks]
        todo, relabel = [], []
        for j, (c, h) in enumerate(zip(chunks, hashes)):
            content, mhash = old.get(c.chunk_id, ("", ""))
            if content == h and mhash == fields["meta_hash"]:
                self.report.unchanged += 1
            elif content == h:
                relabel.append(j)
                self.report.relabelled += 1
            else:
                todo.append(j)
                self.report.updated += c.chunk_id in old
                self.report.added += c.chunk_id not in old
        stale = sorted(set(old) - {c.chunk_id for c in chunks})
        self.work.append((article, chunks, hashes, todo, relabel, stale, fields, origin))
        if len(self.work) >= ARTICLES_PER_BATCH:
            self.flush()

    def flush(self) -> None:
        work, self.work = self.work, []
        texts = [(a.title, cs[j].text) for a, cs, _, todo, *_ in work for j in todo]
        sents = [evidence_sentences(t) for _, t in texts] if self.way != "separate" else []
        bodies, titles = [t for _, t in texts], [ti for ti, _ in texts]
        with_sentences = SENTENCE_WAYS.get(self.way)
        if not texts:
            vectors, late = [], []
        elif with_sentences is not None:
            vectors, late = with_sentences(self.embedder, bodies, titles, sents)
        else:  # separate: chunks now, their sentences encoded on their own below
            vectors, late = self.embedder.embed_documents(bodies, titles), []
        pos, nodes, stale_ids, relabels, extra = 0, [], [], {}, {}
        for article, chunks, hashes, todo, relabel, stale, fields, _ in work:
            vecs = vectors[pos:pos + len(todo)]
            pos += len(todo)
            also = self._stored_also(article.article_id) if todo else None
            keep = {**fields, **({"also": also} if also else {})}
            nodes += to_nodes(article, [chunks[j] for j in todo], [hashes[j] for j in todo], vecs, keep)
            for j in todo + relabel:
                extra[chunks[j].chunk_id] = filter_fields(fields)
            for j in relabel:
                relabels[chunks[j].chunk_id] = dict(fields)
            stale_ids += stale
        # one write per batch: each Chroma call costs ~10-50 ms whatever its size; the batch's files are in
        # the journal while it is written, so a crash in between is finished by resume()
        files = [Path(w[-1]) for w in work if not is_web_article(w[0].article_id)]
        if nodes or relabels or stale_ids:
            self.journal.begin(files)
            if self.settings.evidence_vectors:
                pooled = {n.id_: list(zip(ss, vs)) for n, ss, vs in zip(nodes, sents, late)}  # nodes: in texts' order
                self.store.add_sentences(sentence_rows(nodes, self.embedder, pooled), extra)
            self.store.add(nodes)
            self.store.update_metadata(relabels, {cid: extra[cid] for cid in relabels})
            self.store.delete(stale_ids)
            self.journal.end(files)
        self.report.deleted += len(stale_ids)

    def _stored_also(self, article_id: str) -> str | None:
        first = next(iter(sorted(self.state.get(article_id, {}))), None)
        if first is None:
            return None
        got = self.store.collection.get(ids=[first], include=["metadatas"])
        return (got["metadatas"][0] or {}).get("also") if got["ids"] else None

    def finish(self) -> None:
        self.flush()
        for kept, copies in self.also.items():  # the kept copy remembers the others' sources
            rows = self.store.article_chunks(kept)
            if not rows:
                continue
            also = public(rows[0][2])["also"]
            known = {c.get("article_id") for c in also}
            also += [c for c in copies if c["article_id"] not in known]
            self.store.update_metadata({cid: {"also": json.dumps(also, ensure_ascii=False)} for cid, _, _ in rows})
        self.also = {}


def is_web_article(article_id: str) -> bool:
    return bool(WEB_ID.fullmatch(article_id))


def ingest(path: Path, store: Store, embedder: Embedder, settings: IndexSettings, prune: bool = False,
           progress: bool = True) -> IngestReport:
    started = time.perf_counter()
    report = IngestReport()
    if not path.exists():
        raise FileNotFoundError(f"no such file or folder: {path}")  # and above all: nothing to prune against
    indexer = Indexer(store, embedder, settings, report)
    existing = indexer.state
    files = find_files(path)
    present = {f.stem for f in files}  # prune keeps an article whose file is there, even if unreadable now
    bar = _bar(len(files), progress)
    for item in read_all(files):
        bar.update(1)
        if isinstance(item, Skipped):
            report.skipped.append(item)
            continue
        indexer.add(clean(item), str(item.path))
    indexer.finish()
    bar.close()
    if prune:
        for article_id, chunk_ids in existing.items():
            if article_id not in present and not is_web_article(article_id):  # web articles have no file
                store.delete(sorted(chunk_ids))
                report.deleted += len(chunk_ids)
    report.seconds = time.perf_counter() - started
    return report


def _bar(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="ingest", unit="article", disable=not enabled, leave=False)
