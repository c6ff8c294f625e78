#!/usr/bin/env bash
# Issue 8 evidence on the GPU machine (device tool, carry [".device"]):  bash bench/gpu-nan.sh
# Needs .device/ from ../shared/device/prepare.sh with bench/{nan-repro,rank-scan,parity}.ts.
set -u
source .device/setup.sh
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export EGL_PLATFORM=surfaceless
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
quiet() { grep -v -E '^(Warning|validation|Error while parsing| - While|\s*\^|\s*$)|is invalid due|BackendVk|=====|Hi, looks|let end|^ *[0-9]+ *\|'; }
SMALL="--batch 8 --text 128 --d 128 --layers 2 --heads 4"
BIG="--batch 32 --text 512 --d 256 --layers 4 --heads 4"
echo "== 1. rank scan, tfjs-webgpu as shipped (ASYMFLOW_KERNEL_PATCHES=0)"
ASYMFLOW_KERNEL_PATCHES=0 timeout 90 node .device/rank-scan.mjs 2>&1 | quiet | grep -E '^(ok|FAIL)|^backend|webgpu error'
echo "== 2. NaN repro as shipped, small shape, 30 steps"
ASYMFLOW_KERNEL_PATCHES=0 timeout 150 node .device/nan-repro.mjs --check none --steps 30 $SMALL 2>&1 | quiet > "$OUT/nan-small-unpatched.log"
grep -E 'RESULT|step (0|1|5|10|19|29) ' "$OUT/nan-small-unpatched.log"; grep -m3 -E 'NaN' "$OUT/nan-small-unpatched.log"
echo "== 3. NaN repro as shipped, bench shape (B32 T512 d256 L4), 20 steps"
ASYMFLOW_KERNEL_PATCHES=0 timeout 170 node .device/nan-repro.mjs --check none --steps 20 --variants fused5t,separate $BIG 2>&1 | quiet > "$OUT/nan-big-unpatched.log"
grep -E 'RESULT|step (0|1|5|10|19) ' "$OUT/nan-big-unpatched.log"; grep -m3 -E 'NaN' "$OUT/nan-big-unpatched.log"
echo "== 4. kernel-level replay vs cpu at step 1, as shipped, each kernel in its own command buffer"
ASYMFLOW_KERNEL_PATCHES=0 timeout 150 node .device/nan-repro.mjs --check 1 --steps 2 --variants fused5t,separate --ref cpu $SMALL 2>&1 | quiet > "$OUT/opcheck-unpatched.log"
grep -E 'op-check|MISMATCH|worst|RESULT' "$OUT/opcheck-unpatched.log" | head -30
echo "== 5. with src/backend/kernel-patches.ts, bench shape, 20 steps"
timeout 170 node .device/nan-repro.mjs --check none --steps 20 --variants fused5t $BIG 2>&1 | quiet > "$OUT/nan-big-patched.log"
grep -E 'RESULT|step (0|1|5|10|19) ' "$OUT/nan-big-patched.log"
echo "== 6. model parity vs cpu (tiny)"
timeout 150 node .device/parity.mjs --backends wasm,webgpu 2>&1 | grep '^{'
