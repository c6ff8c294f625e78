#!/usr/bin/env bash
# `asymflow reproduce` through the device tool, one call of a session (issues 7, 16; docs/reproduce.md):
#   Pack once here:   bash bench/device-pack.sh bench/reproduce-session.ts
#   Plan (no device): npx tsx bench/reproduce-plan.ts --preset paper --tasks gc --seeds 0,1,2 --budget-min 30
#   Each call (carry [".device", "runs/repro-carry"]):
#     PRESET=paper TASKS=gc SEEDS=0,1,2 bash bench/gpu-reproduce.sh
# bench/reproduce-session.ts runs the parts in the planner's priority order (or PARTS="a b c" in that order),
# LANES (2) at once on the GPU, each once the parts it needs have finished, until DEADLINE_S (540) seconds of
# parts; then the running parts are stopped and continue from their checkpoints in the next call. Every
# attempt's wall and shared device seconds go to DIR/device-time.jsonl; the report shows device minutes per part.
#
# Where the directory lives between calls: runs/repro-live (ignored), which a warm machine keeps — make the
# next call within its 30 s of warmth and everything continues, cut parts included. On a fresh machine it is
# rebuilt from runs/repro-carry/repro.tgz: the summaries, records and the weights of the KEEP runs
# (what later parts start from: sft/standard for the full preset, also pretrain/run and prestage/prestage-ngdiff for the paper preset), without
# optimizer state; a part cut off then starts over. The carry is 64 MiB with .device (~40 MiB, bundles
# compressed) and the tree (~5.5 MiB): a `small` checkpoint at 2,560 positions is 15 MiB of weights, so one of
# the paper preset's fits — copy to runs/repro-carry/ only what fits, and keep dependent parts in one lease.
set -u
source .device/setup.sh
OUT=${OUT:-/tmp/out}; R=runs/repro-live; mkdir -p "$OUT"
TASKS=${TASKS:-gc}; DEADLINE_S=${DEADLINE_S:-540}; PRESET=${PRESET:-full}; LANES=${LANES:-2}
# the runs later parts start from: the full preset's rl/diagnose/surrogate-rl need sft's; the paper preset's also pretrain's and the teacher
[ "$PRESET" = full ] && KEEP=${KEEP:-sft/standard} || KEEP=${KEEP:-"pretrain/run sft/standard prestage/prestage-ngdiff"}
SEEDS_FLAG=${SEEDS:+--seeds $SEEDS}
if [ -d "$R" ]; then echo "warm machine: continuing $R ($(find "$R" -name summary.json -path '*/*/*/summary.json' | wc -l) summaries)"
else mkdir -p "$R"; [ -f runs/repro-carry/repro.tgz ] && tar xzf runs/repro-carry/repro.tgz -C "$R" && echo "fresh machine: $R from the carry"; fi
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
start=$(date +%s)
# shellcheck disable=SC2086
node .device/reproduce-session.mjs --cli "node .device/cli.mjs" --preset "$PRESET" --tasks "$TASKS" $SEEDS_FLAG --backend webgpu \
  --out "$R" --deadline-s "$DEADLINE_S" --lanes "$LANES" ${PARTS:+--parts "$PARTS"} ${MIN_START_S:+--min-start-s "$MIN_START_S"} 2>&1 | tee "$OUT/session.log"
for f in "$R"/logs/*.log; do grep -v "^Warning\|Hi, looks\|====\|BackendVk\|at operator" "$f" | grep -i "eval\|done\|error\|reproduce:" | tail -n 4 | cut -c1-300; done
# What travels back: everything but rollouts, step records and checkpoints, plus the KEEP runs' weights
# (copies, optimizer state dropped: the live directory keeps it for a cut part's resume).
stage=$(mktemp -d)
for ck in $(for k in $KEEP; do find "$R" -path "*/$k/checkpoints" -type d; done); do
  [ -f "$ck/checkpoint.json" ] || continue
  mkdir -p "$stage/$ck"; cp "$ck"/checkpoint.json "$ck"/weights-*.bin "$stage/$ck/"
  node -e 'const fs=require("fs"),p=process.argv[1]+"/checkpoint.json",m=JSON.parse(fs.readFileSync(p));m.optimizer=null;fs.writeFileSync(p,JSON.stringify(m))' "$stage/$ck"
done
(cd "$R" && find . -path '*/checkpoints' -prune -o -type f ! -name rollouts.msgpack ! -name steps.msgpack -print) > "$stage/files"
(cd "$R" && tar cf "$stage/repro.tar" -T "$stage/files") && [ -d "$stage/$R" ] && tar rf "$stage/repro.tar" -C "$stage/$R" .
gzip -c "$stage/repro.tar" > "$OUT/repro.tgz"; rm -rf "$stage"
# $OUT returns files of ≤ 16 MiB: a larger archive comes back in pieces (cat repro.tgz.part-* > repro.tgz)
if [ "$(stat -c %s "$OUT/repro.tgz")" -gt 16000000 ]; then split -b 15m "$OUT/repro.tgz" "$OUT/repro.tgz.part-" && rm "$OUT/repro.tgz"; fi
ls -la "$OUT"; echo "total: $(( $(date +%s) - start )) s"
