#!/usr/bin/env bash
# Issue 17, one device call after the kernel check (bench/tc-device.sh): the training step at small and base in
# fp32 and mixed against PyTorch fp32 and bf16 autocast (same call), sampling in both, then learning parity —
# the full preset's gc/sft (standard SFT, small, 600 steps, 4-6 nodes, verbosity 1) in fp32 and mixed side by side.
# Knobs: SIZES (empty: the learning parity alone), PRECISIONS, PROFILE=1 (one profiled step per run), SAMPLE=0 (no sampling), PARITY=0 (no learning parity).
# Pack: bash bench/device-pack.sh bench/train-step.ts bench/sample.ts bench/tc-matmul.ts; run with carry [".device"].
set -u
D=.device; source $D/setup.sh; mkdir -p $OUT; R=/tmp/runs; rm -rf $R; mkdir -p $R
COMMON="--vocab 104 --patches 81 --patch-dim 256 --batch 32 --text 512 --new-tokens 256"
declare -A SHAPE=([small]="--d 256 --layers 4 --heads 4" [base]="--d 512 --layers 6 --heads 8")
q() { grep -E '^\{|^backend|^precision|rror'; }
for size in ${SIZES-small base}; do
  for mode in fp32 bf16; do PYTHONUNBUFFERED=1 timeout 150 python3 $D/torch_reference.py ${SHAPE[$size]} $COMMON --mode $mode > $OUT/torch-$size-$mode.jsonl 2>/dev/null; done
  cut -c1-160 $OUT/torch-$size-*.jsonl
  for p in ${PRECISIONS:-fp32 mixed}; do echo "== $size train $p"
    # Whole JSON lines to $OUT (a --profile line is long), cut ones to the log.
    timeout 100 node $D/train-step.mjs --size $size --backend webgpu --precision $p --steps 30 --warmup 10 --queue 2 --profile ${PROFILE:-0} \
      --torch $OUT/torch-$size-fp32.jsonl --torch-bf16 $OUT/torch-$size-bf16.jsonl 2>&1 | q > $R/train-$size-$p.log
    grep -E '^\{' $R/train-$size-$p.log > $OUT/train-$size-$p.jsonl; cut -c1-900 $R/train-$size-$p.log
    [ "${SAMPLE:-1}" = 1 ] || continue
    echo "== $size sample $p"; timeout 100 node $D/sample.mjs --size $size --backend webgpu --precision $p --torch $OUT/torch-$size-fp32.jsonl 2>&1 | q | cut -c1-500
  done
done
[ "${PARITY:-1}" = 1 ] || exit 0
sft() { timeout ${SFT_TIMEOUT:-300} node $D/cli.mjs sft --task gc --objective standard --model small --steps ${SFT_STEPS:-600} --batch 32 --lr 1e-3 \
  --warmup-steps 30 --train-n 6000 --eval-n 128 --eval-every 100 --eval-batch 128 --eval-max-tokens 264 --bucket 64 \
  --task-option minNodes=4 --task-option maxNodes=6 --task-option verbosity=1 --checkpoint-every 100 --seed 0 --backend webgpu --no-plots \
  --precision $1 --out $R/gc-sft-$1 > $R/gc-sft-$1.log 2>&1; }
start=$(date +%s); sft fp32 & sft mixed & wait; echo "parity runs: $(( $(date +%s) - start )) s (side by side)"
for p in fp32 mixed; do echo "== gc/sft $p"; grep -E '^(backend|precision)' $R/gc-sft-$p.log; tail -n 3 $R/gc-sft-$p.log | cut -c1-300
  cp $R/gc-sft-$p/summary.json $OUT/summary-$p.json 2>/dev/null; cp $R/gc-sft-$p/metrics.msgpack $OUT/metrics-$p.msgpack 2>/dev/null; done
