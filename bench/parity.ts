/**
 * Loss and gradient parity of the model across backends against cpu (issue 8): one fresh model from a seed,
 * one fixed batch, one JSON line per backend. The webgpu comparison lives here, not in the test suite,
 * because it needs an adapter (the H100 through the device tool, or Mesa's GLES path: EGL_PLATFORM=surfaceless).
 *
 *   npx tsx bench/parity.ts --size tiny --rows 4 --backends wasm,webgpu
 */
import { modelConfig, type ModelSize } from '../src/model/config.ts';
import { resolveBackend } from '../src/model/backend.ts';
import { compareSnapshots, gradientSnapshot, parityBatch } from '../src/model/parity.ts';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = argv.indexOf('--' + name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const config = modelConfig(arg('size', 'tiny') as ModelSize);
const rows = parityBatch(config, Number(arg('rows', '4')));

const cpu = await resolveBackend('cpu');
const reference = await gradientSnapshot(config, rows);
console.log(JSON.stringify({ what: 'parity', backend: 'cpu', device: cpu.device, loss: reference.loss, norm: reference.norm }));
for (const name of arg('backends', 'wasm,webgpu').split(',')) {
  try {
    const backend = await resolveBackend(name);
    const snap = await gradientSnapshot(config, rows);
    const errors = backend.gpuErrors().length;
    console.log(JSON.stringify({ what: 'parity', backend: name, device: backend.device, loss: snap.loss, norm: snap.norm, ...compareSnapshots(snap, reference), gpuErrors: errors }));
    await backend.dispose();
  } catch (err) {
    console.log(JSON.stringify({ what: 'parity', backend: name, error: (err as Error).message.split('\n')[0] }));
  }
}
