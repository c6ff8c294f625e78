#!/usr/bin/env bash
# Issue 17 on the GPU machine: the tensor-core matmul against our fp32 kernel and PyTorch (fp32 / fp16 / bf16)
# in one call, each case in its own process (a crash ends one case, not the call); tile variants after, each
# (tile, case) in its own process too (products run after another in one process were seen 2-4x slower).
# TILES: 'wm,wn,fm,fn,bk' or 'wm,wn,fm,fn,bk,double' (two workgroup buffers per operand), space-separated.
# Pack: bash bench/device-pack.sh bench/tc-matmul.ts; run (carry [".device"]): bash bench/tc-device.sh
set -u
D=.device; source $D/setup.sh; mkdir -p $OUT
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,memory.total --format=csv,noheader
PYTHONUNBUFFERED=1 timeout 150 python3 $D/tc_matmul_reference.py > $OUT/torch.jsonl 2>$OUT/torch.err; cut -c1-200 $OUT/torch.jsonl
run() { timeout ${CASE_TIMEOUT:-60} node $D/tc-matmul.mjs --torch $OUT/torch.jsonl "$@" 2>&1 | grep -v '^Warning' | tee -a $OUT/tc.log; echo "rc=${PIPESTATUS[0]} $*" | tee -a $OUT/tc.log; }
for c in ${CASES:-edge edgeTN edgeNT sq1024 small.up small.down small.dx small.dW base.up base.dx base.dW sq2048 sq4096}; do run --cases $c; done
for tile in ${TILES:-}; do for c in $(echo ${TILE_CASES:-sq4096,small.up,small.dx,small.dW} | tr , ' '); do run --kernels tc --cases $c --tile $tile; done; done
