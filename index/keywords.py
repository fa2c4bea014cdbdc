"""The keyword signal: BM25 over Arabic-normalised tokens in SQLite's FTS5 full-text index, kept in step
with the Chroma store by a change log that lives in Chroma itself.

* `Fts` is the index: one FTS5 table whose rows are `index.text.tokens()` of each chunk joined by
  spaces (so the Arabic normalisation and prefix strip are Khabar's, not SQLite's), ranked with FTS5's
  own bm25() (k1 = 1.2, b = 0.75). Incremental: a write replaces only the rows it touches.
* Every store write or delete appends an entry to `<collection>-meta` (Store.log_change): a time stamp
  and the chunk ids it touched. `KeywordIndex.refresh()` (once per search) reads the entries newer than
  the last one it applied minus a window (one small Chroma read), re-reads only the touched chunks and
  replaces their rows. So a replica sees what another process wrote, whatever the chunk count, with no
  full-corpus scan per write. Re-applying an entry is harmless (it re-reads the chunks' current text),
  which is why a window that tolerates writers' clock skew is safe.
* The FTS5 file is persistent (`<data_dir>/keywords/`), so a restarted replica catches up from the log
  instead of rescanning; it is rebuilt from a full scan only when it does not exist, when the collection
  was recreated (its Chroma id changed), or when its row count disagrees with the store after catching up
  (a writer that died between its write and its log entry). Replicas on one host may share the file.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

from .text import tokens

WINDOW_NS = 120 * 10**9  # entries this much older than the newest applied one are read again
log = logging.getLogger("khabar.keywords")
BATCH = 500  # SQLite's parameter limit is 32766; Chroma gets are paged too
REBUILD_PAGE = 2000  # chunks tokenised and written at a time by rebuild()
LOCK_TIMEOUT_S = 60.0  # waiting for another process's write to the same file
COMMON_MIN_ROWS = 1000  # below this many chunks every query word is scored (it is fast anyway)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS chunks (id INTEGER PRIMARY KEY, cid TEXT UNIQUE NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(body, tokenize="unicode61 remove_diacritics 0 tokenchars '_'");
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS applied (entry TEXT PRIMARY KEY, t INTEGER NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS vocab USING fts5vocab(fts, 'row');
"""


def match_expression(text: str, skip: set[str] | frozenset = frozenset()) -> str:
    """An FTS5 query: any of the normalised tokens (tokens are \\w+, so quoting is enough)."""
    return " OR ".join(f'"{t}"' for t in dict.fromkeys(tokens(text)) if t not in skip)


class Fts:
    """BM25 over normalised tokens in an FTS5 table; `path=None` keeps it in memory."""

    def __init__(self, path: Path | None = None) -> None:
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path) if path else ":memory:", timeout=LOCK_TIMEOUT_S, check_same_thread=False,
                                  isolation_level=None)
        if path is not None:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        self.lock = threading.RLock()
        # document frequencies and row count for common(): counting a word's rows walks its whole
        # posting list, the costliest part of a query on a large index. Valid while no connection
        # (this one: _forget(); another process: PRAGMA data_version) has written.
        self._df: dict[str, int] = {}
        self._rows: int | None = None
        self._seen_version = -1

    def _forget(self) -> None:
        self._df.clear()
        self._rows = None

    def _stats(self, toks: list[str]) -> tuple[int, dict[str, int]]:
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        if version != self._seen_version or len(self._df) > 100_000:
            self._forget()
            self._seen_version = version
        if self._rows is None:
            self._rows = len(self)
        missing = [t for t in toks if t not in self._df]
        if missing and self._rows >= COMMON_MIN_ROWS:
            marks = ",".join("?" * len(missing))
            found = dict(self.db.execute(f"SELECT term, doc FROM vocab WHERE term IN ({marks})", missing))
            self._df.update((t, found.get(t, 0)) for t in missing)
        return self._rows, self._df

    @classmethod
    def from_texts(cls, ids: list[str], texts: list[str]) -> "Fts":
        fts = cls()
        fts.replace(ids, dict(zip(ids, texts)))
        return fts

    def close(self) -> None:
        self.db.close()

    def __len__(self) -> int:
        return self.db.execute("SELECT count(*) FROM chunks").fetchone()[0]

    def replace(self, ids: list[str], texts: dict[str, str]) -> None:
        """Rows for `ids` become `texts[id]`; an id without a text is deleted. One transaction."""
        bodies = _bodies(texts)
        with self.lock:
            self._forget()
            self.db.execute("BEGIN IMMEDIATE")
            try:
                self._replace(ids, bodies)
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def _replace(self, ids: list[str], bodies: dict[str, str]) -> None:
        """Inside a transaction; bodies are already tokenised (_bodies), so the write lock is held
        only for the writes."""
        self._forget()
        for i in range(0, len(ids), BATCH):
            part = ids[i:i + BATCH]
            marks = ",".join("?" * len(part))
            rows = [r[0] for r in self.db.execute(f"SELECT id FROM chunks WHERE cid IN ({marks})", part)]
            if rows:
                rmarks = ",".join("?" * len(rows))
                self.db.execute(f"DELETE FROM fts WHERE rowid IN ({rmarks})", rows)
                self.db.execute(f"DELETE FROM chunks WHERE id IN ({rmarks})", rows)
            for cid in part:
                if cid in bodies:
                    rowid = self.db.execute("INSERT INTO chunks (cid) VALUES (?)", (cid,)).lastrowid
                    self.db.execute("INSERT INTO fts (rowid, body) VALUES (?, ?)", (rowid, bodies[cid]))

    def clear(self) -> None:
        self.db.execute("DELETE FROM fts")
        self.db.execute("DELETE FROM chunks")

    def common(self, query: str) -> set[str]:
        """Query tokens in at least half the chunks. FTS5's bm25() gives them an idf of 1e-6 (its idf,
        log((N - n + 0.5) / (n + 0.5)), is <= 0 there), so they change no score; leaving them out of the
        MATCH spares scoring nearly every row of a large index."""
        toks = list(dict.fromkeys(tokens(query)))
        if not toks:
            return set()
        with self.lock:
            n, df = self._stats(toks)
            if n < COMMON_MIN_ROWS:
                return set()
            return {t for t in toks if 2 * df[t] >= n}

    def top(self, query: str, k: int) -> list[tuple[str, float]]:
        """The k best (chunk id, BM25 score > 0), best first."""
        expr = match_expression(query, self.common(query))
        if not expr or k <= 0:
            return []
        with self.lock:
            rows = self.db.execute("SELECT c.cid, -bm25(fts) FROM fts JOIN chunks c ON c.id = fts.rowid "
                                   "WHERE fts MATCH ? ORDER BY bm25(fts) LIMIT ?", (expr, k)).fetchall()
        return [(cid, float(s)) for cid, s in rows]

    def scores(self, query: str, ids: list[str] | None = None) -> dict[str, float]:
        """BM25 of every matching chunk, or of those among `ids` (absent = no query word, or only words in
        half the chunks or more: their score is ~0)."""
        expr = match_expression(query, self.common(query))
        if not expr:
            return {}
        sql = "SELECT c.cid, -bm25(fts) FROM fts JOIN chunks c ON c.id = fts.rowid WHERE fts MATCH ?"
        out: dict[str, float] = {}
        with self.lock:
            if ids is None:
                return {cid: float(s) for cid, s in self.db.execute(sql, (expr,))}
            for i in range(0, len(ids), BATCH):
                part = ids[i:i + BATCH]
                marks = ",".join("?" * len(part))
                out.update((cid, float(s)) for cid, s in
                           self.db.execute(sql + f" AND c.cid IN ({marks})", (expr, *part)))
        return out


