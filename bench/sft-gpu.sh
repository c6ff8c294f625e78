#!/usr/bin/env bash
# The `small` standard-vs-NGDiff SFT pair on the GPU machine (device tool). The GPU machine cannot carry
# Dawn and sharp together (64 MiB), so the data is pre-rendered here (bench/sft-shards.ts, xz-compressed:
# GC at 144 px is ~1 KB a sample) and the CLI is bundled with sharp stubbed out (only --data runs work).
#
#   here, once per task:   ../shared/device/prepare.sh && bash bench/sft-gpu.sh prepare gc   (keeps one task's data)
#   device (carry [".device"]), one call per objective, each well under 10 minutes:
#                          bash bench/sft-gpu.sh run gc standard
#                          bash bench/sft-gpu.sh run gc standard,ngdiff   # keeps the finished standard run
# The second call trains NGDiff and writes the table of both. Runs live in runs/gpu-sft-<task>/ (kept on
# the warm machine between calls; a call cut off resumes from its last checkpoint when repeated);
# summaries, tables and plots are copied to $OUT.
set -euo pipefail
cmd=${1:?usage: bench/sft-gpu.sh prepare|run TASK [standard,ngdiff]}
task=${2:?task: gc or sudoku}
# Budget, estimated (not yet measured) from bench/README.md's small train step on the H100 (2.2-2.8 s for
# one backward pass, batch 32): an sftStep has two, ~5 s, so 64 steps + one evaluation of 32 test puzzles
# (~1 min of KV-cache sampling) should take ~7 minutes; the timeout leaves the rest of the 10.
STEPS=64; BATCH=32; EVAL_N=32
# Short traces keep prompt + response inside small's 1,024 positions and the step time down. Compressed
# shards: GC 2,048 samples ~1 MB; Sudoku (MNIST digits compress worse) 1,024 samples ~7 MB, two epochs.
case "$task" in
  gc) TASK_OPTS=(verbosity=1); TRAIN_N=2048 ;;
  sudoku) TASK_OPTS=(verbosity=1 blanks=20); TRAIN_N=1024 ;;
  *) echo "unknown task $task" >&2; exit 1 ;;
esac

if [ "$cmd" = prepare ]; then
  # One task's data at a time: node + Dawn + the bundle leave ~15 MB of the 64 MiB carry.
  rm -rf .device/sft-data-*
  npx tsx bench/sft-shards.ts "$task" small "$TRAIN_N" "$EVAL_N" ".device/sft-data-$task" 0 "${TASK_OPTS[@]}"
  tar -cJf ".device/sft-data-$task.tar.xz" -C .device "sft-data-$task" && rm -rf ".device/sft-data-$task"
  echo "export default function sharp() { throw new Error('sharp is not in this bundle: pass --data DIR'); }" > .device/sharp-stub.mjs
  echo "export default { initialize() {}, connectToDevTools() {} };" > .device/devtools-stub.mjs
  node_modules/.bin/esbuild tui/cli.ts --bundle --minify --platform=node --format=esm --target=node20 \
    --external:webgpu --external:@tensorflow/tfjs-node-gpu --external:@tensorflow/tfjs-node \
    --alias:sharp=./.device/sharp-stub.mjs --alias:react-devtools-core=./.device/devtools-stub.mjs \
    --banner:js="import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);" \
    --outfile=.device/cli.mjs --log-level=warning
  du -sh .device
  exit 0
fi

with=${3:-standard,ngdiff}
source .device/setup.sh
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
[ -d "/tmp/sft-data-$task" ] || tar -xJf ".device/sft-data-$task.tar.xz" -C /tmp
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
run="runs/gpu-sft-$task"
task_flags=(); for o in "${TASK_OPTS[@]}"; do task_flags+=(--task-option "$o"); done
timeout 570 node .device/cli.mjs sweep sft --task "$task" --model small --with "$with" \
  --steps "$STEPS" --batch "$BATCH" --train-n "$TRAIN_N" --eval-n "$EVAL_N" --eval-batch "$EVAL_N" --eval-every 0 \
  --checkpoint-every 16 --data "/tmp/sft-data-$task" --backend webgpu --out "$run" "${task_flags[@]}" || echo "exit $?"
for d in "$run" "$run"/*/; do
  mkdir -p "$OUT/$d"; cp "$d"/*.json "$d"/*.md "$OUT/$d" 2>/dev/null || true
  [ -d "$d/plots" ] && cp -r "$d/plots" "$OUT/$d/" || true
done
cat "$run/table.md" 2>/dev/null || true
