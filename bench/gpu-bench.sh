#!/usr/bin/env bash
# The GPU performance starting line (issues 8/9) on the device tool, carry [".device"]:  bash bench/gpu-bench.sh [small base]
# tfjs-webgpu train step and KV-cache sampling beside ../shared/bench/torch_reference.py, fp32, same shapes.
# Needs .device/ from ../shared/device/prepare.sh with bench/{train-step,sample}.ts.
set -u
source .device/setup.sh
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
# vocab 104 = src/tokenizer.ts VOCAB_SIZE; patches 81 × 256 = 144² input in 16² patches (src/model/config.ts)
COMMON="--vocab 104 --patches 81 --patch-dim 256 --batch 32 --text 512 --new-tokens 256 --mode fp32"
declare -A SHAPE=([small]="--d 256 --layers 4 --heads 4" [base]="--d 512 --layers 6 --heads 8")
declare -A STEPS=([small]="--steps 8 --warmup 2" [base]="--steps 4 --warmup 2")
for size in ${@:-small base}; do
  echo "== $size"
  PYTHONUNBUFFERED=1 timeout 150 python3 .device/torch_reference.py ${SHAPE[$size]} $COMMON > "$OUT/torch-$size.jsonl" 2>"$OUT/torch-$size.err"
  cat "$OUT/torch-$size.jsonl"; tail -2 "$OUT/torch-$size.err"
  timeout 200 node .device/train-step.mjs --size $size --backend webgpu ${STEPS[$size]} --profile 1 --torch "$OUT/torch-$size.jsonl" 2>&1 | grep -E '^\{|^backend|rror'
  timeout 150 node .device/sample.mjs --size $size --backend webgpu --torch "$OUT/torch-$size.jsonl" 2>&1 | grep -E '^\{|^backend|rror'
done
