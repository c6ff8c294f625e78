/**
 * `asymflow demo` configuration (docs/architecture.md §8): one option table (src/options.ts) from which the
 * command's type, defaults and flags derive; its training settings are flows/demo.ts's DEMO_CONFIG.
 * Light on purpose: `demo --help` loads no tfjs, vega or ink.
 */
import { option, resolveOptions, type ConfigOf } from '../options.ts';

/** Every `asymflow demo` flag once: default, help and flag (src/options.ts). */
export const DEMO_OPTIONS = {
  out: option('runs/demo', 'where the runs, table and plots go', { value: 'dir' }),
  backend: option('', 'tensorflow, webgpu, wasm or cpu (default: ASYMFLOW_BACKEND or auto)', { value: 'name' }),
};

export type DemoCommandConfig = ConfigOf<typeof DEMO_OPTIONS>;

export function resolveDemoOptions(flags: Readonly<Record<string, unknown>>): DemoCommandConfig {
  return resolveOptions('demo', DEMO_OPTIONS, flags);
}
