#!/usr/bin/env bash
# Issue 17 item 4 in one device call: sampling per decode step at small and base, ours in fp32, mixed (the
# decoder's linears on the tensor cores from f16 weight copies, src/webgpu/rows-linear-tc.ts) and mixed with
# ASYMFLOW_DECODE_TC=0 (only the prefill's matmuls on the tensor cores: isolates the decode kernels), against
# PyTorch eager fp32 and bf16 autocast in the same call; batch 32, then batch 1 (the memory-bound case; torch fp32).
# Knobs: SIZES, BATCHES, CALLS (sample() calls timed per run, default 3). Each run then times one more call with
# every decoder dispatch timed on the GPU (--profile 1: GPU µs per step by pipeline; not in the wall figures).
# Pack: bash bench/device-pack.sh bench/sample.ts; run with carry [".device"]:
#   bash bench/tc-decode.sh > $OUT/decode.log 2>&1
set -u
D=.device; source $D/setup.sh; mkdir -p $OUT
COMMON="--vocab 104 --patches 81 --patch-dim 256 --text 512 --new-tokens 256 --steps 3"
declare -A SHAPE=([small]="--d 256 --layers 4 --heads 4" [base]="--d 512 --layers 6 --heads 8")
q() { grep -E '^\{|^backend|^precision|rror'; }
for size in ${SIZES:-small base}; do
  for batch in ${BATCHES:-32 1}; do
    modes="fp32 bf16"; [ "$batch" = 32 ] || modes=fp32
    for mode in $modes; do T=$OUT/torch-$size-b$batch-$mode.jsonl
      PYTHONUNBUFFERED=1 timeout 120 python3 $D/torch_reference.py ${SHAPE[$size]} $COMMON --batch $batch --mode $mode > $T 2>/dev/null
      grep sample_kv_cache $T | cut -c1-200; done
    bf16=$OUT/torch-$size-b$batch-bf16.jsonl; [ -s "$bf16" ] && bf16="--torch-bf16 $bf16" || bf16=
    for run in "fp32" "mixed" "mixed ASYMFLOW_DECODE_TC=0"; do set -- $run; echo "== $size batch $batch $run"
      L=$OUT/sample-$size-b$batch-$1${2:+-fp32-decode}.jsonl  # whole lines (the profile is long), cut ones to the log
      env ${2:-ASYMFLOW_DECODE_TC=1} timeout 120 node $D/sample.mjs --size $size --backend webgpu --precision $1 --batch $batch \
        --calls ${CALLS:-3} --profile 1 --torch $OUT/torch-$size-b$batch-fp32.jsonl $bf16 2>&1 | q > $L; cut -c1-900 $L
    done
  done
done
