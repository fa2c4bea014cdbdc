"""Chroma storage: embedded PersistentClient by default, a Chroma server when KHABAR_CHROMA_URL is set.

Writes go through llama-index's ChromaVectorStore (so the collection is a regular llama-index vector
store); reads and bookkeeping use the collection directly. Chroma never embeds anything itself:
the collection has no embedding function and every vector is ours.
"""
from __future__ import annotations

import hashlib
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import urlparse

from .config import IndexSettings, offline_env
from .embed import truncate

PAGE = 2000


@dataclass
class Hit:
    chunk_id: str
    article_id: str
    title: str
    text: str
    score: float
    metadata: dict


def make_client(settings: IndexSettings):
    offline_env()
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f"KHABAR_CHROMA_URL must look like http://host:port, got {settings.chroma_url!r}")
        return chromadb.HttpClient(host=url.hostname, port=url.port or (443 if url.scheme == "https" else 8000),
                                   ssl=url.scheme == "https", settings=chroma_settings)
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


class Store:
    def __init__(self, settings: IndexSettings, name: str | None = None, client=None) -> None:
        self.client = client or make_client(settings)
        self.name = name or settings.collection
        self.version = 0  # bumped on every write by this process (other processes: see changes())
        self.sentence_dim = settings.sentence_dim  # sentence vectors keep this many dimensions (None: all)
        where = settings.chroma_url or str(settings.chroma_dir.resolve())
        # the keyword index (index/keywords.py) of this collection: a local file, one per Chroma store
        self.keywords_path: Path = settings.data_dir / "keywords" / \
            f"{self.name}-{hashlib.sha1(where.encode()).hexdigest()[:10]}.sqlite3"
        self._open()

    def _open(self) -> None:
        from llama_index.vector_stores.chroma import ChromaVectorStore

        self.collection = self.client.get_or_create_collection(
            self.name, embedding_function=None, metadata={"hnsw:space": "cosine"})
        self.vector_store = ChromaVectorStore(chroma_collection=self.collection)
        # evidence sentences of each chunk with their vectors (ids <chunk_id>#<i>), embedded at ingest; cut
        # vectors live in their own collection (Chroma fixes a collection's dimension at its first write)
        cut = f"-d{self.sentence_dim}" if self.sentence_dim else ""
        self.sentences = self.client.get_or_create_collection(
            f"{self.name}-sentences{cut}", embedding_function=None, metadata={"hnsw:space": "cosine"})
        # the change log: one entry per write or delete (ids touched), read by other processes'
        # keyword indexes (index/keywords.py)
        self.meta = self.client.get_or_create_collection(f"{self.name}-meta", embedding_function=None)

    def count(self) -> int:
        return self.collection.count()

    def _pages(self, include: list[str], where: dict | None = None) -> Iterator[dict]:
        offset = 0
        while True:
            page = self.collection.get(include=include, where=where, limit=PAGE, offset=offset)
            if not page["ids"]:
                return
            yield page
            offset += len(page["ids"])

    def chunk_hashes(self) -> dict[str, dict[str, str]]:
        """article_id -> {chunk_id: content_hash}, for the idempotent re-ingest."""
        out: dict[str, dict[str, str]] = {}
        for page in self._pages(["metadatas"]):
            for cid, meta in zip(page["ids"], page["metadatas"]):
                out.setdefault(meta.get("article_id", cid.rsplit(":", 1)[0]), {})[cid] = meta.get("content_hash", "")
        return out

    def iter_chunks(self) -> Iterator[tuple[str, str, dict]]:
        for page in self._pages(["documents", "metadatas"]):
            yield from zip(page["ids"], page["documents"], page["metadatas"])

    def articles(self) -> list[dict]:
        arts: dict[str, dict] = {}
        for page in self._pages(["metadatas"]):
            for meta in page["metadatas"]:
                a = arts.setdefault(meta["article_id"], {"article_id": meta["article_id"], "title": meta.get("title", ""),
                                                         "source": meta.get("source", ""), "language": meta.get("language", ""),
                                                         "chunks": 0, "published": meta.get("published") or None,
                                                         "outlet": meta.get("outlet") or None,
                                                         "url": meta.get("url") or None})
                a["chunks"] += 1
        return sorted(arts.values(), key=lambda a: a["article_id"])

    def add(self, nodes) -> None:
        """Nodes (llama-index TextNode with embedding) replace any chunks with the same ids, in one upsert
        per page: a chunk is always there in its old or its new version, never missing. The rows are
        what llama-index's ChromaVectorStore.add writes (node_to_metadata_dict)."""
        from llama_index.core.schema import MetadataMode
        from llama_index.core.vector_stores.utils import node_to_metadata_dict

        for i in range(0, len(nodes), PAGE):
            page = nodes[i:i + PAGE]
            metas = [{k: ("" if v is None else v) for k, v in
                      node_to_metadata_dict(n, remove_text=True, flat_metadata=True).items()} for n in page]
            self.collection.upsert(ids=[n.node_id for n in page], embeddings=[n.get_embedding() for n in page],
                                   metadatas=metas, documents=[n.get_content(metadata_mode=MetadataMode.NONE)
                                                               for n in page])
        if nodes:
            self.version += 1
            self.log_change([n.node_id for n in nodes])

    def delete(self, ids: list[str]) -> None:
        if ids:  # sentences first: a crash in between leaves a chunk without sentences, never orphan sentences
            self._delete_sentences(ids)
            self.collection.delete(ids=ids)
            self.version += 1
            self.log_change(ids)

    def _delete_sentences(self, chunk_ids: list[str]) -> None:
        for i in range(0, len(chunk_ids), PAGE):
            self.sentences.delete(where={"chunk_id": {"$in": chunk_ids[i:i + PAGE]}})

    def add_sentences(self, rows: dict[str, list[tuple[str, list[float]]]], extra: dict[str, dict] | None = None) -> None:
        """chunk_id -> [(sentence, vector)]: replaces what those chunks had (upsert first, then the
        sentences the new version no longer has). Written before the chunks themselves.
        extra: chunk_id -> metadata the filters match (published_int, outlet_key), copied on each sentence."""
        if not rows:
            return
        ids, docs, vecs, metas = [], [], [], []
        for cid, items in rows.items():
            for i, (text, vec) in enumerate(items):
                ids.append(f"{cid}#{i}")
                docs.append(text)
                vecs.append(self.cut(vec))
                metas.append({**(extra or {}).get(cid, {}), "chunk_id": cid})
        for i in range(0, len(ids), PAGE):
            self.sentences.upsert(ids=ids[i:i + PAGE], documents=docs[i:i + PAGE], embeddings=vecs[i:i + PAGE],
                                  metadatas=metas[i:i + PAGE])
        keep, cids = set(ids), list(rows)
        for i in range(0, len(cids), PAGE):
            old = self.sentences.get(where={"chunk_id": {"$in": cids[i:i + PAGE]}}, include=[])["ids"]
            gone = [sid for sid in old if sid not in keep]
            if gone:
                self.sentences.delete(ids=gone)

    def cut(self, vector: list[float]) -> list[float]:
        """A vector as the sentence collection holds it (KHABAR_SENTENCE_DIM)."""
        return truncate(vector, self.sentence_dim)

    def sentence_scores(self, vector: list[float], k: int, where: dict | None = None) -> dict[str, float]:
        """chunk_id -> the best cosine of one of its sentences, over the k nearest sentences (that match `where`)."""
        n = self.sentences.count()
        if n == 0:
            return {}
        res = self.sentences.query(query_embeddings=[self.cut(vector)], n_results=min(k, n), where=where,
                                   include=["metadatas", "distances"])
        best: dict[str, float] = {}
        for meta, dist in zip(res["metadatas"][0], res["distances"][0]):
            cid = meta["chunk_id"]
            best[cid] = max(best.get(cid, -1.0), 1.0 - dist)
        return best

    def sentence_vectors(self, chunk_ids: list[str]) -> dict[str, list[float]]:
        """sentence text -> vector, for the evidence sentences stored with these chunks."""
        if not chunk_ids:
            return {}
        page = self.sentences.get(where={"chunk_id": {"$in": list(chunk_ids)}}, include=["documents", "embeddings"])
        return {doc: [float(x) for x in vec] for doc, vec in zip(page["documents"], page["embeddings"])}

    def get(self, ids: list[str]) -> list[Hit]:
        if not ids:
            return []
        page = self.collection.get(ids=ids, include=["documents", "metadatas"])
        by_id = {cid: (doc, meta) for cid, doc, meta in zip(page["ids"], page["documents"], page["metadatas"])}
        return [_hit(cid, *by_id[cid], 0.0) for cid in ids if cid in by_id]

    def query(self, vector: list[float], k: int, where: dict | None = None) -> list[Hit]:
        """Nearest chunks; `where` (index/meta.py: since / until / source) filters inside the vector query."""
        n = self.count()
        if n == 0:
            return []
        res = self.collection.query(query_embeddings=[vector], n_results=min(k, n), where=where,
                                    include=["documents", "metadatas", "distances"])
        return [_hit(cid, doc, meta, 1.0 - dist) for cid, doc, meta, dist in
                zip(res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0])]

    # ---- article metadata and filters (index/meta.py) ----------------------------------------
    def chunk_state(self) -> dict[str, dict[str, tuple[str, str]]]:
        """article_id -> {chunk_id: (content_hash, meta_hash)}: what ingest re-embeds or only re-labels."""
        out: dict[str, dict[str, tuple[str, str]]] = {}
        for page in self._pages(["metadatas"]):
            for cid, meta in zip(page["ids"], page["metadatas"]):
                out.setdefault(meta.get("article_id", cid.rsplit(":", 1)[0]), {})[cid] = (
                    meta.get("content_hash", ""), meta.get("meta_hash", ""))
        return out

    def update_metadata(self, metas: dict[str, dict], sentence_fields: dict[str, dict] | None = None) -> None:
        """chunk_id -> fields to set (merged into what is stored; no re-embedding); sentence_fields:
        chunk_id -> the filter fields to set on that chunk's sentences."""
        if not metas:
            return
        ids = list(metas)
        for i in range(0, len(ids), PAGE):
            part = ids[i:i + PAGE]
            self.collection.update(ids=part, metadatas=[metas[c] for c in part])
        fields = {cid: f for cid, f in (sentence_fields or {}).items() if f}
        cids = list(fields)
        for i in range(0, len(cids), PAGE):  # one read and one write per page of chunks
            got = self.sentences.get(where={"chunk_id": {"$in": cids[i:i + PAGE]}}, include=["metadatas"])
            if got["ids"]:
                self.sentences.update(ids=got["ids"], metadatas=[fields[m["chunk_id"]] for m in got["metadatas"]])
        self.version += 1

    def article_chunks(self, article_id: str) -> list[tuple[str, str, dict]]:
        """(chunk_id, text, metadata) of one article, in chunk order."""
        page = self.collection.get(where={"article_id": article_id}, include=["documents", "metadatas"])
        rows = list(zip(page["ids"], page["documents"], page["metadatas"]))
        return sorted(rows, key=lambda r: r[2].get("n", 0))

    def ids(self, where: dict) -> set[str]:
        """The chunk ids that match a filter."""
        out: set[str] = set()
        offset = 0
        while True:
            page = self.collection.get(where=where, include=[], limit=PAGE * 5, offset=offset)
            if not page["ids"]:
                return out
            out.update(page["ids"])
            offset += len(page["ids"])

    def drop(self) -> None:
        """Delete the collection and its sentences."""
        self.client.delete_collection(self.name)
        self.client.delete_collection(self.sentences.name)
        self.client.delete_collection(self.meta.name)

    # ---- change log ------------------------------------------------------------------------
    def log_change(self, chunk_ids: list[str]) -> None:
        """Record that these chunks were written or deleted (after the write itself)."""
        if not chunk_ids:
            return
        t = time.time_ns()
        self.meta.add(ids=[f"{t:020d}-{uuid.uuid4().hex[:8]}"], embeddings=[[0.0]],
                      documents=[json.dumps(list(chunk_ids))], metadatas=[{"t": t, "n": len(chunk_ids)}])

    def changes(self, since_ns: int) -> list[tuple[str, int]]:
        """(entry id, time stamp) of the change-log entries newer than since_ns, oldest first."""
        page = self.meta.get(where={"t": {"$gt": since_ns}}, include=["metadatas"])
        return sorted(((e, int(m["t"])) for e, m in zip(page["ids"], page["metadatas"])), key=lambda x: x[1])

    def change_ids(self, entries: list[str]) -> dict[str, list[str]]:
        """entry id -> the chunk ids it touched."""
        out: dict[str, list[str]] = {}
        for i in range(0, len(entries), PAGE):
            page = self.meta.get(ids=entries[i:i + PAGE], include=["documents"])
            out.update((e, json.loads(doc)) for e, doc in zip(page["ids"], page["documents"]))
        return out

    def documents(self, ids: list[str]) -> dict[str, str]:
        """chunk id -> text, for those of ids that exist."""
        out: dict[str, str] = {}
        for i in range(0, len(ids), PAGE):
            page = self.collection.get(ids=ids[i:i + PAGE], include=["documents"])
            out.update(zip(page["ids"], page["documents"]))
        return out


def _hit(cid: str, doc: str, meta: dict, score: float) -> Hit:
    return Hit(chunk_id=cid, article_id=meta.get("article_id", ""), title=meta.get("title", ""), text=doc,
               score=float(score), metadata=meta)
