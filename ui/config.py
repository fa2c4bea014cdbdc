"""All settings: the question-answering ones (qa/config.py) plus serving. The CLI and the server build this."""
from __future__ import annotations

from qa.config import QASettings


class Settings(QASettings):
    host: str = "127.0.0.1"
    port: int = 8000
    api_key: str | None = None  # enables POST /api/ingest
    max_upload_bytes: int = 5_000_000
    queue_size: int = 4  # requests waiting for the LLM beyond the one generating
    max_body_bytes: int = 262_144  # any request body except /api/ingest (which has max_upload_bytes)
    max_context_chars: int = 160  # of each earlier message, what reaches retrieval and the LLM (gold questions: <= 150)
    max_context_messages: int = 8  # earlier messages that reach the pipeline (the newest)
    allowed_hosts: str = ""  # comma-separated Host names served besides loopback and the bound address; * = any
    cors_origins: str = ""  # comma-separated origins allowed cross-origin access; none by default

    @property
    def allowed_host_list(self) -> list[str]:
        return [h.strip() for h in self.allowed_hosts.split(",") if h.strip()]

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]
