#!/usr/bin/env bash
# Issue 17: where a mixed-precision training step's GPU time goes — bench/tc-train.sh's training steps with one
# profiled step each (train-step --profile 1: time per kernel), no sampling and no learning parity, whole JSON
# lines in $OUT/train-SIZE-PRECISION.jsonl; then whether a product runs slower in a process that already ran
# another (bench/tc-matmul.ts, cases in one process; ORDERS= skips it).
# Pack: bash bench/device-pack.sh bench/train-step.ts bench/tc-matmul.ts; run with carry [".device"].
set -u
PROFILE=1 SAMPLE=0 PARITY=0 bash "$(dirname "$0")/tc-train.sh"
D=.device; source $D/setup.sh
[ -f $D/tc-matmul.mjs ] || exit 0
for cases in ${ORDERS-base.up,base.up small.up,base.up base.dx,small.dW,base.up}; do
  echo "== one process: $cases"
  timeout 60 node $D/tc-matmul.mjs --kernels tc --cases $cases 2>&1 | grep -E '^\{' | cut -c1-300
done