class KeywordIndex(Fts):
    """An Fts kept in step with a Store (see the module doc). `refresh()` before reading."""

    def __init__(self, store, path: Path | None = None) -> None:
        super().__init__(path if path is not None else store.keywords_path)
        self.store = store
        self.rebuilds = 0  # full scans, for tests and the benchmark

    def _state(self, key: str, default: str = "") -> str:
        row = self.db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def _set_state(self, key: str, value) -> None:
        self.db.execute("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", (key, str(value)))

    def refresh(self) -> None:
        """Catch up with the store: apply new change-log entries; rebuild when out of step. If another
        process holds the file's write lock past the timeout (a long rebuild), search goes on with the
        rows as they are and the next refresh catches up."""
        try:
            self._refresh()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                raise
            log.warning("keyword index busy (%s): this search uses it as it is", exc)

    def _refresh(self) -> None:
        with self.lock:
            if self._state("collection") != str(self.store.collection.id):
                self.rebuild()
                return
            seen = int(self._state("seen", "0"))
            entries = self.store.changes(seen - WINDOW_NS)
            if not entries:
                return
            marks = ",".join("?" * len(entries))
            done = {r[0] for r in self.db.execute(f"SELECT entry FROM applied WHERE entry IN ({marks})",
                                                  [e for e, _ in entries])}
            new = [(e, t) for e, t in entries if e not in done]
            if not new:
                return
            touched = list(dict.fromkeys(cid for ids in self.store.change_ids([e for e, _ in new]).values()
                                         for cid in ids))
            bodies = _bodies(self.store.documents(touched))
            self.db.execute("BEGIN IMMEDIATE")
            try:
                self._replace(touched, bodies)
                self.db.executemany("INSERT OR IGNORE INTO applied (entry, t) VALUES (?, ?)", new)
                newest = max(seen, max(t for _, t in new))
                self._set_state("seen", newest)
                self.db.execute("DELETE FROM applied WHERE t < ?", (newest - 2 * WINDOW_NS,))
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            if len(self) != self.store.count():
                self.rebuild()

    def rebuild(self) -> None:
        """The only full scan: every chunk's text, read in pages from the store and written page by page
        under the file's write lock, so memory holds one page, not the whole corpus's texts. Other processes
        meanwhile search the rows as they are (the lock's timeout: see refresh)."""
        with self.lock:
            started = time.time_ns()  # entries written during the scan are applied (again) by the next refresh
            self._forget()
            self.db.execute("BEGIN IMMEDIATE")
            try:
                if (self._state("collection") == str(self.store.collection.id)
                        and int(self._state("built", "0")) >= started):
                    self.db.execute("COMMIT")  # another process sharing the file rebuilt it while we waited
                    return
                self.clear()
                self.db.execute("DELETE FROM applied")
                page: dict[str, str] = {}
                for cid, doc, _ in self.store.iter_chunks():
                    page[cid] = doc
                    if len(page) >= REBUILD_PAGE:
                        self._replace(list(page), _bodies(page))  # _replace: an id seen twice keeps one row
                        page = {}
                self._replace(list(page), _bodies(page))
                self._set_state("collection", self.store.collection.id)
                self._set_state("seen", started)
                self._set_state("built", time.time_ns())
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.rebuilds += 1


def _bodies(texts: dict[str, str]) -> dict[str, str]:
    """What FTS5 indexes: Khabar's normalised tokens joined by spaces."""
    return {cid: " ".join(tokens(text)) for cid, text in texts.items()}
