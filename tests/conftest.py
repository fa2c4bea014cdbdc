"""Shared fixtures: settings on a temp dir, a real embedded Chroma, the seed articles indexed with the
fake embedder; models-marked tests are skipped when the models are not set up."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from index.config import BUNDLED_ARTICLES, offline_env
from ui.config import Settings

offline_env()
os.environ.setdefault("KHABAR_LLM", "none")

from tests.fakes import FakeEmbedder, ScriptedLLM  # noqa: E402


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # "testserver" is the Host that Starlette's TestClient sends: allowed like a name an operator adds
    return Settings(data_dir=tmp_path / "data", articles_dir=tmp_path / "articles", llm="none",
                    refusal_threshold=0.05, allowed_hosts="testserver")


@pytest.fixture
def articles(settings: Settings) -> Path:
    shutil.copytree(BUNDLED_ARTICLES, settings.articles_dir)
    return settings.articles_dir


@pytest.fixture
def store(settings: Settings):
    from index.store import Store

    return Store(settings)


@pytest.fixture
def embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def indexed(settings, articles, store, embedder):
    """The seed articles ingested with the fake embedder into a real Chroma in a temp dir."""
    from index.ingest import ingest

    ingest(articles, store, embedder, settings, progress=False)
    return store


@pytest.fixture
def make_pipeline(settings, indexed, embedder):
    from qa.pipeline import Pipeline

    def make(llm=None, **overrides):
        s = settings.model_copy(update=overrides)
        return Pipeline(s, indexed, embedder, llm)

    return make


def models_ready() -> bool:
    from index.models import EMBEDDER, LLM, ModelError, verify

    s = Settings()
    try:
        verify(EMBEDDER, s.models_dir)
        verify(LLM, s.models_dir)
    except ModelError:
        return False
    return True


def pytest_collection_modifyitems(config, items):
    if any("models" in item.keywords for item in items) and not models_ready():
        skip = pytest.mark.skip(reason="models not set up: run ./setup.sh")
        for item in items:
            if "models" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("real-data"), allowed_hosts="testserver")


@pytest.fixture(scope="session")
def real_pipeline(real_settings):
    """The real models, loaded once for the whole session, on the seed articles."""
    from index.ingest import ingest
    from qa.pipeline import Pipeline

    pipe = Pipeline.from_settings(real_settings, llm="local")
    ingest(BUNDLED_ARTICLES, pipe.store, pipe.embedder, real_settings, progress=False)
    return pipe


__all__ = ["FakeEmbedder", "ScriptedLLM"]
