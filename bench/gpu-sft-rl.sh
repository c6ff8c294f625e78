#!/usr/bin/env bash
# Issues 4 and 6 on the GPU machine in one device call (carry [".device"], packed by bench/device-pack.sh):
#   bash bench/gpu-sft-rl.sh     (TASKS, SFT_STEPS, SFT_EVAL_EVERY, RL_STEPS, SFT_TIMEOUT, RL_TIMEOUT set the sizes;
#                                 GC_OPTS / SUDOKU_OPTS extra sft flags per task; PAIR_PARALLEL=1 runs each pair
#                                 side by side; RL_STEPS=0 skips GRPO and the diagnostic)
# The `small` model on webgpu: standard vs NGDiff SFT on each of TASKS, one process at a time by default (two GC
# processes at the default 7–9 nodes ran out of H100 memory at step 1: targets reach 1,024 tokens),
# then GRPO from the gc standard checkpoint at α = 0 and α = 0.5, one after the other (R = α·a_p + (1−α)·a),
# then the correlation diagnostic on the α = 0 rollouts. Each run has a time limit; a run cut off keeps its last
# checkpoint and the next phase starts from it.
set -u
source .device/setup.sh
OUT=${OUT:-/tmp/out}; R=/tmp/runs; rm -rf "$R"; mkdir -p "$OUT" "$R"   # a warm machine keeps /tmp between calls
TASKS=${TASKS:-gc sudoku}; SFT_STEPS=${SFT_STEPS:-200}; SFT_EVAL_EVERY=${SFT_EVAL_EVERY:-100}; RL_STEPS=${RL_STEPS:-8}; SFT_TIMEOUT=${SFT_TIMEOUT:-170}; RL_TIMEOUT=${RL_TIMEOUT:-140}
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
start=$(date +%s)
pack_runs() { (cd "$R" && tar czf "$OUT/gpu-runs.tgz" --exclude=checkpoints --exclude=rollouts.msgpack --exclude=steps.msgpack .); }
sft() { # task objective
  local opts; if [ "$1" = gc ]; then opts=${GC_OPTS:-}; else opts=${SUDOKU_OPTS:-}; fi
  # shellcheck disable=SC2086
  timeout "$SFT_TIMEOUT" node .device/cli.mjs sft --task "$1" --objective "$2" --model small --steps "$SFT_STEPS" \
    --eval-every "$SFT_EVAL_EVERY" --eval-n 64 --eval-batch 64 --checkpoint-every 50 --seed 0 --backend webgpu --no-plots \
    $opts --out "$R/sft-$1-$2" > "$R/sft-$1-$2.log" 2>&1
}
for task in $TASKS; do
  if [ "${PAIR_PARALLEL:-0}" = 1 ]; then sft "$task" standard & sft "$task" ngdiff & wait
  else sft "$task" standard; sft "$task" ngdiff; fi
done
echo "sft phase: $(( $(date +%s) - start )) s"
for run in "$R"/sft-*/; do echo "== $run"; tail -n 4 "${run%/}.log" | cut -c1-400; done
[ "$RL_STEPS" = 0 ] && { pack_runs; exit 0; }
rl_start=$(date +%s)
for alpha in 0 0.5; do   # one at a time: two GRPO processes at once ran out of GPU memory
  timeout "$RL_TIMEOUT" node .device/cli.mjs rl --task gc --init "$R/sft-gc-standard/checkpoints" --alpha "$alpha" \
    --reward perception --steps "$RL_STEPS" --prompts 8 --group 8 --rollout-batch 64 --micro-batch 16 \
    --eval-n 32 --score-threads 0 --seed 0 --backend webgpu --out "$R/rl-gc-a$alpha" > "$R/rl-gc-a$alpha.log" 2>&1
done
echo "rl phase: $(( $(date +%s) - rl_start )) s"
for alpha in 0 0.5; do echo "== rl α=$alpha"; tail -n 4 "$R/rl-gc-a$alpha.log" | cut -c1-600; done
timeout 40 node .device/cli.mjs diagnose --rollouts "$R/rl-gc-a0/rollouts.msgpack" --score-threads 0 --out "$R/diag-gc-a0" 2>&1 | tail -n 8
pack_runs
echo "total: $(( $(date +%s) - start )) s"
