"""EmbeddingGemma as a GGUF file, for llama.cpp's embedding server, made by llama.cpp's own converter.

    python -m index.embed_gguf [--outtype f32|f16|bf16|q8_0]   # prints the path of the GGUF

The converter (`convert_hf_to_gguf.py`, its `conversion/` package and `gguf-py/`) comes from the
llama.cpp source vendored in llama-cpp-python's sdist, of the installed version: `pip download
--no-binary :all:` fetches it once (PyPI), only those files are kept under ~/.cache/khabar/src/. The
model is read from the local folder (no hub); the sentence-transformers Dense layers are included
(`--sentence-transformers-dense-modules`), so the server's pooled vector is the model's output.
The GGUF is cached next to the model: <models_dir>/embeddinggemma-300m-<outtype>.gguf.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import tempfile
from importlib.metadata import version
from pathlib import Path

KEEP = ("convert_hf_to_gguf.py", "conversion/", "gguf-py/gguf/", "LICENSE")


def gguf_path(settings, outtype: str = "f32") -> Path:
    return settings.models_dir / f"embeddinggemma-300m-{outtype}.gguf"


def converter_dir(cache: Path | None = None) -> Path:
    """llama.cpp's converter of the installed llama-cpp-python, extracted once from its sdist."""
    ver = version("llama_cpp_python")
    cache = cache or Path.home() / ".cache" / "khabar" / "src"
    dest = cache / f"llama.cpp-{ver}"
    if (dest / "convert_hf_to_gguf.py").is_file():
        return dest
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", f"llama-cpp-python=={ver}", "--no-binary", ":all:",
                        "--no-deps", "-q", "-d", tmp], check=True)
        sdist = next(Path(tmp).glob("llama_cpp_python-*.tar.gz"))
        prefix = f"{sdist.name[:-len('.tar.gz')]}/vendor/llama.cpp/"
        staged = Path(tmp) / "llama.cpp"
        with tarfile.open(sdist) as tar:
            for member in tar.getmembers():
                rel = member.name[len(prefix):] if member.name.startswith(prefix) else None
                if rel and member.isfile() and any(rel == k or rel.startswith(k) for k in KEEP):
                    member.name = rel
                    tar.extract(member, staged, filter="data")
        staged.rename(dest)
    return dest


def convert(settings, outtype: str = "f32", force: bool = False) -> Path:
    """The cached GGUF of the configured EmbeddingGemma folder (converted on first use, ~30 s)."""
    out = gguf_path(settings, outtype)
    if out.is_file() and not force:
        return out
    model = Path(settings.embed_model_path)
    if not (model / "config.json").is_file():
        raise FileNotFoundError(f"embedding model not found at {model} (run ./setup.sh)")
    src = converter_dir()
    part = out.with_suffix(".gguf.part")
    out.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, str(src / "convert_hf_to_gguf.py"), str(model), "--outtype", outtype,
                           "--sentence-transformers-dense-modules", "--outfile", str(part)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=src)
    if done.returncode != 0:
        part.unlink(missing_ok=True)
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        raise RuntimeError(f"llama.cpp's converter failed ({done.returncode}): {tail}")
    part.rename(out)
    return out


def main(argv: list[str] | None = None) -> int:
    from .config import IndexSettings as Settings

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--outtype", default="f32", choices=["f32", "f16", "bf16", "q8_0"])
    p.add_argument("--force", action="store_true", help="convert again even if the file exists")
    args = p.parse_args(argv)
    print(convert(Settings(), args.outtype, args.force))
    return 0


if __name__ == "__main__":
    sys.exit(main())
