"""Where and when an article was published: `published` (ISO date), `source` (the outlet), `url`, `author`.

For .txt/.md files the fields come from an optional front-matter block at the top of the file

    ---
    published: 2022-01-10
    source: Reuters
    url: https://www.reuters.com/...
    author: Jane Doe
    ---

or from a sidecar JSON beside it (`name.json` for `name.txt`); the front matter wins over the sidecar.
Web pages get them from the extractor (index/extract.py) and feeds.

In Chroma the outlet is stored as `outlet` (the metadata field `source` has always been the file the
article came from, and `/api/articles` shows it); `published_int` (YYYYMMDD) and `outlet_key` (case-
folded) are what the `since` / `until` / `source` filters match inside the vector query.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path

FIELDS = ("published", "source", "url", "author")
_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(\r?\n|\Z)", re.DOTALL)
_KEY = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")
_ALIASES = {"date": "published", "published_at": "published", "outlet": "source", "sitename": "source",
            "site": "source", "link": "url", "byline": "author"}


@dataclass
class ArticleMeta:
    published: str | None = None  # YYYY-MM-DD
    source: str | None = None  # the outlet: "Reuters", "SANA"
    url: str | None = None
    author: str | None = None

    def merged(self, other: "ArticleMeta") -> "ArticleMeta":
        """Fields of self, with other's where self has none."""
        return ArticleMeta(**{f: getattr(self, f) or getattr(other, f) for f in FIELDS})

    def to_dict(self) -> dict:
        return asdict(self)


def iso_date(value: object) -> str | None:
    """'2022-01-10', '2022-01-10T08:00:00Z', a date / datetime / time.struct_time -> '2022-01-10'."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "tm_year"):  # feedparser's *_parsed
        return date(value.tm_year, value.tm_mon, value.tm_mday).isoformat()
    m = re.match(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})", str(value))
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return None


def parse_date_arg(value: str | None) -> str | None:
    """A `since` / `until` argument: YYYY-MM-DD or nothing; ValueError otherwise."""
    if value is None or not str(value).strip():
        return None
    d = iso_date(value)
    if d is None or not re.fullmatch(r"\s*\d{4}-\d{1,2}-\d{1,2}\s*", str(value)):
        raise ValueError(f"not a date (YYYY-MM-DD): {value!r}")
    return d


def date_int(iso: str) -> int:
    return int(iso.replace("-", ""))


def outlet_key(outlet: str) -> str:
    return " ".join(outlet.casefold().split())


def _from_mapping(data: dict) -> ArticleMeta:
    out = {}
    for key, value in data.items():
        key = _ALIASES.get(str(key).strip().lower(), str(key).strip().lower())
        if key in FIELDS and value not in (None, "") and key not in out:
            out[key] = iso_date(value) if key == "published" else str(value).strip()
    return ArticleMeta(**out)


def split_front_matter(text: str) -> tuple[ArticleMeta | None, str]:
    """(fields, text without the block) when the text starts with a `---` block of `key: value` lines."""
    m = _FRONT.match(text)
    if not m:
        return None, text
    pairs = {}
    for line in m.group(1).splitlines():
        km = _KEY.match(line)
        if not km:
            if line.strip():
                return None, text  # not front matter after all (a Markdown rule, say)
            continue
        pairs[km[1]] = km[2].strip().strip('"\'')
    return _from_mapping(pairs), text[m.end():]


def sidecar(path: Path) -> ArticleMeta | None:
    """`name.json` beside `name.txt`; unreadable or not an object: ignored."""
    side = path.with_suffix(".json")
    if side == path or not side.is_file() or side.is_symlink() or side.stat().st_size > 100_000:
        return None
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return None
    return _from_mapping(data) if isinstance(data, dict) else None


def chroma_fields(meta: ArticleMeta) -> dict:
    """What goes into each chunk's Chroma metadata (no None values: Chroma takes none)."""
    out: dict = {}
    if meta.published:
        out["published"] = meta.published
        out["published_int"] = date_int(meta.published)
    if meta.source:
        out["outlet"] = meta.source
        out["outlet_key"] = outlet_key(meta.source)
    if meta.url:
        out["url"] = meta.url
    if meta.author:
        out["author"] = meta.author
    return out


def filter_fields(meta: dict) -> dict:
    """The stored fields the filters match: also written on each chunk's evidence sentences."""
    return {k: meta[k] for k in ("published_int", "outlet_key") if k in meta}


def public(meta: dict) -> dict:
    """Stored chunk metadata -> the fields every search hit and citation carries."""
    try:
        also = json.loads(meta.get("also") or "[]")
    except ValueError:
        also = []
    return {"published": meta.get("published") or None, "source": meta.get("outlet") or None,
            "url": meta.get("url") or None, "author": meta.get("author") or None, "also": also}


def meta_hash(fields: dict) -> str:
    return hashlib.sha1(json.dumps(fields, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def where(since: str | None = None, until: str | None = None, source: str | list[str] | None = None) -> dict | None:
    """A Chroma `where` for the filters (None: no filter). `source` may list several outlets, comma-separated."""
    clauses: list[dict] = []
    if since:
        clauses.append({"published_int": {"$gte": date_int(since)}})
    if until:
        clauses.append({"published_int": {"$lte": date_int(until)}})
    if source:
        names = source if isinstance(source, list) else str(source).split(",")
        keys = sorted({outlet_key(s) for s in names if s.strip()})
        if keys:
            clauses.append({"outlet_key": keys[0]} if len(keys) == 1 else {"outlet_key": {"$in": keys}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def hit_json(hit) -> dict:
    """A search hit (index.store.Hit) as JSON: /api/search and `khabar search --json`."""
    return {"chunk_id": hit.chunk_id, "article_id": hit.article_id, "title": hit.title, "text": hit.text,
            "score": round(float(hit.score), 4), **public(hit.metadata)}
