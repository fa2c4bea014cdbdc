"""Servers for tests: a free loopback port, and an app served by a real uvicorn in a thread."""
from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def in_process_server(app):
    """Serve the ASGI app on 127.0.0.1 with uvicorn (real HTTP, real routes); yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", access_log=False,
                                           h11_max_incomplete_event_size=65_536))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started:
        assert time.time() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)


def wait_http(url: str, ok, seconds: float, what: str, proc=None) -> None:
    """Poll `url` until ok(response); fail the test if `proc` exits or time runs out."""
    import httpx
    import pytest

    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"{what} exited with {proc.returncode}")
        try:
            if ok(httpx.get(url, timeout=2)):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail(f"{what} did not come up in {seconds:.0f} s")


def stop(proc) -> None:
    """SIGINT, then kill if it lingers."""
    import signal
    import subprocess

    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextmanager
def chroma_server(path):
    """A real `chroma run` on a free loopback port, storing in `path`; yields its URL (skips without the CLI)."""
    import subprocess
    import sys
    from pathlib import Path

    import pytest

    chroma = Path(sys.executable).with_name("chroma")
    if not chroma.exists():
        pytest.skip("chroma CLI not installed")
    port = free_port()
    proc = subprocess.Popen([str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", lambda r: r.status_code == 200, 60, "chroma", proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


def health(url: str) -> dict | None:
    """A Khabar server's /health JSON, or None while it does not answer."""
    import json
    import urllib.request

    try:
        with urllib.request.urlopen(url + "/health", timeout=5) as resp:
            return json.loads(resp.read())
    except OSError:
        return None


@contextmanager
def khabar_serve(tmp, articles, llm: str, seconds: float):
    """A real `khabar serve` subprocess on a free loopback port over `articles`, its data in `tmp`;
    yields {"url", "proc", "log"} once /health answers, and stops it after."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import pytest

    url = f"http://127.0.0.1:{free_port()}"
    env = {**os.environ, "KHABAR_DATA_DIR": str(tmp / "data"), "KHABAR_ARTICLES_DIR": str(articles),
           "KHABAR_LLM": llm}
    env.pop("KHABAR_API_KEY", None)
    khabar = Path(sys.executable).with_name("khabar")
    cmd = [str(khabar)] if khabar.exists() else [sys.executable, "-m", "ui.cli"]
    port = url.rsplit(":", 1)[1]
    with open(tmp / "server.log", "w+") as log:
        proc = subprocess.Popen(cmd + ["serve", "--host", "127.0.0.1", "--port", port],
                                cwd=Path(__file__).resolve().parents[1], env=env,
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + seconds
            while health(url) is None:
                if proc.poll() is not None or time.time() > deadline:
                    log.seek(0)
                    pytest.fail(f"khabar serve did not start:\n{log.read()[-3000:]}")
                time.sleep(0.3)
            yield {"url": url, "proc": proc, "log": log}
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
