"""Property-based fuzzing of every documented route with Schemathesis, through the real port.

The app (REST + Gradio, an API key set, the fake models) is served by uvicorn on loopback and
Schemathesis generates requests from its /openapi.json, bounded in count and time. Checked: no 5xx,
every status, content type, header and body as documented, 405 (with Allow) for undeclared methods.
Not checked: `positive_data_acceptance` / `negative_data_rejection`, which expect the schema to say
everything the routes check (a question with letters, a path that exists inside the articles root) and
count 413 `body_too_large` as "accepted". KHABAR_FUZZ_SECONDS / KHABAR_FUZZ_EXAMPLES make it longer."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.fakes import ScriptedLLM
from tests.servers import in_process_server

CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,"
          "response_headers_conformance,unsupported_method,missing_required_header")


def run_fuzz(url: str, seconds: int, examples: int, report: Path) -> tuple[int, str]:
    cli = Path(sys.executable).with_name("schemathesis")
    cmd = [str(cli), "run", f"{url}/openapi.json", "--checks", CHECKS, "--max-examples", str(examples),
           "--max-time", str(seconds), "--workers", "1", "--seed", "20261202", "--output-truncate", "true",
           "--header", "Authorization: Bearer fuzz-key", "--report", "ndjson", "--report-dir", str(report)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120,
                          env={**os.environ, "SCHEMATHESIS_TELEMETRY": "false", "NO_COLOR": "1"})
    return proc.returncode, proc.stdout + proc.stderr


def test_fuzz_every_route(make_pipeline, monkeypatch, tmp_path):
    from ui.app import create_app

    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio"))
    pipe = make_pipeline(ScriptedLLM("1", "ترأس الوفد الروسي سيرجي ريابكوف [1]."), api_key="fuzz-key",
                         allowed_hosts="")
    before = sorted(p.name for p in pipe.settings.articles_dir.iterdir())
    seconds = int(os.environ.get("KHABAR_FUZZ_SECONDS", "45"))
    examples = int(os.environ.get("KHABAR_FUZZ_EXAMPLES", "15"))
    with in_process_server(create_app(pipe.settings, pipe, web=True)) as url:
        code, out = run_fuzz(url, seconds, examples, tmp_path / "report")
    summary = "\n".join(out.splitlines()[-25:])
    generated = re.search(r"(\d+) generated", out)
    print(f"\nFUZZ {generated.group(0) if generated else '?'} in <= {seconds}s\n{summary}")
    assert code == 0, summary
    assert generated and int(generated.group(1)) >= 50, "the fuzzer really ran"
    assert re.search(r"Tested: 8\b", out), "every documented operation was fuzzed"
    # fuzzing wrote nothing: the key is valid, but no generated path exists inside the articles root
    assert sorted(p.name for p in pipe.settings.articles_dir.iterdir()) == before
    assert not (tmp_path / "gradio").exists() or not any(p.is_file() for p in (tmp_path / "gradio").rglob("*"))
