#!/usr/bin/env bash
# `--parallel K` on one GPU (issue 19): the same SFT runs (a sweep of 8 settings, the full preset's GC sizes on the
# `small` model; or, with WHAT=reproduce, the reproduce preset PRESET's parts PARTS) with K = 1, 2, 4, 8 runs at once
# as local child processes; per K the wall time, the GPU's peak
# memory (nvidia-smi, sampled every 0.5 s), the most memory one process held, and whether the final weights match K = 1.
#
# Pack once here (the job child process is a second bundle):  bash bench/device-pack.sh flows/job-child.ts
# Device call (carry [".device"]):                             bash bench/parallel-parts.sh
# Sizes: KS ("1 2 4 8"), STEPS (10), EVAL_N (32), LAMBDAS (0.1,0.2,0.3,0.5,0.8,0.9: with standard and ngdiff, 8 runs),
# WHAT (sweep | reproduce), PRESET (full), PARTS (gc/sft,gc/ngdiff,gc/prestage), BACKEND (webgpu), K_TIMEOUT (seconds per K, 240), MODEL (small), EXTRA (more sweep flags, appended: they win). At the defaults K = 1 should take about 3 minutes on an H100
# (8 × (10 steps × 0.6 s + 2 evaluations of 264 decode steps × 20 ms)); keep the sum of the K runs under the
# 10-minute call, or split KS over two calls. A K whose runs do not fit the GPU shows as failed with the error.
set -u
source .device/setup.sh
KS=${KS:-"1 2 4 8"}; STEPS=${STEPS:-10}; EVAL_N=${EVAL_N:-32}; LAMBDAS=${LAMBDAS:-0.1,0.2,0.3,0.5,0.8,0.9}
BACKEND=${BACKEND:-webgpu}; K_TIMEOUT=${K_TIMEOUT:-240}; MODEL=${MODEL:-small}; EXTRA=${EXTRA:-}
WHAT=${WHAT:-sweep}; PRESET=${PRESET:-full}; PARTS=${PARTS:-gc/sft,gc/ngdiff,gc/prestage}
R=/tmp/parallel-parts; rm -rf "$R"; mkdir -p "$R"
# Every run's final weights in path order: the sweep's table, or each reproduce part's summary.json.
WEIGHTS_OF='
  const fs = require("fs"), path = require("path"), dir = process.argv[1];
  const table = path.join(dir, "table.json");
  if (fs.existsSync(table)) { console.log(JSON.parse(fs.readFileSync(table, "utf8")).rows.map((r) => r.weightsSha256).join(",")); process.exit(0); }
  const found = [];
  const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const f = path.join(d, e.name);
    if (e.isDirectory()) walk(f); else if (e.name === "summary.json") { const w = JSON.parse(fs.readFileSync(f, "utf8")).weightsSha256; if (w) found.push(path.relative(dir, f) + ":" + w.slice(0, 12)); }
  } };
  walk(dir); console.log(found.join(","));' 
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
idle=$(nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits | head -1)
echo "GPU memory in use before: ${idle} MiB"

sample_memory() { # every 0.5 s: "<GPU MiB used> <largest process MiB> <processes>"
  while true; do
    gpu=$(nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits | head -1)
    procs=$(nvidia-smi --query-compute-apps=used_memory --format=csv,noheader,nounits | sort -n)
    echo "$gpu $(echo "$procs" | tail -1) $(echo "$procs" | grep -c .)"
    sleep 0.5
  done
}

# speedup and weights are against the first K of KS that finished
printf '%-3s %9s %14s %16s %10s %9s %s\n' K wall_s peak_gpu_MiB max_process_MiB max_procs speedup same_weights
t1=; first=
for K in $KS; do
  out="$R/k$K"
  sample_memory > "$R/mem-k$K.txt" & sampler=$!
  start=$(date +%s%N)
  # shellcheck disable=SC2086
  if [ "$WHAT" = reproduce ]; then
    # shellcheck disable=SC2086
    timeout "$K_TIMEOUT" node .device/cli.mjs reproduce --preset "$PRESET" --tasks gc --only "$PARTS" --backend "$BACKEND" $EXTRA \
      --parallel "$K" --out "$out" > "$R/k$K.log" 2>&1
  else
    timeout "$K_TIMEOUT" node .device/cli.mjs sweep sft --task gc --model "$MODEL" --lambda "$LAMBDAS" --with standard,ngdiff \
      --steps "$STEPS" --batch 32 --lr 1e-3 --warmup-steps 2 --train-n $((STEPS * 32)) --eval-n "$EVAL_N" --eval-batch 128 --eval-max-tokens 264 \
      --eval-every 0 --checkpoint-every 0 --bucket 64 --seed 0 --task-option minNodes=4 --task-option maxNodes=6 --task-option verbosity=1 \
      --backend "$BACKEND" --no-plots $EXTRA --parallel "$K" --out "$out" > "$R/k$K.log" 2>&1
  fi
  rc=$?
  wall=$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
  peak=$(awk '{ if ($1 > m) m = $1 } END { print m + 0 }' "$R/mem-k$K.txt")
  proc=$(awk '{ if ($2 > m) m = $2 } END { print m + 0 }' "$R/mem-k$K.txt")
  nproc=$(awk '{ if ($3 > m) m = $3 } END { print m + 0 }' "$R/mem-k$K.txt")
  if [ "$rc" != 0 ]; then
    printf '%-3s %9.1f %14s %16s %10s %9s %s\n' "$K" "$wall" "$peak" "$proc" "$nproc" - "FAILED (exit $rc): $(grep -m1 -i 'error\|failed\|out of memory' "$R/k$K.log" | cut -c1-200)"
    continue
  fi
  [ -z "$t1" ] && t1=$wall
  hashes=$(node -e "$WEIGHTS_OF" "$out")
  [ -z "$first" ] && first=$hashes
  same=$([ "$hashes" = "$first" ] && echo same || echo DIFFERENT)
  printf '%-3s %9.1f %14s %16s %10s %8.2fx %s\n' "$K" "$wall" "$peak" "$proc" "$nproc" "$(awk -v a="$t1" -v b="$wall" 'BEGIN { print a / b }')" "$same"
done
echo "logs: $R/k*.log; the table of the first K:"; cat "$R/k${KS%% *}/table.md" 2>/dev/null | tail -n 10
