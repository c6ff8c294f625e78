#!/usr/bin/env bash
# Issue 17: where a mixed-precision training step's GPU time goes (one profiled step after the timed ones, per
# kernel: bench/train-step.ts --profile 1), at small and base, fp32 and mixed, PyTorch fp32 / bf16 in the same
# call; then whether a product runs slower in a process that already ran another (bench/tc-matmul.ts, the same
# case twice and after other shapes). Full JSON lines go to $OUT (tc-train.sh cuts them for the log).
# Pack: bash bench/device-pack.sh bench/train-step.ts bench/tc-matmul.ts; run with carry [".device"].
set -u
D=.device; source $D/setup.sh; mkdir -p $OUT
COMMON="--vocab 104 --patches 81 --patch-dim 256 --batch 32 --text 512 --new-tokens 256"
declare -A SHAPE=([small]="--d 256 --layers 4 --heads 4" [base]="--d 512 --layers 6 --heads 8")
for size in ${SIZES:-small base}; do
  for mode in fp32 bf16; do PYTHONUNBUFFERED=1 timeout 150 python3 $D/torch_reference.py ${SHAPE[$size]} $COMMON --mode $mode > $OUT/torch-$size-$mode.jsonl 2>/dev/null; done
  for p in ${PRECISIONS:-fp32 mixed}; do
    timeout 100 node $D/train-step.mjs --size $size --backend webgpu --precision $p --steps 30 --warmup 10 --queue 2 --profile 1 \
      --torch $OUT/torch-$size-fp32.jsonl --torch-bf16 $OUT/torch-$size-bf16.jsonl 2>&1 | grep -E '^\{' > $OUT/train-$size-$p.jsonl
    echo "== $size $p: $(head -c 400 $OUT/train-$size-$p.jsonl)"
  done
done
[ -f $D/tc-matmul.mjs ] || exit 0
for cases in ${ORDERS:-base.up,base.up small.up,base.up base.dx,small.dW,base.up}; do
  echo "== one process: $cases"
  timeout 60 node $D/tc-matmul.mjs --kernels tc --cases $cases 2>&1 | grep -E '^\{' | cut -c1-300
done
