#!/usr/bin/env bash
# `asymflow reproduce --preset full` through the device tool, some parts per call (issue 7):
#   PARTS="gc/sft gc/ngdiff" bash bench/gpu-reproduce.sh        (carry [".device", "runs/repro-carry"])
# The paper preset (issue 16; docs/reproduce.md): PRESET=paper SEEDS=0,1,2 KEEP="pretrain/run sft/standard prestage/prestage-ngdiff"
#   PARTS="gc/sft gc/prestage" bash bench/gpu-reproduce.sh — KEEP names the runs whose weights later parts need
#   (the SFT parts start from pretrain/run; rl@α, token-lambda@λ, diagnose, surrogate-rl@R from sft/standard; the
#   teacher is prestage's). A small checkpoint at 2,560 positions is ~16 MB: keep only what the next calls need.
# A warm machine is handed back 30 s after a call, so the reproduce directory travels: it comes back as
# $OUT/repro.tgz (copy it to runs/repro-carry/repro.tgz for the next call) without rollouts, step records and
# checkpoints, except the weights of gc/sft's standard run, which later parts (rl, diagnose, surrogate-rl) start
# from; their AdamW moments are dropped (optimizer: null in the manifest) so that .device/ + the weights fit the
# 64 MiB carry. A part cut off by DEADLINE_S starts over in the next call (its checkpoints do not fit the carry).
set -u
source .device/setup.sh
OUT=${OUT:-/tmp/out}; R=/tmp/repro; rm -rf "$R"; mkdir -p "$OUT" "$R"
TASKS=${TASKS:-gc}; DEADLINE_S=${DEADLINE_S:-570}; PRESET=${PRESET:-full}; KEEP=${KEEP:-sft/standard}
SEEDS_FLAG=${SEEDS:+--seeds $SEEDS}
[ -f runs/repro-carry/repro.tgz ] && tar xzf runs/repro-carry/repro.tgz -C "$R"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
start=$(date +%s)
for part in ${PARTS:?PARTS names the parts to run, e.g. PARTS="gc/sft gc/ngdiff"}; do
  left=$(( DEADLINE_S - ($(date +%s) - start) ))
  [ "$left" -gt 30 ] || { echo "no time left for $part"; break; }
  timeout "$left" node .device/cli.mjs reproduce --preset "$PRESET" --tasks "$TASKS" $SEEDS_FLAG --backend webgpu --out "$R" --resume --only "$part" \
    > "$OUT/${part//\//-}.log" 2>&1
  echo "$part: exit $? after $(( $(date +%s) - start )) s"
  grep -v "^Warning\|Hi, looks\|====\|BackendVk\|at operator" "$OUT/${part//\//-}.log" | grep -i "eval\|done\|error\|reproduce:" | tail -n 12 | cut -c1-400
done
# Keep the KEEP runs' weights for later parts (every seed's); drop their optimizer state from the manifest and the folder.
for ck in $(for k in $KEEP; do find "$R" -path "*/$k/checkpoints" -type d; done); do
  [ -f "$ck/checkpoint.json" ] || continue
  node -e 'const fs=require("fs"),p=process.argv[1]+"/checkpoint.json",m=JSON.parse(fs.readFileSync(p));m.optimizer=null;fs.writeFileSync(p,JSON.stringify(m))' "$ck"
  rm -f "$ck"/adamw-*.bin
done
(cd "$R" && { find . -path '*/checkpoints' -prune -o -type f ! -name rollouts.msgpack ! -name steps.msgpack -print
  for k in $KEEP; do find . -path "*/$k/checkpoints/*" -type f; done; } | tar czf "$OUT/repro.tgz" -T -)
ls -la "$OUT"; echo "total: $(( $(date +%s) - start )) s"
