#!/usr/bin/env bash
# GPU smoke test in one call: random-weight Qwen2.5-Coder models of the real shapes (no hub access needed),
#   1. 1.5B LoRA SFT (train_args/qwen-lora.json) for a few steps with an evaluation,
#   2. 7B QLoRA SFT (train_args/qwen-qlora.json) for a few steps with an evaluation,
#   3. generation with hf and vllm (1.5B base + the LoRA adapter),
#   4. distributed on every GPU (torchrun): DeepSpeed ZeRO-3 full and LoRA, FSDP full and LoRA (1.5B),
# printing one RESULT line per stage with tokens/s and peak memory, then a summary.
#
#   scripts/gpu_smoke.sh               # on a GPU machine (about 10 minutes on one H100)
#   scripts/gpu_smoke.sh --dry-run     # same stages on CPU with micro models (CPU=1 does the same)
#
# Environment: PYTHON (default python3), WORK (scratch folder, default a new temp dir), STEPS (training steps,
# default 10), TOKENIZER (default ../shared/models/qwen2.5-tokenizer), SKIP_7B=1, SKIP_VLLM=1, NPROC_GPU
# (processes for the distributed stages, default every GPU).
# A failed stage is reported and the others still run; the exit status is non-zero if any stage failed.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
DRY="${CPU:-0}"
for arg in "$@"; do
  case "$arg" in
    --dry-run) DRY=1 ;;
    -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "error: unknown argument $arg (use --dry-run)" >&2; exit 2 ;;
  esac
done
WORK="${WORK:-$(mktemp -d -t t2s-gpu-smoke-XXXX)}"
mkdir -p "$WORK"
TOKENIZER="${TOKENIZER:-$ROOT/../shared/models/qwen2.5-tokenizer}"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
SMOKE=("$PYTHON" "$ROOT/scripts/gpu_smoke.py")
LOG="$WORK/smoke.log"
FAILED=0

if [ "$DRY" = "1" ]; then
  SMALL=micro; BIG=micro; STEPS="${STEPS:-2}"
  # CPU: no bf16, no paged optimizer, short rows, tiny batches
  COMMON=(--set bf16=false --set fp16=false --set optim=adamw_torch --set gradient_checkpointing=false
          --set max_seq_length=768 --set per_device_train_batch_size=2
          --set gradient_accumulation_steps=1 --set per_device_eval_batch_size=2)
  GEN=(--prompts 4 --new-tokens 8 --batch-size 4)
  EVAL_ROWS=4
else
  SMALL=qwen2.5-coder-1.5b; BIG=qwen2.5-coder-7b; STEPS="${STEPS:-10}"
  COMMON=(--set per_device_eval_batch_size=4)
  GEN=(--prompts 64 --new-tokens 128 --batch-size 32)
  EVAL_ROWS=32
fi
TOK_ARG=()  # dry run: the small bundled tokenizer (a 151k vocabulary would dominate a micro model's cost)
if [ "$DRY" != "1" ]; then
  [ -f "$TOKENIZER/tokenizer_config.json" ] || { echo "error: no Qwen2.5 tokenizer at $TOKENIZER (set TOKENIZER)" >&2; exit 2; }
  TOK_ARG=(--tokenizer "$TOKENIZER")
fi

stage() {  # stage NAME CMD...: run with its own log, show its RESULT line, remember failures
  local name="$1"; shift
  echo "== $name" | tee -a "$LOG"
  "$@" > "$WORK/$name.log" 2>&1
  local rc=$?
  cat "$WORK/$name.log" >> "$LOG"
  grep -E "^(RESULT|SKIPPED|FAILED)|^error:" "$WORK/$name.log"
  if [ "$rc" -ne 0 ]; then
    tail -n 5 "$WORK/$name.log"
    echo "FAILED $name (exit $rc; full output in $WORK/$name.log)" | tee -a "$LOG"
    FAILED=1
  fi
  return 0
}

echo "t2s GPU smoke: dry_run=$DRY work=$WORK steps=$STEPS"
"$PYTHON" - <<'EOF' 2>/dev/null | tee -a "$LOG"
import torch, transformers, trl, peft
gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU (CPU)"
print(f"device: {gpu}; torch {torch.__version__}, transformers {transformers.__version__}, trl {trl.__version__}, peft {peft.__version__}")
EOF

# data: SFT rows from the bundled sample (train) and its dev split for evaluation
stage data-train "$PYTHON" -m text2sql build-sft --output "$WORK/train.jsonl" --split train
stage data-dev "$PYTHON" -m text2sql build-sft --output "$WORK/dev-all.jsonl" --split dev
head -n "$EVAL_ROWS" "$WORK/dev-all.jsonl" > "$WORK/dev.jsonl"

stage build-small "${SMOKE[@]}" build "$SMALL" "$WORK/model-small" "${TOK_ARG[@]}"
TRAIN_SET=(--set "train_file=$WORK/train.jsonl" --set "eval_file=$WORK/dev.jsonl" --set "max_steps=$STEPS"
           --set "eval_strategy=steps" --set "eval_steps=$STEPS" --set "save_strategy=no" --set "logging_steps=1"
           --set "report_to=none" --set "disable_tqdm=true")
