#!/usr/bin/env bash
# Mesa's lavapipe (Vulkan on the CPU) with cooperative matrices, for testing the tensor-core kernels (issue 17)
# on a machine without a GPU. Dawn offers `chromium-experimental-subgroup-matrix` on lavapipe from Mesa 25.2
# (f16×f16→f32 at 8×8×8, subgroups of 8); Debian stable's Mesa is older, so this takes Mesa and everything it
# links from Debian unstable into .lavapipe/root, never into the system. Unstable's glibc is newer than the
# system's, so .lavapipe/node is a copy of this node whose ELF interpreter and rpath point into that root (a
# copy, not `ld.so --library-path`, so process.execPath still starts node for child processes).
#
#   bash bench/lavapipe.sh            # prepare .lavapipe/ (≈ 150 MB, a minute); again: reuse it
#   .lavapipe/run npx tsx FILE        # run with lavapipe as Dawn's only Vulkan driver
#
# Needs apt-get and Debian's mirror (no root for the download; patchelf is installed when missing, as root).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="$PWD/.lavapipe"
ROOT="$DIR/root"
LIB="$ROOT/usr/lib/x86_64-linux-gnu"
if [[ -x "$DIR/run" && -f "$DIR/ready" ]]; then
  echo "lavapipe: $(cat "$DIR/ready") (reused; rm -rf .lavapipe to fetch again)" >&2
  exit 0
fi
if ! command -v patchelf >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends patchelf >/dev/null
fi
rm -rf "$DIR"
mkdir -p "$DIR/apt/lists/partial" "$DIR/debs" "$ROOT"
echo 'deb http://deb.debian.org/debian sid main' >"$DIR/apt/sources.list"
APT=(-o "Dir::Etc::SourceList=$DIR/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$DIR/apt/lists"
  -o "Dir::Cache=$DIR/apt/cache" -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
apt-get "${APT[@]}" update -qq
# Every package the driver and the Vulkan loader need, resolved by apt against unstable (virtual names dropped).
mapfile -t PKGS < <(apt-cache "${APT[@]}" depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
  --no-replaces --no-enhances mesa-vulkan-drivers libvulkan1 | grep -E '^[a-z0-9]' | sort -u)
(cd "$DIR/debs" && apt-get "${APT[@]}" download -qq "${PKGS[@]}" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
for deb in "$DIR"/debs/*.deb; do dpkg-deb -x "$deb" "$ROOT"; done
[[ -f "$LIB/libvulkan_lvp.so" ]] || { echo "lavapipe: libvulkan_lvp.so missing after extracting ${#PKGS[@]} packages" >&2; exit 1; }

# Each library finds its neighbours in the root: dlopen (Dawn → loader → driver → LLVM) ignores the executable's rpath.
find "$LIB" -maxdepth 1 -type f -name '*.so*' ! -name 'ld-linux*' ! -name 'libc.so*' -print0 |
  xargs -0 -n 32 patchelf --set-rpath "$LIB" 2>/dev/null || true
cp "$(command -v node)" "$DIR/node"
patchelf --set-interpreter "$LIB/ld-linux-x86-64.so.2" --force-rpath --set-rpath "$LIB" "$DIR/node"
sed "s#\"libvulkan_lvp.so\"#\"$LIB/libvulkan_lvp.so\"#" "$ROOT/usr/share/vulkan/icd.d/lvp_icd.json" >"$DIR/lvp_icd.json"
# Only lavapipe is wanted: the hardware drivers are 120 MB of the root.
find "$LIB" -maxdepth 1 -name 'libvulkan_*.so' ! -name libvulkan_lvp.so -delete
rm -rf "$DIR/debs" "$DIR/apt" "$ROOT/usr/share/vulkan/icd.d"

cat >"$DIR/run" <<RUN
#!/usr/bin/env bash
# Runs a command with .lavapipe/node first on PATH and lavapipe as Dawn's only Vulkan driver (bench/lavapipe.sh).
export PATH="$DIR/bin:\$PATH"
export VK_ICD_FILENAMES="$DIR/lvp_icd.json"
export ASYMFLOW_WEBGPU_DAWN="backend=vulkan,enable-dawn-features=allow_unsafe_apis"
export ASYMFLOW_WEBGPU_SOFTWARE=1
exec "\$@"
RUN
chmod +x "$DIR/run"
mkdir -p "$DIR/bin" && ln -sf "$DIR/node" "$DIR/bin/node"
"$DIR/run" node -e "
  const { create, globals } = await import('webgpu'); Object.assign(globalThis, globals);
  const a = await create(['backend=vulkan', 'enable-dawn-features=allow_unsafe_apis']).requestAdapter();
  if (!a) { console.error('lavapipe: Dawn found no Vulkan adapter'); process.exit(1); }
  const m = (a.info.subgroupMatrixConfigs ?? []).map((c) => c.componentType + '→' + c.resultComponentType + ' ' + c.M + '×' + c.N + '×' + c.K);
  const line = a.info.description + ', subgroups ' + a.info.subgroupMinSize + '…' + a.info.subgroupMaxSize + ', matrices: ' + (m.join(', ') || 'none');
  if (!a.features.has('chromium-experimental-subgroup-matrix')) { console.error('lavapipe: no subgroup matrices: ' + line); process.exit(1); }
  (await import('node:fs')).writeFileSync('$DIR/ready', line);
  console.error('lavapipe: ' + line);
" --input-type=module 2>&1 | grep -v 'artificially reduced' >&2
[[ -f "$DIR/ready" ]]
