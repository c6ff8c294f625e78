#!/usr/bin/env bash
# The demo's settings, chosen on `val` (never `test`): a grid of candidates run at once, one process a core, on
# the CPU backend the demo uses (bench/demo-scout.ts), then a table. The rule that picks one was fixed before
# the grid ran and is printed with it (flows/demo.ts DEMO_CHOICE records the outcome).
# On the device:  source .device/setup.sh && bash bench/demo-scout.sh   (here: SCOUT="npx tsx bench/demo-scout.ts")
set -uo pipefail
SCOUT=${SCOUT:-node .device/demo-scout.mjs}
SCOUT_OUT=$(realpath -m "${SCOUT_OUT:-/tmp/demo-scout}")
BUDGET_S=${BUDGET_S:-480}
# One candidate a core, on cores FIRST_CORE… (the first ones stay free for a GPU benchmark in the same call).
FIRST_CORE=${FIRST_CORE:-2}
mkdir -p "$SCOUT_OUT"
grid=()
# The first grid (verbosity 0/1, 120-240 steps, 72 px, one run after the other) finished no candidate in 440 s
# on the device's cores: the grid below is the cheaper end (verbosity 0, 60-160 steps, 48 or 72 px input).
for input in 48 72; do for lr in 0.003 0.01; do for sb in 60x4 100x4 $([ $input = 48 ] && echo 160x4 100x8); do
  steps=${sb%x*}; batch=${sb#*x}
  grid+=("i${input}-lr${lr}-s${steps}-b${batch} inputSize=$input verbosity=0 lr=$lr steps=$steps batch=$batch warmupSteps=$((steps / 10)) trainN=512 evalN=100 heldOut=100 nodes=5")
done; done; done
echo "demo scout: ${#grid[@]} candidates, one core each from core $FIRST_CORE of $(nproc), wasm (the demo's backend without a GPU), ${BUDGET_S} s budget, 5-node GC (768 graphs; val and test 100 each, held out by content)"
core=$FIRST_CORE
for g in "${grid[@]}"; do
  set -- $g; name=$1; shift
  ASYMFLOW_BACKEND=${SCOUT_BACKEND:-wasm} timeout "$BUDGET_S" taskset -c $core $SCOUT "$SCOUT_OUT/$name" "$@" > "$SCOUT_OUT/$name.log" 2>&1 &
  core=$((core + 1))
done
wait
echo "rule (fixed before the grid ran): among candidates whose two runs took at most ${QUALIFY_S:-250} s together (the demo runs them one"
echo "after the other in one process, with its dashboard, and evaluates during training: under 5 minutes), the highest standard-SFT val a_p + a_r;"
echo "ties: fewer steps, then the smaller input. The table below is val only."
echo "| candidate | wall s (runs) | standard a / a_p / a_r | NGDiff a / a_p / a_r |"
echo "| --- | ---: | --- | --- |"
for g in "${grid[@]}"; do
  set -- $g; name=$1
  if [ -f "$SCOUT_OUT/$name/scout.json" ]; then
    node -e '
      const s = require(process.argv[1]); const pct = (x) => (100 * x).toFixed(1);
      const cell = (r) => r ? `${pct(r.a)} / ${pct(r.ap)} / ${pct(r.ar)} (n ${r.n})` : "-";
      console.log(`| ${process.argv[2]} | ${s.wallS.toFixed(0)} (${s.runS.map((x) => x.toFixed(0)).join(" + ")}) | ${cell(s.rows[0])} | ${cell(s.rows[1])} |`);
      for (const line of s.reading) console.log(`|   | | ${line} | |`);' "$SCOUT_OUT/$name/scout.json" "$name"
  else
    echo "| $name | > ${BUDGET_S} | not finished: $(tail -c 200 "$SCOUT_OUT/$name.log" | tr '\n|' '  ') | |"
  fi
done
# The device call returns $OUT: the candidates' summaries and logs, not their checkpoints.
if [ -n "${OUT:-}" ]; then
  for g in "${grid[@]}"; do
    set -- $g; mkdir -p "$OUT/demo-scout/$1"; cp "$SCOUT_OUT/$1.log" "$OUT/demo-scout/" 2>/dev/null
    cp "$SCOUT_OUT/$1/scout.json" "$OUT/demo-scout/$1/" 2>/dev/null
  done
fi
