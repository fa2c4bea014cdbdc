"""A reusable copy of eval.run's temp index (`--index-cache DIR`): building it embeds 125 files and takes
most of a gold run on 2 cores, while the index depends only on what is hashed here. The key covers every
input of ingest: the bytes of each file indexed, the source of every module under index/, the index
settings (IndexSettings' fields, minus paths that differ per run; the answering settings never reach
ingest), the model files (names and sizes; setup verified their sha256) and the versions of chromadb,
torch and transformers. Anything else changed means a new key, so a cached index is
never stale; an index built once is copied, never opened in place, so a run can't alter the cache."""
from __future__ import annotations

import hashlib
import json
import shutil
from importlib import metadata
from pathlib import Path

import index
from index.config import IndexSettings

_RUN_PATHS = {"data_dir", "articles_dir"}  # differ per run; the files' bytes are hashed instead


def cache_key(settings) -> str:
    h = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        h.update(f"{label}\0{len(data)}\0".encode())
        h.update(data)

    for f in sorted(Path(settings.articles_dir).iterdir()):
        if f.is_file():
            add(f"article:{f.name}", f.read_bytes())
    src = Path(index.__file__).parent
    for f in sorted(src.rglob("*.py")):
        add(f"source:{f.relative_to(src)}", f.read_bytes())
    fields = {k: str(getattr(settings, k)) for k in IndexSettings.model_fields if k not in _RUN_PATHS}
    add("settings", json.dumps(fields, sort_keys=True).encode())
    models = Path(settings.models_dir)
    if models.is_dir():
        for f in sorted(models.rglob("*")):
            if f.is_file():
                add(f"model:{f.relative_to(models)}", str(f.stat().st_size).encode())
    for dist in ("chromadb", "torch", "transformers"):
        try:
            add(f"version:{dist}", metadata.version(dist).encode())
        except metadata.PackageNotFoundError:
            add(f"version:{dist}", b"absent")
    return h.hexdigest()[:24]


def restore(cache: Path, key: str, data_dir: Path) -> bool:
    """Copy the cached index for key into data_dir (absent); False when there is none."""
    built = Path(cache) / key
    if not (built / "complete").is_file():
        return False
    shutil.copytree(built / "data", data_dir)
    return True


def save(cache: Path, key: str, data_dir: Path) -> Path:
    """Keep a copy of a freshly built index (data_dir) under key; a half-written copy never counts."""
    built = Path(cache) / key
    tmp = Path(cache) / f".{key}.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(data_dir, tmp / "data")
    (tmp / "complete").write_text("", encoding="utf-8")
    shutil.rmtree(built, ignore_errors=True)
    tmp.rename(built)
    return built
