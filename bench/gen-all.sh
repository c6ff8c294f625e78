#!/usr/bin/env bash
# Issue 2's generation target: all three splits of both tasks with images (500 + 2,000 + 16,000 samples per
# task, 37,000 in all) into DIR, one `asymflow gen` per split, timed with wall and CPU seconds.
#   bash bench/gen-all.sh [DIR=/tmp/asymflow-gen-all] [SEED=1]
set -euo pipefail
dir=${1:-/tmp/asymflow-gen-all}
seed=${2:-1}
rm -rf "$dir"
start=$(date +%s.%N)
for task in gc sudoku; do
  for split in test train_sft train_rl; do
    /usr/bin/time -f "{\"what\":\"gen\",\"task\":\"$task\",\"split\":\"$split\",\"wall_s\":%e,\"user_s\":%U,\"sys_s\":%S}" \
      npx asymflow gen --task "$task" --split "$split" --seed "$seed" --out "$dir" --images 2>&1 >/dev/null | grep '^{' || true
  done
done
end=$(date +%s.%N)
echo "{\"what\":\"gen-all\",\"samples\":$(ls "$dir/images" | wc -l),\"wall_s\":$(awk "BEGIN{print $end - $start}"),\"bytes\":$(du -sb "$dir" | cut -f1)}"
