#!/usr/bin/env bash
# Khabar setup: virtualenv, Python packages, verified model weights. Idempotent.
#   ./setup.sh          set up for running Khabar
#   ./setup.sh --test   also the test tools (pytest, playwright, Debian's chromium)
set -euo pipefail
cd "$(dirname "$0")"

want_test=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    *) echo "usage: ./setup.sh [--test]" >&2; exit 2 ;;
  esac
done

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
started=$(date +%s)
step() { printf '\n==> %s\n' "$*"; }
# this machine's pip config names local mirrors that may not exist: drop that noise, keep real errors
quiet_pip() { "$VPY" -m pip "$@" 2>&1 | { grep -v "^WARNING: Location 'file://" || true; }; }

if [ ! -x .venv/bin/python ]; then
  step "creating .venv"
  "$PY" -m venv .venv
fi
VPY=.venv/bin/python
export PIP_DISABLE_PIP_VERSION_CHECK=1

# llama.cpp is compiled for portable AVX2, not -march=native: on CPUs with AMX (Sapphire Rapids and later)
# the native build repacks Q4_K weights for AMX and segfaults in the first decode (ggml-org/llama.cpp#20824).
LLAMA_CMAKE_ARGS="${CMAKE_ARGS:--DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON}"
stamp=.venv/.khabar-installed
deps="$( (cat pyproject.toml; echo "$LLAMA_CMAKE_ARGS") | sha256sum | cut -c1-16)"
have="$(cat "$stamp" 2>/dev/null || true)"
# a test install also satisfies a plain one
if [ "$have" != "$deps-$want_test" ] && [ "$have" != "$deps-1" ]; then
  step "installing torch==2.13.0 (CPU build) first"
  quiet_pip install -q "torch==2.13.0"
  step "compiling llama-cpp-python for this build configuration (once: a few minutes)"
  llama_pin=$(grep -o '"llama-cpp-python==[^"]*"' pyproject.toml | tr -d '"')
  llama_flags_file=.venv/.khabar-llama-flags
  if [ "$(cat "$llama_flags_file" 2>/dev/null)" != "$LLAMA_CMAKE_ARGS $llama_pin" ]; then
    # no wheel cache here: a cached wheel may have been compiled with other flags
    CMAKE_ARGS="$LLAMA_CMAKE_ARGS" quiet_pip install -q --no-cache-dir --force-reinstall --no-deps "$llama_pin"
    echo "$LLAMA_CMAKE_ARGS $llama_pin" > "$llama_flags_file"
  fi
  step "installing khabar and its dependencies"
  extra=""; [ "$want_test" = 1 ] && extra="[test]"
  CMAKE_ARGS="$LLAMA_CMAKE_ARGS" quiet_pip install -q -e ".${extra}"
  echo "$deps-$want_test" > "$stamp"
else
  step "python packages already installed"
fi

step "fetching and verifying models into ${KHABAR_MODELS_DIR:-$HOME/.cache/khabar/models}"
"$VPY" -m index.models fetch

if [ "$want_test" = 1 ]; then
  # the embedding-server tests serve EmbeddingGemma from llama.cpp's server: converted here, offline from
  # the verified model folder, with the converter of the installed llama.cpp (its sdist from PyPI, once)
  step "converting EmbeddingGemma to GGUF for the embedding-server tests (once)"
  "$VPY" -m index.embed_gguf
fi

if [ "$want_test" = 1 ] && ! command -v chromium >/dev/null; then
  step "installing Debian's chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "warning: could not install chromium; browser tests will be skipped" >&2
  else
    echo "warning: not root; install chromium (sudo apt-get install chromium) for the browser tests" >&2
  fi
fi

step "setup done in $(( $(date +%s) - started ))s"