stage train-lora-small "${SMOKE[@]}" train lora-$SMALL "$ROOT/train_args/qwen-lora.json" \
  --set "model_name_or_path=$WORK/model-small" --set "output_dir=$WORK/lora-small" "${TRAIN_SET[@]}" "${COMMON[@]}"

if [ "${SKIP_7B:-0}" != "1" ]; then
  BIG_MODEL="$WORK/model-small"  # dry run: the same micro model
  if [ "$DRY" != "1" ]; then
    BIG_MODEL="$WORK/model-big"
    stage build-big "${SMOKE[@]}" build "$BIG" "$BIG_MODEL" "${TOK_ARG[@]}"
  fi
  stage train-qlora-big "${SMOKE[@]}" train qlora-$BIG "$ROOT/train_args/qwen-qlora.json" \
    --set "model_name_or_path=$BIG_MODEL" --set "output_dir=$WORK/qlora-big" "${TRAIN_SET[@]}" "${COMMON[@]}"
  [ "$DRY" != "1" ] && rm -rf "$BIG_MODEL"  # 15 GB of random weights
fi

ADAPTER=()
[ -f "$WORK/lora-small/adapter_config.json" ] && ADAPTER=(--adapter "$WORK/lora-small")
stage generate-hf "${SMOKE[@]}" generate "hf-$SMALL" hf "$WORK/model-small" "${ADAPTER[@]}" "${GEN[@]}"
if [ "${SKIP_VLLM:-0}" != "1" ]; then
  stage generate-vllm "${SMOKE[@]}" generate "vllm-$SMALL" vllm "$WORK/model-small" "${ADAPTER[@]}" "${GEN[@]}"
fi

# Distributed: every GPU of the node under torchrun (2 CPU processes, gloo, in the dry run). DeepSpeed ZeRO-3
# full and LoRA run on CPU too (tests/train/test_train_distributed.py); FSDP needs GPUs (accelerate only
# enables it for GPU launches), so only this script runs it.
NPROC=2
[ "$DRY" != "1" ] && command -v nvidia-smi >/dev/null && NPROC="${NPROC_GPU:-$(nvidia-smi -L | wc -l)}"
DIST=("$PYTHON" -m torch.distributed.run --nproc-per-node "$NPROC" --master-port "${MASTER_PORT:-29533}" -m text2sql train)
DIST_SET=(--set "model_name_or_path=$WORK/model-small" "${TRAIN_SET[@]}" "${COMMON[@]}")
dist_result() {  # dist_result NAME OUT: one RESULT line from the run's meta (world size, steps, loss)
  "$PYTHON" - "$1" "$2" <<'PY' | tee -a "$LOG" || { echo "FAILED $1: no trained model in $2" | tee -a "$LOG"; FAILED=1; }
import json, sys
from pathlib import Path
name, out = sys.argv[1], Path(sys.argv[2])
meta = json.loads((out / "t2s_meta.json").read_text())
losses = [h["loss"] for h in json.loads((out / "t2s_train_log.json").read_text()) if "loss" in h]
print(f"RESULT {name}: {meta['world_size']} processes, {meta['global_step']} steps, loss {losses[0]:.3f} -> {losses[-1]:.3f}")
PY
}
if "$PYTHON" -c "import deepspeed" >/dev/null 2>&1; then
  stage dist-zero3-full "${DIST[@]}" "$ROOT/train_args/deepspeed/qwen-full-zero3.json" --set "output_dir=$WORK/zero3-full" \
    --set per_device_train_batch_size=2 --set gradient_accumulation_steps=1 "${DIST_SET[@]}"
  dist_result dist-zero3-full "$WORK/zero3-full"
  stage dist-zero3-lora "${DIST[@]}" "$ROOT/train_args/qwen-lora.json" --set "output_dir=$WORK/zero3-lora" \
    --set "deepspeed=$ROOT/train_args/deepspeed/ds_zero3.json" "${DIST_SET[@]}"
  dist_result dist-zero3-lora "$WORK/zero3-lora"
else
  echo "SKIPPED dist-zero3: deepspeed is not installed (pip install 't2s[deepspeed]')" | tee -a "$LOG"
fi
if [ "$DRY" != "1" ]; then
  FSDP=(--set "fsdp=full_shard auto_wrap" --set 'fsdp_config={"transformer_layer_cls_to_wrap": ["Qwen2DecoderLayer"]}')
  for mode in full lora; do
    stage "dist-fsdp-$mode" "${DIST[@]}" "$ROOT/train_args/qwen-lora.json" --set "train_mode=$mode" \
      --set "output_dir=$WORK/fsdp-$mode" "${FSDP[@]}" "${DIST_SET[@]}"
    dist_result "dist-fsdp-$mode" "$WORK/fsdp-$mode"
  done
else
  echo "SKIPPED dist-fsdp: FSDP needs GPUs (accelerate enables it only for GPU launches)" | tee -a "$LOG"
fi

echo "== summary"
grep -E "^(device:|RESULT|SKIPPED|FAILED)" "$LOG"
exit $FAILED
