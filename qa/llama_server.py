"""`python -m qa.llama_server <llama_cpp.server arguments>`: llama.cpp's OpenAI-compatible server
(llama-cpp-python[server]) with Khabar's repacking guard (qa.llm.set_repack, KHABAR_LLM_REPACK)
applied first, so it runs on the AMX builds where plain `python -m llama_cpp.server` crashes."""
from __future__ import annotations

import os
import sys


def main() -> int:
    from qa.llm import set_repack

    set_repack(os.environ.get("KHABAR_LLM_REPACK", "auto"))
    from llama_cpp.server.__main__ import main as server_main

    sys.argv[0] = "llama_cpp.server"
    server_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
