"""`khabar serve`: one process, one uvicorn worker, models loaded once.

The page and /health answer at once; the pipeline loads in the background (and, when the index is
empty, indexes settings.articles_dir first), then /health says "ok".
"""
from __future__ import annotations

import logging
import sys

from index.config import offline_env

from .config import Settings


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> int:
    offline_env()
    import uvicorn

    from .app import create_app

    host = host or settings.host
    port = port or settings.port
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("khabar").setLevel(logging.INFO)
    settings = settings.model_copy(update={"host": host, "port": port})  # the Host allow-list has the bound name
    app = create_app(settings, ingest_if_empty=True)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{'[' + shown + ']' if ':' in shown else shown}:{port}"
    print(f"khabar: serving on {url}  (chat {url}/ · API docs {url}/docs · health {url}/health)", flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"khabar: listening on {host}: reachable from other machines"
              + ("" if settings.api_key else "; POST /api/ingest stays disabled (no KHABAR_API_KEY)"), flush=True)
    print(f"khabar: loading the models (LLM: {settings.llm_mode}) ...", flush=True)
    try:
        uvicorn.run(app, host=host, port=port, workers=1, log_level="warning", access_log=False,
                    timeout_graceful_shutdown=5, h11_max_incomplete_event_size=65_536,
                    proxy_headers=False)  # a 4,000-char ?q=
    except KeyboardInterrupt:
        return 130
    except SystemExit as exc:  # uvicorn exits 1 when the port is taken
        return int(exc.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(serve(Settings()))
