#!/usr/bin/env bash
# Issue 9 before/after on the device tool, carry [".device"] (DEVICE_DIR to carry another folder):
#   bash bench/gpu-speed.sh
# For small and base: ../shared/bench/torch_reference.py (fp32), then bench/train-step.ts and bench/sample.ts
# before (ASYMFLOW_SPEED_PATCHES=0: tfjs as shipped plus the issue-8 fixes) and after, with ratios; the
# webgpu parity check; GPU memory over 1,000 training steps; our matmul (64×64 and 128×128 tiles / off), fused
# attention (and its earlier dq and dK/dV kernels), linear, the bias gradient in the dW matmul, text embedding,
# compacting segment sum and loss head (each off) as variants.
# Needs DEVICE_DIR from ../shared/device/prepare.sh with bench/{train-step,sample,parity}.ts bundled.
set -u
D=${DEVICE_DIR:-.device}
source $D/setup.sh
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
COMMON="--vocab 104 --patches 81 --patch-dim 256 --batch 32 --text 512 --new-tokens 256 --mode fp32"
declare -A SHAPE=([small]="--d 256 --layers 4 --heads 4" [base]="--d 512 --layers 6 --heads 8")
q() { grep -E '^\{|^backend|rror'; }
for size in small base; do
  T="$OUT/torch-$size.jsonl"
  echo "== $size torch"
  PYTHONUNBUFFERED=1 timeout 150 python3 $D/torch_reference.py ${SHAPE[$size]} $COMMON > "$T" 2>"$OUT/torch-$size.err"; cat "$T"
  echo "== $size train before"
  ASYMFLOW_SPEED_PATCHES=0 timeout 100 node $D/train-step.mjs --size $size --backend webgpu --steps 3 --warmup 2 --torch "$T" 2>&1 | q
  echo "== $size train after"
  timeout 100 node $D/train-step.mjs --size $size --backend webgpu --steps 10 --warmup 3 --profile 1 --torch "$T" 2>&1 | q
  # A/B of the issue-9 training kernels and ops (src/webgpu/matmul.ts, src/webgpu/attention.ts, src/webgpu/linear.ts,
  # src/webgpu/embed.ts, src/webgpu/segment-sum.ts, src/webgpu/logprobs.ts), one switch each.
  for variant in ASYMFLOW_MATMUL_TILE=4x4 ASYMFLOW_MATMUL_TILE=8x8 ASYMFLOW_OWN_MATMUL=0 ASYMFLOW_FUSED_ATTENTION=0 \
      ASYMFLOW_DQ_PAIRED=0 ASYMFLOW_BIAS_GRAD_IN_MATMUL=0 ASYMFLOW_FUSED_LINEAR=0 ASYMFLOW_FUSED_EMBED=0 \
      ASYMFLOW_SEGMENT_COMPACT=0 ASYMFLOW_FUSED_LOGPROBS=0; do
    echo "== $size train after, $variant"
    env $variant timeout 100 node $D/train-step.mjs --size $size --backend webgpu --steps 10 --warmup 3 --torch "$T" 2>&1 | q
  done
  echo "== $size sample after"
  timeout 100 node $D/sample.mjs --size $size --backend webgpu --torch "$T" 2>&1 | q
  echo "== $size sample after, tfjs-op decode step (ASYMFLOW_GPU_DECODE=0)"
  ASYMFLOW_GPU_DECODE=0 timeout 100 node $D/sample.mjs --size $size --backend webgpu --torch "$T" 2>&1 | q
  echo "== $size sample before"
  ASYMFLOW_SPEED_PATCHES=0 timeout 100 node $D/sample.mjs --size $size --backend webgpu --torch "$T" 2>&1 | q
done
echo "== parity (cpu vs webgpu, fused kernels vs reference ops)"
timeout 100 node $D/parity.mjs --backends webgpu --check 2>&1 | q
echo "== memory over 1000 small training steps"
timeout 200 node $D/train-step.mjs --size small --backend webgpu --steps 1000 --warmup 2 --memory-every 100 2>&1 | q
