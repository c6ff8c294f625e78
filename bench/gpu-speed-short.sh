#!/usr/bin/env bash
# Issue 9 in one short device call (carry [".device"], `bash bench/device-pack.sh bench/train-step.ts
# bench/sample.ts bench/parity.ts`): per size the torch reference, our training step (profiled) with one step
# queued ahead (--queue 2, as the reference's loop runs: it never reads the loss inside its timed loop) and
# awaiting each step (--queue 1), two A/B variants, sampling; then webgpu parity and GPU memory over 1,000
# small training steps. gpu-speed.sh is the long form (the "before" runs and every switch), which no longer
# fits one call.
# Usage on the device: bash bench/gpu-speed-short.sh > $OUT/speed.log 2>&1   (VARIANTS to change the A/B list)
set -u
D=.device; source $D/setup.sh; mkdir -p $OUT
COMMON="--vocab 104 --patches 81 --patch-dim 256 --batch 32 --text 512 --new-tokens 256 --mode fp32"
declare -A SHAPE=([small]="--d 256 --layers 4 --heads 4" [base]="--d 512 --layers 6 --heads 8")
q() { grep -E '^\{|^backend|rror'; }
for size in small base; do T=$OUT/torch-$size.jsonl
  echo "== $size torch"; PYTHONUNBUFFERED=1 timeout 150 python3 $D/torch_reference.py ${SHAPE[$size]} $COMMON > $T 2>$OUT/torch-$size.err; cat $T | cut -c1-300
  echo "== $size train"; timeout 100 node $D/train-step.mjs --size $size --backend webgpu --steps ${STEPS:-30} --warmup ${WARMUP:-10} --queue 2 --profile 1 --torch $T 2>&1 | q
  echo "== $size train, each step awaited"; timeout 100 node $D/train-step.mjs --size $size --backend webgpu --steps ${STEPS:-30} --warmup ${WARMUP:-10} --queue 1 --torch $T 2>&1 | q
  for v in ${VARIANTS:-ASYMFLOW_PACKED_UPDATE=0 ASYMFLOW_BIND_CACHE=0}; do echo "== $size train $v"; env $v timeout 100 node $D/train-step.mjs --size $size --backend webgpu --steps ${STEPS:-30} --warmup ${WARMUP:-10} --queue 2 --torch $T 2>&1 | q; done
  echo "== $size sample"; timeout 100 node $D/sample.mjs --size $size --backend webgpu --torch $T 2>&1 | q
  echo "== $size sample, mixed precision (decoder linears on tensor cores)"; timeout 100 node $D/sample.mjs --size $size --backend webgpu --precision mixed --torch $T 2>&1 | q
done
echo "== parity"; timeout 100 node $D/parity.mjs --backends webgpu --check 2>&1 | q
echo "== memory"; timeout 150 node $D/train-step.mjs --size small --backend webgpu --steps 1000 --warmup 2 --queue 2 --memory-every 100 2>&1 | q
