#!/usr/bin/env bash
# A scale-out topology on one machine, all on loopback: one Chroma server, one llama.cpp
# OpenAI-compatible LLM server, one llama.cpp embedding server (EmbeddingGemma as GGUF), and N
# stateless `khabar serve` replicas sharing all three.
#
#   deploy/local-cluster.sh start [N]   # default N=2; replicas on ports 8101, 8102, ...
#   deploy/local-cluster.sh status
#   deploy/local-cluster.sh stop
#
# Everything it starts is recorded in $CLUSTER_DIR/*.pid and stopped by those ids only.
# Settings (environment): CLUSTER_DIR (default ./.cluster), PYTHON (default .venv/bin/python),
# CHROMA_PORT (8001), LLM_PORT (8002), EMBED_PORT (8003), FIRST_PORT (8101), KHABAR_API_KEY (enables
# /api/ingest on every replica), LLM=server|none (none: extractive replicas, no LLM server),
# EMBED=server|none (none: each replica embeds in process), and any KHABAR_* setting.
# The embedding GGUF is made once by `python -m index.embed_gguf` (llama.cpp's own converter, from the
# local model folder) and cached in the models folder.
# For real hosts: run the same servers on their own machines, bind them to a private address instead
# of 127.0.0.1, and point KHABAR_CHROMA_URL / KHABAR_LLM_URL / KHABAR_EMBED_URL of every replica at
# them (put a load balancer in front of the replicas' ports).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CLUSTER_DIR="${CLUSTER_DIR:-$ROOT/.cluster}"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
CHROMA="$(dirname "$PYTHON")/chroma"
CHROMA_PORT="${CHROMA_PORT:-8001}"
LLM_PORT="${LLM_PORT:-8002}"
FIRST_PORT="${FIRST_PORT:-8101}"
EMBED_PORT="${EMBED_PORT:-8003}"
LLM="${LLM:-server}"
EMBED="${EMBED:-server}"
MODELS_DIR="${KHABAR_MODELS_DIR:-$HOME/.cache/khabar/models}"
GGUF="${KHABAR_LLM_PATH:-$MODELS_DIR/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf}"
THREADS="${KHABAR_LLM_THREADS:-2}"

wait_ready() {  # port seconds name: /health says "ok" (models loaded, index ready)
  local deadline=$((SECONDS + $2))
  until curl -fsS "http://127.0.0.1:$1/health" 2>/dev/null | grep -q '"status":"ok"'; do
    if ((SECONDS > deadline)); then echo "$3 not ready (see $CLUSTER_DIR/$3.log)" >&2; return 1; fi
    sleep 1
  done
}

wait_http() {  # url seconds name
  local deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$1" 2>/dev/null; do
    if ((SECONDS > deadline)); then echo "$3 did not answer at $1 (see $CLUSTER_DIR/$3.log)" >&2; return 1; fi
    sleep 0.5
  done
}

launch() {  # name command...
  local name=$1; shift
  "$@" >"$CLUSTER_DIR/$name.log" 2>&1 &
  echo $! >"$CLUSTER_DIR/$name.pid"
  echo "started $name (pid $!)"
}

start() {
  local n=${1:-2}
  mkdir -p "$CLUSTER_DIR"
  launch chroma "$CHROMA" run --path "$CLUSTER_DIR/chroma" --host 127.0.0.1 --port "$CHROMA_PORT"
  wait_http "http://127.0.0.1:$CHROMA_PORT/api/v2/heartbeat" 60 chroma
  local llm_env=(KHABAR_LLM=none)
  if [[ "$LLM" == server ]]; then
    launch llm env OMP_WAIT_POLICY=PASSIVE "$PYTHON" -m llama_cpp.server --model "$GGUF" --host 127.0.0.1 \
      --port "$LLM_PORT" --model_alias khabar-llm --n_ctx 4096 --n_threads "$THREADS" \
      --n_threads_batch "$THREADS" --n_batch 512 --seed 0 --interrupt_requests False --logits_all False
    wait_http "http://127.0.0.1:$LLM_PORT/v1/models" 180 llm
    llm_env=(KHABAR_LLM=openai "KHABAR_LLM_URL=http://127.0.0.1:$LLM_PORT/v1" KHABAR_LLM_MODEL=khabar-llm)
  fi
  local embed_env=()
  if [[ "$EMBED" == server ]]; then
    local embed_gguf
    embed_gguf="$("$PYTHON" -m index.embed_gguf --outtype f32 | tail -1)"
    # non-causal model: one batch must hold a whole passage (n_batch = n_ubatch = n_ctx)
    launch embed env OMP_WAIT_POLICY=PASSIVE "$PYTHON" -m llama_cpp.server --model "$embed_gguf" --host 127.0.0.1 \
      --port "$EMBED_PORT" --model_alias khabar-embed --embedding true --n_ctx 2048 --n_batch 2048 \
      --n_ubatch 2048 --n_threads "$THREADS" --n_threads_batch "$THREADS"
    wait_http "http://127.0.0.1:$EMBED_PORT/v1/models" 120 embed
    embed_env=("KHABAR_EMBED_URL=http://127.0.0.1:$EMBED_PORT/v1" KHABAR_EMBED_SERVER_MODEL=khabar-embed)
  fi
  for ((i = 0; i < n; i++)); do
    local port=$((FIRST_PORT + i))
    # the first replica indexes data/articles when the shared index is empty; the others wait for it
    launch "replica-$i" env KHABAR_CHROMA_URL="http://127.0.0.1:$CHROMA_PORT" "${llm_env[@]}" "${embed_env[@]}" \
      KHABAR_DATA_DIR="$CLUSTER_DIR/replica-$i" "$PYTHON" -m ui.cli serve --host 127.0.0.1 --port "$port"
    if ((i == 0)); then wait_ready "$port" 900 replica-0; fi
  done
  for ((i = 1; i < n; i++)); do wait_ready "$((FIRST_PORT + i))" 300 "replica-$i"; done
  status
}

stop() {
  local f pid
  for f in "$CLUSTER_DIR"/replica-*.pid "$CLUSTER_DIR"/llm.pid "$CLUSTER_DIR"/embed.pid "$CLUSTER_DIR"/chroma.pid; do
    [[ -f "$f" ]] || continue
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
      kill -INT "$pid" 2>/dev/null || true
      for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
      echo "stopped $(basename "$f" .pid) (pid $pid)"
    fi
    rm -f "$f"
  done
}

status() {
  local f name pid
  for f in "$CLUSTER_DIR"/*.pid; do
    [[ -f "$f" ]] || continue
    name=$(basename "$f" .pid); pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then echo "$name: running (pid $pid)"; else echo "$name: not running"; fi
  done
  for f in "$CLUSTER_DIR"/replica-*.pid; do
    [[ -f "$f" ]] || continue
    name=$(basename "$f" .pid)
    local port=$((FIRST_PORT + ${name#replica-}))
    echo "$name http://127.0.0.1:$port/health -> $(curl -fsS "http://127.0.0.1:$port/health" 2>/dev/null || echo down)"
  done
}

cd "$ROOT"
case "${1:-}" in
  start) start "${2:-2}" ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start [N] | stop | status" >&2; exit 2 ;;
esac
