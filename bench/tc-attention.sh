#!/usr/bin/env bash
# Issue 17 on the GPU machine: the tensor-core attention (forward, dQ, dK/dV) against our fp32 attention kernels and
# PyTorch's SDPA (fp32 / fp16 / bf16, masked, and bf16 causal flash) in one call, each case in its own process.
# Pack: bash bench/device-pack.sh bench/tc-attention.ts; run (carry [".device"]): bash bench/tc-attention.sh
# Knobs: CASES (small base tiny long), TILES ('4,64/4,32/2,32': tensor-core tiles sg,tk to try after the default).
set -u
D=.device; source $D/setup.sh; mkdir -p $OUT
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,memory.total --format=csv,noheader
cases=${CASES:-small base tiny long}
PYTHONUNBUFFERED=1 timeout 200 python3 bench/tc_attention_reference.py 20 "${cases// /,}" > $OUT/torch-attention.jsonl 2>$OUT/torch-attention.err
cut -c1-400 $OUT/torch-attention.jsonl
run() { timeout ${CASE_TIMEOUT:-90} node $D/tc-attention.mjs --torch $OUT/torch-attention.jsonl "$@" 2>&1 | grep -v '^Warning' | grep -v 'deprecated' | tee -a $OUT/tc-attention.log | cut -c1-600; echo "rc=${PIPESTATUS[0]} $*"; }
for c in $cases; do run --cases $c; done
[ -n "${TILES:-}" ] && for c in small base; do run --cases $c --tiles "$TILES"; done
exit 0
